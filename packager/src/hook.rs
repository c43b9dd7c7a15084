//! `[app] before-build-command` and `before-dev-command`: the author's own
//! frontend tooling (`npm run build`, `npm run dev`), run by `sh -c` in the
//! app's directory or the `cwd` inside it, with `MILLENNIUM_TARGET` and
//! `MILLENNIUM_BUILD` (`release` or `dev`) in its environment and nothing on
//! its standard input.
//!
//! The dev command is a long-running server or watcher. It gets its own
//! process group, so a Ctrl+C in the terminal reaches `millennium dev` only,
//! which then stops the whole group (SIGTERM, then SIGKILL after
//! [`STOP_GRACE`]): npm's children, Vite's workers and whatever else the
//! command started go with it. Its output is printed line by line with a
//! prefix, and the last lines are kept for the error that says why the app
//! never opened.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use millennium_config::model::HookCommand;

/// Tells the command which platform the app is built for (`linux-x86_64`).
pub const TARGET_ENV: &str = "MILLENNIUM_TARGET";

/// Tells the command whether this is a `release` or a `dev` build.
pub const BUILD_ENV: &str = "MILLENNIUM_BUILD";

/// How long the dev command's group has to exit after SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// How many of the dev command's last output lines an error quotes.
const TAIL_LINES: usize = 20;

/// Longer lines are printed (and kept) in pieces of this many bytes.
const MAX_LINE: u64 = 16 * 1024;

/// The prefix of every line the dev command prints.
pub const PREFIX: &str = "[dev] ";

/// `sh -c SCRIPT` in the hook's directory, told what is being built.
fn shell(hook: &HookCommand, base_dir: &Path, build: &str) -> (Command, PathBuf) {
    let cwd = base_dir.join(hook.cwd());
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(hook.script())
        .current_dir(&cwd)
        .env(
            TARGET_ENV,
            millennium_config::release::Target::current().as_str(),
        )
        .env(BUILD_ENV, build)
        .stdin(Stdio::null());
    (command, cwd)
}

/// How a command ended, in words: `exit code 3`, `signal 9`.
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// Runs `before-build-command` to its end, its output passed through.
/// `Some(code)` when it failed: the build stops with the command's exit
/// code (1 when a signal ended it).
pub fn run_before_build(hook: &HookCommand, base_dir: &Path) -> anyhow::Result<Option<ExitCode>> {
    let script = hook.script();
    let (mut command, cwd) = shell(hook, base_dir, "release");
    eprintln!(
        "millennium build: running before-build-command `{script}` in {}",
        cwd.display()
    );
    let status = command
        .status()
        .with_context(|| format!("cannot run before-build-command `{script}`"))?;
    if status.success() {
        return Ok(None);
    }
    eprintln!(
        "error: before-build-command `{script}` failed ({}); nothing was built",
        describe(status)
    );
    let code = status.code().unwrap_or(1);
    Ok(Some(ExitCode::from(u8::try_from(code).unwrap_or(1).max(1))))
}

/// The running `before-dev-command`.
pub struct DevCommand {
    script: String,
    /// Its process group (the shell's pid).
    group: i32,
    tail: Arc<Mutex<VecDeque<String>>>,
    exited: Arc<Mutex<Option<ExitStatus>>>,
    stopping: Arc<AtomicBool>,
}

/// Why the app did not open after the dev command started.
#[derive(Debug, PartialEq, Eq)]
pub enum NotReady {
    /// The command ended before the URL answered.
    Exited(String),
    /// The URL did not answer in time.
    TimedOut(Duration),
    /// SIGINT, SIGTERM or SIGHUP arrived while waiting (the signal).
    Interrupted(i32),
}

impl DevCommand {
    /// Starts `hook` in its own process group.
    pub fn start(hook: &HookCommand, base_dir: &Path) -> anyhow::Result<Arc<DevCommand>> {
        let script = hook.script().to_owned();
        let (mut command, cwd) = shell(hook, base_dir, "dev");
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: prctl is async-signal-safe and touches only the child.
        // Should `millennium dev` be killed outright, the shell still gets
        // SIGTERM (the group's other members are stopped by `stop`).
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        eprintln!(
            "millennium dev: starting before-dev-command `{script}` in {}",
            cwd.display()
        );
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start before-dev-command `{script}`"))?;
        let group = i32::try_from(child.id()).context("process id out of range")?;
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
        let exited = Arc::new(Mutex::new(None));
        let stopping = Arc::new(AtomicBool::new(false));
        let readers = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ];
        for (stream, to_stdout) in readers.into_iter().zip([true, false]) {
            if let Some(stream) = stream {
                let tail = tail.clone();
                std::thread::spawn(move || relay(stream, to_stdout, &tail));
            }
        }
        let watcher = Watcher {
            script: script.clone(),
            exited: exited.clone(),
            stopping: stopping.clone(),
        };
        std::thread::spawn(move || watcher.wait(child));
        Ok(Arc::new(DevCommand {
            script,
            group,
            tail,
            exited,
            stopping,
        }))
    }

    /// The command line.
    pub fn script(&self) -> &str {
        &self.script
    }

    /// Its last output lines, oldest first.
    pub fn tail(&self) -> Vec<String> {
        lock(&self.tail).iter().cloned().collect()
    }

    /// Polls `answers` until it says yes, the command exits, `limit`
    /// passes or `interrupted` reports a signal.
    pub fn wait_until(
        &self,
        limit: Duration,
        mut answers: impl FnMut() -> bool,
        interrupted: impl Fn() -> Option<i32>,
    ) -> Result<Duration, NotReady> {
        let start = Instant::now();
        loop {
            if let Some(signal) = interrupted() {
                return Err(NotReady::Interrupted(signal));
            }
            if answers() {
                return Ok(start.elapsed());
            }
            if let Some(status) = *lock(&self.exited) {
                // Let the relays print the last lines first.
                std::thread::sleep(Duration::from_millis(100));
                return Err(NotReady::Exited(describe(status)));
            }
            if start.elapsed() >= limit {
                return Err(NotReady::TimedOut(limit));
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Stops the whole process group: SIGTERM, then SIGKILL for whatever
    /// is left after [`STOP_GRACE`]. Idempotent; silent when it is gone.
    pub fn stop(&self) {
        if self.stopping.swap(true, Ordering::SeqCst) || !group_alive(self.group) {
            return;
        }
        signal_group(self.group, libc::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if !group_alive(self.group) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!(
            "millennium dev: before-dev-command `{}` did not stop within {} s of SIGTERM; killing it",
            self.script,
            STOP_GRACE.as_secs()
        );
        signal_group(self.group, libc::SIGKILL);
    }
}

impl Drop for DevCommand {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reaps the shell and says when it ends by itself.
struct Watcher {
    script: String,
    exited: Arc<Mutex<Option<ExitStatus>>>,
    stopping: Arc<AtomicBool>,
}

impl Watcher {
    /// The relays are not waited for: what the shell started in the
    /// background may hold its pipes open long after it exits.
    fn wait(self, mut child: Child) {
        let status = match child.wait() {
            Ok(status) => status,
            Err(error) => {
                eprintln!("millennium dev: cannot wait for before-dev-command: {error}");
                ExitStatus::from_raw(1 << 8)
            }
        };
        *lock(&self.exited) = Some(status);
        if !self.stopping.load(Ordering::SeqCst) {
            eprintln!(
                "millennium dev: before-dev-command `{}` exited ({}); restart millennium dev to start it again",
                self.script,
                describe(status)
            );
        }
    }
}

/// Copies `stream` line by line to standard output or error with
/// [`PREFIX`], keeping the last [`TAIL_LINES`].
fn relay(stream: Box<dyn Read + Send>, to_stdout: bool, tail: &Mutex<VecDeque<String>>) {
    let mut reader = BufReader::new(stream);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buffer);
        let line = line.trim_end_matches(['\n', '\r']);
        // A closed terminal is no reason to stop reading: the command
        // would block on a full pipe.
        if to_stdout {
            let _ = writeln!(std::io::stdout().lock(), "{PREFIX}{line}");
        } else {
            let _ = writeln!(std::io::stderr().lock(), "{PREFIX}{line}");
        }
        let mut tail = lock(tail);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.to_owned());
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Whether any process of `group` still runs. A zombie does not count:
/// where nothing reaps orphans, the group's dead would otherwise keep it
/// "alive" until the grace period ends.
fn group_alive(group: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        // No /proc: ask the kernel, zombies included.
        // SAFETY: signal 0 only checks that the group exists.
        return unsafe { libc::kill(-group, 0) } == 0;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            return false;
        };
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| running_in_group(&stat))
            == Some(group)
    })
}

/// The process group of a `/proc/PID/stat` line, unless it is a zombie or
/// dead. The command name (field 2) may hold spaces and parentheses: the
/// fields after it start at the last `)`.
fn running_in_group(stat: &str) -> Option<i32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?;
    let _parent = fields.next()?;
    let group = fields.next()?.parse().ok()?;
    (!matches!(state, "Z" | "X" | "x")).then_some(group)
}

static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

extern "C" fn note_interrupt(signal: libc::c_int) {
    INTERRUPTED.store(signal, Ordering::SeqCst);
}

/// Until the host's own handlers take over, SIGINT, SIGTERM and SIGHUP
/// are noted (see [`interrupted`]) instead of ending the process: the dev
/// command's group must be stopped first.
pub fn catch_interrupts() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is
        // async-signal-safe.
        unsafe {
            libc::signal(
                signal,
                note_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
}

/// The signal [`catch_interrupts`] noted, if any.
pub fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_in_group_reads_past_a_name_with_parentheses_and_skips_zombies() {
        assert_eq!(
            running_in_group("42 (node (vite) x) S 1 4242 4242 0"),
            Some(4242)
        );
        assert_eq!(running_in_group("42 (sh) Z 1 4242 4242 0"), None);
        assert_eq!(running_in_group("garbage"), None);
    }

    #[test]
    fn describe_says_exit_code_or_signal() {
        assert_eq!(describe(ExitStatus::from_raw(3 << 8)), "exit code 3");
        assert_eq!(describe(ExitStatus::from_raw(9)), "signal 9");
    }

    fn hook(script: &str) -> HookCommand {
        HookCommand::Script(script.to_owned())
    }

    #[test]
    fn dev_command_that_exits_is_reported_with_its_last_output() {
        let dir = std::env::temp_dir();
        let command = DevCommand::start(&hook("echo one; echo two >&2; exit 4"), &dir).unwrap();
        let outcome = command.wait_until(Duration::from_secs(20), || false, || None);
        assert_eq!(outcome, Err(NotReady::Exited("exit code 4".to_owned())));
        let tail = command.tail();
        assert!(tail.contains(&"one".to_owned()), "{tail:?}");
        assert!(tail.contains(&"two".to_owned()), "{tail:?}");
    }

    #[test]
    fn dev_command_is_told_it_is_a_dev_build_and_stopped_with_its_group() {
        let dir = std::env::temp_dir().join(format!("millennium-hook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let command = DevCommand::start(
            &hook("echo \"$MILLENNIUM_BUILD $MILLENNIUM_TARGET\"; sleep 300 & echo $! > child.pid; wait"),
            &dir,
        )
        .unwrap();
        let pid_file = dir.join("child.pid");
        let ready = command.wait_until(
            Duration::from_secs(20),
            || std::fs::read_to_string(&pid_file).is_ok_and(|s| s.ends_with('\n')),
            || None,
        );
        assert!(ready.is_ok(), "{ready:?}");
        let grandchild: i32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while command.tail().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            command.tail(),
            [format!(
                "dev {}",
                millennium_config::release::Target::current().as_str()
            )]
        );
        assert!(group_alive(command.group));
        command.stop();
        assert!(!group_alive(command.group));
        let stat = std::fs::read_to_string(format!("/proc/{grandchild}/stat")).unwrap_or_default();
        assert_eq!(running_in_group(&stat), None, "{stat}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dev_command_that_never_answers_times_out() {
        let command = DevCommand::start(&hook("sleep 300"), &std::env::temp_dir()).unwrap();
        let outcome = command.wait_until(Duration::from_millis(300), || false, || None);
        assert_eq!(outcome, Err(NotReady::TimedOut(Duration::from_millis(300))));
        command.stop();
        assert!(!group_alive(command.group));
    }
}
