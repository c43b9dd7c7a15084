//! End-to-end tests of `millennium-host` in a real WebKitGTK, driven over
//! WebDriver (WebKitWebDriver) under `dbus-run-session -- xvfb-run -a`.
//!
//! They run the already-built binary (`cargo build -p millennium-host`) and
//! skip loudly only when the system packages are missing. This module holds
//! the probe app most of them drive; the tests are grouped by topic below.

mod origins;
mod page;
mod windows;

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::http_server::{HttpServer, page_server, reply, respond};
use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

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
other-windows = true

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
    remote: HttpServer,
    _app: TempDir,
    _gui: std::sync::MutexGuard<'static, ()>,
}

impl ProbeRun {
    fn start() -> ProbeRun {
        let gui = gui_lock();
        let remote = counting_server();
        let port = remote.port;
        let app = probe_app(port);
        let driven = Driven::launch(&app.0);
        ProbeRun {
            driven,
            port,
            remote,
            _app: app,
            _gui: gui,
        }
    }
}

fn counting_server() -> HttpServer {
    HttpServer::start(|request| {
        respond(
            request,
            reply(200, "text/javascript", "window.remoteRan = true;"),
        );
    })
}
