//! The commands the bridge can send, fully typed, and the allowlist key each
//! one needs. Adding a command means adding a variant here; the compiler then
//! forces a key decision in [`Command::required_keys`].

use serde::Deserialize;
use serde_json::Value;

/// A decoded IPC command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `Millennium.app.*`.
    App(AppCommand),
    /// `Millennium.process.*`.
    Process(ProcessCommand),
    /// `Millennium.event.emit` and `WebviewWindow.emit`.
    Emit(Emit),
    /// `Millennium.os.*`.
    Os(OsCommand),
    /// `Millennium.path.*`.
    Path(PathCommand),
    /// `Millennium.fs.*`: file I/O, always run off the UI thread.
    Fs(FsCommand),
    /// `Millennium.clipboard.*`: X11 round trips, run off the UI thread.
    Clipboard(ClipboardCommand),
    /// `Millennium.notification.*`: D-Bus calls, run off the UI thread.
    Notification(NotificationCommand),
    /// `Millennium.dialog.*`: native dialogs, modal to the calling window;
    /// answered when the user closes them, without blocking the event loop.
    Dialog(DialogCommand),
    /// `Millennium.shell.*`: opener and scoped commands, run off the UI thread.
    Shell(ShellCommand),
    /// `Millennium.http.*`: requests inside the URL scope, run off the UI thread.
    Http(HttpCommand),
    /// `Millennium.updater.*`: policy comes from `[updater]` only.
    Updater(UpdaterCommand),
    /// `Millennium.window.*` on the window labelled `target` (the caller's when `None`).
    Window {
        /// Which window.
        target: Option<String>,
        /// What to do.
        op: WindowOp,
    },
    /// A no-op round trip; the fetch channel echoes the body back. For benchmarks.
    Ping,
}

/// `Millennium.app`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppCommand {
    /// `getName()`.
    GetName,
    /// `getVersion()`.
    GetVersion,
    /// `getMillenniumVersion()`: the host's version.
    GetMillenniumVersion,
    /// `show()`.
    Show,
    /// `hide()`.
    Hide,
}

/// `Millennium.process`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessCommand {
    /// `exit(code)`.
    Exit(i32),
    /// `relaunch()`.
    Relaunch,
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
}

/// `Millennium.os`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsCommand {
    /// `platform()`: `linux`, `darwin`, `win32`.
    Platform,
    /// `version()`: the kernel release.
    Version,
    /// `type()`: `Linux`, `Darwin`, `Windows_NT`.
    Type,
    /// `arch()`: `x86_64`, `aarch64`, ...
    Arch,
    /// `tempdir()`.
    Tempdir,
    /// `locale()`: BCP-47 tag or `null`.
    Locale,
    /// `eol()`.
    Eol,
}

/// `Millennium.path`.
#[derive(Debug, Clone, PartialEq)]
pub enum PathCommand {
    /// `appDataDir()`, `homeDir()`, ...: one base directory.
    BaseDir(millennium_config::BaseDirectory),
    /// `resolve(...paths)`: absolute, normalised.
    Resolve(Vec<String>),
    /// `normalize(path)`.
    Normalize(String),
    /// `join(...paths)`.
    Join(Vec<String>),
    /// `dirname(path)`.
    Dirname(String),
    /// `extname(path)`.
    Extname(String),
    /// `basename(path, ext?)`.
    Basename(String, Option<String>),
    /// `isAbsolute(path)`.
    IsAbsolute(String),
}

/// A path from the page and the base directory it is relative to (the
/// `dir` option); checked against the fs scope only when the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsPath {
    /// As the page wrote it.
    pub path: String,
    /// `{ dir: BaseDirectory.AppData }`; `None` for an absolute path.
    pub dir: Option<millennium_config::BaseDirectory>,
}

/// `Millennium.fs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsCommand {
    /// `readTextFile` (`binary: false`, UTF-8 checked) or `readBinaryFile`.
    ReadFile {
        /// The file.
        path: FsPath,
        /// Raw bytes back through the fetch channel.
        binary: bool,
    },
    /// `writeTextFile` and `writeBinaryFile` (atomic).
    WriteFile {
        /// The file.
        path: FsPath,
        /// The new contents.
        contents: Vec<u8>,
    },
    /// `readDir`.
    ReadDir {
        /// The directory.
        path: FsPath,
        /// Descend into subdirectories (that are in the scope).
        recursive: bool,
    },
    /// `createDir`.
    CreateDir {
        /// The directory.
        path: FsPath,
        /// Create missing parents too.
        recursive: bool,
    },
    /// `removeDir`.
    RemoveDir {
        /// The directory.
        path: FsPath,
        /// Remove its contents too.
        recursive: bool,
    },
    /// `removeFile`.
    RemoveFile(FsPath),
    /// `renameFile(old, new)`.
    RenameFile {
        /// Old path.
        from: FsPath,
        /// New path.
        to: FsPath,
    },
    /// `copyFile(source, destination)` (atomic on the destination).
    CopyFile {
        /// Source.
        from: FsPath,
        /// Destination.
        to: FsPath,
    },
    /// `exists`.
    Exists(FsPath),
}

/// `Millennium.clipboard`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipboardCommand {
    /// `readText()`: the clipboard's text, or `null` when it holds none.
    ReadText,
    /// `writeText(text)`.
    WriteText(String),
}

/// `Millennium.notification`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationCommand {
    /// `sendNotification(options | title)`.
    Send(NotificationOptions),
    /// `isPermissionGranted()`: whether a notification service answers.
    IsPermissionGranted,
    /// `requestPermission()`: `"granted"` when a notification service
    /// answers, `"denied"` otherwise (nothing to ask on Linux).
    RequestPermission,
}

/// Tauri v1's notification `Options`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationOptions {
    /// The summary line.
    pub title: String,
    /// The text under it.
    #[serde(default)]
    pub body: Option<String>,
    /// An icon name of the theme or a file path.
    #[serde(default)]
    pub icon: Option<String>,
}

/// `Millennium.dialog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogCommand {
    /// `open(options)`: pick files or directories.
    Open(OpenDialog),
    /// `save(options)`: pick a path to save to.
    Save(SaveDialog),
    /// `message`, `ask` and `confirm`.
    Message(MessageDialog),
}

/// `Millennium.updater`: the page may ask, never choose where from or what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdaterCommand {
    /// `checkUpdate()`.
    Check,
    /// `installUpdate()`: check, download, verify, install, relaunch.
    Install,
}

/// `Millennium.shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellCommand {
    /// `open(path, openWith?)`.
    Open {
        /// URL or path; must match `[allowlist.shell] open` in full.
        path: String,
        /// A known opener program instead of the desktop's default.
        with: Option<String>,
    },
    /// `new Command(name, args).execute()`: run to completion.
    Execute(ShellRun),
    /// `new Command(name, args).spawn()`: output streams as events on
    /// `millennium://shell/<channel>` to the calling window.
    Spawn {
        /// What to run.
        run: ShellRun,
        /// Chosen by the page before the call so no event is missed.
        channel: u64,
    },
    /// `child.write(data)`.
    Write {
        /// A child this app spawned.
        pid: u32,
        /// Bytes for its stdin.
        data: Vec<u8>,
    },
    /// `child.kill()`.
    Kill {
        /// A child this app spawned.
        pid: u32,
    },
}

/// A scoped command and the arguments the page passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRun {
    /// `name` of an entry of `[allowlist.shell] scope`.
    pub name: String,
    /// Checked against that entry's `args`.
    pub args: Vec<String>,
    /// Working directory (absolute, existing).
    pub cwd: Option<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// `Millennium.http`.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpCommand {
    /// `fetch(url, options)` and `Client.request(options)`.
    Request(HttpRequestArgs),
}

/// The body of a request, as the page built it (`Body.json(..)`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum HttpBodyArg {
    /// `Body.text(string)`.
    Text(String),
    /// `Body.json(value)`.
    Json(Value),
    /// `Body.form(record)`.
    Form(Vec<(String, String)>),
    /// `Body.bytes(Uint8Array)`, carried raw by the fetch channel.
    Bytes(Vec<u8>),
}

/// What the page wants back (Tauri v1's `ResponseType`); the bridge decodes
/// the bytes, the host only carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpResponseType {
    /// `ResponseType.JSON` (1), the default.
    Json,
    /// `ResponseType.Text` (2).
    Text,
    /// `ResponseType.Binary` (3).
    Binary,
}

/// One HTTP request from the page.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequestArgs {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Absolute http(s) URL.
    pub url: String,
    /// Added to the URL's query.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Option<HttpBodyArg>,
    /// Whole-request timeout.
    pub timeout: Option<std::time::Duration>,
    /// How the bridge should read the response.
    pub response_type: HttpResponseType,
}

/// A file-type filter of a file dialog: `{ name: "Markdown", extensions: ["md"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogFilter {
    /// Shown in the filter menu.
    pub name: String,
    /// Extensions without the dot; `*` for any file.
    pub extensions: Vec<String>,
}

/// Tauri v1's `OpenDialogOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenDialog {
    /// Window title.
    #[serde(default)]
    pub title: Option<String>,
    /// File-type filters.
    #[serde(default)]
    pub filters: Vec<DialogFilter>,
    /// Where the dialog starts: a directory, or a file to preselect.
    #[serde(default)]
    pub default_path: Option<String>,
    /// Several paths may be picked; the promise resolves with an array.
    #[serde(default)]
    pub multiple: bool,
    /// Pick directories instead of files.
    #[serde(default)]
    pub directory: bool,
    /// A picked directory joins the fs scope with everything inside it
    /// (otherwise with its direct children only).
    #[serde(default)]
    pub recursive: bool,
}

/// Tauri v1's `SaveDialogOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveDialog {
    /// Window title.
    #[serde(default)]
    pub title: Option<String>,
    /// File-type filters.
    #[serde(default)]
    pub filters: Vec<DialogFilter>,
    /// A directory to start in, a file name to suggest, or both as a path.
    #[serde(default)]
    pub default_path: Option<String>,
}

/// The icon of a message box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Information (the default).
    #[default]
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
}

/// Which buttons a message box has, and so what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageButtons {
    /// `message()`: one OK button; resolves with nothing.
    Ok,
    /// `ask()`: Yes and No; resolves `true` for Yes.
    YesNo,
    /// `confirm()`: OK and Cancel; resolves `true` for OK.
    OkCancel,
}

/// `message`, `ask`, `confirm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDialog {
    /// The text.
    pub message: String,
    /// Window title (the app's name when absent).
    pub title: Option<String>,
    /// The icon.
    pub kind: MessageKind,
    /// The buttons.
    pub buttons: MessageButtons,
    /// Label of the OK/Yes button instead of the default.
    pub ok_label: Option<String>,
    /// Label of the Cancel/No button instead of the default.
    pub cancel_label: Option<String>,
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

/// An allowlist key, `allowlist.<category>.<command>`.
pub type Key = (&'static str, &'static str);

impl Command {
    /// Every key that must be enabled for this command; empty for commands
    /// that need none (events, app name and version, window getters).
    pub fn required_keys(&self) -> &'static [Key] {
        use WindowOp as W;
        match self {
            Command::App(AppCommand::GetName | AppCommand::GetVersion)
            | Command::App(AppCommand::GetMillenniumVersion)
            | Command::Emit(_)
            | Command::Ping => &[],
            Command::App(AppCommand::Show) => &[("app", "show")],
            Command::App(AppCommand::Hide) => &[("app", "hide")],
            Command::Process(ProcessCommand::Exit(_)) => &[("process", "exit")],
            Command::Process(ProcessCommand::Relaunch) => &[("process", "relaunch")],
            Command::Os(_) => &[("os", "info")],
            Command::Path(_) => &[("path", "resolve")],
            Command::Fs(fs) => match fs {
                FsCommand::ReadFile { .. } => &[("fs", "read-file")],
                FsCommand::WriteFile { .. } => &[("fs", "write-file")],
                FsCommand::ReadDir { .. } => &[("fs", "read-dir")],
                FsCommand::CreateDir { .. } => &[("fs", "create-dir")],
                FsCommand::RemoveDir { .. } => &[("fs", "remove-dir")],
                FsCommand::RemoveFile(_) => &[("fs", "remove-file")],
                FsCommand::RenameFile { .. } => &[("fs", "rename-file")],
                FsCommand::CopyFile { .. } => &[("fs", "copy-file")],
                FsCommand::Exists(_) => &[("fs", "exists")],
            },
            Command::Clipboard(ClipboardCommand::ReadText) => &[("clipboard", "read-text")],
            Command::Clipboard(ClipboardCommand::WriteText(_)) => &[("clipboard", "write-text")],
            Command::Shell(ShellCommand::Open { .. }) => &[("shell", "open")],
            Command::Shell(_) => &[("shell", "execute")],
            Command::Http(_) => &[("http", "request")],
            Command::Updater(UpdaterCommand::Check) => &[("updater", "check")],
            Command::Updater(UpdaterCommand::Install) => &[("updater", "install")],
            Command::Dialog(DialogCommand::Open(_)) => &[("dialog", "open")],
            Command::Dialog(DialogCommand::Save(_)) => &[("dialog", "save")],
            Command::Dialog(DialogCommand::Message(m)) => match m.buttons {
                MessageButtons::Ok => &[("dialog", "message")],
                MessageButtons::YesNo => &[("dialog", "ask")],
                MessageButtons::OkCancel => &[("dialog", "confirm")],
            },
            // Tauri v1 gates all three with the one `notification` key.
            Command::Notification(_) => &[("notification", "send")],
            Command::Window { op, .. } => match op {
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
                | W::InterceptClose(_)
                | W::ConfirmClose => &[],
                W::Create { .. } => &[("window", "create")],
                W::Center => &[("window", "center")],
                W::RequestUserAttention => &[("window", "request-user-attention")],
                W::SetResizable(_) => &[("window", "set-resizable")],
                W::SetTitle(_) => &[("window", "set-title")],
                W::Maximize => &[("window", "maximize")],
                W::Unmaximize => &[("window", "unmaximize")],
                W::ToggleMaximize => &[("window", "maximize"), ("window", "unmaximize")],
                W::Minimize => &[("window", "minimize")],
                W::Unminimize => &[("window", "unminimize")],
                W::Show => &[("window", "show")],
                W::Hide => &[("window", "hide")],
                W::Close => &[("window", "close")],
                W::SetDecorations(_) => &[("window", "set-decorations")],
                W::SetAlwaysOnTop(_) => &[("window", "set-always-on-top")],
                W::SetSize(_) => &[("window", "set-size")],
                W::SetMinSize(_) => &[("window", "set-min-size")],
                W::SetMaxSize(_) => &[("window", "set-max-size")],
                W::SetPosition(_) => &[("window", "set-position")],
                W::SetFullscreen(_) => &[("window", "set-fullscreen")],
                W::SetFocus => &[("window", "set-focus")],
                W::SetSkipTaskbar(_) => &[("window", "set-skip-taskbar")],
                W::SetCursorGrab(_) => &[("window", "set-cursor-grab")],
                W::SetCursorIcon(_) => &[("window", "set-cursor-icon")],
                W::SetCursorVisible(_) => &[("window", "set-cursor-visible")],
                W::SetCursorPosition(_) => &[("window", "set-cursor-position")],
                W::SetIgnoreCursorEvents(_) => &[("window", "set-ignore-cursor-events")],
                W::StartDragging => &[("window", "start-dragging")],
                W::Print => &[("window", "print")],
            },
        }
    }
}
