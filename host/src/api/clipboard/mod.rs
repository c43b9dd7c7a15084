//! `Millennium.clipboard`: plain text through arboard (X11 on Linux).
//!
//! On X11 the clipboard's contents live in the process that owns the
//! selection: arboard serves them from a thread that exists only while a
//! `Clipboard` does. So the host keeps one per app, created on first use,
//! for the rest of the run; text written by the page stays pastable in
//! other apps until something else takes the clipboard or the app exits.
//! Calls are X11 round trips (bounded by arboard's own timeouts): run
//! them on a worker thread, never the UI thread.

use std::sync::{Mutex, PoisonError};

use millennium_config::model::{AllowlistKey, ClipboardAllowlist};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, no_args, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.clipboard`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipboardCommand {
    /// `readText()`: the clipboard's text, or `null` when it holds none.
    ReadText,
    /// `writeText(text)`.
    WriteText(String),
}

impl Api for ClipboardCommand {
    type State = ClipboardApi;

    const SURFACE: Surface = Surface {
        members: &["readText", "writeText"],
        samples: &[
            sample("clipboard.readText", "{}", "Millennium.clipboard.readText()"),
            sample("clipboard.writeText", r#"{"text":"x"}"#, "Millennium.clipboard.writeText('x')"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<ClipboardApi, ContextError> {
        Ok(ClipboardApi::default())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<ClipboardCommand, DecodeError> {
        decode_clipboard(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            ClipboardCommand::ReadText => &[ClipboardAllowlist::read_text],
            ClipboardCommand::WriteText(_) => &[ClipboardAllowlist::write_text],
        }
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn run(admitted: Admitted<ClipboardCommand>, call: &Call<'_>) -> Result<Output, String> {
        call.ctx
            .state(&admitted)
            .handle(admitted.command())
            .map(Output::Json)
    }
}

/// The app's clipboard handle, opened lazily (no display is needed until a
/// page asks).
#[derive(Default)]
pub struct ClipboardApi {
    clipboard: Mutex<Option<arboard::Clipboard>>,
}

impl std::fmt::Debug for ClipboardApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipboardApi(..)")
    }
}

impl ClipboardApi {
    /// Runs one command; blocks on the display server.
    pub fn handle(&self, command: &ClipboardCommand) -> Result<Value, String> {
        let mut slot = self
            .clipboard
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let clipboard = match slot.as_mut() {
            Some(clipboard) => clipboard,
            None => slot.insert(
                arboard::Clipboard::new()
                    .map_err(|e| unavailable(&e))?,
            ),
        };
        match command {
            ClipboardCommand::ReadText => match clipboard.get_text() {
                Ok(text) => Ok(Value::String(text)),
                // Empty, or holding something other than text: Tauri v1's `null`.
                Err(arboard::Error::ContentNotAvailable) => Ok(Value::Null),
                Err(e) => Err(format!("cannot read the clipboard: {e}")),
            },
            ClipboardCommand::WriteText(text) => clipboard
                .set_text(text.as_str())
                .map(|()| Value::Null)
                .map_err(|e| format!("cannot write the clipboard: {e}")),
        }
    }
}

/// Why the clipboard cannot be had. arboard speaks X11 only, so under
/// Wayland it goes through XWayland (`DISPLAY`); a session without one has
/// no clipboard for the app, which arboard reports as an unreachable server.
fn unavailable(error: &arboard::Error) -> String {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return format!(
            "the clipboard is not available: Millennium reaches it through X11, and this \
             Wayland session has no XWayland (DISPLAY is not set): {error}"
        );
    }
    format!("the clipboard is not available: {error}")
}

fn decode_clipboard(
    cmd: &str,
    function: &str,
    args: Value,
) -> Result<ClipboardCommand, DecodeError> {
    Ok(match function {
        "readText" => {
            no_args(cmd, args)?;
            ClipboardCommand::ReadText
        }
        "writeText" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct A {
                text: String,
            }
            ClipboardCommand::WriteText(parse::<A>(cmd, args)?.text)
        }
        _ => return Err(unknown(cmd)),
    })
}

#[cfg(test)]
mod tests {
    use crate::api::clipboard::ClipboardCommand;
    use crate::ipc::Command;
    use crate::ipc::decode::testing::decode;

    #[test]
    fn clipboard_commands_decode_with_their_keys() {
        let read = decode("clipboard.readText", "{}").unwrap();
        assert_eq!(read, Command::Clipboard(ClipboardCommand::ReadText));
        assert_eq!(read.required_keys(), &[("clipboard", "read-text")]);
        assert_eq!(
            decode("clipboard.readText", "null").unwrap(),
            Command::Clipboard(ClipboardCommand::ReadText)
        );
        let write = decode(
            "clipboard.writeText",
            r#"{"text":"h\u00e9 \ud83d\ude00\n"}"#,
        )
        .unwrap();
        assert_eq!(
            write,
            Command::Clipboard(ClipboardCommand::WriteText("hé 😀\n".into()))
        );
        assert_eq!(write.required_keys(), &[("clipboard", "write-text")]);
        // Empty text is a valid write (it clears the clipboard's text).
        assert!(decode("clipboard.writeText", r#"{"text":""}"#).is_ok());
        for (cmd, args, needle) in [
            ("clipboard.writeText", "{}", "missing field `text`"),
            ("clipboard.writeText", r#"{"text":3}"#, "invalid type"),
            ("clipboard.writeText", r#"{"text":null}"#, "invalid type"),
            (
                "clipboard.writeText",
                r#"{"text":"a","x":1}"#,
                "unknown field",
            ),
            ("clipboard.readText", r#"{"x":1}"#, "unknown field"),
            ("clipboard.readText", "[]", "must be an object"),
            ("clipboard.clear", "{}", "unknown command"),
        ] {
            let error = decode(cmd, args).unwrap_err();
            assert!(error.contains(needle), "{cmd} {args}: {error}");
        }
    }

    #[test]
    fn clipboard_and_notification_are_denied_by_default_naming_the_key() {
        let gate = crate::ipc::AllowlistGate::new(millennium_config::model::Allowlist::default());
        for (cmd, args, key) in [
            ("clipboard.readText", "{}", "allowlist.clipboard.read-text"),
            (
                "clipboard.writeText",
                r#"{"text":"a"}"#,
                "allowlist.clipboard.write-text",
            ),
            (
                "notification.sendNotification",
                r#"{"title":"a"}"#,
                "allowlist.notification.send",
            ),
            (
                "notification.isPermissionGranted",
                "{}",
                "allowlist.notification.send",
            ),
            (
                "notification.requestPermission",
                "{}",
                "allowlist.notification.send",
            ),
        ] {
            let command = decode(cmd, args).unwrap();
            let error = gate.check(&command).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("{key} is not enabled in millennium.toml"),
                "{cmd}"
            );
        }
        let mut allowlist = millennium_config::model::Allowlist::default();
        allowlist.clipboard.read_text = true;
        let gate = crate::ipc::AllowlistGate::new(allowlist);
        assert_eq!(
            gate.check(&decode("clipboard.readText", "{}").unwrap()),
            Ok(())
        );
        assert!(
            gate.check(&decode("clipboard.writeText", r#"{"text":""}"#).unwrap())
                .is_err()
        );
    }
}
