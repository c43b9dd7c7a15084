//! `millennium dev [PATH]`: runs the app from its directory through the
//! `millennium-host` library, with dev options only a library caller can set
//! (see `millennium_host::dev`): devtools on unless a window says
//! `devtools = false`, the same `HostContext` (CSP, allowlist gate) as
//! production, and live reload.
//!
//! - A change under the frontend directory reloads every page.
//! - A change to the toml re-validates it. Invalid: the diagnostics of
//!   `millennium check` go to standard error and the app keeps running as
//!   it was. Valid: a new context is built and the windows are reopened from
//!   it, in-process. Only the webview data directory (chosen from
//!   `[app] identifier` at start) needs `millennium dev` itself restarted.
//! - With `[app] dev-url`, assets come from that server through
//!   [`proxy::DevServerSource`] under the app's own origin, and its origins
//!   are added to `connect-src` for HMR; the frontend directory is then not
//!   watched (the dev server reloads its own pages).

pub mod proxy;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use millennium_config::model::HookCommand;
use millennium_config::{LoadError, LoadedConfig, Purpose};
use millennium_host::assets::AssetResolver;
use millennium_host::dev::{AppExited, DevHandle, DevOptions};
use millennium_host::{HostContext, RunOptions};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use self::proxy::DevServerSource;
use self::watch::{Change, Classifier, Debouncer, MAX_WAIT, Pending, QUIET};
use crate::hook::{self, DevCommand, NotReady};

/// How often the frontend directory is checked for having been replaced
/// (deleted and created again, renamed over), which a watch cannot see.
const REPLACED_CHECK: Duration = Duration::from_millis(500);

/// How long one look at the dev server may take while waiting for it.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long `millennium dev` waits for `dev-url` to answer after starting
/// `before-dev-command`, unless `--dev-url-timeout` says otherwise.
pub const DEV_URL_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the app at `path`, with `args` as its own command line, until its
/// last window closes. Returns only when it cannot start: an invalid config
/// (after printing its diagnostics), arguments its `[cli]` refuses (exit 2)
/// or a start-up error.
pub fn run(
    path: &Path,
    args: Vec<std::ffi::OsString>,
    dev_url_timeout: Duration,
) -> anyhow::Result<ExitCode> {
    let loaded = match millennium_config::load_for(path, Purpose::DevServer) {
        Ok(loaded) => loaded,
        Err(error) => {
            error.report();
            return Ok(ExitCode::FAILURE);
        }
    };
    let bin = format!("millennium dev {} --", path.display());
    let launch = match millennium_host::launch::parse(&loaded.config, &bin, args) {
        Ok(launch) => launch,
        Err(exit) => return Ok(ExitCode::from(exit.report() as u8)),
    };
    let mut ctx = dev_context(&loaded)?;
    ctx.launch = launch;
    let targets = Targets::of(&loaded);
    let toml = loaded.path.clone();
    let dev_command = match &loaded.config.app.before_dev_command {
        Some(hook) => match start_dev_command(hook, &loaded, dev_url_timeout)? {
            Ok(command) => Some(command),
            Err(exit) => return Ok(exit),
        },
        None => None,
    };
    eprintln!(
        "millennium dev: running {} from {}",
        loaded.config.app.name,
        loaded.path.display()
    );
    let started = loaded.config.app.before_dev_command.clone();
    let stop = dev_command.clone();
    let mut options = RunOptions::from_env();
    options.dev = Some(DevOptions {
        on_start: Box::new(move |handle| {
            // A Ctrl+C that came before the host's own handler.
            if hook::interrupted().is_some() {
                let _ = handle.exit();
            }
            std::thread::spawn(move || {
                if let Err(error) =
                    LiveReload::start(handle, &toml, targets, started).map(LiveReload::run)
                {
                    eprintln!("millennium dev: live reload is off: {error:#}");
                }
            });
        }),
        on_exit: Box::new(move || {
            if let Some(command) = stop {
                command.stop();
            }
        }),
    });
    let result = millennium_host::run(ctx, options);
    if let Some(command) = dev_command {
        command.stop();
    }
    match result {
        Ok(never) => match never {},
        Err(error) => {
            Err(error).with_context(|| format!("cannot start {}", loaded.config.app.name))
        }
    }
}

/// Starts `before-dev-command` and, with a `dev-url`, waits until it
/// answers. `Err(exit code)` when the app must not open: the command
/// exited, the URL did not answer within `limit`, or the user pressed
/// Ctrl+C; the command's group is stopped by then and the reason printed.
fn start_dev_command(
    hook: &HookCommand,
    loaded: &LoadedConfig,
    limit: Duration,
) -> anyhow::Result<Result<Arc<DevCommand>, ExitCode>> {
    hook::catch_interrupts();
    let command = DevCommand::start(hook, &loaded.base_dir)?;
    let Some(dev_url) = &loaded.config.app.dev_url else {
        return Ok(Ok(command));
    };
    let probe = DevServerSource::with_timeouts(dev_url, PROBE_TIMEOUT, PROBE_TIMEOUT)?;
    eprintln!("millennium dev: waiting for {dev_url} to answer");
    let outcome = command.wait_until(limit, || probe.probe().is_ok(), hook::interrupted);
    let why = match outcome {
        Ok(after) => {
            eprintln!(
                "millennium dev: {dev_url} answered after {:.1} s",
                after.as_secs_f64()
            );
            return Ok(Ok(command));
        }
        Err(NotReady::Interrupted(signal)) => {
            command.stop();
            return Ok(Err(ExitCode::from(128 + signal.clamp(0, 127) as u8)));
        }
        Err(NotReady::Exited(how)) => format!(
            "before-dev-command `{}` exited ({how}) before {dev_url} answered",
            command.script()
        ),
        Err(NotReady::TimedOut(limit)) => format!(
            "{dev_url} did not answer within {} s of starting before-dev-command `{}`",
            limit.as_secs(),
            command.script()
        ),
    };
    command.stop();
    eprintln!("error: {why}; the app was not opened");
    let tail = command.tail();
    if tail.is_empty() {
        eprintln!("  the command printed nothing");
    } else {
        eprintln!("  its last output:");
        for line in tail {
            eprintln!("  | {line}");
        }
    }
    eprintln!(
        "  hint: dev-url must be the address the server listens on; a slow server needs --dev-url-timeout SECONDS"
    );
    Ok(Err(ExitCode::FAILURE))
}

/// The host context for dev mode: the production one, except that with a
/// `dev-url` the assets come from the dev server and its origins may be
/// connected to.
pub fn dev_context(loaded: &LoadedConfig) -> anyhow::Result<HostContext> {
    let mut ctx = proxied_context(loaded)?;
    // Drawn as the build draws it, so an SVG or a large PNG shows too.
    if let Some(icon) = &loaded.config.bundle.icon {
        match crate::icon::load(&loaded.base_dir.join(icon)) {
            Ok(icon) => ctx.window_icon = Some(icon.png(icon.window_side()).into()),
            Err(error) => eprintln!("millennium dev: no window icon: {error}"),
        }
    }
    Ok(ctx)
}

fn proxied_context(loaded: &LoadedConfig) -> anyhow::Result<HostContext> {
    let Some(dev_url) = &loaded.config.app.dev_url else {
        return HostContext::from_loaded(loaded)
            .with_context(|| format!("cannot start {}", loaded.path.display()));
    };
    let source = DevServerSource::new(dev_url)?;
    let sources = source.connect_sources();
    let mut ctx = HostContext::new(
        loaded.config.clone(),
        &loaded.base_dir,
        AssetResolver::new(Box::new(source)),
    )
    .with_context(|| format!("cannot start {}", loaded.path.display()))?;
    // The dev server's pages are not baked: hash their inline scripts as
    // they are served, as for a directory.
    ctx.hash_inline_scripts = true;
    let extra: Vec<&str> = sources.iter().map(String::as_str).collect();
    ctx.csp = millennium_host::csp::with_connect_sources(&ctx.csp, &extra);
    Ok(ctx)
}

/// What to watch for a config: the toml's directory, and the frontend
/// directory unless a dev server serves the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Targets {
    toml: PathBuf,
    frontend: Option<PathBuf>,
}

impl Targets {
    fn of(loaded: &LoadedConfig) -> Targets {
        let frontend = loaded
            .config
            .app
            .dev_url
            .is_none()
            .then(|| canonical(&loaded.base_dir.join(&loaded.config.app.frontend)));
        Targets {
            toml: canonical_file(&loaded.path),
            frontend,
        }
    }

    fn toml_dir(&self) -> &Path {
        self.toml.parent().unwrap_or(Path::new("."))
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

/// The file's canonical directory plus its own name: the file itself may be
/// replaced at any time, its directory stays.
fn canonical_file(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            canonical(dir).join(name)
        }
        _ => path.to_owned(),
    }
}

/// Device and inode: a directory deleted and created again (a bundler's
/// clean build) has a new one, and the old watch is gone with it.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

struct LiveReload {
    handle: DevHandle,
    /// The `before-dev-command` that was started, which a config change
    /// does not restart.
    started: Option<HookCommand>,
    toml: PathBuf,
    targets: Targets,
    frontend_identity: Option<(u64, u64)>,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    classifier: Classifier,
    debouncer: Debouncer,
}

impl LiveReload {
    fn start(
        handle: DevHandle,
        toml: &Path,
        targets: Targets,
        started: Option<HookCommand>,
    ) -> anyhow::Result<LiveReload> {
        let (sender, events) = mpsc::channel();
        let watcher = notify::recommended_watcher(move |event| {
            // Fails only once the loop below has ended.
            let _ = sender.send(event);
        })
        .context("cannot start the file watcher")?;
        let mut live = LiveReload {
            handle,
            started,
            toml: toml.to_owned(),
            classifier: Classifier::new(&targets.toml, targets.frontend.clone()),
            targets,
            frontend_identity: None,
            watcher,
            events,
            debouncer: Debouncer::new(QUIET, MAX_WAIT),
        };
        live.watch_all();
        eprintln!("{}", live.watching());
        Ok(live)
    }

    fn watching(&self) -> String {
        match &self.targets.frontend {
            Some(frontend) => format!(
                "millennium dev: watching {} and {}",
                frontend.display(),
                self.targets.toml.display()
            ),
            None => format!(
                "millennium dev: watching {} (the dev server reloads the pages)",
                self.targets.toml.display()
            ),
        }
    }

    /// (Re)installs every watch for the current targets. Missing directories
    /// are skipped; [`Self::check_replaced`] installs them when they appear.
    fn watch_all(&mut self) {
        let toml_dir = self.targets.toml_dir().to_owned();
        if let Err(error) = self.watcher.watch(&toml_dir, RecursiveMode::NonRecursive) {
            eprintln!(
                "millennium dev: cannot watch {}: {error}",
                toml_dir.display()
            );
        }
        self.frontend_identity = None;
        if let Some(frontend) = self.targets.frontend.clone() {
            self.frontend_identity = identity(&frontend);
            if self.frontend_identity.is_some()
                && let Err(error) = self.watcher.watch(&frontend, RecursiveMode::Recursive)
            {
                eprintln!(
                    "millennium dev: cannot watch {}: {error}",
                    frontend.display()
                );
            }
        }
    }

    fn unwatch_all(&mut self) {
        let _ = self.watcher.unwatch(self.targets.toml_dir());
        if let Some(frontend) = &self.targets.frontend {
            let _ = self.watcher.unwatch(frontend);
        }
    }

    fn run(mut self) {
        let mut next_check = Instant::now() + REPLACED_CHECK;
        loop {
            let now = Instant::now();
            let wake = self
                .debouncer
                .deadline()
                .unwrap_or(next_check)
                .min(next_check);
            match self
                .events
                .recv_timeout(wake.saturating_duration_since(now))
            {
                Ok(Ok(event)) => {
                    for change in self.classifier.classify(&event) {
                        self.debouncer.push(change, Instant::now());
                    }
                }
                Ok(Err(error)) => eprintln!("millennium dev: file watcher: {error}"),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if Instant::now() >= next_check {
                self.check_replaced();
                next_check = Instant::now() + REPLACED_CHECK;
            }
            if let Some(pending) = self.debouncer.take_ready(Instant::now())
                && self.apply(pending).is_err()
            {
                return;
            }
        }
    }

    /// A frontend directory that was deleted, created again or renamed over
    /// has lost its watch: watch it again and reload.
    fn check_replaced(&mut self) {
        let Some(frontend) = self.targets.frontend.clone() else {
            return;
        };
        let now = identity(&frontend);
        if now == self.frontend_identity {
            return;
        }
        let _ = self.watcher.unwatch(&frontend);
        self.watch_all();
        self.debouncer.push(Change::Frontend, Instant::now());
    }

    fn apply(&mut self, pending: Pending) -> Result<(), AppExited> {
        if pending.config && self.reload_config()? {
            // A restart loads every page afresh.
            return Ok(());
        }
        if pending.frontend {
            self.handle.reload()?;
            eprintln!("millennium dev: frontend changed; reloaded");
        }
        Ok(())
    }

    /// Re-validates the toml; `Ok(true)` when the app was restarted with it.
    fn reload_config(&mut self) -> Result<bool, AppExited> {
        let loaded = match millennium_config::load_for(&self.toml, Purpose::DevServer) {
            Ok(loaded) => loaded,
            Err(error @ LoadError::Invalid { .. }) => {
                error.report();
                eprintln!(
                    "millennium dev: keeping the running app until {} is valid again",
                    self.toml.display()
                );
                return Ok(false);
            }
            Err(error) => {
                eprintln!("millennium dev: keeping the running app: {error}");
                return Ok(false);
            }
        };
        let ctx = match dev_context(&loaded) {
            Ok(ctx) => ctx,
            Err(error) => {
                eprintln!("millennium dev: keeping the running app: {error:#}");
                return Ok(false);
            }
        };
        self.handle.restart(ctx)?;
        eprintln!(
            "millennium dev: {} changed and is valid; restarting {}",
            self.toml.display(),
            loaded.config.app.name
        );
        if loaded.config.app.before_dev_command != self.started {
            eprintln!(
                "millennium dev: before-dev-command changed; restart millennium dev to run the new one"
            );
        }
        let targets = Targets::of(&loaded);
        if targets != self.targets {
            self.unwatch_all();
            self.classifier = Classifier::new(&targets.toml, targets.frontend.clone());
            self.targets = targets;
            self.watch_all();
            eprintln!("{}", self.watching());
        }
        Ok(true)
    }
}
