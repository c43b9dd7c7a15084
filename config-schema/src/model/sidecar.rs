//! `[[sidecars]]`: programs the app ships or names, started and supervised
//! by the host and spoken to with JSON-RPC 2.0, one object per line on
//! their standard input and output. Pages reach them only through
//! `[allowlist.sidecar]`.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::EnvName;

/// One sidecar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SidecarConfig {
    /// The name pages use: `Millennium.sidecar("search")`, and that
    /// `[allowlist.sidecar] scope` grants.
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 64),
        regex(pattern = r"^[A-Za-z0-9_.-]+$"),
        extend("patternErrorMessage" = "a sidecar name may contain only letters, digits, `-`, `_` and `.`")
    ))]
    pub name: String,
    /// The program: a path relative to `millennium.toml` with a `/` in it
    /// (`"./bin/search"`), of a file in the app's directory (an executable
    /// or a `#!` script, packed into the app); or the name of a program
    /// looked up in `PATH` when the sidecar starts (`"python3"`, `"node"`),
    /// or an absolute path, which the user's system must have.
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 4096)))]
    pub command: String,
    /// Its arguments, in order: a string is passed as it is;
    /// `{ file = "sidecar/search.py" }` names a file of the app's directory,
    /// packed into the app and passed as a path the program can open.
    #[serde(default)]
    pub args: Vec<SidecarArg>,
    /// The environment variables the sidecar gets from the app's
    /// environment, by name (`["HOME", "LANG"]`). It gets no others; the
    /// dynamic loader's `LD_*` are refused.
    #[serde(default)]
    pub env: Vec<EnvName>,
    /// `"on-demand"` (the default): started by the first call or
    /// notification; `"at-start"`: started with the app, so it can send
    /// events before any page asks.
    #[serde(default)]
    pub start: SidecarStart,
    /// How many times the host starts the sidecar again after it exits or
    /// crashes (each restart waits `restart-backoff-ms`, doubled each time,
    /// at most 30 s). After that, calls fail until the app restarts.
    #[serde(default = "default_max_restarts")]
    #[cfg_attr(feature = "validate", schemars(range(max = 100)))]
    pub max_restarts: u32,
    /// Milliseconds before the first restart.
    #[serde(default = "default_backoff_ms")]
    #[cfg_attr(feature = "validate", schemars(range(min = 10, max = 60000)))]
    pub restart_backoff_ms: u64,
    /// Seconds a call waits for its answer; then it rejects, and the
    /// sidecar is told (`$/cancelRequest`). `0` waits for as long as the
    /// page does.
    #[serde(default = "default_call_timeout_secs")]
    #[cfg_attr(feature = "validate", schemars(range(max = 86400)))]
    pub call_timeout_secs: u64,
    /// Seconds the sidecar has to exit after its input closes and it gets
    /// `SIGTERM` when the app exits; then it and everything it started are
    /// killed.
    #[serde(default = "default_shutdown_secs")]
    #[cfg_attr(feature = "validate", schemars(range(max = 60)))]
    pub shutdown_timeout_secs: u64,
}

/// One argument of a sidecar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum SidecarArg {
    /// Passed as it is.
    Text(String),
    /// A file of the app's directory.
    File(SidecarFile),
}

/// `{ file = "sidecar/search.py" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SidecarFile {
    /// Path relative to `millennium.toml`, inside the app's directory.
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 4096)))]
    pub file: String,
}

/// When a sidecar starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SidecarStart {
    /// At the first call or notification.
    #[default]
    OnDemand,
    /// With the app.
    AtStart,
}

impl SidecarConfig {
    /// Whether `command` names a file of the app's directory (a relative
    /// path with a `/`) rather than a program to find in `PATH` or an
    /// absolute path on the user's system.
    pub fn command_is_file(&self) -> bool {
        self.command.contains('/') && !self.command.starts_with('/')
    }
}

fn default_max_restarts() -> u32 {
    3
}

fn default_backoff_ms() -> u64 {
    500
}

fn default_call_timeout_secs() -> u64 {
    30
}

fn default_shutdown_secs() -> u64 {
    5
}
