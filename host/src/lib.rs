//! The generic Millennium host: runs an app (a `millennium.toml` plus a web
//! frontend) in WebKitGTK windows, with its assets served from a custom
//! protocol, its CSP enforced, and its JS calls behind the allowlist.
//!
//! - [`context`]: the shared, read-only state of a running app, and the gate.
//! - [`dev`]: what `millennium dev` adds (devtools, reload, restart); no
//!   switch of the `millennium-host` binary reaches it.
//! - [`assets`]: request path to file, never outside the frontend root.
//! - [`csp`]: the Content-Security-Policy header of HTML responses.
//! - [`inline_scripts`]: hashes of inline `<script>`s for that header.
//! - [`protocol`]: `millennium://localhost/`: assets and the IPC fetch channel.
//! - [`ipc`]: message decoding, the invoke key, the allowlist gate.
//! - [`payload`]: the packaged-app payload format, writer and reader.
//! - [`remote`]: which remote pages may use IPC, in which windows.
//! - [`bridge`]: the `window.Millennium` initialisation script.
//! - [`api`]: command handlers that need no window (`os`, `path`, `fs`,
//!   `clipboard`, `notification`).
//! - [`window`]: `[[windows]]` entries to tao windows.
//! - [`runtime`]: the event loop, windows, events, window commands.
//!
//! Architecture invariant: every IPC command reaches a handler only through
//! [`context::HostContext::admit`] (invoke key, then [`ipc::AllowlistGate`]).

pub mod api;
pub mod assets;
pub mod bridge;
pub mod context;
pub mod csp;
pub mod dev;
pub mod dialog;
pub mod inline_scripts;
pub mod ipc;
pub mod payload;
mod platform;
pub mod protocol;
pub mod remote;
pub mod runtime;
pub mod updater;
pub mod window;

pub use context::HostContext;
pub use runtime::{AUTOMATION_ENV, HostError, RunOptions, run};

/// The custom protocol scheme the app is served from.
pub const SCHEME: &str = "millennium";

/// The origin of the app's pages (as WebKitGTK reports it).
pub const APP_ORIGIN: &str = "millennium://localhost";
