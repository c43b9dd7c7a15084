//! `[updater]`: where updates come from and which keys may sign them.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Self-update settings. Update policy comes only from here; the webview can
/// at most trigger a check (see `allowlist.updater`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdaterConfig {
    /// Turn the updater on. When on, `endpoints` and `pubkeys` are required.
    #[serde(default)]
    pub active: bool,

    /// Manifest URLs tried in order until one answers. HTTPS only, except
    /// loopback addresses for testing. `{{target}}` (e.g. `linux`),
    /// `{{arch}}` (e.g. `x86_64`) and `{{current_version}}` are substituted.
    /// A `204 No Content` answer means "no update".
    #[serde(default)]
    pub endpoints: Vec<String>,

    /// Minisign public keys (the base64 line starting with `RW` printed by
    /// `millennium keygen`) trusted to sign releases. List several to rotate keys.
    #[serde(default)]
    pub pubkeys: Vec<String>,

    /// Check for an update when the app starts.
    #[serde(default = "default_true")]
    pub check_on_start: bool,

    /// Ask the user with a built-in dialog before installing an update found
    /// by `check-on-start`. When `false`, the app only emits update events.
    #[serde(default = "default_true")]
    pub dialog: bool,

    /// Seconds allowed to connect to an endpoint or download server.
    #[serde(default = "default_connect_timeout")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1, max = 300)))]
    pub connect_timeout_secs: u32,

    /// Seconds a download may go without receiving a byte before it is abandoned.
    #[serde(default = "default_stall_timeout")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1, max = 600)))]
    pub stall_timeout_secs: u32,

    /// Largest download accepted, in bytes, whatever the manifest declares.
    #[serde(default = "default_max_download_bytes")]
    #[cfg_attr(
        feature = "validate",
        schemars(range(min = 1024, max = 4_294_967_296u64))
    )]
    pub max_download_bytes: u64,

    /// Accept prerelease versions (`2.0.0-beta.1`) as updates.
    #[serde(default)]
    pub allow_prerelease: bool,
}

impl Default for UpdaterConfig {
    fn default() -> Self {
        Self {
            active: false,
            endpoints: Vec::new(),
            pubkeys: Vec::new(),
            check_on_start: true,
            dialog: true,
            connect_timeout_secs: default_connect_timeout(),
            stall_timeout_secs: default_stall_timeout(),
            max_download_bytes: default_max_download_bytes(),
            allow_prerelease: false,
        }
    }
}

/// Placeholders an endpoint may contain.
pub const ENDPOINT_VARIABLES: &[&str] = &["target", "arch", "current_version"];

fn default_true() -> bool {
    true
}

fn default_connect_timeout() -> u32 {
    10
}

fn default_stall_timeout() -> u32 {
    30
}

fn default_max_download_bytes() -> u64 {
    512 * 1024 * 1024
}
