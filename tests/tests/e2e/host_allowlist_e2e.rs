//! Every command of the scoped system APIs (fs, dialog, shell, http,
//! clipboard, notification) and of the updater, called through the real webview of an app
//! whose allowlist turns nothing on: each rejects with an error that names
//! the exact key to enable, and nothing happens (no file, no dialog, no
//! process, no request). The "allowed" half of each pair is in the API's own
//! end-to-end test (host_fs_e2e, host_dialog_e2e, host_shell_http_e2e,
//! host_clipboard_e2e).
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::net::TcpListener;
use std::time::Duration;

use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

#[test]
fn host_every_scoped_api_command_is_denied_naming_its_key_when_off() {
    require_gui!();
    let _gui = gui_lock();
    // A server that would notice a request that should never be made.
    let server = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    server.set_nonblocking(true).unwrap();
    let port = server.local_addr().unwrap().port();
    let files = TempDir::new("host-allowlist-e2e-files");
    let existing = files.write("a.txt", "a");
    let app = TempDir::new("host-allowlist-e2e-app");
    // Scopes are configured but every key is off: a scope alone grants nothing.
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Allowlist E2E"
identifier = "dev.millennium.allowliste2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Allowlist"

[allowlist.fs]
scope = ["{dir}/**"]

[allowlist.shell]
scope = [{{ name = "touch", cmd = "touch", args = true }}]

[allowlist.http]
scope = ["http://127.0.0.1:{port}/**"]
"#,
            dir = files.0.display()
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Allowlist</title></head><body>allowlist</body></html>"#,
    );
    let driven = Driven::launch(&app.0);
    let path = json!(existing);
    let other = json!(files.0.join("b.txt"));
    let marker = json!(files.0.join("touched"));
    let url = json!(format!("http://127.0.0.1:{port}/x"));
    let calls = [
        (
            "fs.readTextFile",
            format!("Millennium.fs.readTextFile({path})"),
            "allowlist.fs.read-file",
        ),
        (
            "fs.readBinaryFile",
            format!("Millennium.fs.readBinaryFile({path})"),
            "allowlist.fs.read-file",
        ),
        (
            "fs.writeTextFile",
            format!("Millennium.fs.writeTextFile({other}, 'x')"),
            "allowlist.fs.write-file",
        ),
        (
            "fs.writeBinaryFile",
            format!("Millennium.fs.writeBinaryFile({other}, new Uint8Array([1]))"),
            "allowlist.fs.write-file",
        ),
        (
            "fs.readDir",
            format!("Millennium.fs.readDir({})", json!(files.0)),
            "allowlist.fs.read-dir",
        ),
        (
            "fs.createDir",
            format!("Millennium.fs.createDir({other})"),
            "allowlist.fs.create-dir",
        ),
        (
            "fs.removeDir",
            format!("Millennium.fs.removeDir({})", json!(files.0)),
            "allowlist.fs.remove-dir",
        ),
        (
            "fs.removeFile",
            format!("Millennium.fs.removeFile({path})"),
            "allowlist.fs.remove-file",
        ),
        (
            "fs.renameFile",
            format!("Millennium.fs.renameFile({path}, {other})"),
            "allowlist.fs.rename-file",
        ),
        (
            "fs.copyFile",
            format!("Millennium.fs.copyFile({path}, {other})"),
            "allowlist.fs.copy-file",
        ),
        (
            "fs.exists",
            format!("Millennium.fs.exists({path})"),
            "allowlist.fs.exists",
        ),
        (
            "dialog.open",
            "Millennium.dialog.open()".to_owned(),
            "allowlist.dialog.open",
        ),
        (
            "dialog.save",
            "Millennium.dialog.save()".to_owned(),
            "allowlist.dialog.save",
        ),
        (
            "dialog.message",
            "Millennium.dialog.message('m')".to_owned(),
            "allowlist.dialog.message",
        ),
        (
            "dialog.ask",
            "Millennium.dialog.ask('m')".to_owned(),
            "allowlist.dialog.ask",
        ),
        (
            "dialog.confirm",
            "Millennium.dialog.confirm('m')".to_owned(),
            "allowlist.dialog.confirm",
        ),
        (
            "shell.open",
            "Millennium.shell.open('https://example.com/')".to_owned(),
            "allowlist.shell.open",
        ),
        (
            "shell.execute",
            format!("new Millennium.shell.Command('touch', [{marker}]).execute()"),
            "allowlist.shell.execute",
        ),
        (
            "shell.spawn",
            format!("new Millennium.shell.Command('touch', [{marker}]).spawn()"),
            "allowlist.shell.execute",
        ),
        (
            "shell.stdinWrite",
            "new Millennium.shell.Child(1).write('x')".to_owned(),
            "allowlist.shell.execute",
        ),
        (
            "shell.killChild",
            "new Millennium.shell.Child(1).kill()".to_owned(),
            "allowlist.shell.execute",
        ),
        (
            "http.request",
            format!("Millennium.http.fetch({url})"),
            "allowlist.http.request",
        ),
        (
            "clipboard.readText",
            "Millennium.clipboard.readText()".to_owned(),
            "allowlist.clipboard.read-text",
        ),
        (
            "clipboard.writeText",
            "Millennium.clipboard.writeText('x')".to_owned(),
            "allowlist.clipboard.write-text",
        ),
        (
            "notification.sendNotification",
            "Millennium.notification.sendNotification('t')".to_owned(),
            "allowlist.notification.send",
        ),
        (
            "notification.isPermissionGranted",
            "Millennium.notification.isPermissionGranted()".to_owned(),
            "allowlist.notification.send",
        ),
        (
            "updater.checkUpdate",
            "Millennium.updater.checkUpdate()".to_owned(),
            "allowlist.updater.check",
        ),
        (
            "updater.installUpdate",
            "Millennium.updater.installUpdate()".to_owned(),
            "allowlist.updater.install",
        ),
        (
            "notification.requestPermission",
            "Millennium.notification.requestPermission()".to_owned(),
            "allowlist.notification.send",
        ),
    ];
    for (name, call, key) in &calls {
        let result = driven.run(&format!("return await {call};"));
        assert!(
            result.as_ref().is_err_and(|e| e.contains(key)),
            "{name}: expected a denial naming {key}, got {result:?}"
        );
    }
    // Nothing happened.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "a");
    assert!(!files.0.join("b.txt").exists());
    assert!(!files.0.join("touched").exists());
    assert!(server.accept().is_err(), "no request may reach the server");
    assert_eq!(driven.window_handles().len(), 1, "no dialog window");
}
