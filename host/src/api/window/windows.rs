//! The app's windows: building each one with its webview (bridge script,
//! IPC and navigation handlers, the custom protocol), closing them, and
//! reaching their pages (replies, events) only while they show a page that
//! may hear them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use tao::platform::unix::WindowExtUnix;
use std::sync::{Arc, PoisonError, RwLock};

use millennium_config::model::WindowConfig;
use serde_json::{Value, json};
use tao::dpi::LogicalSize;
use tao::event::WindowEvent;
use tao::event_loop::{ControlFlow, EventLoopProxy, EventLoopWindowTarget};
use tao::window::{Window, WindowId};
use wry::http::Request;
use wry::{NewWindowResponse, WebContext, WebView, WebViewBuilder};

use super::{config, state};
use crate::bridge::{self, BridgeParams, RemotePage};
use crate::context::{Caller, HostContext, Screened};
use crate::events::{Reply, UserEvent, page};
use crate::ipc::Output;
use crate::{SCHEME, platform, protocol};

/// Why a window (and so the host, at start) could not open.
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
    /// `[app] single-instance`: neither the first copy nor one that could
    /// hand over.
    #[error("{0}")]
    Instance(String),
}

/// The context the protocol handler serves from. It is registered once per
/// web context, so a dev restart swaps what it points to.
type SharedContext = Arc<RwLock<Arc<HostContext>>>;

/// A window and its webview. The webview is declared first so it is dropped
/// before the window that contains it.
pub(super) struct AppWindow {
    pub(super) webview: WebView,
    pub(super) window: Window,
    /// The page listens for close requests and decides itself.
    pub(super) intercept_close: bool,
    /// A close was requested and the page has not answered yet.
    pub(super) close_pending: bool,
    /// What closing it does (`[[windows]] close-behavior`).
    pub(super) close_behavior: millennium_config::model::CloseBehavior,
    /// A `quit` asked it to close: it closes (not hides) once its page
    /// lets it. A later close of its own (the page kept it open) hides it
    /// again.
    pub(super) quitting: bool,
}

/// Every open window, by label, and what building one needs.
pub struct Windows {
    ctx: Arc<HostContext>,
    protocol_ctx: SharedContext,
    proxy: EventLoopProxy<UserEvent>,
    /// Devtools for windows that do not set `devtools` (dev mode only).
    devtools_default: bool,
    web_context: WebContext,
    pub(super) open: HashMap<String, AppWindow>,
    labels: HashMap<WindowId, String>,
    protocol_registered: bool,
    /// Blocking `postMessage` calls running at once (each on its own
    /// thread), bounded as the custom protocol's requests are.
    workers: Arc<protocol::RequestLimit>,
    /// The last answer about a download (every window's webview registers
    /// its handler on the shared context, so each download reaches all of
    /// them: one asks, the others reuse its answer).
    downloads: Rc<RefCell<Option<DownloadAnswer>>>,
    /// The menu bars, context menus and tray.
    pub(crate) desktop: crate::desktop::Desktop,
    /// The window whose page popped up the context menu shown last.
    pub(super) popup_window: Option<String>,
}

/// What the user answered for the download of `url`, and when.
struct DownloadAnswer {
    url: String,
    at: std::time::Instant,
    destination: Option<PathBuf>,
}

impl Windows {
    /// No windows yet.
    pub fn new(
        ctx: Arc<HostContext>,
        proxy: EventLoopProxy<UserEvent>,
        web_context: WebContext,
        devtools_default: bool,
    ) -> Windows {
        Windows {
            protocol_ctx: Arc::new(RwLock::new(ctx.clone())),
            ctx,
            proxy,
            devtools_default,
            web_context,
            open: HashMap::new(),
            labels: HashMap::new(),
            protocol_registered: false,
            downloads: Rc::default(),
            desktop: crate::desktop::Desktop::default(),
            popup_window: None,
            workers: protocol::RequestLimit::new(protocol::MAX_CONCURRENT_REQUESTS),
        }
    }

    /// The running app.
    pub fn ctx(&self) -> &Arc<HostContext> {
        &self.ctx
    }

    /// A place for one more blocking call, or `None` when
    /// [`protocol::MAX_CONCURRENT_REQUESTS`] run already.
    pub fn worker_slot(&self) -> Option<protocol::RequestSlot> {
        self.workers.try_acquire()
    }

    /// The event loop.
    pub fn proxy(&self) -> &EventLoopProxy<UserEvent> {
        &self.proxy
    }

    /// Whether a window has this label.
    pub fn contains(&self, label: &str) -> bool {
        self.open.contains_key(label)
    }

    /// Every label, in no particular order.
    pub fn labels(&self) -> impl Iterator<Item = &String> {
        self.open.keys()
    }

    /// The tao window labelled `label`.
    pub fn window(&self, label: &str) -> Option<&Window> {
        self.open.get(label).map(|w| &w.window)
    }

    /// Any window (the built-in update dialog needs a parent).
    pub fn any_window(&self) -> Option<&Window> {
        self.open.values().next().map(|w| &w.window)
    }

    /// Shows or hides every window (`app.show()`, `app.hide()`).
    pub fn set_all_visible(&self, visible: bool) {
        for w in self.open.values() {
            w.window.set_visible(visible);
        }
    }

    /// Opens one window with its webview.
    pub fn open(
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
        self.open.insert(label, opened);
    }

    /// Dev mode: reloads every page (the frontend changed on disk).
    pub fn reload_all(&self) {
        for (label, entry) in &self.open {
            if let Err(error) = entry.webview.reload() {
                eprintln!("millennium: cannot reload window `{label}`: {error}");
            }
        }
    }

    /// Dev mode: the new context's windows open first; only when all of them
    /// did are the old ones closed, so a failure leaves the app as it was.
    pub fn restart(
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
        drop(std::mem::take(&mut self.open));
        // The old config's sidecars and children end with it; the new
        // config's at-start sidecars start.
        previous.shut_down();
        self.ctx.start_sidecars(&self.proxy);
        self.ctx.shortcuts().start_declared(&self.proxy);
        for (label, window) in opened {
            self.insert(label, window);
        }
        if self.open.is_empty() {
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
        let url = config::start_url(&config.url).map_err(|reason| HostError::Url {
            label: label.clone(),
            reason,
        })?;
        let mut builder = config::builder(config, &self.ctx.config.app.name);
        let remembered = config
            .remember_state
            .then(|| self.state_file())
            .flatten()
            .and_then(|file| state::load(&file).remove(&label))
            .map(|saved| state::onto(saved, &state::monitors(target)));
        if let Some(saved) = &remembered {
            builder = state::apply(builder, saved);
        }
        if let Some(png) = &self.ctx.window_icon {
            match crate::desktop::tray::window_icon_from_png(png) {
                Ok(icon) => builder = builder.with_window_icon(Some(icon)),
                Err(error) => eprintln!("millennium: the window icon is not used: {error}"),
            }
        }
        let window = builder
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
        if config.center && remembered.is_none() {
            config::center(&window, Some(LogicalSize::new(config.width, config.height)));
        }
        // After an update the new version is healthy when its main window
        // came up: for an app page, once the page's bridge says so; for a
        // remote page, once its first load finished without failing
        // (WebKitGTK reports a failed load as finished too).
        let reporting = self.ctx.is_main_window(&label) && crate::updater::reporting_health();
        let health_by_bridge = reporting && config::is_app_url(&url);
        let health_by_load = reporting && !health_by_bridge;
        let load_failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let load_failed_seen = load_failed.clone();
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
                    port: grant.port,
                    allow_http: grant.allows_http(),
                    key: grant.key.as_str(),
                    api: grant.api,
                })
                .collect(),
            report_ready: health_by_bridge,
        });
        let navigation = navigation_rule(&self.ctx, &url);
        let ipc = ipc_handler(self.ctx.clone(), self.proxy.clone(), label.clone());
        let load_proxy = self.proxy.clone();
        let load_label = label.clone();
        let security = &self.ctx.config.security;
        let packaged = self.ctx.executable.is_some();
        let devtools = devtools_for(config, self.devtools_default, packaged, security);
        let download = download_rule(
            self.ctx.config.security.allow_downloads,
            self.downloads.clone(),
            window.gtk_window().clone(),
        );
        let register_protocol = !self.protocol_registered;
        let protocol_ctx = self.protocol_ctx.clone();
        let protocol_proxy = self.proxy.clone();
        let limit = protocol::RequestLimit::new(protocol::MAX_CONCURRENT_REQUESTS);

        let mut builder = WebViewBuilder::new_with_web_context(&mut self.web_context)
            .with_id(&label)
            .with_url(url)
            .with_initialization_script(script)
            .with_ipc_handler(ipc)
            .with_navigation_handler(navigation)
            .with_on_page_load_handler(move |event, url_loaded| match event {
                wry::PageLoadEvent::Started => {
                    // At once, on this thread: from here on, answers and
                    // output meant for the previous page are dropped.
                    page::started(&load_label);
                    let _ = load_proxy.send_event(UserEvent::PageLoadStarted {
                        label: load_label.clone(),
                    });
                }
                wry::PageLoadEvent::Finished => {
                    // `about:blank` is what shows when the start URL was
                    // never loaded (a port WebKit blocks); a failure stays a
                    // failure, even once WebKit's error page has loaded.
                    let shown = !url_loaded.is_empty() && url_loaded != "about:blank";
                    if health_by_load
                        && shown && !load_failed_seen.load(std::sync::atomic::Ordering::SeqCst) {
                        crate::updater::report_healthy_once();
                    }
                }
            })
            .with_new_window_req_handler(|url, _| {
                eprintln!("millennium-host: refused to open a popup for {url}");
                NewWindowResponse::Deny
            })
            .with_download_started_handler(download)
            .with_devtools(devtools)
            .with_transparent(config.transparent)
            .with_focused(config.focus);
        if let Some(color) = config
            .background_color
            .as_deref()
            .and_then(config::parse_color)
        {
            builder = builder.with_background_color(color);
        }
        if register_protocol {
            // One handler per web context serves every window; the webview id
            // (the label) tells them apart.
            builder = builder.with_asynchronous_custom_protocol(
                SCHEME.to_owned(),
                move |webview_id, request, responder| {
                    let Some(slot) = limit.try_acquire() else {
                        return responder.respond(protocol::busy());
                    };
                    let ctx = protocol_ctx
                        .read()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    let proxy = protocol_proxy.clone();
                    let label = webview_id.to_owned();
                    std::thread::spawn(move || {
                        protocol::serve(&ctx, &proxy, label, request, responder);
                        drop(slot);
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
        if health_by_load {
            platform::on_load_failed(&webview, move || {
                load_failed.store(true, std::sync::atomic::Ordering::SeqCst);
            });
        }
        if let Some(menu) = &config.menu {
            match self.ctx.config.menus.get(menu) {
                Some(declared) => {
                    if let Err(error) = self.desktop.attach_bar(&label, menu, &declared.items, &window) {
                        eprintln!("millennium: window `{label}` has no menu bar: {error}");
                    }
                }
                None => eprintln!("millennium: window `{label}` has no menu bar: no menu `{menu}` is declared"),
            }
        }
        Ok(AppWindow {
            webview,
            window,
            intercept_close: false,
            close_pending: false,
            close_behavior: config.close_behavior,
            quitting: false,
        })
    }

    /// A close asked for by the user or by `close()`: the page decides when
    /// it listens for close requests, otherwise the window closes.
    pub fn request_close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        if let Some(w) = self.open.get_mut(label) {
            w.quitting = false;
        }
        self.ask_close(label, control_flow);
    }

    /// [`Windows::request_close`], keeping why it was asked.
    fn ask_close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        match self.open.get_mut(label) {
            Some(w) if w.intercept_close => {
                w.close_pending = true;
                self.host_event(
                    label,
                    "millennium://close-requested",
                    Value::Null,
                    Some(label),
                );
            }
            Some(_) => self.finish_close(label, control_flow),
            None => {}
        }
    }

    /// A close nobody holds back any more: the window hides when its
    /// `close-behavior` says so, and closes otherwise.
    pub fn finish_close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        match self.open.get_mut(label) {
            Some(w) if !w.quitting && w.close_behavior == millennium_config::model::CloseBehavior::Hide => {
                w.close_pending = false;
                w.window.set_visible(false);
            }
            Some(_) => self.close(label, control_flow),
            None => {}
        }
    }

    /// A `quit` menu item: every window closes, those whose page listens
    /// for close requests once the page lets it (so it can save first);
    /// the app ends with the last window, as always.
    pub fn quit(&mut self, control_flow: &mut ControlFlow) {
        let labels: Vec<String> = self.open.keys().cloned().collect();
        for label in labels {
            if let Some(w) = self.open.get_mut(&label) {
                w.quitting = true;
            }
            self.ask_close(&label, control_flow);
        }
        if self.open.is_empty() {
            *control_flow = ControlFlow::Exit;
        }
    }

    /// `$APPCONFIG/window-state.json`, where `remember-state` windows are.
    fn state_file(&self) -> Option<std::path::PathBuf> {
        state::file(self.ctx.paths.base_dir(millennium_config::BaseDirectory::AppConfig))
    }

    /// Saves the state of window `label` when its config remembers it.
    fn remember(&self, label: &str) {
        let remembers = self.ctx.config.windows.iter().any(|w| w.label == label && w.remember_state);
        let (Some(file), Some(entry)) = (remembers.then(|| self.state_file()).flatten(), self.open.get(label))
        else {
            return;
        };
        if let Some(now) = state::of(&entry.window)
            && let Err(error) = state::save(&file, label, now)
        {
            eprintln!("millennium: the size and position of window `{label}` were not saved: {error}");
        }
    }

    /// The app is exiting with these windows open: each that remembers its
    /// state saves it.
    pub fn remember_all(&self) {
        for label in self.open.keys() {
            self.remember(label);
        }
    }

    /// Closes a window now; the app exits with its last window.
    pub fn close(&mut self, label: &str, control_flow: &mut ControlFlow) {
        self.remember(label);
        if let Some(closed) = self.open.remove(label) {
            self.labels.remove(&closed.window.id());
            drop(closed);
            self.ctx.page_gone(label);
            self.desktop.forget(&crate::desktop::Place::Window(label.to_owned()));
        }
        if self.open.is_empty() {
            *control_flow = ControlFlow::Exit;
        }
    }

    /// Window `label` started loading a page: what the previous page asked
    /// for (close interception) no longer holds.
    pub fn page_load_started(&mut self, label: &str) {
        if let Some(entry) = self.open.get_mut(label) {
            entry.intercept_close = false;
            entry.close_pending = false;
        }
        self.ctx.page_gone(label);
    }

    /// Sends a result back to the page (or fetch) that asked.
    pub fn reply(&self, label: &str, reply: Reply, result: Result<Output, String>) {
        match reply {
            Reply::Http(responder) => responder.respond(protocol::output_response(result)),
            Reply::Script { id, caller, page } => {
                let message = match result {
                    Ok(Output::Json(value)) => {
                        json!({"kind": "reply", "id": id, "ok": true, "value": value})
                    }
                    // The fetch-only commands are refused before they run on
                    // this channel; this is the backstop.
                    Ok(Output::Bytes(_) | Output::Part { .. }) => json!({"kind": "reply", "id": id, "ok": false,
                        "error": "this answer is raw bytes, which only the fetch channel carries"}),
                    Err(error) => json!({"kind": "reply", "id": id, "ok": false, "error": error}),
                };
                self.post(label, &message, Audience::Caller(caller), Some(page));
            }
        }
    }

    /// Calls the bridge's callback in window `label`, but only while it shows
    /// a page that may use IPC and that `audience` includes, and (with
    /// `page`) only while it still shows that page: a window that navigated
    /// elsewhere gets nothing, and a reply never reaches a page of another
    /// caller than the one that asked. WebKit runs the script later, in
    /// whatever document shows by then, so the script checks the origin
    /// again itself.
    fn post(&self, label: &str, message: &Value, audience: Audience<'_>, page: Option<u64>) {
        let Some(entry) = self.open.get(label) else {
            return;
        };
        if page.is_some_and(|asked| asked != crate::events::page::current(label)) {
            return;
        }
        let Ok(url) = entry.webview.url() else {
            return;
        };
        let Some(current) = self.ctx.caller(label, &url) else {
            return;
        };
        let heard = match audience {
            Audience::Any => true,
            Audience::Caller(caller) => caller == current,
            Audience::Event(name) => match current {
                Caller::App => true,
                Caller::Remote(index) => self
                    .ctx
                    .remote
                    .get(index)
                    .is_some_and(|grant| grant.events.iter().any(|e| e == name)),
            },
            Audience::Sidecar(name) => match current {
                Caller::App => true,
                Caller::Remote(index) => self
                    .ctx
                    .remote
                    .get(index)
                    .is_some_and(|grant| grant.sidecars.iter().any(|s| s == name)),
            },
        };
        if !heard {
            return;
        }
        let origin = match current {
            Caller::App => crate::APP_ORIGIN.to_owned(),
            Caller::Remote(_) => match url::Url::parse(&url) {
                Ok(parsed) => parsed.origin().ascii_serialization(),
                Err(_) => return,
            },
        };
        let callback = json!(self.ctx.callback);
        let origin = json!(origin);
        let script = format!(
            "window.location.origin === {origin} && window[{callback}] && window[{callback}]({message})"
        );
        if let Err(error) = entry.webview.evaluate_script(&script) {
            eprintln!("millennium-host: cannot reach window `{label}`: {error}");
        }
    }

    /// Event `event` from an app page for the pages of window `label` (with
    /// `windowLabel`): app pages, and remote pages whose grant lists it.
    pub fn emit(&self, label: &str, event: &str, payload: Value, window_label: Option<&str>) {
        self.emit_to(label, event, payload, window_label, Audience::Event(event), None);
    }

    /// One of the host's own `millennium://` events for every page of window
    /// `label` that may use IPC.
    fn host_event(&self, label: &str, event: &str, payload: Value, window_label: Option<&str>) {
        self.emit_to(label, event, payload, window_label, Audience::Any, None);
    }

    /// [`Windows::emit`], heard by `audience`, and (with `page`) only while
    /// that page shows.
    pub fn emit_to(
        &self,
        label: &str,
        event: &str,
        payload: Value,
        window_label: Option<&str>,
        audience: Audience<'_>,
        page: Option<u64>,
    ) {
        let message = json!({
            "kind": "event",
            "event": event,
            "payload": payload,
            "windowLabel": window_label,
        });
        self.post(label, &message, audience, page);
    }

    /// An event for the app pages of every window.
    pub fn broadcast(&self, event: &str, payload: Value) {
        self.broadcast_to(None, event, payload, Audience::Caller(Caller::App));
    }

    /// [`Windows::broadcast`] to the windows `labels` only (all when `None`).
    pub fn broadcast_to(
        &self,
        labels: Option<&[String]>,
        event: &str,
        payload: Value,
        audience: Audience<'_>,
    ) {
        for label in self.open.keys() {
            if labels.is_some_and(|labels| !labels.contains(label)) {
                continue;
            }
            self.emit_to(label, event, payload.clone(), None, audience, None);
        }
    }

    /// A later launch handed over (`[app] single-instance`): the app pages
    /// hear `millennium://second-instance` (`{ args, cwd }`), and the main
    /// window is shown, restored and focused.
    pub fn second_instance(&self, forwarded: crate::instance::Forwarded) {
        use millennium_config::model::{AppAllowlist, DeepLinkAllowlist};
        let config = &self.ctx.config;
        let main = config.windows.first().map(|w| w.label.as_str());
        // Its URLs and files, sorted as at a start, relative to its cwd.
        let sorted = crate::launch::sort(config, &forwarded.args, std::path::Path::new(&forwarded.cwd));
        for why in &sorted.refused {
            eprintln!("millennium: a later launch's argument was not opened: {why}");
        }
        let payload = json!({ "args": forwarded.args, "cwd": forwarded.cwd });
        self.broadcast("millennium://second-instance", payload);
        if !sorted.deep_links.is_empty() && config.allowlist.permits(DeepLinkAllowlist::get_current) {
            self.broadcast(crate::api::deepLink::EVENT, json!({ "urls": sorted.deep_links }));
        }
        if let Some(main) = main
            && !sorted.files.is_empty()
            && config.allowlist.permits(AppAllowlist::get_opened_files)
        {
            let mut paths = Vec::new();
            for file in &sorted.files {
                match self.ctx.fs_scope().grant(file, crate::api::fs::scope::GrantKind::Exact, main) {
                    Ok(granted) => paths.push(granted.to_string_lossy().into_owned()),
                    Err(error) => eprintln!("millennium: `{}` was not opened: {error}", file.display()),
                }
            }
            self.broadcast(crate::api::app::FILES_OPENED_EVENT, json!({ "paths": paths }));
        }
        if let Some(window) = main.and_then(|label| self.window(label)) {
            window.set_visible(true);
            window.set_minimized(false);
            window.set_focus();
        }
    }

    /// Window events to the pages as `millennium://` events.
    pub fn on_window_event(
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
                for label in self.open.keys() {
                    let payload = json!(theme_name(theme));
                    self.host_event(label, "millennium://theme-changed", payload, Some(label));
                }
            }
            return;
        };
        let l = Some(label.as_str());
        match event {
            WindowEvent::CloseRequested => self.request_close(&label, control_flow),
            WindowEvent::Resized(size) => {
                // tao's size counts Wayland's client-side decorations.
                let size = self.window(&label).map_or(size, platform::inner_size);
                let payload = json!({"width": size.width, "height": size.height});
                self.host_event(&label, "millennium://resize", payload, l);
            }
            WindowEvent::Moved(pos) => {
                self.host_event(
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
                self.host_event(&label, name, Value::Null, l);
            }
            WindowEvent::ThemeChanged(theme) => {
                self.host_event(
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
}

/// `light` or `dark`, as the pages spell it.
pub(super) fn theme_name(theme: tao::window::Theme) -> &'static str {
    match theme {
        tao::window::Theme::Dark => "dark",
        _ => "light",
    }
}

/// Whether window `config` gets devtools: as it says in the generic host and
/// `millennium dev` (whose default is on), and in a packaged app only with
/// `[security] dangerous-allow-devtools`.
fn devtools_for(
    config: &WindowConfig,
    dev_default: bool,
    packaged: bool,
    security: &millennium_config::model::SecurityConfig,
) -> bool {
    let wanted = config.devtools.unwrap_or(dev_default);
    wanted && (!packaged || security.dangerous_allow_devtools)
}

/// The download handler of one window: refuse unless `[security]
/// allow-downloads`, and then ask where to save it.
fn download_rule(
    allowed: bool,
    answers: Rc<RefCell<Option<DownloadAnswer>>>,
    parent: gtk::ApplicationWindow,
) -> impl FnMut(String, &mut PathBuf) -> bool + 'static {
    move |url: String, destination: &mut PathBuf| {
        if !allowed {
            eprintln!(
                "millennium-host: refused a download of {} ([security] allow-downloads is off)",
                shorten_url(&url)
            );
            return false;
        }
        // No borrow is held while the dialog runs its nested main loop, in
        // which another download may ask too.
        let fresh = answers
            .borrow()
            .as_ref()
            .filter(|a| a.url == url && a.at.elapsed() < std::time::Duration::from_secs(2))
            .map(|a| a.destination.clone());
        let chosen = match fresh {
            Some(destination) => destination,
            None => {
                let chosen = crate::api::dialog::ask_download(&parent, destination);
                *answers.borrow_mut() = Some(DownloadAnswer {
                    url,
                    at: std::time::Instant::now(),
                    destination: chosen.clone(),
                });
                chosen
            }
        };
        match chosen {
            Some(path) => {
                *destination = path;
                true
            }
            None => false,
        }
    }
}

/// A URL for a log line: `data:` URLs can be megabytes long.
fn shorten_url(url: &str) -> String {
    match url.char_indices().nth(120) {
        Some((at, _)) => format!("{}...", &url[..at]),
        None => url.to_owned(),
    }
}

/// Which pages of a window hear a message.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// Any page that may use IPC (the host's own window events).
    Any,
    /// Pages of this caller only (replies, a child's output, host events).
    Caller(Caller),
    /// An app event: app pages, and remote pages whose grant lists it in
    /// `events`.
    Event(&'a str),
    /// A notification of this sidecar: app pages, and remote pages whose
    /// grant lists it in `sidecars`.
    Sidecar(&'a str),
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
                reply: Reply::Script {
                    id,
                    caller,
                    page: page::current(&label),
                },
            },
            Screened::Reject { id, caller, error } => UserEvent::Reject {
                page: page::current(&label),
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
/// and `[security] allowed-navigation` (matched by the URL-glob matcher of
/// the http scope: parsed first, then scheme, host, port and path apart).
fn navigation_rule(ctx: &HostContext, start_url: &str) -> impl Fn(String) -> bool + 'static {
    let allowed = ctx.navigation.clone();
    let start = start_url.to_owned();
    move |url: String| {
        let ok = config::is_app_url(&url)
            || url == start
            || url == "about:blank"
            || allowed.allows_text(&url);
        if !ok {
            eprintln!(
                "millennium-host: refused navigation to {url} (not in [security] allowed-navigation)"
            );
        }
        ok
    }
}



#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (security review): `devtools = true` in `[[windows]]`
    /// survived into packaged apps, where whoever sits at the machine could
    /// run code with the app's API from the inspector.
    #[test]
    fn packaged_apps_get_devtools_only_with_the_dangerous_key() {
        let mut window = WindowConfig {
            devtools: Some(true),
            ..WindowConfig::default()
        };
        let mut security = millennium_config::model::SecurityConfig::default();
        assert!(devtools_for(&window, false, false, &security), "generic host");
        assert!(!devtools_for(&window, false, true, &security), "packaged");
        security.dangerous_allow_devtools = true;
        assert!(devtools_for(&window, false, true, &security));
        window.devtools = None;
        assert!(devtools_for(&window, true, false, &security), "millennium dev");
        assert!(!devtools_for(&window, false, true, &security));
    }
}
