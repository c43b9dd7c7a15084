//! End-to-end test of `Millennium.clipboard` and `Millennium.notification`
//! in a real WebKitGTK, driven over WebDriver: a text round trip through the
//! X11 clipboard (unicode included), a call whose key is off, and a
//! notification on a session bus with no notification service (the
//! driver's `dbus-run-session` bus has none), which must reject with a clear
//! error within a few seconds rather than hang; and notifications that reach
//! a stand-in notification service on a private bus, field by field.
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::time::{Duration, Instant};

use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

/// The app, with `read-text` on or off.
fn clipboard_app(read_text: bool) -> TempDir {
    let app = TempDir::new("host-clipboard-e2e-app");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Clipboard E2E"
identifier = "dev.millennium.clipboarde2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Clipboard"

[allowlist.clipboard]
write-text = true
read-text = {read_text}

[allowlist.notification]
send = true
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Clipboard</title></head><body>clipboard</body></html>"#,
    );
    app
}

#[test]
fn host_clipboard_round_trip_denial_and_notification_without_a_service() {
    require_gui!();
    let _gui = gui_lock();
    let app = clipboard_app(true);
    let driven = Driven::launch(&app.0);

    let text = "héllo wörld 😀 世界\n\ttab \"quotes\" \\ end";
    let round_trip = driven.run(&format!(
        r#"const text = {};
           await Millennium.clipboard.writeText(text);
           const first = await Millennium.clipboard.readText();
           await Millennium.clipboard.writeText('second');
           const second = await Millennium.clipboard.readText();
           await Millennium.clipboard.writeText(text);
           return [first, second, await Millennium.clipboard.readText()];"#,
        json!(text)
    ));
    assert_eq!(round_trip, Ok(json!([text, "second", text])));

    // Wrong argument types are refused by the decoder, clearly.
    let wrong = driven.run("return await Millennium.clipboard.writeText(42);");
    assert!(
        wrong
            .as_ref()
            .is_err_and(|e| e.contains("clipboard.writeText") && e.contains("invalid type")),
        "{wrong:?}"
    );

    // No notification service on the test's session bus: a clear error,
    // within a few seconds, and the host keeps answering.
    let start = Instant::now();
    let sent = driven.run(
        "return await Millennium.notification.sendNotification({ title: 'Hi', body: 'there' });",
    );
    let elapsed = start.elapsed();
    eprintln!("sendNotification without a service, after {elapsed:?}: {sent:?}");
    assert!(
        sent.as_ref()
            .is_err_and(|e| e.contains("cannot show the notification")
                && e.contains("org.freedesktop.Notifications")),
        "{sent:?}"
    );
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    let as_string = driven.run("return await Millennium.notification.sendNotification('Hi');");
    assert!(
        as_string
            .as_ref()
            .is_err_and(|e| e.contains("cannot show the notification")),
        "{as_string:?}"
    );
    let permission = driven.run(
        "return [await Millennium.notification.isPermissionGranted(),
                 await Millennium.notification.requestPermission()];",
    );
    assert_eq!(permission, Ok(json!([false, "denied"])));
    let empty_title = driven.run("return await Millennium.notification.sendNotification('');");
    assert!(
        empty_title
            .as_ref()
            .is_err_and(|e| e.contains("`title` is empty")),
        "{empty_title:?}"
    );
    assert_eq!(
        driven.run("return await Millennium.clipboard.readText();"),
        Ok(json!(text))
    );
    drop(driven);

    // The same app with `read-text` off: refused, naming the key; writing
    // still works.
    let app = clipboard_app(false);
    let driven = Driven::launch(&app.0);
    assert_eq!(
        driven.run("return await Millennium.clipboard.writeText('x');"),
        Ok(json!(null))
    );
    assert_eq!(
        driven.run("return await Millennium.clipboard.readText();"),
        Err("allowlist.clipboard.read-text is not enabled in millennium.toml".to_owned())
    );
}

/// A stand-in notification service on a session bus
/// (`tests/fixtures/notification/service.py`, which logs each `Notify`);
/// it ends with the value.
struct NotificationService {
    process: std::process::Child,
    log: std::path::PathBuf,
    _dir: TempDir,
}

impl NotificationService {
    fn start(bus: &str) -> NotificationService {
        let dir = TempDir::new("notification-service");
        let log = dir.0.join("log");
        let service = std::process::Command::new("/usr/bin/python3")
            .arg(millennium_e2e::repo_root().join("tests/fixtures/notification/service.py"))
            .arg(&log)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs (package python3-gi)");
        let mut running = NotificationService {
            process: service,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !running.logged().starts_with("ready\n") {
            if let Ok(Some(status)) = running.process.try_wait() {
                panic!("the stand-in notification service ended: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the stand-in service never owned its name"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        running
    }

    fn logged(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for NotificationService {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[test]
fn host_notification_reaches_the_desktops_service() {
    require_gui!();
    let _gui = gui_lock();
    let app = clipboard_app(true);
    let driven = Driven::launch(&app.0);
    // On the bus of the app's session (the host connects per call).
    let bus = driven
        .session_bus_address()
        .expect("the driver's session bus");
    let service = NotificationService::start(&bus);
    assert_eq!(
        driven.run(
            "return [await Millennium.notification.isPermissionGranted(),
                     await Millennium.notification.requestPermission()];"
        ),
        Ok(json!([true, "granted"]))
    );
    assert_eq!(
        driven.run(
            "return await Millennium.notification.sendNotification(
                 { title: 'Saved ✓', body: 'notes/\"a\".md', icon: 'document-save' });"
        ),
        Ok(json!(null))
    );
    assert_eq!(
        driven.run("return await Millennium.notification.sendNotification('Only a title');"),
        Ok(json!(null))
    );
    let logged = service.logged();
    let calls: Vec<serde_json::Value> = logged
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        calls,
        [
            json!({"app": "Clipboard E2E", "icon": "document-save", "summary": "Saved ✓",
                   "body": "notes/\"a\".md", "actions": [], "timeout": -1}),
            json!({"app": "Clipboard E2E", "icon": "", "summary": "Only a title",
                   "body": "", "actions": [], "timeout": -1}),
        ],
        "{logged}"
    );
}
