//! What every part of a running app shares, read-only, across threads: the
//! config-derived policy (gate, CSP), the invoke key, the asset resolver, and
//! the handlers that need no window.

use std::path::{Path, PathBuf};

use millennium_config::LoadedConfig;
use millennium_config::model::Config;
use serde_json::{Value, json};

use crate::api::clipboard::ClipboardApi;
use crate::api::fs::{FsApi, FsOutput};
use crate::api::fs_scope::{FsScope, ScopeError};
use crate::api::http::{HttpApi, HttpBody, HttpRequest, HttpScope};
use crate::api::path::PathContext;
use crate::api::shell::{ExecOptions, ShellApi, ShellEvent};
use crate::assets::{AssetResolver, DirectorySource, SourceError};
use crate::ipc::command::AppCommand;
use crate::ipc::command::{HttpBodyArg, HttpCommand, ShellCommand, ShellRun};
use crate::ipc::decode::{decode_command, decode_envelope};
use crate::ipc::{self, Admitted, AllowlistGate, Command, InvokeKey, Refusal};
use crate::remote::RemoteGrants;
use crate::updater::{UpdateError, Updater};
use crate::window;

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
    /// `Millennium.fs` with its compiled scope.
    pub fs: FsApi,
    /// `Millennium.clipboard`: one clipboard per app, kept for the whole
    /// run (on X11 the owner must live for pasted text to stay available).
    pub clipboard: ClipboardApi,
    /// `Millennium.shell`: the opener pattern, the scoped commands, and the
    /// children this app spawned.
    pub shell: ShellApi,
    /// `Millennium.http` with its compiled URL scope.
    pub http: HttpApi,
    /// The packaged executable the updater may replace; `None` when the app
    /// runs from a directory (the generic host is never replaced).
    pub executable: Option<PathBuf>,
    resolver: AssetResolver,
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
    pub fn from_loaded(loaded: &LoadedConfig) -> Result<HostContext, ContextError> {
        let frontend = loaded.base_dir.join(&loaded.config.app.frontend);
        let source = DirectorySource::new(&frontend).map_err(|source| ContextError::Frontend {
            path: frontend.clone(),
            source,
        })?;
        let mut ctx = HostContext::new(
            loaded.config.clone(),
            &loaded.base_dir,
            AssetResolver::new(Box::new(source)),
        )?;
        ctx.hash_inline_scripts = true;
        Ok(ctx)
    }

    /// Prepares an app from its config and an asset resolver.
    pub fn new(
        config: Config,
        base_dir: &Path,
        resolver: AssetResolver,
    ) -> Result<HostContext, ContextError> {
        let key = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let nonce = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let callback = format!("__millennium_{}", &nonce.as_str()[..12]);
        let remote = RemoteGrants::new(&config.security.dangerous_remote_domain_ipc_access)
            .map_err(|e| ContextError::Random(e.to_string()))?;
        let paths = PathContext {
            identifier: config.app.identifier.clone(),
            resource_dir: base_dir.to_owned(),
        };
        let fs = FsApi {
            scope: FsScope::new(&config.allowlist.fs.scope, &paths)?,
            paths: paths.clone(),
        };
        let shell = ShellApi::from_allowlist(&config.allowlist)
            .map_err(|e| ContextError::Shell(e.to_string()))?;
        let http = HttpApi::new(
            HttpScope::new(&config.allowlist.http.scope)
                .map_err(|e| ContextError::HttpScope(e.to_string()))?,
        );
        Ok(HostContext {
            shell,
            http,
            executable: None,
            remote,
            gate: AllowlistGate::new(config.allowlist.clone()),
            csp: crate::csp::policy_header(&config.security),
            hash_inline_scripts: false,
            paths,
            fs,
            clipboard: ClipboardApi::default(),
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
        presented_key: &str,
        command: Command,
    ) -> Result<Admitted, Refusal> {
        let key = self.key_of(caller).ok_or(Refusal::BadKey)?;
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
            Err((_, error)) => return Screened::Ignore(error.to_string()),
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
            .and_then(|command| self.admit(caller, &envelope.key, command));
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

    /// Runs an admitted fs command; `None` for any other command. It blocks
    /// on file I/O: call it from a worker thread, never the UI thread.
    pub fn run_fs(&self, admitted: &Admitted) -> Option<Result<FsOutput, String>> {
        match admitted.command() {
            Command::Fs(command) => Some(self.fs.handle(command).map_err(|e| e.to_string())),
            _ => None,
        }
    }

    /// Runs an admitted clipboard or notification command; `None` for any
    /// other. It blocks (X11 and D-Bus round trips, a notification for at
    /// most [`crate::api::notification::NOTIFICATION_TIMEOUT`]): call it
    /// from a worker thread, never the UI thread.
    pub fn run_blocking(&self, admitted: &Admitted) -> Option<Result<Value, String>> {
        match admitted.command() {
            Command::Clipboard(command) => Some(self.clipboard.handle(command)),
            Command::Notification(command) => Some(crate::api::notification::handle(
                command,
                &self.config.app.name,
            )),
            Command::Shell(command) => Some(self.run_shell(command)),
            Command::Http(_) => Some(Err(
                "Millennium.http needs the fetch channel, which only app pages have".to_owned(),
            )),
            _ => None,
        }
    }

    fn run_shell(&self, command: &ShellCommand) -> Result<Value, String> {
        let shell = &self.shell;
        match command {
            ShellCommand::Open { path, with } => shell
                .open(path, with.as_deref())
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            ShellCommand::Execute(run) => shell
                .execute(&run.name, &run.args, &exec_options(run))
                .map(|output| json!(output))
                .map_err(|e| e.to_string()),
            ShellCommand::Write { pid, data } => shell
                .write(*pid, data)
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            ShellCommand::Kill { pid } => shell
                .kill(*pid)
                .map(|()| Value::Null)
                .map_err(|e| e.to_string()),
            ShellCommand::Spawn { .. } => {
                Err("spawn streams events to a window and is run by the event loop".to_owned())
            }
        }
    }

    /// Starts a scoped command whose output goes to `on_event`; the child's
    /// pid on success.
    pub fn spawn_child(
        &self,
        run: &ShellRun,
        on_event: Box<dyn Fn(ShellEvent) + Send + Sync>,
    ) -> Result<Value, String> {
        self.shell
            .spawn(&run.name, &run.args, &exec_options(run), on_event)
            .map(|pid| json!(pid))
            .map_err(|e| e.to_string())
    }

    /// Runs an admitted http request, taking its body without a copy. It
    /// blocks on the network (bounded by the request's timeout): call it
    /// from a worker thread. The answer is the bridge's frame: a 4-byte
    /// big-endian length, that many bytes of JSON `{url, status, headers}`,
    /// then the body as received.
    pub fn run_http(&self, admitted: Admitted) -> Result<Vec<u8>, String> {
        let Command::Http(HttpCommand::Request(args)) = admitted.into_command() else {
            return Err("not an http request".to_owned());
        };
        let request = HttpRequest {
            method: args.method,
            url: args.url,
            query: args.query,
            headers: args.headers,
            body: args.body.map(|body| match body {
                HttpBodyArg::Text(text) => HttpBody::Text(text),
                HttpBodyArg::Json(value) => HttpBody::Json(value),
                HttpBodyArg::Form(form) => HttpBody::Form(form),
                HttpBodyArg::Bytes(bytes) => HttpBody::Bytes(bytes),
            }),
            timeout: args.timeout,
        };
        self.http
            .request(request)
            .map(|response| {
                let meta = json!({
                    "url": response.url,
                    "status": response.status,
                    "headers": response.headers,
                })
                .to_string();
                let mut frame = Vec::with_capacity(4 + meta.len() + response.body.len());
                // The metadata is a few KiB at most: its length fits in 4 bytes.
                frame.extend_from_slice(&(meta.len() as u32).to_be_bytes());
                frame.extend_from_slice(meta.as_bytes());
                frame.extend_from_slice(&response.body);
                frame
            })
            .map_err(|e| e.to_string())
    }

    /// Runs an admitted command that needs no window, event loop or file
    /// I/O (fs commands go to [`HostContext::run_fs`]); `None` when the
    /// event loop must handle it.
    pub fn run_local(&self, admitted: &Admitted) -> Option<Result<Value, String>> {
        Some(match admitted.command() {
            Command::App(AppCommand::GetName) => Ok(json!(self.config.app.name)),
            Command::App(AppCommand::GetVersion) => Ok(json!(self.config.app.version)),
            Command::App(AppCommand::GetMillenniumVersion) => Ok(json!(env!("CARGO_PKG_VERSION"))),
            Command::Os(os) => Ok(crate::api::os::handle(*os)),
            Command::Path(path) => self.paths.handle(path),
            Command::Ping => Ok(Value::Null),
            _ => return None,
        })
    }
}

fn exec_options(run: &ShellRun) -> ExecOptions {
    ExecOptions {
        cwd: run.cwd.as_ref().map(PathBuf::from),
        env: run.env.clone(),
        clear_env: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::{AssetPath, AssetSource, Entry};
    use millennium_config::model::RemoteDomainAccess;

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
        json!({"id": id, "key": key, "cmd": cmd, "args": {}}).to_string()
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
}
