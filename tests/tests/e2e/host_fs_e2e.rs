//! End-to-end test of `Millennium.fs` in a real WebKitGTK, driven over
//! WebDriver: a text and a 1 MiB binary round trip in `$APPDATA` (which is
//! `$XDG_DATA_HOME/<identifier>`, and each driver has its own
//! `XDG_DATA_HOME`), readDir, a path outside the scope, a command whose
//! key is off, a large file read in parts, and a write to a full disk (a
//! small tmpfs).
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

/// The app, with `read-file` on or off.
fn fs_app(read_file: bool) -> TempDir {
    let app = TempDir::new("host-fs-e2e-app");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "FS E2E"
identifier = "dev.millennium.fse2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "FS"

[allowlist.path]
resolve = true

[allowlist.fs]
read-file = {read_file}
write-file = true
read-dir = true
create-dir = true
exists = true
scope = {{ allow = ["$APPDATA/notes", "$APPDATA/notes/**"], deny = ["$APPDATA/notes/private/**"] }}
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>FS</title></head><body>fs</body></html>"#,
    );
    app
}

#[test]
fn host_fs_e2e_round_trip_scope_and_denial() {
    require_gui!();
    let _gui = gui_lock();
    let app = fs_app(true);
    let driven = Driven::launch(&app.0);

    let app_data = driven
        .run("return await Millennium.path.appDataDir();")
        .expect("appDataDir");
    let app_data = PathBuf::from(app_data.as_str().expect("a string"));
    assert!(
        app_data.ends_with("data/dev.millennium.fse2e"),
        "$APPDATA is under the driver's XDG_DATA_HOME: {}",
        app_data.display()
    );

    let round_trip = driven.run(
        r#"const fs = Millennium.fs;
           const dir = fs.BaseDirectory.AppData;
           await fs.createDir('notes/sub', { dir, recursive: true });
           await fs.writeTextFile('notes/a.md', '# héllo\n', { dir });
           const text = await fs.readTextFile('notes/a.md', { dir });
           const bytes = new Uint8Array(1 << 20);
           for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
           await fs.writeBinaryFile('notes/sub/blob.bin', bytes, { dir });
           const back = await fs.readBinaryFile('notes/sub/blob.bin', { dir });
           let same = back instanceof Uint8Array && back.length === bytes.length;
           for (let i = 0; same && i < bytes.length; i++) same = back[i] === bytes[i];
           const entries = await fs.readDir('notes', { dir, recursive: true });
           return {
             text,
             same,
             length: back.length,
             entries: entries.map((e) => [e.name, (e.children || []).map((c) => c.name)]),
             exists: [await fs.exists('notes/a.md', { dir }), await fs.exists('notes/b.md', { dir })],
           };"#,
    );
    assert_eq!(
        round_trip,
        Ok(json!({
            "text": "# héllo\n",
            "same": true,
            "length": 1 << 20,
            "entries": [["a.md", []], ["sub", ["blob.bin"]]],
            "exists": [true, false],
        }))
    );
    // On disk, where `$APPDATA` says, with no temporary file left behind.
    let notes = app_data.join("notes");
    assert_eq!(
        std::fs::read_to_string(notes.join("a.md")).expect("a.md"),
        "# héllo\n"
    );
    let blob = std::fs::read(notes.join("sub/blob.bin")).expect("blob.bin");
    assert_eq!(blob.len(), 1 << 20);
    assert!(
        blob.iter()
            .enumerate()
            .all(|(i, b)| *b == ((i * 31 + 7) & 255) as u8)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&notes)
        .expect("notes")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".millennium-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files: {leftovers:?}");

    // Outside the scope, however it is written: refused, naming the path.
    let outside = driven.run("return await Millennium.fs.readTextFile('/etc/hostname');");
    assert_eq!(
        outside,
        Err("path `/etc/hostname` is outside the fs scope (allowlist.fs.scope)".to_owned())
    );
    let escape = driven.run(
        "return await Millennium.fs.writeTextFile('notes/../escaped.txt', 'x',
           { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert!(
        escape
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope") && e.contains("escaped.txt")),
        "{escape:?}"
    );
    assert!(!app_data.join("escaped.txt").exists());
    let denied_glob = driven.run(
        "return await Millennium.fs.writeTextFile('notes/private/k', 'x',
           { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert!(
        denied_glob
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope")),
        "{denied_glob:?}"
    );
    // A key that is off in this app: removeFile.
    let no_key = driven.run(
        "return await Millennium.fs.removeFile('notes/a.md',
           { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert_eq!(
        no_key,
        Err("allowlist.fs.remove-file is not enabled in millennium.toml".to_owned())
    );
    drop(driven);

    // The same app with `read-file` off.
    let app = fs_app(false);
    let driven = Driven::launch(&app.0);
    let denied = driven.run(
        "return await Millennium.fs.readTextFile('notes/a.md',
           { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert_eq!(
        denied,
        Err("allowlist.fs.read-file is not enabled in millennium.toml".to_owned())
    );
    let binary_denied = driven.run(
        "return await Millennium.fs.readBinaryFile('notes/a.md',
           { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert_eq!(
        binary_denied,
        Err("allowlist.fs.read-file is not enabled in millennium.toml".to_owned())
    );
}

/// `readBinaryFile` of a file larger than one part (4 MiB) asks for several
/// ranges at once and joins them: every byte arrives, in order, and a file
/// that keeps changing while it is read fails the read instead of joining
/// pieces of two versions.
#[test]
fn host_fs_e2e_a_large_file_arrives_whole_or_not_at_all() {
    require_gui!();
    let _gui = gui_lock();
    let app = fs_app(true);
    let driven = Driven::launch(&app.0);
    let app_data = driven
        .run("return await Millennium.path.appDataDir();")
        .expect("appDataDir");
    let notes = PathBuf::from(app_data.as_str().expect("a string")).join("notes");
    std::fs::create_dir_all(&notes).expect("notes");
    // Not a multiple of the part size, so the last part is short.
    let len = 9 * 1024 * 1024 + 12_345;
    let bytes: Vec<u8> = (0..len).map(|i| (i * 131 / 7 % 256) as u8).collect();
    std::fs::write(notes.join("big.bin"), &bytes).expect("big.bin");
    let whole = driven.run(&format!(
        r#"const b = await Millennium.fs.readBinaryFile('notes/big.bin',
             {{ dir: Millennium.fs.BaseDirectory.AppData }});
           let wrong = -1;
           for (let i = 0; i < b.length; i++) {{
             if (b[i] !== Math.floor(i * 131 / 7) % 256) {{ wrong = i; break; }}
           }}
           return {{ length: b.length, wrong, expected: {len} }};"#
    ));
    assert_eq!(
        whole,
        Ok(json!({"length": len, "wrong": -1, "expected": len}))
    );

    // 128 MiB that a thread rewrites in place every 20 ms until the read ends.
    let moving = notes.join("moving.bin");
    let file = std::fs::File::create(&moving).expect("moving.bin");
    file.set_len(128 * 1024 * 1024).expect("set_len");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            use std::os::unix::fs::FileExt;
            let mut n = 0u8;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n = n.wrapping_add(1);
                file.write_all_at(&[n], 64 * 1024 * 1024).expect("rewrite");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let read = driven.run(
        "const b = await Millennium.fs.readBinaryFile('notes/moving.bin',
           { dir: Millennium.fs.BaseDirectory.AppData });
         return b.length;",
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer");
    let error = read.expect_err("a read of a file that changes throughout must fail");
    assert!(
        error.ends_with("moving.bin`: the file changed while it was being read; read it again"),
        "{error}"
    );
}

/// A tmpfs of a few MiB mounted over a directory for one test; unmounted
/// on drop. Mounting needs root (the test machine and CI run as root).
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Result<SmallDisk, String> {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(SmallDisk(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A disk that fills up mid-write: the promise rejects with the OS's
/// reason, the old file is untouched, no temporary file is left, and the
/// app keeps running.
#[test]
fn host_fs_write_to_a_full_disk_is_an_error_and_leaves_nothing() {
    require_gui!();
    let _gui = gui_lock();
    let app = fs_app(true);
    let driven = Driven::launch(&app.0);
    let app_data = driven
        .run(
            "await Millennium.fs.createDir('notes', \
             { dir: Millennium.fs.BaseDirectory.AppData, recursive: true }); \
             return await Millennium.path.appDataDir();",
        )
        .expect("appDataDir");
    let notes = PathBuf::from(app_data.as_str().unwrap()).join("notes");
    let disk = match SmallDisk::mount(&notes, "4m") {
        Ok(disk) => disk,
        Err(why) => {
            // Only root may mount; say so loudly rather than pass.
            eprintln!(
                "\n\n!!!! SKIPPED: a full disk needs a tmpfs mount, which failed: {why} !!!!\n\n"
            );
            return;
        }
    };
    let result = driven.run(
        r#"const fs = Millennium.fs;
           const dir = fs.BaseDirectory.AppData;
           await fs.writeTextFile('notes/keep.md', 'old contents', { dir });
           const big = new Uint8Array(16 * 1024 * 1024).fill(7);
           try {
             await fs.writeBinaryFile('notes/keep.md', big, { dir });
             return 'written';
           } catch (e) {
             return String(e.message || e);
           }"#,
    );
    let message = result.expect("the script ran");
    let message = message.as_str().unwrap_or_default();
    assert!(
        message.contains("keep.md") && message.contains("no space left"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(notes.join("keep.md")).unwrap(),
        "old contents"
    );
    let names: Vec<String> = std::fs::read_dir(&notes)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["keep.md"], "nothing half-written is left");
    // A directory the app may not write (root ignores permission bits, so
    // a read-only mount stands in for them): a clear error, nothing changed.
    let remount = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&notes)
        .status()
        .expect("mount");
    assert!(remount.success());
    let read_only = driven.run(
        "return await Millennium.fs.writeTextFile('notes/keep.md', 'new', \
         { dir: Millennium.fs.BaseDirectory.AppData });",
    );
    assert!(
        read_only
            .as_ref()
            .is_err_and(|e| e.contains("keep.md") && e.contains("read-only")),
        "{read_only:?}"
    );
    assert_eq!(
        std::fs::read_to_string(notes.join("keep.md")).unwrap(),
        "old contents"
    );
    assert_eq!(
        driven.run("return await Millennium.app.getName();"),
        Ok(json!("FS E2E")),
        "the app keeps running"
    );
    drop(disk);
}
