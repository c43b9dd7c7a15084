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
<script>window.inlineRan = true;
const injected = document.createElement("script");
injected.textContent = "window.injectedRan = true;";
document.head.appendChild(injected);</script>
<script src="http://127.0.0.1:{remote_port}/remote.js"></script>
</head><body onload="window.handlerRan = true"><h1 id="greeting">waiting</h1></body></html>"#
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
/// The usual set-up: the GUI lock, a counting server for "remote"
/// requests, the probe app pointing at it, and the host driven on it.
/// Field order matters: the host stops before its app directory goes.
struct ProbeRun {
    driven: Driven,
    port: u16,
    hits: Arc<AtomicUsize>,
    _app: TempDir,
    _gui: std::sync::MutexGuard<'static, ()>,
}

impl ProbeRun {
    fn start() -> ProbeRun {
        let gui = gui_lock();
        let (port, hits) = counting_server();
        let app = probe_app(port);
        let driven = Driven::launch(&app.0);
        ProbeRun {
            driven,
            port,
            hits,
            _app: app,
            _gui: gui,
        }
    }
}

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
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();

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
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();

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
        (
            "await Millennium.window.getCurrent().setCursorIcon('hand');",
            "allowlist.window.set-cursor-icon",
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
    let ProbeRun {
        driven,
        port,
        hits,
        _gui,
        _app,
    } = ProbeRun::start();

    let state = driven
        .run(
            "return { inline: window.inlineRan === true, injected: window.injectedRan === true,
                       handler: window.handlerRan === true, remote: window.remoteRan === true,
                       violations: window.violations };",
        )
        .expect("read state");
    // The author's inline script is in the page file, so its hash is in the
    // page's CSP; what it injects, and inline event handlers, have none.
    assert_eq!(
        state["inline"],
        json!(true),
        "the author's inline script did not run: {state}"
    );
    assert_eq!(
        state["injected"],
        json!(false),
        "an injected inline script ran: {state}"
    );
    assert_eq!(
        state["handler"],
        json!(false),
        "an inline event handler ran: {state}"
    );
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
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();

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
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();
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
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();
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

/// The page another origin serves inside an iframe of the app: it reports
/// what it can see to its parent, and on request tries to call the host
/// through WebKit's message handler with what it was given.
const REMOTE_FRAME: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Remote Frame</title></head><body>remote frame<script>
const handler = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.ipc;
parent.postMessage({ from: "remote-frame", millennium: typeof window.Millennium, ipc: typeof window.ipc,
  internal: typeof window.__MILLENNIUM_IPC__,
  callbacks: Object.getOwnPropertyNames(window).filter((n) => n.indexOf("__millennium") === 0).length }, "*");
window.addEventListener("message", (e) => {
  if (!e.data || !e.data.forge) return;
  let sent = false;
  try { if (handler) { handler.postMessage(JSON.stringify(e.data.forge)); sent = true; } } catch (err) { sent = String(err); }
  parent.postMessage({ from: "remote-frame", forged: sent }, "*");
});
</script></body></html>"#;

const REMOTE_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Remote Page</title></head><body>remote page</body></html>"#;

/// An app whose page frames another origin and an app page, and which may
/// navigate to that other origin only.
fn isolation_app(remote_port: u16) -> TempDir {
    let app = TempDir::new("host-e2e-isolation");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Isolation"
identifier = "dev.millennium.isolation"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Isolation Main"

[security]
csp = "default-src 'self'; frame-src 'self' http://127.0.0.1:{remote_port}; frame-ancestors 'self'"
allowed-navigation = ["http://127.0.0.1:{remote_port}/**"]

[allowlist.window]
set-title = true
"#
        ),
    );
    app.write(
        "dist/index.html",
        &format!(
            r#"<!doctype html><html><head><meta charset="utf-8"><title>Isolation</title>
<script src="main.js"></script></head><body>
<iframe id="remote" src="http://127.0.0.1:{remote_port}/frame.html"></iframe>
<iframe id="local" src="inner.html"></iframe>
</body></html>"#
        ),
    );
    app.write(
        "dist/main.js",
        "window.reports = [];\nwindow.addEventListener('message', (e) => window.reports.push({ origin: e.origin, data: e.data }));\n",
    );
    app.write(
        "dist/inner.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Inner</title></head><body>inner</body></html>"#,
    );
    app
}

#[test]
fn host_e2e_other_origins_get_no_api_in_frames_or_after_navigation() {
    require_gui!();
    let _gui = gui_lock();
    let remote = support_host::PageServer::start(vec![
        ("/frame.html".to_owned(), REMOTE_FRAME.to_owned()),
        ("/page.html".to_owned(), REMOTE_PAGE.to_owned()),
    ]);
    let elsewhere =
        support_host::PageServer::start(vec![("/evil.html".to_owned(), REMOTE_PAGE.to_owned())]);
    let app = isolation_app(remote.port);
    let driven = Driven::launch(&app.0);
    let remote_origin = format!("http://127.0.0.1:{}", remote.port);
    let limit = Duration::from_secs(15);

    // (a) A frame of another origin sees nothing of the bridge.
    driven.wait_until(
        "window.reports.some((r) => r.data.from === 'remote-frame')",
        limit,
    );
    let report =
        driven.execute("return window.reports.find((r) => r.data.from === 'remote-frame');");
    assert_eq!(
        report,
        json!({"origin": remote_origin, "data": {"from": "remote-frame", "millennium": "undefined",
            "ipc": "undefined", "internal": "undefined", "callbacks": 0}})
    );
    // ... and an app-origin frame neither: the bridge is main-frame only.
    driven.wait_until(
        "document.getElementById('local').contentDocument.readyState === 'complete'",
        limit,
    );
    assert_eq!(
        driven.execute(
            "const w = document.getElementById('local').contentWindow;
             return [w.location.href, typeof w.Millennium, typeof w.ipc, typeof w.__MILLENNIUM_IPC__];"
        ),
        json!(["millennium://localhost/inner.html", "undefined", "undefined", "undefined"])
    );
    // The frame can reach WebKit's message handler, but without the key its
    // calls go nowhere.
    let forged = driven.run(
        "const frame = document.getElementById('remote').contentWindow;
         for (const key of ['', 'guess', null]) {
           frame.postMessage({ forge: { id: 1, key, cmd: 'window.setTitle', args: { value: 'pwned by a frame' } } }, '*');
         }
         for (let i = 0; i < 100 && window.reports.filter((r) => 'forged' in r.data).length < 3; i++) {
           await new Promise((r) => setTimeout(r, 50));
         }
         return { acks: window.reports.filter((r) => 'forged' in r.data).map((r) => r.data.forged),
                  title: await Millennium.window.getCurrent().title() };",
    );
    assert_eq!(
        forged,
        Ok(json!({"acks": [true, true, true], "title": "Isolation Main"}))
    );

    // The key, taken from inside the app page (any app script could): with
    // it, an app page may call the host directly.
    let stolen = driven
        .run(
            "let stolen = null;
             Object.prototype.toJSON = function () {
               delete Object.prototype.toJSON;
               stolen = this.key;
               return { id: this.id, key: this.key, cmd: this.cmd, args: this.args };
             };
             await Millennium.app.getName();
             window.ipc.postMessage(JSON.stringify({ id: 999999, key: stolen, cmd: 'window.setTitle',
               args: { value: 'set with the key' } }));
             const title = await Millennium.window.getCurrent().title();
             await Millennium.window.getCurrent().setTitle('Isolation Main');
             return { stolen, title };",
        )
        .expect("steal the key");
    assert_eq!(stolen["title"], json!("set with the key"), "{stolen}");
    let key = stolen["stolen"].as_str().expect("a key").to_owned();

    // (c) Navigation to an origin outside `allowed-navigation` is refused:
    // the page stays, and the other server is never asked.
    driven.execute(&format!(
        "window.stayed = true; location.href = 'http://127.0.0.1:{}/evil.html';",
        elsewhere.port
    ));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        driven.execute("return [location.href, window.stayed === true];"),
        json!(["millennium://localhost/index.html", true])
    );
    assert_eq!(elsewhere.hit_count(), 0, "the refused origin was contacted");

    // (b) An allowed navigation leaves the app: the page gets no bridge, and
    // the host ignores its IPC even with the right key.
    driven.execute(&format!("location.href = '{remote_origin}/page.html';"));
    driven.wait_until(
        &format!(
            "location.href === '{remote_origin}/page.html' && document.readyState === 'complete'"
        ),
        limit,
    );
    assert_eq!(
        driven.execute(
            "return [typeof window.Millennium, typeof window.__MILLENNIUM_IPC__, typeof window.ipc];"
        ),
        json!(["undefined", "undefined", "object"])
    );
    driven.execute(&format!(
        "window.ipc.postMessage(JSON.stringify({{ id: 1, key: {key:?}, cmd: 'window.setTitle',
           args: {{ value: 'pwned by a remote page' }} }}));"
    ));
    // One more round trip through the UI process: the message above was
    // handled before its answer.
    assert_eq!(
        driven.execute("return document.title;"),
        json!("Remote Page")
    );
    // Back to the app by a plain navigation: WebKitWebDriver can stall on
    // pages restored from the back-forward cache.
    driven.execute("location.href = 'millennium://localhost/index.html';");
    driven.wait_until(
        "location.href === 'millennium://localhost/index.html' && typeof window.Millennium === 'object'",
        limit,
    );
    assert_eq!(
        driven.run("return await Millennium.window.getCurrent().title();"),
        Ok(json!("Isolation Main")),
        "the remote page changed the window title"
    );
}

/// Shipped apps cannot be remote-controlled: without exactly
/// `MILLENNIUM_AUTOMATION=1` the host does not allow WebKit automation, so
/// WebKitWebDriver cannot open a session on it.
#[test]
fn host_e2e_automation_is_off_unless_asked_for() {
    require_gui!();
    let _gui = gui_lock();
    let (port, _hits) = counting_server();
    let app = probe_app(port);
    // WebKitWebDriver waits for an automation session that never starts; a
    // session that is allowed opens in about a second, so 8 s is ample.
    for setting in [None, Some("true")] {
        let started = std::time::Instant::now();
        let refused = Driven::try_launch(&app.0, setting, Duration::from_secs(8));
        assert!(
            refused.is_err(),
            "MILLENNIUM_AUTOMATION={setting:?}: WebKitWebDriver drove the app"
        );
        eprintln!(
            "MILLENNIUM_AUTOMATION={setting:?}: refused after {:?}: {}",
            started.elapsed(),
            refused.err().unwrap_or_default()
        );
    }
    // The control: the same app and driver with the switch on.
    let driven = Driven::try_launch(&app.0, Some("1"), Duration::from_secs(30))
        .or_else(|_| Driven::try_launch(&app.0, Some("1"), Duration::from_secs(30)))
        .expect("a session with MILLENNIUM_AUTOMATION=1");
    assert_eq!(driven.title(), "Probe Document");
}

const EVENTS_TOML: &str = r#"
[app]
name = "Events"
identifier = "dev.millennium.events"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Events Main"
width = 500
height = 360

[allowlist.window]
create = true
close = true
set-size = true
set-position = true
set-focus = true
set-cursor-icon = true
"#;

fn events_app() -> TempDir {
    let app = TempDir::new("host-e2e-events");
    app.write("millennium.toml", EVENTS_TOML);
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Events</title></head><body>events</body></html>"#,
    );
    app.write(
        "dist/closer.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Closer</title><script src="closer.js"></script></head><body>closer</body></html>"#,
    );
    // Vetoes close requests until told otherwise, reporting each one.
    app.write(
        "dist/closer.js",
        r#"const me = Millennium.window.getCurrent();
let allow = false;
Millennium.event.listen("allow-close", () => { allow = true; });
me.onCloseRequested(async (e) => {
  await Millennium.event.emit("close-asked", { allow });
  if (!allow) e.preventDefault();
}).then(() => Millennium.event.emit("closer-ready", me.label));
"#,
    );
    app
}

/// JS shared by the event tests: `seen` collects events, `waitFor` polls it.
const EVENT_HELPERS: &str = "
    const { window: win, event } = Millennium;
    const seen = [];
    const waitFor = async (pred, what) => {
      for (let i = 0; i < 200; i++) {
        const hit = seen.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('timed out waiting for ' + what + ': ' + JSON.stringify(seen));
    };";

#[test]
fn host_e2e_window_events_resize_move_and_focus() {
    require_gui!();
    let _gui = gui_lock();
    let app = events_app();
    let driven = Driven::launch(&app.0);
    let result = driven.run(&format!(
        "{EVENT_HELPERS}
         const w = win.getCurrent();
         await w.onResized((e) => seen.push({{ kind: 'resized', w: e.payload.width, h: e.payload.height,
           label: e.windowLabel, physical: e.payload instanceof win.PhysicalSize }}));
         await w.onMoved((e) => seen.push({{ kind: 'moved', x: e.payload.x, y: e.payload.y }}));
         await w.onFocusChanged((e) => seen.push({{ kind: 'focus', focused: e.payload }}));
         const f = await w.scaleFactor();
         await w.setSize(new win.LogicalSize(610, 410));
         const resized = await waitFor((e) => e.kind === 'resized' && Math.round(e.w / f) === 610
           && Math.round(e.h / f) === 410, 'resized');
         await w.setPosition(new win.LogicalPosition(130, 95));
         // Wait for the event at the requested place: querying the position
         // right after setPosition can still return the old one.
         const moved = await waitFor((e) => e.kind === 'moved' && Math.round(e.x / f) === 130
           && Math.round(e.y / f) === 95, 'moved');
         const other = new win.WebviewWindow('other', {{ url: 'index.html', width: 200, height: 150, x: 700, y: 500 }});
         await new Promise((r, j) => {{ other.once('millennium://created', r);
           other.once('millennium://error', (e) => j(new Error(e.payload))); }});
         await w.setFocus();
         await waitFor((e) => e.kind === 'focus' && e.focused === true, 'focus');
         await other.setFocus();
         await waitFor((e) => e.kind === 'focus' && e.focused === false, 'blur');
         await w.setCursorIcon('hand');
         const badCursor = await w.setCursorIcon('pointer').then(() => 'accepted', (e) => e.message);
         return {{ resized: {{ label: resized.label, physical: resized.physical }},
                   moved: [Math.round(moved.x / f), Math.round(moved.y / f)],
                   badCursor: badCursor.split(' (')[0] }};"
    ));
    assert_eq!(
        result,
        Ok(json!({
            "resized": {"label": "main", "physical": true},
            "moved": [130, 95],
            "badCursor": "invalid arguments for `window.setCursorIcon`: unknown cursor `pointer`",
        }))
    );
}

#[test]
fn host_e2e_close_requests_can_be_vetoed_then_allowed() {
    require_gui!();
    let _gui = gui_lock();
    let app = events_app();
    let driven = Driven::launch(&app.0);
    let result = driven.run(&format!(
        "{EVENT_HELPERS}
         await event.listen('close-asked', (e) => seen.push({{ kind: 'asked', allow: e.payload.allow }}));
         await event.listen('closer-ready', () => seen.push({{ kind: 'ready' }}));
         const closer = new win.WebviewWindow('closer', {{ url: 'closer.html', width: 240, height: 160 }});
         await waitFor((e) => e.kind === 'ready', 'closer-ready');
         const labels = async () => (await win.getAll()).map((w) => w.label);
         await closer.close();
         await waitFor((e) => e.kind === 'asked' && e.allow === false, 'first close request');
         // Give a wrongly closing window the time to go.
         await new Promise((r) => setTimeout(r, 500));
         const afterVeto = await labels();
         await event.emit('allow-close', null);
         await closer.close();
         await waitFor((e) => e.kind === 'asked' && e.allow === true, 'second close request');
         let afterAllow = await labels();
         for (let i = 0; i < 100 && afterAllow.includes('closer'); i++) {{
           await new Promise((r) => setTimeout(r, 50));
           afterAllow = await labels();
         }}
         return {{ afterVeto, afterAllow }};"
    ));
    assert_eq!(
        result,
        Ok(json!({"afterVeto": ["closer", "main"], "afterAllow": ["main"]}))
    );
}

/// The desktop switches to a dark colour scheme: tao hears it from the XDG
/// portal's `SettingChanged` signal, which the test sends itself on the
/// app's session bus (there is no portal under Xvfb).
#[test]
fn host_e2e_theme_changes_reach_every_window() {
    require_gui!();
    let _gui = gui_lock();
    let app = events_app();
    let driven = Driven::launch(&app.0);
    driven
        .run(&format!(
            "{EVENT_HELPERS}
             window.themes = [];
             await win.getCurrent().onThemeChanged((e) => window.themes.push([e.windowLabel, e.payload]));"
        ))
        .expect("listen");
    let bus = driven.session_bus_address().expect("the app's session bus");
    let status = std::process::Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.Settings.SettingChanged",
            "string:org.freedesktop.appearance",
            "string:color-scheme",
            "variant:uint32:1",
        ])
        .status()
        .expect("run dbus-send");
    assert!(status.success(), "dbus-send failed");
    driven.wait_until("window.themes.length > 0", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.themes;"),
        json!([["main", "dark"]])
    );
}

const GRANTED_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Granted</title></head><body>granted</body></html>"#;

/// `[security] dangerous-remote-domain-ipc-access`, least privilege: the
/// granted domain gets IPC in the listed window only, through the same
/// allowlist, with the full API or only the raw channel as configured.
#[test]
fn host_e2e_remote_domain_ipc_access_is_least_privilege() {
    require_gui!();
    let _gui = gui_lock();
    let pages = || vec![("/granted.html".to_owned(), GRANTED_PAGE.to_owned())];
    let with_api = support_host::PageServer::start(pages());
    let raw_only = support_host::PageServer::start_on(Ipv4Addr::new(127, 0, 0, 2), pages());
    let api_url = format!("http://127.0.0.1:{}/granted.html", with_api.port);
    let raw_url = format!("http://127.0.0.2:{}/granted.html", raw_only.port);
    let app = TempDir::new("host-e2e-remote");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Remote"
identifier = "dev.millennium.remote"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
url = "{api_url}"
title = "Granted Window"

[[windows]]
label = "plain"
url = "{api_url}"
title = "Plain Window"

[security]
allowed-navigation = ["http://127.0.0.2:{raw_port}/**"]

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.1"
windows = ["main"]
enable-millennium-api = true

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.2"
windows = ["main"]

[allowlist.window]
set-title = true
"#,
            raw_port = raw_only.port
        ),
    );
    app.write("dist/index.html", "<!doctype html><title>unused</title>");
    let driven = Driven::launch(&app.0);
    let limit = Duration::from_secs(15);

    // The granted page in its window: the API, the allowlist, its own key.
    let granted = driven.run(
        "const w = Millennium.window.getCurrent();
         let key = null;
         Object.prototype.toJSON = function () {
           delete Object.prototype.toJSON;
           key = this.key;
           return { id: this.id, key: this.key, cmd: this.cmd, args: this.args };
         };
         const name = await Millennium.app.getName();
         await w.setTitle('Set Remotely');
         const title = await w.title();
         const exit = await Millennium.process.exit(0).then(() => 'exited', (e) => e.message);
         const bulk = await Millennium.ipc.invokeBinary('ping', new Uint8Array(4)).then(() => 'answered', () => 'refused');
         return { origin: location.origin, name, title, exit, bulk, key, ipc: typeof window.__MILLENNIUM_IPC__ };",
    );
    let granted = granted.expect("granted page");
    let key = granted["key"].as_str().expect("the grant's key").to_owned();
    assert_eq!(
        granted,
        json!({"origin": "http://127.0.0.1:".to_owned() + &with_api.port.to_string(),
            "name": "Remote", "title": "Set Remotely",
            "exit": "allowlist.process.exit is not enabled in millennium.toml",
            "bulk": "refused", "key": key, "ipc": "undefined"})
    );

    // The same domain in a window the grant does not list gets nothing, and
    // the host refuses the grant's key from it.
    let handles = driven.window_handles();
    assert_eq!(handles.len(), 2, "{handles:?}");
    let (mut main_handle, mut plain) = (None, None);
    for handle in &handles {
        driven.switch_to_window(handle);
        driven.wait_until("document.readyState === 'complete'", limit);
        let probe = driven.execute(
            "return [typeof window.Millennium, typeof window.__MILLENNIUM_IPC__,
                     Object.getOwnPropertyNames(window).filter((n) => n.indexOf('__millennium') === 0).length];",
        );
        if probe == json!(["object", "undefined", 1]) {
            main_handle = Some(handle.clone());
        } else {
            assert_eq!(
                probe,
                json!(["undefined", "undefined", 0]),
                "the unlisted window"
            );
            plain = Some(handle.clone());
        }
    }
    let (main_handle, plain) = (
        main_handle.expect("the granted window"),
        plain.expect("the unlisted window"),
    );
    driven.switch_to_window(&plain);
    driven.execute(&format!(
        "window.ipc.postMessage(JSON.stringify({{ id: 1, key: {key:?}, cmd: 'window.setTitle',
           args: {{ value: 'pwned from the plain window' }} }}));"
    ));
    assert_eq!(driven.execute("return location.href;"), json!(api_url));
    driven.switch_to_window(&main_handle);
    assert_eq!(
        driven.run("return await Millennium.window.WebviewWindow.getByLabel('plain').title();"),
        Ok(json!("Plain Window"))
    );

    // A grant without `enable-millennium-api`: only the raw channel, same gate.
    driven.execute(&format!("location.href = '{raw_url}';"));
    driven.wait_until(
        &format!("location.href === '{raw_url}' && document.readyState === 'complete'"),
        limit,
    );
    let raw = driven.run(
        "const ipc = window.__MILLENNIUM_IPC__;
         return { api: typeof window.Millennium, name: await ipc.invoke('app.getName'),
                  exit: await ipc.invoke('process.exit', { code: 0 }).then(() => 'exited', (e) => e.message) };",
    );
    assert_eq!(
        raw,
        Ok(json!({"api": "undefined", "name": "Remote",
            "exit": "allowlist.process.exit is not enabled in millennium.toml"}))
    );
}
