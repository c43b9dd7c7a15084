// Type declarations for `window.Millennium`, the API the Millennium host
// injects into the app's own pages (origin `millennium://localhost`).
//
// Every function returns a promise. A call the allowlist does not enable
// rejects with an Error whose message names the key to turn on, e.g.
// "allowlist.process.exit is not enabled in millennium.toml".
// Pages of any other origin (remote URLs, iframes) get no `Millennium`, except
// remote pages granted by `[security] dangerous-remote-domain-ipc-access` in
// the windows it lists: they get `Millennium` with `enable-millennium-api`,
// otherwise only `__MILLENNIUM_IPC__` (the same allowlist applies).

export {};

declare global {
  interface Window {
    readonly Millennium: Millennium.Api;
    /** Only in granted remote pages without `enable-millennium-api`. */
    readonly __MILLENNIUM_IPC__?: {
      invoke<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
    };
  }
  var Millennium: Millennium.Api;

  namespace Millennium {
    // Every namespace adds its member to `Api` in its own section below
    // (generated from host/src/api/<namespace>/api.d.ts: edit those, then
    // `make dts`).
    // ---------------------------------------------------------------- app
    interface Api {
      readonly app: App;
    }
    interface App {
      /** `[app] name`. Needs no allowlist key. */
      getName(): Promise<string>;
      /** `[app] version`. Needs no allowlist key. */
      getVersion(): Promise<string>;
      /** The version of the Millennium host. Needs no allowlist key. */
      getMillenniumVersion(): Promise<string>;
      /** Shows every window. Needs `allowlist.app.show`. */
      show(): Promise<void>;
      /** Hides every window. Needs `allowlist.app.hide`. */
      hide(): Promise<void>;
      /**
       * With `[app] single-instance = true`, calls `handler` when the app is
       * launched again: the later launch's arguments and working directory
       * (it exits; this copy's main window is shown and focused). Needs no
       * key. Resolves with the function that stops listening.
       */
      onSecondInstance(handler: (launch: SecondInstance) => void): Promise<() => void>;
      /**
       * The files of `[bundle] file-associations` the app was started with
       * ("Open with"), as absolute paths; the main window's fs calls may
       * read and write exactly these, as files picked in the open dialog.
       * Needs `allowlist.app.get-opened-files`.
       */
      getOpenedFiles(): Promise<string[]>;
      /**
       * Calls `handler` with the files a later launch opens (`[app]
       * single-instance`), granted like those above. Heard only with
       * `allowlist.app.get-opened-files`. Resolves with the function that
       * stops listening.
       */
      onFilesOpened(handler: (paths: string[]) => void): Promise<() => void>;
    }
    /** What a later launch handed over. */
    interface SecondInstance {
      /** Its arguments, after the program name. */
      readonly args: string[];
      /** Its working directory (absolute). */
      readonly cwd: string;
    }

    // ------------------------------------------------------------ process
    interface Api {
      readonly process: Process;
    }
    interface Process {
      /** Exits the app with `code` (default 0). Needs `allowlist.process.exit`. */
      exit(code?: number): Promise<void>;
      /** Starts the app again and exits this instance. Needs `allowlist.process.relaunch`. */
      relaunch(): Promise<void>;
    }

    // -------------------------------------------------------------- event
    interface Api {
      readonly event: EventApi;
    }
    /** Letters, digits, `-`, `/`, `:`, `_`, `.`; names starting `millennium://` are the host's. */
    type EventName = string;

    interface Event<T> {
      /** The event's name. */
      event: EventName;
      /** The window the event was sent to, or `null` for a broadcast. */
      windowLabel: string | null;
      /** The listener's id. */
      id: number;
      /** What the sender passed (JSON). */
      payload: T;
    }

    type EventCallback<T> = (event: Event<T>) => void;
    type UnlistenFn = () => void;

    /** Events between windows and from the host. Needs no allowlist key. */
    interface EventApi {
      /** Calls `handler` for every `event` sent to any window or broadcast. */
      listen<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Like `listen`, for the first occurrence only. */
      once<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Sends `event` to every window (including this one). */
      emit(event: EventName, payload?: unknown): Promise<void>;
    }

    // ------------------------------------------------------------- window
    interface Api {
      readonly window: WindowApi;
    }
    /** Cursor names, as in Tauri v1. */
    type CursorIcon =
      | "default" | "crosshair" | "hand" | "arrow" | "move" | "text" | "wait" | "help"
      | "progress" | "notAllowed" | "contextMenu" | "cell" | "verticalText" | "alias"
      | "copy" | "noDrop" | "grab" | "grabbing" | "allScroll" | "zoomIn" | "zoomOut"
      | "eResize" | "nResize" | "neResize" | "nwResize" | "sResize" | "seResize"
      | "swResize" | "wResize" | "ewResize" | "nsResize" | "neswResize" | "nwseResize"
      | "colResize" | "rowResize";

    interface LogicalSizeConstructor {
      new (width: number, height: number): LogicalSize;
    }
    interface LogicalSize {
      readonly type: "Logical";
      width: number;
      height: number;
      toPhysical(scaleFactor: number): PhysicalSize;
    }
    interface PhysicalSizeConstructor {
      new (width: number, height: number): PhysicalSize;
    }
    interface PhysicalSize {
      readonly type: "Physical";
      width: number;
      height: number;
      toLogical(scaleFactor: number): LogicalSize;
    }
    interface LogicalPositionConstructor {
      new (x: number, y: number): LogicalPosition;
    }
    interface LogicalPosition {
      readonly type: "Logical";
      x: number;
      y: number;
      toPhysical(scaleFactor: number): PhysicalPosition;
    }
    interface PhysicalPositionConstructor {
      new (x: number, y: number): PhysicalPosition;
    }
    interface PhysicalPosition {
      readonly type: "Physical";
      x: number;
      y: number;
      toLogical(scaleFactor: number): LogicalPosition;
    }

    type Theme = "light" | "dark";

    /** Options of `new WebviewWindow(label, options)`: the `[[windows]]` fields, in camelCase. */
    interface WindowOptions {
      /** A path inside the frontend (`"settings.html"`) or an `https://` URL (which gets no API). */
      url?: string;
      title?: string;
      width?: number;
      height?: number;
      minWidth?: number;
      minHeight?: number;
      maxWidth?: number;
      maxHeight?: number;
      x?: number;
      y?: number;
      center?: boolean;
      resizable?: boolean;
      maximized?: boolean;
      fullscreen?: boolean;
      decorations?: boolean;
      transparent?: boolean;
      alwaysOnTop?: boolean;
      visible?: boolean;
      focus?: boolean;
      /** `#rrggbb` or `#rrggbbaa`. */
      backgroundColor?: string;
      theme?: Theme;
    }

    interface CloseRequestedEvent {
      event: "millennium://close-requested";
      windowLabel: string;
      /** Keeps the window open. */
      preventDefault(): void;
      isPreventDefault(): boolean;
    }

    /**
     * A window. Getters need no allowlist key; each setter needs
     * `allowlist.window.<kebab-case name>` (e.g. `setTitle` needs `allowlist.window.set-title`).
     */
    interface WebviewWindowConstructor {
      /**
       * Opens a new window (needs `allowlist.window.create`). Listen for
       * `millennium://created` or `millennium://error` on it to learn the outcome.
       */
      new (label: string, options?: WindowOptions): WebviewWindow;
      /**
       * A handle on an existing window; nothing is checked until it is used.
       * Operations on a window other than the caller's need
       * `[allowlist.window] other-windows` besides their own key.
       */
      getByLabel(label: string): WebviewWindow;
    }

    interface WebviewWindow {
      readonly label: string;

      // Getters.
      title(): Promise<string>;
      scaleFactor(): Promise<number>;
      innerSize(): Promise<PhysicalSize>;
      outerSize(): Promise<PhysicalSize>;
      innerPosition(): Promise<PhysicalPosition>;
      outerPosition(): Promise<PhysicalPosition>;
      isFullscreen(): Promise<boolean>;
      isMaximized(): Promise<boolean>;
      isMinimized(): Promise<boolean>;
      isFocused(): Promise<boolean>;
      isDecorated(): Promise<boolean>;
      isResizable(): Promise<boolean>;
      isVisible(): Promise<boolean>;
      theme(): Promise<Theme>;

      // Setters.
      center(): Promise<void>;
      requestUserAttention(): Promise<void>;
      setResizable(resizable: boolean): Promise<void>;
      setTitle(title: string): Promise<void>;
      maximize(): Promise<void>;
      unmaximize(): Promise<void>;
      /** Needs both `allowlist.window.maximize` and `allowlist.window.unmaximize`. */
      toggleMaximize(): Promise<void>;
      minimize(): Promise<void>;
      unminimize(): Promise<void>;
      show(): Promise<void>;
      hide(): Promise<void>;
      close(): Promise<void>;
      setDecorations(decorations: boolean): Promise<void>;
      setAlwaysOnTop(alwaysOnTop: boolean): Promise<void>;
      setSize(size: LogicalSize | PhysicalSize): Promise<void>;
      setMinSize(size: LogicalSize | PhysicalSize | null): Promise<void>;
      setMaxSize(size: LogicalSize | PhysicalSize | null): Promise<void>;
      setPosition(position: LogicalPosition | PhysicalPosition): Promise<void>;
      setFullscreen(fullscreen: boolean): Promise<void>;
      setFocus(): Promise<void>;
      setSkipTaskbar(skip: boolean): Promise<void>;
      setCursorGrab(grab: boolean): Promise<void>;
      /** Needs `allowlist.window.set-cursor-icon`. */
      setCursorIcon(icon: CursorIcon): Promise<void>;
      setCursorVisible(visible: boolean): Promise<void>;
      setCursorPosition(position: LogicalPosition | PhysicalPosition): Promise<void>;
      setIgnoreCursorEvents(ignore: boolean): Promise<void>;
      startDragging(): Promise<void>;
      print(): Promise<void>;

      // Events sent to this window.
      listen<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      once<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Sends `event` to this window only. */
      emit(event: EventName, payload?: unknown): Promise<void>;
      /** `millennium://resize`. Only delivered to the window itself. */
      onResized(handler: EventCallback<PhysicalSize>): Promise<UnlistenFn>;
      /** `millennium://move`. Only delivered to the window itself. */
      onMoved(handler: EventCallback<PhysicalPosition>): Promise<UnlistenFn>;
      /** `millennium://focus` / `millennium://blur`. */
      onFocusChanged(handler: EventCallback<boolean>): Promise<UnlistenFn>;
      /** `millennium://theme-changed`. */
      onThemeChanged(handler: EventCallback<Theme>): Promise<UnlistenFn>;
      /**
       * The user asked to close the window. While a handler is registered the
       * host waits for it; the window closes unless it calls `preventDefault()`.
       * Needs `[allowlist.window] intercept-close`.
       */
      onCloseRequested(handler: (event: CloseRequestedEvent) => void | Promise<void>): Promise<UnlistenFn>;
    }

    interface WindowApi {
      WebviewWindow: WebviewWindowConstructor;
      LogicalSize: LogicalSizeConstructor;
      PhysicalSize: PhysicalSizeConstructor;
      LogicalPosition: LogicalPositionConstructor;
      PhysicalPosition: PhysicalPositionConstructor;
      /** This page's window. */
      readonly appWindow: WebviewWindow;
      /** This page's window. */
      getCurrent(): WebviewWindow;
      /** Every open window. */
      getAll(): Promise<WebviewWindow[]>;
    }

    // ----------------------------------------------------------------- os
    interface Api {
      readonly os: Os;
    }
    /** Needs `allowlist.os.info`. */
    interface Os {
      /** The end-of-line marker of the platform. */
      readonly EOL: "\n" | "\r\n";
      platform(): Promise<"linux" | "darwin" | "win32" | string>;
      version(): Promise<string>;
      type(): Promise<"Linux" | "Darwin" | "Windows_NT">;
      arch(): Promise<"x86_64" | "aarch64" | string>;
      tempdir(): Promise<string>;
      /** BCP-47 tag such as `en-US`, or `null`. */
      locale(): Promise<string | null>;
    }

    // --------------------------------------------------------------- path
    interface Api {
      readonly path: PathApi;
    }
    /** Needs `allowlist.path.resolve`. Base directories match the `$VARIABLES` of fs scopes. */
    interface PathApi {
      readonly sep: "/" | "\\";
      readonly delimiter: ":" | ";";
      /** `$AUDIO` */ audioDir(): Promise<string>;
      /** `$CACHE` */ cacheDir(): Promise<string>;
      /** `$CONFIG` */ configDir(): Promise<string>;
      /** `$DATA` */ dataDir(): Promise<string>;
      /** `$LOCALDATA` */ localDataDir(): Promise<string>;
      /** `$DESKTOP` */ desktopDir(): Promise<string>;
      /** `$DOCUMENT` */ documentDir(): Promise<string>;
      /** `$DOWNLOAD` */ downloadDir(): Promise<string>;
      /** `$EXE` */ executableDir(): Promise<string>;
      /** `$FONT` */ fontDir(): Promise<string>;
      /** `$HOME` */ homeDir(): Promise<string>;
      /** `$PICTURE` */ pictureDir(): Promise<string>;
      /** `$PUBLIC` */ publicDir(): Promise<string>;
      /** `$RUNTIME` */ runtimeDir(): Promise<string>;
      /** `$TEMPLATE` */ templateDir(): Promise<string>;
      /** `$VIDEO` */ videoDir(): Promise<string>;
      /** `$RESOURCE` */ resourceDir(): Promise<string>;
      /** `$TEMP` */ tempDir(): Promise<string>;
      /** `$APPCONFIG` */ appConfigDir(): Promise<string>;
      /** `$APPDATA` */ appDataDir(): Promise<string>;
      /** `$APPLOCALDATA` */ appLocalDataDir(): Promise<string>;
      /** `$APPCACHE` */ appCacheDir(): Promise<string>;
      /** `$APPLOG` */ appLogDir(): Promise<string>;
      resolve(...paths: string[]): Promise<string>;
      normalize(path: string): Promise<string>;
      join(...paths: string[]): Promise<string>;
      dirname(path: string): Promise<string>;
      extname(path: string): Promise<string>;
      basename(path: string, ext?: string): Promise<string>;
      isAbsolute(path: string): Promise<boolean>;
    }

    // ----------------------------------------------------------------- fs
    interface Api {
      /** File system access inside `[allowlist.fs] scope`; each function needs its own `allowlist.fs.*` key. */
      readonly fs: Fs;
    }
    /** Tauri v1's `BaseDirectory` numbers, for the `dir` option (`Millennium.fs.BaseDirectory`). */
    type BaseDirectory =
      | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10
      | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20
      | 21 | 22 | 23 | 24 | 25;
    /** The values of `Millennium.fs.BaseDirectory` (a plain object, so the namespace stays types only). */
    interface BaseDirectories {
      readonly Audio: 1; readonly Cache: 2; readonly Config: 3; readonly Data: 4;
      readonly LocalData: 5; readonly Desktop: 6; readonly Document: 7; readonly Download: 8;
      readonly Executable: 9; readonly Font: 10; readonly Home: 11; readonly Picture: 12;
      readonly Public: 13; readonly Runtime: 14; readonly Template: 15; readonly Video: 16;
      readonly Resource: 17; readonly App: 18; readonly Log: 19; readonly Temp: 20;
      readonly AppConfig: 21; readonly AppData: 22; readonly AppLocalData: 23;
      readonly AppCache: 24; readonly AppLog: 25;
    }
    interface FsOptions {
      /**
       * Resolve `path` against this base directory (`Millennium.fs.BaseDirectory.AppData`);
       * the path must then be relative. Without it, the path must be absolute.
       */
      dir?: BaseDirectory | number;
    }
    interface FsDirOptions extends FsOptions {
      /** readDir: descend into subdirectories; createDir: create parents; removeDir: remove contents. */
      recursive?: boolean;
    }
    interface FileEntry {
      /** Absolute, canonical path. */
      path: string;
      /** File name. */
      name?: string;
      /** With `recursive`: the entries of a subdirectory that is itself in the scope. */
      children?: FileEntry[];
    }
    type BinaryFileContents = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | ArrayLike<number>;
    /**
     * File system access, Tauri v1's `fs` module. Each function needs its key
     * (`allowlist.fs.read-file`, `write-file`, `read-dir`, `copy-file`, `create-dir`,
     * `remove-dir`, `remove-file`, `rename-file`, `exists`); a missing key rejects
     * with an error naming it.
     *
     * Every path must be inside `allowlist.fs.scope`, checked after it is made
     * absolute and its symlinks are resolved (so a symlink leading outside is
     * refused), `deny` winning over `allow`. **The directory itself vs its
     * contents:** `"$APPDATA/notes"` matches only the directory `notes`;
     * `"$APPDATA/notes/**"` matches everything inside it but not `notes` itself.
     * Listing or creating `notes` needs the first; reading and writing the files
     * in it, the second. `*` never crosses a `/`; `**` does.
     *
     * Writes are atomic (temporary file in the same directory, fsync, rename):
     * a failed write leaves the old file as it was. Bytes travel raw, never base64.
     */
    interface Fs {
      readonly BaseDirectory: BaseDirectories;
      /** Alias of `BaseDirectory`, as in Tauri v1. */
      readonly Dir: BaseDirectories;
      /** Needs `allowlist.fs.read-file`. Rejects on invalid UTF-8. */
      readTextFile(path: string, options?: FsOptions): Promise<string>;
      /**
       * Needs `allowlist.fs.read-file`. A file over 4 MiB is read in parts,
       * several at a time; a file that changes while it is read rejects
       * ("the file changed while it was being read") instead of mixing two
       * versions. At most 512 MiB.
       */
      readBinaryFile(path: string, options?: FsOptions): Promise<Uint8Array>;
      /** Needs `allowlist.fs.write-file`. The parent directory must exist. */
      writeTextFile(path: string, contents: string, options?: FsOptions): Promise<void>;
      writeTextFile(file: { path: string; contents: string }, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.write-file`. The parent directory must exist. */
      writeBinaryFile(path: string, contents: BinaryFileContents, options?: FsOptions): Promise<void>;
      writeBinaryFile(file: { path: string; contents: BinaryFileContents }, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.read-dir`. Entries sorted by name; entries a `deny` glob matches are left out. */
      readDir(path: string, options?: FsDirOptions): Promise<FileEntry[]>;
      /** Needs `allowlist.fs.create-dir`. */
      createDir(path: string, options?: FsDirOptions): Promise<void>;
      /** Needs `allowlist.fs.remove-dir`. */
      removeDir(path: string, options?: FsDirOptions): Promise<void>;
      /** Needs `allowlist.fs.remove-file`. */
      removeFile(path: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.rename-file`; both paths must be in the scope. */
      renameFile(oldPath: string, newPath: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.copy-file`; both paths must be in the scope. The destination is written atomically. */
      copyFile(source: string, destination: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.exists`. Refused (not `false`) outside the scope. */
      exists(path: string, options?: FsOptions): Promise<boolean>;
    }

    // ---------------------------------------------------------- clipboard
    interface Api {
      /** Plain-text clipboard; `allowlist.clipboard.read-text` / `write-text`. */
      readonly clipboard: Clipboard;
    }
    /**
     * `Millennium.clipboard` (X11). Text written here stays pastable in
     * other apps while this app runs (the host keeps owning the clipboard).
     */
    interface Clipboard {
      /** Needs `allowlist.clipboard.write-text`. */
      writeText(text: string): Promise<void>;
      /** Needs `allowlist.clipboard.read-text`. `null` when the clipboard holds no text. */
      readText(): Promise<string | null>;
    }

    // ------------------------------------------------------- notification
    interface Api {
      /** Desktop notifications (freedesktop D-Bus service); `allowlist.notification.send`. */
      readonly notification: Notification;
    }
    /**
     * `Millennium.notification`, through the desktop's notification service
     * (`org.freedesktop.Notifications` on the D-Bus session bus). Every
     * function needs `allowlist.notification.send`.
     */
    interface Notification {
      /** Whether a notification service answers (Linux has no permission to grant). */
      isPermissionGranted(): Promise<boolean>;
      /** `"granted"` when a notification service answers, `"denied"` otherwise. */
      requestPermission(): Promise<"granted" | "denied" | "default">;
      /**
       * A string is the title. Unlike Tauri v1 (which returns nothing) this
       * returns a promise: it rejects with a clear error, within a few
       * seconds, when no notification service is available.
       */
      sendNotification(options: string | { title: string; body?: string; icon?: string }): Promise<void>;
    }

    // ------------------------------------------------------------- dialog
    interface Api {
      /** Native dialogs modal to this window; `allowlist.dialog.open` / `save` / `message` / `ask` / `confirm`. */
      readonly dialog: Dialog;
    }
    interface DialogFilter {
      /** Shown in the filter menu, e.g. "Markdown". */
      name: string;
      /** Extensions without the dot (`"md"`), matched ignoring case; `"*"` for any file. */
      extensions: string[];
    }
    interface OpenDialogOptions {
      title?: string;
      filters?: DialogFilter[];
      /** A directory to start in, or a file to preselect (absolute). */
      defaultPath?: string;
      /** Pick several; the promise then resolves with an array. */
      multiple?: boolean;
      /** Pick directories instead of files. */
      directory?: boolean;
      /** With `directory`: the fs scope gets everything inside the picked directory, not only its direct children. */
      recursive?: boolean;
    }
    interface SaveDialogOptions {
      title?: string;
      filters?: DialogFilter[];
      /** A directory to start in, a file name to suggest, or an absolute path for both. */
      defaultPath?: string;
    }
    interface MessageDialogOptions {
      /** Window title; the app's name by default. */
      title?: string;
      type?: "info" | "warning" | "error";
      /** Label of the OK / Yes button. */
      okLabel?: string;
    }
    interface ConfirmDialogOptions extends MessageDialogOptions {
      /** Label of the Cancel / No button. */
      cancelLabel?: string;
    }
    /**
     * Paths the user picks join the fs scope until the app exits: a file
     * exactly, a directory with its direct children (or all of its contents
     * with `recursive`). `deny` globs of the scope still win.
     */
    interface Dialog {
      /** `null` when cancelled; an array with `multiple`. Needs `allowlist.dialog.open`. */
      open(options?: OpenDialogOptions): Promise<string | string[] | null>;
      /** The chosen path (it may not exist yet), or `null`. Needs `allowlist.dialog.save`. */
      save(options?: SaveDialogOptions): Promise<string | null>;
      /** An OK box. `options` may be the title. Needs `allowlist.dialog.message`. */
      message(message: string, options?: string | MessageDialogOptions): Promise<void>;
      /** Yes/No; `true` for Yes. Needs `allowlist.dialog.ask`. */
      ask(message: string, options?: string | ConfirmDialogOptions): Promise<boolean>;
      /** OK/Cancel; `true` for OK. Needs `allowlist.dialog.confirm`. */
      confirm(message: string, options?: string | ConfirmDialogOptions): Promise<boolean>;
    }

    // -------------------------------------------------------------- shell
    interface Api {
      /** `open()` (`allowlist.shell.open`) and the commands of `[allowlist.shell] scope` (`allowlist.shell.execute`). */
      readonly shell: Shell;
    }
    interface ChildProcess {
      /** Exit code; `null` when a signal ended it. */
      code: number | null;
      /** The signal that ended it, or `null`. */
      signal: number | null;
      /** Output as UTF-8 (invalid bytes replaced by U+FFFD). At most 64 MiB per stream. */
      stdout: string;
      stderr: string;
    }
    interface ShellEmitter<E extends Record<string, unknown>> {
      on<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      once<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      off<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      removeAllListeners(event?: keyof E): this;
    }
    interface Child {
      readonly pid: number;
      /** Writes to the child's stdin. */
      write(data: string | Uint8Array): Promise<void>;
      /** Ends the child (SIGKILL). Only children this app spawned. */
      kill(): Promise<void>;
    }
    interface CommandOptions {
      /**
       * Working directory: the one the scope entry fixes with `cwd`, or an
       * existing directory inside `[allowlist.fs] scope` (no symlink in it).
       */
      cwd?: string;
      /** Extra environment variables, only those the scope entry lists in `env`. */
      env?: Record<string, string>;
    }
    interface Command extends ShellEmitter<{ close: { code: number | null; signal: number | null }; error: string }> {
      /** One event per line, without the newline. */
      readonly stdout: ShellEmitter<{ data: string }>;
      readonly stderr: ShellEmitter<{ data: string }>;
      /** Runs to completion. */
      execute(): Promise<ChildProcess>;
      /** Starts it; output arrives as `stdout`/`stderr` `data` events, then `close`. */
      spawn(): Promise<Child>;
    }
    interface Shell {
      /**
       * `name` is an entry of `[allowlist.shell] scope`, never a program path; `args` must fit that
       * entry's `args` (fixed strings and `{ validator }` regexes, matched in full).
       */
      Command: new (name: string, args?: string | string[], options?: CommandOptions) => Command;
      /** A handle on a spawned child by pid (`spawn()` resolves with one). */
      Child: new (pid: number) => Child;
      /** The event emitter `Command`, `stdout` and `stderr` are built on. */
      EventEmitter: new () => ShellEmitter<Record<string, unknown>>;
      /** Opens a URL or path with the desktop's handler; it must match `[allowlist.shell] open` in full. */
      open(path: string, openWith?: "firefox" | "google chrome" | "chromium" | "xdg-open" | "gio" | "gnome-open" | "kde-open" | "wslview"): Promise<void>;
    }

    // --------------------------------------------------------------- http
    interface Api {
      /** HTTP from the host, to URLs in `[allowlist.http] scope` only; `allowlist.http.request`. */
      readonly http: Http;
    }
    interface HttpBody { type: "Json" | "Text" | "Form" | "Bytes"; payload: unknown }
    interface HttpOptions {
      method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "CONNECT" | "TRACE" | string;
      headers?: Record<string, string>;
      /** Added to the URL's query string. */
      query?: Record<string, string>;
      body?: HttpBody;
      /** Whole request, in seconds (default 30). */
      timeout?: number | { secs: number; nanos: number };
      /** How to read the body; JSON by default. */
      responseType?: 1 | 2 | 3;
    }
    interface HttpResponse<T> {
      /** The final URL, after redirects (each of which must be in the scope too). */
      url: string;
      status: number;
      /** `status` is 2xx. Other statuses resolve too; only network errors reject. */
      ok: boolean;
      /** Lower-case names; repeated headers joined with ", ". */
      headers: Record<string, string>;
      rawHeaders: Record<string, string[]>;
      /** Parsed JSON, a string, or a Uint8Array (ResponseType.Binary). */
      data: T;
    }
    interface Client {
      request<T = unknown>(options: HttpOptions & { url: string }): Promise<HttpResponse<T>>;
      get<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      post<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      put<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      patch<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      delete<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      drop(): Promise<void>;
    }
    /**
     * Requests are made by the host, so the page's CORS does not apply; every URL (and every
     * redirect) must match a glob of `[allowlist.http] scope`. Responses are capped at 256 MiB.
     */
    interface Http {
      readonly Body: {
        json(data: unknown): HttpBody;
        text(value: string): HttpBody;
        form(data: Record<string, string> | FormData): HttpBody;
        bytes(bytes: Uint8Array | ArrayBuffer | number[]): HttpBody;
      };
      readonly ResponseType: { readonly JSON: 1; readonly Text: 2; readonly Binary: 3 };
      /** What `getClient()` resolves with. */
      Client: new () => Client;
      fetch<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      getClient(): Promise<Client>;
    }

    // ------------------------------------------------------------ updater
    interface Api {
      /** Ask for an update check or install; policy comes only from `[updater]`. `allowlist.updater.check` / `install`. */
      readonly updater: Updater;
    }
    interface UpdateManifest {
      version: string;
      /** `pub_date` (RFC 3339) or null. */
      date: string | null;
      /** Release notes. */
      body: string;
    }
    interface UpdateStatus {
      /** PENDING: download starts; DOWNLOADED: verified; DONE: installed, the new version runs and this app exits in a moment; ERROR; UPTODATE. */
      status: "PENDING" | "DOWNLOADED" | "DONE" | "ERROR" | "UPTODATE";
      error?: string;
    }
    /**
     * Endpoints, keys and version rules come only from `[updater]`. Download progress is the event
     * `millennium://update-download-progress` with `{ chunkLength, contentLength, downloaded }`;
     * with `check-on-start` and `dialog = false`, a found update is announced as
     * `millennium://update-available` with an `UpdateManifest`.
     */
    interface Updater {
      /** Needs `allowlist.updater.check`. */
      checkUpdate(): Promise<{ shouldUpdate: boolean; manifest?: UpdateManifest }>;
      /**
       * Checks, downloads, verifies (signature, signed app/target/version, sha256, payload), installs
       * and starts the new version; resolves once it reported healthy, then this process exits.
       * Rejects (with the installed file untouched) otherwise. Needs `allowlist.updater.install`.
       */
      installUpdate(): Promise<void>;
      onUpdaterEvent(handler: (status: UpdateStatus) => void): Promise<UnlistenFn>;
    }

    // ---------------------------------------------------------- sidecar
    interface Api {
      /**
       * The app's sidecar `name` (`[[sidecars]]`), as far as
       * `[allowlist.sidecar] scope` grants it to this window.
       */
      readonly sidecar: (name: string) => Sidecar;
    }
    /** A JSON-RPC error answered by a sidecar. */
    interface SidecarError extends Error {
      readonly name: "SidecarError";
      /** The JSON-RPC error code. */
      readonly code: number;
      /** The error's `data`, or `null`. */
      readonly data: unknown;
    }
    /** One sidecar: JSON-RPC 2.0 over its standard input and output. */
    interface Sidecar {
      /**
       * Request `method`; resolves with the sidecar's `result` (a
       * `Uint8Array` when it answered with raw bytes, `{"$bytes": N}`),
       * rejects with a `SidecarError` for its `error`, or an `Error` when it
       * cannot be reached or stops first. Needs `allowlist.sidecar.call`.
       */
      call<T = unknown>(method: string, params?: unknown[] | Record<string, unknown>): Promise<T>;
      /** Notification `method`, never answered. Needs `allowlist.sidecar.notify`. */
      notify(method: string, params?: unknown[] | Record<string, unknown>): Promise<void>;
      /**
       * Calls `handler` with the params of each notification `method` the
       * sidecar sends; `"$/exited"` when it stops (`{ reason, restarting }`),
       * `"$/dropped"` when more than 1,000 a second were dropped (`{ count }`).
       * Resolves with the function that stops listening.
       */
      on(method: string, handler: (params: unknown) => void): Promise<() => void>;
    }
    // ---------------------------------------------------------------- cli
    interface Api {
      readonly cli: Cli;
    }
    /** One declared argument as given: `value` is `true`/`false` for a flag,
     * the value (or every value, for `multiple`) for one that takes values,
     * `null` when absent. */
    interface ArgMatch {
      readonly value: string | boolean | string[] | null;
      readonly occurrences: number;
    }
    interface CliMatches {
      /** Every argument `[cli] args` declares, by name. */
      readonly args: Readonly<Record<string, ArgMatch>>;
      /** The subcommand given, with its own matches. */
      readonly subcommand: { readonly name: string; readonly matches: CliMatches } | null;
    }
    interface Cli {
      /** The launch's arguments, as `[cli]` parsed them. Needs `allowlist.cli.get-matches`. */
      getMatches(): Promise<CliMatches>;
    }
    // ----------------------------------------------------------- deepLink
    interface Api {
      readonly deepLink: DeepLink;
    }
    interface DeepLink {
      /**
       * The URLs of `[bundle] url-schemes` the app was started with (on its
       * command line, as the desktop passes them), or `null`. Needs
       * `allowlist.deep-link.get-current`.
       */
      getCurrent(): Promise<string[] | null>;
      /**
       * Calls `handler` with the URLs a later launch hands over
       * (`[app] single-instance`). Heard only with
       * `allowlist.deep-link.get-current`. Resolves with the function that
       * stops listening.
       */
      onOpenUrl(handler: (urls: string[]) => void): Promise<() => void>;
    }
    // ---------------------------------------------------------- autostart
    interface Api {
      readonly autostart: Autostart;
    }
    interface Autostart {
      /**
       * Starts the app when the user logs in: writes
       * `~/.config/autostart/<identifier>.desktop`, which runs the app as
       * it is installed, with `--autostart`. Needs `allowlist.autostart.enable`.
       */
      enable(): Promise<void>;
      /** Removes that entry. Needs `allowlist.autostart.disable`. */
      disable(): Promise<void>;
      /** Whether the entry exists. Needs `allowlist.autostart.is-enabled`. */
      isEnabled(): Promise<boolean>;
      /** Whether this run was started by that entry. Needs `allowlist.autostart.is-enabled`. */
      wasLaunchedAtLogin(): Promise<boolean>;
    }
    // ---------------------------------------------------------------- menu
    interface Api {
      readonly menu: Menu;
    }
    /** A click on an item of the app's `[menus]`. */
    interface MenuClick {
      /** The item's `id`. */
      id: string;
      /** The `[menus.<id>]` it belongs to. */
      menu: string;
      /** A window's menu bar (heard by that window's page) or the tray's menu (heard by every window). */
      source: "window" | "tray";
      /** For a check item: its state after the click. */
      checked?: boolean;
    }
    /** An item of a context menu a page shows. Items are data: ids, labels and the edit roles only. */
    type PopupItem =
      | { id: string; label: string; enabled?: boolean; kind?: "normal" }
      | { id: string; label: string; kind: "check"; checked?: boolean; enabled?: boolean }
      | { kind: "separator" }
      | { label: string; items: PopupItem[]; enabled?: boolean; kind?: "submenu" }
      | { role: "copy" | "cut" | "paste" | "select-all" | "undo" | "redo"; label?: string; enabled?: boolean };
    interface Menu {
      /**
       * Calls `handler` for every click on an item of the app's menus
       * (roles excepted). Needs no key. Resolves with the function that
       * stops listening.
       */
      onClick(handler: (click: MenuClick) => void): Promise<() => void>;
      /**
       * Changes item `id` wherever the declared menus show it (every
       * window's menu bar, the tray's menu). Needs `allowlist.menu.set-item`.
       */
      setItem(id: string, changes: { label?: string; enabled?: boolean; checked?: boolean }): Promise<void>;
      /**
       * Shows a context menu over this window, at the pointer or at `at`
       * (CSS pixels of the page), and resolves with the `id` clicked, or
       * `null` when it is dismissed. At most 1000 items, 8 levels deep.
       * Needs `allowlist.menu.popup`.
       */
      popup(items: PopupItem[], at?: { x: number; y: number }): Promise<string | null>;
    }
    // ---------------------------------------------------------------- tray
    interface Api {
      readonly tray: Tray;
    }
    interface Tray {
      /**
       * Shows `path`, a PNG of the frontend directory (at most 1 MiB and
       * 1024x1024), as the tray icon. Needs `allowlist.tray.set-icon`.
       */
      setIcon(path: string): Promise<void>;
      /** The text shown on hover; `null` for the app's name. Needs `allowlist.tray.set-tooltip`. */
      setTooltip(text: string | null): Promise<void>;
      /** The text beside the icon (panels that show one); `null` for none. Needs `allowlist.tray.set-title`. */
      setTitle(text: string | null): Promise<void>;
      /**
       * Shows menu `menu` of `[menus]` (after the click action), or only
       * the click action with `null`. Needs `allowlist.tray.set-menu`.
       */
      setMenu(menu: string | null): Promise<void>;
    }
    // ------------------------------------------------------ globalShortcut
    interface Api {
      readonly globalShortcut: GlobalShortcut;
    }
    /**
     * A key combination such as `"CmdOrCtrl+Alt+R"`: modifiers (`Ctrl`,
     * `Alt`, `Shift`, `Super`, `CmdOrCtrl`) and one key (`A`-`Z`, `0`-`9`,
     * `F1`-`F24`, `Space`, `Enter`, `Up`, ...), joined by `+`.
     */
    type Accelerator = string;
    interface GlobalShortcut {
      /**
       * Calls `handler` whenever `accelerator` is pressed, whichever program
       * has the focus, while this page shows. Needs
       * `allowlist.global-shortcut.register` (and the accelerator in its
       * `accelerators`, when that list is given). Rejects when the
       * combination is malformed or a plain key, registered already, taken
       * by another program, or the session is Wayland (where no program may
       * take keys for itself).
       */
      register(accelerator: Accelerator, handler: (accelerator: Accelerator) => void): Promise<void>;
      /** Releases a combination this window registered. */
      unregister(accelerator: Accelerator): Promise<void>;
      /** Releases every combination this window registered. */
      unregisterAll(): Promise<void>;
      /** Whether this app holds `accelerator` (declared or registered by any page). */
      isRegistered(accelerator: Accelerator): Promise<boolean>;
    }
    // ---------------------------------------------------------------- ipc
    interface Api {
      /** Low-level IPC, used by the namespaces above. Still behind the allowlist. */
      readonly ipc: Ipc;
    }
    interface Ipc {
      /** Calls a command by name (`"namespace.function"`) with JSON arguments. */
      invoke<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
      /** Sends raw bytes to a command over the binary channel (no base64). */
      invokeBinary(cmd: string, bytes: BufferSource | Blob): Promise<Uint8Array | unknown>;
    }

  }
}
