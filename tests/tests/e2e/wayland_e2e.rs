//! The host under Wayland, with no X display to fall back to: a headless
//! weston (its pixman renderer, so it composites into memory), and
//! WebKitWebDriver starting the app there with `GDK_BACKEND=wayland` and no
//! `DISPLAY`. What the compositor shows is weston's own screenshot
//! (`weston-screenshooter`, which weston 10 lets any client use once it was
//! started with `--debug`), not a picture of the page.
//!
//! Notes, the flagship, is driven through its bridge, its Python sidecar and
//! the keyboard; weston's screenshot of it is kept at
//! `target/<profile>/screenshots/wayland-notes.png`. A small app shows what
//! Wayland refuses (global shortcuts; the clipboard without XWayland), what
//! a page reads of its window's position, and that a remembered window
//! keeps its size from one run to the next: GTK draws the title bar and the
//! shadow itself there, and tao counts them in the window's size.
//!
//! Headless weston has no seat: WebDriver's synthesized clicks reach no
//! one (typing does), so pages are clicked through scripts here.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::host_desktop_e2e::{Watcher, labels};
use crate::support::webdriver::{DriverProcess, Session, capabilities};
use crate::support::{
    TempDir, distinct_colours, end_process_group, free_port, gui_lock, host_binary, run_ok,
    run_within,
};

/// The size of weston's one output: room for Notes' 1040 x 700 window with
/// its menu bar, title bar and shadow.
const SCREEN: (u32, u32) = (1280, 1024);

/// A colour no desktop or app here paints, to find the page in a screenshot.
const MARKER: &str = "#ff00ff";

/// Skips (with a loud message) when weston, WebKitWebDriver or what runs
/// them is missing.
macro_rules! require_wayland {
    () => {
        let missing = missing_programs();
        if !missing.is_empty() {
            eprintln!(
                "\n\n!!!! SKIPPED: {} needs {} (Debian: weston webkit2gtk-driver dbus imagemagick) !!!!\n\n",
                module_path!(),
                missing.join(", ")
            );
            return;
        }
    };
}

fn missing_programs() -> Vec<&'static str> {
    let on_path = |program: &str| {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
        })
    };
    [
        "weston",
        "weston-screenshooter",
        "WebKitWebDriver",
        "dbus-run-session",
        "convert",
    ]
    .into_iter()
    .filter(|program| !on_path(program))
    .collect()
}

/// A headless weston in its own process group, with its own runtime
/// directory (0700) and a socket name no other test uses; dropping it ends
/// the group (weston, its desktop shell and its keyboard).
struct Weston {
    child: Child,
    runtime: TempDir,
    socket: String,
}

impl Weston {
    fn start() -> Weston {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::process::CommandExt;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let runtime = TempDir::new("wayland-runtime");
        std::fs::set_permissions(&runtime.0, std::fs::Permissions::from_mode(0o700))
            .expect("make the runtime directory private");
        let socket = format!(
            "millennium-e2e-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let child = Command::new("weston")
            .arg("--backend=headless-backend.so")
            .arg("--use-pixman")
            .arg(format!("--width={}", SCREEN.0))
            .arg(format!("--height={}", SCREEN.1))
            .arg(format!("--socket={socket}"))
            .arg("--idle-time=0")
            .arg("--debug")
            .arg(format!("--log={}", runtime.0.join("weston.log").display()))
            .env("XDG_RUNTIME_DIR", &runtime.0)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start weston");
        let mut weston = Weston {
            child,
            runtime,
            socket,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !weston.runtime.0.join(&weston.socket).exists() {
            if let Ok(Some(status)) = weston.child.try_wait() {
                panic!(
                    "weston ended ({status}) before it listened: {}",
                    weston.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "weston made no socket within 20 s: {}",
                weston.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        weston
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.runtime.0.join("weston.log")).unwrap_or_default()
    }

    /// What a Wayland client needs to reach this weston, and only it.
    fn client_env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        vec![
            ("XDG_RUNTIME_DIR", self.runtime.0.clone().into_os_string()),
            ("WAYLAND_DISPLAY", self.socket.clone().into()),
            ("GDK_BACKEND", "wayland".into()),
        ]
    }

    /// What weston composites now, as a PNG (`weston-screenshooter` writes
    /// `wayland-screenshot-<time>.png` into its working directory).
    fn screenshot(&self) -> Vec<u8> {
        let dir = TempDir::new("wayland-shot");
        let output = run_within(
            Command::new("weston-screenshooter")
                .current_dir(&dir.0)
                .envs(self.client_env())
                .env_remove("DISPLAY"),
            Duration::from_secs(20),
        );
        assert!(
            output.status.success(),
            "weston-screenshooter: {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let png = std::fs::read_dir(&dir.0)
            .expect("the screenshot directory")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|e| e == "png"))
            .unwrap_or_else(|| panic!("weston-screenshooter wrote no PNG: {}", self.log()));
        std::fs::read(png).expect("read the screenshot")
    }
}

impl Drop for Weston {
    fn drop(&mut self) {
        end_process_group(&mut self.child);
    }
}

/// WebKitWebDriver on 127.0.0.1 under its own session bus, on `weston`
/// only: `DISPLAY` and `XAUTHORITY` are removed, so GTK cannot fall back to
/// X11. The apps it starts inherit its environment, `MILLENNIUM_AUTOMATION`
/// included, and its standard error, which is kept in `home` (with the
/// session bus's address).
struct WaylandDriver {
    driver: DriverProcess,
    home: TempDir,
}

impl WaylandDriver {
    fn start(weston: &Weston) -> WaylandDriver {
        use std::os::unix::process::CommandExt;
        let home = TempDir::new("wayland-home");
        let stderr = std::fs::File::create(home.0.join("stderr.log")).expect("create stderr.log");
        let port = free_port();
        let mut command = Command::new("dbus-run-session");
        command
            .args(["--", "sh", "-c"])
            .arg(r#"printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$HOME/bus"; exec "$@""#)
            .args(["sh", "WebKitWebDriver"])
            .arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("HOME", &home.0)
            .env("XDG_DATA_HOME", home.0.join("data"))
            .env("XDG_CONFIG_HOME", home.0.join("config"))
            .env("XDG_CACHE_HOME", home.0.join("cache"))
            .envs(weston.client_env())
            .env_remove("DISPLAY")
            .env_remove("XAUTHORITY")
            .env("MILLENNIUM_AUTOMATION", "1")
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0);
        let driver = DriverProcess::spawn(command, port, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}"));
        WaylandDriver { driver, home }
    }

    /// A session on `millennium-host <app>`, once its page has the bridge.
    fn launch(&self, app: &Path) -> Session {
        let session = Session::create_retrying(
            self.driver.port,
            &capabilities(&host_binary(), &[app.as_os_str()]),
            Duration::from_secs(60),
            |e| eprintln!("wayland: retrying the session: {e}"),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = session
                .try_execute("return document.readyState + '|' + (typeof window.Millennium)");
            if state == Ok(json!("complete|object")) {
                return session;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not load with the bridge within 30 s: {state:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The session bus the apps are on.
    fn bus(&self) -> String {
        std::fs::read_to_string(self.home.0.join("bus")).expect("the session bus's address")
    }

    /// What the apps wrote on standard error so far.
    fn stderr(&self) -> String {
        std::fs::read_to_string(self.home.0.join("stderr.log")).unwrap_or_default()
    }

    /// An app's `$APPCONFIG`.
    fn config_dir(&self, identifier: &str) -> PathBuf {
        self.home.0.join("config").join(identifier)
    }
}

/// Runs an async JS body; its value, or a panic with the rejection.
fn ok(session: &Session, body: &str) -> Value {
    session
        .try_run(body)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("the page rejected: {e}\n{body}"))
}

/// Runs an async JS body that must reject; the rejection's message.
fn rejected(session: &Session, body: &str) -> String {
    match session.try_run(body).unwrap_or_else(|e| panic!("{e}")) {
        Ok(value) => panic!("resolved with {value} instead of rejecting: {body}"),
        Err(message) => message,
    }
}

/// Polls an async JS body until it returns `expected`, for at most `limit`.
fn wait_for_value(session: &Session, body: &str, expected: &Value, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut last = ok(session, body);
    while &last != expected {
        assert!(
            Instant::now() < deadline,
            "{body} gave {last}, not {expected}, within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
        last = ok(session, body);
    }
}

/// Where [`MARKER`] is in `png`: its bounding box (`width`, `height`, `x`,
/// `y`) and how many pixels have it; `None` when none do.
fn marker_in(png: &[u8], scratch: &TempDir) -> Option<((u32, u32, u32, u32), u64)> {
    let file = scratch.0.join("marker.png");
    std::fs::write(&file, png).expect("write the screenshot");
    let output = run_ok(
        Command::new("convert")
            .arg(&file)
            .args(["-alpha", "off", "-fill", "black", "+opaque", MARKER])
            .args(["-fill", "white", "-opaque", MARKER])
            .args(["-format", "%@ %[fx:round(mean*w*h)]", "info:"]),
        "convert (ImageMagick)",
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let (geometry, count) = text.trim().split_once(' ')?;
    let count: u64 = count.parse().ok()?;
    let (size, origin) = geometry.split_once('+')?;
    let (width, height) = size.split_once('x')?;
    let (x, y) = origin.split_once('+')?;
    let number = |s: &str| s.parse::<u32>().ok();
    (count > 0).then_some((
        (number(width)?, number(height)?, number(x)?, number(y)?),
        count,
    ))
}

/// Covers the page with [`MARKER`] and waits (at most 15 s) until weston
/// composites it: then the page's window is on this compositor, painted.
/// Returns the marker's box in the screenshot; asserts it is the page's
/// size and shows whole.
fn page_on_screen(weston: &Weston, session: &Session, scratch: &TempDir) -> (u32, u32, u32, u32) {
    let page = ok(
        session,
        &format!(
            "const d = document.createElement('div');
             d.id = 'wayland-marker';
             d.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:{MARKER}';
             document.body.append(d);
             await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
             const r = d.getBoundingClientRect();
             return [Math.round(r.width * devicePixelRatio), Math.round(r.height * devicePixelRatio)];"
        ),
    );
    let expected = (page[0].as_u64().unwrap(), page[1].as_u64().unwrap());
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut found = None;
    while Instant::now() < deadline {
        found = marker_in(&weston.screenshot(), scratch);
        if found.is_some_and(|((w, h, _, _), _)| (u64::from(w), u64::from(h)) == expected) {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let Some((bounds, count)) = found else {
        panic!("weston never showed the page (no {MARKER} pixel in 15 s)");
    };
    assert_eq!(
        (u64::from(bounds.0), u64::from(bounds.1)),
        expected,
        "the page's box on weston's screen {bounds:?}"
    );
    assert!(
        count * 100 >= expected.0 * expected.1 * 99,
        "only {count} of the page's {} pixels show",
        expected.0 * expected.1
    );
    ok(
        session,
        "document.getElementById('wayland-marker').remove();
         await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
         return null;",
    );
    bounds
}

/// Notes on Wayland: the bridge answers, a note is written, saved and read
/// back through the fs API, typing in the filter box finds it by a word of
/// its text through the Python sidecar, the window has the size the toml
/// asks for, and weston shows the page; its screenshot is kept.
#[test]
fn notes_runs_on_a_wayland_compositor_and_answers_its_bridge() {
    require_wayland!();
    let _gui = gui_lock();
    let scratch = TempDir::new("wayland-notes");
    let app = scratch.0.join("notes");
    millennium_e2e::copy_dir(&millennium_e2e::repo_root().join("sample-apps/notes"), &app);
    let weston = Weston::start();
    let driver = WaylandDriver::start(&weston);
    let notes = driver.launch(&app);
    ok(&notes, "await window.notesApp.ready; return null;");

    assert_eq!(
        ok(
            &notes,
            "return [await Millennium.app.getName(), await Millennium.app.getVersion()];"
        ),
        json!(["Notes", "1.0.0"])
    );
    let text = "# Wayland\n\nComposited by weston, with no X server.";
    ok(
        &notes,
        &format!(
            "const n = window.notesApp;
             await n.newNote('Wayland');
             await n.setText({});
             await n.save();
             return null;",
            json!(text)
        ),
    );
    assert_eq!(
        ok(
            &notes,
            "return await Millennium.fs.readTextFile('notes/Wayland.md', \
             { dir: Millennium.fs.BaseDirectory.AppData });"
        ),
        json!(text)
    );
    assert_eq!(
        ok(&notes, "return await window.notesApp.list();"),
        json!(["Wayland.md", "welcome.md"])
    );

    // Keystrokes reach the page: the filter box searches the notes' text
    // through the sidecar and marks the word.
    notes
        .send_keys("#filter", "weston")
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_value(
        &notes,
        "const mark = document.querySelector('#note-list mark');
         return mark && [mark.closest('[data-name]').dataset.name, mark.textContent];",
        &json!(["Wayland.md", "weston"]),
        Duration::from_secs(20),
    );

    // The size [[windows]] asks for, not that plus GTK's title bar and shadow.
    assert_eq!(
        ok(
            &notes,
            "const s = await Millennium.window.appWindow.innerSize();
             const k = await Millennium.window.appWindow.scaleFactor();
             return [Math.round(s.width / k), Math.round(s.height / k)];"
        ),
        json!([1040, 700])
    );

    // weston composites the page; a person looks at the real one after.
    page_on_screen(&weston, &notes, &scratch);
    let shots = millennium_e2e::target_dir().join("screenshots");
    std::fs::create_dir_all(&shots).expect("create target/<profile>/screenshots");
    let deadline = Instant::now() + Duration::from_secs(15);
    let png = loop {
        let png = weston.screenshot();
        if marker_in(&png, &scratch).is_none() || Instant::now() > deadline {
            break png;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    std::fs::write(shots.join("wayland-notes.png"), &png).expect("keep the screenshot");
    assert!(
        marker_in(&png, &scratch).is_none(),
        "weston still shows the page as it was 15 s ago"
    );
    let colours = distinct_colours(&png, &scratch.0);
    assert!(colours > 50, "weston's screen shows {colours} colours");

    drop(notes);
    let stderr = driver.stderr();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// What differs under Wayland, as a page sees it: global shortcuts are
/// refused (a declared one is said on standard error, once), the clipboard
/// says it needs XWayland, a window's position reads 0,0 whatever was
/// asked, and requests the compositor may ignore still resolve. The tray
/// works as under X11, through a status-notifier host (a stand-in panel on
/// the session bus) that is no business of the display server. A window
/// that remembers its state opens at the size it closed with, not larger
/// by GTK's title bar and shadow (it grew 52 x 89 at every run before).
#[test]
fn wayland_refuses_key_grabs_and_a_remembered_window_keeps_its_size() {
    require_wayland!();
    let _gui = gui_lock();
    let app = TempDir::new("wayland-probe");
    app.write(
        "millennium.toml",
        r##"[app]
name = "Wayland Probe"
identifier = "dev.millennium.wayland-probe"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Wayland Probe"
width = 600
height = 400
x = 300
y = 200
remember-state = true

[[shortcuts]]
accelerator = "CmdOrCtrl+Alt+P"
event = "probe"

[menus.tray]
[[menus.tray.items]]
id = "ping"
label = "Ping"

[tray]
icon = "tray.png"
tooltip = "Wayland Probe"
menu = "tray"
click = "none"

[allowlist.window]
all = true
[allowlist.global-shortcut]
register = true
[allowlist.clipboard]
read-text = true
write-text = true
"##,
    );
    app.write(
        "dist/index.html",
        "<!doctype html><html><head><script src=\"app.js\"></script></head>\
         <body style=\"background:#3060c0\"><h1>Probe</h1></body></html>",
    );
    app.write(
        "dist/app.js",
        "window.__clicks = []; Millennium.menu.onClick((c) => window.__clicks.push(c));",
    );
    run_ok(
        Command::new("convert")
            .args(["-size", "16x16", "xc:#3060c0"])
            .arg(app.0.join("dist/tray.png")),
        "convert (ImageMagick)",
    );
    let weston = Weston::start();
    let driver = WaylandDriver::start(&weston);
    let mut probe = driver.launch(&app.0);
    let size = "const s = await Millennium.window.appWindow.innerSize();
                return [s.width, s.height, innerWidth, innerHeight];";
    assert_eq!(ok(&probe, size), json!([600, 400, 600, 400]));

    let refusal = rejected(
        &probe,
        "return await Millennium.globalShortcut.register('Ctrl+Alt+R', () => {});",
    );
    assert!(refusal.contains("need an X11 session"), "{refusal}");
    assert_eq!(
        ok(
            &probe,
            "return await Millennium.globalShortcut.isRegistered('CmdOrCtrl+Alt+P');"
        ),
        json!(false)
    );
    let said = "the shortcut Ctrl+Alt+P is not available: global shortcuts need an X11 session";
    assert_eq!(
        driver.stderr().matches(said).count(),
        1,
        "{}",
        driver.stderr()
    );
    let refusal = rejected(&probe, "return await Millennium.clipboard.writeText('x');");
    assert!(
        refusal.contains("no XWayland (DISPLAY is not set)"),
        "{refusal}"
    );

    let panel = Watcher::start(&driver.bus());
    crate::support::wait_for(Duration::from_secs(20), "the tray never registered", || {
        panel.registered()
    });
    let item = panel.wait_item(|item| item["Title"] == json!("Wayland Probe"));
    assert_eq!(labels(&item), ["Ping"]);
    panel.click("Ping");
    wait_for_value(
        &probe,
        "return window.__clicks.map((c) => [c.id, c.source]);",
        &json!([["ping", "tray"]]),
        Duration::from_secs(10),
    );
    drop(panel);

    // Asked of the compositor; resolved whatever it does. Clients cannot
    // know their position under Wayland: it reads 0,0.
    assert_eq!(
        ok(
            &probe,
            "const w = Millennium.window.appWindow;
             await w.setPosition(new Millennium.window.LogicalPosition(40, 30));
             await w.center();
             await w.setAlwaysOnTop(true);
             await w.setSkipTaskbar(true);
             await w.requestUserAttention();
             await new Promise((r) => setTimeout(r, 300));
             const p = await w.outerPosition();
             return [p.x, p.y];"
        ),
        json!([0, 0])
    );

    // Resized, closed, opened again: the size it closed with.
    ok(
        &probe,
        "await Millennium.window.appWindow.setSize(new Millennium.window.LogicalSize(640, 420));
         return null;",
    );
    wait_for_value(
        &probe,
        size,
        &json!([640, 420, 640, 420]),
        Duration::from_secs(10),
    );
    ok(
        &probe,
        "setTimeout(() => Millennium.window.appWindow.close(), 50); return null;",
    );
    let state = driver
        .config_dir("dev.millennium.wayland-probe")
        .join("window-state.json");
    crate::support::wait_for(
        Duration::from_secs(15),
        "the window state was not saved",
        || state.exists(),
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(
        (&saved["main"]["width"], &saved["main"]["height"]),
        (&json!(640.0), &json!(420.0)),
        "{saved}"
    );
    probe.close();
    let probe = driver.launch(&app.0);
    assert_eq!(ok(&probe, size), json!([640, 420, 640, 420]));
    drop(probe);
    let stderr = driver.stderr();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
