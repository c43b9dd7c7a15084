//! What the app was launched with: URLs of its `[bundle] url-schemes` and
//! files of its `[bundle] file-associations` (taken out first), then the
//! rest parsed as `[cli]` declares (clap), before any window opens. All of
//! it is data for the page (`Millennium.cli`, `Millennium.deepLink`,
//! `Millennium.app.getOpenedFiles`), never configuration: nothing here can
//! change the config, the allowlist or where assets come from.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

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
    /// URLs of the app's schemes.
    pub deep_links: Vec<String>,
    /// Files of the app's types, canonical, each a regular file.
    pub opened_files: Vec<PathBuf>,
    /// Started by the desktop at login (the autostart entry's [`AUTOSTART_FLAG`]).
    pub autostarted: bool,
}

/// What the app's autostart entry passes, taken out before `[cli]`.
pub const AUTOSTART_FLAG: &str = "--autostart";

/// Longest URL taken as a deep link, in bytes.
pub const MAX_URL_BYTES: usize = 64 * 1024;

/// Arguments sorted: what the app's schemes and file types take, what was
/// refused (and why), and the rest, for `[cli]`.
#[derive(Debug, Default, PartialEq)]
pub struct Sorted {
    /// For the `[cli]` parser.
    pub rest: Vec<String>,
    /// URLs of the app's schemes.
    pub deep_links: Vec<String>,
    /// Files of the app's types, canonical.
    pub files: Vec<PathBuf>,
    /// Arguments that looked like a URL or a file for the app but cannot
    /// be opened, each with why.
    pub refused: Vec<String>,
}

/// Sorts `args`, relative paths taken from `cwd`. Only an app that declares
/// schemes or file types has any taken out.
pub fn sort(config: &Config, args: &[String], cwd: &Path) -> Sorted {
    let schemes: Vec<&str> = config
        .bundle
        .url_schemes
        .iter()
        .map(|s| s.0.as_str())
        .collect();
    let types = &config.bundle.file_associations;
    let mut sorted = Sorted::default();
    let mut options_ended = false;
    for arg in args {
        if (!options_ended && arg.starts_with('-')) || (schemes.is_empty() && types.is_empty()) {
            options_ended |= arg == "--";
            sorted.rest.push(arg.clone());
            continue;
        }
        let scheme = url_scheme(arg);
        let file = match scheme.as_deref() {
            Some(scheme) if schemes.contains(&scheme) => {
                if arg.len() > MAX_URL_BYTES {
                    sorted.refused.push(format!(
                        "a `{scheme}:` URL of {} bytes (at most {MAX_URL_BYTES})",
                        arg.len()
                    ));
                } else {
                    sorted.deep_links.push(arg.clone());
                }
                continue;
            }
            Some("file") if !types.is_empty() => match url::Url::parse(arg)
                .ok()
                .and_then(|u| u.to_file_path().ok())
            {
                Some(path) => path,
                None => {
                    sorted
                        .refused
                        .push(format!("`{}`: not a local file URL", shown(arg)));
                    continue;
                }
            },
            Some(other) if arg.contains("://") => {
                sorted.refused.push(format!(
                    "`{}`: `{other}:` is not a URL scheme this app opens",
                    shown(arg)
                ));
                continue;
            }
            _ => PathBuf::from(arg),
        };
        let associated = file.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            types
                .iter()
                .any(|t| t.extensions.iter().any(|x| x.0.eq_ignore_ascii_case(e)))
        });
        if !associated {
            if scheme.as_deref() == Some("file") {
                sorted
                    .refused
                    .push(format!("`{}`: not a file type this app opens", shown(arg)));
            } else {
                sorted.rest.push(arg.clone());
            }
            continue;
        }
        let path = cwd.join(&file);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => match std::fs::canonicalize(&path) {
                Ok(canonical) => sorted.files.push(canonical),
                Err(error) => sorted
                    .refused
                    .push(format!("`{}`: {error}", path.display())),
            },
            Ok(_) => sorted.refused.push(format!(
                "`{}` is not a regular file (a directory, a FIFO or a device)",
                path.display()
            )),
            Err(error) => sorted
                .refused
                .push(format!("`{}`: {error}", path.display())),
        }
    }
    sorted
}

/// The scheme of `arg` when it reads as `scheme:...` (two letters or more,
/// so a drive letter never does), lower-cased.
fn url_scheme(arg: &str) -> Option<String> {
    let (scheme, _) = arg.split_once(':')?;
    let valid = scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// At most 200 characters of `arg`, for messages.
fn shown(arg: &str) -> String {
    arg.chars().take(200).collect()
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
/// executable is called `bin`. What cannot be opened is said on stderr;
/// the app starts without it.
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
    let autostarted = args.iter().any(|a| a == AUTOSTART_FLAG);
    let args: Vec<OsString> = args.into_iter().filter(|a| a != AUTOSTART_FLAG).collect();
    // Not UTF-8: a usage error (pages get strings, and nothing is lost).
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
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let sorted = sort(config, &strings, &cwd);
    for why in &sorted.refused {
        eprintln!("{bin}: not opened: {why}");
    }
    let matched = command
        .try_get_matches_from(std::iter::once(bin.to_owned()).chain(sorted.rest))
        .map_err(Exit)?;
    Ok(Launch {
        args: strings,
        matches: matches_json(cli, &matched),
        deep_links: sorted.deep_links,
        opened_files: sorted.files,
        autostarted,
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

    const LINKS: &str = r#"
[bundle]
url-schemes = ["notes"]

[[bundle.file-associations]]
extensions = ["md"]
mime-type = "text/markdown"

[[cli.args]]
name = "verbose"
short = "v"
"#;

    #[test]
    fn urls_of_the_apps_schemes_and_files_of_its_types_are_taken_out_first() {
        let dir = std::env::temp_dir().join(format!("millennium-sort-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub.md")).unwrap();
        std::fs::write(dir.join("a.md"), "# a").unwrap();
        std::fs::write(dir.join("b.txt"), "b").unwrap();
        let file_url = url::Url::from_file_path(dir.join("a.md"))
            .unwrap()
            .to_string();
        let long = format!("notes://open?name={}", "x".repeat(MAX_URL_BYTES));
        let args: Vec<String> = [
            "-v",
            "notes://open?name=Trip",
            "NOTES:x",
            "a.md",
            &file_url,
            "b.txt",
            "missing.md",
            "sub.md",
            "https://example.com/",
            &long,
            "C:thing",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let sorted = sort(&config(LINKS), &args, &dir);
        assert_eq!(sorted.deep_links, ["notes://open?name=Trip", "NOTES:x"]);
        let a = std::fs::canonicalize(dir.join("a.md")).unwrap();
        assert_eq!(sorted.files, [a.clone(), a]);
        assert_eq!(sorted.rest, ["-v", "b.txt", "C:thing"]);
        let refused = sorted.refused.join("\n");
        for needle in [
            "missing.md`: No such file or directory",
            "sub.md` is not a regular file",
            "`https:` is not a URL scheme this app opens",
            "of 65554 bytes (at most 65536)",
        ] {
            assert!(refused.contains(needle), "{needle}: {refused}");
        }
        // An app that declares neither takes nothing out.
        let plain = sort(&config(""), &args, &dir);
        assert_eq!(plain.rest, args);
        let _ = std::fs::remove_dir_all(&dir);
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
