//! What the app was launched with: its arguments, parsed as `[cli]`
//! declares (clap), before any window opens. They are data for the page
//! (`Millennium.cli.getMatches()`), never configuration: nothing here can
//! change the config, the allowlist or where assets come from.

use std::collections::BTreeMap;
use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};
use millennium_config::model::{CliArg, CliConfig, Config};
use serde_json::{Map, Value, json};

/// The app's own arguments, and what `[cli]` made of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Launch {
    /// The arguments after the program name.
    pub args: Vec<String>,
    /// `getMatches()`: `{ args: { name: { value, occurrences } },
    /// subcommand: { name, matches } | null }`, Tauri v1's shape.
    pub matches: Value,
}

/// The launch ends before the app starts: `--help`, `--version` (printed,
/// exit 0) or a usage error (printed to stderr, exit 2).
#[derive(Debug)]
pub struct Exit(clap::Error);

impl Exit {
    /// Prints what clap has to say, where it belongs; the exit code.
    pub fn report(&self) -> i32 {
        let _ = self.0.print();
        self.0.exit_code()
    }
}

/// Parses `args` (after the program name) for the app of `config`, whose
/// executable is called `bin`.
pub fn parse(config: &Config, bin: &str, args: Vec<OsString>) -> Result<Launch, Exit> {
    let empty = CliConfig::default();
    let cli = config.cli.as_ref().unwrap_or(&empty);
    let about = cli
        .description
        .clone()
        .or_else(|| config.app.description.clone());
    // `--version` says the app's name, usage lines the executable's.
    let command = command(config.app.name.clone(), cli, about)
        .bin_name(bin.to_owned())
        .version(config.app.version.clone());
    // WebKitWebDriver may pass this to the program it drives; the
    // environment, not argv, decides about automation.
    let args: Vec<OsString> = args.into_iter().filter(|a| a != "--automation").collect();
    let strings = args
        .iter()
        .map(|a| {
            a.to_str().map(str::to_owned).ok_or_else(|| {
                Exit(command.clone().error(
                    clap::error::ErrorKind::InvalidUtf8,
                    format!("the argument `{}` is not UTF-8", a.to_string_lossy()),
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let matched = command
        .try_get_matches_from(std::iter::once(OsString::from(bin)).chain(args))
        .map_err(Exit)?;
    Ok(Launch {
        args: strings,
        matches: matches_json(cli, &matched),
    })
}

/// The clap command for one level of `[cli]`.
fn command(name: String, cli: &CliConfig, about: Option<String>) -> Command {
    let mut command = Command::new(name).disable_help_subcommand(true);
    if let Some(about) = about {
        command = command.about(about);
    }
    if let Some(after) = &cli.after_help {
        command = command.after_help(after.clone());
    }
    for arg in &cli.args {
        command = command.arg(clap_arg(arg));
    }
    for (name, sub) in &cli.subcommands {
        command = command.subcommand(command_for_sub(name, sub));
    }
    command
}

fn command_for_sub(name: &str, cli: &CliConfig) -> Command {
    command(name.to_owned(), cli, cli.description.clone())
}

fn clap_arg(arg: &CliArg) -> Arg {
    let mut clap = Arg::new(arg.name.clone()).required(arg.required);
    if let Some(description) = &arg.description {
        clap = clap.help(description.clone());
    }
    match arg.index {
        Some(index) => clap = clap.index(index),
        None => {
            clap = clap.long(arg.name.clone());
            if let Some(short) = arg.short.as_deref().and_then(|s| s.chars().next()) {
                clap = clap.short(short);
            }
        }
    }
    let takes_value = arg.takes_value || arg.index.is_some();
    if !takes_value {
        return clap.action(if arg.multiple {
            ArgAction::Count
        } else {
            ArgAction::SetTrue
        });
    }
    clap = clap.action(if arg.multiple {
        ArgAction::Append
    } else {
        ArgAction::Set
    });
    let min = arg.min_values.unwrap_or(1);
    // A positional that may repeat takes every value left.
    let max = arg
        .max_values
        .unwrap_or(if arg.multiple && arg.index.is_some() {
            usize::MAX
        } else {
            1
        })
        .max(min);
    clap = clap.num_args(min..=max);
    if !arg.possible_values.is_empty() {
        clap = clap.value_parser(clap::builder::PossibleValuesParser::new(
            arg.possible_values
                .iter()
                .map(|v| clap::builder::PossibleValue::new(v.clone())),
        ));
    }
    clap
}

fn matches_json(cli: &CliConfig, matched: &ArgMatches) -> Value {
    let mut args = Map::new();
    for arg in &cli.args {
        let id = arg.name.as_str();
        let takes_value = arg.takes_value || arg.index.is_some();
        let from_line = matched.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
        let entry = if !takes_value {
            let occurrences = if arg.multiple {
                u64::from(matched.get_count(id))
            } else {
                u64::from(matched.get_flag(id))
            };
            json!({ "value": occurrences > 0, "occurrences": occurrences })
        } else {
            let values: Vec<String> = matched
                .get_many::<String>(id)
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
            let occurrences = if from_line {
                matched.indices_of(id).map_or(0, |i| i.count() as u64)
            } else {
                0
            };
            let value = match (
                arg.multiple || arg.max_values.is_some_and(|m| m > 1),
                values.len(),
            ) {
                (_, 0) => Value::Null,
                (false, 1) => json!(values[0]),
                _ => json!(values),
            };
            json!({ "value": value, "occurrences": occurrences })
        };
        args.insert(arg.name.clone(), entry);
    }
    let subs: BTreeMap<&str, &CliConfig> = cli
        .subcommands
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let subcommand = matched.subcommand().and_then(|(name, sub_matched)| {
        let sub = subs.get(name)?;
        Some(json!({ "name": name, "matches": matches_json(sub, sub_matched) }))
    });
    json!({ "args": args, "subcommand": subcommand })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(cli: &str) -> Config {
        let dir = std::env::temp_dir().join(format!("millennium-launch-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/index.html"), "").unwrap();
        millennium_config::load_str(
            &format!("[app]\nname = \"Notes\"\nidentifier = \"com.example.notes\"\nversion = \"1.2.3\"\n{cli}"),
            &dir,
        )
        .unwrap()
    }

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    const NOTES_CLI: &str = r#"
[cli]
description = "Plain-text notes"

[[cli.args]]
name = "file"
index = 1
multiple = true
description = "Notes to open"

[[cli.args]]
name = "verbose"
short = "v"
multiple = true

[[cli.args]]
name = "theme"
takes-value = true
possible-values = ["light", "dark"]

[cli.subcommands.export]
description = "Export a note"

[[cli.subcommands.export.args]]
name = "format"
short = "f"
takes-value = true
required = true
"#;

    #[test]
    fn declared_arguments_become_matches_in_tauris_shape() {
        let launch = parse(
            &config(NOTES_CLI),
            "notes",
            args(&["-vv", "--theme", "dark", "a.md", "b.md"]),
        )
        .unwrap();
        assert_eq!(launch.args, ["-vv", "--theme", "dark", "a.md", "b.md"]);
        assert_eq!(
            launch.matches,
            json!({
                "args": {
                    "file": { "value": ["a.md", "b.md"], "occurrences": 2 },
                    "verbose": { "value": true, "occurrences": 2 },
                    "theme": { "value": "dark", "occurrences": 1 },
                },
                "subcommand": null,
            })
        );
        let export = parse(&config(NOTES_CLI), "notes", args(&["export", "-f", "html"])).unwrap();
        assert_eq!(
            export.matches["subcommand"],
            json!({ "name": "export", "matches": { "args": { "format": { "value": "html", "occurrences": 1 } }, "subcommand": null } })
        );
        assert_eq!(
            export.matches["args"]["file"],
            json!({ "value": null, "occurrences": 0 })
        );
    }

    #[test]
    fn undeclared_or_invalid_arguments_are_usage_errors() {
        for (given, needle) in [
            (&["--nope"][..], "unexpected argument '--nope'"),
            (&["--theme", "blue"][..], "invalid value 'blue'"),
            (&["export"][..], "--format <format>"),
        ] {
            let exit = parse(&config(NOTES_CLI), "notes", args(given)).unwrap_err();
            assert_eq!(exit.0.exit_code(), 2, "{given:?}");
            let text = exit.0.to_string();
            assert!(text.contains(needle), "{given:?}: {text}");
        }
        // Without `[cli]`, the app takes no arguments.
        let exit = parse(&config(""), "notes", args(&["x"])).unwrap_err();
        assert_eq!(exit.0.exit_code(), 2);
        assert!(parse(&config(""), "notes", args(&[])).is_ok());
    }

    #[test]
    fn help_and_version_end_the_launch_with_code_0() {
        let help = parse(&config(NOTES_CLI), "notes", args(&["--help"])).unwrap_err();
        assert_eq!(help.0.exit_code(), 0);
        let text = help.0.render().to_string();
        assert!(
            text.contains("Plain-text notes") && text.contains("Usage: notes"),
            "{text}"
        );
        let version = parse(&config(""), "notes", args(&["--version"])).unwrap_err();
        assert_eq!(version.0.exit_code(), 0);
        assert_eq!(version.0.render().to_string(), "Notes 1.2.3\n");
    }

    /// clap panics on a command it considers malformed; `millennium check`
    /// must refuse every such `[cli]` first. Every valid fixture builds.
    #[test]
    fn every_valid_cli_passes_claps_own_assertions() {
        let dir = millennium_e2e_fixtures().join("valid");
        let mut built = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let Ok(loaded) = millennium_config::load(&path) else {
                continue; // needs files of its own; the config tests cover it
            };
            if let Some(cli) = &loaded.config.cli {
                command("app".to_owned(), cli, None)
                    .bin_name("app")
                    .debug_assert();
                built.push(path);
            }
        }
        assert!(built.iter().any(|p| p.ends_with("cli.toml")), "{built:?}");
    }

    fn millennium_e2e_fixtures() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/config")
    }

    #[test]
    fn the_automation_flag_of_webdriver_is_not_an_argument() {
        let launch = parse(&config(""), "notes", args(&["--automation"])).unwrap();
        assert!(launch.args.is_empty());
    }

    #[test]
    fn an_argument_that_is_not_utf8_is_a_usage_error() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![b'a', 0xff]);
        let exit = parse(&config(NOTES_CLI), "notes", vec![bad]).unwrap_err();
        assert_eq!(exit.0.exit_code(), 2);
    }
}
