//! Swapping the executable, starting the new version, and putting the old
//! one back when the new one does not come up.
//!
//! Files beside the executable `<dir>/<name>`:
//! - `.<name>.update-<random>`: the new version while it is written and
//!   fsynced; renamed over `<name>` in one step. A leftover (the process was
//!   killed before the rename) is removed by [`clean_stale`] at the next start.
//! - `.<name>.previous`: a hard link to the version being replaced, made
//!   under a fresh `.update-` name and renamed into place (so nothing is
//!   ever written through a symlink planted there) before the swap; kept after a successful update, renamed back over
//!   `<name>` by a rollback.
//! - `.<name>.health-<random>`: the new process writes `ok` there once its
//!   first page has loaded (path given in [`HEALTH_ENV`]); the old process
//!   waits for it at most [`HEALTH_TIMEOUT`].

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::UpdateError;
use crate::atomic_file::{self, Staged};

/// The environment variable through which a freshly installed version is
/// told where to report that it is healthy.
pub const HEALTH_ENV: &str = "MILLENNIUM_UPDATE_HEALTH_FILE";

/// How long the new version has to load its first page.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(30);

fn side_file(executable: &Path, what: &str) -> Option<PathBuf> {
    let dir = executable.parent()?;
    let name = executable.file_name()?;
    let mut side = OsString::from(".");
    side.push(name);
    side.push(what);
    Some(dir.join(side))
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    // A fixed suffix would only risk a collision with a stale file, which
    // `create_new` then reports.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The directory of `executable`, if this user may replace files in it.
pub fn check_writable(executable: &Path) -> Result<PathBuf, UpdateError> {
    let dir = executable.parent().ok_or_else(|| {
        UpdateError::Install(format!("{} has no directory", executable.display()))
    })?;
    let text = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| UpdateError::Install(format!("{} contains NUL", dir.display())))?;
    // SAFETY: `text` is a valid NUL-terminated path; access() only reads it.
    let writable = unsafe { libc::access(text.as_ptr(), libc::W_OK) } == 0;
    if writable {
        Ok(dir.to_owned())
    } else {
        Err(UpdateError::ReadOnly {
            dir: dir.display().to_string(),
        })
    }
}

/// Removes what an interrupted update left beside `executable` (temporary
/// downloads and health files; never the `.previous` backup).
pub fn clean_stale(executable: &Path) {
    let (Some(dir), Some(name)) = (executable.parent(), executable.file_name()) else {
        return;
    };
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(name.as_bytes());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let bytes = file.as_bytes();
        let Some(rest) = bytes.strip_prefix(prefix.as_slice()) else {
            continue;
        };
        if rest.starts_with(b".update-") || rest.starts_with(b".health-") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes the new version beside the executable, swaps it in, starts it,
/// and waits for it to report healthy; rolls back on any failure after the
/// swap. `Ok` means the new version runs.
pub fn install(
    executable: &Path,
    dir: &Path,
    bytes: &[u8],
    current: &semver::Version,
) -> Result<(), UpdateError> {
    let backup = swap(executable, dir, bytes)?;
    match start_and_wait(executable) {
        Ok(()) => Ok(()),
        Err(why) => {
            // Put the previous version back, in one step.
            if let Err(error) = fs::rename(&backup, executable) {
                return Err(UpdateError::Install(format!(
                    "the new version did not start ({why}), and the previous one could not be put back from {}: {error}",
                    backup.display()
                )));
            }
            atomic_file::sync_dir(dir);
            Err(UpdateError::RolledBack {
                why,
                version: current.to_string(),
            })
        }
    }
}

/// Writes `bytes` beside `executable` (fsynced), keeps the current file as
/// `.<name>.previous`, and renames the new one over it. Returns the
/// backup's path. On error nothing has changed.
pub fn swap(executable: &Path, dir: &Path, bytes: &[u8]) -> Result<PathBuf, UpdateError> {
    let fail = |what: &str, error: std::io::Error| UpdateError::Install(format!("{what}: {error}"));
    let backup = side_file(executable, ".previous")
        .ok_or_else(|| UpdateError::Install("the executable has no file name".to_owned()))?;
    // `.<name>.update-<random>`, which `clean_stale` recognises.
    let mut staged = Staged::new(executable, "update", Some(0o755))
        .map_err(|e| fail(&format!("cannot write beside {}", executable.display()), e))?;
    let temp = staged.temp_path();
    // The commit below fsyncs it before the rename.
    if let Err(error) = staged.file().write_all(bytes) {
        return Err(fail(&format!("cannot write {}", temp.display()), error));
    }
    // Keep the running version under a second name. The link gets a fresh
    // name (linkat(2) fails on an existing one and does not follow a
    // symlink), and a rename puts it at `.previous` (a rename replaces a
    // symlink planted there, never its target). There is no copy fallback:
    // a copy would write through whatever the name points at.
    let link = side_file(executable, &format!(".update-{}", random_suffix()))
        .ok_or_else(|| UpdateError::Install("the executable has no file name".to_owned()))?;
    if let Err(error) = fs::hard_link(executable, &link).and_then(|()| fs::rename(&link, &backup)) {
        let _ = fs::remove_file(&link);
        return Err(fail("cannot keep the previous version", error));
    }
    // One rename puts the new version in place (and the directory is synced).
    if let Err(error) = staged.commit() {
        let _ = fs::remove_file(&backup);
        return Err(fail("cannot put the new version in place", error));
    }
    debug_assert_eq!(executable.parent(), Some(dir));
    Ok(backup)
}

/// Starts the installed executable with our arguments and waits for its
/// health report.
fn start_and_wait(executable: &Path) -> Result<(), String> {
    let health = side_file(executable, &format!(".health-{}", random_suffix()))
        .ok_or_else(|| "the executable has no file name".to_owned())?;
    let spawn = || {
        Command::new(executable)
            .args(std::env::args_os().skip(1))
            .env(HEALTH_ENV, &health)
            .spawn()
    };
    // Another thread's fork may briefly hold the just-written file open
    // ("Text file busy") until that child execs: retry a few times.
    let mut attempt = 0;
    let mut child = loop {
        match spawn() {
            Ok(child) => break child,
            Err(error) if error.raw_os_error() == Some(libc::ETXTBSY) && attempt < 20 => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => return Err(format!("cannot start it: {error}")),
        }
    };
    let result = wait_healthy(&mut child, &health);
    let _ = fs::remove_file(&health);
    if result.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    result
}

fn wait_healthy(child: &mut Child, health: &Path) -> Result<(), String> {
    let deadline = Instant::now() + HEALTH_TIMEOUT;
    loop {
        if fs::read(health).is_ok_and(|text| text.starts_with(b"ok")) {
            return Ok(());
        }
        match child.try_wait() {
            Ok(Some(status)) => return Err(format!("it exited at start: {status}")),
            Ok(None) => {}
            Err(error) => return Err(format!("cannot watch it: {error}")),
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "it did not load its first page within {} s",
                HEALTH_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Called by a freshly installed version once its first page has loaded:
/// tells the version that started it that the update worked. Only a path
/// that looks like ours (`.<name>.health-<suffix>` beside this executable)
/// is written.
pub fn report_healthy() {
    let Some(path) = std::env::var_os(HEALTH_ENV).map(PathBuf::from) else {
        return;
    };
    let Ok(executable) = std::env::current_exe() else {
        return;
    };
    let ours = side_file(&executable, ".health-").is_some_and(|prefix| {
        path.parent() == prefix.parent()
            && path
                .file_name()
                .zip(prefix.file_name())
                .is_some_and(|(name, start)| name.as_bytes().starts_with(start.as_bytes()))
    });
    if ours && let Ok(mut file) = File::create(&path) {
        let _ = file.write_all(b"ok\n");
        let _ = file.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fs::scope::TestDir;

    #[test]
    fn stale_downloads_are_removed_and_the_backup_kept() {
        let dir = TestDir::new("updater-clean");
        let exe = dir.0.join("notes");
        for name in [
            "notes",
            ".notes.update-0a1b2c",
            ".notes.health-99",
            ".notes.previous",
            ".other.update-1",
            "notes.update-1",
        ] {
            fs::write(dir.0.join(name), name).unwrap();
        }
        clean_stale(&exe);
        let mut left: Vec<String> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".notes.previous",
                ".other.update-1",
                "notes",
                "notes.update-1"
            ]
        );
    }

    /// Regression (security review): `.previous` was made by remove, then
    /// hard link, falling back to `fs::copy`, which wrote the executable
    /// through a symlink planted at `.previous` in between.
    #[test]
    fn previous_is_not_written_through_a_planted_symlink() {
        let dir = TestDir::new("updater-previous");
        let exe = dir.0.join("app");
        fs::write(&exe, b"old").unwrap();
        let victim = dir.0.join("victim");
        fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.0.join(".app.previous")).unwrap();
        let backup = swap(&exe, &dir.0, b"new").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        let kind = fs::symlink_metadata(&backup).unwrap().file_type();
        assert!(kind.is_file(), "the symlink itself was replaced");
        assert_eq!(fs::read(&backup).unwrap(), b"old");
        assert_eq!(fs::read(&exe).unwrap(), b"new");
        let mut names: Vec<String> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".app.previous", "app", "victim"]);
    }

    #[test]
    fn a_new_version_that_exits_at_start_is_rolled_back() {
        let dir = TestDir::new("updater-rollback");
        let exe = dir.0.join("app");
        fs::write(&exe, b"#!/bin/sh\necho old\n").unwrap();
        let new = b"#!/bin/sh\nexit 3\n";
        let current = semver::Version::new(1, 0, 0);
        let error = install(&exe, &dir.0, new, &current).unwrap_err();
        assert!(
            matches!(&error, UpdateError::RolledBack { why, .. } if why.contains("exited")),
            "{error}"
        );
        assert_eq!(fs::read(&exe).unwrap(), b"#!/bin/sh\necho old\n");
        let names: Vec<String> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["app"], "nothing left beside it");
    }
}
