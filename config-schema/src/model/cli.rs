//! `[cli]`: the arguments, flags and subcommands the app accepts, parsed
//! at start and handed to the page as data (`Millennium.cli.getMatches()`).

use std::collections::BTreeMap;

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The app's command line (Tauri v1's `cli`). Without it the app takes no
/// arguments; with it, anything it does not declare is a usage error
/// (exit 2) before any window opens. `--help` and `--version` always work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CliConfig {
    /// One line for `--help` (default: `[app] description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 500)))]
    pub description: Option<String>,
    /// Text shown after the options in `--help`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 4000)))]
    pub after_help: Option<String>,
    /// The arguments: flags (`--verbose`), options that take values
    /// (`--format json`) and positional arguments (`index`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<CliArg>,
    /// Subcommands by name (`notes export ...`), each with its own
    /// arguments and subcommands.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subcommands: BTreeMap<String, CliConfig>,
}

/// One argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CliArg {
    /// Its name: the long form (`--name`) and its key in `getMatches()`.
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 64),
        regex(pattern = r"^[a-z][a-z0-9-]*$"),
        extend("patternErrorMessage" = "an argument name is lower-case letters, digits and `-`, starting with a letter")
    ))]
    pub name: String,
    /// A one-letter short form (`-v`); not for positional arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(
        regex(pattern = r"^[A-Za-z0-9]$"),
        extend("patternErrorMessage" = "a short form is one letter or digit")
    ))]
    pub short: Option<String>,
    /// A positional argument, by position from 1 (`notes FILE`): it takes
    /// values and has no `--name` form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1, max = 64)))]
    pub index: Option<usize>,
    /// Shown in `--help`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 500)))]
    pub description: Option<String>,
    /// It takes a value (`--format json`); otherwise it is a flag. Always
    /// true for a positional argument.
    #[serde(default)]
    pub takes_value: bool,
    /// It may be given more than once (a flag counts its occurrences, an
    /// option or positional collects every value).
    #[serde(default)]
    pub multiple: bool,
    /// Fewest values one occurrence takes (with `takes-value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_values: Option<usize>,
    /// Most values one occurrence takes (with `takes-value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_values: Option<usize>,
    /// The only values it accepts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_values: Vec<String>,
    /// It must be given.
    #[serde(default)]
    pub required: bool,
}
