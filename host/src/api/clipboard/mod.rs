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

use serde_json::Value;

use crate::ipc::command::ClipboardCommand;

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
                    .map_err(|e| format!("the clipboard is not available: {e}"))?,
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
