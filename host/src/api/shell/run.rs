//! `Millennium.shell`: `open()` a URL or path with the desktop opener, and
//! run the programs named in `[allowlist.shell] scope` (`Command.execute()`,
//! `Command.spawn()`, `child.write()`, `child.kill()`), at Tauri v1 parity.
//!
//! Every handler here may block (spawning, reading output, waiting), so
//! callers run them on a worker thread, never on the UI thread.
//!
//! Regular expressions match the whole string, as in Tauri v1: the open
//! pattern and every argument validator are compiled as `\A(?:pattern)\z`, so
//! a validator `\d+` refuses `12abc` and `12\n`.
//!
//! Programs are looked up in the host's `PATH` before the page's environment
//! is applied, so `env: { PATH }` from the page cannot change which program
//! a scoped command runs.
//!
//! A child is signalled only while it is known to be unreaped: the thread
//! that waits for it first waits without reaping (`waitid` with `WNOWAIT`),
//! then removes it from the registry, then reaps it; `kill` signals under the
//! registry's lock. So a pid the kernel has already recycled is never killed.
//! Only the child itself is signalled, not its process group: programs it
//! started in the background live on (and, while they hold its stdout or
//! stderr open, delay the end of its output).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

use millennium_config::model::{Allowlist, ShellAllowlist, ShellArg, ShellArgs, ShellOpen};
use regex::{Regex, RegexBuilder};
use serde_json::{Value, json};

/// Most bytes `execute` collects from stdout, and separately from stderr.
pub const MAX_OUTPUT_BYTES: usize = 64 << 20;

/// Longest line a spawned child's event carries; a longer line arrives as
/// several events of at most this many bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Compiled-size limit of one regular expression (as the config checker's).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// `PATH` used when the host's environment has none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The programs `open(path, openWith)` accepts, as Tauri v1 names them.
pub const OPENERS: &[&str] = &[
    "firefox",
    "google chrome",
    "chromium",
    "xdg-open",
    "gio",
    "gnome-open",
    "kde-open",
    "wslview",
];

/// Why a shell command failed; the message is what the promise rejects with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    /// A pattern from `[allowlist.shell]` does not compile (the config
    /// checker normally reports this first).
    #[error("invalid regular expression in {key} `{pattern}`: {message}")]
    BadPattern {
        /// Where it is, e.g. `allowlist.shell.scope[2].args[1].validator`.
        key: String,
        /// The expression as written.
        pattern: String,
        /// What the regex compiler said.
        message: String,
    },
    /// `open` is `false` (or absent) in `[allowlist.shell]`.
    #[error(
        "allowlist.shell.open is not enabled in millennium.toml \
         (set `open = true` or a pattern in [allowlist.shell])"
    )]
    OpenDisabled,
    /// The target does not match the open pattern in full.
    #[error(
        "shell.open refused {target}: it does not match the pattern of \
         `open` in [allowlist.shell] (`{pattern}`)"
    )]
    OpenRefused {
        /// The target, quoted and shortened.
        target: String,
        /// The expression it had to match.
        pattern: String,
    },
    /// A target starting with `-` would be read as an option by the opener.
    #[error("shell.open refused {0}: a target may not start with `-`")]
    OpenOption(String),
    /// `openWith` is not one of [`OPENERS`].
    #[error(
        "shell.open: unknown program {0} for openWith (expected one of: firefox, \
         google chrome, chromium, xdg-open, gio, gnome-open, kde-open, wslview)"
    )]
    UnknownOpener(String),
    /// The opener could not be started.
    #[error("shell.open: cannot run `{program}`: {message}")]
    OpenerFailed {
        /// The program looked up in `PATH`.
        program: String,
        /// The OS error in words.
        message: String,
    },
    /// `execute` is `false` (or absent) in `[allowlist.shell]`.
    #[error(
        "allowlist.shell.execute is not enabled in millennium.toml \
         (set `execute = true` in [allowlist.shell])"
    )]
    ExecuteDisabled,
    /// No command of the scope has this name.
    #[error("command {0} is not in [allowlist.shell] scope")]
    UnknownCommand(String),
    /// The command takes no arguments (`args = false`).
    #[error(
        "command `{name}` takes no arguments (its [allowlist.shell] scope entry \
         has `args = false`), got {count}"
    )]
    NoArguments {
        /// The command's name.
        name: String,
        /// How many the caller passed.
        count: usize,
    },
    /// The number of arguments differs from the scope entry's list.
    #[error(
        "command `{name}` takes exactly {expected} argument(s) (its [allowlist.shell] \
         scope entry lists them), got {got}"
    )]
    ArgumentCount {
        /// The command's name.
        name: String,
        /// The length of the list in the scope.
        expected: usize,
        /// How many the caller passed.
        got: usize,
    },
    /// A fixed argument was not passed as written in the scope.
    #[error("command `{name}`: args[{index}] must be {expected}, got {got}")]
    FixedArgument {
        /// The command's name.
        name: String,
        /// Zero-based index in `args`.
        index: usize,
        /// The fixed string, quoted.
        expected: String,
        /// What was passed, quoted and shortened.
        got: String,
    },
    /// A caller-supplied argument does not match its validator in full.
    #[error("command `{name}`: args[{index}] {got} does not match the validator `{validator}`")]
    InvalidArgument {
        /// The command's name.
        name: String,
        /// Zero-based index in `args`.
        index: usize,
        /// What was passed, quoted and shortened.
        got: String,
        /// The validator as written in the scope.
        validator: String,
    },
    /// `cwd` is not an existing directory.
    #[error("command `{name}`: cwd `{cwd}` is not an existing directory")]
    BadCwd {
        /// The command's name.
        name: String,
        /// The directory asked for.
        cwd: String,
    },
    /// The program could not be started.
    #[error("cannot run `{program}` (command `{name}` in [allowlist.shell] scope): {message}")]
    Spawn {
        /// The scope entry's `cmd`.
        program: String,
        /// The command's name.
        name: String,
        /// The OS error in words.
        message: String,
    },
    /// `execute` output went over the cap; the child was killed.
    #[error("command `{name}`: {stream} exceeded {limit} bytes; the process was killed")]
    OutputTooLarge {
        /// The command's name.
        name: String,
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The cap in bytes.
        limit: usize,
    },
    /// Reading the output of, or waiting for, a child failed.
    #[error("command `{name}`: {message}")]
    Child {
        /// The command's name.
        name: String,
        /// What failed, in words.
        message: String,
    },
    /// `write`/`kill` with a pid that is not a running child of ours.
    #[error("no running child process with pid {0} was started by Millennium.shell")]
    UnknownChild(u32),
    /// The child was started by `execute`, whose stdin is closed.
    #[error("child process {0} has no stdin to write to")]
    NoStdin(u32),
    /// Writing to the child's stdin failed (e.g. it closed it).
    #[error("write to child process {pid}: {message}")]
    Write {
        /// The child's pid.
        pid: u32,
        /// The OS error in words.
        message: String,
    },
    /// Signalling the child failed.
    #[error("kill child process {pid}: {message}")]
    Kill {
        /// The child's pid.
        pid: u32,
        /// The OS error in words.
        message: String,
    },
}

/// How `execute` and `spawn` run a program, from the JS `SpawnOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Working directory; must be an existing directory. Default: the host's.
    pub cwd: Option<PathBuf>,
    /// Variables set for the child, over the host's (or over nothing, with
    /// `clear_env`). As in Tauri v1 they are not checked: a page that may run
    /// a command may also set e.g. `LD_PRELOAD` for it.
    pub env: Vec<(String, String)>,
    /// Start the child with an empty environment plus `env`.
    pub clear_env: bool,
}

/// What `execute` resolves with: Tauri v1's `ChildProcess`.
///
/// `stdout` and `stderr` are the program's output decoded as UTF-8, with
/// invalid sequences replaced by U+FFFD, and with every byte kept (Tauri v1's
/// JS side joined lines, dropping the final newline; this does not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecOutput {
    /// The exit code, or `None` when a signal ended the program.
    pub code: Option<i32>,
    /// The signal that ended the program, if one did.
    pub signal: Option<i32>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// What a spawned child reports, in order: lines, then one `Terminated` (or
/// one `Error` when waiting for it failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEvent {
    /// One line of stdout, without its `\n` (or `\r\n`), decoded as UTF-8
    /// with invalid sequences replaced.
    Stdout(String),
    /// One line of stderr, like `Stdout`.
    Stderr(String),
    /// Reading output of, or waiting for, the child failed; last event.
    Error(String),
    /// The child ended and both its streams are closed; last event.
    Terminated {
        /// The exit code, or `None` when a signal ended it.
        code: Option<i32>,
        /// The signal that ended it, if one did.
        signal: Option<i32>,
    },
}

impl ShellEvent {
    /// Tauri v1's payload shape for the JS side: `{"event":"Stdout","payload":"line"}`,
    /// `{"event":"Terminated","payload":{"code":0,"signal":null}}`.
    pub fn to_json(&self) -> Value {
        match self {
            ShellEvent::Stdout(line) => json!({ "event": "Stdout", "payload": line }),
            ShellEvent::Stderr(line) => json!({ "event": "Stderr", "payload": line }),
            ShellEvent::Error(message) => json!({ "event": "Error", "payload": message }),
            ShellEvent::Terminated { code, signal } => json!({
                "event": "Terminated",
                "payload": { "code": code, "signal": signal },
            }),
        }
    }

    /// Whether this is the last event of a child.
    pub fn is_last(&self) -> bool {
        matches!(self, ShellEvent::Error(_) | ShellEvent::Terminated { .. })
    }
}

/// Receives a spawned child's events, from the threads reading its output.
pub type EventSink = Box<dyn Fn(ShellEvent) + Send + Sync>;

/// A child's stdout or stderr, for a reader thread.
type OutputPipe = Box<dyn Read + Send>;

/// One argument rule of a scoped command.
#[derive(Debug)]
enum ArgRule {
    /// Must be passed as is.
    Fixed(String),
    /// Must match in full; `source` is the validator as written.
    Validated { source: String, regex: Regex },
}

/// The arguments a scoped command accepts, compiled.
#[derive(Debug)]
enum ArgRules {
    /// `args = false`.
    None,
    /// `args = true`.
    Any,
    /// A list: same length, rule by rule.
    List(Vec<ArgRule>),
}

/// A `[allowlist.shell] scope` entry, compiled.
#[derive(Debug)]
struct ScopedCommand {
    /// The program as written: a name looked up in `PATH`, or a path.
    cmd: String,
    /// What arguments it accepts.
    args: ArgRules,
}

/// A child started by `execute` or `spawn` that has not been reaped.
#[derive(Debug)]
struct RunningChild {
    /// `spawn`'s piped stdin (`None` for `execute`). Behind its own lock so a
    /// write that blocks on a full pipe holds up no other child.
    stdin: Option<Arc<Mutex<ChildStdin>>>,
}

/// The children this API started and has not reaped, by pid.
#[derive(Debug, Default)]
struct ChildRegistry {
    running: Mutex<HashMap<u32, RunningChild>>,
}

impl ChildRegistry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u32, RunningChild>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, pid: u32, child: RunningChild) {
        self.lock().insert(pid, child);
    }

    /// Sends SIGKILL to `pid` if it is a child of ours not yet reaped;
    /// `None` when it is not.
    fn kill(&self, pid: u32) -> Option<io::Result<()>> {
        let running = self.lock();
        // Under the lock: the child cannot be reaped (and its pid recycled)
        // before the signal is sent, see `reap`.
        running.contains_key(&pid).then(|| send_sigkill(pid))
    }

    /// Waits for child `pid` to end, forgets it, then reaps it.
    fn reap(&self, pid: u32) -> io::Result<ExitStatus> {
        let exited = wait_exited(pid);
        self.lock().remove(&pid);
        exited?;
        reap_exited(pid)
    }

    /// The stdin of running child `pid`.
    fn stdin(&self, pid: u32) -> Result<Arc<Mutex<ChildStdin>>, ShellError> {
        let running = self.lock();
        let child = running.get(&pid).ok_or(ShellError::UnknownChild(pid))?;
        child.stdin.clone().ok_or(ShellError::NoStdin(pid))
    }

    fn kill_all(&self) {
        let running = self.lock();
        for &pid in running.keys() {
            let _ = send_sigkill(pid);
        }
    }
}

/// SIGKILL to `pid`, which must be an unreaped child of ours.
fn send_sigkill(pid: u32) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Blocks until child `pid` has ended, leaving it unreaped (a zombie), so its
/// pid stays ours until `Child::wait`.
fn wait_exited(pid: u32) -> io::Result<()> {
    let id = libc::id_t::from(pid);
    loop {
        // SAFETY: an all-zero `siginfo_t` is a valid value (a plain C struct),
        // and waitid(2) writes only into the one it is given.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let result =
            unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if result == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Reaps child `pid`, which has ended.
fn reap_exited(pid: u32) -> io::Result<ExitStatus> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ECHILD))?;
    loop {
        let mut status = 0;
        // SAFETY: waitpid(2) writes only into `status`.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(ExitStatus::from_raw(status));
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// The last event of spawned child `pid`: reaps it, waits for its output
/// `readers` to finish, then reports how it ended.
fn wait_and_collect(
    children: &ChildRegistry,
    pid: u32,
    readers: Vec<JoinHandle<io::Result<()>>>,
) -> ShellEvent {
    let status = children.reap(pid);
    let mut failure = None;
    for reader in readers {
        let message = match reader.join() {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => format!("read output: {}", os_message(&error)),
            Err(_) => "an output reader panicked".to_owned(),
        };
        failure.get_or_insert(message);
    }
    match (status, failure) {
        (Err(error), _) => ShellEvent::Error(format!("wait: {}", os_message(&error))),
        (Ok(_), Some(message)) => ShellEvent::Error(message),
        (Ok(status), None) => ShellEvent::Terminated {
            code: status.code(),
            signal: status.signal(),
        },
    }
}

/// An OS error in words, without Rust's ` (os error N)` suffix.
fn os_message(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A caller-supplied string for an error message: quoted, escaped, and cut
/// after 100 characters.
fn quoted(text: &str) -> String {
    const LIMIT: usize = 100;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}

/// Compiles `pattern` so that it must match the whole string.
fn full_match(pattern: &str, key: String) -> Result<Regex, ShellError> {
    RegexBuilder::new(&format!(r"\A(?:{pattern})\z"))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|error| ShellError::BadPattern {
            key,
            pattern: pattern.to_owned(),
            message: error
                .to_string()
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .to_owned(),
        })
}

/// The shell API of a running app. Not `Clone`: dropping it kills the
/// children it started, so share it behind an `Arc`.
pub struct ShellApi {
    /// `execute` (or `all`) in `[allowlist.shell]`.
    execute_enabled: bool,
    /// The open pattern as written, and compiled; `None` when `open` is off.
    open: Option<(String, Regex)>,
    /// The scope, by command name.
    commands: HashMap<String, ScopedCommand>,
    /// Where programs and openers are looked up; `None`: the host's `PATH`
    /// at the time of the call.
    search_path: Option<OsString>,
    /// Cap on `execute` output, per stream.
    max_output: usize,
    /// Cap on one line of a spawned child's output.
    max_line: usize,
    /// Children not yet reaped; shared with the threads waiting for them.
    children: Arc<ChildRegistry>,
}

impl fmt::Debug for ShellApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.commands.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("ShellApi")
            .field("execute_enabled", &self.execute_enabled)
            .field("open", &self.open.as_ref().map(|(pattern, _)| pattern))
            .field("commands", &names)
            .field("search_path", &self.search_path)
            .field("max_output", &self.max_output)
            .field("running", &self.children.lock().len())
            .finish()
    }
}

impl ShellApi {
    /// Compiles the open pattern and the validators (anchored: the whole
    /// string must match, as in Tauri v1). With `all = true` and `open`
    /// unset, `open` uses [`ShellOpen::DEFAULT_PATTERN`], like `open = true`.
    pub fn new(allowlist: &ShellAllowlist) -> Result<ShellApi, ShellError> {
        let open = match (allowlist.open.pattern(), allowlist.all) {
            (Some(pattern), _) => Some(pattern),
            (None, true) => Some(ShellOpen::DEFAULT_PATTERN),
            (None, false) => None,
        };
        let open = open
            .map(|pattern| {
                let regex = full_match(pattern, "allowlist.shell.open".to_owned())?;
                Ok((pattern.to_owned(), regex))
            })
            .transpose()?;
        let mut commands = HashMap::new();
        for (index, entry) in allowlist.scope.iter().enumerate() {
            let args = match &entry.args {
                ShellArgs::Any(false) => ArgRules::None,
                ShellArgs::Any(true) => ArgRules::Any,
                ShellArgs::List(list) => ArgRules::List(
                    list.iter()
                        .enumerate()
                        .map(|(arg_index, arg)| match arg {
                            ShellArg::Fixed(text) => Ok(ArgRule::Fixed(text.clone())),
                            ShellArg::Validated(validator) => Ok(ArgRule::Validated {
                                source: validator.validator.clone(),
                                regex: full_match(
                                    &validator.validator,
                                    format!(
                                        "allowlist.shell.scope[{index}].args[{arg_index}].validator"
                                    ),
                                )?,
                            }),
                        })
                        .collect::<Result<_, ShellError>>()?,
                ),
            };
            commands.insert(
                entry.name.clone(),
                ScopedCommand {
                    cmd: entry.cmd.clone(),
                    args,
                },
            );
        }
        Ok(ShellApi {
            execute_enabled: allowlist.all || allowlist.execute,
            open,
            commands,
            search_path: None,
            max_output: MAX_OUTPUT_BYTES,
            max_line: MAX_LINE_BYTES,
            children: Arc::default(),
        })
    }

    /// [`ShellApi::new`] for the whole allowlist: its top-level `all`
    /// counts as `[allowlist.shell] all`.
    pub fn from_allowlist(allowlist: &Allowlist) -> Result<ShellApi, ShellError> {
        let mut shell = allowlist.shell.clone();
        shell.all |= allowlist.all;
        ShellApi::new(&shell)
    }

    /// Looks programs and openers up in `path` (a `PATH`-style list) rather
    /// than the host's `PATH`.
    pub fn with_search_path(mut self, path: impl Into<OsString>) -> ShellApi {
        self.search_path = Some(path.into());
        self
    }

    /// Lowers the caps on `execute` output and on event lines (for tests).
    #[cfg(test)]
    fn with_limits(mut self, max_output: usize, max_line: usize) -> ShellApi {
        self.max_output = max_output;
        self.max_line = max_line;
        self
    }

    /// Whether `open()` would accept `target`: `open` is enabled, the
    /// target matches its pattern in full, and does not start with `-`.
    pub fn check_open(&self, target: &str) -> Result<(), ShellError> {
        let (pattern, regex) = self.open.as_ref().ok_or(ShellError::OpenDisabled)?;
        if !regex.is_match(target) {
            return Err(ShellError::OpenRefused {
                target: quoted(target),
                pattern: pattern.clone(),
            });
        }
        // Openers and browsers take options; a custom pattern may let one
        // through, so refuse them whatever the pattern says.
        if target.starts_with('-') {
            return Err(ShellError::OpenOption(quoted(target)));
        }
        Ok(())
    }

    /// `shell.open(path, openWith?)`: refuses unless `[allowlist.shell] open`
    /// is enabled and `target` matches its pattern in full. Starts the
    /// desktop opener (`xdg-open`, or `with`, one of [`OPENERS`]; `gio` runs
    /// as `gio open`), looked up in `PATH`, in its own process group, and
    /// returns without waiting for it: a thread reaps it. Only a failure to
    /// start it is an error; its exit status is not reported.
    pub fn open(&self, target: &str, with: Option<&str>) -> Result<(), ShellError> {
        self.check_open(target)?;
        let (program, leading): (&str, &[&str]) = match with.map(str::to_ascii_lowercase).as_deref()
        {
            None | Some("xdg-open") => ("xdg-open", &[]),
            Some("firefox") => ("firefox", &[]),
            Some("google chrome" | "chrome") => ("google-chrome", &[]),
            Some("chromium") => ("chromium", &[]),
            Some("gio") => ("gio", &["open"]),
            Some("gnome-open") => ("gnome-open", &[]),
            Some("kde-open") => ("kde-open", &[]),
            Some("wslview") => ("wslview", &[]),
            Some(_) => {
                return Err(ShellError::UnknownOpener(quoted(with.unwrap_or_default())));
            }
        };
        let failed = |error: io::Error| ShellError::OpenerFailed {
            program: program.to_owned(),
            message: os_message(&error),
        };
        let path = self.find_program(program).map_err(failed)?;
        let mut child = Command::new(path)
            .arg0(program)
            .args(leading)
            .arg(target)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(failed)?;
        let reaper = thread::Builder::new()
            .name("shell-open-reaper".to_owned())
            .spawn(move || {
                let _ = child.wait();
            });
        // Without a thread the opener stays a zombie until the host exits;
        // it was started, so that is not the caller's failure.
        drop(reaper);
        Ok(())
    }

    /// `new Command(name, args).execute()`: runs scope command `name` with
    /// `args` (checked against its scope entry) to completion, with stdin
    /// closed. stdout and stderr are collected up to `MAX_OUTPUT_BYTES`
    /// each; past that the child is killed and this is an error. Output is
    /// decoded as UTF-8 with invalid sequences replaced by U+FFFD.
    pub fn execute(
        &self,
        name: &str,
        args: &[String],
        options: &ExecOptions,
    ) -> Result<ExecOutput, ShellError> {
        let mut command = self.command(name, args, options)?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.start(name, &mut command)?;
        let pid = child.id();
        self.children.insert(pid, RunningChild { stdin: None });
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let cap = self.max_output;
        let children = Arc::clone(&self.children);
        let stderr_reader = thread::Builder::new()
            .name(format!("shell-{pid}-stderr"))
            .spawn(move || read_capped(stderr, cap, || children.kill(pid)));
        let stderr_reader = match stderr_reader {
            Ok(handle) => handle,
            Err(error) => {
                self.children.kill(pid);
                let _ = self.children.reap(pid);
                return Err(ShellError::Child {
                    name: name.to_owned(),
                    message: format!("cannot start a thread: {}", os_message(&error)),
                });
            }
        };
        let stdout = read_capped(stdout, cap, || self.children.kill(pid));
        let stderr = stderr_reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the stderr reader panicked")));
        let status = self.children.reap(pid);
        let child_error = |what: &str, error: io::Error| ShellError::Child {
            name: name.to_owned(),
            message: format!("{what}: {}", os_message(&error)),
        };
        let too_large = |stream| ShellError::OutputTooLarge {
            name: name.to_owned(),
            stream,
            limit: cap,
        };
        let stdout = stdout.map_err(|e| child_error("read stdout", e))?;
        let stderr = stderr.map_err(|e| child_error("read stderr", e))?;
        let status = status.map_err(|e| child_error("wait", e))?;
        let stdout = stdout.ok_or_else(|| too_large("stdout"))?;
        let stderr = stderr.ok_or_else(|| too_large("stderr"))?;
        Ok(ExecOutput {
            code: status.code(),
            signal: status.signal(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        })
    }

    /// `Command.spawn()`: the checks of [`ShellApi::execute`], then starts
    /// the program with stdin piped and returns its pid at once. `on_event`
    /// is called from reader threads: one `Stdout`/`Stderr` per line (lines
    /// of one stream in order; longer lines than `MAX_LINE_BYTES` are cut),
    /// then exactly one `Terminated` once both streams have ended and the
    /// child is reaped, or `Error` if reading or waiting failed. From then on
    /// the pid is refused by [`ShellApi::write`] and [`ShellApi::kill`].
    pub fn spawn(
        &self,
        name: &str,
        args: &[String],
        options: &ExecOptions,
        on_event: EventSink,
    ) -> Result<u32, ShellError> {
        let mut command = self.command(name, args, options)?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.start(name, &mut command)?;
        let pid = child.id();
        let stdin = child.stdin.take().map(|stdin| Arc::new(Mutex::new(stdin)));
        self.children.insert(pid, RunningChild { stdin });
        let on_event: Arc<dyn Fn(ShellEvent) + Send + Sync> = Arc::from(on_event);
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        // The pid is all the waiter needs (it reaps with waitpid), so a
        // failure to start a thread leaves nothing the caller cannot clean up.
        drop(child);
        let max_line = self.max_line;
        let mut readers = Vec::new();
        let mut started = Ok(());
        let pipes: [(&str, Option<OutputPipe>); 2] = [
            ("stdout", stdout.map(|pipe| Box::new(pipe) as _)),
            ("stderr", stderr.map(|pipe| Box::new(pipe) as _)),
        ];
        for (stream, pipe) in pipes {
            let Some(pipe) = pipe else { continue };
            let on_event = Arc::clone(&on_event);
            let reader = thread::Builder::new()
                .name(format!("shell-{pid}-{stream}"))
                .spawn(move || {
                    for_each_line(pipe, max_line, |line| {
                        on_event(if stream == "stdout" {
                            ShellEvent::Stdout(line)
                        } else {
                            ShellEvent::Stderr(line)
                        });
                    })
                });
            match reader {
                Ok(handle) => readers.push(handle),
                Err(error) => {
                    started = Err(error);
                    break;
                }
            }
        }
        let children = Arc::clone(&self.children);
        let started = started.and_then(|()| {
            thread::Builder::new()
                .name(format!("shell-{pid}-wait"))
                .spawn(move || on_event(wait_and_collect(&children, pid, readers)))
        });
        if let Err(error) = started {
            // Readers already started end when the killed child's pipes close.
            self.children.kill(pid);
            let _ = self.children.reap(pid);
            return Err(ShellError::Child {
                name: name.to_owned(),
                message: format!("cannot start a thread: {}", os_message(&error)),
            });
        }
        Ok(pid)
    }

    /// `child.write(data)`: writes to the stdin of a child this API spawned
    /// and that is still running. Blocks while the child's stdin pipe is full.
    pub fn write(&self, pid: u32, data: &[u8]) -> Result<(), ShellError> {
        let stdin = self.children.stdin(pid)?;
        let mut stdin = stdin.lock().unwrap_or_else(PoisonError::into_inner);
        stdin
            .write_all(data)
            .and_then(|()| stdin.flush())
            .map_err(|error| ShellError::Write {
                pid,
                message: os_message(&error),
            })
    }

    /// `child.kill()`: SIGKILL to a child this API started (by `spawn`, or
    /// an `execute` still running) and has not yet reaped; a page never gets
    /// to signal any other pid. Its `Terminated` event follows. Programs the
    /// child started are not signalled.
    pub fn kill(&self, pid: u32) -> Result<(), ShellError> {
        match self.children.kill(pid) {
            None => Err(ShellError::UnknownChild(pid)),
            Some(result) => result.map_err(|error| ShellError::Kill {
                pid,
                message: os_message(&error),
            }),
        }
    }

    /// Kills every child still running (when the app exits); also on drop.
    pub fn kill_all(&self) {
        self.children.kill_all();
    }

    /// How many children this API started that have not been reaped.
    pub fn running(&self) -> usize {
        self.children.lock().len()
    }

    /// The checked `Command` for scope command `name`, without its stdio.
    fn command(
        &self,
        name: &str,
        args: &[String],
        options: &ExecOptions,
    ) -> Result<Command, ShellError> {
        if !self.execute_enabled {
            return Err(ShellError::ExecuteDisabled);
        }
        let scoped = self
            .commands
            .get(name)
            .ok_or_else(|| ShellError::UnknownCommand(quoted(name)))?;
        check_args(name, &scoped.args, args)?;
        if let Some(cwd) = &options.cwd
            && !cwd.is_dir()
        {
            return Err(ShellError::BadCwd {
                name: name.to_owned(),
                cwd: cwd.display().to_string(),
            });
        }
        let program = self
            .find_program(&scoped.cmd)
            .map_err(|error| ShellError::Spawn {
                program: scoped.cmd.clone(),
                name: name.to_owned(),
                message: os_message(&error),
            })?;
        let mut command = Command::new(program);
        // The program sees the name it was configured with as `argv[0]`.
        command.arg0(&scoped.cmd).args(args);
        if let Some(cwd) = &options.cwd {
            command.current_dir(cwd);
        }
        if options.clear_env {
            command.env_clear();
        }
        command.envs(options.env.iter().map(|(key, value)| (key, value)));
        Ok(command)
    }

    /// Starts `command`, naming scope command `name` in the error.
    fn start(&self, name: &str, command: &mut Command) -> Result<Child, ShellError> {
        command.spawn().map_err(|error| ShellError::Spawn {
            program: self
                .commands
                .get(name)
                .map_or_else(|| name.to_owned(), |c| c.cmd.clone()),
            name: name.to_owned(),
            message: os_message(&error),
        })
    }

    /// `program` as a path: as is when it contains `/` (a relative one
    /// against the host's working directory, not the child's `cwd`),
    /// otherwise the first executable file of that name in the search path.
    /// Empty `PATH` entries (the current directory) are skipped.
    fn find_program(&self, program: &str) -> io::Result<PathBuf> {
        if program.contains('/') {
            let path = Path::new(program);
            return if path.is_absolute() {
                Ok(path.to_owned())
            } else {
                Ok(std::env::current_dir()?.join(path))
            };
        }
        let search = self
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_else(|| DEFAULT_PATH.into());
        std::env::split_paths(&search)
            .filter(|dir| !dir.as_os_str().is_empty())
            .map(|dir| dir.join(program))
            .find(|candidate| {
                std::fs::metadata(candidate)
                    .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
            })
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))
    }
}

impl Drop for ShellApi {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Checks `args` against a scope entry's rules.
fn check_args(name: &str, rules: &ArgRules, args: &[String]) -> Result<(), ShellError> {
    let rules = match rules {
        ArgRules::Any => return Ok(()),
        ArgRules::None if args.is_empty() => return Ok(()),
        ArgRules::None => {
            return Err(ShellError::NoArguments {
                name: name.to_owned(),
                count: args.len(),
            });
        }
        ArgRules::List(rules) => rules,
    };
    if rules.len() != args.len() {
        return Err(ShellError::ArgumentCount {
            name: name.to_owned(),
            expected: rules.len(),
            got: args.len(),
        });
    }
    for (index, (rule, arg)) in rules.iter().zip(args).enumerate() {
        match rule {
            ArgRule::Fixed(fixed) if fixed == arg => {}
            ArgRule::Fixed(fixed) => {
                return Err(ShellError::FixedArgument {
                    name: name.to_owned(),
                    index,
                    expected: quoted(fixed),
                    got: quoted(arg),
                });
            }
            ArgRule::Validated { regex, .. } if regex.is_match(arg) => {}
            ArgRule::Validated { source, .. } => {
                return Err(ShellError::InvalidArgument {
                    name: name.to_owned(),
                    index,
                    got: quoted(arg),
                    validator: source.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Reads `pipe` to its end; `Ok(None)` when it held more than `cap` bytes,
/// in which case `kill` has been called and the rest is left unread.
fn read_capped<R: Read, T>(
    pipe: Option<R>,
    cap: usize,
    kill: impl FnOnce() -> T,
) -> io::Result<Option<Vec<u8>>> {
    let Some(pipe) = pipe else {
        return Ok(Some(Vec::new()));
    };
    let mut bytes = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    pipe.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        kill();
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Calls `emit` with each line of `pipe`, without its `\n` or `\r\n`,
/// decoded lossily; a line longer than `max_line` bytes is cut into pieces.
/// A last line without a newline is emitted too.
fn for_each_line(pipe: impl Read, max_line: usize, mut emit: impl FnMut(String)) -> io::Result<()> {
    let finish = |line: &mut Vec<u8>| {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let text = String::from_utf8_lossy(line).into_owned();
        line.clear();
        text
    };
    let max_line = max_line.max(1);
    let mut reader = BufReader::new(pipe);
    let mut line = Vec::new();
    // After a cut, a newline right away ends the piece already emitted.
    let mut just_cut = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            if !line.is_empty() {
                emit(finish(&mut line));
            }
            return Ok(());
        }
        if just_cut && buffer[0] == b'\n' {
            reader.consume(1);
            just_cut = false;
            continue;
        }
        just_cut = false;
        let window = &buffer[..buffer.len().min(max_line - line.len())];
        match window.iter().position(|&byte| byte == b'\n') {
            Some(end) => {
                line.extend_from_slice(&window[..end]);
                reader.consume(end + 1);
                emit(finish(&mut line));
            }
            None => {
                let taken = window.len();
                line.extend_from_slice(window);
                reader.consume(taken);
                if line.len() >= max_line {
                    emit(finish(&mut line));
                    just_cut = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{self, Receiver};
    use std::time::{Duration, Instant};

    use millennium_config::model::{ShellArgValidator, ShellCommand};

    use super::*;
    use crate::api::fs_scope::TestDir;

    /// Longest any test waits for a child.
    const TIMEOUT: Duration = Duration::from_secs(10);

    fn s(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    fn command(name: &str, cmd: &str, args: ShellArgs) -> ShellCommand {
        ShellCommand {
            name: name.to_owned(),
            cmd: cmd.to_owned(),
            args,
        }
    }

    fn fixed(text: &str) -> ShellArg {
        ShellArg::Fixed(text.to_owned())
    }

    fn validated(validator: &str) -> ShellArg {
        ShellArg::Validated(ShellArgValidator {
            validator: validator.to_owned(),
        })
    }

    fn allowlist() -> ShellAllowlist {
        ShellAllowlist {
            all: false,
            execute: true,
            open: ShellOpen::Flag(true),
            scope: vec![
                command("none", "true", ShellArgs::Any(false)),
                command("sh", "sh", ShellArgs::Any(true)),
                command("cat", "cat", ShellArgs::Any(false)),
                command("sleep", "sleep", ShellArgs::List(vec![validated(r"\d+")])),
                command("printf", "printf", ShellArgs::Any(true)),
                command(
                    "echo-n",
                    "echo",
                    ShellArgs::List(vec![fixed("-n"), validated(r"\d+")]),
                ),
                command("either", "echo", ShellArgs::List(vec![validated("a|b")])),
                command("missing", "nonexistent-prog", ShellArgs::Any(false)),
            ],
        }
    }

    fn api() -> ShellApi {
        ShellApi::new(&allowlist()).unwrap()
    }

    /// Runs `f` on a thread; fails the test if it takes longer than `TIMEOUT`.
    fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let _ = sender.send(f());
        });
        receiver
            .recv_timeout(TIMEOUT)
            .expect("did not finish in time")
    }

    fn run(api: ShellApi, name: &'static str, args: &[&str]) -> Result<ExecOutput, ShellError> {
        let args = s(args);
        within(move || api.execute(name, &args, &ExecOptions::default()))
    }

    fn spawn(api: &ShellApi, name: &str, args: &[&str]) -> (u32, Receiver<ShellEvent>) {
        let (sender, receiver) = mpsc::channel();
        let sender = Mutex::new(sender);
        let sink: EventSink = Box::new(move |event| {
            let _ = sender.lock().unwrap().send(event);
        });
        let pid = api
            .spawn(name, &s(args), &ExecOptions::default(), sink)
            .unwrap();
        (pid, receiver)
    }

    /// Every event up to and including the last one.
    fn events(receiver: &Receiver<ShellEvent>) -> Vec<ShellEvent> {
        let deadline = Instant::now() + TIMEOUT;
        let mut events = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = receiver
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no last event in time; got {events:?}"));
            let last = event.is_last();
            events.push(event);
            if last {
                return events;
            }
        }
    }

    fn next(receiver: &Receiver<ShellEvent>) -> ShellEvent {
        receiver.recv_timeout(TIMEOUT).expect("no event in time")
    }

    fn wait_until(what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn command_not_in_scope_is_refused() {
        let error = api()
            .execute("rm", &s(&["-rf", "/"]), &ExecOptions::default())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"command "rm" is not in [allowlist.shell] scope"#
        );
        let error = api()
            .spawn("rm", &[], &ExecOptions::default(), Box::new(|_| {}))
            .unwrap_err();
        assert_eq!(error, ShellError::UnknownCommand("\"rm\"".to_owned()));
    }

    #[test]
    fn execute_disabled_is_refused_and_all_enables_it() {
        let mut list = allowlist();
        list.execute = false;
        let error = ShellApi::new(&list)
            .unwrap()
            .execute("none", &[], &ExecOptions::default())
            .unwrap_err();
        assert_eq!(error, ShellError::ExecuteDisabled);
        assert!(
            error.to_string().contains("allowlist.shell.execute"),
            "{error}"
        );
        list.all = true;
        let output = run(ShellApi::new(&list).unwrap(), "none", &[]).unwrap();
        assert_eq!(output.code, Some(0));
    }

    #[test]
    fn args_false_allows_none() {
        let error = api()
            .execute("none", &s(&["x"]), &ExecOptions::default())
            .unwrap_err();
        assert_eq!(
            error,
            ShellError::NoArguments {
                name: "none".to_owned(),
                count: 1
            }
        );
        assert_eq!(run(api(), "none", &[]).unwrap().code, Some(0));
    }

    #[test]
    fn args_true_allows_any() {
        let output = run(api(), "sh", &["-c", "echo \"$0|$1\"", "a b", "; rm -rf /"]).unwrap();
        assert_eq!(output.stdout, "a b|; rm -rf /\n");
    }

    #[test]
    fn args_list_checks_fixed_and_validated_arguments() {
        let output = run(api(), "echo-n", &["-n", "12"]).unwrap();
        assert_eq!(output.stdout, "12");
        let check = |args: &[&str]| api().command("echo-n", &s(args), &ExecOptions::default());
        let error = check(&["-e", "12"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"command `echo-n`: args[0] must be "-n", got "-e""#
        );
        for bad in ["12abc", "12\n", "", "x12"] {
            let error = check(&["-n", bad]).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(r"command `echo-n`: args[1] {bad:?} does not match the validator `\d+`")
            );
        }
        let error = check(&["-n"]).unwrap_err();
        assert_eq!(
            error,
            ShellError::ArgumentCount {
                name: "echo-n".to_owned(),
                expected: 2,
                got: 1
            }
        );
        assert!(check(&["-n", "1", "2"]).is_err());
    }

    #[test]
    fn validators_match_the_whole_argument() {
        let check = |arg: &str| {
            api()
                .command("either", &s(&[arg]), &ExecOptions::default())
                .is_ok()
        };
        // `a|b` unanchored would accept anything containing `a` or `b`.
        assert!(check("a"));
        assert!(check("b"));
        assert!(!check("ab"));
        assert!(!check("xa"));
        assert!(!check("a\n"));
        // Anchors written by the author keep working.
        let mut list = allowlist();
        list.scope = vec![command(
            "anchored",
            "echo",
            ShellArgs::List(vec![validated(r"^[a-z]+$")]),
        )];
        let api = ShellApi::new(&list).unwrap();
        assert!(
            api.command("anchored", &s(&["abc"]), &ExecOptions::default())
                .is_ok()
        );
        assert!(
            api.command("anchored", &s(&["abc\n"]), &ExecOptions::default())
                .is_err()
        );
    }

    #[test]
    fn invalid_validator_names_its_key() {
        let mut list = allowlist();
        list.scope.push(command(
            "bad",
            "echo",
            ShellArgs::List(vec![validated("(")]),
        ));
        let error = ShellApi::new(&list).unwrap_err();
        let ShellError::BadPattern { key, pattern, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(key, "allowlist.shell.scope[8].args[0].validator");
        assert_eq!(pattern, "(");
    }

    #[test]
    fn long_arguments_are_shortened_in_errors() {
        let long = "x".repeat(10_000);
        let error = api()
            .command("sleep", &[long], &ExecOptions::default())
            .unwrap_err()
            .to_string();
        assert!(error.len() < 300, "{error}");
        assert!(error.contains('…'), "{error}");
    }

    #[test]
    fn open_default_pattern_allows_mail_tel_and_web_urls_only() {
        let api = api();
        for good in [
            "https://example.com/a?b=c",
            "http://localhost:8080",
            "mailto:someone@example.com",
            "tel:+123456",
        ] {
            assert_eq!(api.check_open(good), Ok(()), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "/etc/passwd",
            "javascript:alert(1)",
            "https://example.com/a b",
            "https://example.com\n",
            "ftp://example.com",
            " https://example.com",
        ] {
            let error = api.check_open(bad).unwrap_err();
            assert!(
                matches!(error, ShellError::OpenRefused { .. }),
                "{bad}: {error:?}"
            );
            assert!(
                error.to_string().contains("`open` in [allowlist.shell]"),
                "{error}"
            );
        }
    }

    #[test]
    fn open_custom_pattern_must_match_in_full() {
        let mut list = allowlist();
        list.open = ShellOpen::Pattern(r"https://example\.com/.*|/home/.*".to_owned());
        let api = ShellApi::new(&list).unwrap();
        assert_eq!(api.check_open("https://example.com/x"), Ok(()));
        assert_eq!(api.check_open("/home/me/file.pdf"), Ok(()));
        assert!(
            api.check_open("https://evil.com/?https://example.com/")
                .is_err()
        );
        assert!(api.check_open("/etc/home/x").is_err());
        assert!(api.check_open("https://example.com").is_err());
        list.open = ShellOpen::Pattern(".*".to_owned());
        let api = ShellApi::new(&list).unwrap();
        assert_eq!(
            api.check_open("--new-instance"),
            Err(ShellError::OpenOption("\"--new-instance\"".to_owned()))
        );
    }

    #[test]
    fn open_is_refused_when_disabled() {
        let mut list = allowlist();
        list.open = ShellOpen::Flag(false);
        let api = ShellApi::new(&list).unwrap();
        let error = api.open("https://example.com", None).unwrap_err();
        assert_eq!(error, ShellError::OpenDisabled);
        assert!(
            error.to_string().contains("allowlist.shell.open"),
            "{error}"
        );
        assert!(error.to_string().contains("[allowlist.shell]"), "{error}");
        // `all` turns `open` on with the default pattern.
        list.all = true;
        let api = ShellApi::new(&list).unwrap();
        assert_eq!(api.check_open("https://example.com"), Ok(()));
        assert!(api.check_open("file:///etc/passwd").is_err());
    }

    #[test]
    fn from_allowlist_honours_the_top_level_all() {
        let allowlist = Allowlist {
            all: true,
            ..Allowlist::default()
        };
        let api = ShellApi::from_allowlist(&allowlist).unwrap();
        assert_eq!(api.check_open("https://example.com"), Ok(()));
        assert!(api.execute_enabled);
        let api = ShellApi::from_allowlist(&Allowlist::default()).unwrap();
        assert_eq!(
            api.check_open("https://example.com"),
            Err(ShellError::OpenDisabled)
        );
    }

    /// A fake opener `name` in `dir` that writes its name and its arguments,
    /// one a line, to `dir/opened`.
    fn fake_opener(dir: &TestDir, name: &str) {
        let script = dir.0.join(name);
        let record = dir.0.join("opened");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' {name} \"$@\" > '{record}.tmp' && mv '{record}.tmp' '{record}'\n",
                record = record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// `open`, retrying while another test's fork still holds the script
    /// just written open (`ETXTBSY`).
    fn open_retrying(api: &ShellApi, target: &str, with: Option<&str>) -> Result<(), ShellError> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match api.open(target, with) {
                Err(ShellError::OpenerFailed { message, .. })
                    if message.contains("busy") && Instant::now() < deadline =>
                {
                    thread::sleep(Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    fn opened(dir: &TestDir) -> String {
        let record = dir.0.join("opened");
        wait_until("the fake opener", || record.exists());
        std::fs::read_to_string(record).unwrap()
    }

    #[test]
    fn open_runs_xdg_open_from_the_search_path() {
        let dir = TestDir::new("shell-open");
        fake_opener(&dir, "xdg-open");
        let api = api().with_search_path(dir.0.as_os_str());
        open_retrying(&api, "https://example.com/?q=a b", None)
            .expect_err("a space is refused by the default pattern");
        open_retrying(&api, "https://example.com/?q=1&r=2", None).unwrap();
        assert_eq!(opened(&dir), "xdg-open\nhttps://example.com/?q=1&r=2\n");
    }

    #[test]
    fn open_with_runs_the_named_program() {
        let dir = TestDir::new("shell-open-with");
        fake_opener(&dir, "gio");
        let api = api().with_search_path(dir.0.as_os_str());
        open_retrying(&api, "mailto:a@b.c", Some("gio")).unwrap();
        assert_eq!(opened(&dir), "gio\nopen\nmailto:a@b.c\n");

        let dir = TestDir::new("shell-open-with");
        fake_opener(&dir, "google-chrome");
        let api = api.with_search_path(dir.0.as_os_str());
        open_retrying(&api, "https://a.b", Some("Google Chrome")).unwrap();
        assert_eq!(opened(&dir), "google-chrome\nhttps://a.b\n");
    }

    #[test]
    fn open_with_an_unknown_or_missing_program_fails() {
        let dir = TestDir::new("shell-open-missing");
        let api = api().with_search_path(dir.0.as_os_str());
        let error = api.open("https://a.b", Some("sh")).unwrap_err();
        assert_eq!(error, ShellError::UnknownOpener("\"sh\"".to_owned()));
        assert!(
            error.to_string().contains("firefox, google chrome"),
            "{error}"
        );
        let error = api.open("https://a.b", Some("firefox")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "shell.open: cannot run `firefox`: No such file or directory"
        );
        let error = api.open("https://a.b", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "shell.open: cannot run `xdg-open`: No such file or directory"
        );
    }

    #[test]
    fn execute_returns_code_stdout_and_stderr() {
        let args = s(&["-c", "echo out; echo err >&2; exit 3"]);
        let (api, output) = within(move || {
            let api = api();
            let output = api.execute("sh", &args, &ExecOptions::default());
            (api, output)
        });
        let output = output.unwrap();
        assert_eq!(api.running(), 0, "execute leaves no registry entry");
        assert_eq!(
            output,
            ExecOutput {
                code: Some(3),
                signal: None,
                stdout: "out\n".to_owned(),
                stderr: "err\n".to_owned(),
            }
        );
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!({ "code": 3, "signal": null, "stdout": "out\n", "stderr": "err\n" })
        );
    }

    #[test]
    fn execute_reports_the_signal_of_a_killed_child() {
        let output = run(api(), "sh", &["-c", "kill -9 $$"]).unwrap();
        assert_eq!(output.code, None);
        assert_eq!(output.signal, Some(libc::SIGKILL));
    }

    #[test]
    fn execute_closes_stdin() {
        // `cat` would wait forever on an open, silent stdin.
        let output = run(api(), "cat", &[]).unwrap();
        assert_eq!(output.code, Some(0));
        assert_eq!(output.stdout, "");
    }

    #[test]
    fn non_utf8_output_is_replaced() {
        let output = run(api(), "printf", &[r"a\377b\n"]).unwrap();
        assert_eq!(output.stdout, "a\u{FFFD}b\n");
        let api = api();
        let (_, receiver) = spawn(&api, "printf", &[r"\377x\n"]);
        assert_eq!(
            events(&receiver)[0],
            ShellEvent::Stdout("\u{FFFD}x".to_owned())
        );
    }

    #[test]
    fn execute_uses_cwd_and_env() {
        let dir = TestDir::new("shell-cwd");
        let options = ExecOptions {
            cwd: Some(dir.0.clone()),
            env: vec![("MILLENNIUM_TEST".to_owned(), "yes".to_owned())],
            clear_env: false,
        };
        let args = s(&[
            "-c",
            "pwd; echo \"$MILLENNIUM_TEST\"; echo \"${HOME:-unset}\"",
        ]);
        let output = api().execute("sh", &args, &options).unwrap();
        let lines: Vec<&str> = output.stdout.lines().collect();
        assert_eq!(lines[0], dir.0.display().to_string());
        assert_eq!(lines[1], "yes");
        let cleared = ExecOptions {
            clear_env: true,
            ..options
        };
        let output = api().execute("sh", &args, &cleared).unwrap();
        assert_eq!(output.stdout.lines().nth(2), Some("unset"));
    }

    #[test]
    fn page_env_path_does_not_change_the_program() {
        let dir = TestDir::new("shell-path");
        fake_opener(&dir, "true");
        let options = ExecOptions {
            env: vec![("PATH".to_owned(), dir.0.display().to_string())],
            ..ExecOptions::default()
        };
        let output = api().execute("none", &[], &options).unwrap();
        assert_eq!(output.code, Some(0));
        assert!(
            !dir.0.join("opened").exists(),
            "the page's PATH chose the program"
        );
    }

    #[test]
    fn cwd_must_be_an_existing_directory() {
        let dir = TestDir::new("shell-bad-cwd");
        let file = dir.0.join("file");
        std::fs::write(&file, "").unwrap();
        for cwd in [dir.0.join("missing"), file] {
            let options = ExecOptions {
                cwd: Some(cwd.clone()),
                ..ExecOptions::default()
            };
            let error = api().execute("none", &[], &options).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "command `none`: cwd `{}` is not an existing directory",
                    cwd.display()
                )
            );
        }
    }

    #[test]
    fn missing_program_error_names_it_and_the_reason() {
        let error = api()
            .execute("missing", &[], &ExecOptions::default())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot run `nonexistent-prog` (command `missing` in [allowlist.shell] scope): \
             No such file or directory"
        );
        let mut list = allowlist();
        list.scope = vec![command("abs", "/nonexistent/prog", ShellArgs::Any(false))];
        let error = ShellApi::new(&list)
            .unwrap()
            .spawn("abs", &[], &ExecOptions::default(), Box::new(|_| {}))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot run `/nonexistent/prog` (command `abs` in [allowlist.shell] scope): \
             No such file or directory"
        );
    }

    #[test]
    fn execute_output_over_the_cap_kills_the_child() {
        // An endless writer: only the kill ends it.
        let api = api().with_limits(1024, 1024);
        let error = run(api, "sh", &["-c", "while :; do echo 0123456789; done"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "command `sh`: stdout exceeded 1024 bytes; the process was killed"
        );
        let api = self::api().with_limits(1024, 1024);
        let error = run(api, "sh", &["-c", "while :; do echo 0123456789 >&2; done"]).unwrap_err();
        assert!(
            matches!(
                error,
                ShellError::OutputTooLarge {
                    stream: "stderr",
                    ..
                }
            ),
            "{error}"
        );
        let api = self::api().with_limits(1024, 1024);
        let output = run(api, "printf", &["%1024s"]).unwrap();
        assert_eq!(output.stdout.len(), 1024, "exactly the cap is allowed");
    }

    #[test]
    fn spawn_streams_lines_in_order_then_terminated() {
        let api = api();
        let script = "for i in 1 2 3; do echo \"line $i\"; done; echo oops >&2; \
                      printf 'crlf\\r\\nlast'; exit 4";
        let (pid, receiver) = spawn(&api, "sh", &["-c", script]);
        assert!(pid > 0);
        let events = events(&receiver);
        let stdout: Vec<&ShellEvent> = events
            .iter()
            .filter(|e| matches!(e, ShellEvent::Stdout(_)))
            .collect();
        let line = |text: &str| ShellEvent::Stdout(text.to_owned());
        assert_eq!(
            stdout,
            [
                &line("line 1"),
                &line("line 2"),
                &line("line 3"),
                &line("crlf"),
                &line("last")
            ]
        );
        assert!(events.contains(&ShellEvent::Stderr("oops".to_owned())));
        assert_eq!(events.len(), 7, "{events:?}");
        assert_eq!(
            events.last(),
            Some(&ShellEvent::Terminated {
                code: Some(4),
                signal: None
            })
        );
        assert!(
            receiver.recv_timeout(Duration::from_millis(100)).is_err(),
            "nothing after the last event"
        );
        assert_eq!(api.running(), 0, "the registry forgets a terminated child");
        assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
        assert_eq!(api.write(pid, b"x"), Err(ShellError::UnknownChild(pid)));
    }

    #[test]
    fn spawn_cuts_overlong_lines() {
        let api = api().with_limits(1024, 4);
        let (_, receiver) = spawn(&api, "printf", &[r"abcdefgh\nij\n"]);
        let line = |text: &str| ShellEvent::Stdout(text.to_owned());
        assert_eq!(
            events(&receiver),
            [
                line("abcd"),
                line("efgh"),
                line("ij"),
                ShellEvent::Terminated {
                    code: Some(0),
                    signal: None
                }
            ]
        );
    }

    #[test]
    fn write_reaches_the_stdin_of_cat() {
        let api = api();
        let (pid, receiver) = spawn(&api, "cat", &[]);
        api.write(pid, b"hello\n").unwrap();
        assert_eq!(next(&receiver), ShellEvent::Stdout("hello".to_owned()));
        api.write(pid, "wörld\n".as_bytes()).unwrap();
        assert_eq!(next(&receiver), ShellEvent::Stdout("wörld".to_owned()));
        api.kill(pid).unwrap();
        assert_eq!(
            events(&receiver).last(),
            Some(&ShellEvent::Terminated {
                code: None,
                signal: Some(libc::SIGKILL)
            })
        );
        assert_eq!(
            api.write(pid, b"late\n"),
            Err(ShellError::UnknownChild(pid))
        );
    }

    #[test]
    fn kill_ends_a_sleeping_child_promptly() {
        let api = api();
        let (pid, receiver) = spawn(&api, "sleep", &["30"]);
        assert_eq!(api.running(), 1);
        let started = Instant::now();
        api.kill(pid).unwrap();
        assert_eq!(
            events(&receiver),
            [ShellEvent::Terminated {
                code: None,
                signal: Some(libc::SIGKILL)
            }]
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        wait_until("the registry to forget the child", || api.running() == 0);
        assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
    }

    #[test]
    fn kill_refuses_pids_this_api_did_not_spawn() {
        let api = api();
        let own = std::process::id();
        assert_eq!(api.kill(own), Err(ShellError::UnknownChild(own)));
        assert_eq!(api.kill(1), Err(ShellError::UnknownChild(1)));
        // Another instance's child is not this one's.
        let other = self::api();
        let (pid, receiver) = spawn(&other, "sleep", &["30"]);
        assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
        assert_eq!(api.write(pid, b"x"), Err(ShellError::UnknownChild(pid)));
        drop(other);
        assert!(matches!(
            events(&receiver).last(),
            Some(ShellEvent::Terminated {
                signal: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn kill_all_ends_every_child() {
        let api = api();
        let receivers: Vec<_> = (0..3).map(|_| spawn(&api, "sleep", &["30"]).1).collect();
        assert_eq!(api.running(), 3);
        api.kill_all();
        for receiver in &receivers {
            assert_eq!(
                events(receiver),
                [ShellEvent::Terminated {
                    code: None,
                    signal: Some(libc::SIGKILL)
                }]
            );
        }
        wait_until("the registry to empty", || api.running() == 0);
    }

    #[test]
    fn events_have_tauri_v1_json_shape() {
        assert_eq!(
            ShellEvent::Stdout("a".to_owned()).to_json(),
            json!({ "event": "Stdout", "payload": "a" })
        );
        assert_eq!(
            ShellEvent::Stderr("b".to_owned()).to_json(),
            json!({ "event": "Stderr", "payload": "b" })
        );
        assert_eq!(
            ShellEvent::Error("c".to_owned()).to_json(),
            json!({ "event": "Error", "payload": "c" })
        );
        assert_eq!(
            ShellEvent::Terminated {
                code: Some(0),
                signal: None
            }
            .to_json(),
            json!({ "event": "Terminated", "payload": { "code": 0, "signal": null } })
        );
    }

    #[test]
    fn debug_lists_the_scope() {
        let text = format!("{:?}", api());
        assert!(text.contains("\"echo-n\""), "{text}");
        assert!(text.contains("running: 0"), "{text}");
    }
}
