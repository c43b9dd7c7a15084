//! What every part of a running app shares, read-only, across threads: the
//! config-derived policy (gate, CSP), the invoke key, the asset resolver, and
//! the state of every API, which only an admitted command reaches.

use crate::api::sidecar::FileSource;
use std::path::{Path, PathBuf};

#[cfg(feature = "generic")]
use millennium_config::LoadedConfig;
use millennium_config::model::Config;

use crate::api::fs::{FsScope, Protected, ScopeError};
use crate::api::path::PathContext;
use crate::api::updater::UpdaterState;
use crate::api::window::config as window;
use crate::api::{Api, Setup};
use crate::assets::{AssetResolver, SourceError};
use crate::ipc::decode::{decode_command, decode_envelope};
use crate::ipc::router::{ApiStates, StateOf};
use crate::ipc::{self, Admitted, AllowlistGate, Command, InvokeKey, Refusal};
use crate::remote::RemoteGrants;
use crate::updater::{UpdateError, Updater};
use millennium_config::url_glob::UrlGlobs;

/// Why an app could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The frontend directory is missing or unreadable.
    #[error("frontend directory {}: {source}", path.display())]
    Frontend {
        /// The directory from `[app] frontend`.
        path: PathBuf,
        /// Why.
        #[source]
        source: SourceError,
    },
    /// A glob of `[allowlist.fs] scope` cannot be used.
    #[error(transparent)]
    FsScope(#[from] ScopeError),
    /// `[allowlist.shell]` cannot be used.
    #[error("[allowlist.shell]: {0}")]
    Shell(String),
    /// `[allowlist.http] scope` cannot be used.
    #[error("[allowlist.http] scope: {0}")]
    HttpScope(String),
    /// `[security] dangerous-remote-domain-ipc-access` cannot be used.
    #[error("[security]: {0}")]
    Remote(String),
    /// `[security] allowed-navigation` cannot be used.
    #[error("[security] allowed-navigation: {0}")]
    Navigation(String),
    /// The OS random source failed.
    #[error("cannot generate the invoke key: {0}")]
    Random(String),
}

/// Shared, immutable state of a running app.
#[derive(Debug)]
pub struct HostContext {
    /// The validated config.
    pub config: Config,
    /// The app's directory (where `millennium.toml` is).
    pub base_dir: PathBuf,
    /// The per-run secret of the bridge.
    pub key: InvokeKey,
    /// The global the host calls in pages; random so pages cannot guess it
    /// from the source of other apps.
    pub callback: String,
    /// The allowlist gate.
    pub gate: AllowlistGate,
    /// The CSP header of HTML responses.
    pub csp: String,
    /// Add the hashes of each HTML page's inline scripts to that page's
    /// header. True when pages are served from a directory or a dev server;
    /// a packaged app's config already carries the hashes of every page.
    pub hash_inline_scripts: bool,
    /// Base directories.
    pub paths: PathContext,
    /// `[security] dangerous-remote-domain-ipc-access`, each with its own key.
    pub remote: RemoteGrants,
    /// `[security] allowed-navigation`, compiled by the one URL-glob matcher.
    pub navigation: UrlGlobs,
    /// The packaged executable the updater may replace; `None` when the app
    /// runs from a directory (the generic host is never replaced).
    pub executable: Option<PathBuf>,
    /// The arguments the app was launched with, as `[cli]` parsed them.
    pub launch: crate::launch::Launch,
    /// Every window's icon, a PNG: the payload's (made by the packager from
    /// `[bundle] icon`), or from a directory that `[bundle] icon` itself
    /// when it is a PNG the host can take (see [`millennium_config::icon`]).
    pub window_icon: Option<std::borrow::Cow<'static, [u8]>>,
    resolver: AssetResolver,
    /// The fs scope: `fs`, `dialog` and the grants of picked paths share it.
    scope: FsScope,
    /// Every API's state. Private: a handler reaches its own through
    /// [`HostContext::state`], which takes its admitted command.
    apis: ApiStates,
}

/// Who sent an IPC message, as the host decides it from the window and the
/// URL its main frame shows (never from anything the page says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// A page of `millennium://localhost`.
    App,
    /// A remote page covered by the grant at this index of [`HostContext::remote`].
    Remote(usize),
}

/// What becomes of one `postMessage` text.
#[derive(Debug)]
pub enum Screened {
    /// Run it and answer promise `id` of a page of `caller`.
    Invoke {
        /// The promise.
        id: u64,
        /// Who asked.
        caller: Caller,
        /// The admitted command.
        command: Admitted,
    },
    /// Reject promise `id` (the caller holds the right key).
    Reject {
        /// The promise.
        id: u64,
        /// Who asked.
        caller: Caller,
        /// Why.
        error: String,
    },
    /// Drop it without an answer: the sender may not use IPC or does not
    /// hold its key, so an answer could only settle a promise it does not own.
    Ignore(String),
}

impl HostContext {
    /// Prepares an app loaded from disk: frontend from `[app] frontend`.
    #[cfg(feature = "generic")]
    pub fn from_loaded(loaded: &LoadedConfig) -> Result<HostContext, ContextError> {
        // Absolute: sidecars run in the data directory, where a relative
        // `millennium-host sample-apps/notes` would name nothing.
        let base_dir =
            std::path::absolute(&loaded.base_dir).unwrap_or_else(|_| loaded.base_dir.clone());
        let frontend = base_dir.join(&loaded.config.app.frontend);
        let source = crate::assets::DirectorySource::new(&frontend).map_err(|source| {
            ContextError::Frontend {
                path: frontend.clone(),
                source,
            }
        })?;
        // A page that could rewrite the toml would widen its own allowlist
        // at the next `millennium dev` reload, and one that could rewrite
        // the frontend (or the sources a dev server builds it from) would
        // run its code in every later session: the whole app directory is
        // out of reach, the toml and frontend too wherever they are.
        let own = [
            Protected::Tree(base_dir.clone()),
            Protected::Tree(
                std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone()),
            ),
            Protected::Tree(frontend),
        ];
        let mut ctx = HostContext::build(
            loaded.config.clone(),
            &base_dir,
            AssetResolver::new(Box::new(source)),
            &own,
            FileSource::Dir(base_dir.clone()),
        )?;
        ctx.hash_inline_scripts = true;
        ctx.window_icon = loaded.config.bundle.icon.as_ref().and_then(|icon| {
            let bytes = std::fs::read(base_dir.join(icon)).ok()?;
            // An SVG or a large PNG is for the packager to render; `millennium
            // dev` does, the generic host leaves the window without.
            millennium_config::icon::png_size(&bytes).ok()?;
            Some(std::borrow::Cow::Owned(bytes))
        });
        Ok(ctx)
    }

    /// Prepares an app run from its directory `base_dir` (where its
    /// sidecars' files are), from its config and an asset resolver.
    pub fn new(
        config: Config,
        base_dir: &Path,
        resolver: AssetResolver,
    ) -> Result<HostContext, ContextError> {
        let files = FileSource::Dir(base_dir.to_owned());
        HostContext::build(config, base_dir, resolver, &[], files)
    }

    /// Prepares a packaged app: `exe_dir` is the executable's directory,
    /// and nothing in it is the app's; its sidecars' files are
    /// `sidecar_files`, from the payload.
    pub fn new_packaged(
        config: Config,
        exe_dir: &Path,
        resolver: AssetResolver,
        sidecar_files: std::collections::BTreeMap<String, &'static [u8]>,
    ) -> Result<HostContext, ContextError> {
        if sidecar_files.is_empty() {
            return HostContext::build(config, exe_dir, resolver, &[], FileSource::Nothing);
        }
        let dir = crate::api::sidecar::supervisor::unpack_dir(&config.app.identifier)
            .map_err(ContextError::Random)?;
        // What a sidecar runs is out of every page's reach.
        let own = [Protected::Tree(dir.clone())];
        let files = FileSource::Packed {
            files: std::sync::Arc::new(sidecar_files),
            dir,
        };
        HostContext::build(config, exe_dir, resolver, &own, files)
    }

    /// [`HostContext::new`], with more paths the fs scope must never reach
    /// than the executable and the webview profile.
    fn build(
        config: Config,
        base_dir: &Path,
        resolver: AssetResolver,
        own: &[Protected],
        sidecar_files: FileSource,
    ) -> Result<HostContext, ContextError> {
        let key = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let nonce = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let callback = format!("__millennium_{}", &nonce.as_str()[..12]);
        let remote = RemoteGrants::new(&config.security.dangerous_remote_domain_ipc_access)
            .map_err(|e| ContextError::Remote(e.to_string()))?;
        let paths = PathContext {
            identifier: config.app.identifier.clone(),
            resource_dir: base_dir.to_owned(),
        };
        let mut protected = own.to_vec();
        if let Ok(executable) = std::env::current_exe() {
            protected.push(Protected::Executable(executable));
        }
        if let Some(profile) = paths.webview_profile() {
            protected.push(Protected::Tree(profile));
        }
        let scope = FsScope::new(&config.allowlist.fs.scope, &paths, &protected)?;
        let navigation = UrlGlobs::new(&config.security.allowed_navigation)
            .map_err(|e| ContextError::Navigation(e.to_string()))?;
        let apis = ApiStates::prepare(&Setup {
            config: &config,
            paths: &paths,
            scope: &scope,
            sidecar_files: &sidecar_files,
        })?;
        Ok(HostContext {
            scope,
            apis,
            executable: None,
            launch: crate::launch::Launch::default(),
            window_icon: None,
            remote,
            navigation,
            gate: AllowlistGate::new(config.allowlist.clone()),
            csp: crate::csp::policy_header(&config.security),
            hash_inline_scripts: false,
            paths,
            base_dir: base_dir.to_owned(),
            key,
            callback,
            resolver,
            config,
        })
    }

    /// The updater of this app, when `[updater]` is active and the app is
    /// packaged.
    pub fn updater(&self) -> Result<Updater, UpdateError> {
        let updater = &self.config.updater;
        let executable = self.executable.as_deref().ok_or_else(|| {
            UpdateError::Install(
                "only a packaged app updates itself (this one runs from a directory)".to_owned(),
            )
        })?;
        Updater::new(
            updater,
            &self.config.app.identifier,
            &self.config.app.version,
            executable,
        )
    }

    /// The asset resolver.
    pub fn assets(&self) -> &AssetResolver {
        &self.resolver
    }

    /// Whether `label` is the main window: the first one the config
    /// declares (what a freshly updated version must bring up).
    pub fn is_main_window(&self, label: &str) -> bool {
        self.config
            .windows
            .first()
            .is_some_and(|w| w.label == label)
    }

    /// Which caller a page showing `url` in window `label` is; `None` for
    /// every page that may not use IPC.
    pub fn caller(&self, label: &str, url: &str) -> Option<Caller> {
        if window::is_app_url(url) {
            Some(Caller::App)
        } else {
            self.remote.find(label, url).map(Caller::Remote)
        }
    }

    /// The key pages of `caller` hold.
    fn key_of(&self, caller: Caller) -> Option<&InvokeKey> {
        match caller {
            Caller::App => Some(&self.key),
            Caller::Remote(index) => self.remote.get(index).map(|grant| &grant.key),
        }
    }

    /// The gate every command passes: the key of `caller`, then the allowlist.
    pub fn admit(
        &self,
        caller: Caller,
        label: &str,
        presented_key: &str,
        command: Command,
    ) -> Result<Admitted, Refusal> {
        let key = self.key_of(caller).ok_or(Refusal::BadKey)?;
        let command = command.sent_from(label);
        if let (Caller::Remote(_), Some(other)) = (caller, command.other_window()) {
            return Err(Refusal::OtherWindow(other.to_owned()));
        }
        ipc::authorize(key, presented_key, &self.gate, command)
    }

    /// Decides what to do with a `postMessage` text from window `label`
    /// whose main frame shows `url`: the sender, then the key, then the
    /// command, then the gate.
    pub fn screen(&self, label: &str, url: &str, text: &str) -> Screened {
        let Some(caller) = self.caller(label, url) else {
            return Screened::Ignore(format!("{url} may not use IPC in window `{label}`"));
        };
        let envelope = match decode_envelope(text) {
            Ok(envelope) => envelope,
            Err((_, error)) => {
                // Only the holder of the key may settle the promise.
                return match crate::ipc::decode::leading_id_and_key(text) {
                    Some((id, key)) if self.key_of(caller).is_some_and(|k| k.matches(key)) => {
                        Screened::Reject {
                            id,
                            caller,
                            error: error.to_string(),
                        }
                    }
                    _ => Screened::Ignore(error.to_string()),
                };
            }
        };
        if !self
            .key_of(caller)
            .is_some_and(|key| key.matches(&envelope.key))
        {
            return Screened::Ignore(Refusal::BadKey.to_string());
        }
        let id = envelope.id;
        let result = decode_command(&envelope.cmd, envelope.args)
            .map_err(Refusal::Decode)
            .and_then(|command| self.admit(caller, label, &envelope.key, command));
        match result {
            Ok(command) => Screened::Invoke {
                id,
                caller,
                command,
            },
            Err(refusal) => Screened::Reject {
                id,
                caller,
                error: refusal.to_string(),
            },
        }
    }

    /// The state of the API of an admitted command: the only way to it.
    pub(crate) fn state<C: Api>(&self, _admitted: &Admitted<C>) -> &C::State
    where
        ApiStates: StateOf<C>,
    {
        self.apis.state()
    }

    /// The fs scope, for the dialogs that grant picked paths into it.
    pub(crate) fn fs_scope(&self) -> &FsScope {
        &self.scope
    }

    /// The app's global shortcuts, for the loop (a press, a window that
    /// closed or shows another page) and the declared ones at start.
    pub(crate) fn shortcuts(&self) -> &crate::api::globalShortcut::Shortcuts {
        StateOf::<crate::api::globalShortcut::GlobalShortcutCommand>::state(&self.apis)
    }

    /// The updater's one-install-at-a-time flag, for the built-in update
    /// dialog (the host's own prompt, not a page's command).
    pub(crate) fn updater_state(&self) -> &UpdaterState {
        StateOf::<crate::api::updater::UpdaterCommand>::state(&self.apis)
    }

    /// The app is ending: children it spawned must not outlive it, and its
    /// sidecars get their `shutdown-timeout-secs` to exit.
    pub fn shut_down(&self) {
        self.shortcuts().release_all();
        StateOf::<crate::api::shell::ShellCommand>::state(&self.apis).kill_all();
        StateOf::<crate::api::sidecar::SidecarCommand>::state(&self.apis).shut_down();
    }

    /// The app's windows exist: the `at-start` sidecars start (no page
    /// asked for them, so this is not a page command).
    pub fn start_sidecars(
        &self,
        proxy: &tao::event_loop::EventLoopProxy<crate::events::UserEvent>,
    ) {
        StateOf::<crate::api::sidecar::SidecarCommand>::state(&self.apis).start_at_launch(proxy);
    }

    /// Window `label` closed or shows a new page: what its page held goes.
    /// The sidecar calls it was waiting for are abandoned (and the sidecars
    /// told), and the global shortcuts it registered are released. The page
    /// is gone, so this is not a page command.
    pub fn page_gone(&self, label: &str) {
        StateOf::<crate::api::sidecar::SidecarCommand>::state(&self.apis).forget_window(label);
        self.shortcuts().release_window(label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::{AssetPath, AssetSource, Entry};
    use millennium_config::model::RemoteDomainAccess;
    use serde_json::{Value, json};

    /// Regression: `millennium-host sample-apps/notes` (a relative path)
    /// ran the notes sidecar with `sample-apps/notes/sidecar/search.py`,
    /// which names nothing in the data directory sidecars run in.
    #[cfg(feature = "generic")]
    #[test]
    fn an_app_given_by_a_relative_path_runs_from_its_absolute_directory() {
        let dir = std::env::temp_dir().join(format!("millennium-relative-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(
            dir.join("millennium.toml"),
            "[app]\nname = \"R\"\nidentifier = \"dev.millennium.relative\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("dist/index.html"), "<!doctype html>").unwrap();
        let cwd = std::env::current_dir().unwrap();
        let up = "../".repeat(cwd.components().count() - 1);
        let relative = std::path::PathBuf::from(up).join(dir.strip_prefix("/").unwrap());
        assert!(relative.is_relative());
        let loaded = millennium_config::load(&relative).unwrap();
        let ctx = HostContext::from_loaded(&loaded).unwrap();
        assert!(ctx.base_dir.is_absolute(), "{}", ctx.base_dir.display());
        assert!(ctx.base_dir.join("millennium.toml").is_file());
        std::fs::remove_dir_all(dir).unwrap();
    }

    struct NoAssets;

    impl AssetSource for NoAssets {
        fn entry(&self, _: &AssetPath) -> Result<Entry, SourceError> {
            Ok(Entry::Missing)
        }
    }

    fn context(configure: impl FnOnce(&mut Config)) -> HostContext {
        let mut config: Config = serde_json::from_value(json!({
            "app": {"name": "T", "identifier": "dev.t.t", "version": "1.0.0"}
        }))
        .unwrap();
        configure(&mut config);
        HostContext::new(
            config,
            Path::new("/nonexistent"),
            AssetResolver::new(Box::new(NoAssets)),
        )
        .unwrap()
    }

    fn message(id: u64, key: &str, cmd: &str) -> String {
        with_args(id, key, cmd, json!({}))
    }

    const APP: &str = "millennium://localhost/index.html";

    #[test]
    fn app_pages_with_the_key_are_answered() {
        let ctx = context(|_| {});
        let key = ctx.key.as_str().to_owned();
        assert!(matches!(
            ctx.screen("main", APP, &message(1, &key, "app.getName")),
            Screened::Invoke {
                id: 1,
                caller: Caller::App,
                ..
            }
        ));
        match ctx.screen("main", APP, &message(2, &key, "process.exit")) {
            Screened::Reject { id: 2, error, .. } => {
                assert_eq!(
                    error,
                    "allowlist.process.exit is not enabled in millennium.toml"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ctx.screen("main", APP, &message(3, &key, "fs.nuke")),
            Screened::Reject { id: 3, .. }
        ));
    }

    /// Regression: a frame or page without the key could reject the app's
    /// pending promises by sending messages with their ids.
    #[test]
    fn forged_messages_get_no_answer_at_all() {
        let ctx = context(|_| {});
        for text in [
            message(1, "guess", "app.getName"),
            message(1, "", "fs.nuke"),
            r#"{"id":1}"#.to_owned(),
            "not json".to_owned(),
        ] {
            assert!(
                matches!(ctx.screen("main", APP, &text), Screened::Ignore(_)),
                "{text}"
            );
        }
        // The right key from a page that is not the app's: ignored too.
        let key = ctx.key.as_str().to_owned();
        for url in [
            "http://127.0.0.1:8000/",
            "https://example.com/",
            "about:blank",
        ] {
            assert!(matches!(
                ctx.screen("main", url, &message(1, &key, "app.getName")),
                Screened::Ignore(_)
            ));
        }
    }

    #[test]
    fn remote_grants_use_their_own_key_in_their_own_windows() {
        let ctx = context(|config| {
            config.security.dangerous_remote_domain_ipc_access = vec![RemoteDomainAccess {
                domain: "app.example.com".to_owned(),
                windows: vec!["main".to_owned()],
                enable_millennium_api: false,
                events: Vec::new(),
                sidecars: Vec::new(),
            }];
        });
        let url = "https://app.example.com/page";
        let remote_key = ctx.remote.get(0).unwrap().key.as_str().to_owned();
        let app_key = ctx.key.as_str().to_owned();
        assert!(matches!(
            ctx.screen("main", url, &message(1, &remote_key, "app.getName")),
            Screened::Invoke {
                caller: Caller::Remote(0),
                ..
            }
        ));
        // Same allowlist as the app.
        assert!(matches!(
            ctx.screen("main", url, &message(2, &remote_key, "process.exit")),
            Screened::Reject {
                caller: Caller::Remote(0),
                ..
            }
        ));
        // Keys are not interchangeable, and other windows get nothing.
        assert!(matches!(
            ctx.screen("main", url, &message(3, &app_key, "app.getName")),
            Screened::Ignore(_)
        ));
        assert!(matches!(
            ctx.screen("main", APP, &message(4, &remote_key, "app.getName")),
            Screened::Ignore(_)
        ));
        assert!(matches!(
            ctx.screen("other", url, &message(5, &remote_key, "app.getName")),
            Screened::Ignore(_)
        ));
    }

    fn with_args(id: u64, key: &str, cmd: &str, args: Value) -> String {
        json!({"id": id, "key": key, "cmd": cmd, "args": args}).to_string()
    }

    fn rejection(screened: Screened) -> String {
        match screened {
            Screened::Reject { error, .. } => error,
            Screened::Invoke { .. } => "admitted".to_owned(),
            Screened::Ignore(why) => format!("ignored: {why}"),
        }
    }

    /// Regression (security review): window operations took any target, so
    /// a grant limited to window `help` could hide, close or print `main`;
    /// events from a remote page reached every window; and `interceptClose`
    /// needed no key, so any page could make `main` impossible to close.
    #[test]
    fn other_windows_need_a_key_and_remote_pages_reach_only_their_own() {
        let ctx = context(|config| {
            config.allowlist.window.hide = true;
            config.security.dangerous_remote_domain_ipc_access = vec![RemoteDomainAccess {
                domain: "help.example.com".to_owned(),
                windows: vec!["help".to_owned()],
                enable_millennium_api: true,
                events: Vec::new(),
                sidecars: Vec::new(),
            }];
        });
        let app_key = ctx.key.as_str().to_owned();
        let remote_key = ctx.remote.get(0).unwrap().key.as_str().to_owned();
        let hide = |target: &str| json!({"label": target});
        // An app page: its own window with the op's key, another with
        // `other-windows` too.
        let own = ctx.screen(
            "main",
            APP,
            &with_args(1, &app_key, "window.hide", hide("main")),
        );
        assert_eq!(rejection(own), "admitted");
        let other = ctx.screen(
            "main",
            APP,
            &with_args(2, &app_key, "window.hide", hide("help")),
        );
        assert_eq!(
            rejection(other),
            "allowlist.window.other-windows is not enabled in millennium.toml"
        );
        let url = "https://help.example.com/";
        let remote_other = ctx.screen(
            "help",
            url,
            &with_args(3, &remote_key, "window.hide", hide("main")),
        );
        assert_eq!(
            rejection(remote_other),
            "a remote page acts only on its own window, not on `main`"
        );
        let remote_own = ctx.screen(
            "help",
            url,
            &with_args(4, &remote_key, "window.hide", hide("help")),
        );
        assert_eq!(rejection(remote_own), "admitted");
        let event = json!({"event": "x", "target": "main"});
        let remote_event = ctx.screen("help", url, &with_args(5, &remote_key, "event.emit", event));
        assert_eq!(
            rejection(remote_event),
            "a remote page acts only on its own window, not on `main`"
        );
        let intercept = ctx.screen(
            "main",
            APP,
            &with_args(6, &app_key, "window.interceptClose", json!({"value": true})),
        );
        assert_eq!(
            rejection(intercept),
            "allowlist.window.intercept-close is not enabled in millennium.toml"
        );
    }
}
