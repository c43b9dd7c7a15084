//! The probe app's page: its content and title, the APIs its allowlist
//! grants or denies, the CSP, a screenshot that is not blank, and both IPC
//! channels.

use super::*;

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
        remote,
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
    assert_eq!(remote.hit_count(), 0, "the remote server was contacted");
    // The external script of the app itself did run (the policy is not just "nothing").
    assert_eq!(
        driven.run("return typeof window.violations;"),
        Ok(json!("object"))
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
    let out = TempDir::new("host-e2e-shot");
    let (png, colours) = crate::support::until_painted(10, &out.0, || driven.screenshot());
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

/// Regression (security review): SVG and XML documents were served without
/// the CSP header, so a `<script>` inside one ran unchecked in the app's
/// origin, where the bridge lives.
#[test]
fn host_e2e_svg_and_xml_documents_get_the_csp_and_run_no_inline_script() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("host-e2e-documents");
    app.write(
        "millennium.toml",
        r#"
[app]
name = "Documents"
identifier = "dev.millennium.documentse2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Documents"

[security]
csp = "default-src 'self'; frame-ancestors 'self'"
"#,
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Documents</title></head>
<body><iframe id="svg" src="drawing.svg"></iframe></body></html>"#,
    );
    app.write(
        "dist/drawing.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>parent.svgRan = true;</script><rect width="10" height="10"/></svg>"#,
    );
    app.write(
        "dist/feed.xml",
        r#"<?xml version="1.0"?><feed><title>x</title></feed>"#,
    );
    let driven = Driven::launch(&app.0);
    let state = driven
        .run(
            "for (let i = 0; i < 60; i++) {
               const doc = document.getElementById('svg').contentDocument;
               if (doc && doc.documentElement && doc.documentElement.localName === 'svg') break;
               await new Promise(r => setTimeout(r, 50));
             }
             await new Promise(r => setTimeout(r, 300));
             const header = async (path) => (await fetch(path)).headers.get('content-security-policy');
             const doc = document.getElementById('svg').contentDocument;
             return { ran: window.svgRan === true,
                      loaded: doc && doc.documentElement ? doc.documentElement.localName : null,
                      svg: await header('drawing.svg'), xml: await header('feed.xml') };",
        )
        .expect("read state");
    assert_eq!(
        state["loaded"],
        json!("svg"),
        "the SVG document loaded: {state}"
    );
    assert_eq!(
        state["ran"],
        json!(false),
        "the SVG's inline script ran: {state}"
    );
    for document in ["svg", "xml"] {
        assert!(
            state[document]
                .as_str()
                .is_some_and(|csp| csp.contains("default-src 'self'")),
            "{document} has no CSP header: {state}"
        );
    }
}

/// The security review asked for WebKit's web-process sandbox where the
/// system supports it: this machine does (bubblewrap runs), so the page's
/// process runs inside `bwrap`.
#[test]
fn host_e2e_web_processes_run_in_the_bubblewrap_sandbox() {
    require_gui!();
    if let Err(why) = millennium_host::web_sandbox_available() {
        eprintln!("\n\n!!!! SKIPPED: {why} !!!!\n\n");
        return;
    }
    let ProbeRun {
        driven, _gui, _app, ..
    } = ProbeRun::start();
    assert_eq!(driven.execute("return 1 + 1;"), json!(2));
    let sandboxed = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| std::fs::read(entry.ok()?.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains("bwrap") && cmdline.contains("WebKitWebProcess"))
        .count();
    assert!(sandboxed > 0, "no WebKitWebProcess runs inside bwrap");
}

/// Regression: with the cache directory under /var/tmp, WebKit's sandbox
/// could not start its D-Bus proxy ("bwrap: Can't make symlink at
/// /var/tmp") and WebKit aborted the app before its first page. The host
/// now runs such pages without the sandbox, and says why.
#[test]
fn host_e2e_starts_when_the_cache_directory_is_under_var_tmp() {
    require_gui!();
    let _gui = gui_lock();
    let home = TempDir::new("host-var-tmp-home");
    let cache = std::path::PathBuf::from(format!(
        "/var/tmp/millennium-e2e-cache-{}",
        std::process::id()
    ));
    let startup = millennium_e2e::repo_root().join("tests/fixtures/bench/startup.toml");
    let log = home.0.join("stderr.log");
    // Its own display and session bus, like the drivers' (tests run without).
    use std::os::unix::process::CommandExt;
    let mut child = std::process::Command::new("dbus-run-session")
        .args(["--", "xvfb-run", "-a"])
        .arg(crate::support::host_binary())
        .arg(&startup)
        .process_group(0)
        .env("HOME", &home.0)
        .env("XDG_DATA_HOME", home.0.join("data"))
        .env("XDG_CONFIG_HOME", home.0.join("config"))
        .env("XDG_CACHE_HOME", &cache)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("stderr log"))
        .spawn()
        .expect("run millennium-host");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let group = format!("-{}", child.id());
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &group])
                .status();
            let _ = child.wait();
            panic!("the app did not exit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = std::fs::remove_dir_all(&cache);
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        stderr.contains("is under /var/tmp, where WebKit cannot start its sandbox"),
        "{stderr}"
    );
}
