//! `[[windows]]`: the windows the app opens at start.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One window opened when the app starts. Every field but `label` has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WindowConfig {
    /// Unique name of the window, used by the JS API
    /// (`Millennium.window.WebviewWindow.getByLabel("main")`) and by event targets.
    #[serde(default = "default_label")]
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 64),
        regex(pattern = r"^[A-Za-z0-9_:/-]+$"),
        extend("patternErrorMessage" = "a window label may contain only letters, digits, `-`, `/`, `:` and `_`")
    ))]
    pub label: String,

    /// Page to load: a path inside the frontend directory (`"index.html"`,
    /// `"settings/index.html"`) or an `https://` URL. Remote pages get no
    /// `Millennium` API unless `[security] dangerous-remote-domain-ipc-access` grants it.
    #[serde(default = "default_url")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub url: String,

    /// Window title. Defaults to `[app] name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,

    /// Initial inner width in logical pixels.
    #[serde(default = "default_width")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub width: f64,

    /// Initial inner height in logical pixels.
    #[serde(default = "default_height")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub height: f64,

    /// Smallest inner width the user can resize to, in logical pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub min_width: Option<f64>,

    /// Smallest inner height the user can resize to, in logical pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub min_height: Option<f64>,

    /// Largest inner width the user can resize to, in logical pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub max_width: Option<f64>,

    /// Largest inner height the user can resize to, in logical pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = 1.0, max = 16384.0)))]
    pub max_height: Option<f64>,

    /// Horizontal position of the window's top-left corner on the desktop, in
    /// logical pixels. Give both `x` and `y`, or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = -65536.0, max = 65536.0)))]
    pub x: Option<f64>,

    /// Vertical position of the window's top-left corner on the desktop, in
    /// logical pixels. Give both `x` and `y`, or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(range(min = -65536.0, max = 65536.0)))]
    pub y: Option<f64>,

    /// Open the window centred on the current monitor. Cannot be combined with `x`/`y`.
    #[serde(default)]
    pub center: bool,

    /// Whether the user can resize the window.
    #[serde(default = "default_true")]
    pub resizable: bool,

    /// Open maximized.
    #[serde(default)]
    pub maximized: bool,

    /// Open in borderless fullscreen on the current monitor.
    #[serde(default)]
    pub fullscreen: bool,

    /// Draw the system title bar and borders. `false` gives a frameless window.
    #[serde(default = "default_true")]
    pub decorations: bool,

    /// Make the window background transparent, so a page with a transparent
    /// `body` shows the desktop through. Needs a compositing window manager.
    #[serde(default)]
    pub transparent: bool,

    /// Keep the window above all others.
    #[serde(default)]
    pub always_on_top: bool,

    /// Show the window at start. A hidden window can be shown later from JS
    /// (`Millennium.window.getCurrent().show()`).
    #[serde(default = "default_true")]
    pub visible: bool,

    /// Give the window keyboard focus when it opens.
    #[serde(default = "default_true")]
    pub focus: bool,

    /// Colour painted before the page loads, as `#rrggbb` or `#rrggbbaa`.
    /// Set it to your page's background to avoid a white flash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(
        regex(pattern = r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$"),
        extend("patternErrorMessage" = "a colour is `#rrggbb` or `#rrggbbaa` in hexadecimal, e.g. `#1e1e2e`")
    ))]
    pub background_color: Option<String>,

    /// Allow the web inspector (right click, "Inspect Element"). Defaults to
    /// on under `millennium dev` and off in packaged apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devtools: Option<bool>,

    /// Force a light or dark theme for the window decorations and
    /// `prefers-color-scheme`. Defaults to the desktop's theme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,

    /// Remember the window's size, position, maximized and fullscreen
    /// state when it closes (in `$APPCONFIG/window-state.json`) and open it
    /// so next time, on a monitor that is there then. Replaces `width`,
    /// `height`, `x`, `y`, `center`, `maximized` and `fullscreen` once the
    /// window has been closed once.
    #[serde(default)]
    pub remember_state: bool,

    /// The window's menu bar: a `[menus.<id>]`. Its accelerators work while
    /// the window has the focus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<String>,

    /// What closing the window does: `close` it (the app ends with its last
    /// window) or `hide` it, so a tray app keeps running without a window.
    #[serde(default)]
    pub close_behavior: super::CloseBehavior,
}

/// A window theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    /// Light decorations, `prefers-color-scheme: light`.
    Light,
    /// Dark decorations, `prefers-color-scheme: dark`.
    Dark,
}

impl Default for WindowConfig {
    fn default() -> Self {
        Self {
            label: default_label(),
            url: default_url(),
            title: None,
            width: default_width(),
            height: default_height(),
            min_width: None,
            min_height: None,
            max_width: None,
            max_height: None,
            x: None,
            y: None,
            center: false,
            resizable: true,
            maximized: false,
            fullscreen: false,
            decorations: true,
            transparent: false,
            always_on_top: false,
            visible: true,
            focus: true,
            background_color: None,
            devtools: None,
            theme: None,
            remember_state: false,
            menu: None,
            close_behavior: super::CloseBehavior::Close,
        }
    }
}

/// The window list used when a toml declares no `[[windows]]`.
pub(crate) fn default_windows() -> Vec<WindowConfig> {
    vec![WindowConfig::default()]
}

fn default_label() -> String {
    "main".to_owned()
}

fn default_url() -> String {
    "index.html".to_owned()
}

fn default_width() -> f64 {
    800.0
}

fn default_height() -> f64 {
    600.0
}

fn default_true() -> bool {
    true
}
