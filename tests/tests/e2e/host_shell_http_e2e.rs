//! End-to-end tests of `Millennium.shell` and `Millennium.http` in a real
//! WebKitGTK: scoped commands run (and others are refused before anything
//! starts), a spawned child streams its output and can be written to and
//! killed, `open` reaches the desktop opener only for URLs its pattern
//! allows, and HTTP goes to a server the test starts on 127.0.0.1 only for
//! URLs (and redirects) inside the scope; a server that hangs or sends
//! garbage is a clear error and the host keeps answering.
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{Driven, TempDir, gui_lock, read_request_head};
use serde_json::json;

fn app(port: u16) -> TempDir {
    let app = TempDir::new("host-shell-http-e2e-app");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Shell HTTP E2E"
identifier = "dev.millennium.shellhttpe2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Shell and HTTP"

[allowlist.shell]
execute = true
open = '^https://example\.com/.*$'
scope = [
  {{ name = "greet", cmd = "printf", args = ["%s-%s", "hello", {{ validator = '^[a-z]{{1,8}}$' }}] }},
  {{ name = "cat", cmd = "cat" }},
  {{ name = "fail", cmd = "sh", args = ["-c", "echo oops >&2; exit 3"] }},
]

[allowlist.http]
request = true
scope = ["http://127.0.0.1:{port}/allowed/**"]
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Shell</title></head><body>shell</body></html>"#,
    );
    app
}

/// A std-only HTTP server on 127.0.0.1 with the routes the test needs;
/// counts the requests that reach `/secret`.
struct Server {
    port: u16,
    secret_hits: Arc<AtomicUsize>,
}

fn serve() -> Server {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = listener.local_addr().unwrap().port();
    let secret_hits = Arc::new(AtomicUsize::new(0));
    let hits = secret_hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let hits = hits.clone();
            std::thread::spawn(move || answer(stream, port, &hits));
        }
    });
    Server { port, secret_hits }
}

fn answer(mut stream: std::net::TcpStream, port: u16, secret_hits: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let text = read_request_head(&mut stream).unwrap_or_else(|partial| partial);
    let target = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/");
    let respond = |stream: &mut std::net::TcpStream, status: &str, kind: &str, body: &[u8]| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nX-Test: one\r\nX-Test: two\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    };
    match path {
        "/allowed/data.json" => {
            let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
            let agent = text
                .lines()
                .find_map(|l| l.strip_prefix("x-from-page: "))
                .unwrap_or("")
                .to_owned();
            let body = json!({"hello": "world", "query": query, "header": agent}).to_string();
            respond(&mut stream, "200 OK", "application/json", body.as_bytes());
        }
        "/allowed/bytes" => {
            let body: Vec<u8> = (0..=255u8).collect();
            respond(&mut stream, "200 OK", "application/octet-stream", &body);
        }
        "/allowed/missing" => respond(&mut stream, "404 Not Found", "text/plain", b"nope"),
        "/allowed/hang" => std::thread::sleep(Duration::from_secs(20)),
        "/allowed/garbage" => {
            let _ = stream.write_all(b"this is not HTTP at all\r\n\r\n");
        }
        "/allowed/redirect-out" => {
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
        "/secret" => {
            secret_hits.fetch_add(1, Ordering::SeqCst);
            respond(&mut stream, "200 OK", "text/plain", b"secret");
        }
        _ => respond(&mut stream, "404 Not Found", "text/plain", b"unknown"),
    }
}

#[test]
fn host_shell_runs_scoped_commands_only_and_streams_children() {
    require_gui!();
    let _gui = gui_lock();
    // A stand-in desktop opener that records what it was asked to open.
    let bin = TempDir::new("host-shell-e2e-bin");
    let opened = bin.0.join("opened.txt");
    let opener = bin.write(
        "xdg-open",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.0.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let app = app(9);
    let driven = Driven::launch_with_env(&app.0, &[("PATH", path)]);

    // execute: fixed and validated arguments.
    let ok = driven.run(
        r#"const out = await new Millennium.shell.Command("greet", ["%s-%s", "hello", "world"]).execute();
           return out;"#,
    );
    assert_eq!(
        ok,
        Ok(json!({"code": 0, "signal": null, "stdout": "hello-world", "stderr": ""}))
    );
    let failing = driven.run(r#"return await new Millennium.shell.Command("fail", ["-c", "echo oops >&2; exit 3"]).execute();"#);
    assert_eq!(
        failing,
        Ok(json!({"code": 3, "signal": null, "stdout": "", "stderr": "oops\n"}))
    );
    for (call, expected) in [
        (
            r#"new Millennium.shell.Command("greet", ["%s-%s", "hello", "World; rm -rf /"])"#,
            "validator",
        ),
        (
            r#"new Millennium.shell.Command("greet", ["%s", "hello", "x"])"#,
            "args[0] must be",
        ),
        (r#"new Millennium.shell.Command("rm", ["-rf", "/"])"#, "rm"),
        (r#"new Millennium.shell.Command("/bin/sh")"#, "/bin/sh"),
    ] {
        let refused = driven.run(&format!("return await {call}.execute();"));
        assert!(
            refused.as_ref().is_err_and(|e| e.contains(expected)),
            "{call}: {refused:?}"
        );
    }
    let ld = driven.run(
        r#"return await new Millennium.shell.Command("cat", [], { env: { LD_PRELOAD: "/tmp/x.so" } }).execute();"#,
    );
    assert!(
        ld.as_ref().is_err_and(|e| e.contains("LD_PRELOAD")),
        "{ld:?}"
    );

    // spawn: stream, write to stdin, kill.
    let spawned = driven.run(
        r#"window.__lines = []; window.__closed = null;
           const command = new Millennium.shell.Command("cat");
           command.stdout.on("data", (line) => window.__lines.push(line));
           command.on("close", (status) => { window.__closed = status; });
           const child = await command.spawn();
           window.__child = child;
           await child.write("first line\nsecond ");
           await child.write("line\n");
           return typeof child.pid;"#,
    );
    assert_eq!(spawned, Ok(json!("number")));
    driven.wait_until("window.__lines.length === 2", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.__lines"),
        json!(["first line", "second line"])
    );
    assert_eq!(
        driven.run("await window.__child.kill(); return 1;"),
        Ok(json!(1))
    );
    driven.wait_until("window.__closed !== null", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.__closed"),
        json!({"code": null, "signal": 9})
    );
    let again = driven.run("return await window.__child.kill();");
    assert!(
        again.is_err(),
        "a finished child is not killable: {again:?}"
    );

    // open: only what the pattern allows reaches the opener.
    assert_eq!(
        driven.run(r#"return await Millennium.shell.open("https://example.com/docs");"#),
        Ok(json!(null))
    );
    for refused in [
        "https://evil.example/",
        "file:///etc/passwd",
        "https://example.com/ok\nhttps://evil.example/",
    ] {
        let result = driven.run(&format!(
            "return await Millennium.shell.open({});",
            json!(refused)
        ));
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("allowlist.shell")),
            "{refused:?}: {result:?}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !opened.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap_or_default(),
        "https://example.com/docs\n"
    );
}

#[test]
fn host_http_reaches_the_scope_only_and_survives_bad_servers() {
    require_gui!();
    let _gui = gui_lock();
    let server = serve();
    let port = server.port;
    let app = app(port);
    let driven = Driven::launch(&app.0);
    let base = format!("http://127.0.0.1:{port}");

    let json_response = driven.run(&format!(
        r#"const r = await Millennium.http.fetch("{base}/allowed/data.json",
              {{ query: {{ q: "a b&c" }}, headers: {{ "X-From-Page": "yes" }} }});
           return [r.status, r.ok, r.data, r.headers["content-type"], r.rawHeaders["x-test"]];"#
    ));
    assert_eq!(
        json_response,
        Ok(json!([
            200,
            true,
            {"hello": "world", "query": "q=a+b%26c", "header": "yes"},
            "application/json",
            ["one", "two"]
        ]))
    );
    let bytes = driven.run(&format!(
        r#"const client = await Millennium.http.getClient();
           const r = await client.get("{base}/allowed/bytes",
              {{ responseType: Millennium.http.ResponseType.Binary }});
           return [r.data instanceof Uint8Array, r.data.length, r.data[0], r.data[255]];"#
    ));
    assert_eq!(bytes, Ok(json!([true, 256, 0, 255])));
    let missing = driven.run(&format!(
        r#"const r = await Millennium.http.fetch("{base}/allowed/missing",
              {{ responseType: Millennium.http.ResponseType.Text }});
           return [r.status, r.ok, r.data];"#
    ));
    assert_eq!(missing, Ok(json!([404, false, "nope"])));

    // Refused before any byte leaves the host.
    for url in [
        format!("{base}/secret"),
        format!(
            "http://127.0.0.1:{}/allowed/data.json",
            port.wrapping_add(1)
        ),
        "https://example.com/allowed/x".to_owned(),
    ] {
        let refused = driven.run(&format!(
            "return await Millennium.http.fetch({});",
            json!(url)
        ));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("[allowlist.http] scope")),
            "{url}: {refused:?}"
        );
    }
    let redirected = driven.run(&format!(
        r#"return await Millennium.http.fetch("{base}/allowed/redirect-out");"#
    ));
    assert!(
        redirected
            .as_ref()
            .is_err_and(|e| e.contains("/secret") && e.contains("scope")),
        "{redirected:?}"
    );
    assert_eq!(server.secret_hits.load(Ordering::SeqCst), 0);

    // Bad servers: clear errors, and the host keeps answering.
    let started = Instant::now();
    let hang = driven.run(&format!(
        r#"return await Millennium.http.fetch("{base}/allowed/hang", {{ timeout: 1 }});"#
    ));
    assert!(
        hang.as_ref().is_err_and(|e| e.contains("timed out")),
        "{hang:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    let garbage = driven.run(&format!(
        r#"return await Millennium.http.fetch("{base}/allowed/garbage");"#
    ));
    assert!(garbage.is_err(), "{garbage:?}");
    let not_json = driven.run(&format!(
        r#"return await Millennium.http.fetch("{base}/allowed/missing");"#
    ));
    assert!(
        not_json.as_ref().is_err_and(|e| e.contains("not JSON")),
        "{not_json:?}"
    );
    let wrong = driven.run(r#"return await Millennium.http.fetch(42);"#);
    assert!(
        wrong.as_ref().is_err_and(|e| e.contains("http.request")),
        "{wrong:?}"
    );
    assert_eq!(
        driven.run("return await Millennium.app.getName()"),
        Ok(json!("Shell HTTP E2E"))
    );
}
