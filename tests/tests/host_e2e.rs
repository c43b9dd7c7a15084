//! End-to-end tests of `millennium-host` in a real WebKitGTK, driven over
//! WebDriver (WebKitWebDriver) under `dbus-run-session -- xvfb-run -a`.
//!
//! They run the already-built binary (`cargo build -p millennium-host`) and
//! skip loudly only when the system packages are missing.

mod support_host;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use support_host::{Driven, TempDir, distinct_colours, gui_lock};

const PROBE_TOML: &str = r##"
[app]
name = "E2E Probe"
identifier = "dev.millennium.e2eprobe"
version = "2.3.4"
frontend = "dist"

[[windows]]
label = "main"
title = "Probe Main Window"
width = 520
height = 380
background-color = "#203050"

[allowlist.window]
create = true

[allowlist.os]
info = true
"##;

/// `main.js` records CSP violations before the inline and remote scripts
/// that follow it are (not) run.
fn probe_app(remote_port: u16) -> TempDir {
    let app = TempDir::new("host-e2e-app");
    app.write("millennium.toml", PROBE_TOML);
    app.write(
        "dist/index.html",
        &format!(
            r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Probe Document</title>
<script src="main.js"></script>
<script>window.inlineRan = true;</script>
<script src="http://127.0.0.1:{remote_port}/remote.js"></script>
</head><body><h1 id="greeting">waiting</h1></body></html>"#
        ),
    );
    app.write(
        "dist/main.js",
        r#"window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push(e.blockedURI + " " + e.effectiveDirective);
});
Millennium.app.getName().then((name) => {
  const show = () => { document.getElementById("greeting").textContent = "Hello from " + name; };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show); else show();
});
"#,
    );
    app.write(
        "dist/second.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Second</title>
<script src="second.js"></script></head><body>second</body></html>"#,
    );
    app.write(
        "dist/second.js",
        r#"const me = Millennium.window.getCurrent().label;
Millennium.event.listen("ping", (e) => {
  Millennium.event.emit("pong", { from: me, n: e.payload.n + 1 });
}).then(() => Millennium.event.emit("second-ready", me));
"#,
    );
    app
}

/// A server that counts requests; the CSP must keep the page from ever calling it.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let body = "window.remoteRan = true;";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, hits)
}

#[test]
fn host_e2e_page_content_title_and_allowed_apis() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);

    assert_eq!(driven.title(), "Probe Document");
    let greeting = driven.run(
        "for (let i = 0; i < 100; i++) {
           const t = document.getElementById('greeting').textContent;
           if (t !== 'waiting') return t;
           await new Promise(r => setTimeout(r, 50));
         }
         return 'timeout';",
    );
    assert_eq!(greeting, Ok(json!("Hello from E2E Probe")));
    let window_title = driven.run("return await Millennium.window.getCurrent().title();");
    assert_eq!(
        window_title,
        Ok(json!("Probe Main Window")),
        "title from the toml"
    );
    let size = driven.run(
        "const s = await Millennium.window.getCurrent().innerSize();
         const f = await Millennium.window.getCurrent().scaleFactor();
         return [Math.round(s.width / f), Math.round(s.height / f)];",
    );
    assert_eq!(size, Ok(json!([520, 380])), "size from the toml");
    assert_eq!(
        driven.run("return await Millennium.app.getVersion();"),
        Ok(json!("2.3.4"))
    );
    assert_eq!(
        driven.run("return await Millennium.os.platform();"),
        Ok(json!("linux"))
    );
    assert_eq!(
        driven.run("return await Millennium.os.type();"),
        Ok(json!("Linux"))
    );
}

#[test]
fn host_e2e_denied_apis_reject_naming_their_key() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);

    let cases = [
        (
            "await Millennium.process.exit(3);",
            "allowlist.process.exit",
        ),
        (
            "await Millennium.process.relaunch();",
            "allowlist.process.relaunch",
        ),
        ("await Millennium.app.hide();", "allowlist.app.hide"),
        (
            "await Millennium.path.appDataDir();",
            "allowlist.path.resolve",
        ),
        (
            "await Millennium.window.getCurrent().setTitle('nope');",
            "allowlist.window.set-title",
        ),
        (
            "await Millennium.window.getCurrent().setSize(new Millennium.window.LogicalSize(10, 10));",
            "allowlist.window.set-size",
        ),
        (
            "await Millennium.window.getCurrent().close();",
            "allowlist.window.close",
        ),
    ];
    for (script, key) in cases {
        let expected = format!("{key} is not enabled in millennium.toml");
        assert_eq!(driven.run(script), Err(expected), "{script}");
    }
    // The app is still alive and the title unchanged after all those refusals.
    assert_eq!(
        driven.run("return await Millennium.window.getCurrent().title();"),
        Ok(json!("Probe Main Window"))
    );
    // Malformed and unauthenticated IPC gets an error answer, not a crash.
    let forged = driven.run(
        "const r = await fetch('millennium://localhost/__ipc/app.getName', {
           method: 'POST', headers: { 'Millennium-Invoke-Key': 'not-the-key' } });
         return [r.status, await r.text()];",
    );
    assert_eq!(
        forged,
        Ok(json!([403, "IPC request refused: invalid invoke key"]))
    );
    let unknown = driven.run("return await Millennium.ipc.invoke('fs.nuke', {});");
    assert_eq!(unknown, Err("unknown command `fs.nuke`".to_owned()));
    let bad_args =
        driven.run("return await Millennium.ipc.invoke('window.setTitle', { value: 5 });");
    assert!(
        bad_args
            .as_ref()
            .is_err_and(|e| e.starts_with("invalid arguments for `window.setTitle`")),
        "{bad_args:?}"
    );
    let ping =
        driven.run("window.ipc.postMessage('{not json'); return await Millennium.app.getName();");
    assert_eq!(ping, Ok(json!("E2E Probe")), "the host survives garbage");
}

#[test]
fn host_e2e_csp_blocks_inline_and_remote_scripts() {
    require_gui!();
    let _gui = gui_lock();
    let (port, hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);

    let state = driven
        .run("return { inline: window.inlineRan === true, remote: window.remoteRan === true, violations: window.violations };")
        .expect("read state");
    assert_eq!(state["inline"], json!(false), "inline script ran: {state}");
    assert_eq!(state["remote"], json!(false), "remote script ran: {state}");
    let violations = state["violations"].to_string();
    assert!(
        violations.contains("inline"),
        "no inline violation: {violations}"
    );
    assert!(
        violations.contains(&format!("http://127.0.0.1:{port}/remote.js")),
        "no remote violation: {violations}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the remote server was contacted"
    );
    // The external script of the app itself did run (the policy is not just "nothing").
    assert_eq!(
        driven.run("return typeof window.violations;"),
        Ok(json!("object"))
    );
}

#[test]
fn host_e2e_second_window_and_events_between_windows() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);

    let result = driven.run(
        "const { event, window: win } = Millennium;
         const timeout = (p, ms, what) => Promise.race([p,
           new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ' + what)), ms))]);
         const ready = new Promise((r) => event.once('second-ready', (e) => r(e.payload)));
         const created = new Promise((r, j) => {
           const w = new win.WebviewWindow('second', { url: 'second.html', title: 'Second Window', width: 300, height: 200 });
           w.once('millennium://created', () => r(true));
           w.once('millennium://error', (e) => j(new Error(e.payload)));
         });
         await timeout(created, 15000, 'created');
         const readyFrom = await timeout(ready, 15000, 'second-ready');
         const pong = new Promise((r) => event.once('pong', (e) => r(e.payload)));
         await event.emit('ping', { n: 41 });
         const answer = await timeout(pong, 10000, 'pong');
         const labels = (await win.getAll()).map((w) => w.label);
         const title = await win.WebviewWindow.getByLabel('second').title();
         return { readyFrom, answer, labels, title };",
    );
    assert_eq!(
        result,
        Ok(json!({
            "readyFrom": "second",
            "answer": {"from": "second", "n": 42},
            "labels": ["main", "second"],
            "title": "Second Window",
        }))
    );
    let duplicate = driven.run(
        "return await Millennium.ipc.invoke('window.create', { label: 'second', options: {} });",
    );
    assert_eq!(
        duplicate,
        Err("a window labelled `second` already exists".to_owned())
    );
}

#[test]
fn host_e2e_flagship_screenshot_is_not_blank() {
    require_gui!();
    let _gui = gui_lock();
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sample-apps/hello");
    let driven = Driven::launch(&hello);
    // main.js replaced the paragraph using the bridge: the page is live.
    let who = driven.run(
        "for (let i = 0; i < 100; i++) {
           const t = document.getElementById('who').textContent;
           if (t.startsWith('Hello is')) return t;
           await new Promise(r => setTimeout(r, 50));
         }
         return document.getElementById('who').textContent;",
    );
    assert_eq!(who, Ok(json!("Hello is served from inside the app.")));
    // The DOM can be updated a frame before it is painted: wait for two
    // animation frames, and give a slow machine a few more tries. A blank
    // page never reaches the threshold, however long we wait.
    let _ = driven.run(
        "await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); return 0;",
    );
    let out = TempDir::new("host-e2e-shot");
    let mut png = driven.screenshot();
    let mut colours = distinct_colours(&png, &out.0);
    for _ in 0..10 {
        if colours > 10 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        png = driven.screenshot();
        colours = distinct_colours(&png, &out.0);
    }
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        colours > 10,
        "screenshot has only {colours} colour(s): blank page?"
    );
    if let Ok(dir) = std::env::var("MILLENNIUM_SCREENSHOT_DIR") {
        let _ = std::fs::write(PathBuf::from(dir).join("hello.png"), &png);
    }
}

#[test]
fn host_e2e_ipc_channels_measured() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);
    let result = driven
        .run(
            "const ipc = Millennium.ipc, n = 300;
             for (let i = 0; i < 30; i++) { await ipc.invoke('ipc.ping'); await ipc.invokeBinary('ping', new Uint8Array(8)); }
             let t = performance.now();
             for (let i = 0; i < n; i++) await ipc.invoke('ipc.ping');
             const post = (performance.now() - t) / n;
             t = performance.now();
             for (let i = 0; i < n; i++) await ipc.invokeBinary('ping', new Uint8Array(8));
             const fetchMs = (performance.now() - t) / n;
             const big = new Uint8Array(8 * 1024 * 1024);
             for (let i = 0; i < big.length; i += 997) big[i] = i & 255;
             t = performance.now();
             const back = await ipc.invokeBinary('ping', big);
             const bulk = performance.now() - t;
             let same = back.length === big.length;
             for (let i = 0; same && i < big.length; i += 997) same = back[i] === big[i];
             return { post, fetchMs, bulk, same };",
        )
        .expect("benchmark ran");
    eprintln!(
        "IPC round trip: postMessage+evaluate_script {:.3} ms, custom-protocol fetch {:.3} ms; 8 MiB echo {:.0} ms",
        result["post"].as_f64().unwrap_or(f64::NAN),
        result["fetchMs"].as_f64().unwrap_or(f64::NAN),
        result["bulk"].as_f64().unwrap_or(f64::NAN),
    );
    assert_eq!(result["same"], json!(true), "binary echo corrupted bytes");
}

#[test]
fn host_e2e_window_options_are_honoured() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    let driven = Driven::launch(&app.0);
    let result = driven.run(
        "const { window: win } = Millennium;
         const created = new Promise((r, j) => {
           const w = new win.WebviewWindow('plain', { url: 'second.html', visible: false, resizable: false,
             decorations: false, width: 320, height: 240, minWidth: 200, title: 'Plain' });
           w.once('millennium://created', () => r(w));
           w.once('millennium://error', (e) => j(new Error(e.payload)));
         });
         const w = await created;
         const f = await w.scaleFactor();
         const s = await w.innerSize();
         return { visible: await w.isVisible(), resizable: await w.isResizable(),
                  decorated: await w.isDecorated(), title: await w.title(),
                  size: [Math.round(s.width / f), Math.round(s.height / f)],
                  mainResizable: await win.getCurrent().isResizable() };",
    );
    assert_eq!(
        result,
        Ok(json!({
            "visible": false,
            "resizable": false,
            "decorated": false,
            "title": "Plain",
            "size": [320, 240],
            "mainResizable": true,
        }))
    );
    let bad = driven.run("return await Millennium.ipc.invoke('window.create', { label: 'bad label!', options: {} });");
    assert!(
        bad.as_ref()
            .is_err_and(|e| e.contains("not a valid window label")),
        "{bad:?}"
    );
    let remote = driven.run(
        "return await Millennium.ipc.invoke('window.create', { label: 'evil', options: { url: 'javascript:alert(1)' } });",
    );
    assert!(
        remote.as_ref().is_err_and(|e| e.contains("neither a path")),
        "{remote:?}"
    );
}
