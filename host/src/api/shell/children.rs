//! The children a shell API started and has not reaped. A child is signalled
//! only while it is known to be unreaped: the thread that waits for it
//! first waits without reaping (`waitid` with `WNOWAIT`), then removes it
//! from the registry, then reaps it; `kill` signals under the registry's
//! lock. So a pid the kernel has already recycled is never killed.

use std::collections::HashMap;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{ChildStdin, ExitStatus};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::run::{ShellError, ShellEvent};
use crate::api::fs::scope::os_error_text;

/// A child started by `execute` or `spawn` that has not been reaped.
#[derive(Debug)]
pub(super) struct RunningChild {
    /// `spawn`'s piped stdin (`None` for `execute`). Behind its own lock so a
    /// write that blocks on a full pipe holds up no other child.
    pub(super) stdin: Option<Arc<Mutex<ChildStdin>>>,
}

/// The children this API started and has not reaped, by pid.
#[derive(Debug, Default)]
pub(super) struct ChildRegistry {
    running: Mutex<HashMap<u32, RunningChild>>,
}

impl ChildRegistry {
    pub(super) fn lock(&self) -> MutexGuard<'_, HashMap<u32, RunningChild>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn insert(&self, pid: u32, child: RunningChild) {
        self.lock().insert(pid, child);
    }

    /// Sends SIGKILL to `pid` if it is a child of ours not yet reaped;
    /// `None` when it is not.
    pub(super) fn kill(&self, pid: u32) -> Option<io::Result<()>> {
        let running = self.lock();
        // Under the lock: the child cannot be reaped (and its pid recycled)
        // before the signal is sent, see `reap`.
        running.contains_key(&pid).then(|| send_sigkill(pid))
    }

    /// Waits for child `pid` to end, forgets it, then reaps it.
    pub(super) fn reap(&self, pid: u32) -> io::Result<ExitStatus> {
        let exited = wait_exited(pid);
        self.lock().remove(&pid);
        exited?;
        reap_exited(pid)
    }

    /// The stdin of running child `pid`.
    pub(super) fn stdin(&self, pid: u32) -> Result<Arc<Mutex<ChildStdin>>, ShellError> {
        let running = self.lock();
        let child = running.get(&pid).ok_or(ShellError::UnknownChild(pid))?;
        child.stdin.clone().ok_or(ShellError::NoStdin(pid))
    }

    pub(super) fn kill_all(&self) {
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
pub(crate) fn wait_exited(pid: u32) -> io::Result<()> {
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
pub(crate) fn reap_exited(pid: u32) -> io::Result<ExitStatus> {
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
pub(super) fn wait_and_collect(
    children: &ChildRegistry,
    pid: u32,
    readers: Vec<JoinHandle<io::Result<()>>>,
) -> ShellEvent {
    let status = children.reap(pid);
    let mut failure = None;
    for reader in readers {
        let message = match reader.join() {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => format!("read output: {}", os_error_text(&error)),
            Err(_) => "an output reader panicked".to_owned(),
        };
        failure.get_or_insert(message);
    }
    match (status, failure) {
        (Err(error), _) => ShellEvent::Error(format!("wait: {}", os_error_text(&error))),
        (Ok(_), Some(message)) => ShellEvent::Error(message),
        (Ok(status), None) => ShellEvent::Terminated {
            code: status.code(),
            signal: status.signal(),
        },
    }
}

