//! `[allowlist.*]`: which JS APIs the webview may call. Everything is denied
//! unless a key here turns it on.
//!
//! Each category has `all` plus one boolean per command; the key that gates a
//! call is written `allowlist.<category>.<command>` (e.g. `allowlist.fs.read-file`),
//! which is also the name a denied call reports. `event` and the read-only
//! parts of `app` (name, version) need no key, as in Tauri v1.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One allowlist key, `allowlist.<category>.<command>`: what a command needs
/// and what a denied call names. Each category emits one constant per key
/// (`FsAllowlist::read_file`), so a misspelt key is a compile error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AllowlistKey {
    /// `fs` in `allowlist.fs.read-file`.
    pub category: &'static str,
    /// `read-file` in `allowlist.fs.read-file`.
    pub command: &'static str,
}

/// `("fs", "read-file")` names the key `allowlist.fs.read-file` (for tests
/// and tables that spell keys out).
impl PartialEq<(&str, &str)> for AllowlistKey {
    fn eq(&self, (category, command): &(&str, &str)) -> bool {
        self.category == *category && self.command == *command
    }
}

impl std::fmt::Display for AllowlistKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "allowlist.{}.{}", self.category, self.command)
    }
}

/// Defines a category struct: `all`, one `bool` per command, optional extra
/// fields (scopes), the `COMMANDS` table that the allowlist gate and the
/// schema tests share, and one [`AllowlistKey`] constant per command, so a
/// command key exists in exactly one place.
macro_rules! allowlist_category {
    (
        $(#[$smeta:meta])*
        $name:ident ($category:literal) {
            $( $(#[$fmeta:meta])* $field:ident = $key:literal, )*
        }
        $( extra { $( $(#[$emeta:meta])* $efield:ident : $ety:ty, )* } )?
    ) => {
        $(#[$smeta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "validate", derive(JsonSchema))]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct $name {
            /// Enable every command of this category.
            #[serde(default)]
            pub all: bool,
            $( $(#[$fmeta])* #[serde(default)] pub $field: bool, )*
            $($( $(#[$emeta])* #[serde(default)] pub $efield: $ety, )*)?
        }

        #[allow(non_upper_case_globals)]
        impl $name {
            /// The category's name in `allowlist.<category>`.
            pub const CATEGORY: &'static str = $category;
            /// Every boolean command key of the category, as written in the toml.
            pub const COMMANDS: &'static [&'static str] = &[$($key),*];
            $(
                #[doc = concat!("`allowlist.", $category, ".", $key, "`.")]
                pub const $field: AllowlistKey = AllowlistKey { category: $category, command: $key };
            )*

            /// Whether `command` is enabled; `None` when the category has no such key.
            pub fn allows(&self, command: &str) -> Option<bool> {
                match command {
                    $( $key => Some(self.all || self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

/// Defines [`Allowlist`] from its categories: one field each, the lookup
/// the gate asks, and the list of every key. A new category is one line here
/// plus its `allowlist_category!`.
macro_rules! allowlist {
    ( $( $(#[$meta:meta])* $field:ident : $ty:ident, )* ) => {
        /// Which JS APIs the frontend may call. Deny by default: a command is callable
        /// only when its key (or its category's `all`) is `true`.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "validate", derive(JsonSchema))]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct Allowlist {
            /// Enable every API of every category. Convenient while prototyping;
            /// grant single commands before you ship.
            #[serde(default)]
            pub all: bool,
            $( $(#[$meta])* #[serde(default)] pub $field: $ty, )*
        }

        impl Allowlist {
            /// Whether the key `allowlist.<category>.<command>` is enabled.
            /// `None` when no such key exists (the caller reports an unknown command).
            pub fn allows(&self, category: &str, command: &str) -> Option<bool> {
                let allowed = match category {
                    ShellAllowlist::CATEGORY if command == "open" => {
                        Some(self.shell.all || self.shell.open.is_enabled())
                    }
                    $( $ty::CATEGORY => self.$field.allows(command), )*
                    _ => None,
                }?;
                Some(self.all || allowed)
            }

            /// Whether `key` is enabled (a key the model does not know is not).
            pub fn permits(&self, key: AllowlistKey) -> bool {
                self.allows(key.category, key.command) == Some(true)
            }

            /// Every `(category, command)` key that exists, for tests and documentation.
            pub fn keys() -> impl Iterator<Item = (&'static str, &'static str)> {
                let tables: &[(&str, &[&str])] = &[ $( ($ty::CATEGORY, $ty::COMMANDS), )* ];
                let shell_open = std::iter::once((ShellAllowlist::CATEGORY, "open"));
                tables
                    .iter()
                    .flat_map(|(category, commands)| commands.iter().map(move |c| (*category, *c)))
                    .chain(shell_open)
            }
        }
    };
}

allowlist! {
    /// File system access (`Millennium.fs`), limited to `scope`.
    fs: FsAllowlist,
    /// Window creation and management (`Millennium.window`).
    window: WindowAllowlist,
    /// Opening URLs and running commands named in `scope` (`Millennium.shell`).
    shell: ShellAllowlist,
    /// Native file pickers and message boxes (`Millennium.dialog`).
    dialog: DialogAllowlist,
    /// HTTP requests from the host, limited to `scope` (`Millennium.http`).
    http: HttpAllowlist,
    /// Reading and writing the clipboard (`Millennium.clipboard`).
    clipboard: ClipboardAllowlist,
    /// Desktop notifications (`Millennium.notification`).
    notification: NotificationAllowlist,
    /// Operating system information (`Millennium.os`).
    os: OsAllowlist,
    /// Base directories and path helpers (`Millennium.path`).
    path: PathAllowlist,
    /// Exiting and relaunching the app (`Millennium.process`).
    process: ProcessAllowlist,
    /// Showing and hiding the whole app (`Millennium.app`).
    app: AppAllowlist,
    /// Checking for and installing updates from the webview (`Millennium.updater`).
    updater: UpdaterAllowlist,
    /// Calling the app's `[[sidecars]]`, limited to `scope` (`Millennium.sidecar`).
    sidecar: SidecarAllowlist,
    /// The command line the app was started with, as `[cli]` parsed it (`Millennium.cli`).
    cli: CliAllowlist,
    /// URLs of the app's `[bundle] url-schemes` it was opened with (`Millennium.deepLink`).
    deep_link: DeepLinkAllowlist,
    /// Starting the app when the user logs in (`Millennium.autostart`).
    autostart: AutostartAllowlist,
    /// Changing the declared menus and showing context menus (`Millennium.menu`).
    menu: MenuAllowlist,
    /// Changing the `[tray]` icon at run time (`Millennium.tray`).
    tray: TrayAllowlist,
    /// Global shortcuts registered by the page (`Millennium.globalShortcut`).
    global_shortcut: GlobalShortcutAllowlist,
}

allowlist_category! {
    /// `Millennium.fs`. Every path is checked against `scope` after it is made
    /// absolute and its symlinks are resolved.
    FsAllowlist("fs") {
        /// `readTextFile` and `readBinaryFile`.
        read_file = "read-file",
        /// `writeTextFile` and `writeBinaryFile` (atomic: temporary file, then rename).
        write_file = "write-file",
        /// `readDir`, optionally recursive.
        read_dir = "read-dir",
        /// `copyFile`.
        copy_file = "copy-file",
        /// `createDir`, optionally recursive.
        create_dir = "create-dir",
        /// `removeDir`, optionally recursive.
        remove_dir = "remove-dir",
        /// `removeFile`.
        remove_file = "remove-file",
        /// `renameFile`.
        rename_file = "rename-file",
        /// `exists`.
        exists = "exists",
    }
    extra {
        /// Paths the fs commands may touch: a list of globs, or
        /// `{ allow = [...], deny = [...] }` where `deny` wins. Globs may start
        /// with a base directory variable such as `$APPDATA` or `$HOME`.
        /// `"$APPDATA/notes"` matches the directory itself only; use
        /// `"$APPDATA/notes/**"` for everything inside it.
        scope: FsScope,
    }
}

allowlist_category! {
    /// `Millennium.window`: create windows and change them.
    WindowAllowlist("window") {
        /// `new WebviewWindow(label, options)`.
        create = "create",
        /// `center()`.
        center = "center",
        /// `requestUserAttention()`.
        request_user_attention = "request-user-attention",
        /// `setResizable()`.
        set_resizable = "set-resizable",
        /// `setTitle()`.
        set_title = "set-title",
        /// `maximize()` and `toggleMaximize()`.
        maximize = "maximize",
        /// `unmaximize()` and `toggleMaximize()`.
        unmaximize = "unmaximize",
        /// `minimize()`.
        minimize = "minimize",
        /// `unminimize()`.
        unminimize = "unminimize",
        /// `show()`.
        show = "show",
        /// `hide()`.
        hide = "hide",
        /// `close()`.
        close = "close",
        /// `setDecorations()`.
        set_decorations = "set-decorations",
        /// `setAlwaysOnTop()`.
        set_always_on_top = "set-always-on-top",
        /// `setSize()`.
        set_size = "set-size",
        /// `setMinSize()`.
        set_min_size = "set-min-size",
        /// `setMaxSize()`.
        set_max_size = "set-max-size",
        /// `setPosition()`.
        set_position = "set-position",
        /// `setFullscreen()`.
        set_fullscreen = "set-fullscreen",
        /// `setFocus()`.
        set_focus = "set-focus",
        /// `setSkipTaskbar()`.
        set_skip_taskbar = "set-skip-taskbar",
        /// `setCursorGrab()`.
        set_cursor_grab = "set-cursor-grab",
        /// `setCursorVisible()`.
        set_cursor_visible = "set-cursor-visible",
        /// `setCursorIcon()`.
        set_cursor_icon = "set-cursor-icon",
        /// `setCursorPosition()`.
        set_cursor_position = "set-cursor-position",
        /// `setIgnoreCursorEvents()`.
        set_ignore_cursor_events = "set-ignore-cursor-events",
        /// `startDragging()`, for custom title bars.
        start_dragging = "start-dragging",
        /// `print()`: the system print dialog for the page.
        print = "print",
        /// `onCloseRequested()`: a listener that may keep the window open.
        /// Without it no page can make a window impossible to close.
        intercept_close = "intercept-close",
        /// Every operation on a window other than the caller's own
        /// (`WebviewWindow.getByLabel("main").hide()`), on top of the
        /// operation's key. Remote pages never act on another window.
        other_windows = "other-windows",
    }
}

allowlist_category! {
    /// `Millennium.shell`: open URLs in the desktop's default handler and run
    /// the commands named in `scope`, nothing else.
    ShellAllowlist("shell") {
        /// `Command.execute()` and `Command.spawn()` for commands in `scope`.
        execute = "execute",
    }
    extra {
        /// `open()`: `true` allows `mailto:`, `tel:`, `http://` and `https://`
        /// URLs; a string is a regular expression the whole URL or path must match.
        open: ShellOpen,
        /// The commands `execute` may run, each with its program and the
        /// arguments it accepts.
        scope: Vec<ShellCommand>,
    }
}

allowlist_category! {
    /// `Millennium.dialog`: native dialogs. Paths the user picks in `open` and
    /// `save` join the fs scope for the rest of the run.
    DialogAllowlist("dialog") {
        /// `open()`: pick files or directories.
        open = "open",
        /// `save()`: pick a path to save to.
        save = "save",
        /// `message()`.
        message = "message",
        /// `ask()`: yes/no.
        ask = "ask",
        /// `confirm()`: ok/cancel.
        confirm = "confirm",
    }
}

allowlist_category! {
    /// `Millennium.http`: requests made by the host, so they are not bound by
    /// the page's CORS, and therefore limited to `scope`.
    HttpAllowlist("http") {
        /// `fetch()` and `getClient().request()`.
        request = "request",
    }
    extra {
        /// URL globs requests may go to, e.g. `"https://api.example.com/**"`
        /// or `"https://*.example.com:*/v1/*"`. Empty means no URL.
        scope: Vec<String>,
    }
}

allowlist_category! {
    /// `Millennium.clipboard`.
    ClipboardAllowlist("clipboard") {
        /// `writeText()`.
        write_text = "write-text",
        /// `readText()`.
        read_text = "read-text",
    }
}

allowlist_category! {
    /// `Millennium.notification`.
    NotificationAllowlist("notification") {
        /// `sendNotification()`, `isPermissionGranted()`, `requestPermission()`.
        send = "send",
    }
}

allowlist_category! {
    /// `Millennium.os`: platform, version, architecture, locale, temp dir.
    OsAllowlist("os") {
        /// Every `Millennium.os` function.
        info = "info",
    }
}

allowlist_category! {
    /// `Millennium.path`: base directories (`appDataDir()`, `homeDir()`, ...)
    /// and path helpers (`join`, `resolve`, `basename`, ...).
    PathAllowlist("path") {
        /// Every `Millennium.path` function.
        resolve = "resolve",
    }
}

allowlist_category! {
    /// `Millennium.process`.
    ProcessAllowlist("process") {
        /// `exit(code)`.
        exit = "exit",
        /// `relaunch()`.
        relaunch = "relaunch",
    }
}

allowlist_category! {
    /// `Millennium.app`. `getName()` and `getVersion()` need no key.
    AppAllowlist("app") {
        /// `show()`: show every window of the app.
        show = "show",
        /// `hide()`: hide every window of the app.
        hide = "hide",
        /// `getOpenedFiles()` and `onFilesOpened()`: the files of the app's
        /// `[bundle] file-associations` it was opened with.
        get_opened_files = "get-opened-files",
    }
}

allowlist_category! {
    /// `Millennium.cli`.
    CliAllowlist("cli") {
        /// `getMatches()`: the arguments `[cli]` parsed at start.
        get_matches = "get-matches",
    }
}

allowlist_category! {
    /// `Millennium.autostart`: an XDG autostart entry for the user.
    AutostartAllowlist("autostart") {
        /// `enable()`: start the app at login.
        enable = "enable",
        /// `disable()`: stop starting it at login.
        disable = "disable",
        /// `isEnabled()` and `wasLaunchedAtLogin()`.
        is_enabled = "is-enabled",
    }
}

allowlist_category! {
    /// `Millennium.deepLink`.
    DeepLinkAllowlist("deep-link") {
        /// `getCurrent()` and `onOpenUrl()`: the app's URLs it was opened with.
        get_current = "get-current",
    }
}

allowlist_category! {
    /// `Millennium.updater`. Update policy (endpoints, keys, downgrades) is set
    /// in `[updater]` only; these keys only let the page trigger it.
    UpdaterAllowlist("updater") {
        /// `checkUpdate()`.
        check = "check",
        /// `installUpdate()`: download, verify and install, then relaunch.
        install = "install",
    }
}

#[allow(non_upper_case_globals)]
impl ShellAllowlist {
    /// `allowlist.shell.open`: not a boolean but [`ShellOpen`] (on, off or a pattern).
    pub const open_key: AllowlistKey = AllowlistKey {
        category: "shell",
        command: "open",
    };
}

/// The fs scope: a plain list of allowed globs, or allow and deny lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum FsScope {
    /// Globs of allowed paths.
    Allow(Vec<String>),
    /// Allowed and denied globs; a path matching any `deny` glob is refused
    /// even when it matches an `allow` glob.
    Rules(FsScopeRules),
}

impl Default for FsScope {
    fn default() -> Self {
        FsScope::Allow(Vec::new())
    }
}

impl FsScope {
    /// The allowed globs.
    pub fn allow(&self) -> &[String] {
        match self {
            FsScope::Allow(allow) => allow,
            FsScope::Rules(rules) => &rules.allow,
        }
    }

    /// The denied globs (empty for the list form).
    pub fn deny(&self) -> &[String] {
        match self {
            FsScope::Allow(_) => &[],
            FsScope::Rules(rules) => &rules.deny,
        }
    }
}

/// `{ allow = [...], deny = [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FsScopeRules {
    /// Globs of allowed paths.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Globs of refused paths; they win over `allow`.
    #[serde(default)]
    pub deny: Vec<String>,
    /// When `true`, `*` and `**` do not match file names starting with a dot
    /// (hidden files) unless the glob spells the dot out.
    #[serde(default)]
    pub require_literal_leading_dot: bool,
}

/// `shell.open`: on/off, or a regular expression for what may be opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum ShellOpen {
    /// `true` allows `mailto:`, `tel:`, `http://` and `https://` URLs.
    Flag(bool),
    /// A regular expression the whole URL or path must match.
    Pattern(String),
}

impl Default for ShellOpen {
    fn default() -> Self {
        ShellOpen::Flag(false)
    }
}

impl ShellOpen {
    /// The expression used when `open = true`.
    pub const DEFAULT_PATTERN: &'static str = r"^((mailto:[^\s]+)|(tel:[^\s]+)|(https?://[^\s]+))$";

    /// Whether `open()` is enabled at all.
    pub fn is_enabled(&self) -> bool {
        !matches!(self, ShellOpen::Flag(false))
    }

    /// The expression `open()` arguments must match, if enabled.
    pub fn pattern(&self) -> Option<&str> {
        match self {
            ShellOpen::Flag(false) => None,
            ShellOpen::Flag(true) => Some(Self::DEFAULT_PATTERN),
            ShellOpen::Pattern(pattern) => Some(pattern),
        }
    }
}

/// A command the frontend may run by `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ShellCommand {
    /// The name the JS side uses: `new Millennium.shell.Command("git-status")`.
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 64),
        regex(pattern = r"^[A-Za-z0-9_.-]+$"),
        extend("patternErrorMessage" = "a command name may contain only letters, digits, `-`, `_` and `.`")
    ))]
    pub name: String,
    /// The program to run: a name looked up in the absolute directories of
    /// `PATH`, or an absolute path. A relative path is refused: it would
    /// depend on the directory the app was started from.
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub cmd: String,
    /// Arguments the caller may pass: `false` (none, the default), `true`
    /// (any: only for trusted programs), or a list in which each entry is a
    /// fixed string or `{ validator = "regex" }` for a caller-supplied value.
    /// A caller's value that starts with `-` is refused unless its
    /// validator starts with `-` too, so a validator meant for a file name
    /// cannot pass an option.
    #[serde(default)]
    pub args: ShellArgs,
    /// The environment variables the caller may set for this program, by
    /// name (`["LANG", "TZ"]`). Every other name is refused: variables such
    /// as `GIT_CONFIG_*`, `NODE_OPTIONS`, `PYTHONPATH` or `BASH_FUNC_*` make
    /// programs run code. The dynamic loader's `LD_*` are refused even here.
    #[serde(default)]
    pub env: Vec<EnvName>,
    /// The working directory, fixed: an absolute path or one starting with a
    /// base directory (`$APPDATA/repo`). The caller may then only repeat it.
    /// Without it the caller's `cwd` must be a directory inside the fs scope
    /// (`[allowlist.fs] scope`), and the default is the app's own working
    /// directory.
    #[serde(default)]
    pub cwd: Option<String>,
}

/// The name of an environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct EnvName(
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 128),
        regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"),
        extend("patternErrorMessage" = "an environment variable name is letters, digits and `_`, not starting with a digit")
    ))]
    pub String,
);

/// The arguments a scoped command accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum ShellArgs {
    /// `false`: no arguments; `true`: any arguments.
    Any(bool),
    /// Exactly these arguments, in order.
    List(Vec<ShellArg>),
}

impl Default for ShellArgs {
    fn default() -> Self {
        ShellArgs::Any(false)
    }
}

/// One argument of a scoped command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum ShellArg {
    /// A fixed argument; the caller must pass it as is.
    Fixed(String),
    /// A caller-supplied argument that must match `validator` in full.
    Validated(ShellArgValidator),
}

/// `{ validator = "regex" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ShellArgValidator {
    /// Regular expression the whole argument must match, e.g. `"^[\\w.-]+$"`.
    pub validator: String,
}

allowlist_category! {
    /// `Millennium.sidecar(name)`: requests and notifications to the
    /// sidecars and methods named in `scope`, from the windows named there,
    /// and the sidecar's events to those windows.
    SidecarAllowlist("sidecar") {
        /// `call(method, params)`: a request that is answered.
        call = "call",
        /// `notify(method, params)`: a notification, never answered.
        notify = "notify",
    }
    extra {
        /// Which sidecars pages may reach, which of their methods, and from
        /// which windows. A sidecar no entry names is unreachable.
        scope: Vec<SidecarGrant>,
    }
}

/// `{ name = "search", methods = ["search", "index"], windows = ["main"] }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SidecarGrant {
    /// The `name` of a `[[sidecars]]` entry.
    pub name: String,
    /// The methods pages may call or notify: exact names, or `"*"` for
    /// every method.
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub methods: Vec<SidecarMethod>,
    /// The labels of the windows whose pages may; every window of the app
    /// when absent.
    #[serde(default)]
    pub windows: Option<Vec<String>>,
}

impl SidecarGrant {
    /// Whether `method` is granted.
    pub fn allows_method(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m.0 == "*" || m.0 == method)
    }

    /// Whether pages of window `label` may reach the sidecar.
    pub fn allows_window(&self, label: &str) -> bool {
        self.windows
            .as_ref()
            .is_none_or(|windows| windows.iter().any(|w| w == label))
    }
}

/// A JSON-RPC method name a page may use, or `"*"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct SidecarMethod(
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 128),
        regex(pattern = r"^(\*|[A-Za-z0-9_.:/-]+)$"),
        extend("patternErrorMessage" = "a method is letters, digits, `_`, `.`, `:`, `/` or `-` (or `*` for all); names starting with `rpc.` or `$/` are the protocol's")
    ))]
    pub String,
);

allowlist_category! {
    /// `Millennium.menu`. Hearing clicks (`onClick`) needs no key.
    MenuAllowlist("menu") {
        /// `setItem()`: change the label, enabled or checked state of an
        /// item of the declared `[menus]`.
        set_item = "set-item",
        /// `popup()`: show a context menu of items the page gives (data:
        /// ids, labels, and the edit roles only).
        popup = "popup",
    }
}

allowlist_category! {
    /// `Millennium.tray`: change the `[tray]` at run time.
    TrayAllowlist("tray") {
        /// `setIcon()`: a PNG of the frontend directory.
        set_icon = "set-icon",
        /// `setTooltip()`.
        set_tooltip = "set-tooltip",
        /// `setTitle()`: the text beside the icon.
        set_title = "set-title",
        /// `setMenu()`: one of the declared `[menus]`, or none.
        set_menu = "set-menu",
    }
}

allowlist_category! {
    /// `Millennium.globalShortcut`: key combinations that reach the page
    /// whichever program has the focus (X11 only).
    GlobalShortcutAllowlist("global-shortcut") {
        /// `register()`, `unregister()`, `unregisterAll()`, `isRegistered()`.
        register = "register",
    }
    extra {
        /// The accelerators pages may register, e.g. `["CmdOrCtrl+Alt+R"]`.
        /// Absent: any combination with a modifier.
        accelerators: Option<Vec<String>>,
    }
}
