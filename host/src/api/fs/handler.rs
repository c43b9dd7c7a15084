//! `Millennium.fs`: file I/O inside the fs scope. Every handler here blocks,
//! so callers run it on a worker thread (the custom protocol's, or one the
//! event loop spawns for `postMessage` calls), never on the UI thread.
//!
//! Every path goes through [`FsScope::resolve`] before anything is touched.
//! Writes are atomic: the bytes go to a temporary file in the same
//! directory, which is fsynced and renamed over the target; when anything
//! fails the temporary file is removed and the old file is left as it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::scope::{FsScope, PathError, io_message};
use super::{FsCommand, FsPath};
use crate::api::path::PathContext;
use crate::atomic_file;
use crate::ipc::Output;
use crate::ipc::decode::MAX_BINARY_BYTES;

/// Most entries a recursive `readDir` returns.
pub const MAX_DIR_ENTRIES: usize = 100_000;

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
        /// The (canonical) path.
        path: String,
        /// The OS error in words.
        message: String,
    },
    /// Anything else, already in words.
    #[error("{0}")]
    Other(String),
}

fn io_error<'a>(op: &'static str, path: &'a Path) -> impl Fn(io::Error) -> FsError + 'a {
    move |error| FsError::Io {
        op,
        path: path.display().to_string(),
        message: io_message(&error),
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
    fn resolve(&self, path: &FsPath) -> Result<PathBuf, FsError> {
        let base = match path.dir {
            None => None,
            Some(dir) => Some(
                self.paths
                    .base_dir(dir)
                    .ok_or(PathError::NoBaseDir(dir.variable()))?,
            ),
        };
        Ok(self.scope.resolve(&path.path, base.as_deref())?)
    }

    /// Runs one command.
    pub fn handle(&self, command: &FsCommand) -> Result<Output, FsError> {
        let null = || Ok(Output::Json(Value::Null));
        match command {
            FsCommand::ReadFile { path, binary } => {
                let path = self.resolve(path)?;
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
            FsCommand::WriteFile { path, contents } => {
                let path = self.resolve(path)?;
                write_atomic(&path, |file| file.write_all(contents))?;
                null()
            }
            FsCommand::ReadDir { path, recursive } => {
                let path = self.resolve(path)?;
                let mut count = 0;
                let entries = self.read_dir(&path, *recursive, &mut count)?;
                Ok(Output::Json(Value::Array(entries)))
            }
            FsCommand::CreateDir { path, recursive } => {
                let path = self.resolve(path)?;
                let result = if *recursive {
                    fs::create_dir_all(&path)
                } else {
                    fs::create_dir(&path)
                };
                result.map_err(io_error("create directory", &path))?;
                null()
            }
            FsCommand::RemoveDir { path, recursive } => {
                let path = self.resolve(path)?;
                let meta = fs::symlink_metadata(&path).map_err(io_error("remove", &path))?;
                if !meta.is_dir() {
                    return Err(FsError::Io {
                        op: "remove directory",
                        path: path.display().to_string(),
                        message: "not a directory".to_owned(),
                    });
                }
                let result = if *recursive {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_dir(&path)
                };
                result.map_err(io_error("remove directory", &path))?;
                null()
            }
            FsCommand::RemoveFile(path) => {
                let path = self.resolve(path)?;
                let meta = fs::symlink_metadata(&path).map_err(io_error("remove", &path))?;
                if meta.is_dir() {
                    return Err(FsError::Io {
                        op: "remove file",
                        path: path.display().to_string(),
                        message: "is a directory (use removeDir)".to_owned(),
                    });
                }
                fs::remove_file(&path).map_err(io_error("remove file", &path))?;
                null()
            }
            FsCommand::RenameFile { from, to } => {
                let from = self.resolve(from)?;
                let to = self.resolve(to)?;
                fs::symlink_metadata(&from).map_err(io_error("rename", &from))?;
                fs::rename(&from, &to).map_err(io_error("rename to", &to))?;
                null()
            }
            FsCommand::CopyFile { from, to } => {
                let from = self.resolve(from)?;
                let to = self.resolve(to)?;
                let mut source = open_regular("copy", &from)?;
                write_atomic(&to, |file| io::copy(&mut source, file).map(|_| ()))?;
                null()
            }
            FsCommand::Exists(path) => {
                let path = self.resolve(path)?;
                let exists = fs::symlink_metadata(&path).is_ok();
                Ok(Output::Json(Value::Bool(exists)))
            }
        }
    }

    /// Entries of `dir` (which is in the scope). Entries a deny glob matches
    /// are left out; subdirectories are descended into (without following
    /// symlinks) only when they are in the scope themselves.
    fn read_dir(
        &self,
        dir: &Path,
        recursive: bool,
        count: &mut usize,
    ) -> Result<Vec<Value>, FsError> {
        let meta = fs::metadata(dir).map_err(io_error("read directory", dir))?;
        if !meta.is_dir() {
            return Err(FsError::Io {
                op: "read directory",
                path: dir.display().to_string(),
                message: "not a directory".to_owned(),
            });
        }
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir).map_err(io_error("read directory", dir))? {
            let entry = entry.map_err(io_error("read directory", dir))?;
            let path = entry.path();
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
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let mut value = json!({ "name": name, "path": path.to_string_lossy() });
            if recursive && is_dir && self.scope.allows(&path) {
                value["children"] = Value::Array(self.read_dir(&path, true, count)?);
            }
            entries.push(value);
        }
        entries.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        Ok(entries)
    }
}

/// Opens a regular file for reading. The open does not block (a FIFO would
/// otherwise hold a worker until something writes to it, a device could
/// stream forever), and what was opened is checked, not the name: anything
/// but a regular file is refused.
fn open_regular(op: &'static str, path: &Path) -> Result<File, FsError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_error(op, path))?;
    let kind = file.metadata().map_err(io_error(op, path))?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let message = if kind.is_dir() {
        "is a directory"
    } else {
        "is not a regular file"
    };
    Err(FsError::Io {
        op,
        path: path.display().to_string(),
        message: message.to_owned(),
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, FsError> {
    let file = open_regular("read", path)?;
    let meta = file.metadata().map_err(io_error("read", path))?;
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

/// Writes `target` atomically ([`atomic_file`]): on failure the temporary
/// file is removed and the target is untouched. An existing target keeps
/// its permission bits.
pub fn write_atomic(
    target: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), FsError> {
    if target.file_name().is_none() {
        return Err(FsError::Other(format!(
            "write `{}`: not a file path",
            target.display()
        )));
    }
    let mode = match fs::metadata(target) {
        Ok(meta) if meta.is_dir() => {
            return Err(FsError::Io {
                op: "write",
                path: target.display().to_string(),
                message: "is a directory".to_owned(),
            });
        }
        Ok(meta) => Some(meta.permissions().mode() & 0o7777),
        Err(_) => None,
    };
    atomic_file::write(target, "millennium", mode, fill).map_err(io_error("write", target))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (security review): reading a FIFO in the scope blocked a
    /// worker thread forever (and a device could stream without end).
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = TestDir::new("fs-fifo");
        let fifo = dir.0.join("pipe");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo(3) reads the NUL-terminated path only.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let (done, finished) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = done.send((read_file(&path), open_regular("copy", &path).map(|_| ())));
        });
        let (read, copy) = finished
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO must not block");
        for result in [read.map(|_| ()), copy] {
            let error = result.unwrap_err().to_string();
            assert!(error.ends_with("is not a regular file"), "{error}");
        }
        let error = read_file(Path::new("/dev/zero")).unwrap_err().to_string();
        assert_eq!(error, "read `/dev/zero`: is not a regular file");
        assert!(read_file(&dir.0).unwrap_err().to_string().ends_with("is a directory"));
    }
    use crate::api::fs::scope::TestDir;
    use millennium_config::BaseDirectory;

    /// `$APPDATA` is `<tmp>/data/dev.t.fs`; the scope is its `notes`.
    fn api(dir: &TestDir) -> FsApi {
        let app = dir.0.join("data/dev.t.fs");
        fs::create_dir_all(app.join("notes")).unwrap();
        fs::create_dir_all(dir.0.join("outside")).unwrap();
        let a = app.clone();
        let scope = FsScope::from_globs(
            &["$APPDATA/notes".to_owned(), "$APPDATA/notes/**".to_owned()],
            &["$APPDATA/notes/**/*.key".to_owned()],
            false,
            move |_| Some(a.clone()),
        )
        .unwrap();
        FsApi {
            scope,
            paths: PathContext {
                identifier: "dev.t.fs".to_owned(),
                resource_dir: app,
            },
        }
    }

    fn at(dir: &TestDir, relative: &str) -> FsPath {
        FsPath {
            path: dir
                .0
                .join("data/dev.t.fs")
                .join(relative)
                .display()
                .to_string(),
            dir: None,
        }
    }

    fn temp_files(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".millennium-"))
            .collect()
    }

    #[test]
    fn text_and_binary_round_trip() {
        let dir = TestDir::new("fs-rt");
        let api = api(&dir);
        let path = at(&dir, "notes/a.md");
        let write = FsCommand::WriteFile {
            path: path.clone(),
            contents: "héllo\n".into(),
        };
        assert_eq!(api.handle(&write), Ok(Output::Json(Value::Null)));
        let read = FsCommand::ReadFile {
            path: path.clone(),
            binary: false,
        };
        assert_eq!(api.handle(&read), Ok(Output::Json(json!("héllo\n"))));
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let bin = at(&dir, "notes/b.bin");
        api.handle(&FsCommand::WriteFile {
            path: bin.clone(),
            contents: bytes.clone(),
        })
        .unwrap();
        let read = FsCommand::ReadFile {
            path: bin.clone(),
            binary: true,
        };
        assert_eq!(api.handle(&read), Ok(Output::Bytes(bytes)));
        let as_text = FsCommand::ReadFile {
            path: bin,
            binary: false,
        };
        assert!(
            api.handle(&as_text)
                .unwrap_err()
                .to_string()
                .contains("not valid UTF-8")
        );
        assert!(temp_files(&dir.0.join("data/dev.t.fs/notes")).is_empty());
    }

    #[test]
    fn base_directory_option() {
        let dir = TestDir::new("fs-dir");
        let mut api = api(&dir);
        // `$APPDATA` comes from `dirs`; point the scope at the real one.
        let Some(real) = api.paths.base_dir(BaseDirectory::AppData) else {
            return;
        };
        let path = FsPath {
            path: "notes/x.md".to_owned(),
            dir: Some(BaseDirectory::AppData),
        };
        // Outside this test's scope: refused, naming the resolved path.
        let error = api.handle(&FsCommand::Exists(path.clone())).unwrap_err();
        assert!(
            error.to_string().contains("outside the fs scope"),
            "{error}"
        );
        assert!(error.to_string().contains("notes/x.md"), "{error}");
        let r = real.clone();
        api.scope = FsScope::from_globs(&["$APPDATA/**".to_owned()], &[], false, move |_| {
            Some(r.clone())
        })
        .unwrap();
        assert!(api.handle(&FsCommand::Exists(path)).is_ok());
    }

    #[test]
    fn failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = TestDir::new("fs-atomic");
        let api = api(&dir);
        let target = dir.0.join("data/dev.t.fs/notes/keep.md");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let error = write_atomic(&target, |file| {
            file.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(error.to_string().contains("disk full"), "{error}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert!(temp_files(target.parent().unwrap()).is_empty());
        // A successful write keeps the permission bits.
        api.handle(&FsCommand::WriteFile {
            path: at(&dir, "notes/keep.md"),
            contents: b"new".to_vec(),
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // Into a missing directory, or over a directory: clear errors.
        let missing = api.handle(&FsCommand::WriteFile {
            path: at(&dir, "notes/nope/x.md"),
            contents: vec![],
        });
        assert!(missing.unwrap_err().to_string().contains("not found"));
        fs::create_dir(dir.0.join("data/dev.t.fs/notes/d")).unwrap();
        let over_dir = api.handle(&FsCommand::WriteFile {
            path: at(&dir, "notes/d"),
            contents: vec![],
        });
        assert!(over_dir.unwrap_err().to_string().contains("is a directory"));
    }

    #[test]
    fn directories_list_create_and_remove() {
        let dir = TestDir::new("fs-dirs");
        let api = api(&dir);
        let notes = dir.0.join("data/dev.t.fs/notes");
        let create = |p: &str, recursive| {
            api.handle(&FsCommand::CreateDir {
                path: at(&dir, p),
                recursive,
            })
        };
        assert!(
            create("notes/a/b", false)
                .unwrap_err()
                .to_string()
                .contains("not found")
        );
        create("notes/a/b", true).unwrap();
        fs::write(notes.join("a/b/c.md"), "c").unwrap();
        fs::write(notes.join("a/s.key"), "k").unwrap();
        fs::write(notes.join("top.md"), "t").unwrap();
        let list = |recursive| {
            api.handle(&FsCommand::ReadDir {
                path: at(&dir, "notes"),
                recursive,
            })
        };
        let Output::Json(flat) = list(false).unwrap() else {
            panic!()
        };
        assert_eq!(flat.as_array().unwrap().len(), 2);
        assert_eq!(flat[0]["name"], "a");
        assert!(flat[0].get("children").is_none());
        let Output::Json(deep) = list(true).unwrap() else {
            panic!()
        };
        assert_eq!(deep[0]["children"][0]["name"], "b");
        assert_eq!(deep[0]["children"][0]["children"][0]["name"], "c.md");
        assert_eq!(
            deep[0]["children"][0]["children"][0]["path"],
            notes.join("a/b/c.md").display().to_string()
        );
        // Denied entries are not listed.
        assert_eq!(deep[0]["children"].as_array().unwrap().len(), 1);
        let not_dir = api.handle(&FsCommand::ReadDir {
            path: at(&dir, "notes/top.md"),
            recursive: false,
        });
        assert!(not_dir.unwrap_err().to_string().contains("not a directory"));
        let remove = |p: &str, recursive| {
            api.handle(&FsCommand::RemoveDir {
                path: at(&dir, p),
                recursive,
            })
        };
        assert!(
            remove("notes/a", false)
                .unwrap_err()
                .to_string()
                .contains("not empty")
        );
        assert!(
            remove("notes/top.md", true)
                .unwrap_err()
                .to_string()
                .contains("not a directory")
        );
        remove("notes/a", true).unwrap();
        assert!(!notes.join("a").exists());
    }

    #[test]
    fn files_remove_rename_copy_exists() {
        let dir = TestDir::new("fs-files");
        let api = api(&dir);
        let notes = dir.0.join("data/dev.t.fs/notes");
        fs::write(notes.join("a.md"), "a").unwrap();
        fs::write(dir.0.join("outside/o.txt"), "o").unwrap();
        let exists = |p: &str| api.handle(&FsCommand::Exists(at(&dir, p)));
        assert_eq!(exists("notes/a.md"), Ok(Output::Json(json!(true))));
        assert_eq!(exists("notes/b.md"), Ok(Output::Json(json!(false))));
        api.handle(&FsCommand::CopyFile {
            from: at(&dir, "notes/a.md"),
            to: at(&dir, "notes/c.md"),
        })
        .unwrap();
        assert_eq!(fs::read_to_string(notes.join("c.md")).unwrap(), "a");
        api.handle(&FsCommand::RenameFile {
            from: at(&dir, "notes/c.md"),
            to: at(&dir, "notes/d.md"),
        })
        .unwrap();
        assert!(!notes.join("c.md").exists() && notes.join("d.md").exists());
        let missing = api.handle(&FsCommand::RemoveFile(at(&dir, "notes/zz.md")));
        assert!(missing.unwrap_err().to_string().contains("not found"));
        api.handle(&FsCommand::RemoveFile(at(&dir, "notes/d.md")))
            .unwrap();
        assert!(!notes.join("d.md").exists());
        let on_dir = api.handle(&FsCommand::RemoveFile(at(&dir, "notes")));
        assert!(on_dir.unwrap_err().to_string().contains("is a directory"));
        // Either end outside the scope: refused before anything moves.
        let outside = FsPath {
            path: dir.0.join("outside/o.txt").display().to_string(),
            dir: None,
        };
        let out = api.handle(&FsCommand::CopyFile {
            from: outside.clone(),
            to: at(&dir, "notes/stolen.md"),
        });
        assert!(
            out.unwrap_err()
                .to_string()
                .contains("outside the fs scope")
        );
        let out = api.handle(&FsCommand::RenameFile {
            from: at(&dir, "notes/a.md"),
            to: FsPath {
                path: dir.0.join("outside/a.md").display().to_string(),
                dir: None,
            },
        });
        assert!(
            out.unwrap_err()
                .to_string()
                .contains("outside the fs scope")
        );
        assert!(notes.join("a.md").exists());
        let read = api.handle(&FsCommand::ReadFile {
            path: outside,
            binary: false,
        });
        assert!(read.unwrap_err().to_string().contains("o.txt"));
    }
}
