//! `Millennium.fs`: file I/O inside the fs scope. Every handler here blocks,
//! so callers run it on a worker thread (the custom protocol's, or one the
//! event loop spawns for `postMessage` calls), never on the UI thread.
//!
//! Every path goes through [`FsScope::check`] before anything is touched,
//! and is then opened by exactly that name, following no symlink
//! ([`crate::beneath`]), so what was checked is what is used.
//!
//! - Writes are atomic: the bytes go to a temporary file in the same
//!   directory (opened once, and used by handle), which is fsynced and
//!   renamed over the target; when anything fails the temporary file is
//!   removed and the old file is left as it was.
//! - A directory that is renamed or removed with what it holds is walked
//!   first: every path in it (and, for a rename, the path it would get)
//!   must be in the scope, or nothing happens. Deny globs protect the files
//!   they name, not just their names.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use serde_json::{Value, json};

use super::scope::{FsScope, PathError, io_message, shorten};
use super::{FilePart, FsCommand, FsPath};
use crate::api::path::PathContext;
use crate::atomic_file::Staged;
use crate::beneath;
use crate::ipc::Output;
use crate::ipc::decode::MAX_BINARY_BYTES;

/// Most entries a recursive `readDir` returns.
pub const MAX_DIR_ENTRIES: usize = 100_000;

/// Deepest directory nesting a recursive `readDir`, `removeDir` or a
/// directory `renameFile` goes into (each level holds a file descriptor).
pub const MAX_TREE_DEPTH: usize = 64;

/// Why an fs command failed; the message is what the promise rejects with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FsError {
    /// Refused before touching anything.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The OS said no.
    #[error("{op} `{path}`: {message}")]
    Io {
        /// What was attempted.
        op: &'static str,
        /// The path (absolute, `..` resolved).
        path: String,
        /// The OS error in words.
        message: String,
    },
    /// Anything else, already in words.
    #[error("{0}")]
    Other(String),
}

/// `op` on `path` failed; for `std` and `rustix` errors alike.
fn io_error<'a, E>(op: &'static str, path: &'a Path) -> impl Fn(E) -> FsError + 'a
where
    E: Into<io::Error>,
{
    move |error| FsError::Io {
        op,
        path: path.display().to_string(),
        message: io_message(&error.into()),
    }
}

fn refused(op: &'static str, path: &Path, message: &str) -> FsError {
    FsError::Io {
        op,
        path: path.display().to_string(),
        message: message.to_owned(),
    }
}

/// The fs API of a running app.
#[derive(Debug, Clone)]
pub struct FsApi {
    /// The compiled scope.
    pub scope: FsScope,
    /// Base directories for `dir`.
    pub paths: PathContext,
}

impl FsApi {
    fn check(&self, path: &FsPath, window: Option<&str>) -> Result<PathBuf, FsError> {
        let base = match path.dir {
            None => None,
            // Canonical: a base directory's own symlinks (a home under
            // /var/home) are resolved, as the scope's globs resolve them.
            Some(dir) => Some(
                self.paths
                    .base_dir(dir)
                    .ok_or(PathError::NoBaseDir(dir.variable()))?,
            ),
        };
        Ok(self.scope.check_in(&path.path, base.as_deref(), window)?)
    }

    /// Runs one command for a page of `window` (whose picked paths count;
    /// `None`: only the config's scope).
    pub fn handle(&self, command: &FsCommand, window: Option<&str>) -> Result<Output, FsError> {
        let null = || Ok(Output::Json(Value::Null));
        match command {
            FsCommand::ReadFile { path, binary } => {
                let path = self.check(path, window)?;
                let bytes = read_file(&path)?;
                if *binary {
                    Ok(Output::Bytes(bytes))
                } else {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        FsError::Other(format!(
                            "read `{}`: not valid UTF-8 text (use readBinaryFile)",
                            path.display()
                        ))
                    })?;
                    Ok(Output::Json(Value::String(text)))
                }
            }
            FsCommand::ReadPart { path, part } => {
                let path = self.check(path, window)?;
                read_part(&path, part)
            }
            FsCommand::WriteFile { path, contents } => {
                let path = self.check(path, window)?;
                write_atomic(&path, |file| file.write_all(contents))?;
                null()
            }
            FsCommand::ReadDir { path, recursive } => {
                let path = self.check(path, window)?;
                let dir = beneath::open(&path, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
                    .map_err(io_error("read directory", &path))?;
                let mut count = 0;
                let entries = self.read_dir(dir, &path, *recursive, 0, &mut count, window)?;
                Ok(Output::Json(Value::Array(entries)))
            }
            FsCommand::CreateDir { path, recursive } => {
                let path = self.check(path, window)?;
                if *recursive {
                    create_dir_all(&path).map_err(io_error("create directory", &path))?;
                } else {
                    let (dir, name) =
                        beneath::open_parent(&path).map_err(io_error("create directory", &path))?;
                    rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777))
                        .map_err(io_error("create directory", &path))?;
                }
                null()
            }
            FsCommand::RemoveDir { path, recursive } => {
                let path = self.check(path, window)?;
                let op = "remove directory";
                let (parent, name) = beneath::open_parent(&path).map_err(io_error(op, &path))?;
                let kind = beneath::kind_at(&parent, name).map_err(io_error(op, &path))?;
                if kind != FileType::Directory {
                    return Err(refused(op, &path, "not a directory"));
                }
                if *recursive {
                    let tree = open_dir_at(&parent, name).map_err(io_error(op, &path))?;
                    let inside = |p: &Path| self.scope.allows_in(p, window);
                    if !walk_tree(op, &tree, &path, 0, &inside)? {
                        return Err(outside_inside(op, &path, "nothing was removed"));
                    }
                    self.remove_tree(tree, &path, 0, window)?;
                }
                rustix::fs::unlinkat(&parent, name, AtFlags::REMOVEDIR)
                    .map_err(io_error(op, &path))?;
                null()
            }
            FsCommand::RemoveFile(path) => {
                let path = self.check(path, window)?;
                let op = "remove file";
                let (parent, name) = beneath::open_parent(&path).map_err(io_error(op, &path))?;
                let kind = beneath::kind_at(&parent, name).map_err(io_error(op, &path))?;
                if kind == FileType::Directory {
                    return Err(refused(op, &path, "is a directory (use removeDir)"));
                }
                // A symlink is removed itself; its target is not touched.
                rustix::fs::unlinkat(&parent, name, AtFlags::empty())
                    .map_err(io_error(op, &path))?;
                null()
            }
            FsCommand::RenameFile { from, to } => {
                let from = self.check(from, window)?;
                let to = self.check(to, window)?;
                let (from_dir, from_name) =
                    beneath::open_parent(&from).map_err(io_error("rename", &from))?;
                let (to_dir, to_name) =
                    beneath::open_parent(&to).map_err(io_error("rename to", &to))?;
                let failed = io_error("rename", &from);
                let kind = beneath::kind_at(&from_dir, from_name).map_err(&failed)?;
                if kind == FileType::Directory {
                    let tree = open_dir_at(&from_dir, from_name).map_err(&failed)?;
                    // Each path inside, where it is now and where it would be.
                    let allowed = |p: &Path| self.scope.allows_in(p, window);
                    let both = |p: &Path| {
                        let moved = p.strip_prefix(&from).map(|rest| to.join(rest));
                        allowed(p) && moved.is_ok_and(|m| allowed(&m))
                    };
                    if !walk_tree("rename", &tree, &from, 0, &both)? {
                        return Err(outside_inside("rename", &from, "nothing was moved"));
                    }
                }
                rustix::fs::renameat(&from_dir, from_name, &to_dir, to_name)
                    .map_err(io_error("rename to", &to))?;
                null()
            }
            FsCommand::CopyFile { from, to } => {
                let from = self.check(from, window)?;
                let to = self.check(to, window)?;
                let mut source = open_regular("copy", &from)?;
                write_atomic(&to, |file| io::copy(&mut source, file).map(|_| ()))?;
                null()
            }
            FsCommand::Exists(path) => {
                let path = self.check(path, window)?;
                Ok(Output::Json(Value::Bool(exists(&path)?)))
            }
        }
    }

    /// Entries of `dir` (which is in the scope and open as `fd`). Entries a
    /// deny glob matches are left out; subdirectories are descended into
    /// (never through a symlink) only when they are in the scope themselves.
    fn read_dir(
        &self,
        fd: OwnedFd,
        dir: &Path,
        recursive: bool,
        depth: usize,
        count: &mut usize,
        window: Option<&str>,
    ) -> Result<Vec<Value>, FsError> {
        let op = "read directory";
        let mut entries = Vec::new();
        for (name, kind) in list(fd.as_fd()).map_err(io_error(op, dir))? {
            let path = dir.join(&name);
            if self.scope.denies(&path) {
                continue;
            }
            *count += 1;
            if *count > MAX_DIR_ENTRIES {
                return Err(FsError::Other(format!(
                    "read directory `{}`: more than {MAX_DIR_ENTRIES} entries",
                    dir.display()
                )));
            }
            let mut value = json!({
                "name": name.to_string_lossy(),
                "path": path.to_string_lossy(),
            });
            if recursive && kind == FileType::Directory && self.scope.allows_in(&path, window) {
                let child = descend(op, &fd, &name, &path, depth)?;
                let children = self.read_dir(child, &path, true, depth + 1, count, window)?;
                value["children"] = Value::Array(children);
            }
            entries.push(value);
        }
        entries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Ok(entries)
    }

    /// Removes what directory `fd` (at `dir`) holds, depth first. Each path
    /// is checked again as it goes (the tree was walked before, but may have
    /// changed since): one outside the scope stops the removal there.
    fn remove_tree(
        &self,
        fd: OwnedFd,
        dir: &Path,
        depth: usize,
        window: Option<&str>,
    ) -> Result<(), FsError> {
        let op = "remove directory";
        for (name, kind) in list(fd.as_fd()).map_err(io_error(op, dir))? {
            let path = dir.join(&name);
            if !self.scope.allows_in(&path, window) {
                return Err(outside_inside(op, dir, "the removal stopped"));
            }
            let flags = if kind == FileType::Directory {
                let child = descend(op, &fd, &name, &path, depth)?;
                self.remove_tree(child, &path, depth + 1, window)?;
                AtFlags::REMOVEDIR
            } else {
                AtFlags::empty()
            };
            rustix::fs::unlinkat(&fd, &name, flags).map_err(io_error(op, &path))?;
        }
        Ok(())
    }
}

/// Names and kinds in the directory open as `fd` (`.` and `..` left out).
fn list(fd: impl AsFd) -> io::Result<Vec<(std::ffi::OsString, FileType)>> {
    let fd = fd.as_fd();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let readable = rustix::fs::openat(fd, ".", flags, Mode::empty())?;
    let mut out = Vec::new();
    for entry in rustix::fs::Dir::new(readable)? {
        let entry = entry?;
        let name = beneath::child_name(entry.file_name());
        if name == "." || name == ".." {
            continue;
        }
        let kind = match entry.file_type() {
            FileType::Unknown => beneath::kind_at(fd, &name)?,
            kind => kind,
        };
        out.push((name, kind));
    }
    Ok(out)
}

/// Opens subdirectory `name` of `dir` (at `path`, `depth` levels below
/// where the walk began) to go into it: a symlink there is refused, and so
/// is a level past [`MAX_TREE_DEPTH`] (each level holds a descriptor).
fn descend(
    op: &'static str,
    dir: &OwnedFd,
    name: &OsStr,
    path: &Path,
    depth: usize,
) -> Result<OwnedFd, FsError> {
    if depth + 1 >= MAX_TREE_DEPTH {
        return Err(refused(
            op,
            path,
            &format!("nested deeper than {MAX_TREE_DEPTH} directories"),
        ));
    }
    open_dir_at(dir, name).map_err(io_error(op, path))
}

/// Opens subdirectory `name` of `dir`; a symlink there is refused.
fn open_dir_at(dir: impl AsFd, name: &OsStr) -> io::Result<OwnedFd> {
    beneath::open_at(dir, name, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
}

/// Whether `inside` holds for every path in the tree open as `fd` (at
/// `dir`), not following symlinks and going at most [`MAX_TREE_DEPTH`] deep.
fn walk_tree(
    op: &'static str,
    fd: &OwnedFd,
    dir: &Path,
    depth: usize,
    inside: &dyn Fn(&Path) -> bool,
) -> Result<bool, FsError> {
    for (name, kind) in list(fd).map_err(io_error(op, dir))? {
        let path = dir.join(&name);
        if !inside(&path) {
            return Ok(false);
        }
        if kind == FileType::Directory {
            let child = descend(op, fd, &name, &path, depth)?;
            if !walk_tree(op, &child, &path, depth + 1, inside)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// A tree holds a path outside the scope. Which one is not said: a denied
/// file's name is not the page's to learn.
fn outside_inside(op: &'static str, path: &Path, outcome: &str) -> FsError {
    FsError::Other(format!(
        "{op} `{}`: something inside it is outside the fs scope (allowlist.fs.scope); {outcome}",
        shorten(&path.to_string_lossy())
    ))
}

/// `mkdir -p`, one part at a time from `/`, never through a symlink. The
/// directories on the way that do not exist yet are created too (empty,
/// with the umask's mode), as `create_dir_all` does.
fn create_dir_all(path: &Path) -> io::Result<()> {
    let step = OFlags::PATH | OFlags::DIRECTORY;
    let mut dir = beneath::open(Path::new("/"), step, Mode::empty())?;
    for component in path.components().skip(1) {
        let std::path::Component::Normal(name) = component else {
            continue;
        };
        dir = match beneath::open_at(&dir, name, step, Mode::empty()) {
            Ok(next) => next,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                match rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                    Err(error) => return Err(error.into()),
                }
                beneath::open_at(&dir, name, step, Mode::empty())?
            }
            Err(error) => return Err(error),
        };
    }
    Ok(())
}

fn exists(path: &Path) -> Result<bool, FsError> {
    let (parent, name) = match beneath::open_parent(path) {
        Ok(found) => found,
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(false);
        }
        Err(error) => return Err(io_error("exists", path)(error)),
    };
    match beneath::kind_at(parent, name) {
        Ok(_) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(io_error("exists", path)(error)),
    }
}

/// Opens a regular file for reading, following no symlink. The open does
/// not block (a FIFO would otherwise hold a worker until something writes
/// to it, a device could stream forever), and what was opened is checked,
/// not the name: anything but a regular file is refused.
fn open_regular(op: &'static str, path: &Path) -> Result<File, FsError> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK;
    let file = File::from(beneath::open(path, flags, Mode::empty()).map_err(io_error(op, path))?);
    let kind = file.metadata().map_err(io_error(op, path))?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let message = if kind.is_dir() {
        "is a directory"
    } else {
        "is not a regular file"
    };
    Err(refused(op, path, message))
}

fn read_file(path: &Path) -> Result<Vec<u8>, FsError> {
    let file = open_regular("read", path)?;
    let meta = file.metadata().map_err(io_error("read", path))?;
    read_whole(file, &meta, path)
}

/// The rest of `file` (open at `path`, described by `meta`), at most
/// [`MAX_BINARY_BYTES`].
fn read_whole(file: File, meta: &std::fs::Metadata, path: &Path) -> Result<Vec<u8>, FsError> {
    let limit = MAX_BINARY_BYTES as u64;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error("read", path))?;
    if bytes.len() > MAX_BINARY_BYTES {
        return Err(FsError::Other(format!(
            "read `{}`: larger than {MAX_BINARY_BYTES} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Which version of a file `meta` describes: the same inode, size,
/// modification and change times. Any write, truncation, rename over it or
/// `touch` changes it.
fn version_of(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{}:{}:{}:{}.{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    )
}

fn changed(path: &Path) -> FsError {
    FsError::Other(format!(
        "read `{}`: the file changed while it was being read; read it again",
        path.display()
    ))
}

/// One range of `path` for `readBinaryFile` in parts. The file must be the
/// version the first part named, before the read and after it, so the
/// parts join into one version of the file or the read fails. A file that
/// says it is empty (`/proc` files do) is read whole by its first part.
fn read_part(path: &Path, part: &FilePart) -> Result<Output, FsError> {
    use std::os::unix::fs::FileExt;
    let file = open_regular("read", path)?;
    let meta = file.metadata().map_err(io_error("read", path))?;
    let version = version_of(&meta);
    if part.version.as_ref().is_some_and(|v| *v != version) {
        return Err(changed(path));
    }
    let size = meta.len();
    if size > MAX_BINARY_BYTES as u64 {
        return Err(FsError::Other(format!(
            "read `{}`: larger than {MAX_BINARY_BYTES} bytes",
            path.display()
        )));
    }
    if size == 0 && part.version.is_none() && part.offset == 0 {
        let bytes = read_whole(file, &meta, path)?;
        let total = bytes.len() as u64;
        return Ok(Output::Part {
            bytes,
            total,
            version,
        });
    }
    if part.offset > size {
        return Err(FsError::Other(format!(
            "read `{}`: offset {} is past the end of the file ({size} bytes)",
            path.display(),
            part.offset
        )));
    }
    // Both fit in usize: the size is at most MAX_BINARY_BYTES.
    let length = part.length.min(size - part.offset) as usize;
    let mut bytes = vec![0; length];
    file.read_exact_at(&mut bytes, part.offset)
        .map_err(|error| match error.kind() {
            io::ErrorKind::UnexpectedEof => changed(path),
            _ => io_error("read", path)(error),
        })?;
    let after = file.metadata().map_err(io_error("read", path))?;
    if version_of(&after) != version {
        return Err(changed(path));
    }
    Ok(Output::Part {
        bytes,
        total: size,
        version,
    })
}

/// Writes `target` atomically ([`Staged`]), in its directory opened without
/// following symlinks: on failure the temporary file is removed and the
/// target is untouched. An existing target keeps its permission bits; a
/// symlink at the target is refused.
pub fn write_atomic(
    target: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), FsError> {
    let (dir, name) = beneath::open_parent_readable(target).map_err(io_error("write", target))?;
    let mode = match rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
            FileType::Directory => return Err(refused("write", target, "is a directory")),
            FileType::Symlink => {
                return Err(io_error("write", target)(io::Error::from_raw_os_error(
                    libc::ELOOP,
                )));
            }
            _ => Some(stat.st_mode & 0o7777),
        },
        Err(rustix::io::Errno::NOENT) => None,
        Err(error) => return Err(io_error("write", target)(error)),
    };
    let parent = target.parent().unwrap_or(Path::new("/"));
    let mut staged = Staged::in_dir(dir, parent, name, "millennium", mode)
        .map_err(io_error("write", target))?;
    fill(staged.file()).map_err(io_error("write", target))?;
    staged.commit().map_err(io_error("write", target))
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
