//! Other origins: no API in a remote frame or after navigating away, no
//! automation unless asked for, and the least-privilege grant of
//! `dangerous-remote-domain-ipc-access`.

use super::*;

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
    let remote = page_server(
        Ipv4Addr::LOCALHOST,
        vec![
            ("/frame.html".to_owned(), REMOTE_FRAME.to_owned()),
            ("/page.html".to_owned(), REMOTE_PAGE.to_owned()),
        ],
    );
    let elsewhere = page_server(
        Ipv4Addr::LOCALHOST,
        vec![("/evil.html".to_owned(), REMOTE_PAGE.to_owned())],
    );
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
    let remote = counting_server();
    let app = probe_app(remote.port);
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

const GRANTED_PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Granted</title></head><body>granted</body></html>"#;

/// `[security] dangerous-remote-domain-ipc-access`, least privilege: the
/// granted domain gets IPC in the listed window only, through the same
/// allowlist, with the full API or only the raw channel as configured.
#[test]
fn host_e2e_remote_domain_ipc_access_is_least_privilege() {
    require_gui!();
    let _gui = gui_lock();
    let pages = || vec![("/granted.html".to_owned(), GRANTED_PAGE.to_owned())];
    let with_api = page_server(Ipv4Addr::LOCALHOST, pages());
    let raw_only = page_server(Ipv4Addr::new(127, 0, 0, 2), pages());
    // Another server on the granted host, another port: not covered.
    let other_port = page_server(Ipv4Addr::LOCALHOST, pages());
    let api_url = format!("http://127.0.0.1:{}/granted.html", with_api.port);
    let raw_url = format!("http://127.0.0.2:{}/granted.html", raw_only.port);
    let other_url = format!("http://127.0.0.1:{}/granted.html", other_port.port);
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

[[windows]]
label = "app"
title = "App Window"

[security]
allowed-navigation = ["http://127.0.0.2:{raw_port}/**", "http://127.0.0.1:{other_port}/**"]

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.1:{api_port}"
windows = ["main"]
enable-millennium-api = true
events = ["shared"]

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.2:{raw_port}"
windows = ["main"]

[allowlist.window]
set-title = true
"#,
            raw_port = raw_only.port,
            api_port = with_api.port,
            other_port = other_port.port,
        ),
    );
    app.write(
        "dist/index.html",
        "<!doctype html><title>App Window</title>",
    );
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
    assert_eq!(handles.len(), 3, "{handles:?}");
    let (mut main_handle, mut plain, mut app_handle) = (None, None, None);
    for handle in &handles {
        driven.switch_to_window(handle);
        driven.wait_until("document.readyState === 'complete'", limit);
        if driven.execute("return location.protocol;") == json!("millennium:") {
            app_handle = Some(handle.clone());
            continue;
        }
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
    let (main_handle, plain, app_handle) = (
        main_handle.expect("the granted window"),
        plain.expect("the unlisted window"),
        app_handle.expect("the app's own window"),
    );
    driven.switch_to_window(&plain);
    driven.execute(&format!(
        "window.ipc.postMessage(JSON.stringify({{ id: 1, key: {key:?}, cmd: 'window.setTitle',
           args: {{ value: 'pwned from the plain window' }} }}));"
    ));
    assert_eq!(driven.execute("return location.href;"), json!(api_url));
    std::thread::sleep(Duration::from_millis(500));
    assert!(driven.window_titled_exists("Plain Window"));
    assert!(!driven.window_titled_exists("pwned from the plain window"));
    driven.switch_to_window(&main_handle);

    // Regression (security review): a granted remote page could act on
    // other windows and emit into the app's pages of every window, and the
    // app's events reached it. Now: its own window only, and only the events
    // its grant lists, both ways.
    let crossing = driven.run(
        "window.__heard = [];
         await Millennium.event.listen('app-news', (e) => window.__heard.push('app-news'));
         await Millennium.event.listen('shared', (e) => window.__heard.push('shared'));
         const error = (p) => p.then(() => 'done', (e) => e.message);
         return {
           other: await error(Millennium.window.WebviewWindow.getByLabel('plain').title()),
           emitUnlisted: await error(Millennium.event.emit('app-news', 1)),
           emitElsewhere: await error(Millennium.window.WebviewWindow.getByLabel('app').emit('shared', 1)),
           emitListed: await error(Millennium.event.emit('shared', 1)),
         };",
    );
    assert_eq!(
        crossing,
        Ok(json!({
            "other": "a remote page acts only on its own window, not on `plain`",
            "emitUnlisted": "a remote page may emit only the events its grant lists in `events`; `app-news` is not one",
            "emitElsewhere": "a remote page acts only on its own window, not on `app`",
            "emitListed": "done",
        }))
    );
    driven.wait_until("window.__heard.length === 1", limit);
    driven.switch_to_window(&app_handle);
    driven.execute(
        "window.__fromRemote = [];
         Millennium.event.listen('shared', () => window.__fromRemote.push('shared'));
         Millennium.event.emit('app-news', 2).then(() => Millennium.event.emit('shared', 3));",
    );
    driven.switch_to_window(&main_handle);
    driven.wait_until("window.__heard.length === 2", limit);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        driven.execute("return window.__heard;"),
        json!(["shared", "shared"]),
        "only the listed event reached the remote page"
    );
    driven.switch_to_window(&app_handle);
    assert_eq!(
        driven.execute("return window.__fromRemote;"),
        json!(["shared"]),
        "the app page heard its own `shared`, not the remote page's"
    );
    driven.switch_to_window(&main_handle);

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

    // Regression (security review): grants matched the host, not the port,
    // so any server on the granted host (another user's, another app's) got
    // the grant's key and IPC.
    driven.execute(&format!("location.href = '{other_url}';"));
    driven.wait_until(
        &format!("location.href === '{other_url}' && document.readyState === 'complete'"),
        limit,
    );
    assert_eq!(
        driven.execute("return [typeof window.Millennium, typeof window.__MILLENNIUM_IPC__];"),
        json!(["undefined", "undefined"])
    );
}

/// Regression (security review): `*` in `allowed-navigation` crossed `/`
/// (and `?`, `@`, `.`), and `window.create` opened any http(s) URL. Now one
/// URL-glob matcher decides both, on the parsed URL's parts.
#[test]
fn host_e2e_navigation_globs_and_created_windows_follow_one_url_rule() {
    require_gui!();
    let _gui = gui_lock();
    let page = |title: &str| format!("<!doctype html><title>{title}</title><body>{title}</body>");
    let server = page_server(
        Ipv4Addr::LOCALHOST,
        vec![
            ("/docs.html".to_owned(), page("Docs")),
            ("/docs/evil.html".to_owned(), page("Evil")),
        ],
    );
    let elsewhere = page_server(Ipv4Addr::LOCALHOST, vec![("/x.html".to_owned(), page("X"))]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let app = TempDir::new("host-e2e-url-rule");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "URL rule"
identifier = "dev.millennium.urlrule"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "URL rule"

[security]
allowed-navigation = ["{base}/docs*"]

[allowlist.window]
create = true
"#
        ),
    );
    app.write(
        "dist/index.html",
        "<!doctype html><title>URL rule</title><body>app</body>",
    );
    let driven = Driven::launch(&app.0);
    let create = |label: &str, url: &str| {
        driven.run(&format!(
            "await new Promise((resolve, reject) => {{
               const w = new Millennium.window.WebviewWindow({label:?}, {{ url: {url:?}, title: {label:?} }});
               w.once('millennium://created', () => resolve(null));
               w.once('millennium://error', (e) => reject(new Error(e.payload)));
             }});
             return 'created';"
        ))
    };
    let elsewhere_url = format!("http://127.0.0.1:{}/x.html", elsewhere.port);
    let refused = create("other", &elsewhere_url);
    assert_eq!(
        refused,
        Err(format!(
            "window url `{elsewhere_url}` is not in [security] allowed-navigation"
        ))
    );
    assert_eq!(
        create("docs", &format!("{base}/docs.html")),
        Ok(json!("created"))
    );
    assert_eq!(elsewhere.hit_count(), 0, "the refused URL was never loaded");

    // `docs*` is one path segment: `/docs/evil.html` is not under it.
    driven.execute(&format!(
        "window.stayed = true; location.href = '{base}/docs/evil.html';"
    ));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        driven.execute("return [location.href, window.stayed === true];"),
        json!(["millennium://localhost/index.html", true])
    );
    driven.execute(&format!("location.href = '{base}/docs.html';"));
    driven.wait_until(
        &format!("location.href === '{base}/docs.html' && document.readyState === 'complete'"),
        Duration::from_secs(15),
    );
}
