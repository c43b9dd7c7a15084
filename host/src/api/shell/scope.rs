//! The compiled `[allowlist.shell] scope`: which arguments each command
//! accepts. Regular expressions match the whole string, as in Tauri v1: the
//! open pattern and every argument validator are compiled as
//! `\A(?:pattern)\z`, so a validator `\d+` refuses `12abc` and `12\n`
//! (the `regex-lite` syntax of [`millennium_config::patterns`], which
//! `millennium check` compiles with too).

use millennium_config::patterns::{self, Regex};

use super::error::ShellError;

/// One argument rule of a scoped command.
#[derive(Debug)]
pub(super) enum ArgRule {
    /// Must be passed as is.
    Fixed(String),
    /// Must match in full; `source` is the validator as written.
    Validated { source: String, regex: Regex },
}

/// The arguments a scoped command accepts, compiled.
#[derive(Debug)]
pub(super) enum ArgRules {
    /// `args = false`.
    None,
    /// `args = true`.
    Any,
    /// A list: same length, rule by rule.
    List(Vec<ArgRule>),
}

/// A `[allowlist.shell] scope` entry, compiled.
#[derive(Debug)]
pub(super) struct ScopedCommand {
    /// The program as written: a name looked up in `PATH`, or a path.
    pub(super) cmd: String,
    /// What arguments it accepts.
    pub(super) args: ArgRules,
    /// The environment variables a page may set.
    pub(super) env: Vec<String>,
    /// The fixed working directory, as written (may start with `$VAR`).
    pub(super) cwd: Option<String>,
}

/// A caller-supplied string for an error message: quoted, escaped, and cut
/// after 100 characters.
pub(super) fn quoted(text: &str) -> String {
    const LIMIT: usize = 100;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}

/// Compiles `pattern` so that it must match the whole string.
pub(super) fn full_match(pattern: &str, key: String) -> Result<Regex, ShellError> {
    patterns::full_match(pattern).map_err(|message| ShellError::BadPattern {
        key,
        pattern: pattern.to_owned(),
        message,
    })
}

/// Whether a validator is meant to accept options: it starts with `-`
/// (after an optional `^` or `\A`), or with an escaped `\-`.
fn allows_options(validator: &str) -> bool {
    let body = validator
        .strip_prefix('^')
        .or_else(|| validator.strip_prefix("\\A"))
        .unwrap_or(validator);
    body.starts_with('-') || body.starts_with("\\-")
}

/// Checks `args` against a scope entry's rules.
pub(super) fn check_args(name: &str, rules: &ArgRules, args: &[String]) -> Result<(), ShellError> {
    let rules = match rules {
        ArgRules::Any => return Ok(()),
        ArgRules::None if args.is_empty() => return Ok(()),
        ArgRules::None => {
            return Err(ShellError::NoArguments {
                name: name.to_owned(),
                count: args.len(),
            });
        }
        ArgRules::List(rules) => rules,
    };
    if rules.len() != args.len() {
        return Err(ShellError::ArgumentCount {
            name: name.to_owned(),
            expected: rules.len(),
            got: args.len(),
        });
    }
    for (index, (rule, arg)) in rules.iter().zip(args).enumerate() {
        match rule {
            ArgRule::Fixed(fixed) if fixed == arg => {}
            ArgRule::Fixed(fixed) => {
                return Err(ShellError::FixedArgument {
                    name: name.to_owned(),
                    index,
                    expected: quoted(fixed),
                    got: quoted(arg),
                });
            }
            // A value for a file name must not become an option.
            ArgRule::Validated { source, .. } if arg.starts_with('-') && !allows_options(source) => {
                return Err(ShellError::OptionArgument {
                    name: name.to_owned(),
                    index,
                    got: quoted(arg),
                    validator: source.clone(),
                });
            }
            ArgRule::Validated { regex, .. } if regex.is_match(arg) => {}
            ArgRule::Validated { source, .. } => {
                return Err(ShellError::InvalidArgument {
                    name: name.to_owned(),
                    index,
                    got: quoted(arg),
                    validator: source.clone(),
                });
            }
        }
    }
    Ok(())
}

