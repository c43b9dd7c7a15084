//! `Millennium.os`: facts about the machine, with Node/Tauri v1 names.

use millennium_config::model::{AllowlistKey, OsAllowlist};
use serde_json::{Value, json};

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, unknown};
use crate::ipc::{Admitted, Output};
use crate::platform;

/// `Millennium.os`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsCommand {
    /// `platform()`: `linux`, `darwin`, `win32`.
    Platform,
    /// `version()`: the kernel release.
    Version,
    /// `type()`: `Linux`, `Darwin`, `Windows_NT`.
    Type,
    /// `arch()`: `x86_64`, `aarch64`, ...
    Arch,
    /// `tempdir()`.
    Tempdir,
    /// `locale()`: BCP-47 tag or `null`.
    Locale,
    /// `eol()`.
    Eol,
}

impl Api for OsCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["EOL", "platform", "version", "type", "arch", "tempdir", "locale"],
        samples: &[
            sample("os.platform", "{}", "Millennium.os.platform()"),
            sample("os.version", "{}", "Millennium.os.version()"),
            sample("os.type", "{}", "Millennium.os.type()"),
            sample("os.arch", "{}", "Millennium.os.arch()"),
            sample("os.tempdir", "{}", "Millennium.os.tempdir()"),
            sample("os.locale", "{}", "Millennium.os.locale()"),
            sample("os.eol", "{}", "Millennium.ipc.invoke('os.eol')"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<OsCommand, DecodeError> {
        Ok(match function {
            "platform" => OsCommand::Platform,
            "version" => OsCommand::Version,
            "type" => OsCommand::Type,
            "arch" => OsCommand::Arch,
            "tempdir" => OsCommand::Tempdir,
            "locale" => OsCommand::Locale,
            "eol" => OsCommand::Eol,
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[OsAllowlist::info]
    }

    fn route(&self) -> Route {
        Route::Inline
    }

    fn run(admitted: Admitted<OsCommand>, _call: &Call<'_>) -> Result<Output, String> {
        Ok(Output::Json(handle(*admitted.command())))
    }
}

/// Answers one `os` command.
fn handle(command: OsCommand) -> Value {
    match command {
        OsCommand::Platform => json!(platform_name()),
        OsCommand::Type => json!(type_name()),
        OsCommand::Arch => json!(std::env::consts::ARCH),
        OsCommand::Version => json!(platform::kernel_release()),
        OsCommand::Tempdir => json!(std::env::temp_dir()),
        OsCommand::Locale => json!(platform::locale()),
        OsCommand::Eol => json!(if cfg!(windows) { "\r\n" } else { "\n" }),
    }
}

/// Node's `process.platform` spelling.
fn platform_name() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    }
}

/// Node's `os.type()` spelling.
fn type_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        "windows" => "Windows_NT",
        _ => "Unknown",
    }
}
