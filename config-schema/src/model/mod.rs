//! The typed `millennium.toml`. These types are the schema's source: every doc
//! comment becomes an editor tooltip, every `#[serde(default)]` a documented default.

mod allowlist;
mod app;
mod bundle;
mod cli;
mod desktop;
mod security;
mod sidecar;
mod updater;
mod window;

pub use allowlist::*;
pub use app::{AppConfig, HookCommand};
pub use bundle::{
    BundleConfig, DebConfig, DebPriority, DesktopCategory, FileAssociation, FileExtension,
    FileRole, RpmConfig, RpmDependency, UrlScheme,
};
pub use cli::{CliArg, CliConfig};
pub use desktop::{
    CloseBehavior, DesktopAction, MAX_MENU_DEPTH, MenuConfig, MenuItemConfig, MenuItemKind,
    MenuRole, ShortcutConfig, TrayConfig,
};
pub use security::{Csp, CspSources, DEFAULT_CSP, EventName, RemoteDomainAccess, SecurityConfig};
pub use sidecar::{SidecarArg, SidecarConfig, SidecarFile, SidecarStart};
pub use updater::{ENDPOINT_VARIABLES, UpdaterConfig};
pub use window::{Theme, WindowConfig};

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Millennium app: `millennium.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(feature = "validate", schemars(title = "millennium.toml"))]
pub struct Config {
    /// The JSON schema this file follows; editors may use it. Ignored by Millennium.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,

    /// The app's identity and where its frontend lives.
    pub app: AppConfig,

    /// The windows opened at start. Without any `[[windows]]`, one window
    /// labelled `main` shows `index.html`.
    #[serde(default = "window::default_windows")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub windows: Vec<WindowConfig>,

    /// Which JS APIs the frontend may call. Everything is off by default.
    #[serde(default)]
    pub allowlist: Allowlist,

    /// Content security policy, navigation and remote access rules.
    #[serde(default)]
    pub security: SecurityConfig,

    /// Self-update from signed releases.
    #[serde(default)]
    pub updater: UpdaterConfig,

    /// Desktop entry and package metadata.
    #[serde(default)]
    pub bundle: BundleConfig,

    /// Programs the app ships or names (a database, a parser, a model in
    /// Python, Node or Go), started and supervised by the host and spoken
    /// to with JSON-RPC 2.0 over their standard input and output. Pages
    /// reach them through `[allowlist.sidecar]` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<SidecarConfig>,

    /// The arguments, flags and subcommands the app accepts, parsed at
    /// start; pages read them with `Millennium.cli.getMatches()`. Without
    /// `[cli]` the app takes no arguments of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cli: Option<CliConfig>,

    /// Menus by id: a window's menu bar (`[[windows]] menu = "<id>"`) or
    /// the tray's menu (`[tray] menu`). A click reaches the page as
    /// `Millennium.menu.onClick`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub menus: std::collections::BTreeMap<String, MenuConfig>,

    /// An icon in the desktop's status area, with a menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tray: Option<TrayConfig>,

    /// Global shortcuts: key combinations that reach the app whichever
    /// program has the focus (X11 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "validate", schemars(length(max = 100)))]
    pub shortcuts: Vec<ShortcutConfig>,
}
