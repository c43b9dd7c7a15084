//! `Millennium.autostart`: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/<identifier>.desktop`) that starts this
//! app, as installed, when the user logs in, with `--autostart` so the app
//! can tell (`wasLaunchedAtLogin()`).

use std::path::{Path, PathBuf};

use millennium_config::model::{AllowlistKey, AutostartAllowlist};
use serde_json::Value;

use super::{Api, Call, Route, Setup, Surface, json, null, sample};
use crate::context::{ContextError, HostContext};
use crate::ipc::decode::{DecodeError, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.autostart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutostartCommand {
    /// `enable()`.
    Enable,
    /// `disable()`.
    Disable,
    /// `isEnabled()`.
    IsEnabled,
    /// `wasLaunchedAtLogin()`.
    WasLaunchedAtLogin,
}

impl Api for AutostartCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["enable", "disable", "isEnabled", "wasLaunchedAtLogin"],
        samples: &[
            sample("autostart.enable", "{}", "Millennium.autostart.enable()"),
            sample("autostart.disable", "{}", "Millennium.autostart.disable()"),
            sample("autostart.isEnabled", "{}", "Millennium.autostart.isEnabled()"),
            sample("autostart.wasLaunchedAtLogin", "{}", "Millennium.autostart.wasLaunchedAtLogin()"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<AutostartCommand, DecodeError> {
        Ok(match function {
            "enable" => AutostartCommand::Enable,
            "disable" => AutostartCommand::Disable,
            "isEnabled" => AutostartCommand::IsEnabled,
            "wasLaunchedAtLogin" => AutostartCommand::WasLaunchedAtLogin,
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            AutostartCommand::Enable => &[AutostartAllowlist::enable],
            AutostartCommand::Disable => &[AutostartAllowlist::disable],
            AutostartCommand::IsEnabled | AutostartCommand::WasLaunchedAtLogin => {
                &[AutostartAllowlist::is_enabled]
            }
        }
    }

    fn route(&self) -> Route {
        // Small file operations.
        Route::Worker
    }

    fn run(admitted: Admitted<AutostartCommand>, call: &Call<'_>) -> Result<Output, String> {
        let ctx = call.ctx;
        match admitted.command() {
            AutostartCommand::WasLaunchedAtLogin => json(ctx.launch.autostarted),
            AutostartCommand::IsEnabled => json(entry_path(ctx)?.is_file()),
            AutostartCommand::Disable => {
                let path = entry_path(ctx)?;
                match std::fs::remove_file(&path) {
                    Ok(()) => null(),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => null(),
                    Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
                }
            }
            AutostartCommand::Enable => {
                let path = entry_path(ctx)?;
                let entry = desktop_entry(&ctx.config.app.name, &command_line(ctx)?);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                crate::atomic_file::write(&path, "autostart", Some(0o644), |file| {
                    std::io::Write::write_all(file, entry.as_bytes())
                })
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                null()
            }
        }
    }
}

/// `$XDG_CONFIG_HOME/autostart/<identifier>.desktop`.
fn entry_path(ctx: &HostContext) -> Result<PathBuf, String> {
    let config = ctx
        .paths
        .base_dir(millennium_config::BaseDirectory::Config)
        .ok_or("the user's config directory is unknown (no HOME)")?;
    Ok(config
        .join("autostart")
        .join(format!("{}.desktop", ctx.config.app.identifier)))
}

/// What the entry runs: the packaged executable, or the host with the
/// app's directory; then the flag.
fn command_line(ctx: &HostContext) -> Result<Vec<String>, String> {
    let text = |path: &Path| {
        path.to_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the path {} is not UTF-8", path.display()))
    };
    let mut words = match &ctx.executable {
        Some(exe) => vec![text(exe)?],
        None => {
            let host = std::env::current_exe().map_err(|e| format!("this program's path is unknown: {e}"))?;
            vec![text(&host)?, text(&ctx.base_dir)?, "--".to_owned()]
        }
    };
    words.push(crate::launch::AUTOSTART_FLAG.to_owned());
    Ok(words)
}

/// The autostart entry for `name`, running `words`.
fn desktop_entry(name: &str, words: &[String]) -> String {
    let exec: Vec<String> = words.iter().map(|w| exec_word(w)).collect();
    format!(
        "[Desktop Entry]\nType=Application\nName={}\nExec={}\nX-GNOME-Autostart-enabled=true\nTerminal=false\n",
        name.replace(['\n', '\r'], " "),
        exec.join(" ")
    )
}

/// One word of an `Exec` line: quoted when it holds anything but plain
/// characters, with `"`, `` ` ``, `$` and `\` escaped inside the quotes,
/// and `%` doubled (field codes), as the desktop entry specification says.
fn exec_word(word: &str) -> String {
    let word = word.replace('%', "%%");
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.,+=:@%".contains(c));
    if plain {
        return word;
    }
    let mut quoted = String::from("\"");
    for c in word.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    // The file format's own escape comes on top: `\` is written `\\`.
    quoted.replace('\\', "\\\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_are_quoted_as_the_desktop_entry_spec_says() {
        assert_eq!(exec_word("/usr/bin/notes"), "/usr/bin/notes");
        assert_eq!(exec_word("--autostart"), "--autostart");
        assert_eq!(exec_word("/opt/My Notes/notes"), "\"/opt/My Notes/notes\"");
        assert_eq!(exec_word("/tmp/100%"), "/tmp/100%%");
        assert_eq!(exec_word("a\"b$c"), "\"a\\\\\"b\\\\$c\"");
        let entry = desktop_entry("Notes", &["/usr/bin/notes".to_owned(), "--autostart".to_owned()]);
        assert!(entry.contains("\nExec=/usr/bin/notes --autostart\n"), "{entry}");
    }
}
