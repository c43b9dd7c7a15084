//! `[menus.<id>]`, `[tray]` and `[[shortcuts]]`: how the app is present on
//! the desktop besides its windows. Menus are declared once and used as a
//! window's menu bar (`[[windows]] menu`) or as the tray's menu.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Menus deeper than this are refused (in the toml and from pages).
pub const MAX_MENU_DEPTH: usize = 8;

/// A menu: its items, in order. As a menu bar, each top-level item is
/// usually a submenu (File, Edit, View).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MenuConfig {
    /// The items, written `[[menus.<id>.items]]`; a submenu's own items are
    /// `[[menus.<id>.items.items]]`.
    #[serde(default)]
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 1000)))]
    pub items: Vec<MenuItemConfig>,
}

/// One menu item: a command (`id`), a check box, a separator, a submenu
/// (`items`) or a standard `role`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MenuItemConfig {
    /// What a click reports to the page (`Millennium.menu.onClick`) and what
    /// `Millennium.menu.setItem` names. Unique within its menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 64),
        regex(pattern = r"^[A-Za-z0-9_.:-]+$"),
        extend("patternErrorMessage" = "a menu item id may contain only letters, digits, `-`, `_`, `.` and `:`")
    ))]
    pub id: Option<String>,

    /// The text shown. `&` marks the next letter as the mnemonic
    /// (`"&File"` opens with Alt+F); `&&` is a literal `&`. Roles have a
    /// default label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 200)))]
    pub label: Option<String>,

    /// What kind of item it is. Defaults to `submenu` when `items` is
    /// given, otherwise `normal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MenuItemKind>,

    /// A key combination that activates the item while the window has the
    /// focus, e.g. `"CmdOrCtrl+S"` (`CmdOrCtrl` is Ctrl on Linux). The page
    /// does not see that key press.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 64)))]
    pub accelerator: Option<String>,

    /// Whether the item can be clicked (`Millennium.menu.setItem` changes it).
    #[serde(default = "default_true")]
    pub enabled: bool,

    /// For `kind = "check"`: whether it starts checked.
    #[serde(default)]
    pub checked: bool,

    /// A standard item the host carries out itself: the edit commands on the
    /// focused page (`copy`, `cut`, `paste`, `select-all`, `undo`, `redo`),
    /// `about` (a box with the app's name, version and description),
    /// `quit` (closes every window, letting pages that listen for close
    /// requests save first, and so ends the app),
    /// `close-window`, `minimize` and `fullscreen` (toggles). A role item
    /// needs no `id` and reports no click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MenuRole>,

    /// A submenu's items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "validate", schemars(length(max = 1000)))]
    pub items: Vec<MenuItemConfig>,
}

impl MenuItemConfig {
    /// The kind, with its default: `submenu` for an item with `items`.
    pub fn kind(&self) -> MenuItemKind {
        self.kind.unwrap_or(if self.items.is_empty() {
            MenuItemKind::Normal
        } else {
            MenuItemKind::Submenu
        })
    }
}

/// A menu item's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MenuItemKind {
    /// A command.
    Normal,
    /// A check box: each click flips `checked`.
    Check,
    /// A line between groups of items.
    Separator,
    /// A submenu holding `items`.
    Submenu,
}

/// A standard menu item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MenuRole {
    /// Copy the page's selection (Ctrl+C).
    Copy,
    /// Cut the page's selection (Ctrl+X).
    Cut,
    /// Paste into the page (Ctrl+V).
    Paste,
    /// Select all of the focused field or page (Ctrl+A).
    SelectAll,
    /// Undo in the focused field (Ctrl+Z).
    Undo,
    /// Redo in the focused field (Ctrl+Shift+Z).
    Redo,
    /// A box with the app's name, version and description.
    About,
    /// End the app (Ctrl+Q): every window closes, those whose page listens
    /// for close requests (`onCloseRequested`) once the page agrees.
    Quit,
    /// Close the window the menu belongs to (Ctrl+W); for a tray menu, the
    /// main window.
    CloseWindow,
    /// Minimize the window.
    Minimize,
    /// Toggle fullscreen (F11).
    Fullscreen,
}

impl MenuRole {
    /// The roles a page may put in a context menu: they act only on the
    /// page's own selection.
    pub fn is_edit(self) -> bool {
        matches!(
            self,
            MenuRole::Copy
                | MenuRole::Cut
                | MenuRole::Paste
                | MenuRole::SelectAll
                | MenuRole::Undo
                | MenuRole::Redo
        )
    }

    /// Its name in the toml.
    pub fn name(self) -> &'static str {
        match self {
            MenuRole::Copy => "copy",
            MenuRole::Cut => "cut",
            MenuRole::Paste => "paste",
            MenuRole::SelectAll => "select-all",
            MenuRole::Undo => "undo",
            MenuRole::Redo => "redo",
            MenuRole::About => "about",
            MenuRole::Quit => "quit",
            MenuRole::CloseWindow => "close-window",
            MenuRole::Minimize => "minimize",
            MenuRole::Fullscreen => "fullscreen",
        }
    }

    /// The label shown when the item gives none.
    pub fn default_label(self) -> &'static str {
        match self {
            MenuRole::Copy => "&Copy",
            MenuRole::Cut => "Cu&t",
            MenuRole::Paste => "&Paste",
            MenuRole::SelectAll => "Select &All",
            MenuRole::Undo => "&Undo",
            MenuRole::Redo => "&Redo",
            MenuRole::About => "&About",
            MenuRole::Quit => "&Quit",
            MenuRole::CloseWindow => "&Close Window",
            MenuRole::Minimize => "Mi&nimize",
            MenuRole::Fullscreen => "&Full Screen",
        }
    }

    /// The accelerator it has when the item gives none.
    pub fn default_accelerator(self) -> Option<&'static str> {
        Some(match self {
            MenuRole::Copy => "Ctrl+C",
            MenuRole::Cut => "Ctrl+X",
            MenuRole::Paste => "Ctrl+V",
            MenuRole::SelectAll => "Ctrl+A",
            MenuRole::Undo => "Ctrl+Z",
            MenuRole::Redo => "Ctrl+Shift+Z",
            MenuRole::Quit => "Ctrl+Q",
            MenuRole::CloseWindow => "Ctrl+W",
            MenuRole::Fullscreen => "F11",
            MenuRole::About | MenuRole::Minimize => return None,
        })
    }
}

/// What a tray click or a declared shortcut does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DesktopAction {
    /// Show, restore and focus the main window (the first `[[windows]]`).
    #[default]
    ShowMainWindow,
    /// Hide the main window when it is shown, show it otherwise.
    ToggleMainWindow,
    /// Emit the app event named by `event` to every window's page
    /// (`Millennium.event.listen`).
    Event,
    /// Nothing (a tray that only has its menu).
    None,
}

/// `[tray]`: an icon in the desktop's status area (a status-notifier item
/// on Linux), with a menu. The app keeps running while its windows are
/// hidden (`[[windows]] close-behavior = "hide"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TrayConfig {
    /// A PNG inside the frontend directory (packed into the app), e.g.
    /// `"icons/tray.png"`: at most 1 MiB and 1024x1024 pixels; 32 to 64
    /// pixels square looks best.
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub icon: String,

    /// Text shown when the pointer rests on the icon (the item's title).
    /// Defaults to `[app] name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 200)))]
    pub tooltip: Option<String>,

    /// Text shown beside the icon, by the panels that show one (a timer's
    /// remaining time, a count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 64)))]
    pub title: Option<String>,

    /// The tray's menu: a `[menus.<id>]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<String>,

    /// What clicking the icon does. Linux status areas open the menu on
    /// every click, so there the action is the menu's first item, labelled
    /// `click-label`.
    #[serde(default)]
    pub click: DesktopAction,

    /// The label of the menu item that carries out `click`. Defaults to
    /// "Show <name>" (`show-main-window`), "Show or Hide <name>"
    /// (`toggle-main-window`) or "Open <name>" (`event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 200)))]
    pub click_label: Option<String>,

    /// With `click = "event"`: the app event emitted (`{ source: "tray" }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<super::EventName>,
}

/// One global shortcut: a key combination that works whichever program
/// has the focus (X11 only: Wayland lets no program take keys for itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ShortcutConfig {
    /// The key combination, e.g. `"CmdOrCtrl+Alt+P"`. It needs a modifier
    /// other than Shift (or a function or media key): a plain key would be
    /// taken from every program.
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 64)))]
    pub accelerator: String,

    /// What pressing it does; `event` when `event` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<DesktopAction>,

    /// The app event emitted (`{ source: "shortcut", accelerator }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<super::EventName>,
}

impl ShortcutConfig {
    /// The action, with its default.
    pub fn action(&self) -> DesktopAction {
        self.action.unwrap_or(if self.event.is_some() {
            DesktopAction::Event
        } else {
            DesktopAction::ShowMainWindow
        })
    }
}

/// What closing a window (its close button, `close()`) does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CloseBehavior {
    /// The window closes; the app ends with its last window.
    #[default]
    Close,
    /// The window hides and the app keeps running (for a tray app); show it
    /// again from the tray, a shortcut or a later launch. A `quit` menu
    /// item or `Millennium.process.exit` ends the app.
    Hide,
}

fn default_true() -> bool {
    true
}
