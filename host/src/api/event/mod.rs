//! `Millennium.event`: events between the app's windows. Needs no key, as
//! in Tauri v1; names starting with `millennium://` are the host's own.
//!
//! App events reach app pages, and a remote page only when its grant lists
//! the event in `events`. A remote page emits only events its grant lists,
//! and only into its own window.

use millennium_config::model::AllowlistKey;
use serde::Deserialize;
use serde_json::Value;

use super::{Api, LoopCall, Route, Setup, Surface, null, sample};
use crate::context::{Caller, ContextError};
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};

/// Longest event name.
pub const MAX_EVENT_NAME: usize = 256;

/// `Millennium.event`.
#[derive(Debug, Clone, PartialEq)]
pub enum EventCommand {
    /// `emit()` and `WebviewWindow.emit()`.
    Emit(Emit),
}

/// An event sent from a page to every window, or to one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emit {
    /// Event name: letters, digits, `-`, `/`, `:`, `_`; `millennium://` is reserved.
    pub event: String,
    /// Any JSON.
    #[serde(default)]
    pub payload: Value,
    /// Only this window's listeners receive it.
    #[serde(default)]
    pub target: Option<String>,
    /// `target` is the caller's own window (set before the gate).
    #[serde(skip)]
    pub own_window: bool,
}

impl Api for EventCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["listen", "once", "emit"],
        samples: &[
            sample("event.emit", r#"{"event":"sample","payload":1}"#, "Millennium.event.emit('sample', 1)"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<EventCommand, DecodeError> {
        if function != "emit" {
            return Err(unknown(cmd));
        }
        let emit: Emit = parse(cmd, args)?;
        check_event_name(cmd, &emit.event)?;
        Ok(EventCommand::Emit(emit))
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[]
    }

    fn sent_from(self, label: &str) -> EventCommand {
        let EventCommand::Emit(mut emit) = self;
        emit.own_window = emit.target.as_deref() == Some(label);
        EventCommand::Emit(emit)
    }

    fn other_window(&self) -> Option<&str> {
        let EventCommand::Emit(emit) = self;
        emit.target.as_deref().filter(|_| !emit.own_window)
    }

    fn route(&self) -> Route {
        Route::EventLoop
    }

    fn run_in_loop(
        admitted: Admitted<EventCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let EventCommand::Emit(emit) = admitted.into_command();
        let windows = &*call.windows;
        if let Caller::Remote(index) = call.caller {
            // Into its own window only (the gate refused other targets).
            let listed = windows.ctx().remote.get(index).is_some_and(|grant| {
                grant.events.contains(&emit.event)
            });
            if !listed {
                return Some(Err(format!(
                    "a remote page may emit only the events its grant lists in `events`; `{}` is not one",
                    emit.event
                )));
            }
            windows.emit(call.label, &emit.event, emit.payload, emit.target.as_deref());
            return Some(null());
        }
        Some(match &emit.target {
            Some(target) if !windows.contains(target) => {
                Err(format!("no window labelled `{target}`"))
            }
            Some(target) => {
                windows.emit(target, &emit.event, emit.payload, Some(target));
                null()
            }
            None => {
                for label in windows.labels() {
                    windows.emit(label, &emit.event, emit.payload.clone(), None);
                }
                null()
            }
        })
    }
}

fn check_event_name(cmd: &str, name: &str) -> Result<(), DecodeError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ':' | '_' | '.'));
    if name.is_empty() || name.len() > MAX_EVENT_NAME || !valid_chars {
        return Err(bad(
            cmd,
            "an event name is 1 to 256 letters, digits, `-`, `/`, `:`, `_` or `.`",
        ));
    }
    if name.starts_with("millennium://") {
        return Err(bad(
            cmd,
            "event names starting with `millennium://` are reserved",
        ));
    }
    Ok(())
}
