//! Installs that fail on the machine: a v2 that crashes at start, one whose
//! first page cannot load, a kill between download and rename, a read-only
//! install directory.

use super::*;

#[test]
fn v2_crashing_at_start_is_rolled_back_to_v1_which_runs() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("crash");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    // /usr/bin/false with a valid, signed 2.0.0 payload: it passes every
    // check and exits 1 at once.
    let v2 = fixture.release_on(
        "v2-false",
        "2.0.0",
        IDENTIFIER,
        &[&key],
        &fixture.key_a,
        Path::new("/usr/bin/false"),
    );
    assert_rolled_back(
        "v2 crashing at start",
        &fixture,
        &v1,
        &v2,
        &installed,
        &["did not start", "rolled back"],
    );
}

/// Regression (security review): the new version reported healthy on the
/// first `PageLoadEvent::Finished`, which WebKitGTK also sends for a failed
/// load, so a v2 whose first page cannot load replaced v1 for good, with a
/// blank window. Now it is rolled back.
#[test]
fn v2_whose_first_page_fails_to_load_is_rolled_back() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("blank");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    // Nothing listens on that port any more: the main window's only page
    // fails to load (connection refused).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    *fixture.window_url.borrow_mut() = Some(format!("http://127.0.0.1:{port}/"));
    let v2 = fixture.release("v2-blank", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    assert_rolled_back(
        "v2 with a failing first page",
        &fixture,
        &v1,
        &v2,
        &installed,
        &["did not load its first page", "rolled back"],
    );
}

/// Serves `v2`, has the running v1 install it, and checks that it was
/// refused for `reasons` and rolled back: v1's file is untouched and the
/// same v1 session and process still answer.
fn assert_rolled_back(
    row: &str,
    fixture: &Fixture,
    v1: &Release,
    v2: &Release,
    installed: &Installed,
    reasons: &[&str],
) {
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));
    let driven = launch(installed);
    let pid = v1_pid(installed);
    let attempt = attempt_install(&driven, Duration::from_secs(120));
    assert!(
        attempt.session_died.is_none(),
        "{row}: v1 must keep running, but WebDriver stopped answering {attempt}"
    );
    assert_refused(row, &attempt, reasons, installed, &v1.bytes);
    assert_eq!(
        app_version(&driven),
        Ok(json!("1.0.0")),
        "{row}: the same v1 session must still answer"
    );
    assert!(process_alive(pid), "{row}: v1 (pid {pid}) must still run");
}

#[test]
fn process_killed_between_download_and_rename_leaves_v1_intact_and_running() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("killed");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Slow {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    start_install(&driven);
    let attempt = watch(&driven, Duration::from_secs(30), |a| {
        a.progress_count > 0 || a.outcome.is_some()
    });
    assert!(
        attempt.progress_count > 0 && attempt.outcome.is_none(),
        "killed mid-download: expected progress events while the slow download runs {attempt}"
    );
    kill_process(pid);
    assert_dies(pid);
    drop(driven);

    let got = std::fs::read(&installed.exe).expect("the installed file after the kill");
    if let Err(diff) = compare(&got, &v1.bytes) {
        panic!("killed mid-download: the installed executable changed ({diff})");
    }
    let entries = installed.entries();
    assert!(
        entries
            .iter()
            .all(|n| n == EXE || n.starts_with(&format!(".{EXE}.update-"))),
        "killed mid-download: only the executable and the download's temp file may be there: {entries:?}"
    );
    if installed.temp_files().is_empty() {
        // The download was not (yet) written beside the executable: leave a
        // stale temp file as a killed download would, to test the clean-up.
        eprintln!(
            "note: no .{EXE}.update-* file after the kill ({entries:?}); planting one to test the start-up clean-up"
        );
        std::fs::write(
            installed
                .exe
                .with_file_name(format!(".{EXE}.update-e2eplanted")),
            &v2.bytes[..v2.bytes.len() / 3],
        )
        .expect("plant a stale temp file");
    }
    let stale = installed.temp_files();

    let driven = launch(&installed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !installed.temp_files().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        installed.temp_files().is_empty(),
        "killed mid-download: v1 started again but did not remove the stale {stale:?} (now {:?})",
        installed.entries()
    );
    assert_untouched(
        "killed mid-download, after the restart",
        &installed,
        &v1.bytes,
    );

    // Phase 2, the window itself: a fast download, and v1 is killed the
    // moment its `.update-e2e.update-*` file appears (written and fsynced
    // before the rename). A kill that lands after the rename must leave a
    // complete v2 with v1 kept; a partial executable is never acceptable.
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));
    let pid = v1_pid(&installed);
    start_install(&driven);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut caught = None;
    while Instant::now() < deadline && process_alive(pid) {
        if let Some(name) = installed.temp_files().into_iter().next() {
            kill_process(pid);
            caught = Some(name);
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let Some(temp) = caught else {
        panic!(
            "killed before the rename: no .{EXE}.update-* file appeared within 30 s while v1 ran \
             (v1 alive: {}; install dir {:?})",
            process_alive(pid),
            installed.entries()
        );
    };
    assert_dies(pid);
    drop(driven);
    let got = std::fs::read(&installed.exe).expect("the installed file after the kill");
    let previous = installed.previous();
    if compare(&got, &v1.bytes).is_ok() {
        let entries = installed.entries();
        assert!(
            installed.temp_files() == vec![temp.clone()],
            "killed before the rename: the new version's temp file {temp} must still be there: {entries:?}"
        );
        if previous.exists() {
            let kept = std::fs::read(&previous).expect("read .previous");
            if let Err(diff) = compare(&kept, &v1.bytes) {
                panic!("killed before the rename: .{EXE}.previous is not v1 ({diff})");
            }
        }
        let driven = launch(&installed);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !installed.temp_files().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let entries = installed.entries();
        assert!(
            entries == vec![EXE.to_owned()]
                || entries == vec![format!(".{EXE}.previous"), EXE.to_owned()],
            "killed before the rename: v1 started again but did not remove {temp}: {entries:?}"
        );
        let got = std::fs::read(&installed.exe).expect("the installed file");
        if let Err(diff) = compare(&got, &v1.bytes) {
            panic!("killed before the rename, after the restart: the executable changed ({diff})");
        }
        drop(driven);
    } else if compare(&got, &v2.bytes).is_ok() {
        eprintln!(
            "note: the kill landed after the rename (the temp file {temp} lived too briefly); \
             checking that the swap is complete instead"
        );
        let kept = std::fs::read(&previous).unwrap_or_else(|e| {
            panic!("the rename happened but .{EXE}.previous (v1) cannot be read: {e}")
        });
        if let Err(diff) = compare(&kept, &v1.bytes) {
            panic!("the rename happened but .{EXE}.previous is not v1 ({diff})");
        }
    } else {
        panic!(
            "killed around the rename: the installed executable is neither v1 nor v2 ({}): \
             a partial file was put in place",
            compare(&got, &v1.bytes).unwrap_err()
        );
    }
}

/// A tmpfs mounted on a directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path) -> Result<Tmpfs, String> {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=100m", "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if output.status.success() {
            Ok(Tmpfs(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }

    fn remount_read_only(&self) -> Result<(), String> {
        let output = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.0)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

#[test]
fn read_only_install_is_a_clear_message_and_no_change() {
    require_gui!();
    let _gui = gui_lock();
    let fixture = Fixture::new("read-only");
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    // Declared before the mount, so that on drop it is unmounted first and
    // the directory removed after.
    let dir = TempDir::new("updater-e2e-install-read-only");
    let real = std::fs::canonicalize(&dir.0).expect("canonical install dir");
    let installed = Installed {
        exe: real.join(EXE),
        _dir: dir,
    };
    let mount = match Tmpfs::mount(&real) {
        Ok(mount) => mount,
        Err(e) => {
            eprintln!(
                "\n\n!!!! SKIPPED: {} cannot mount a tmpfs on {} ({e}); it needs root (CI runs as root) !!!!\n\n",
                module_path!(),
                real.display()
            );
            return;
        }
    };
    std::fs::copy(&v1.exe, &installed.exe).expect("copy v1 onto the tmpfs");
    if let Err(e) = mount.remount_read_only() {
        eprintln!(
            "\n\n!!!! SKIPPED: {} cannot remount {} read-only ({e}) !!!!\n\n",
            module_path!(),
            real.display()
        );
        return;
    }
    assert!(
        std::fs::write(real.join("probe"), b"x").is_err(),
        "the install dir must be read-only now"
    );
    let _cleanup = KillOnDrop(installed.exe.clone());

    let driven = launch(&installed);
    let check = check_update(&driven)
        .unwrap_or_else(|e| panic!("read-only: checkUpdate() must still work, it rejected: {e}"));
    assert_eq!(
        check["shouldUpdate"],
        json!(true),
        "read-only: checkUpdate(): {check}"
    );
    assert_eq!(
        check["manifest"]["version"],
        json!("2.0.0"),
        "read-only: checkUpdate(): {check}"
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused(
        "read-only install",
        &attempt,
        &["read-only", "package manager"],
        &installed,
        &v1.bytes,
    );
    // The app ends before the tmpfs is unmounted, and that before the
    // directory is removed (drop order: driven, mount, installed).
    drop(driven);
    drop(mount);
    drop(installed);
}

/// Waits (at most 10 s) for v1, just sent SIGKILL, to be gone.
#[track_caller]
fn assert_dies(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while process_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!process_alive(pid), "v1 (pid {pid}) survived SIGKILL");
}
