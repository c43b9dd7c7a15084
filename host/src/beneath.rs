//! Opening a path so that what was checked is what is opened.
//!
//! The fs scope decides on a path's *name* (absolute, `.` and `..` resolved
//! by name). Between that decision and the open, another request (the fetch
//! channel runs them in parallel) or another program may rename a directory
//! or plant a symlink. So nothing here follows a symlink, in any part of the
//! path: the kernel resolves exactly the names that were checked, or the
//! open fails with `ELOOP`.
//!
//! - With `openat2(2)` (Linux 5.6) and `RESOLVE_NO_SYMLINKS`, that is one
//!   system call.
//! - Where `openat2` is missing or filtered (old kernels, seccomp policies
//!   that predate it), the path is walked one part at a time from `/`, each
//!   step an `openat(2)` with `O_NOFOLLOW` relative to the directory the step
//!   before opened. Same guarantee, one call per part.
//!
//! Operations on the last part of a path (create, remove, rename, stat) go
//! through the directory handle of its parent ([`open_parent`]) and `*at`
//! calls that do not follow a final symlink either.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, ResolveFlags};

/// Set once `openat2` answered `ENOSYS`: walk from then on.
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

/// How a path is resolved; [`Resolve::Auto`] outside tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// `openat2` where the kernel has it, else [`Resolve::Walk`].
    Auto,
    /// One `openat(O_NOFOLLOW)` per part.
    Walk,
}

/// Opens absolute `path` with `flags`, following no symlink in any part.
/// `..` parts are refused (resolve them by name first).
pub fn open(path: &Path, flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    open_with(Resolve::Auto, path, flags, mode)
}

/// [`open`], choosing how to resolve.
pub fn open_with(how: Resolve, path: &Path, flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    let relative = relative_to_root(path)?;
    let flags = with_defaults(flags);
    if how == Resolve::Auto && !NO_OPENAT2.load(Ordering::Relaxed) {
        let resolve = ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        let target = if relative.is_empty() {
            Path::new("/")
        } else {
            path
        };
        for _ in 0..8 {
            match rustix::fs::openat2(CWD, target, flags, mode, resolve) {
                // A concurrent rename somewhere on the way: try again.
                Err(rustix::io::Errno::AGAIN) => continue,
                Err(rustix::io::Errno::NOSYS) => {
                    NO_OPENAT2.store(true, Ordering::Relaxed);
                    break;
                }
                // seccomp filters that predate openat2 answer EPERM.
                Err(rustix::io::Errno::PERM) => break,
                result => return result.map_err(io::Error::from),
            }
        }
    }
    walk(&relative, flags, mode)
}

/// The directory holding `path`'s last part, opened as with [`open`]
/// (`O_PATH`: usable as the directory of `*at` calls), and that part.
pub fn open_parent(path: &Path) -> io::Result<(OwnedFd, &OsStr)> {
    open_parent_with(Resolve::Auto, path, OFlags::PATH)
}

/// The parent directory opened for reading, so it can be fsynced (for
/// writes that must survive a crash), and `path`'s last part.
pub fn open_parent_readable(path: &Path) -> io::Result<(OwnedFd, &OsStr)> {
    open_parent_with(Resolve::Auto, path, OFlags::RDONLY)
}

/// [`open_parent`], choosing how to resolve and how to open.
pub fn open_parent_with(how: Resolve, path: &Path, flags: OFlags) -> io::Result<(OwnedFd, &OsStr)> {
    let (Some(parent), Some(Component::Normal(name))) =
        (path.parent(), path.components().next_back())
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a path to a file or directory",
        ));
    };
    let dir = open_with(how, parent, flags | OFlags::DIRECTORY, Mode::empty())?;
    Ok((dir, name))
}

/// What is at `name` in `dir`, without following a symlink there.
pub fn kind_at(dir: impl AsFd, name: &OsStr) -> io::Result<FileType> {
    let stat = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(FileType::from_raw_mode(stat.st_mode))
}

/// Opens `name` in `dir` with `flags`, not following a symlink there.
pub fn open_at(dir: impl AsFd, name: &OsStr, flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    let flags = with_defaults(flags) | OFlags::NOFOLLOW;
    let dir = dir.as_fd();
    rustix::fs::openat(dir, name, flags, mode).map_err(|error| symlink_or(dir, name, error))
}

/// `O_CLOEXEC`, and `O_NOCTTY` unless `O_PATH` (with which `openat2`
/// accepts only `O_CLOEXEC`, `O_DIRECTORY` and `O_NOFOLLOW`).
fn with_defaults(flags: OFlags) -> OFlags {
    if flags.contains(OFlags::PATH) {
        flags | OFlags::CLOEXEC
    } else {
        flags | OFlags::CLOEXEC | OFlags::NOCTTY
    }
}

/// Whether an error means the path went through a symlink.
pub fn is_symlink_error(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

/// The parts after `/`; `..` and relative paths are refused.
fn relative_to_root(path: &Path) -> io::Result<Vec<&OsStr>> {
    let invalid = |why| io::Error::new(io::ErrorKind::InvalidInput, why);
    let mut parts = Vec::new();
    let mut components = path.components();
    if components.next() != Some(Component::RootDir) {
        return Err(invalid("not an absolute path"));
    }
    for component in components {
        match component {
            Component::Normal(name) => parts.push(name),
            Component::CurDir => {}
            _ => return Err(invalid("`..` in a path opened without following links")),
        }
    }
    Ok(parts)
}

fn walk(parts: &[&OsStr], flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    let step = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let Some((last, middle)) = parts.split_last() else {
        return rustix::fs::openat(CWD, "/", flags, mode).map_err(io::Error::from);
    };
    let mut dir = rustix::fs::openat(CWD, "/", step, Mode::empty())?;
    for part in middle {
        dir = rustix::fs::openat(&dir, *part, step, Mode::empty())
            .map_err(|error| symlink_or(dir.as_fd(), part, error))?;
    }
    let file = rustix::fs::openat(&dir, *last, flags | OFlags::NOFOLLOW, mode)
        .map_err(|error| symlink_or(dir.as_fd(), last, error))?;
    // `O_PATH | O_NOFOLLOW` opens a final symlink itself instead of failing.
    if flags.contains(OFlags::PATH)
        && FileType::from_raw_mode(rustix::fs::fstat(&file)?.st_mode) == FileType::Symlink
    {
        return Err(io::Error::from_raw_os_error(libc::ELOOP));
    }
    Ok(file)
}

/// `O_DIRECTORY | O_NOFOLLOW` on a symlink says `ENOTDIR`; say `ELOOP`, as
/// `openat2` does, so the error names the real reason.
fn symlink_or(
    dir: rustix::fd::BorrowedFd<'_>,
    name: &OsStr,
    error: rustix::io::Errno,
) -> io::Error {
    if error == rustix::io::Errno::NOTDIR
        && kind_at(dir, name).is_ok_and(|kind| kind == FileType::Symlink)
    {
        return io::Error::from_raw_os_error(libc::ELOOP);
    }
    io::Error::from(error)
}

/// A name from `readdir` as an `OsString`.
pub fn child_name(name: &std::ffi::CStr) -> OsString {
    OsStr::from_bytes(name.to_bytes()).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(tag: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("millennium-beneath-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real/sub")).unwrap();
        std::fs::write(dir.join("real/sub/file"), "x").unwrap();
        symlink(dir.join("real"), dir.join("link")).unwrap();
        symlink(dir.join("real/sub/file"), dir.join("real/file-link")).unwrap();
        std::fs::canonicalize(dir).unwrap()
    }

    #[test]
    fn no_part_of_a_path_is_followed_as_a_symlink() {
        let dir = scratch("follow");
        for how in [Resolve::Auto, Resolve::Walk] {
            let read = |p: &str| open_with(how, &dir.join(p), OFlags::RDONLY, Mode::empty());
            assert!(read("real/sub/file").is_ok(), "{how:?}");
            for through in ["link/sub/file", "real/file-link"] {
                let error = read(through).unwrap_err();
                assert!(is_symlink_error(&error), "{how:?} {through}: {error}");
            }
            let dir_through = open_with(
                how,
                &dir.join("link"),
                OFlags::PATH | OFlags::DIRECTORY,
                Mode::empty(),
            )
            .unwrap_err();
            assert!(is_symlink_error(&dir_through), "{how:?}: {dir_through}");
            let through = dir.join("link/sub/file");
            let error = open_parent_with(how, &through, OFlags::PATH).unwrap_err();
            assert!(is_symlink_error(&error), "{how:?}");
            let link = dir.join("link");
            let (parent, name) = open_parent_with(how, &link, OFlags::PATH).unwrap();
            assert_eq!(kind_at(&parent, name).unwrap(), FileType::Symlink);
            let missing = read("real/nope").unwrap_err();
            assert_eq!(missing.kind(), io::ErrorKind::NotFound, "{how:?}");
        }
        assert!(open(Path::new("relative"), OFlags::RDONLY, Mode::empty()).is_err());
        assert!(open(&dir.join("real/../real"), OFlags::RDONLY, Mode::empty()).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
