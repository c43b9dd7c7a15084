//! `Millennium.window`: `[[windows]]` and `new WebviewWindow()` to tao
//! windows with wry webviews (`windows.rs`, [`config`]), the operations on
//! them (`ops.rs`), and the window events pages hear.

pub mod config;
mod decode;
mod desktop;
mod ops;
pub mod state;
mod windows;

pub use windows::{Audience, HostError, Windows};

use millennium_config::model::{AllowlistKey, WindowAllowlist as W_};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, LoopCall, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::DecodeError;
use crate::ipc::{Admitted, Output};

/// `Millennium.window.*` on the window labelled `target` (the caller's when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCommand {
    /// Which window.
    pub target: Option<String>,
    /// What to do.
    pub op: WindowOp,
}

/// A size or position unit, as in Tauri's `LogicalSize` / `PhysicalSize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Unit {
    /// Logical (scale-independent) pixels.
    Logical,
    /// Physical pixels.
    Physical,
}

/// `{ type: "Logical", width, height }`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Size {
    /// Unit.
    #[serde(rename = "type")]
    pub unit: Unit,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// `{ type: "Logical", x, y }`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Unit.
    #[serde(rename = "type")]
    pub unit: Unit,
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

/// Options of `new WebviewWindow(label, options)`; the same fields as a
/// `[[windows]]` entry, in camelCase.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WindowOptions {
    pub url: Option<String>,
    pub title: Option<String>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub min_width: Option<f64>,
    pub min_height: Option<f64>,
    pub max_width: Option<f64>,
    pub max_height: Option<f64>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub center: Option<bool>,
    pub resizable: Option<bool>,
    pub maximized: Option<bool>,
    pub fullscreen: Option<bool>,
    pub decorations: Option<bool>,
    pub transparent: Option<bool>,
    pub always_on_top: Option<bool>,
    pub visible: Option<bool>,
    pub focus: Option<bool>,
    pub background_color: Option<String>,
    pub theme: Option<millennium_config::model::Theme>,
}

/// What to do to (or learn about) a window.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum WindowOp {
    Create {
        label: String,
        options: Box<WindowOptions>,
    },
    // Getters: no key needed, as in Tauri v1.
    Labels,
    Title,
    InnerSize,
    OuterSize,
    InnerPosition,
    OuterPosition,
    ScaleFactor,
    IsFullscreen,
    IsMaximized,
    IsMinimized,
    IsFocused,
    IsDecorated,
    IsResizable,
    IsVisible,
    Theme,
    // Setters.
    Center,
    RequestUserAttention,
    SetResizable(bool),
    SetTitle(String),
    Maximize,
    Unmaximize,
    ToggleMaximize,
    Minimize,
    Unminimize,
    Show,
    Hide,
    Close,
    SetDecorations(bool),
    SetAlwaysOnTop(bool),
    SetSize(Size),
    SetMinSize(Option<Size>),
    SetMaxSize(Option<Size>),
    SetPosition(Position),
    SetFullscreen(bool),
    SetFocus,
    SetSkipTaskbar(bool),
    SetCursorGrab(bool),
    SetCursorIcon(tao::window::CursorIcon),
    SetCursorVisible(bool),
    SetCursorPosition(Position),
    SetIgnoreCursorEvents(bool),
    StartDragging,
    Print,
    /// The page has a close-requested listener: the host waits for it.
    InterceptClose(bool),
    /// The page's close-requested listeners did not prevent the close.
    ConfirmClose,
}

impl Api for WindowCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["WebviewWindow", "LogicalSize", "PhysicalSize", "LogicalPosition", "PhysicalPosition",
        "appWindow", "getCurrent", "getAll", "getByLabel", "setTitle", "setSize", "setMinSize",
        "setMaxSize", "setPosition", "setFullscreen", "setFocus", "setResizable", "setDecorations",
        "setAlwaysOnTop", "setSkipTaskbar", "setCursorGrab", "setCursorIcon", "setCursorVisible",
        "setCursorPosition", "setIgnoreCursorEvents", "center", "requestUserAttention", "maximize",
        "unmaximize", "toggleMaximize", "minimize", "unminimize", "show", "hide", "close", "print",
        "startDragging", "innerSize", "outerSize", "innerPosition", "outerPosition", "scaleFactor",
        "isFullscreen", "isMaximized", "isMinimized", "isFocused", "isDecorated", "isResizable",
        "isVisible", "theme", "listen", "once", "emit", "onResized", "onMoved", "onFocusChanged",
        "onThemeChanged", "onCloseRequested"],
        samples: &[
            sample("window.create", r#"{"label":"sample"}"#, "Millennium.ipc.invoke('window.create', { label: 'sample' })"),
            sample("window.labels", "{}", "Millennium.window.getAll()"),
            sample("window.title", "{}", "Millennium.window.appWindow.title()"),
            // Another window than the caller's: `other-windows`, even for a getter.
            sample("window.title", r#"{"label":"elsewhere"}"#, "Millennium.window.WebviewWindow.getByLabel('elsewhere').title()"),
            sample("window.innerSize", "{}", "Millennium.window.appWindow.innerSize()"),
            sample("window.outerSize", "{}", "Millennium.window.appWindow.outerSize()"),
            sample("window.innerPosition", "{}", "Millennium.window.appWindow.innerPosition()"),
            sample("window.outerPosition", "{}", "Millennium.window.appWindow.outerPosition()"),
            sample("window.scaleFactor", "{}", "Millennium.window.appWindow.scaleFactor()"),
            sample("window.isFullscreen", "{}", "Millennium.window.appWindow.isFullscreen()"),
            sample("window.isMaximized", "{}", "Millennium.window.appWindow.isMaximized()"),
            sample("window.isMinimized", "{}", "Millennium.window.appWindow.isMinimized()"),
            sample("window.isFocused", "{}", "Millennium.window.appWindow.isFocused()"),
            sample("window.isDecorated", "{}", "Millennium.window.appWindow.isDecorated()"),
            sample("window.isResizable", "{}", "Millennium.window.appWindow.isResizable()"),
            sample("window.isVisible", "{}", "Millennium.window.appWindow.isVisible()"),
            sample("window.theme", "{}", "Millennium.window.appWindow.theme()"),
            sample("window.center", "{}", "Millennium.window.appWindow.center()"),
            sample("window.requestUserAttention", "{}", "Millennium.window.appWindow.requestUserAttention()"),
            sample("window.maximize", "{}", "Millennium.window.appWindow.maximize()"),
            sample("window.unmaximize", "{}", "Millennium.window.appWindow.unmaximize()"),
            sample("window.toggleMaximize", "{}", "Millennium.window.appWindow.toggleMaximize()"),
            sample("window.minimize", "{}", "Millennium.window.appWindow.minimize()"),
            sample("window.unminimize", "{}", "Millennium.window.appWindow.unminimize()"),
            sample("window.show", "{}", "Millennium.window.appWindow.show()"),
            sample("window.hide", "{}", "Millennium.window.appWindow.hide()"),
            sample("window.close", "{}", "Millennium.window.appWindow.close()"),
            sample("window.setFocus", "{}", "Millennium.window.appWindow.setFocus()"),
            sample("window.startDragging", "{}", "Millennium.window.appWindow.startDragging()"),
            sample("window.print", "{}", "Millennium.window.appWindow.print()"),
            sample("window.setResizable", r#"{"value":true}"#, "Millennium.window.appWindow.setResizable(true)"),
            sample("window.setDecorations", r#"{"value":true}"#, "Millennium.window.appWindow.setDecorations(true)"),
            sample("window.setAlwaysOnTop", r#"{"value":true}"#, "Millennium.window.appWindow.setAlwaysOnTop(true)"),
            sample("window.setFullscreen", r#"{"value":true}"#, "Millennium.window.appWindow.setFullscreen(true)"),
            sample("window.setSkipTaskbar", r#"{"value":true}"#, "Millennium.window.appWindow.setSkipTaskbar(true)"),
            sample("window.setCursorGrab", r#"{"value":true}"#, "Millennium.window.appWindow.setCursorGrab(true)"),
            sample("window.setCursorVisible", r#"{"value":true}"#, "Millennium.window.appWindow.setCursorVisible(true)"),
            sample("window.setIgnoreCursorEvents", r#"{"value":true}"#, "Millennium.window.appWindow.setIgnoreCursorEvents(true)"),
            sample("window.setTitle", r#"{"value":"t"}"#, "Millennium.window.appWindow.setTitle('t')"),
            sample("window.setCursorIcon", r#"{"value":"hand"}"#, "Millennium.window.appWindow.setCursorIcon('hand')"),
            sample("window.setSize", r#"{"value":{"type":"Logical","width":300,"height":200}}"#, "Millennium.window.appWindow.setSize(new Millennium.window.LogicalSize(300, 200))"),
            sample("window.setMinSize", r#"{"value":{"type":"Logical","width":300,"height":200}}"#, "Millennium.window.appWindow.setMinSize(new Millennium.window.LogicalSize(300, 200))"),
            sample("window.setMaxSize", r#"{"value":{"type":"Logical","width":300,"height":200}}"#, "Millennium.window.appWindow.setMaxSize(new Millennium.window.LogicalSize(300, 200))"),
            sample("window.setPosition", r#"{"value":{"type":"Logical","x":10,"y":10}}"#, "Millennium.window.appWindow.setPosition(new Millennium.window.LogicalPosition(10, 10))"),
            sample("window.setCursorPosition", r#"{"value":{"type":"Logical","x":10,"y":10}}"#, "Millennium.window.appWindow.setCursorPosition(new Millennium.window.LogicalPosition(10, 10))"),
            sample("window.interceptClose", r#"{"value":false}"#, "Millennium.ipc.invoke('window.interceptClose', { value: false })"),
            sample("window.confirmClose", "{}", "Millennium.ipc.invoke('window.confirmClose')"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<WindowCommand, DecodeError> {
        decode::decode_window(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        use WindowOp as W;
    match &self.op {
            W::Labels
            | W::Title
            | W::InnerSize
            | W::OuterSize
            | W::InnerPosition
            | W::OuterPosition
            | W::ScaleFactor
            | W::IsFullscreen
            | W::IsMaximized
            | W::IsMinimized
            | W::IsFocused
            | W::IsDecorated
            | W::IsResizable
            | W::IsVisible
            | W::Theme
            | W::ConfirmClose => &[],
            W::InterceptClose(_) => &[W_::intercept_close],
            W::Create { .. } => &[W_::create],
            W::Center => &[W_::center],
            W::RequestUserAttention => &[W_::request_user_attention],
            W::SetResizable(_) => &[W_::set_resizable],
            W::SetTitle(_) => &[W_::set_title],
            W::Maximize => &[W_::maximize],
            W::Unmaximize => &[W_::unmaximize],
            W::ToggleMaximize => &[W_::maximize, W_::unmaximize],
            W::Minimize => &[W_::minimize],
            W::Unminimize => &[W_::unminimize],
            W::Show => &[W_::show],
            W::Hide => &[W_::hide],
            W::Close => &[W_::close],
            W::SetDecorations(_) => &[W_::set_decorations],
            W::SetAlwaysOnTop(_) => &[W_::set_always_on_top],
            W::SetSize(_) => &[W_::set_size],
            W::SetMinSize(_) => &[W_::set_min_size],
            W::SetMaxSize(_) => &[W_::set_max_size],
            W::SetPosition(_) => &[W_::set_position],
            W::SetFullscreen(_) => &[W_::set_fullscreen],
            W::SetFocus => &[W_::set_focus],
            W::SetSkipTaskbar(_) => &[W_::set_skip_taskbar],
            W::SetCursorGrab(_) => &[W_::set_cursor_grab],
            W::SetCursorIcon(_) => &[W_::set_cursor_icon],
            W::SetCursorVisible(_) => &[W_::set_cursor_visible],
            W::SetCursorPosition(_) => &[W_::set_cursor_position],
            W::SetIgnoreCursorEvents(_) => &[W_::set_ignore_cursor_events],
            W::StartDragging => &[W_::start_dragging],
            W::Print => &[W_::print],
        }
    }

    fn sent_from(mut self, label: &str) -> WindowCommand {
        if self.target.as_deref() == Some(label) {
            self.target = None;
        }
        self
    }

    fn other_window(&self) -> Option<&str> {
        match self.op {
            // Listing labels and creating a window act on no existing one.
            WindowOp::Labels | WindowOp::Create { .. } => None,
            _ => self.target.as_deref(),
        }
    }

    fn extra_keys(&self) -> &'static [AllowlistKey] {
        if self.other_window().is_some() {
            &[W_::other_windows]
        } else {
            &[]
        }
    }

    fn route(&self) -> Route {
        Route::EventLoop
    }

    fn run_in_loop(
        admitted: Admitted<WindowCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let WindowCommand { target, op } = admitted.into_command();
        let label = target.unwrap_or_else(|| call.label.to_owned());
        Some(ops::apply(call, &label, op).map(Output::Json))
    }
}
