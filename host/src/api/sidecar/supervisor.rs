//! The sidecars of a running app: starting them, speaking JSON-RPC 2.0 to
//! them (one object per line on stdin and stdout), matching answers to the
//! calls that wait for them, restarting them within their policy, and
//! ending them with the app.
//!
//! Each running sidecar has three threads of its own: a writer (the only
//! code that writes its stdin, fed by a channel, so a sidecar that stops
//! reading blocks nobody), a reader of stdout (answers and notifications)
//! and a reader of stderr (copied to the app's stderr, prefixed). The event
//! loop never waits for a sidecar.
//!
//! A sidecar runs in its own process group and, where bubblewrap can make
//! one, its own PID namespace ([`pid_namespace`]). It gets `SIGKILL` when
//! the host dies, whatever the cause (`PR_SET_PDEATHSIG`), and the kernel
//! kills everything in its namespace with it, even what left its group or
//! its session; when it ends, what is left of its group is killed before it
//! is reaped, so a recycled pid is never signalled.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use millennium_config::model::{Config, SidecarArg, SidecarConfig, SidecarGrant, SidecarStart};
use serde_json::{Value, json};
use tao::event_loop::EventLoopProxy;

use super::held::{Held, MAX_BYTES_RESULT};
use crate::api::Deferred;
use crate::events::UserEvent;
use crate::ipc::Output;

/// Largest message either way, in bytes (one line of JSON).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Most calls waiting for one sidecar's answers.
pub const MAX_PENDING: usize = 100_000;

/// Longest wait before a restart.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Most notifications of one sidecar delivered to the pages per second;
/// beyond it they are dropped, and the pages hear `$/dropped` with how
/// many, so a flooding sidecar cannot keep the UI thread busy.
pub const MAX_EVENTS_PER_SECOND: u32 = 1000;

/// The event a sidecar's notifications reach pages by; the payload is
/// `{ method, params }`.
pub fn event_name(sidecar: &str) -> String {
    format!("millennium://sidecar/{sidecar}")
}

/// Every sidecar of the app.
#[derive(Debug)]
pub struct Sidecars {
    by_name: HashMap<String, Arc<Sidecar>>,
    files: Arc<Files>,
    /// Binary results waiting for their pages.
    held: Arc<Held>,
}

/// One sidecar: its config, what pages are granted, and its process.
#[derive(Debug)]
pub struct Sidecar {
    config: SidecarConfig,
    grant: Option<SidecarGrant>,
    /// Where `command` and `{ file }` arguments are found.
    files: Arc<Files>,
    /// Where its binary results wait for app pages.
    held: Arc<Held>,
    state: Mutex<State>,
}

/// Where the sidecars' files come from.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// The app's directory (run from it).
    Dir(PathBuf),
    /// A packaged app's payload, by path in the app's directory, and the
    /// directory ([`unpack_dir`]) they are unpacked into at the first start.
    Packed {
        /// The files.
        files: Arc<BTreeMap<String, &'static [u8]>>,
        /// Where they go; the fs scope never reaches it.
        dir: PathBuf,
    },
    /// A packaged app that packs no sidecar file: its sidecars run programs
    /// from PATH, with text arguments.
    Nothing,
}

/// The sidecars' files, and for a packaged app the private directory they
/// are unpacked into on first use (one per process, removed at exit).
#[derive(Debug)]
struct Files {
    source: FileSource,
    /// `$APPDATA`: every sidecar's working directory, `MILLENNIUM_DATA_DIR`.
    data_dir: Option<PathBuf>,
    /// Names the unpacked directory.
    identifier: String,
    unpacked: OnceLock<Result<PathBuf, String>>,
}

impl Files {
    /// The directory `command` and `{ file }` paths are relative to.
    fn dir(&self) -> Result<PathBuf, String> {
        match &self.source {
            FileSource::Dir(dir) => Ok(dir.clone()),
            FileSource::Packed { files, dir } => self
                .unpacked
                .get_or_init(|| unpack(files, dir, &self.identifier))
                .clone(),
            FileSource::Nothing => Err("its files are not in this executable".to_owned()),
        }
    }

    /// Removes the unpacked directory, once nothing runs from it.
    fn remove_unpacked(&self) {
        if let Some(Ok(dir)) = self.unpacked.get() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Where a packaged app's sidecar files are unpacked this run: a name
/// nobody could take first (the pid and 64 random bits) under
/// `$XDG_RUNTIME_DIR`, itself private, or the temporary directory. Chosen
/// before the fs scope is built, which never reaches it.
pub fn unpack_dir(identifier: &str) -> Result<PathBuf, String> {
    let base = crate::instance::private_runtime_dir().unwrap_or_else(std::env::temp_dir);
    let random = crate::ipc::InvokeKey::generate().map_err(|e| e.to_string())?;
    Ok(base.join(format!(
        "{}{}-{}",
        unpacked_prefix(identifier),
        std::process::id(),
        &random.as_str()[..16]
    )))
}

/// Writes a packaged app's sidecar files into `dir`, made now with mode
/// 0700 (so only this user can enter it; it fails if the name exists),
/// files read-only. Why not a hash check before each start: the directory
/// is made by this process under a name nobody could take first, and anyone
/// able to change files in it runs as this user, who can change the app
/// itself.
fn unpack(
    files: &BTreeMap<String, &'static [u8]>,
    dir: &std::path::Path,
    identifier: &str,
) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(base) = crate::instance::private_runtime_dir() {
        remove_stale(&base, identifier);
    }
    let unpacking = |what: &str, error: std::io::Error| format!("cannot unpack {what}: {error}");
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(|e| unpacking(&dir.display().to_string(), e))?;
    for (path, bytes) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| unpacking(path, e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o500)
            .open(&target)
            .and_then(|mut file| file.write_all(bytes))
            .map_err(|e| unpacking(path, e))?;
    }
    Ok(dir.to_owned())
}

fn unpacked_prefix(identifier: &str) -> String {
    format!("millennium-sidecars-{identifier}-")
}

/// Removes what earlier runs of this app that were killed outright left in
/// `base` (the user's own runtime directory): directories named for a pid
/// that no longer runs.
fn remove_stale(base: &std::path::Path, identifier: &str) {
    let prefix = unpacked_prefix(identifier);
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        // SAFETY: kill(2) with signal 0 only checks that the pid exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// The running process, if any.
    running: Option<Running>,
    /// Restarts so far.
    restarts: u32,
    /// Set once the sidecar may not start again (policy spent, or the app
    /// is exiting), with why.
    stopped: Option<String>,
    /// A restart is scheduled: calls are refused until it happens.
    restarting: bool,
    /// Calls waiting for an answer, by the id the host gave them.
    pending: HashMap<u64, Pending>,
    next_id: u64,
    /// Tells a process's threads from its successor's.
    generation: u64,
    /// For events and restarts.
    proxy: Option<EventLoopProxy<UserEvent>>,
    /// Notifications delivered in the current second.
    flow: Flow,
    /// Whether the thread that times calls out runs.
    watching: bool,
}

/// [`MAX_EVENTS_PER_SECOND`] accounting.
#[derive(Debug, Default)]
struct Flow {
    since: Option<Instant>,
    sent: u32,
    dropped: u64,
}

/// A process not yet reaped: while this is in [`State::running`], its pid
/// (and process group) are still ours to signal. Its reader removes it
/// under the lock before it reaps.
#[derive(Debug)]
struct Running {
    pid: u32,
    generation: u64,
    /// Lines for the writer thread; `None` once stdin is closed.
    input: Option<Sender<Vec<u8>>>,
    /// `pid` is bwrap, holding the sidecar's PID namespace.
    namespaced: bool,
}

impl Running {
    /// Queues `line` for the writer (dropped when stdin is closed: the
    /// reader rejects what is pending once the process ends).
    fn send(&self, line: Vec<u8>) {
        if let Some(input) = &self.input {
            let _ = input.send(line);
        }
    }
}

/// A call waiting for its answer.
struct Pending {
    /// The window that called, so its calls are cancelled when it goes.
    label: String,
    /// A remote page called: bytes reach it as base64, not held.
    remote: bool,
    /// The method, for the timeout's message.
    method: String,
    /// When it times out (`call-timeout-secs`), if ever.
    deadline: Option<Instant>,
    answer: Deferred,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("label", &self.label).finish()
    }
}

/// Why a call or notification could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SidecarError {
    /// No `[[sidecars]]` entry of that name, or none the page may reach.
    #[error(
        "sidecar `{0}` is not in `[allowlist.sidecar] scope` (or has no `[[sidecars]]` entry)"
    )]
    NotGranted(String),
    /// The grant does not name the method.
    #[error("method `{method}` of sidecar `{sidecar}` is not in its `[allowlist.sidecar] scope` entry")]
    MethodNotGranted {
        /// The sidecar.
        sidecar: String,
        /// The method.
        method: String,
    },
    /// The grant does not name the window.
    #[error("sidecar `{sidecar}` is not granted to window `{label}` (`[allowlist.sidecar] scope`, `windows`)")]
    WindowNotGranted {
        /// The sidecar.
        sidecar: String,
        /// The calling window.
        label: String,
    },
    /// It could not be started.
    #[error("sidecar `{sidecar}` could not start: {why}")]
    Start {
        /// The sidecar.
        sidecar: String,
        /// Why.
        why: String,
    },
    /// It is not running and will not run again.
    #[error("sidecar `{sidecar}` is stopped: {why}")]
    Stopped {
        /// The sidecar.
        sidecar: String,
        /// Why.
        why: String,
    },
    /// It crashed and waits for its restart.
    #[error("sidecar `{0}` is restarting after it exited; try again in a moment")]
    Restarting(String),
    /// Too many calls wait for it.
    #[error("sidecar `{0}` has 100000 calls waiting for an answer; it is not keeping up")]
    Busy(String),
    /// The message is too large.
    #[error("the message to sidecar `{0}` is larger than 16 MiB")]
    TooLarge(String),
}

impl Sidecars {
    /// The sidecars of `config`, none started. `files` finds their files;
    /// `data_dir` is their working directory.
    pub fn new(config: &Config, files: FileSource, data_dir: Option<PathBuf>) -> Sidecars {
        let files = Arc::new(Files {
            source: files,
            data_dir,
            identifier: config.app.identifier.clone(),
            unpacked: OnceLock::new(),
        });
        let held = Arc::new(Held::default());
        let by_name = config
            .sidecars
            .iter()
            .map(|sidecar| {
                let grant = config
                    .allowlist
                    .sidecar
                    .scope
                    .iter()
                    .find(|g| g.name == sidecar.name)
                    .cloned();
                let entry = Sidecar {
                    config: sidecar.clone(),
                    grant,
                    files: Arc::clone(&files),
                    held: Arc::clone(&held),
                    state: Mutex::new(State::default()),
                };
                (sidecar.name.clone(), Arc::new(entry))
            })
            .collect();
        Sidecars {
            by_name,
            files,
            held,
        }
    }

    /// Part of a binary result held for window `label` (see [`Held`]).
    pub fn take(&self, token: &str, label: &str, offset: u64, length: u64) -> Result<Output, String> {
        self.held.take(token, label, offset, length)
    }

    /// The sidecar `name` as window `label` may reach it for `method`.
    pub fn granted(&self, name: &str, method: &str, label: &str) -> Result<&Arc<Sidecar>, SidecarError> {
        let Some((sidecar, grant)) = self
            .by_name
            .get(name)
            .and_then(|s| Some((s, s.grant.as_ref()?)))
        else {
            return Err(SidecarError::NotGranted(name.to_owned()));
        };
        if !grant.allows_window(label) {
            return Err(SidecarError::WindowNotGranted {
                sidecar: name.to_owned(),
                label: label.to_owned(),
            });
        }
        if !grant.allows_method(method) {
            return Err(SidecarError::MethodNotGranted {
                sidecar: name.to_owned(),
                method: method.to_owned(),
            });
        }
        Ok(sidecar)
    }

    /// Starts the `at-start` sidecars. A failure is reported on stderr;
    /// each later call tries again, and says why it cannot.
    pub fn start_at_launch(&self, proxy: &EventLoopProxy<UserEvent>) {
        for sidecar in self.by_name.values() {
            if sidecar.config.start == SidecarStart::AtStart {
                let mut state = sidecar.lock();
                state.proxy.get_or_insert_with(|| proxy.clone());
                if let Err(error) = sidecar.ensure_running(&mut state) {
                    eprintln!("millennium: {error}");
                }
            }
        }
    }

    /// The calls window `label` is waiting for are abandoned (its page
    /// changed or it closed): each sidecar is told (`$/cancelRequest`), and
    /// binary results it did not take are dropped.
    pub fn forget_window(&self, label: &str) {
        self.held.forget_window(label);
        for sidecar in self.by_name.values() {
            let mut state = sidecar.lock();
            let gone: Vec<u64> = state
                .pending
                .iter()
                .filter(|(_, p)| p.label == label)
                .map(|(id, _)| *id)
                .collect();
            for id in gone {
                state.pending.remove(&id);
                if let Some(running) = &state.running {
                    let line = notification_line("$/cancelRequest", &json!({ "id": id }));
                    running.send(line);
                }
            }
        }
    }

    /// The app is ending: every sidecar's stdin is closed and it gets
    /// `SIGTERM`; after its `shutdown-timeout-secs`, it and its group get
    /// `SIGKILL`. Returns once each has ended or been sent `SIGKILL`, after
    /// removing the unpacked files.
    pub fn shut_down(&self) {
        let mut waits = Vec::new();
        for sidecar in self.by_name.values() {
            let mut state = sidecar.lock();
            state.stopped = Some("the app is exiting".to_owned());
            if let Some(running) = &mut state.running {
                // Dropping the sender ends the writer thread, which closes stdin.
                running.input = None;
                if running.namespaced {
                    // bwrap would die of it and take the namespace along at
                    // once: the sidecar would have no time to end well.
                    signal_group_but_leader(running.pid, rustix::process::Signal::TERM);
                } else {
                    signal_group(running.pid, libc::SIGTERM);
                }
                let timeout = Duration::from_secs(sidecar.config.shutdown_timeout_secs);
                waits.push((sidecar, running.generation, Instant::now() + timeout));
            }
        }
        for (sidecar, generation, deadline) in waits {
            loop {
                let state = sidecar.lock();
                // Signalled only while unreaped (see `Running`).
                let Some(running) = state.running.as_ref().filter(|r| r.generation == generation)
                else {
                    break;
                };
                if Instant::now() >= deadline {
                    signal_group(running.pid, libc::SIGKILL);
                    break;
                }
                drop(state);
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.files.remove_unpacked();
    }
}

impl Sidecar {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends request `method` and settles `answer` with the sidecar's
    /// answer when it comes (or with an error if it exits first). `remote`:
    /// a remote page calls, which gets binary results as base64.
    #[allow(clippy::too_many_arguments)]
    pub fn call(
        self: &Arc<Self>,
        method: &str,
        params: &Value,
        label: &str,
        remote: bool,
        proxy: &EventLoopProxy<UserEvent>,
        answer: Deferred,
    ) {
        let mut state = self.lock();
        state.proxy.get_or_insert_with(|| proxy.clone());
        let sent = (|| {
            if state.pending.len() >= MAX_PENDING {
                return Err(SidecarError::Busy(self.config.name.clone()));
            }
            self.ensure_running(&mut state)?;
            state.next_id += 1;
            let id = state.next_id;
            let line = request_line(id, method, params);
            if line.len() > MAX_MESSAGE_BYTES {
                return Err(SidecarError::TooLarge(self.config.name.clone()));
            }
            // Started by `ensure_running`; if the writer is gone the process
            // is ending, and its reader rejects what is pending.
            if let Some(running) = &state.running {
                running.send(line);
            }
            Ok(id)
        })();
        match sent {
            Ok(id) => {
                let timeout = self.config.call_timeout_secs;
                state.pending.insert(
                    id,
                    Pending {
                        label: label.to_owned(),
                        remote,
                        method: method.to_owned(),
                        deadline: (timeout > 0)
                            .then(|| Instant::now() + Duration::from_secs(timeout)),
                        answer,
                    },
                );
                if timeout > 0 && !state.watching {
                    state.watching = true;
                    let this = self.clone();
                    let started = std::thread::Builder::new()
                        .name(format!("sidecar-{}-timer", self.config.name))
                        .spawn(move || this.time_out_calls());
                    if started.is_err() {
                        state.watching = false;
                    }
                }
            }
            Err(error) => {
                drop(state);
                answer.settle(Err(error.to_string()));
            }
        }
    }

    /// Sends notification `method` (no answer).
    pub fn notify(
        self: &Arc<Self>,
        method: &str,
        params: &Value,
        proxy: &EventLoopProxy<UserEvent>,
    ) -> Result<(), SidecarError> {
        let mut state = self.lock();
        state.proxy.get_or_insert_with(|| proxy.clone());
        self.ensure_running(&mut state)?;
        let line = notification_line(method, params);
        if line.len() > MAX_MESSAGE_BYTES {
            return Err(SidecarError::TooLarge(self.config.name.clone()));
        }
        if let Some(running) = &state.running {
            running.send(line);
        }
        Ok(())
    }

    /// Starts the process unless it runs (or may not run).
    fn ensure_running(self: &Arc<Self>, state: &mut State) -> Result<(), SidecarError> {
        if state.running.is_some() {
            return Ok(());
        }
        if let Some(why) = &state.stopped {
            return Err(SidecarError::Stopped {
                sidecar: self.config.name.clone(),
                why: why.clone(),
            });
        }
        if state.restarting {
            return Err(SidecarError::Restarting(self.config.name.clone()));
        }
        state.generation += 1;
        let generation = state.generation;
        let running = self.spawn(generation).map_err(|why| SidecarError::Start {
            sidecar: self.config.name.clone(),
            why,
        })?;
        state.running = Some(running);
        Ok(())
    }

    /// Starts the process and its three threads.
    fn spawn(self: &Arc<Self>, generation: u64) -> Result<Running, String> {
        // Only a sidecar that needs files makes a packaged app unpack them.
        let needs_files = self.config.command_is_file()
            || self.config.args.iter().any(|a| matches!(a, SidecarArg::File(_)));
        let dir = if needs_files {
            self.files.dir()?
        } else {
            PathBuf::new() // joined with nothing: no path below is a file of the app
        };
        let dir = &dir;
        let program = if self.config.command_is_file() {
            dir.join(&self.config.command)
        } else {
            crate::api::shell::run::find_program(&self.config.command, None)
                .map_err(|_| format!("`{}` was not found in PATH", self.config.command))?
        };
        // bwrap runs whatever it is given: what cannot run is said here.
        rustix::fs::access(&program, rustix::fs::Access::EXEC_OK).map_err(|error| {
            match error {
                rustix::io::Errno::NOENT => format!("`{}` was not found", program.display()),
                rustix::io::Errno::ACCESS => format!("`{}` is not executable", program.display()),
                _ => format!("`{}`: {error}", program.display()),
            }
        })?;
        let namespaced = pid_namespace();
        let mut command = if namespaced {
            let mut command = Command::new("bwrap");
            command.args(NAMESPACE_ARGS).arg("--").arg(&program);
            command
        } else {
            Command::new(&program)
        };
        for arg in &self.config.args {
            match arg {
                SidecarArg::Text(text) => command.arg(text),
                SidecarArg::File(file) => command.arg(dir.join(&file.file)),
            };
        }
        command.env_clear();
        for name in &self.config.env {
            if let Some(value) = std::env::var_os(&name.0) {
                command.env(&name.0, value);
            }
        }
        command.env("MILLENNIUM_SIDECAR", &self.config.name);
        match &self.files.data_dir {
            Some(data) => {
                std::fs::create_dir_all(data)
                    .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
                command.env("MILLENNIUM_DATA_DIR", data).current_dir(data);
            }
            None => {
                command.current_dir("/");
            }
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        // SAFETY: between fork and exec only async-signal-safe calls are
        // made (prctl, getppid, _exit), on values copied before the fork.
        let parent = std::process::id();
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The host died before the line above: nothing kills us then.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let mut child = spawn_from_lasting_thread(command).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => format!("`{}` was not found", program.display()),
            std::io::ErrorKind::PermissionDenied => {
                format!("`{}` is not executable", program.display())
            }
            _ => format!("`{}`: {error}", program.display()),
        })?;
        let pid = child.id();
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            signal_group(pid, libc::SIGKILL);
            let _ = child.wait();
            return Err("its standard streams could not be opened".to_owned());
        };
        // The `Child` is not kept: the reader reaps the pid itself, after
        // killing what is left of its group.
        drop(child);
        let (input, lines) = std::sync::mpsc::channel();
        let name = self.config.name.clone();
        let this = self.clone();
        let threads = std::thread::Builder::new()
            .name(format!("sidecar-{name}-in"))
            .spawn(move || write_lines(stdin, lines))
            .and_then(|_| {
                let name = name.clone();
                std::thread::Builder::new()
                    .name(format!("sidecar-{name}-err"))
                    .spawn(move || copy_stderr(&name, stderr))
            })
            .and_then(|_| {
                std::thread::Builder::new()
                    .name(format!("sidecar-{name}-out"))
                    .spawn(move || this.read_answers(stdout, pid, generation))
            });
        if let Err(error) = threads {
            // Nothing would read it or reap it: it goes now.
            signal_group(pid, libc::SIGKILL);
            let _ = crate::api::shell::children::reap_exited(pid);
            return Err(format!("no thread to speak to it: {error}"));
        }
        Ok(Running {
            pid,
            generation,
            input: Some(input),
            namespaced,
        })
    }

    /// Reads stdout until it ends, then reaps the process and rejects what
    /// is pending.
    fn read_answers(self: Arc<Self>, stdout: std::process::ChildStdout, pid: u32, generation: u64) {
        let mut reader = BufReader::with_capacity(64 * 1024, stdout);
        let mut line = Vec::new();
        let ended = loop {
            line.clear();
            let read = (&mut reader)
                .take(MAX_MESSAGE_BYTES as u64 + 1)
                .read_until(b'\n', &mut line);
            match read {
                Ok(0) => break "its output ended".to_owned(),
                Ok(_) if line.len() > MAX_MESSAGE_BYTES => {
                    signal_group(pid, libc::SIGKILL);
                    break "it sent a message larger than 16 MiB, and was stopped".to_owned();
                }
                Ok(_) if line.last() != Some(&b'\n') => {
                    break "its output ended in the middle of a message".to_owned();
                }
                Ok(_) => match self.on_line(&line) {
                    Line::Done => {}
                    Line::Stop(why) => {
                        signal_group(pid, libc::SIGKILL);
                        break format!("{why}, and was stopped");
                    }
                    Line::BytesFollow { id, length } => {
                        let mut bytes = Vec::with_capacity(length.min(MAX_MESSAGE_BYTES as u64) as usize);
                        match (&mut reader).take(length).read_to_end(&mut bytes) {
                            Ok(read) if read as u64 == length => self.answer_bytes(id, bytes),
                            Ok(_) => break "its output ended in the middle of a binary result".to_owned(),
                            Err(error) => break format!("reading its output failed: {error}"),
                        }
                    }
                },
                Err(error) => break format!("reading its output failed: {error}"),
            }
        };
        // It ended, or closed its output and cannot be spoken to: unless the
        // app is exiting (which gives it `shutdown-timeout-secs`), it and
        // what it left running are stopped, then it is forgotten (so
        // nothing signals it again) and reaped.
        if self.lock().stopped.is_none() {
            signal_group(pid, libc::SIGKILL);
        }
        let status = crate::api::shell::children::wait_exited(pid)
            .map(|()| signal_group(pid, libc::SIGKILL))
            .and_then(|()| {
                let mut state = self.lock();
                if state.running.as_ref().is_some_and(|r| r.generation == generation) {
                    state.running = None;
                }
                drop(state);
                crate::api::shell::children::reap_exited(pid)
            });
        let how = match status {
            Ok(status) => describe(status),
            Err(error) => format!("could not be waited for: {error}"),
        };
        self.ended(generation, &format!("{ended}; it {how}"));
    }

    /// One line from the sidecar.
    fn on_line(&self, line: &[u8]) -> Line {
        let name = &self.config.name;
        let message: Value = match serde_json::from_slice(line) {
            Ok(Value::Object(object)) => Value::Object(object),
            Ok(_) | Err(_) => {
                let shown = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
                eprintln!("millennium: sidecar `{name}` wrote a line that is not a JSON-RPC object: {}", shown.trim_end());
                return Line::Done;
            }
        };
        if let Some(announced) = bytes_announced(&message) {
            // Read even when nobody waits (cancelled, or a stray id), or
            // the next message would start inside them.
            let id = message.get("id").and_then(Value::as_u64);
            return match (id, announced) {
                (Some(id), Some(length)) if length <= MAX_BYTES_RESULT => Line::BytesFollow { id, length },
                (Some(_), Some(length)) => Line::Stop(format!(
                    "it announced a binary result of {length} bytes, more than 256 MiB"
                )),
                (Some(_), None) => Line::Stop("it announced bytes without a whole number of them".to_owned()),
                (None, _) => Line::Stop("it announced bytes that answer no id".to_owned()),
            };
        }
        let id = message.get("id").and_then(Value::as_u64);
        let method = message.get("method").and_then(Value::as_str);
        match (id, method) {
            // A request to the host: it answers none.
            (Some(_), Some(method)) => {
                let reply = json!({"jsonrpc": "2.0", "id": message["id"], "error": {
                    "code": -32601, "message": format!("the host answers no requests (`{method}`)")}});
                if let Some(running) = &self.lock().running {
                    let mut bytes = reply.to_string().into_bytes();
                    bytes.push(b'\n');
                    running.send(bytes);
                }
            }
            (None, Some(method)) => {
                let payload = json!({
                    "method": method,
                    "params": message.get("params").cloned().unwrap_or(Value::Null),
                });
                self.emit(payload);
            }
            (Some(id), None) => self.answer(id, &message),
            (None, None) => {
                eprintln!("millennium: sidecar `{name}` wrote an object that is neither an answer nor a notification");
            }
        }
        Line::Done
    }

    /// The raw bytes answering call `id`: held for an app page, which takes
    /// them through the fetch channel; base64 for a remote page.
    fn answer_bytes(&self, id: u64, bytes: Vec<u8>) {
        let Some(pending) = self.lock().pending.remove(&id) else {
            return;
        };
        let length = bytes.len();
        let result = if pending.remote {
            use base64::Engine;
            if length > MAX_MESSAGE_BYTES / 4 * 3 {
                Err(format!(
                    "sidecar `{}` answered with {length} bytes; remote pages get at most 12 MiB",
                    self.config.name
                ))
            } else {
                Ok(json!({ "base64": base64::engine::general_purpose::STANDARD.encode(&bytes) }))
            }
        } else {
            self.held
                .hold(&pending.label, bytes)
                .map(|token| json!({ "bytes": { "token": token, "length": length } }))
        };
        pending.answer.settle(result.map(Output::Json));
    }

    /// An answer to call `id`.
    fn answer(&self, id: u64, message: &Value) {
        let Some(pending) = self.lock().pending.remove(&id) else {
            // Cancelled, or an id nobody asked for.
            return;
        };
        let result = match (message.get("result"), message.get("error")) {
            (Some(result), None) => Ok(json!({ "result": result })),
            (None, Some(error)) => {
                let code = error.get("code").and_then(Value::as_i64);
                let text = error.get("message").and_then(Value::as_str);
                match (code, text) {
                    (Some(code), Some(text)) => Ok(json!({ "error": {
                        "code": code,
                        "message": text,
                        "data": error.get("data").cloned().unwrap_or(Value::Null),
                    }})),
                    _ => Err(format!(
                        "sidecar `{}` answered with an error object lacking `code` or `message`",
                        self.config.name
                    )),
                }
            }
            _ => Err(format!(
                "sidecar `{}` answered with neither `result` nor `error`",
                self.config.name
            )),
        };
        pending.answer.settle(result.map(Output::Json));
    }

    /// The process of `generation` ended: reject its calls, tell the pages,
    /// restart it if the policy allows.
    fn ended(self: &Arc<Self>, generation: u64, why: &str) {
        let name = self.config.name.clone();
        let mut state = self.lock();
        if state.running.as_ref().is_some_and(|r| r.generation == generation) {
            // It could not be waited for; it is not ours to signal either way.
            state.running = None;
        }
        let pending: Vec<Pending> = state.pending.drain().map(|(_, p)| p).collect();
        let exiting = state.stopped.is_some();
        let restart = !exiting && state.restarts < self.config.max_restarts;
        let delay = backoff(self.config.restart_backoff_ms, state.restarts);
        if restart {
            state.restarts += 1;
            state.restarting = true;
        } else if !exiting {
            state.stopped = Some(format!(
                "it exited and was restarted {} times already (`max-restarts`)",
                state.restarts
            ));
        }
        drop(state);
        if !exiting {
            eprintln!("millennium: sidecar `{name}` stopped: {why}");
        }
        for call in pending {
            call.answer.settle(Err(format!(
                "sidecar `{name}` stopped before it answered: {why}"
            )));
        }
        if exiting {
            return;
        }
        self.emit(json!({
            "method": "$/exited",
            "params": { "reason": why, "restarting": restart },
        }));
        if restart {
            let this = self.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("sidecar-{name}-restart"))
                .spawn(move || {
                    std::thread::sleep(delay);
                    let mut state = this.lock();
                    state.restarting = false;
                    if state.stopped.is_none() && let Err(error) = this.ensure_running(&mut state) {
                        drop(state);
                        eprintln!("millennium: {error}");
                        this.emit(json!({
                            "method": "$/exited",
                            "params": { "reason": error.to_string(), "restarting": false },
                        }));
                    }
                });
            if spawned.is_err() {
                self.lock().restarting = false;
            }
        }
    }

    /// Rejects the calls whose `call-timeout-secs` passed, every 100 ms,
    /// until the app exits.
    fn time_out_calls(self: Arc<Self>) {
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let mut state = self.lock();
            if state.stopped.is_some() && state.pending.is_empty() {
                state.watching = false;
                return;
            }
            let now = Instant::now();
            let late: Vec<u64> = state
                .pending
                .iter()
                .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
                .map(|(id, _)| *id)
                .collect();
            let mut expired = Vec::new();
            for id in late {
                if let Some(pending) = state.pending.remove(&id) {
                    if let Some(running) = &state.running {
                        running.send(notification_line("$/cancelRequest", &json!({ "id": id })));
                    }
                    expired.push(pending);
                }
            }
            drop(state);
            for pending in expired {
                pending.answer.settle(Err(format!(
                    "sidecar `{}` did not answer `{}` within {} s (`call-timeout-secs`)",
                    self.config.name, pending.method, self.config.call_timeout_secs
                )));
            }
        }
    }

    /// A notification for the pages of the granted windows, within
    /// [`MAX_EVENTS_PER_SECOND`].
    fn emit(&self, payload: Value) {
        let mut state = self.lock();
        let now = Instant::now();
        let flow = &mut state.flow;
        let mut report = None;
        if flow.since.is_none_or(|since| now.duration_since(since) >= Duration::from_secs(1)) {
            if flow.dropped > 0 {
                report = Some(flow.dropped);
            }
            *flow = Flow {
                since: Some(now),
                sent: 0,
                dropped: 0,
            };
        }
        if flow.sent >= MAX_EVENTS_PER_SECOND {
            if flow.dropped == 0 {
                eprintln!(
                    "millennium: sidecar `{}` sends more than {MAX_EVENTS_PER_SECOND} notifications a second; dropping the rest",
                    self.config.name
                );
            }
            flow.dropped += 1;
            return;
        }
        flow.sent += 1;
        let proxy = state.proxy.clone();
        drop(state);
        let (Some(proxy), Some(grant)) = (proxy, &self.grant) else {
            return;
        };
        let send = |payload| {
            let _ = proxy.send_event(UserEvent::SidecarNotification {
                sidecar: self.config.name.clone(),
                windows: grant.windows.clone(),
                payload,
            });
        };
        if let Some(count) = report {
            send(json!({ "method": "$/dropped", "params": { "count": count } }));
        }
        send(payload);
    }
}

/// What follows a line of the sidecar's output.
enum Line {
    /// The next line.
    Done,
    /// `length` raw bytes, answering call `id`.
    BytesFollow { id: u64, length: u64 },
    /// The output cannot be read on (bytes that cannot be skipped).
    Stop(String),
}

/// `Some` when `message` is an answer `{"result": {"$bytes": N}}`: N raw
/// bytes follow its line (`Some(None)` when N is not a whole number).
fn bytes_announced(message: &Value) -> Option<Option<u64>> {
    let result = message.get("result")?.as_object()?;
    if result.len() != 1 {
        return None;
    }
    Some(result.get("$bytes")?.as_u64())
}

/// A request to the spawner thread, and where its child goes.
type SpawnRequest = (Command, Sender<std::io::Result<std::process::Child>>);

/// Starts `command` from one thread that lives as long as the process.
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends,
/// not the process: a sidecar forked by a restart's short-lived thread
/// would be killed as soon as that thread returned.
fn spawn_from_lasting_thread(command: Command) -> std::io::Result<std::process::Child> {
    static SPAWNER: std::sync::OnceLock<Mutex<Sender<SpawnRequest>>> = std::sync::OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (requests, incoming) = std::sync::mpsc::channel::<SpawnRequest>();
        // If the thread cannot start, `incoming` is dropped and every
        // request fails below.
        let _ = std::thread::Builder::new()
            .name("sidecar-spawner".to_owned())
            .spawn(move || {
                for (mut command, answer) in incoming {
                    let _ = answer.send(command.spawn());
                }
            });
        Mutex::new(requests)
    });
    let (answer, child) = std::sync::mpsc::channel();
    let no_spawner = || std::io::Error::other("the thread that starts sidecars is not running");
    spawner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send((command, answer))
        .map_err(|_| no_spawner())?;
    child.recv().map_err(|_| no_spawner())?
}

/// `restart-backoff-ms`, doubled per restart so far, at most 30 s.
fn backoff(first_ms: u64, restarts: u32) -> Duration {
    let factor = 1u64.checked_shl(restarts.min(20)).unwrap_or(u64::MAX);
    Duration::from_millis(first_ms.saturating_mul(factor)).min(MAX_BACKOFF)
}

fn request_line(id: u64, method: &str, params: &Value) -> Vec<u8> {
    let mut line = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        .to_string()
        .into_bytes();
    line.push(b'\n');
    line
}

fn notification_line(method: &str, params: &Value) -> Vec<u8> {
    let mut line = json!({"jsonrpc": "2.0", "method": method, "params": params})
        .to_string()
        .into_bytes();
    line.push(b'\n');
    line
}

/// The writer thread: lines in order until the channel closes (then stdin
/// closes) or the sidecar stops reading for good.
fn write_lines(stdin: std::process::ChildStdin, lines: Receiver<Vec<u8>>) {
    let mut stdin = std::io::BufWriter::with_capacity(64 * 1024, stdin);
    while let Ok(line) = lines.recv() {
        if stdin.write_all(&line).is_err() {
            return;
        }
        // Batch what is already queued, then flush.
        loop {
            match lines.try_recv() {
                Ok(line) => {
                    if stdin.write_all(&line).is_err() {
                        return;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    let _ = stdin.flush();
                    return;
                }
            }
        }
        if stdin.flush().is_err() {
            return;
        }
    }
}

/// Copies the sidecar's stderr to the app's, a line at a time, prefixed.
fn copy_stderr(name: &str, stderr: std::process::ChildStderr) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(64 * 1024).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                eprintln!("[sidecar {name}] {}", text.trim_end_matches('\n'));
            }
        }
    }
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        // bwrap exits with 128 + the signal that killed the sidecar.
        (Some(code @ 129..=192), _) => {
            format!("exited with code {code} (killed by signal {}?)", code - 128)
        }
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => "ended".to_owned(),
    }
}

/// What bwrap is given to run a sidecar in a PID namespace of its own:
/// the same files (`/` bound as it is), its own `/proc` (so pids read there
/// are the ones the sidecar knows), and death with bwrap, which dies with
/// the host. bwrap's own process is the namespace's first, the sidecar its
/// child (a first process ignores the signals it has no handler for, and
/// `SIGTERM` must end a sidecar that has none); when the sidecar ends, so
/// does that first process, and the kernel kills every process left.
const NAMESPACE_ARGS: [&str; 7] = [
    "--dev-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "--unshare-pid",
    "--die-with-parent",
];

/// Whether sidecars run in a PID namespace of their own, found out once by
/// trying (bwrap may be missing, or user namespaces off). Without one, what
/// a sidecar starts in a new session outlives a host killed with `SIGKILL`,
/// and the app says so once.
fn pid_namespace() -> bool {
    static WORKS: OnceLock<bool> = OnceLock::new();
    *WORKS.get_or_init(|| {
        let tried = Command::new("bwrap")
            .args(NAMESPACE_ARGS)
            .args(["--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let why = match tried {
            Ok(output) if output.status.success() => return true,
            Ok(output) => format!(
                "bwrap failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            Err(error) => format!("bwrap (bubblewrap) cannot run: {error}"),
        };
        eprintln!(
            "millennium: sidecars run without a PID namespace of their own ({why}); \
             if the app is killed with SIGKILL, processes a sidecar started in a new \
             session of their own outlive it"
        );
        false
    })
}

/// Sends `signal` to every process of the group `leader` leads but the
/// leader. Each is pinned with a pidfd and its group read again after, so
/// the signal reaches a member even if a pid was recycled meanwhile.
fn signal_group_but_leader(leader: u32, signal: rustix::process::Signal) {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid == leader || group_of(pid) != Some(leader) {
            continue;
        }
        let pidfd = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .and_then(|p| rustix::process::pidfd_open(p, rustix::process::PidfdFlags::empty()).ok());
        if let Some(pidfd) = pidfd
            && group_of(pid) == Some(leader)
        {
            let _ = rustix::process::pidfd_send_signal(&pidfd, signal);
        }
    }
}

/// The process group of `pid`, from `/proc/PID/stat` ("pid (comm) state
/// ppid pgrp ...", where comm may hold any byte but ends at the last `)`).
fn group_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    rest.split_ascii_whitespace().nth(2)?.parse().ok()
}

/// Sends `signal` to the process group led by `pid`, which is unreaped (or
/// whose group still has members), so the group id is still ours.
fn signal_group(pid: u32, signal: libc::c_int) {
    if let Ok(pgid) = libc::pid_t::try_from(pid) {
        // SAFETY: killpg(2) takes plain integers.
        unsafe { libc::killpg(pgid, signal) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_of_a_process_is_read_past_any_command_name() {
        // SAFETY: getpgrp(2) takes nothing and cannot fail.
        let own = unsafe { libc::getpgrp() } as u32;
        assert_eq!(group_of(std::process::id()), Some(own));
        assert_eq!(group_of(u32::MAX), None);
        // A command name with parentheses and spaces, in a group of its own.
        let dir = std::env::temp_dir().join(format!("millennium-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let odd = dir.join("a) 1 2 (b");
        std::fs::copy("/bin/sleep", &odd).unwrap();
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(&odd).arg("5").process_group(0).spawn().unwrap();
        let group = group_of(child.id());
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(group, Some(child.id()));
    }

    #[test]
    fn restarts_wait_longer_each_time_up_to_thirty_seconds() {
        assert_eq!(backoff(500, 0), Duration::from_millis(500));
        assert_eq!(backoff(500, 1), Duration::from_millis(1000));
        assert_eq!(backoff(500, 3), Duration::from_millis(4000));
        assert_eq!(backoff(500, 10), MAX_BACKOFF);
        assert_eq!(backoff(60_000, 99), MAX_BACKOFF);
    }

    #[test]
    fn messages_are_one_json_rpc_object_per_line() {
        let line = request_line(7, "search", &json!({"q": "a\nb"}));
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1, "escaped inside");
        let value: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(value, json!({"jsonrpc": "2.0", "id": 7, "method": "search", "params": {"q": "a\nb"}}));
        let note: Value = serde_json::from_slice(&notification_line("x", &Value::Null)).unwrap();
        assert_eq!(note, json!({"jsonrpc": "2.0", "method": "x", "params": null}));
    }
}
