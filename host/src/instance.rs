//! `[app] single-instance = true`: one running copy per user and app.
//!
//! The first launch takes an exclusive `flock` on `DIR/<identifier>.lock`
//! and listens on `DIR/<identifier>.sock`, where DIR is the user's own
//! `$XDG_RUNTIME_DIR` or else `/tmp/millennium-<uid>`, made 0700 and
//! checked to be this user's real directory. A later launch cannot take
//! the lock: it connects, sends its arguments and working directory as one
//! JSON line, waits for `ok`, and exits 0. The kernel drops the lock with
//! the process, so a crash leaves only a socket file, which the next first
//! launch replaces. Both ends check that the other runs as this user
//! (`SO_PEERCRED`); another user's copy has its own directory anyway.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Largest message a later launch may send.
pub const MAX_MESSAGE_BYTES: u64 = 4 * 1024 * 1024;

/// Most arguments a message may carry.
const MAX_ARGS: usize = 4096;

/// How long either end waits for the other.
const PATIENCE: Duration = Duration::from_secs(3);

/// What a later launch hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forwarded {
    /// Its arguments, after the program name.
    pub args: Vec<String>,
    /// Its working directory.
    pub cwd: String,
}

/// This launch is the first: it holds the lock until it exits (or
/// [`release`]s it).
#[derive(Debug)]
pub struct First {
    lock: OwnedFd,
    listener: UnixListener,
    socket: PathBuf,
}

/// The lock and socket path of the copy that listens, for [`release`].
static HELD: std::sync::Mutex<Option<(OwnedFd, PathBuf)>> = std::sync::Mutex::new(None);

/// Set once this copy has begun to exit: it takes no more launches.
static RELEASED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// This copy is exiting: a later launch must not hand its arguments to it
/// (they would be lost) but start a copy of its own. The socket is removed
/// while the lock is still held (so it can only be ours), then the lock is
/// let go; a launch already connected is told to try again.
pub fn release() {
    RELEASED.store(true, std::sync::atomic::Ordering::SeqCst);
    let held = HELD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if let Some((lock, socket)) = held {
        let _ = std::fs::remove_file(&socket);
        drop(lock);
    }
}

/// What [`claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// No other copy runs; this one listens from now on.
    First(First),
    /// A running copy took the arguments: this launch ends (exit 0).
    Handed,
}

/// Why the claim failed.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The directory for the lock cannot be used.
    #[error("single instance: {0}")]
    Dir(String),
    /// The lock or socket cannot be made.
    #[error("single instance: {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        error: std::io::Error,
    },
    /// The running copy did not take the arguments.
    #[error("another copy of the app is running but did not take the arguments: {0}")]
    NotTaken(String),
}

/// Takes the lock for `identifier`, or hands `forwarded` to the copy that
/// holds it. A copy that is exiting (or was killed) soon leaves the lock
/// free, so a hand-over it refuses is tried again for up to 3 s.
pub fn claim(identifier: &str, forwarded: &Forwarded) -> Result<Claim, InstanceError> {
    // A copy that is exiting lets go of the lock at once, one that was
    // killed as soon as the kernel takes it: try again for a while.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match claim_once(identifier, forwarded) {
            Err(InstanceError::NotTaken(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn claim_once(identifier: &str, forwarded: &Forwarded) -> Result<Claim, InstanceError> {
    let dir = lock_dir()?;
    let lock_path = dir.join(format!("{identifier}.lock"));
    let socket_path = dir.join(format!("{identifier}.sock"));
    let lock = open_lock(&lock_path)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |error| InstanceError::Io { path, error }
    };
    match rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {
            // A copy that crashed left its socket; nobody listens on it.
            match std::fs::remove_file(&socket_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&socket_path)(e)),
            }
            let listener = UnixListener::bind(&socket_path).map_err(io(&socket_path))?;
            Ok(Claim::First(First {
                lock,
                listener,
                socket: socket_path,
            }))
        }
        Err(rustix::io::Errno::WOULDBLOCK) => {
            hand_over(&socket_path, forwarded).map(|()| Claim::Handed)
        }
        Err(error) => Err(io(&lock_path)(error.into())),
    }
}

impl First {
    /// Takes what later launches send, on a thread of its own, until the
    /// process exits or [`release`]s the lock; `deliver` gets each message
    /// that is valid.
    pub fn listen(self, deliver: impl Fn(Forwarded) + Send + 'static) {
        let First {
            lock,
            listener,
            socket,
        } = self;
        *HELD
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((lock, socket));
        let spawned = std::thread::Builder::new()
            .name("single-instance".to_owned())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else {
                        continue;
                    };
                    // Delivered before the launch is told `ok`, and only
                    // while this copy is not exiting: an `ok` means taken.
                    let taken = take(&stream).and_then(|message| {
                        if RELEASED.load(std::sync::atomic::Ordering::SeqCst) {
                            return Err(EXITING.to_owned());
                        }
                        deliver(message);
                        Ok(())
                    });
                    let reply = match &taken {
                        Ok(()) => "ok\n".to_owned(),
                        Err(why) => format!("error: {why}\n"),
                    };
                    let _ = stream.write_all(reply.as_bytes());
                    if let Err(why) = taken {
                        eprintln!("millennium: a message from another launch was refused: {why}");
                    }
                }
            });
        if let Err(error) = spawned {
            eprintln!("millennium: later launches will not reach this one: {error}");
        }
    }
}

/// What a copy that is exiting answers.
const EXITING: &str = "the running copy is exiting";

/// Reads one message from a later launch (the caller answers it).
fn take(stream: &UnixStream) -> Result<Forwarded, String> {
    same_user(stream)?;
    stream
        .set_read_timeout(Some(PATIENCE))
        .map_err(|e| e.to_string())?;
    let mut line = Vec::new();
    BufReader::new(stream)
        .take(MAX_MESSAGE_BYTES + 1)
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("reading it failed: {e}"))?;
    if line.len() as u64 > MAX_MESSAGE_BYTES {
        return Err("it is larger than 4 MiB".to_owned());
    }
    if line.pop() != Some(b'\n') {
        return Err("it ended before its end of line".to_owned());
    }
    let message: Forwarded =
        serde_json::from_slice(&line).map_err(|e| format!("it is not a launch's message: {e}"))?;
    if message.args.len() > MAX_ARGS {
        return Err(format!("it has more than {MAX_ARGS} arguments"));
    }
    if !Path::new(&message.cwd).is_absolute() {
        return Err("its working directory is not absolute".to_owned());
    }
    Ok(message)
}

/// Sends `forwarded` to the copy listening on `socket`, and waits for its
/// `ok`. A copy that holds the lock may still be starting: it is given
/// [`PATIENCE`] to listen.
fn hand_over(socket: &Path, forwarded: &Forwarded) -> Result<(), InstanceError> {
    let deadline = Instant::now() + PATIENCE;
    let mut stream = loop {
        match UnixStream::connect(socket) {
            Ok(stream) => break stream,
            Err(error) if Instant::now() >= deadline => {
                return Err(InstanceError::NotTaken(format!(
                    "{}: {error}",
                    socket.display()
                )));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let not_taken = |why: String| InstanceError::NotTaken(why);
    same_user(&stream).map_err(not_taken)?;
    stream
        .set_read_timeout(Some(PATIENCE))
        .map_err(|e| not_taken(e.to_string()))?;
    let mut line = serde_json::to_vec(forwarded).map_err(|e| not_taken(e.to_string()))?;
    line.push(b'\n');
    stream
        .write_all(&line)
        .map_err(|e| not_taken(format!("sending failed: {e}")))?;
    let mut reply = String::new();
    BufReader::new(&stream)
        .take(4096)
        .read_line(&mut reply)
        .map_err(|e| not_taken(format!("no answer: {e}")))?;
    match reply.trim_end() {
        "ok" => Ok(()),
        "" => Err(not_taken("it closed the connection".to_owned())),
        other => Err(not_taken(other.to_owned())),
    }
}

/// The peer of `stream` runs as this user.
fn same_user(stream: &UnixStream) -> Result<(), String> {
    let peer = rustix::net::sockopt::socket_peercred(stream)
        .map_err(|e| format!("who sent it is unknown: {e}"))?;
    if peer.uid != rustix::process::getuid() {
        return Err(format!(
            "it comes from another user (uid {})",
            peer.uid.as_raw()
        ));
    }
    Ok(())
}

/// `$XDG_RUNTIME_DIR` when it is this user's private directory, else
/// `/tmp/millennium-<uid>`, made 0700 if missing.
fn lock_dir() -> Result<PathBuf, InstanceError> {
    if let Some(dir) = private_runtime_dir() {
        return Ok(dir);
    }
    let uid = rustix::process::getuid();
    let dir = std::env::temp_dir().join(format!("millennium-{}", uid.as_raw()));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(InstanceError::Dir(format!(
                "cannot create {}: {e}",
                dir.display()
            )));
        }
    }
    private_dir(&dir, uid).map_err(InstanceError::Dir)?;
    Ok(dir)
}

/// `$XDG_RUNTIME_DIR` when it is absolute and this user's private
/// directory (see [`private_dir`]); what a session manager sets, checked,
/// since anyone may set the variable.
pub(crate) fn private_runtime_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR")?);
    (dir.is_absolute() && private_dir(&dir, rustix::process::getuid()).is_ok()).then_some(dir)
}

/// `dir` is a real directory (not a symlink) of `uid`, which nobody else
/// may write.
fn private_dir(dir: &Path, uid: rustix::process::Uid) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::symlink_metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !meta.file_type().is_dir() {
        return Err(format!("{} is not a directory (a symlink?)", dir.display()));
    }
    if meta.uid() != uid.as_raw() {
        return Err(format!("{} belongs to another user", dir.display()));
    }
    if meta.permissions().mode() & 0o022 != 0 {
        return Err(format!("{} may be written by others", dir.display()));
    }
    Ok(())
}

/// Opens (or creates) the lock file, never through a symlink.
fn open_lock(path: &Path) -> Result<OwnedFd, InstanceError> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(
        path,
        OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(|error| InstanceError::Io {
        path: path.to_owned(),
        error: if error == rustix::io::Errno::LOOP {
            std::io::Error::other("it is a symlink; remove it")
        } else {
            error.into()
        },
    })
}
