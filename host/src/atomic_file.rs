//! Replacing a file atomically: the one implementation every writer of the
//! workspace uses (`Millennium.fs` writes and copies, the updater's swap,
//! and, through the packager, `millennium build`, `keygen` and `sign`).
//!
//! The new bytes go to a temporary sibling `.<name>.<tag>-<random>`, created
//! exclusively and with its final mode from the start (so a secret key is
//! never readable by others, not even while it is written). [`Staged::commit`]
//! fsyncs it, renames it over the target in one step and fsyncs the
//! directory, so the rename itself survives a crash. Until then the target
//! is untouched, and a [`Staged`] dropped without a commit removes its
//! temporary file: a failure leaves nothing behind.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};

/// A temporary file that becomes `target` on [`Staged::commit`].
#[derive(Debug)]
pub struct Staged {
    file: File,
    /// The target's directory; every step below is relative to it, so a
    /// rename of the directory or a symlink planted in its path cannot
    /// redirect the write once it has begun.
    dir: OwnedFd,
    dir_path: PathBuf,
    temp: OsString,
    name: OsString,
    committed: bool,
}

impl Staged {
    /// Creates the temporary sibling of `target`, named with `tag`. With
    /// `mode`, the file gets exactly those permission bits; without, the
    /// process's umask applies as for any new file.
    pub fn new(target: &Path, tag: &str, mode: Option<u32>) -> io::Result<Staged> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
        let dir_path = parent_of(target);
        let dir = OwnedFd::from(File::open(dir_path)?);
        Staged::in_dir(dir, dir_path, name, tag, mode)
    }

    /// [`Staged::new`] for `name` in the already open directory `dir`
    /// (opened for reading, so it can be fsynced); `dir_path` names it in
    /// messages.
    pub fn in_dir(
        dir: OwnedFd,
        dir_path: &Path,
        name: &OsStr,
        tag: &str,
        mode: Option<u32>,
    ) -> io::Result<Staged> {
        let mut temp = OsString::from(".");
        temp.push(name);
        temp.push(format!(".{tag}-{}", random_suffix()?));
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW;
        let create_mode = Mode::from_raw_mode(mode.unwrap_or(0o666));
        let file = rustix::fs::openat(&dir, &temp, flags | OFlags::CLOEXEC, create_mode)?;
        let staged = Staged {
            file: File::from(file),
            dir,
            dir_path: dir_path.to_owned(),
            temp,
            name: name.to_owned(),
            committed: false,
        };
        if let Some(mode) = mode {
            // `mode` at creation is filtered by the umask; this is not.
            staged
                .file
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        Ok(staged)
    }

    /// The file to write the new contents to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Where the contents are until the commit.
    pub fn temp_path(&self) -> PathBuf {
        self.dir_path.join(&self.temp)
    }

    /// fsync, rename over the target, fsync the directory. On error the
    /// temporary file is removed and the target is as it was.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.sync_all()?;
        rustix::fs::renameat(&self.dir, &self.temp, &self.dir, &self.name)?;
        self.committed = true;
        sync_fd(&self.dir);
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = rustix::fs::unlinkat(&self.dir, &self.temp, AtFlags::empty());
        }
    }
}

/// Replaces `target` with what `fill` writes, atomically (see the module).
pub fn write(
    target: &Path,
    tag: &str,
    mode: Option<u32>,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let mut staged = Staged::new(target, tag, mode)?;
    fill(staged.file())?;
    staged.commit()
}

/// fsyncs a directory, so a rename in it is durable. Best effort: some file
/// systems cannot sync a directory, and the rename has happened either way.
pub fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// [`sync_dir`] for an open directory.
pub fn sync_fd(dir: impl AsFd) {
    let _ = rustix::fs::fsync(dir);
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn random_suffix() -> io::Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::io::Write;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("millennium-atomic-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_commit_replaces_the_target_with_the_given_mode() {
        let dir = scratch("commit");
        let target = dir.join("key");
        fs::write(&target, "old").unwrap();
        write(&target, "tmp", Some(0o600), |f| f.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(names(&dir), ["key"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary_file() {
        let dir = scratch("fail");
        let target = dir.join("notes.md");
        fs::write(&target, "kept").unwrap();
        let error = write(&target, "millennium", None, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert_eq!(error.to_string(), "disk on fire");
        assert_eq!(fs::read(&target).unwrap(), b"kept");
        assert_eq!(names(&dir), ["notes.md"]);
        // Dropped without a commit: gone too.
        let staged = Staged::new(&target, "update", Some(0o755)).unwrap();
        assert!(staged.temp_path().exists());
        let temp = staged.temp_path().to_owned();
        assert!(
            temp.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".notes.md.update-")
        );
        drop(staged);
        assert!(!temp.exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
