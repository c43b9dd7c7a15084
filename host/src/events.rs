//! The messages every thread sends to the event loop, and where a command's
//! answer goes. A leaf: the runtime, the protocol handler, the APIs and dev
//! mode all use these types, and this module uses none of them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use wry::RequestAsyncResponder;

use crate::context::{Caller, HostContext};
use crate::ipc::{Admitted, Output};

/// Messages to the event loop.
pub enum UserEvent {
    /// An admitted command from the page in window `label`.
    Invoke {
        /// The calling window.
        label: String,
        /// What to run; only the gate makes an [`Admitted`].
        command: Admitted,
        /// Where the result goes.
        reply: Reply,
    },
    /// The result of a command a worker thread ran (or a dialog answered),
    /// to be answered from the loop.
    Settle {
        /// The calling window.
        label: String,
        /// Where the result goes.
        reply: Reply,
        /// The result.
        result: Result<Output, String>,
    },
    /// A refused or malformed postMessage call whose promise must be rejected.
    Reject {
        /// The page that asked ([`page`]).
        page: u64,
        /// The calling window.
        label: String,
        /// The promise.
        id: u64,
        /// Who asked: the answer goes only to a page of the same caller.
        caller: Caller,
        /// Why.
        error: String,
    },
    /// Window `label` started loading a new page: what the previous page
    /// asked for (close interception) no longer holds.
    PageLoadStarted {
        /// The window.
        label: String,
    },
    /// An event from the host (a spawned child's output) for the pages of
    /// `caller` in window `label`.
    Emit {
        /// The window.
        label: String,
        /// Only pages of this caller hear it.
        caller: Caller,
        /// Only while the window still shows this page ([`page`]).
        page: u64,
        /// Event name.
        event: String,
        /// Payload.
        payload: Value,
    },
    /// An event from the host for the app pages of every window (updater
    /// status and progress).
    Broadcast {
        /// Event name.
        event: String,
        /// Payload.
        payload: Value,
    },
    /// A sidecar's notification, for the pages of the windows listed (of
    /// every window when `None`) that may hear that sidecar: app pages, and
    /// remote pages whose grant names it.
    SidecarNotification {
        /// The sidecar.
        sidecar: String,
        /// The window labels; `None` for all.
        windows: Option<Vec<String>>,
        /// Payload.
        payload: Value,
    },
    /// A menu item was clicked: muda's id of it ([`crate::desktop`]).
    Menu(String),
    /// Context menu `token` closed.
    PopupClosed(u64),
    /// A grabbed key combination was pressed: global-hotkey's id of it.
    GlobalShortcut(u32),
    /// A later launch handed its arguments over (`[app] single-instance`).
    SecondInstance(crate::instance::Forwarded),
    /// `check-on-start` found an update and `[updater] dialog` is on: ask.
    UpdatePrompt(Box<crate::updater::Update>),
    /// The new version reported healthy: this process ends.
    ExitForUpdate,
    /// `SIGTERM`, `SIGINT` or `SIGHUP`: the app ends as if its last window
    /// closed, so its children and sidecars end with it.
    Terminate,
    /// A request of `millennium dev` (never sent by the shipped host).
    Dev(DevEvent),
}

/// Where a command's result goes.
pub enum Reply {
    /// The promise `id` of the postMessage channel, settled with
    /// `evaluate_script` only while the window still shows a page of `caller`.
    Script {
        /// The promise.
        id: u64,
        /// Who asked.
        caller: Caller,
        /// The page that asked ([`page`]): a later page never gets the answer.
        page: u64,
    },
    /// The pending fetch of the protocol channel (app pages only).
    Http(RequestAsyncResponder),
}

impl Reply {
    /// Who asked.
    pub fn caller(&self) -> Caller {
        match self {
            Reply::Script { caller, .. } => *caller,
            Reply::Http(_) => Caller::App,
        }
    }

    /// The page that asked, when the reply goes back by script.
    pub fn page(&self) -> Option<u64> {
        match self {
            Reply::Script { page, .. } => Some(*page),
            Reply::Http(_) => None,
        }
    }
}

/// What a [`crate::dev::DevHandle`] asks of the event loop.
pub enum DevEvent {
    /// Reload the page of every window.
    Reload,
    /// Open the new context's windows, then close the old ones. If a new
    /// window cannot be opened, the old windows and context stay.
    Restart(Box<HostContext>),
}

/// Which document each window shows: a number that changes whenever the
/// window's main frame starts loading a new one (never for a same-document
/// change such as a `#hash`). Replies and a spawned child's output carry the
/// number of the page that asked, and are dropped once the window shows a
/// later page, so nothing of one page's calls reaches the next one.
pub mod page {
    use super::*;

    static NEXT: AtomicU64 = AtomicU64::new(1);
    static CURRENT: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

    /// Window `label` starts showing a new page; returns its number.
    pub fn started(label: &str) -> u64 {
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        current
            .get_or_insert_with(HashMap::new)
            .insert(label.to_owned(), number);
        number
    }

    /// The page window `label` shows now; 0 for a window not (yet) open.
    pub fn current(label: &str) -> u64 {
        let current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .and_then(|pages| pages.get(label).copied())
            .unwrap_or(0)
    }
}
