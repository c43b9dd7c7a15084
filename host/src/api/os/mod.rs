//! `Millennium.os`: facts about the machine, with Node/Tauri v1 names.

use serde_json::{Value, json};

use crate::ipc::command::OsCommand;
use crate::platform;

/// Answers one `os` command.
pub fn handle(command: OsCommand) -> Value {
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
