//! The event loop: opens the windows, owns them and their webviews, runs the
//! commands that need them, and forwards window events to the pages.
//!
//! IPC arrives here already admitted by the gate ([`HostContext::admit`]):
//! the postMessage handler and the protocol handler decode, check the key and
//! the allowlist, and only then send a [`UserEvent::Invoke`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use millennium_config::model::WindowConfig;
use serde_json::{Value, json};
use tao::dpi::{LogicalPosition, LogicalSize, PhysicalPosition, PhysicalSize, Position, Size};
use tao::event::{Event, WindowEvent};
use tao::event_loop::{
    ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy, EventLoopWindowTarget,
};
use tao::window::{Window, WindowId};
use wry::http::Request;
use wry::{NewWindowResponse, RequestAsyncResponder, WebContext, WebView, WebViewBuilder};

use crate::bridge::{self, BridgeParams, RemotePage};
use crate::context::{Caller, HostContext, Screened};
use crate::dev::{DevEvent, DevHandle, DevOptions};
use crate::ipc::command::{
    AppCommand, DialogCommand, Emit, ProcessCommand, ShellCommand, Unit, UpdaterCommand, WindowOp,
};
use crate::ipc::{Admitted, Command};
use crate::updater::{Update, UpdateError, UpdateEvent};
use crate::{SCHEME, platform, protocol, window};

/// Environment variable that turns on WebKit automation (WebDriver).
pub const AUTOMATION_ENV: &str = "MILLENNIUM_AUTOMATION";

/// Messages to the event loop.
pub enum UserEvent {
    /// An admitted command from the page in window `label`.
    Invoke {
        /// The calling window.
        label: String,
        /// What to run; only the gate makes an [`Admitted`].
        command: Admitted,
        /// Where the result goes.
        reply: Reply,
    },
    /// The result of a command a worker thread ran (fs calls that came
    /// through `postMessage`), to be answered from the loop.
    Settle {
        /// The calling window.
        label: String,
        /// Where the result goes.
        reply: Reply,
        /// The result.
        result: Result<Value, String>,
    },
    /// A refused or malformed postMessage call whose promise must be rejected.
    Reject {
        /// The calling window.
        label: String,
        /// The promise.
        id: u64,
        /// Who asked: the answer goes only to a page of the same caller.
        caller: Caller,
        /// Why.
        error: String,
    },
    /// Window `label` started loading a new page: what the previous page
    /// asked for (close interception) no longer holds.
    PageLoadStarted {
        /// The window.
        label: String,
    },
    /// An event from the host (a spawned child's output) for the pages of
    /// `caller` in window `label`.
    Emit {
        /// The window.
        label: String,
        /// Only pages of this caller hear it.
        caller: Caller,
        /// Event name.
        event: String,
        /// Payload.
        payload: Value,
    },
    /// An event from the host for the app pages of every window (updater
    /// status and progress).
    Broadcast {
        /// Event name.
        event: String,
        /// Payload.
        payload: Value,
    },
    /// `check-on-start` found an update and `[updater] dialog` is on: ask.
    UpdatePrompt(Box<crate::updater::Update>),
    /// The new version reported healthy: this process ends.
    ExitForUpdate,
    /// A request of `millennium dev` (never sent by the shipped host).
    Dev(DevEvent),
}

/// Where a command's result goes.
pub enum Reply {
    /// The promise `id` of the postMessage channel, settled with
    /// `evaluate_script` only while the window still shows a page of `caller`.
    Script {
        /// The promise.
        id: u64,
        /// Who asked.
        caller: Caller,
    },
    /// The pending fetch of the protocol channel.
    Http(RequestAsyncResponder),
}

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// There is no graphical session to open windows on.
    #[error("{0}")]
    Display(String),
    /// tao could not open a window.
    #[error("cannot open window `{label}`: {source}")]
    Window {
        /// The window.
        label: String,
        /// tao's error.
        #[source]
        source: tao::error::OsError,
    },
    /// wry could not create a webview.
    #[error("cannot create the webview of window `{label}`: {source}")]
    WebView {
        /// The window.
        label: String,
        /// wry's error.
        #[source]
        source: wry::Error,
    },
    /// The window's `url` cannot be loaded.
    #[error("window `{label}`: {reason}")]
    Url {
        /// The window.
        label: String,
        /// Why.
        reason: String,
    },
}

/// Run-time switches that do not come from the config.
#[derive(Debug, Default)]
pub struct RunOptions {
    /// Allow WebKitWebDriver to drive the app.
    pub automation: bool,
    /// Development mode (`millennium dev`): devtools on by default, live
    /// reload. Invariant: only library callers set this; [`from_env`]
    /// (what the shipped `millennium-host` uses) never does, and no flag or
    /// environment variable can. See [`crate::dev`].
    ///
    /// [`from_env`]: RunOptions::from_env
    pub dev: Option<DevOptions>,
}

impl RunOptions {
    /// Reads [`AUTOMATION_ENV`]: only the exact value `1` turns it on.
    /// Never enables dev mode.
    pub fn from_env() -> RunOptions {
        RunOptions {
            automation: std::env::var(AUTOMATION_ENV).is_ok_and(|v| v == "1"),
            dev: None,
        }
    }
}

/// The context the protocol handler serves from. It is registered once per
/// web context, so a dev restart swaps what it points to.
type SharedContext = Arc<RwLock<Arc<HostContext>>>;

/// A window and its webview. The webview is declared first so it is dropped
/// before the window that contains it.
struct AppWindow {
    webview: WebView,
    window: Window,
    /// The page listens for close requests and decides itself.
    intercept_close: bool,
    /// A close was requested and the page has not answered yet.
    close_pending: bool,
}

struct Runtime {
    ctx: Arc<HostContext>,
    protocol_ctx: SharedContext,
    proxy: EventLoopProxy<UserEvent>,
    /// Devtools for windows that do not set `devtools` (dev mode only).
    devtools_default: bool,
    web_context: WebContext,
    windows: HashMap<String, AppWindow>,
    labels: HashMap<WindowId, String>,
    protocol_registered: bool,
    /// An update is being installed (one at a time).
    installing: Arc<AtomicBool>,
}

/// Opens the app's windows and runs until the last one closes or the page
/// calls `process.exit`. Returns only on a start-up error.
pub fn run(ctx: HostContext, options: RunOptions) -> Result<Infallible, HostError> {
    // tao panics when GTK cannot start; find out first, and say why.
    platform::open_display().map_err(HostError::Display)?;
    platform::ignore_file_size_signal();
    let event_loop: EventLoop<UserEvent> = EventLoopBuilder::with_user_event().build();
    let mut web_context = WebContext::new(
        dirs::data_local_dir().map(|d| d.join(&ctx.config.app.identifier).join("webview")),
    );
    if options.automation {
        web_context.set_allows_automation(true);
    }
    let ctx = Arc::new(ctx);
    let mut runtime = Runtime {
        protocol_ctx: Arc::new(RwLock::new(ctx.clone())),
        ctx,
        proxy: event_loop.create_proxy(),
        devtools_default: options.dev.is_some(),
        web_context,
        windows: HashMap::new(),
        labels: HashMap::new(),
        protocol_registered: false,
        installing: Arc::default(),
    };
    if let Some(DevOptions { on_start }) = options.dev {
        on_start(DevHandle::new(event_loop.create_proxy()));
    }
    let configs = runtime.ctx.config.windows.clone();
    for config in &configs {
        runtime.open(&event_loop, config)?;
    }
    start_updater(&runtime.ctx, &runtime.proxy);
    event_loop.run(move |event, target, control_flow| {
        if *control_flow != ControlFlow::Exit {
            *control_flow = ControlFlow::Wait;
        }
        match event {
            Event::UserEvent(UserEvent::Invoke {
                label,
                command,
                reply,
            }) => {
                if let Command::Updater(updater) = command.command() {
                    runtime.run_updater(label, *updater, reply);
                    return;
                }
                if let Command::Shell(ShellCommand::Spawn { run, channel }) = command.command() {
                    let result = runtime.spawn_child(&label, &reply, run, *channel);
                    runtime.reply(&label, reply, result);
                    return;
                }
                if matches!(
                    command.command(),
                    Command::Fs(_)
                        | Command::Clipboard(_)
                        | Command::Notification(_)
                        | Command::Shell(_)
                        | Command::Http(_)
                ) {
                    runtime.run_on_worker(label, command, reply);
                    return;
                }
                if let Command::Dialog(dialog) = command.command() {
                    runtime.show_dialog(label, dialog, reply);
                    return;
                }
                let result = match runtime.ctx.run_local(&command) {
                    Some(result) => result,
                    None => runtime.execute(target, &label, command, control_flow),
                };
                runtime.reply(&label, reply, result);
            }
            Event::UserEvent(UserEvent::Settle {
                label,
                reply,
                result,
            }) => runtime.reply(&label, reply, result),
            Event::UserEvent(UserEvent::Reject {
                label,
                id,
                caller,
                error,
            }) => {
                runtime.reply(&label, Reply::Script { id, caller }, Err(error));
            }
            Event::UserEvent(UserEvent::Emit {
                label,
                caller,
                event,
                payload,
            }) => runtime.emit_to(&label, &event, payload, Some(&label), Some(caller)),
            Event::UserEvent(UserEvent::Broadcast { event, payload }) => {
                for label in runtime.windows.keys() {
                    runtime.emit_to(label, &event, payload.clone(), None, Some(Caller::App));
                }
            }
            Event::UserEvent(UserEvent::UpdatePrompt(update)) => runtime.prompt_update(*update),
            Event::UserEvent(UserEvent::ExitForUpdate) => *control_flow = ControlFlow::Exit,
            // The process ends right after this: children must not outlive it.
            Event::LoopDestroyed => runtime.ctx.shell.kill_all(),
            Event::UserEvent(UserEvent::PageLoadStarted { label }) => {
                if let Some(entry) = runtime.windows.get_mut(&label) {
                    entry.intercept_close = false;
                    entry.close_pending = false;
                }
            }
            Event::UserEvent(UserEvent::Dev(DevEvent::Reload)) => runtime.reload_all(),
            Event::UserEvent(UserEvent::Dev(DevEvent::Restart(ctx))) => {
                runtime.restart(target, *ctx, control_flow);
            }
            Event::WindowEvent {
                window_id, event, ..
            } => runtime.on_window_event(window_id, event, control_flow),
            _ => {}
        }
    })
}

impl Runtime {
    /// Opens one window with its webview.
    fn open(
        &mut self,
        target: &EventLoopWindowTarget<UserEvent>,
        config: &WindowConfig,
    ) -> Result<(), HostError> {
        let opened = self.build(target, config)?;
        self.insert(config.label.clone(), opened);
        Ok(())
    }

    fn insert(&mut self, label: String, opened: AppWindow) {
        self.labels.insert(opened.window.id(), label.clone());
        self.windows.insert(label, opened);
    }

    /// Dev mode: reloads every page (the frontend changed on disk).
    fn reload_all(&self) {
        for (label, entry) in &self.windows {
            if let Err(error) = entry.webview.reload() {
                eprintln!("millennium: cannot reload window `{label}`: {error}");
            }
        }
    }

    /// Dev mode: the new context's windows open first; only when all of them
    /// did are the old ones closed, so a failure leaves the app as it was.
    fn restart(
        &mut self,
        target: &EventLoopWindowTarget<UserEvent>,
        ctx: HostContext,
        control_flow: &mut ControlFlow,
    ) {
        let previous = std::mem::replace(&mut self.ctx, Arc::new(ctx));
        self.set_protocol_ctx(self.ctx.clone());
        let configs = self.ctx.config.windows.clone();
        let mut opened = Vec::with_capacity(configs.len());
        for config in &configs {
            match self.build(target, config) {
                Ok(window) => opened.push((config.label.clone(), window)),
                Err(error) => {
                    eprintln!("millennium: keeping the running app: {error}");
                    drop(opened);
                    self.ctx = previous;
                    self.set_protocol_ctx(self.ctx.clone());
                    return;
                }
            }
        }
        self.labels.clear();
        drop(std::mem::take(&mut self.windows));
        for (label, window) in opened {
            self.insert(label, window);
        }
        if self.windows.is_empty() {
            *control_flow = ControlFlow::Exit;
        }
    }

    fn set_protocol_ctx(&self, ctx: Arc<HostContext>) {
        *self
            .protocol_ctx
            .write()
            .unwrap_or_else(PoisonError::into_inner) = ctx;
    }

    /// Builds one window with its webview, without registering it.
    fn build(
        &mut self,
        target: &EventLoopWindowTarget<UserEvent>,
        config: &WindowConfig,
    ) -> Result<AppWindow, HostError> {
        let label = config.label.clone();
        let url = window::start_url(&config.url).map_err(|reason| HostError::Url {
            label: label.clone(),
            reason,
        })?;
        let window = window::builder(config, &self.ctx.config.app.name)
            .build(target)
            .map_err(|source| HostError::Window {
                label: label.clone(),
                source,
            })?;
        if !config.visible && !config.resizable {
            // tao applies `resizable` on the first configure event, which a
            // hidden window does not get until it is shown.
            window.set_resizable(false);
        }
        if config.center {
            window::center(&window, Some(LogicalSize::new(config.width, config.height)));
        }
        let script = bridge::script(&BridgeParams {
            key: self.ctx.key.as_str(),
            label: &label,
            callback: &self.ctx.callback,
            freeze_prototype: self.ctx.config.security.freeze_prototype,
            remote: self
                .ctx
                .remote
                .for_window(&label)
                .map(|grant| RemotePage {
                    domain: &grant.domain,
                    allow_http: grant.allows_http(),
                    key: grant.key.as_str(),
                    api: grant.api,
                })
                .collect(),
        });
        let navigation = navigation_rule(&self.ctx, &url);
        let ipc = ipc_handler(self.ctx.clone(), self.proxy.clone(), label.clone());
        let load_proxy = self.proxy.clone();
        let load_label = label.clone();
        let devtools = config.devtools.unwrap_or(self.devtools_default);
        let register_protocol = !self.protocol_registered;
        let protocol_ctx = self.protocol_ctx.clone();
        let protocol_proxy = self.proxy.clone();

        let mut builder = WebViewBuilder::new_with_web_context(&mut self.web_context)
            .with_id(&label)
            .with_url(url)
            .with_initialization_script(script)
            .with_ipc_handler(ipc)
            .with_navigation_handler(navigation)
            .with_on_page_load_handler(move |event, _url| match event {
                wry::PageLoadEvent::Started => {
                    let _ = load_proxy.send_event(UserEvent::PageLoadStarted {
                        label: load_label.clone(),
                    });
                }
                // A freshly installed version is healthy once a page loaded.
                wry::PageLoadEvent::Finished => report_healthy_once(),
            })
            .with_new_window_req_handler(|url, _| {
                eprintln!("millennium-host: refused to open a popup for {url}");
                NewWindowResponse::Deny
            })
            .with_devtools(devtools)
            .with_transparent(config.transparent)
            .with_focused(config.focus);
        if let Some(color) = config
            .background_color
            .as_deref()
            .and_then(window::parse_color)
        {
            builder = builder.with_background_color(color);
        }
        if register_protocol {
            // One handler per web context serves every window; the webview id
            // (the label) tells them apart.
            builder = builder.with_asynchronous_custom_protocol(
                SCHEME.to_owned(),
                move |webview_id, request, responder| {
                    let ctx = protocol_ctx
                        .read()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    let proxy = protocol_proxy.clone();
                    let label = webview_id.to_owned();
                    std::thread::spawn(move || {
                        protocol::serve(&ctx, &proxy, label, request, responder);
                    });
                },
            );
        }
        let webview =
            platform::build_webview(builder, &window).map_err(|source| HostError::WebView {
                label: label.clone(),
                source,
            })?;
        self.protocol_registered = true;
        Ok(AppWindow {
            webview,
            window,
            intercept_close: false,
            close_pending: false,
        })
    }

    /// A close asked for by the user or by `close()`: the page decides when
    /// it listens for close requests, otherwise the window closes.
    fn request_close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        match self.windows.get_mut(label) {
            Some(w) if w.intercept_close => {
                w.close_pending = true;
                self.emit(
                    label,
                    "millennium://close-requested",
                    Value::Null,
                    Some(label),
                );
            }
            Some(_) => self.close(label, control_flow),
            None => {}
        }
    }

    fn close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        if let Some(closed) = self.windows.remove(label) {
            self.labels.remove(&closed.window.id());
            drop(closed);
        }
        if self.windows.is_empty() {
            *control_flow = ControlFlow::Exit;
        }
    }

    /// Sends a result back to the page (or fetch) that asked.
    fn reply(&self, label: &str, reply: Reply, result: Result<Value, String>) {
        match reply {
            Reply::Http(responder) => responder.respond(protocol::json_result(result)),
            Reply::Script { id, caller } => {
                let message = match result {
                    Ok(value) => json!({"kind": "reply", "id": id, "ok": true, "value": value}),
                    Err(error) => json!({"kind": "reply", "id": id, "ok": false, "error": error}),
                };
                self.post(label, &message, Some(caller));
            }
        }
    }

    /// Calls the bridge's callback in window `label`, but only while it shows
    /// a page that may use IPC (of `only`, when given): a window that
    /// navigated elsewhere gets nothing, and a reply never reaches a page of
    /// another caller than the one that asked.
    fn post(&self, label: &str, message: &Value, only: Option<Caller>) {
        let Some(entry) = self.windows.get(label) else {
            return;
        };
        let Some(current) = entry
            .webview
            .url()
            .ok()
            .and_then(|url| self.ctx.caller(label, &url))
        else {
            return;
        };
        if only.is_some_and(|caller| caller != current) {
            return;
        }
        let callback = json!(self.ctx.callback);
        let script = format!("window[{callback}] && window[{callback}]({message})");
        if let Err(error) = entry.webview.evaluate_script(&script) {
            eprintln!("millennium-host: cannot reach window `{label}`: {error}");
        }
    }

    fn emit(&self, label: &str, event: &str, payload: Value, window_label: Option<&str>) {
        self.emit_to(label, event, payload, window_label, None);
    }

    /// [`Runtime::emit`], heard only by pages of `only` when given.
    fn emit_to(
        &self,
        label: &str,
        event: &str,
        payload: Value,
        window_label: Option<&str>,
        only: Option<Caller>,
    ) {
        let message = json!({
            "kind": "event",
            "event": event,
            "payload": payload,
            "windowLabel": window_label,
        });
        self.post(label, &message, only);
    }

    fn on_window_event(
        &mut self,
        id: WindowId,
        event: WindowEvent,
        control_flow: &mut ControlFlow,
    ) {
        let Some(label) = self.labels.get(&id).cloned() else {
            // On Linux, tao reports a desktop theme change (XDG portal
            // `color-scheme`) once, for no particular window: every window
            // follows the desktop, so every window hears of it.
            if let WindowEvent::ThemeChanged(theme) = event {
                for label in self.windows.keys() {
                    let payload = json!(theme_name(theme));
                    self.emit(label, "millennium://theme-changed", payload, Some(label));
                }
            }
            return;
        };
        let l = Some(label.as_str());
        match event {
            WindowEvent::CloseRequested => self.request_close(&label, control_flow),
            WindowEvent::Resized(size) => {
                let payload = json!({"width": size.width, "height": size.height});
                self.emit(&label, "millennium://resize", payload, l);
            }
            WindowEvent::Moved(pos) => {
                self.emit(
                    &label,
                    "millennium://move",
                    json!({"x": pos.x, "y": pos.y}),
                    l,
                );
            }
            WindowEvent::Focused(focused) => {
                let name = if focused {
                    "millennium://focus"
                } else {
                    "millennium://blur"
                };
                self.emit(&label, name, Value::Null, l);
            }
            WindowEvent::ThemeChanged(theme) => {
                self.emit(
                    &label,
                    "millennium://theme-changed",
                    json!(theme_name(theme)),
                    l,
                );
            }
            WindowEvent::Destroyed => self.close(&label, control_flow),
            _ => {}
        }
    }

    /// Runs a blocking (file I/O, clipboard, notification) command on a
    /// worker thread; the result
    /// comes back to the loop as [`UserEvent::Settle`].
    fn run_on_worker(&self, label: String, command: Admitted, reply: Reply) {
        let ctx = Arc::clone(&self.ctx);
        let proxy = self.proxy.clone();
        std::thread::spawn(move || {
            if let Some(result) = ctx.run_blocking(&command) {
                // Fails only while the app exits.
                let _ = proxy.send_event(UserEvent::Settle {
                    label,
                    reply,
                    result,
                });
                return;
            }
            let result = match ctx.run_fs(&command) {
                Some(Ok(crate::api::fs::FsOutput::Json(value))) => Ok(value),
                Some(Ok(crate::api::fs::FsOutput::Bytes(_))) => Err(
                    "readBinaryFile answers through the fetch channel only (use Millennium.fs.readBinaryFile)"
                        .to_owned(),
                ),
                Some(Err(error)) => Err(error),
                None => Err("not a worker command".to_owned()),
            };
            // Fails only while the app exits.
            let _ = proxy.send_event(UserEvent::Settle {
                label,
                reply,
                result,
            });
        });
    }

    /// `checkUpdate()` and `installUpdate()`, on a worker thread; status and
    /// progress go to every window's app pages.
    fn run_updater(&self, label: String, command: UpdaterCommand, reply: Reply) {
        let ctx = Arc::clone(&self.ctx);
        let proxy = self.proxy.clone();
        let installing = Arc::clone(&self.installing);
        std::thread::spawn(move || {
            let result = match command {
                UpdaterCommand::Check => check_update(&ctx, &proxy),
                UpdaterCommand::Install => install_update(&ctx, &proxy, &installing, None),
            };
            // Fails only while the app exits.
            let _ = proxy.send_event(UserEvent::Settle {
                label,
                reply,
                result,
            });
        });
    }

    /// The built-in dialog of `check-on-start`: install now?
    fn prompt_update(&self, update: crate::updater::Update) {
        let Some(entry) = self.windows.values().next() else {
            return;
        };
        let ctx = Arc::clone(&self.ctx);
        let proxy = self.proxy.clone();
        let installing = Arc::clone(&self.installing);
        let message = crate::ipc::command::MessageDialog {
            message: format!(
                "{} {} is available (you have {}).{}\n\nInstall it now? The app restarts.",
                ctx.config.app.name,
                update.version,
                ctx.config.app.version,
                update
                    .notes
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .map(|n| format!("\n\n{n}"))
                    .unwrap_or_default()
            ),
            title: Some(format!("Update {}", ctx.config.app.name)),
            kind: crate::ipc::command::MessageKind::Info,
            buttons: crate::ipc::command::MessageButtons::YesNo,
            ok_label: Some("_Install".to_owned()),
            cancel_label: Some("_Later".to_owned()),
        };
        let done: crate::dialog::Done = Box::new(move |answer| {
            if answer == Ok(Value::Bool(true)) {
                std::thread::spawn(move || {
                    let _ = install_update(&ctx, &proxy, &installing, Some(update));
                });
            }
        });
        crate::dialog::show(
            &entry.window,
            &DialogCommand::Message(message),
            &self.ctx.config.app.name,
            self.ctx.fs.scope.clone(),
            done,
        );
    }

    /// Starts a scoped command for window `label`; its output goes to the
    /// page as `millennium://shell/<channel>` events, and only to pages of
    /// the caller that started it.
    fn spawn_child(
        &self,
        label: &str,
        reply: &Reply,
        run: &crate::ipc::command::ShellRun,
        channel: u64,
    ) -> Result<Value, String> {
        let caller = match reply {
            Reply::Script { caller, .. } => *caller,
            Reply::Http(_) => Caller::App,
        };
        let proxy = self.proxy.clone();
        let label = label.to_owned();
        let event = format!("millennium://shell/{channel}");
        self.ctx.spawn_child(
            run,
            Box::new(move |child_event| {
                // Fails only while the app exits.
                let _ = proxy.send_event(UserEvent::Emit {
                    label: label.clone(),
                    caller,
                    event: event.clone(),
                    payload: child_event.to_json(),
                });
            }),
        )
    }

    /// Shows a native dialog over window `label`; the promise settles when
    /// the user answers, through [`UserEvent::Settle`], so the loop keeps
    /// running meanwhile.
    fn show_dialog(&self, label: String, dialog: &DialogCommand, reply: Reply) {
        let Some(entry) = self.windows.get(&label) else {
            self.reply(&label, reply, Err(format!("no window labelled `{label}`")));
            return;
        };
        let proxy = self.proxy.clone();
        let settle_label = label.clone();
        let done: crate::dialog::Done = Box::new(move |result| {
            // Fails only while the app exits.
            let _ = proxy.send_event(UserEvent::Settle {
                label: settle_label,
                reply,
                result,
            });
        });
        crate::dialog::show(
            &entry.window,
            dialog,
            &self.ctx.config.app.name,
            self.ctx.fs.scope.clone(),
            done,
        );
    }

    /// Runs a command that needs the event loop.
    fn execute(
        &mut self,
        target: &EventLoopWindowTarget<UserEvent>,
        caller: &str,
        admitted: Admitted,
        control_flow: &mut ControlFlow,
    ) -> Result<Value, String> {
        let command = admitted.command().clone();
        match command {
            Command::App(AppCommand::Show | AppCommand::Hide) => {
                let visible = command == Command::App(AppCommand::Show);
                for w in self.windows.values() {
                    w.window.set_visible(visible);
                }
                Ok(Value::Null)
            }
            Command::Process(ProcessCommand::Exit(code)) => {
                *control_flow = ControlFlow::ExitWithCode(code);
                Ok(Value::Null)
            }
            Command::Process(ProcessCommand::Relaunch) => {
                let exe = std::env::current_exe().map_err(|e| format!("cannot relaunch: {e}"))?;
                std::process::Command::new(exe)
                    .args(std::env::args_os().skip(1))
                    .spawn()
                    .map_err(|e| format!("cannot relaunch: {e}"))?;
                *control_flow = ControlFlow::ExitWithCode(0);
                Ok(Value::Null)
            }
            Command::Emit(emit) => self.emit_from_page(emit),
            Command::Window { target: win, op } => {
                let label = win.unwrap_or_else(|| caller.to_owned());
                self.window_op(target, &label, op, control_flow)
            }
            // Handled by `run_local`; kept exhaustive so a new variant is a compile error.
            Command::App(_) | Command::Os(_) | Command::Path(_) | Command::Ping => {
                self.ctx.run_local(&admitted).unwrap_or(Ok(Value::Null))
            }
            // Sent to a worker thread before `execute` is reached: file I/O
            // never runs on the UI thread.
            Command::Fs(_)
            | Command::Clipboard(_)
            | Command::Notification(_)
            | Command::Shell(_)
            | Command::Http(_)
            | Command::Updater(_) => Err("this command runs on a worker thread".to_owned()),
            // Answered asynchronously by `show_dialog`.
            Command::Dialog(_) => Err("dialogs are shown by show_dialog".to_owned()),
        }
    }

    fn emit_from_page(&self, emit: Emit) -> Result<Value, String> {
        match &emit.target {
            Some(target) => {
                if !self.windows.contains_key(target) {
                    return Err(format!("no window labelled `{target}`"));
                }
                self.emit(target, &emit.event, emit.payload, Some(target));
            }
            None => {
                for label in self.windows.keys() {
                    self.emit(label, &emit.event, emit.payload.clone(), None);
                }
            }
        }
        Ok(Value::Null)
    }

    fn window_op(
        &mut self,
        target: &EventLoopWindowTarget<UserEvent>,
        label: &str,
        op: WindowOp,
        control_flow: &mut ControlFlow,
    ) -> Result<Value, String> {
        use WindowOp as W;
        if let W::Create { label, options } = &op {
            if !window::is_valid_label(label) {
                return Err(format!(
                    "`{label}` is not a valid window label (1 to 64 of A-Z a-z 0-9 _ : / -)"
                ));
            }
            if self.windows.contains_key(label) {
                return Err(format!("a window labelled `{label}` already exists"));
            }
            let config = window::from_options(label, options);
            self.open(target, &config).map_err(|e| e.to_string())?;
            return Ok(Value::Null);
        }
        if let W::Labels = op {
            let mut labels: Vec<&String> = self.windows.keys().collect();
            labels.sort();
            return Ok(json!(labels));
        }
        if let W::Close = op {
            if !self.windows.contains_key(label) {
                return Err(format!("no window labelled `{label}`"));
            }
            self.request_close(label, control_flow);
            return Ok(Value::Null);
        }
        if let W::ConfirmClose = op {
            if self.windows.get(label).is_some_and(|w| w.close_pending) {
                self.close(label, control_flow);
            }
            return Ok(Value::Null);
        }
        let entry = self
            .windows
            .get_mut(label)
            .ok_or_else(|| format!("no window labelled `{label}`"))?;
        let w = &entry.window;
        let null = Ok(Value::Null);
        match op {
            W::Create { .. } | W::Labels | W::Close | W::ConfirmClose => null,
            W::Title => Ok(json!(w.title())),
            W::InnerSize => Ok(size_json(w.inner_size())),
            W::OuterSize => Ok(size_json(w.outer_size())),
            W::InnerPosition => w
                .inner_position()
                .map(position_json)
                .map_err(|e| e.to_string()),
            W::OuterPosition => w
                .outer_position()
                .map(position_json)
                .map_err(|e| e.to_string()),
            W::ScaleFactor => Ok(json!(w.scale_factor())),
            W::IsFullscreen => Ok(json!(w.fullscreen().is_some())),
            W::IsMaximized => Ok(json!(w.is_maximized())),
            W::IsMinimized => Ok(json!(w.is_minimized())),
            W::IsFocused => Ok(json!(w.is_focused())),
            W::IsDecorated => Ok(json!(w.is_decorated())),
            W::IsResizable => Ok(json!(w.is_resizable())),
            W::IsVisible => Ok(json!(w.is_visible())),
            W::Theme => Ok(json!(theme_name(w.theme()))),
            W::Center => {
                window::center(w, None);
                null
            }
            W::RequestUserAttention => {
                w.request_user_attention(Some(tao::window::UserAttentionType::Informational));
                null
            }
            W::SetResizable(v) => {
                w.set_resizable(v);
                null
            }
            W::SetTitle(title) => {
                w.set_title(&title);
                null
            }
            W::Maximize => {
                w.set_maximized(true);
                null
            }
            W::Unmaximize => {
                w.set_maximized(false);
                null
            }
            W::ToggleMaximize => {
                w.set_maximized(!w.is_maximized());
                null
            }
            W::Minimize => {
                w.set_minimized(true);
                null
            }
            W::Unminimize => {
                w.set_minimized(false);
                null
            }
            W::Show => {
                w.set_visible(true);
                null
            }
            W::Hide => {
                w.set_visible(false);
                null
            }
            W::SetDecorations(v) => {
                w.set_decorations(v);
                null
            }
            W::SetAlwaysOnTop(v) => {
                w.set_always_on_top(v);
                null
            }
            W::SetSize(s) => {
                w.set_inner_size(to_size(s.unit, s.width, s.height));
                null
            }
            W::SetMinSize(s) => {
                w.set_min_inner_size(s.map(|s| to_size(s.unit, s.width, s.height)));
                null
            }
            W::SetMaxSize(s) => {
                w.set_max_inner_size(s.map(|s| to_size(s.unit, s.width, s.height)));
                null
            }
            W::SetPosition(p) => {
                w.set_outer_position(to_position(p.unit, p.x, p.y));
                null
            }
            W::SetFullscreen(v) => {
                w.set_fullscreen(v.then_some(tao::window::Fullscreen::Borderless(None)));
                null
            }
            W::SetFocus => {
                w.set_focus();
                null
            }
            W::SetSkipTaskbar(v) => platform::set_skip_taskbar(w, v).map(|()| Value::Null),
            W::SetCursorGrab(v) => w
                .set_cursor_grab(v)
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            W::SetCursorIcon(icon) => {
                w.set_cursor_icon(icon);
                null
            }
            W::SetCursorVisible(v) => {
                w.set_cursor_visible(v);
                null
            }
            W::SetCursorPosition(p) => w
                .set_cursor_position(to_position(p.unit, p.x, p.y))
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            W::SetIgnoreCursorEvents(v) => w
                .set_ignore_cursor_events(v)
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            W::StartDragging => w
                .drag_window()
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            W::Print => entry
                .webview
                .print()
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            W::InterceptClose(v) => {
                entry.intercept_close = v;
                null
            }
        }
    }
}

/// The postMessage handler of one window: everything is decided by
/// [`HostContext::screen`] (sender URL, key, command, gate); this only hands
/// the outcome to the loop.
fn ipc_handler(
    ctx: Arc<HostContext>,
    proxy: EventLoopProxy<UserEvent>,
    label: String,
) -> impl Fn(Request<String>) + 'static {
    move |request: Request<String>| {
        // WebKitGTK reports the main frame's URL here, also for messages
        // from iframes: those are told apart by the key they cannot know.
        let source = request.uri().to_string();
        let event = match ctx.screen(&label, &source, request.body()) {
            Screened::Invoke {
                id,
                caller,
                command,
            } => UserEvent::Invoke {
                label: label.clone(),
                command,
                reply: Reply::Script { id, caller },
            },
            Screened::Reject { id, caller, error } => UserEvent::Reject {
                label: label.clone(),
                id,
                caller,
                error,
            },
            Screened::Ignore(reason) => {
                eprintln!("millennium-host: ignored an IPC message in window `{label}`: {reason}");
                return;
            }
        };
        // Fails only while the app exits.
        let _ = proxy.send_event(event);
    }
}

/// Which navigations a window may make: the app's pages, its own start URL,
/// and `[security] allowed-navigation`.
fn navigation_rule(ctx: &HostContext, start_url: &str) -> impl Fn(String) -> bool + 'static {
    let allowed = ctx.config.security.allowed_navigation.clone();
    let start = start_url.to_owned();
    move |url: String| {
        let ok = window::is_app_url(&url)
            || url == start
            || url == "about:blank"
            || allowed
                .iter()
                .any(|glob| window::wildcard_match(glob, &url));
        if !ok {
            eprintln!(
                "millennium-host: refused navigation to {url} (not in [security] allowed-navigation)"
            );
        }
        ok
    }
}

fn theme_name(theme: tao::window::Theme) -> &'static str {
    match theme {
        tao::window::Theme::Dark => "dark",
        _ => "light",
    }
}

fn size_json(size: PhysicalSize<u32>) -> Value {
    json!({"type": "Physical", "width": size.width, "height": size.height})
}

fn position_json(pos: PhysicalPosition<i32>) -> Value {
    json!({"type": "Physical", "x": pos.x, "y": pos.y})
}

fn to_size(unit: Unit, width: f64, height: f64) -> Size {
    match unit {
        Unit::Logical => Size::Logical(LogicalSize::new(width, height)),
        Unit::Physical => Size::Physical(PhysicalSize::new(width as u32, height as u32)),
    }
}

fn to_position(unit: Unit, x: f64, y: f64) -> Position {
    match unit {
        Unit::Logical => Position::Logical(LogicalPosition::new(x, y)),
        Unit::Physical => Position::Physical(PhysicalPosition::new(x as i32, y as i32)),
    }
}

/// Writes the health report of a freshly installed version, once.
fn report_healthy_once() {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    REPORTED.call_once(crate::updater::report_healthy);
}

fn broadcast(proxy: &EventLoopProxy<UserEvent>, event: &UpdateEvent) {
    let (name, payload) = event.to_event();
    // Fails only while the app exits.
    let _ = proxy.send_event(UserEvent::Broadcast {
        event: name.to_owned(),
        payload,
    });
}

/// `checkUpdate()`: Tauri v1's `{ shouldUpdate, manifest }`.
fn check_update(ctx: &HostContext, proxy: &EventLoopProxy<UserEvent>) -> Result<Value, String> {
    let found = ctx
        .updater()
        .and_then(|updater| updater.check())
        .map_err(|e| e.to_string())?;
    Ok(match found {
        Some(update) => json!({"shouldUpdate": true, "manifest": update.to_json()}),
        None => {
            broadcast(proxy, &UpdateEvent::UpToDate);
            json!({"shouldUpdate": false})
        }
    })
}

/// `installUpdate()` (or the built-in dialog's "Install"): check unless
/// `found` is given, then download, verify, install and start the new
/// version; on success this process exits a moment later.
fn install_update(
    ctx: &HostContext,
    proxy: &EventLoopProxy<UserEvent>,
    installing: &AtomicBool,
    found: Option<Update>,
) -> Result<Value, String> {
    if installing.swap(true, Ordering::SeqCst) {
        return Err("an update is already being installed".to_owned());
    }
    let result = (|| {
        let updater = ctx.updater()?;
        let update = match found {
            Some(update) => update,
            None => updater.check()?.ok_or_else(|| {
                UpdateError::NoUpdate(format!(
                    "{} is the latest version",
                    updater.current_version()
                ))
            })?,
        };
        updater.install(&update, &mut |event| broadcast(proxy, &event))
    })();
    match result {
        Ok(()) => {
            broadcast(proxy, &UpdateEvent::Done);
            let proxy = proxy.clone();
            std::thread::spawn(move || {
                // Let the page hear DONE and its promise settle first.
                std::thread::sleep(std::time::Duration::from_secs(1));
                let _ = proxy.send_event(UserEvent::ExitForUpdate);
            });
            Ok(Value::Null)
        }
        Err(error) => {
            installing.store(false, Ordering::SeqCst);
            let message = error.to_string();
            broadcast(proxy, &UpdateEvent::Error(message.clone()));
            Err(message)
        }
    }
}

/// At start: remove what an interrupted update left, and check for an
/// update when `[updater] check-on-start` says so (asking with the built-in
/// dialog, or telling the pages with `millennium://update-available`).
fn start_updater(ctx: &Arc<HostContext>, proxy: &EventLoopProxy<UserEvent>) {
    let updater = &ctx.config.updater;
    let Some(executable) = ctx.executable.as_deref() else {
        return;
    };
    if !updater.active {
        return;
    }
    crate::updater::install::clean_stale(executable);
    if !updater.check_on_start {
        return;
    }
    let ctx = Arc::clone(ctx);
    let proxy = proxy.clone();
    std::thread::spawn(move || {
        let found = ctx.updater().and_then(|updater| updater.check());
        match found {
            Ok(Some(update)) if ctx.config.updater.dialog => {
                let _ = proxy.send_event(UserEvent::UpdatePrompt(Box::new(update)));
            }
            Ok(Some(update)) => {
                let _ = proxy.send_event(UserEvent::Broadcast {
                    event: "millennium://update-available".to_owned(),
                    payload: update.to_json(),
                });
            }
            Ok(None) => {}
            Err(error) => eprintln!("millennium-host: {error}"),
        }
    });
}
