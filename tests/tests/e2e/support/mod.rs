//! Helpers for the host end-to-end tests: find the binary, write an app,
//! run WebKitWebDriver under `dbus-run-session -- xvfb-run -a`, and speak the
//! WebDriver protocol over plain HTTP/1.1 on 127.0.0.1 (std only, so the
//! tests need no client crate). Every wait is bounded.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// GUI tests run one at a time: each starts an X server and a WebKit process
/// tree, and the CI box has two cores.
static GUI: Mutex<()> = Mutex::new(());

/// Serialises GUI tests.
pub fn gui_lock() -> MutexGuard<'static, ()> {
    GUI.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `target/<profile>/millennium-host`, next to this test's `deps/` directory.
pub fn host_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let binary = profile_dir.join("millennium-host");
    assert!(
        binary.is_file(),
        "{} is missing: build it first with `cargo build -p millennium-host` \
         (these tests run the real binary and build nothing themselves)",
        binary.display()
    );
    binary
}

/// The system programs the GUI tests need; `Err` names the missing ones.
pub fn gui_prerequisites() -> Result<(), String> {
    let needed = ["WebKitWebDriver", "xvfb-run", "dbus-run-session", "convert"];
    let missing: Vec<&str> = needed.into_iter().filter(|p| !on_path(p)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// Skips (with a loud message) when the system packages are missing.
#[macro_export]
macro_rules! require_gui {
    () => {
        if let Err(missing) = $crate::support::gui_prerequisites() {
            eprintln!(
                "\n\n!!!! SKIPPED: {} needs {} (Debian: xvfb dbus webkit2gtk-driver imagemagick) !!!!\n\n",
                module_path!(),
                missing
            );
            return;
        }
    };
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("millennium-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// Writes `contents` at `relative`, creating directories.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One HTTP/1.1 exchange; returns the status and the body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let split = find(&raw, b"\r\n\r\n").ok_or("no header end in the response")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body)?;
    }
    Ok((status, body))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size: {e}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or("short chunk")?);
        data = data.get(size + 2..).ok_or("short chunk")?;
    }
}

/// Standard base64 (screenshots), padding optional.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("bad base64 byte {c}")),
        } as u32)
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Ok(out)
}

/// WebKitWebDriver on 127.0.0.1:`port` under its own Xvfb and session bus,
/// with XDG directories inside `home` and `MILLENNIUM_AUTOMATION` set to
/// `automation` (unset when `None`). Output is discarded; callers may
/// redirect standard error before spawning.
pub fn driver_command(port: u16, home: &TempDir, automation: Option<&str>) -> Command {
    let mut command = Command::new("dbus-run-session");
    command
        .args([
            "--",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x1024x24",
            "WebKitWebDriver",
        ])
        .arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env_remove("MILLENNIUM_AUTOMATION")
        .env("XDG_DATA_HOME", home.0.join("data"))
        .env("XDG_CONFIG_HOME", home.0.join("config"))
        .env("XDG_CACHE_HOME", home.0.join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    if let Some(value) = automation {
        command.env("MILLENNIUM_AUTOMATION", value);
    }
    command
}

/// A running WebKitWebDriver (under its own Xvfb and session bus) with one
/// session driving the host on an app.
pub struct Driven {
    driver: Child,
    port: u16,
    session: String,
    _home: TempDir,
}

impl Driven {
    /// Starts the driver and a session running `millennium-host <app>`.
    pub fn launch(app: &Path) -> Driven {
        Driven::launch_with_env(app, &[])
    }

    /// The same, with extra environment variables for the driver and so
    /// for the app (which inherits the driver's environment).
    pub fn launch_with_env(app: &Path, env: &[(&str, String)]) -> Driven {
        let mut driven = Driven::start_driver_with(Some("1"), env);
        let capabilities = Driven::capabilities(app);
        driven.session = driven.create_session(&capabilities);
        driven.wait_for_bridge(Duration::from_secs(30));
        driven
    }

    /// Starts the driver and a session running a packaged app (an
    /// executable with its payload), with no arguments.
    pub fn launch_packaged(executable: &Path) -> Driven {
        let mut driven = Driven::start_driver(Some("1"));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": executable, "args": []}
        }}});
        driven.session = driven.create_session(&capabilities);
        driven.wait_for_bridge(Duration::from_secs(30));
        driven
    }

    /// Starts the driver with `MILLENNIUM_AUTOMATION` set to `automation`
    /// (unset when `None`) and asks once for a session on the app, waiting
    /// at most `limit`. `Err` holds WebDriver's refusal.
    pub fn try_launch(
        app: &Path,
        automation: Option<&str>,
        limit: Duration,
    ) -> Result<Driven, String> {
        let mut driven = Driven::start_driver(automation);
        let capabilities = Driven::capabilities(app);
        let (status, bytes) = http(driven.port, "POST", "/session", Some(&capabilities), limit)?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        match (status, value["value"]["sessionId"].as_str()) {
            (200, Some(id)) => {
                driven.session = id.to_owned();
                Ok(driven)
            }
            _ => Err(format!("{status}: {value}")),
        }
    }

    fn capabilities(app: &Path) -> Value {
        json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": host_binary(), "args": [app]}
        }}})
    }

    fn start_driver(automation: Option<&str>) -> Driven {
        Driven::start_driver_with(automation, &[])
    }

    fn start_driver_with(automation: Option<&str>, env: &[(&str, String)]) -> Driven {
        let home = TempDir::new("host-e2e-home");
        let port = free_port();
        let mut command = driver_command(port, &home, automation);
        command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        let driver = command.spawn().expect("spawn dbus-run-session");
        let driven = Driven {
            driver,
            port,
            session: String::new(),
            _home: home,
        };
        driven.wait_ready(Duration::from_secs(30));
        driven
    }

    fn wait_ready(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok((200, _)) = http(self.port, "GET", "/status", None, Duration::from_secs(2)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "WebKitWebDriver did not answer on 127.0.0.1:{} within {limit:?}",
            self.port
        );
    }

    /// Waits until the page finished loading and `window.Millennium` exists.
    fn wait_for_bridge(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            last = self.execute("return document.readyState + '|' + (typeof window.Millennium)");
            if last == "complete|object" {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page did not load with the bridge within {limit:?}: {last}");
    }

    /// Creates the session. Under Xvfb, GTK occasionally fails to open the
    /// display in a freshly started process (seen about 1 run in 30 for the
    /// bare wry baseline as well as for the host, with no Xvfb error): the
    /// program then dies before WebKitWebDriver can talk to it. Such a
    /// failure says nothing about the app, so session creation is retried
    /// twice; any other failure, or a third one, fails the test.
    fn create_session(&self, capabilities: &Value) -> String {
        let mut last = String::new();
        for _ in 0..3 {
            let (status, bytes) = http(
                self.port,
                "POST",
                "/session",
                Some(capabilities),
                Duration::from_secs(60),
            )
            .unwrap_or_else(|e| panic!("POST /session: {e}"));
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if let (200, Some(id)) = (status, value["value"]["sessionId"].as_str()) {
                return id.to_owned();
            }
            last = format!("{status}: {value}");
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("WebKitWebDriver could not start the app three times; last answer {last}");
    }

    /// A WebDriver command; returns `value`, panics on a WebDriver error.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, bytes) = http(self.port, method, path, body, Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("{method} {path}: {e}: {}", String::from_utf8_lossy(&bytes))
        });
        assert_eq!(status, 200, "{method} {path}: {value}");
        value["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Runs synchronous JS in the current page.
    pub fn execute(&self, script: &str) -> Value {
        let body = json!({"script": script, "args": []});
        self.call("POST", &self.session_path("/execute/sync"), Some(&body))
    }

    /// Runs an async JS function body (it may `await`); returns `Ok(value)`
    /// or `Err(message)` of a thrown error or rejected promise.
    pub fn run(&self, body: &str) -> Result<Value, String> {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n\
             (async () => {{ {body} }})().then(\n\
               (v) => done({{ ok: v === undefined ? null : v }}),\n\
               (e) => done({{ err: String(e && e.message || e) }}));"
        );
        let body = json!({"script": script, "args": []});
        let value = self.call("POST", &self.session_path("/execute/async"), Some(&body));
        match value.get("err") {
            Some(err) => Err(err.as_str().unwrap_or_default().to_owned()),
            None => Ok(value["ok"].clone()),
        }
    }

    /// The document title.
    pub fn title(&self) -> String {
        self.call("GET", &self.session_path("/title"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A PNG of the current page.
    pub fn screenshot(&self) -> Vec<u8> {
        let value = self.call("GET", &self.session_path("/screenshot"), None);
        base64_decode(value.as_str().expect("base64 screenshot")).expect("valid base64")
    }
}

impl Driven {
    /// `DISPLAY` and `XAUTHORITY` of this driver's Xvfb, read from the
    /// environment of a process of the driver's process group.
    pub fn x_env(&self) -> Vec<(String, String)> {
        let group = self.driver.id().to_string();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let dir = entry.path();
            let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
                continue;
            };
            // pid (comm) state ppid pgrp ...: comm may hold spaces; skip past ')'.
            let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
                continue;
            };
            if after.split_whitespace().nth(2) != Some(group.as_str()) {
                continue;
            }
            let Ok(environ) = std::fs::read(dir.join("environ")) else {
                continue;
            };
            let vars: Vec<(String, String)> = environ
                .split(|b| *b == 0)
                .filter_map(|kv| std::str::from_utf8(kv).ok())
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| *k == "DISPLAY" || *k == "XAUTHORITY")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            if vars.iter().any(|(k, _)| k == "DISPLAY") {
                return vars;
            }
        }
        panic!("no process of the driver's group has a DISPLAY");
    }

    /// Runs `xdotool` on this driver's display, for at most 15 s.
    pub fn xdotool(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("timeout")
            .arg("15")
            .arg("xdotool")
            .args(args)
            .envs(self.x_env())
            .output()
            .map_err(|e| format!("cannot run xdotool: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(format!(
                "xdotool {args:?}: {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Waits for a top-level window titled exactly `title` (a native
    /// dialog, say), gives it the keyboard focus, and returns its id.
    pub fn focus_window_titled(&self, title: &str) -> String {
        let pattern = format!("^{}$", title.replace('.', "\\."));
        let found = self
            .xdotool(&["search", "--sync", "--onlyvisible", "--name", &pattern])
            .unwrap_or_else(|e| panic!("no window titled {title:?} appeared: {e}"));
        let id = found.lines().last().unwrap_or_default().to_owned();
        self.xdotool(&["windowfocus", "--sync", &id])
            .unwrap_or_else(|e| panic!("cannot focus {title:?}: {e}"));
        id
    }

    /// Types keys into the focused window: `keys` are xdotool key names
    /// (`ctrl+l`, `Return`, `Escape`).
    pub fn press(&self, keys: &[&str]) {
        let mut args = vec!["key", "--clearmodifiers", "--delay", "50"];
        args.extend_from_slice(keys);
        self.xdotool(&args).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Whether a visible top-level window titled exactly `title` exists.
    pub fn window_titled_exists(&self, title: &str) -> bool {
        let pattern = format!("^{}$", title.replace('.', "\\."));
        self.xdotool(&["search", "--onlyvisible", "--name", &pattern])
            .is_ok_and(|found| !found.is_empty())
    }

    /// Answers a GTK file chooser titled `title` by typing `path` into its
    /// location bar and pressing Enter. GTK handles typed keys at its own
    /// pace (and its completion may swallow an early Enter), so Enter is
    /// pressed again while the dialog is still there. An empty `path` only
    /// presses Enter (accepting the folder the dialog shows).
    pub fn answer_file_dialog(&self, title: &str, path: &str, location_bar: bool) {
        let id = self.focus_window_titled(title);
        if !path.is_empty() {
            if location_bar {
                self.press(&["ctrl+l"]);
            } else {
                self.press(&["ctrl+a"]);
            }
            self.type_text(path);
        }
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(700));
            if !self.window_titled_exists(title) {
                return;
            }
            let _ = self.xdotool(&["windowfocus", "--sync", &id]);
            self.press(&["Return"]);
        }
        let shot = std::env::temp_dir().join("millennium-stuck-dialog.png");
        let _ = std::fs::write(&shot, self.screen_png());
        panic!(
            "the dialog {title:?} did not close after Enter (screen: {})",
            shot.display()
        );
    }

    /// Types text into the focused window.
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--clearmodifiers", "--delay", "5", text])
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// A PNG of the whole X screen, native dialogs included (ImageMagick).
    pub fn screen_png(&self) -> Vec<u8> {
        let output = Command::new("timeout")
            .args(["20", "import", "-window", "root", "png:-"])
            .envs(self.x_env())
            .output()
            .expect("run import");
        assert!(
            output.status.success(),
            "import: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &self.session_path(""),
                None,
                Duration::from_secs(10),
            );
        }
        // The driver was started in its own process group: end that group
        // (driver, Xvfb, bus and the app), then reap our child.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.driver.id())])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.wait();
    }
}

/// How many distinct colours a PNG has (ImageMagick's `%k`).
pub fn distinct_colours(png: &[u8], dir: &Path) -> u64 {
    let file = dir.join("screenshot.png");
    std::fs::write(&file, png).expect("write screenshot");
    let output = Command::new("convert")
        .arg(&file)
        .args(["-format", "%k", "info:"])
        .output()
        .expect("run convert");
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().unwrap_or_else(|_| {
        panic!(
            "convert printed {text:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

impl Driven {
    /// Like [`Driven::execute`], but a WebDriver error (the page is between
    /// two documents, say) is returned instead of failing the test.
    pub fn try_execute(&self, script: &str) -> Result<Value, String> {
        let body = json!({"script": script, "args": []});
        let path = self.session_path("/execute/sync");
        let (status, bytes) = http(
            self.port,
            "POST",
            &path,
            Some(&body),
            Duration::from_secs(60),
        )?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if status == 200 {
            Ok(value["value"].clone())
        } else {
            Err(format!("{status}: {value}"))
        }
    }

    /// The WebDriver handles of the app's windows.
    pub fn window_handles(&self) -> Vec<String> {
        let value = self.call("GET", &self.session_path("/window/handles"), None);
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Makes the window with `handle` the one scripts run in.
    pub fn switch_to_window(&self, handle: &str) {
        let body = json!({"handle": handle});
        self.call("POST", &self.session_path("/window"), Some(&body));
    }

    /// Polls `expression` (synchronous JS) until it is `true`; panics with the
    /// last answer after `limit`.
    pub fn wait_until(&self, expression: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = Err(String::new());
        while Instant::now() < deadline {
            last = self.try_execute(&format!("return !!({expression});"));
            if last == Ok(Value::Bool(true)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{expression}` did not become true within {limit:?}: {last:?}");
    }
}

/// Largest request head the test servers read.
pub const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// Reads an HTTP request head from `stream`, up to the blank line (or
/// [`MAX_REQUEST_HEAD`] bytes), as text. `Err` holds what was read when the
/// client closed the connection or a read failed first.
pub fn read_request_head(stream: &mut TcpStream) -> Result<String, String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while find(&head, b"\r\n\r\n").is_none() && head.len() < MAX_REQUEST_HEAD {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return Err(String::from_utf8_lossy(&head).into_owned()),
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// A std-only HTTP server on 127.0.0.1: another origin for the tests. It
/// serves fixed HTML pages by path (404 otherwise) and counts requests.
pub struct PageServer {
    /// Its port.
    pub port: u16,
    /// Requests received so far.
    pub hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl PageServer {
    /// Starts serving `pages` (path, HTML) on a fresh port, until the test
    /// process ends.
    pub fn start(pages: Vec<(String, String)>) -> PageServer {
        PageServer::start_on(Ipv4Addr::LOCALHOST, pages)
    }

    /// The same on another loopback address (`127.0.0.2` is a second origin).
    pub fn start_on(ip: Ipv4Addr, pages: Vec<(String, String)>) -> PageServer {
        assert!(ip.is_loopback(), "tests serve on loopback only");
        let listener = TcpListener::bind((ip, 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
                let text = read_request_head(&mut stream).unwrap_or_else(|partial| partial);
                let target = text.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("/");
                let (status, body) = match pages.iter().find(|(p, _)| p == path) {
                    Some((_, html)) => ("200 OK", html.as_str()),
                    None => ("404 Not Found", "not found"),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        PageServer { port, hits }
    }

    /// Requests received so far.
    pub fn hit_count(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Driven {
    /// The session bus the app runs on (`dbus-run-session` made it): read
    /// from the environment of a process in the driver's process group.
    pub fn session_bus_address(&self) -> Option<String> {
        let group = self.driver.id().to_string();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let dir = entry.path();
            let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
                continue;
            };
            // Fields after the parenthesised command: state, ppid, pgrp.
            let pgrp = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2));
            if pgrp != Some(group.as_str()) {
                continue;
            }
            let Ok(environ) = std::fs::read(dir.join("environ")) else {
                continue;
            };
            let found = environ
                .split(|b| *b == 0)
                .find_map(|var| var.strip_prefix(b"DBUS_SESSION_BUS_ADDRESS="))
                .map(|v| String::from_utf8_lossy(v).into_owned());
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// Packages `app` with `millennium build` (the debug host as the base)
/// into `out`, and returns the executable.
pub fn build_packaged(app: &Path, out: &Path) -> PathBuf {
    let host = millennium_e2e::bin("millennium-host");
    let output = Command::new(millennium_e2e::bin("millennium"))
        .arg("build")
        .arg(app)
        .arg("-o")
        .arg(out)
        .arg("--host")
        .arg(&host)
        .output()
        .expect("run millennium build");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut built: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("the output directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_none() && p.is_file())
        .collect();
    assert_eq!(
        built.len(),
        1,
        "one executable expected in {}",
        out.display()
    );
    built.pop().expect("one executable")
}

/// A copy of the debug `millennium-host` without its debug information
/// (`strip --strip-debug`): about 24 MB instead of 300, so that tests which
/// package, serve and download many executables stay fast. Made once per
/// test binary at `target/<profile>/updater-e2e/millennium-host-stripped`
/// (written beside, then renamed into place).
pub fn small_host() -> PathBuf {
    static HOST: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let debug = millennium_e2e::bin("millennium-host");
        let dir = millennium_e2e::target_dir().join("updater-e2e");
        std::fs::create_dir_all(&dir).expect("create target/<profile>/updater-e2e");
        let partial = dir.join(format!(".millennium-host-stripped.{}", std::process::id()));
        let output = Command::new("strip")
            .arg("--strip-debug")
            .arg("-o")
            .arg(&partial)
            .arg(&debug)
            .output()
            .expect("run strip (binutils)");
        assert!(
            output.status.success(),
            "strip --strip-debug {}: {}",
            debug.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let small = dir.join("millennium-host-stripped");
        std::fs::rename(&partial, &small).expect("rename the stripped host into place");
        small
    })
    .clone()
}

/// The processes whose executable (`/proc/<pid>/exe`) is exactly
/// `executable` (a replaced or deleted file shows as `... (deleted)` and
/// does not match).
pub fn processes_running(executable: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == executable)
            && process_alive(pid)
        {
            pids.push(pid);
        }
    }
    pids
}

/// Whether `pid` exists and is not a zombie.
pub fn process_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, None | Some("Z" | "X"))
}

/// Sends SIGKILL to `pid` (a process the test started, directly or not).
pub fn kill_process(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
