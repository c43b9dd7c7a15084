//! End-to-end tests of `millennium dev` in a real WebKitGTK, driven over
//! WebDriver (WebKitWebDriver launches `millennium dev APP`) under
//! `dbus-run-session -- xvfb-run -a`: live reload of the frontend, a broken
//! toml that leaves the app running, a fixed toml that applies, and a
//! `dev-url` proxied under the app origin.
//!
//! They run the already-built binary (`cargo build -p millennium-packager
//! --bin millennium`); every wait is bounded; only 127.0.0.1 is used.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::http_server::{HttpServer, reply, respond};
use crate::support::webdriver::{DriverProcess, Session, capabilities};
use crate::support::{TempDir, driver_command, free_port, gui_lock};
use serde_json::{Value, json};

/// WebKitWebDriver running `millennium dev <app>`, with everything the
/// process tree prints (standard output and error) kept in a file. Fields
/// drop in order: the session goes before the driver's process group.
pub(crate) struct DevSession {
    session: Session,
    _driver: DriverProcess,
    stderr_file: PathBuf,
    _home: TempDir,
}

impl DevSession {
    fn launch(app: &Path) -> DevSession {
        let dev = DevSession::start(app, Duration::from_secs(60));
        dev.wait_for(
            "the first page with the bridge",
            Duration::from_secs(30),
            "return document.readyState + '|' + (typeof window.Millennium)",
            &json!("complete|object"),
        );
        dev
    }

    /// Starts the session, allowing `session_limit` for the app to open
    /// (a `before-dev-command` may start a dev server first); waits for no
    /// page.
    pub(crate) fn start(app: &Path, session_limit: Duration) -> DevSession {
        let home = TempDir::new("dev-e2e-home");
        let stderr_file = home.0.join("stderr.log");
        let stderr = || std::fs::read_to_string(&stderr_file).unwrap_or_default();
        let port = free_port();
        let mut command = driver_command(port, &home, Some("1"));
        let file = File::create(&stderr_file).expect("stderr file");
        command
            .env("NO_COLOR", "1")
            .stdout(file.try_clone().expect("stderr file"))
            .stderr(file);
        let driver = DriverProcess::spawn(command, port, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}: {}", stderr()));
        let capabilities = capabilities(
            &millennium_e2e::bin("millennium"),
            &["dev".as_ref(), app.as_os_str()],
        );
        let session = Session::create(port, &capabilities, session_limit, Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{e}\n{}", stderr()));
        DevSession {
            session,
            _driver: driver,
            stderr_file,
            _home: home,
        }
    }

    pub(crate) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// Synchronous JS; `Err` for WebDriver errors, so polls can ride out a
    /// window being replaced.
    pub(crate) fn execute(&self, script: &str) -> Result<Value, String> {
        self.session.try_execute(script)
    }

    /// Runs an async function body; the value it returns, or the error.
    fn run(&self, body: &str) -> Result<Value, String> {
        self.session.try_run(body).and_then(|outcome| outcome)
    }

    /// Polls `script` until it returns `expected`.
    pub(crate) fn wait_for(&self, what: &str, limit: Duration, script: &str, expected: &Value) {
        let deadline = Instant::now() + limit;
        let mut last = Err(String::new());
        while Instant::now() < deadline {
            last = self.execute(script);
            if last.as_ref() == Ok(expected) {
                return;
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        panic!(
            "{what}: not there within {limit:?}; last: {last:?}\n--- stderr\n{}",
            self.stderr()
        );
    }

    /// Polls until standard error contains every one of `needles` after
    /// byte `from`; returns the new text.
    fn wait_stderr(&self, from: usize, needles: &[&str], limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let all = self.stderr();
            let new = all.get(from..).unwrap_or("").to_owned();
            if needles.iter().all(|n| new.contains(n)) {
                return new;
            }
            assert!(
                Instant::now() < deadline,
                "stderr did not show {needles:?} within {limit:?}:\n{new}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// After a restart the old webview is gone: switch to whichever window
    /// answers `script` with `expected`.
    fn switch_to_window_where(&self, limit: Duration, script: &str, expected: &Value) {
        let deadline = Instant::now() + limit;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            for handle in self.session.window_handles().unwrap_or_default() {
                if self.session.switch_to_window(&handle).is_err() {
                    continue;
                }
                let got = self.execute(script);
                if got.as_ref() == Ok(expected) {
                    return;
                }
                seen.push(format!("{handle}: {got:?}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "no window answered {expected} within {limit:?}; seen: {seen:?}\n--- stderr\n{}",
            self.stderr()
        );
    }
}

fn toml(name: &str, title: &str, extra_app: &str) -> String {
    format!(
        r##"[app]
name = "{name}"
identifier = "dev.millennium.deve2e"
version = "0.1.0"
frontend = "dist"
{extra_app}

[[windows]]
label = "main"
title = "{title}"
width = 480
height = 320
"##
    )
}

/// Replaces `path` the way many editors save: write a temporary file
/// beside it, then rename it over the original.
fn save_via_rename(path: &Path, contents: &str) {
    let temp = path.with_extension("tmp-save");
    std::fs::write(&temp, contents).expect("write temp");
    std::fs::rename(&temp, path).expect("rename over");
}

#[test]
fn dev_e2e_live_reload_broken_and_fixed_toml() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("dev-e2e-app");
    let toml_path = app.write("millennium.toml", &toml("Dev One", "Dev Window One", ""));
    let index = app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>one</title></head>
<body><h1 id="v">version one</h1></body></html>"#,
    );
    let dev = DevSession::launch(&app.0);
    dev.wait_stderr(0, &["millennium dev: watching"], Duration::from_secs(10));
    let text = "return document.getElementById('v') && document.getElementById('v').textContent";
    assert_eq!(dev.execute(text), Ok(json!("version one")));

    // A frontend edit (saved through a rename) reloads the page in place.
    save_via_rename(
        &index,
        r#"<!doctype html><html><head><meta charset="utf-8"><title>two</title></head>
<body><h1 id="v">version two</h1></body></html>"#,
    );
    dev.wait_for(
        "the edited index.html",
        Duration::from_secs(15),
        text,
        &json!("version two"),
    );
    assert_eq!(
        dev.run("return await Millennium.app.getName();"),
        Ok(json!("Dev One"))
    );

    // A broken toml: the diagnostics of `millennium check`, and the app as it was.
    let mark = dev.stderr().len();
    std::fs::write(
        &toml_path,
        toml("Dev One", "Dev Window One", "").replace("width = 480", "widht = 480"),
    )
    .expect("write broken toml");
    let shown = dev.wait_stderr(
        mark,
        &[
            "unknown key `widht`",
            "millennium.toml:",
            "keeping the running app",
        ],
        Duration::from_secs(15),
    );
    assert!(shown.contains("did you mean `width`?"), "{shown}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(dev.execute(text), Ok(json!("version two")), "still running");
    assert_eq!(
        dev.run("return await Millennium.app.getName();"),
        Ok(json!("Dev One")),
        "the old config still applies"
    );

    // Fixed (and changed): it applies without restarting `millennium dev`.
    let mark = dev.stderr().len();
    save_via_rename(&toml_path, &toml("Dev Two", "Dev Window Two", ""));
    dev.wait_stderr(
        mark,
        &["is valid; restarting Dev Two"],
        Duration::from_secs(15),
    );
    dev.switch_to_window_where(
        Duration::from_secs(30),
        "return typeof window.Millennium === 'object' && document.readyState === 'complete'",
        &json!(true),
    );
    assert_eq!(
        dev.run(
            "const w = Millennium.window.getCurrent();
             return [await Millennium.app.getName(), await w.title()];"
        ),
        Ok(json!(["Dev Two", "Dev Window Two"]))
    );
    assert_eq!(dev.execute(text), Ok(json!("version two")));

    // A clean rebuild deletes the frontend directory and writes it again:
    // the lost watch is replaced and the page follows.
    let dist = app.0.join("dist");
    std::fs::remove_dir_all(&dist).expect("remove dist");
    std::thread::sleep(Duration::from_millis(300));
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>three</title></head>
<body><h1 id="v">version three</h1></body></html>"#,
    );
    dev.wait_for(
        "index.html in a recreated dist/",
        Duration::from_secs(15),
        text,
        &json!("version three"),
    );
    let log = dev.stderr();
    assert!(!log.contains("panicked"), "{log}");
}

/// A tiny dev server: an HTML page, its script, and `/ping`, counted.
fn dev_server() -> (HttpServer, Arc<AtomicUsize>) {
    let pings = Arc::new(AtomicUsize::new(0));
    let counter = pings.clone();
    let server = HttpServer::start(move |request| {
        let (status, content_type, body) = match request.url() {
            "/index.html" => (
                200,
                "text/html",
                r#"<!doctype html><html><head><meta charset="utf-8"><title>vite-ish</title>
<script type="module" src="/src/main.js?import"></script></head>
<body><h1 id="v">served by the dev server</h1></body></html>"#,
            ),
            "/src/main.js?import" => (
                200,
                "text/javascript",
                "document.documentElement.dataset.module = 'ran';",
            ),
            "/ping" => {
                counter.fetch_add(1, Ordering::SeqCst);
                (200, "text/plain", "pong")
            }
            _ => (404, "text/plain", "not here"),
        };
        respond(request, reply(status, content_type, body));
    });
    (server, pings)
}

#[test]
fn dev_e2e_dev_url_is_served_under_the_app_origin() {
    require_gui!();
    let _gui = gui_lock();
    let (server, pings) = dev_server();
    let port = server.port;
    let app = TempDir::new("dev-e2e-devurl");
    app.write(
        "millennium.toml",
        &toml(
            "Dev Url",
            "Dev Url Window",
            &format!("dev-url = \"http://127.0.0.1:{port}\""),
        ),
    );
    app.write("dist/index.html", "<h1 id=\"v\">from disk</h1>");
    let dev = DevSession::launch(&app.0);
    dev.wait_for(
        "the module script from the dev server",
        Duration::from_secs(15),
        "return document.documentElement.dataset.module || null",
        &json!("ran"),
    );
    assert_eq!(
        dev.execute(
            "return [location.origin, document.getElementById('v').textContent, typeof window.Millennium]"
        ),
        Ok(json!([
            "millennium://localhost",
            "served by the dev server",
            "object"
        ]))
    );
    assert_eq!(
        dev.run("return await Millennium.app.getName();"),
        Ok(json!("Dev Url"))
    );
    // connect-src lets the page reach the dev server (HMR needs it).
    let fetched = dev.run(&format!(
        "await fetch('http://127.0.0.1:{port}/ping', {{ mode: 'no-cors' }}); return true;"
    ));
    assert_eq!(fetched, Ok(json!(true)));
    assert_eq!(pings.load(Ordering::SeqCst), 1);
    // ...and nothing else.
    let other = free_port();
    let blocked = dev.run(&format!(
        "await fetch('http://127.0.0.1:{other}/x', {{ mode: 'no-cors' }}); return true;"
    ));
    assert!(blocked.is_err(), "{blocked:?}");
}
