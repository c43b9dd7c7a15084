//! Every command of every API, called through the real webview of an app
//! whose allowlist turns nothing on: each one that needs a key rejects with
//! an error naming that exact key, and nothing happens (no file, no dialog,
//! no window, no process, no request). The commands are the registry's (each
//! API's `SURFACE` samples), so a new API is covered without editing this
//! file. The "allowed" half of each pair is in the API's own end-to-end test
//! (host_fs_e2e, host_dialog_e2e, host_shell_http_e2e, host_clipboard_e2e,
//! host_sidecar_e2e, host_e2e for windows, updater_e2e).
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::net::TcpListener;
use std::time::Duration;

use crate::support::{Driven, TempDir, gui_lock};
use millennium_host::ipc::router::FRAGMENTS;
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

[[sidecars]]
name = "echo"
command = "touch"
args = ["{marker}"]

[allowlist.sidecar]
scope = [{{ name = "echo", methods = ["*"] }}]
"#,
            marker = files.0.join("sidecar-ran").display(),
            dir = files.0.display()
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Allowlist</title></head><body>allowlist</body></html>"#,
    );
    let driven = Driven::launch(&app.0);
    let values = [
        ("$FILE", existing.display().to_string()),
        ("$NEW", files.0.join("b.txt").display().to_string()),
        ("$DIR", files.0.display().to_string()),
        ("$URL", format!("http://127.0.0.1:{port}/x")),
        ("$PROGRAM", "touch".to_owned()),
        ("$MARKER", files.0.join("touched").display().to_string()),
    ];
    let bare = |text: &str| {
        values
            .iter()
            .fold(text.to_owned(), |t, (name, value)| t.replace(name, value))
    };
    let literal = |text: &str| {
        values.iter().fold(text.to_owned(), |t, (name, value)| {
            t.replace(name, &json!(value).to_string())
        })
    };
    let mut denied = Vec::new();
    for fragment in FRAGMENTS {
        for sample in fragment.surface.samples {
            let command = sample
                .decode(bare)
                .unwrap_or_else(|e| panic!("{}: {e}", sample.cmd));
            let Some(key) = command
                .required_keys()
                .iter()
                .chain(command.extra_keys())
                .next()
            else {
                continue;
            };
            let key = key.to_string();
            let result = driven.run(&format!("return await {};", literal(sample.js)));
            assert!(
                result.as_ref().is_err_and(|e| e.contains(&key)),
                "{}: expected a denial naming {key}, got {result:?}",
                sample.cmd
            );
            denied.push(sample.cmd);
        }
    }
    // The scoped APIs' 29 commands of the first wave, and the window, app,
    // process, os and path ones.
    assert!(
        denied.len() > 80,
        "only {} commands: {denied:?}",
        denied.len()
    );
    for cmd in [
        "fs.writeBinaryFile",
        "http.request",
        "shell.spawn",
        "updater.installUpdate",
        "window.create",
        "process.exit",
        "sidecar.call",
    ] {
        assert!(denied.contains(&cmd), "{cmd} was not called");
    }
    // Nothing happened.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "a");
    assert!(!files.0.join("b.txt").exists());
    assert!(!files.0.join("touched").exists());
    assert!(
        !files.0.join("sidecar-ran").exists(),
        "no sidecar may start"
    );
    assert!(server.accept().is_err(), "no request may reach the server");
    assert_eq!(driven.window_handles().len(), 1, "no dialog or new window");
    assert_eq!(driven.title(), "Allowlist", "the window is as it was");
}
