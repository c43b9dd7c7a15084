//! The shell runner: `open()` a URL or path with the desktop opener, and
//! run the programs named in `[allowlist.shell] scope` (`Command.execute()`,
//! `Command.spawn()`, `child.write()`, `child.kill()`), at Tauri v1 parity.
//!
//! Every handler here may block (spawning, reading output, waiting), so
//! callers run them on a worker thread, never on the UI thread.
//!
//! Patterns match in full (`scope.rs`).
//!
//! What a page may choose is data, never code:
//! - programs are looked up in the absolute directories of the host's `PATH`
//!   (a relative `cmd` is refused), before the page's environment applies;
//! - the page sets only the variables its scope entry lists in `env`;
//! - its `cwd` is the entry's fixed one, or a directory inside the fs scope,
//!   opened without following symlinks and handed to the child as that open
//!   directory, so it is the one that was checked;
//! - a validated argument starting with `-` needs a validator that does too.
//!
//! A child is signalled only while it is known to be unreaped
//! (`children.rs`). Only the child itself is signalled, not its process group: programs it
//! started in the background live on (and, while they hold its stdout or
//! stderr open, delay the end of its output).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use millennium_config::model::{Allowlist, ShellAllowlist, ShellArg, ShellArgs, ShellOpen};
use millennium_config::patterns::Regex;

use super::children::{ChildRegistry, RunningChild, wait_and_collect};
pub use super::error::ShellError;
use super::output::{for_each_line, read_capped};
use super::scope::{ArgRule, ArgRules, ScopedCommand, check_args, full_match, quoted};
use crate::api::fs::FsScope;
use crate::api::fs::scope::{io_message, lexical, os_error_text};
use crate::api::path::PathContext;
use crate::beneath;
use millennium_config::BaseDirectory;
use rustix::fs::{Mode, OFlags};
use std::os::fd::{AsRawFd, OwnedFd};
use serde_json::{Value, json};

/// Most bytes `execute` collects from stdout, and separately from stderr.
pub const MAX_OUTPUT_BYTES: usize = 64 << 20;

/// Longest line a spawned child's event carries; a longer line arrives as
/// several events of at most this many bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Most children of one app running at once: each holds reader and waiter
/// threads, so a page that spawns in a loop meets a clear error instead of
/// exhausting the host's threads.
pub const MAX_CHILDREN: usize = 64;

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

/// How `execute` and `spawn` run a program, from the JS `SpawnOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Working directory as the page wrote it: the scope entry's fixed one,
    /// or a directory inside the fs scope. Default: the entry's, else the
    /// host's.
    pub cwd: Option<String>,
    /// Variables set for the child, over the host's (or over nothing, with
    /// `clear_env`); each name must be listed in the entry's `env`.
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
    /// Spawns between their check against [`MAX_CHILDREN`] and the child's
    /// registration, so calls at the same moment cannot pass the cap.
    starting: std::sync::atomic::AtomicUsize,
    /// Where a page's `cwd` must be, and what `$VARS` in an entry's fixed
    /// `cwd` mean; `None`: no page `cwd`, no `$VARS`.
    places: Option<(FsScope, PathContext)>,
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
                    env: entry.env.iter().map(|name| name.0.clone()).collect(),
                    cwd: entry.cwd.clone(),
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
            starting: std::sync::atomic::AtomicUsize::new(0),
            places: None,
        })
    }

    /// Checks a page's `cwd` against `scope`, and expands `$VARS` in the
    /// entries' fixed `cwd` with `paths`.
    pub fn with_places(mut self, scope: FsScope, paths: PathContext) -> ShellApi {
        self.places = Some((scope, paths));
        self
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
            message: os_error_text(&error),
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
        let (mut command, _cwd) = self.command(name, args, options)?;
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
                    message: format!("cannot start a thread: {}", os_error_text(&error)),
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
            message: format!("{what}: {}", os_error_text(&error)),
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
        let _place = self.reserve_child()?;
        let (mut command, _cwd) = self.command(name, args, options)?;
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
                message: format!("cannot start a thread: {}", os_error_text(&error)),
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
                message: os_error_text(&error),
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
                message: os_error_text(&error),
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

    /// A place for one more spawned child under [`MAX_CHILDREN`], counted
    /// until the returned guard drops (after the child is registered).
    fn reserve_child(&self) -> Result<impl Drop + '_, ShellError> {
        use std::sync::atomic::Ordering::SeqCst;
        struct Place<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Place<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, SeqCst);
            }
        }
        let place = Place(&self.starting);
        let starting = self.starting.fetch_add(1, SeqCst) + 1;
        if self.running() + starting > MAX_CHILDREN {
            return Err(ShellError::TooManyChildren(MAX_CHILDREN));
        }
        Ok(place)
    }

    /// The checked `Command` for scope command `name`, without its stdio,
    /// and the working directory it runs in, open (keep it until the child
    /// has started: the child changes into exactly this directory).
    fn command(
        &self,
        name: &str,
        args: &[String],
        options: &ExecOptions,
    ) -> Result<(Command, Option<OwnedFd>), ShellError> {
        if !self.execute_enabled {
            return Err(ShellError::ExecuteDisabled);
        }
        let scoped = self
            .commands
            .get(name)
            .ok_or_else(|| ShellError::UnknownCommand(quoted(name)))?;
        check_args(name, &scoped.args, args)?;
        for (variable, _) in &options.env {
            if !scoped.env.contains(variable) {
                return Err(ShellError::EnvRefused {
                    name: name.to_owned(),
                    variable: quoted(variable),
                });
            }
        }
        let cwd = self.working_dir(name, scoped, options.cwd.as_deref())?;
        let program = self
            .find_program(&scoped.cmd)
            .map_err(|error| ShellError::Spawn {
                program: scoped.cmd.clone(),
                name: name.to_owned(),
                message: os_error_text(&error),
            })?;
        let mut command = Command::new(program);
        // The program sees the name it was configured with as `argv[0]`.
        command.arg0(&scoped.cmd).args(args);
        if let Some(dir) = &cwd {
            // The directory that was checked and opened, by its handle: a
            // rename or symlink swapped in since cannot change it.
            command.current_dir(format!("/proc/self/fd/{}", dir.as_raw_fd()));
        }
        if options.clear_env {
            command.env_clear();
        }
        command.envs(options.env.iter().map(|(key, value)| (key, value)));
        Ok((command, cwd))
    }

    /// The directory scope command `name` runs in, open: the entry's fixed
    /// `cwd` (which the page may only repeat), or the page's, which must be
    /// a directory inside the fs scope and is opened following no symlink.
    fn working_dir(
        &self,
        name: &str,
        scoped: &ScopedCommand,
        asked: Option<&str>,
    ) -> Result<Option<OwnedFd>, ShellError> {
        let bad_cwd = |cwd: &str, reason: String| ShellError::BadCwd {
            name: name.to_owned(),
            cwd: quoted(cwd),
            reason,
        };
        let places = self.places.as_ref();
        let directory = OFlags::PATH | OFlags::DIRECTORY;
        if let Some(fixed) = &scoped.cwd {
            let expanded = match BaseDirectory::split(fixed) {
                Ok(Some((dir, rest))) => places
                    .and_then(|(_, paths)| paths.base_dir(dir))
                    .map(|base| base.join(rest.trim_start_matches('/'))),
                Ok(None) => Some(PathBuf::from(fixed)),
                Err(_) => None,
            }
            .ok_or_else(|| bad_cwd(fixed, "its base directory does not exist here".to_owned()))?;
            if let Some(asked) = asked
                && lexical(asked, None).ok().as_deref() != Some(expanded.as_path())
            {
                return Err(bad_cwd(
                    asked,
                    format!("the scope fixes it to `{}`", expanded.display()),
                ));
            }
            // Fixed by the author: trusted, its own symlinks included.
            let dir = rustix::fs::open(&expanded, directory | OFlags::CLOEXEC, Mode::empty())
                .map_err(|e| bad_cwd(fixed, io_message(&e.into())))?;
            return Ok(Some(dir));
        }
        let Some(asked) = asked else {
            return Ok(None);
        };
        let Some((scope, _)) = places else {
            return Err(bad_cwd(asked, "it is not inside the fs scope".to_owned()));
        };
        let checked = scope
            .check(asked, None)
            .map_err(|_| bad_cwd(asked, "it is not inside the fs scope (allowlist.fs.scope)".to_owned()))?;
        let dir = beneath::open(&checked, directory, Mode::empty())
            .map_err(|e| bad_cwd(asked, io_message(&e)))?;
        Ok(Some(dir))
    }

    /// Starts `command`, naming scope command `name` in the error.
    fn start(&self, name: &str, command: &mut Command) -> Result<Child, ShellError> {
        command.spawn().map_err(|error| ShellError::Spawn {
            program: self
                .commands
                .get(name)
                .map_or_else(|| name.to_owned(), |c| c.cmd.clone()),
            name: name.to_owned(),
            message: os_error_text(&error),
        })
    }

    /// [`find_program`] in this API's search path.
    fn find_program(&self, program: &str) -> io::Result<PathBuf> {
        find_program(program, self.search_path.as_deref())
    }
}

/// `program` as a path: as is when it is absolute, otherwise the first
/// executable file of that name in `search` (the host's `PATH` when
/// `None`). A relative path (`./tool`, `bin/tool`) is refused, and empty or
/// relative `PATH` entries are skipped: none may depend on the host's
/// working directory.
pub(crate) fn find_program(program: &str, search: Option<&std::ffi::OsStr>) -> io::Result<PathBuf> {
    if program.contains('/') {
        let path = Path::new(program);
        return if path.is_absolute() {
            Ok(path.to_owned())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a relative program path is refused (write a name looked up in PATH, or an absolute path)",
            ))
        };
    }
    let search = search
        .map(OsString::from)
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_else(|| DEFAULT_PATH.into());
    std::env::split_paths(&search)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))
}

impl Drop for ShellApi {
    fn drop(&mut self) {
        self.kill_all();
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
