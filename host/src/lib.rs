//! The generic Millennium host: runs an app (a `millennium.toml` plus a web
//! frontend) in WebKitGTK windows, with its assets served from a custom
//! protocol, its CSP enforced, and its JS calls behind the allowlist.
//!
//! - [`api`]: one folder per JS namespace (`Millennium.fs`, `.window`, ...):
//!   its commands, their decoding, keys, route and handler, its state, and
//!   its parts of the bridge script and the TypeScript declarations.
//! - [`ipc`]: the invoke key, the allowlist gate, the registry (one line per
//!   API) and the router from the gate to the handlers.
//! - [`context`]: the shared, read-only state of a running app.
//! - [`runtime`]: the event loop; [`events`]: what it is sent.
//! - [`protocol`]: `millennium://localhost/`: assets and the IPC fetch channel.
//! - [`assets`]: request path to file, never outside the frontend root.
//! - [`csp`], [`inline_scripts`]: the Content-Security-Policy of HTML responses.
//! - [`bridge`]: the `window.Millennium` initialisation script.
//! - [`remote`]: which remote pages may use IPC, in which windows.
//! - [`payload`]: the packaged-app payload format, writer and reader;
//!   [`packaged`]: starting the app packed into this executable.
//! - [`updater`]: self-update of packaged apps.
//! - [`atomic_file`]: the one atomic file replacement of the workspace.
//! - [`beneath`]: opening a path without following any symlink in it.
//! - [`desktop`]: menu bars, context menus and the tray (muda, tray-icon).
//! - [`dev`]: what `millennium dev` adds (devtools, reload, restart); no
//!   switch of the `millennium-host` binary reaches it.
//!
//! Architecture invariant: every IPC command reaches a handler only through
//! [`context::HostContext::admit`] (invoke key, then [`ipc::AllowlistGate`]),
//! as an `Admitted<C>` that only the gate's module tree can make.

pub mod api;
pub mod assets;
pub mod atomic_file;
pub mod beneath;
pub mod bridge;
pub mod context;
pub mod csp;
pub mod desktop;
pub mod dev;
pub mod events;
#[cfg(feature = "generic")]
pub mod inline_scripts;
pub mod instance;
pub mod ipc;
pub mod launch;
pub mod packaged;
pub mod payload;
mod platform;
pub use platform::{sandbox_web_processes, web_sandbox_available};
pub mod protocol;
pub mod remote;
pub mod runtime;
pub mod updater;
pub use context::HostContext;
pub use runtime::{AUTOMATION_ENV, HostError, RunOptions, run};

/// The custom protocol scheme the app is served from.
pub const SCHEME: &str = "millennium";

/// The origin of the app's pages (as WebKitGTK reports it).
pub const APP_ORIGIN: &str = "millennium://localhost";
