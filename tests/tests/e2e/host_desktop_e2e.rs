//! Menus, the tray and global shortcuts in a real WebKitGTK under Xvfb:
//! keys pressed and menu items chosen with `xdotool` as a person would,
//! and the tray seen from the session bus through a stand-in panel
//! (`tests/fixtures/tray/watcher.py`, a status-notifier watcher and host
//! that can also click an item's menu entries, as a panel does).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    Driven, TempDir, end_process_group, gui_lock, host_binary, process_alive, wait_for,
};
use serde_json::{Value, json};

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Desktop</title><script src="app.js"></script></head><body><input id="field" value="some text"></body></html>"#;

/// Every click, shortcut and app event the page hears, in `window.__heard`.
const LISTEN: &str = r#"window.__heard = [];
Millennium.menu.onClick((click) => window.__heard.push({ kind: "menu", ...click }));
for (const name of ["summon", "tray-clicked"]) {
  Millennium.event.listen(name, (e) => window.__heard.push({ kind: name, payload: e.payload }));
}
"#;

fn desktop_app(extra: &str) -> TempDir {
    let app = TempDir::new("host-desktop-e2e");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Desktop"
identifier = "dev.millennium.desktop{}"
frontend = "dist"

[[windows]]
label = "main"
title = "Desktop"
menu = "main"
close-behavior = "hide"

[menus.main]
[[menus.main.items]]
label = "&File"
[[menus.main.items.items]]
id = "save"
label = "&Save"
accelerator = "CmdOrCtrl+S"
[[menus.main.items.items]]
id = "wrap"
label = "&Wrap lines"
kind = "check"
checked = true
[[menus.main.items.items]]
kind = "separator"
[[menus.main.items.items]]
role = "quit"

[menus.tray]
[[menus.tray.items]]
id = "start"
label = "Start"
[[menus.tray.items]]
role = "quit"

[menus.other]
[[menus.other.items]]
id = "other-item"
label = "Other item"

[tray]
icon = "icons/tray.png"
tooltip = "Desktop timer"
title = "25:00"
menu = "tray"
click = "toggle-main-window"
click-label = "Show or hide"

[[shortcuts]]
accelerator = "Ctrl+Alt+L"
event = "summon"

[allowlist.menu]
set-item = true
popup = true

[allowlist.tray]
all = true

[allowlist.global-shortcut]
register = true
accelerators = ["Ctrl+Alt+K", "Ctrl+Alt+J"]

[allowlist.window]
close = true
{extra}
"#,
            std::process::id()
        ),
    );
    app.write("dist/index.html", PAGE);
    app.write("dist/app.js", LISTEN);
    std::fs::create_dir_all(app.0.join("dist/icons")).unwrap();
    let icon = millennium_e2e::repo_root().join("sample-apps/tray-timer/dist/icons/idle.png");
    std::fs::copy(&icon, app.0.join("dist/icons/tray.png")).unwrap();
    let running = millennium_e2e::repo_root().join("sample-apps/tray-timer/dist/icons/running.png");
    std::fs::copy(&running, app.0.join("dist/icons/running.png")).unwrap();
    app.write("dist/icons/not-an-image.png", "this is text, not a PNG");
    app
}

/// What the page heard, once it holds `n` entries.
fn heard(driven: &Driven, n: usize) -> Vec<Value> {
    driven.wait_until(
        &format!("window.__heard.length >= {n}"),
        Duration::from_secs(20),
    );
    driven
        .execute("return window.__heard")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The page heard nothing more than `n` entries for a while.
fn still_heard(driven: &Driven, n: usize) {
    std::thread::sleep(Duration::from_millis(1500));
    let now = driven.execute("return window.__heard.length");
    assert_eq!(
        now,
        json!(n),
        "{:?}",
        driven.execute("return window.__heard")
    );
}

fn keep_screenshot(driven: &Driven, name: &str) -> PathBuf {
    let dir = millennium_e2e::repo_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, driven.screen_png()).unwrap();
    path
}

#[test]
fn menu_bar_clicks_and_accelerators_reach_the_page_and_set_item_changes_them() {
    require_gui!();
    let _gui = gui_lock();
    let app = desktop_app("");
    let driven = Driven::launch(&app.0);
    driven.wait_until("Array.isArray(window.__heard)", Duration::from_secs(10));
    driven.focus_window_titled("Desktop");

    // The accelerator, while the window has the focus.
    driven.press(&["ctrl+s"]);
    let got = heard(&driven, 1);
    assert_eq!(
        got[0],
        json!({"kind": "menu", "id": "save", "menu": "main", "source": "window"})
    );

    // The menu bar, opened and chosen from with its mnemonics.
    driven.press(&["alt+f"]);
    std::thread::sleep(Duration::from_millis(500));
    let shot = keep_screenshot(&driven, "desktop-menu-bar.png");
    driven.press(&["w"]);
    let got = heard(&driven, 2);
    assert_eq!(
        got[1],
        json!({"kind": "menu", "id": "wrap", "menu": "main", "source": "window", "checked": false}),
        "screen: {}",
        shot.display()
    );

    // setItem: a disabled item's accelerator does nothing.
    let changed = driven.run("await Millennium.menu.setItem('save', { label: 'Save all', enabled: false }); return 'ok';");
    assert_eq!(changed, Ok(json!("ok")));
    driven.press(&["ctrl+s"]);
    still_heard(&driven, 2);
    driven
        .run("await Millennium.menu.setItem('save', { enabled: true });")
        .unwrap();
    driven.press(&["ctrl+s"]);
    assert_eq!(heard(&driven, 3)[2]["id"], json!("save"));
    // The check item's state from the page, and read back by the next click.
    driven
        .run("await Millennium.menu.setItem('wrap', { checked: true });")
        .unwrap();
    driven.press(&["alt+f"]);
    std::thread::sleep(Duration::from_millis(300));
    driven.press(&["w"]);
    assert_eq!(heard(&driven, 4)[3]["checked"], json!(false));

    for (call, error) in [
        (
            "Millennium.menu.setItem('nope', { label: 'x' })",
            "no menu item `nope` is shown",
        ),
        (
            "Millennium.menu.setItem('save', { checked: true })",
            "not a check item",
        ),
        (
            "Millennium.menu.setItem('other-item', { label: 'x' })",
            "no menu item `other-item` is shown",
        ),
        (
            "Millennium.menu.setItem('save', { label: '' })",
            "1 to 200 characters",
        ),
    ] {
        let result = driven.run(&format!("return await {call};"));
        assert!(
            result.as_ref().is_err_and(|e| e.contains(error)),
            "{call}: {result:?}"
        );
    }
}

#[test]
fn a_context_menu_from_the_page_answers_with_the_id_chosen_or_null_and_refuses_bad_trees() {
    require_gui!();
    let _gui = gui_lock();
    let app = desktop_app("");
    let driven = Driven::launch(&app.0);
    driven.wait_until("Array.isArray(window.__heard)", Duration::from_secs(10));
    driven.focus_window_titled("Desktop");
    let items = r#"[{ id: "rename", label: "Rename" }, { kind: "separator" }, { id: "delete", label: "Delete" }, { label: "More", items: [{ role: "copy" }] }]"#;

    driven.start(&format!(
        "Millennium.menu.popup({items}, {{ x: 40, y: 40 }})"
    ));
    std::thread::sleep(Duration::from_millis(800));
    keep_screenshot(&driven, "desktop-context-menu.png");
    driven.press(&["Down", "Down", "Return"]);
    assert_eq!(driven.outcome(), json!({"ok": "delete"}));

    driven.start(&format!("Millennium.menu.popup({items})"));
    std::thread::sleep(Duration::from_millis(800));
    driven.press(&["Escape"]);
    assert_eq!(driven.outcome(), json!({"ok": null}));
    // A page's items reach nobody else: no click event came out of them.
    assert_eq!(driven.execute("return window.__heard.length"), json!(0));

    for (items, error) in [
        (
            "(() => { let t = [{ id: 'leaf', label: 'Leaf' }]; for (let i = 0; i < 1000; i++) t = [{ label: 'More', items: t }]; return t; })()",
            "recursion limit exceeded",
        ),
        (
            "(() => { let t = [{ id: 'leaf', label: 'Leaf' }]; for (let i = 0; i < 20; i++) t = [{ label: 'More', items: t }]; return t; })()",
            "at most 8 levels",
        ),
        (
            "Array.from({ length: 100000 }, (_, i) => ({ id: 'i' + i, label: 'x' }))",
            "at most 1000 items",
        ),
        ("[{ role: 'quit' }]", "not `quit`"),
        (
            "[{ id: 'x', label: 'X', accelerator: 'Ctrl+Q' }]",
            "no accelerator",
        ),
        ("'not a list'", "must be an array"),
    ] {
        let result = driven.run(&format!("return await Millennium.menu.popup({items});"));
        assert!(
            result.as_ref().is_err_and(|e| e.contains(error)),
            "{items}: {result:?}"
        );
    }
}

#[test]
fn a_global_shortcut_reaches_its_handler_until_unregistered_and_one_taken_elsewhere_is_an_error() {
    require_gui!();
    let _gui = gui_lock();
    let app = desktop_app("");
    let driven = Driven::launch(&app.0);
    driven.wait_until("Array.isArray(window.__heard)", Duration::from_secs(10));
    driven.execute(
        "window.__pressed = [];
         return null;",
    );
    let registered = driven.run(
        "await Millennium.globalShortcut.register('ctrl+alt+k', (a) => window.__pressed.push(a));
         return await Millennium.globalShortcut.isRegistered('Control+Alt+K');",
    );
    assert_eq!(registered, Ok(json!(true)));
    // Pressed with no window of the app focused: the root window's grab.
    driven
        .xdotool(&["key", "--clearmodifiers", "ctrl+alt+k"])
        .unwrap();
    driven.wait_until("window.__pressed.length === 1", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.__pressed"),
        json!(["ctrl+alt+k"])
    );

    driven
        .run("await Millennium.globalShortcut.unregister('ctrl+alt+k');")
        .unwrap();
    driven
        .xdotool(&["key", "--clearmodifiers", "ctrl+alt+k"])
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(driven.execute("return window.__pressed.length"), json!(1));
    assert_eq!(
        driven.run("return await Millennium.globalShortcut.isRegistered('ctrl+alt+k');"),
        Ok(json!(false))
    );

    // The declared one, as an app event.
    driven
        .xdotool(&["key", "--clearmodifiers", "ctrl+alt+l"])
        .unwrap();
    let got = heard(&driven, 1);
    assert_eq!(
        got[0],
        json!({"kind": "summon", "payload": {"source": "shortcut", "accelerator": "Ctrl+Alt+L"}})
    );

    for (accelerator, error) in [
        (
            "Ctrl+Alt+M",
            "not in [allowlist.global-shortcut] accelerators",
        ),
        ("K", "every program"),
        ("Ctrl+Alt+Banana", "`Banana`"),
    ] {
        let result = driven.run(&format!(
            "return await Millennium.globalShortcut.register('{accelerator}', () => {{}});"
        ));
        assert!(
            result.as_ref().is_err_and(|e| e.contains(error)),
            "{accelerator}: {result:?}"
        );
    }

    // Another program takes Ctrl+Alt+J first (here: another app whose
    // [[shortcuts]] declares it), on the same display.
    let other = TempDir::new("host-desktop-e2e-other");
    other.write(
        "millennium.toml",
        &format!(
            "[app]\nname = \"Other\"\nidentifier = \"dev.millennium.other{}\"\nfrontend = \"dist\"\n\n[[shortcuts]]\naccelerator = \"Ctrl+Alt+J\"\nevent = \"x\"\n",
            std::process::id()
        ),
    );
    other.write("dist/index.html", PAGE);
    let mut taker = Command::new(host_binary())
        .arg(&other.0)
        .envs(driven.x_env())
        .env("HOME", &other.0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its window opens before it grabs its shortcuts; while we try, we hold
    // the key only for a moment each second, so its grab is not refused.
    let deadline = Instant::now() + Duration::from_secs(30);
    wait_for(
        Duration::from_secs(30),
        "the other app did not start",
        || driven.window_titled_exists("Other"),
    );
    let taken = loop {
        let result =
            driven.run("return await Millennium.globalShortcut.register('Ctrl+Alt+J', () => {});");
        match result {
            Err(error) if error.contains("taken by another program") => break error,
            Ok(_) => {
                driven
                    .run("await Millennium.globalShortcut.unregister('Ctrl+Alt+J');")
                    .unwrap();
            }
            Err(other) => panic!("{other}"),
        }
        assert!(
            Instant::now() < deadline,
            "the other app never took Ctrl+Alt+J"
        );
        std::thread::sleep(Duration::from_millis(1000));
    };
    assert_eq!(taken, "`Ctrl+Alt+J` is taken by another program");
    let _ = taker.kill();
    let _ = taker.wait();
}

/// The stand-in panel on the app's session bus.
pub(crate) struct Watcher {
    child: Child,
    log: PathBuf,
    bus: String,
    _dir: TempDir,
}

impl Watcher {
    pub(crate) fn start(bus: &str) -> Watcher {
        let dir = TempDir::new("host-desktop-e2e-watcher");
        let log = dir.0.join("watcher.log");
        let child = Command::new("/usr/bin/python3")
            .arg(millennium_e2e::repo_root().join("tests/fixtures/tray/watcher.py"))
            .arg("serve")
            .arg(&log)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Watcher {
            child,
            log,
            bus: bus.to_owned(),
            _dir: dir,
        }
    }

    pub(crate) fn registered(&self) -> bool {
        std::fs::read_to_string(&self.log).is_ok_and(|log| log.contains("\"registered\""))
    }

    /// `watcher.py item`: the live item and its menu, or `Err` (none).
    fn item(&self) -> Result<Value, String> {
        let output = self.command(&["item"]);
        if output.status.success() {
            Ok(serde_json::from_slice(&output.stdout).unwrap())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    pub(crate) fn click(&self, label: &str) {
        let output = self.command(&["click", label]);
        assert!(
            output.status.success(),
            "click {label}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn command(&self, args: &[&str]) -> std::process::Output {
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(millennium_e2e::repo_root().join("tests/fixtures/tray/watcher.py"))
            .arg(args[0])
            .arg(&self.log)
            .args(&args[1..])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
        crate::support::run_within(&mut command, Duration::from_secs(20))
    }

    /// The item, once `ready` says so.
    pub(crate) fn wait_item(&self, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = Err(String::new());
        while Instant::now() < deadline {
            last = self.item();
            if last.as_ref().is_ok_and(&ready) {
                return last.unwrap();
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("the tray item did not become as expected: {last:?}");
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn labels(item: &Value) -> Vec<String> {
    fn walk(entries: &Value, out: &mut Vec<String>) {
        for entry in entries.as_array().into_iter().flatten() {
            if entry["type"] != json!("separator") {
                out.push(entry["label"].as_str().unwrap_or_default().to_owned());
            }
            walk(&entry["children"], out);
        }
    }
    let mut out = Vec::new();
    walk(&item["menu"], &mut out);
    out
}

fn host_pid(driven: &Driven) -> u32 {
    let marker = driven.home().join("data");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let exe = std::fs::read_link(entry.path().join("exe")).unwrap_or_default();
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            let home = format!("XDG_DATA_HOME={}", marker.display());
            if exe == host_binary() && environ.split(|b| *b == 0).any(|kv| kv == home.as_bytes()) {
                return pid;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the host's process was not found"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_tray_registers_with_a_status_notifier_watcher_and_its_menu_reaches_the_page() {
    require_gui!();
    let _gui = gui_lock();
    let app = desktop_app("");
    let driven = Driven::launch(&app.0);
    driven.wait_until("Array.isArray(window.__heard)", Duration::from_secs(10));
    let bus = driven
        .session_bus_address()
        .expect("the driver's session bus");
    // The panel comes after the app, as when a desktop restarts its panel.
    let watcher = Watcher::start(&bus);
    wait_for(
        Duration::from_secs(20),
        "the tray never registered with the watcher",
        || watcher.registered(),
    );
    let item = watcher.wait_item(|item| item["Title"] == json!("Desktop timer"));
    assert_eq!(item["Status"], json!("Active"));
    assert_eq!(item["XAyatanaLabel"], json!("25:00"));
    assert_eq!(labels(&item), ["Show or hide", "Start", "Quit"]);
    let icon = item["IconName"].as_str().unwrap();
    assert!(
        Path::new(icon).starts_with(driven.runtime_dir()),
        "the icon file is not in the user's runtime directory: {icon}"
    );

    // Its menu item reaches every window's page.
    watcher.click("Start");
    assert_eq!(
        heard(&driven, 1)[0],
        json!({"kind": "menu", "id": "start", "menu": "tray", "source": "tray"})
    );

    // Changed from the page.
    driven
        .run(
            "await Millennium.tray.setTooltip('Work, 24:59 left');
             await Millennium.tray.setTitle('24:59');
             await Millennium.tray.setIcon('icons/running.png');
             await Millennium.menu.setItem('start', { label: 'Pause' });",
        )
        .unwrap();
    let item = watcher.wait_item(|item| item["Title"] == json!("Work, 24:59 left"));
    assert_eq!(item["XAyatanaLabel"], json!("24:59"));
    assert_eq!(labels(&item), ["Show or hide", "Pause", "Quit"]);
    assert_ne!(
        item["IconName"].as_str().unwrap(),
        icon,
        "the icon did not change"
    );
    driven
        .run("await Millennium.tray.setMenu('other');")
        .unwrap();
    let item = watcher.wait_item(|item| labels(item).contains(&"Other item".to_owned()));
    assert_eq!(labels(&item), ["Show or hide", "Other item"]);
    driven
        .run("await Millennium.tray.setMenu('tray');")
        .unwrap();
    for (call, error) in [
        (
            "Millennium.tray.setIcon('icons/not-an-image.png')",
            "not a PNG image",
        ),
        (
            "Millennium.tray.setIcon('../millennium.toml')",
            "inside the frontend directory",
        ),
        ("Millennium.tray.setIcon('icons/missing.png')", "not found"),
        ("Millennium.tray.setMenu('nope')", "no menu `nope`"),
        (
            "Millennium.tray.setTitle('x'.repeat(65))",
            "at most 64 characters",
        ),
    ] {
        let result = driven.run(&format!("return await {call};"));
        assert!(
            result.as_ref().is_err_and(|e| e.contains(error)),
            "{call}: {result:?}"
        );
    }

    // Close to tray: closing hides the window; the app runs on.
    let pid = host_pid(&driven);
    driven
        .run("await Millennium.window.getCurrent().close();")
        .unwrap();
    wait_for(Duration::from_secs(10), "the window did not hide", || {
        !driven.window_titled_exists("Desktop")
    });
    assert!(process_alive(pid));
    // The click action brings it back.
    watcher.wait_item(|item| labels(item).contains(&"Quit".to_owned()));
    watcher.click("Show or hide");
    wait_for(
        Duration::from_secs(10),
        "the window did not come back",
        || driven.window_titled_exists("Desktop"),
    );
    // Quit ends it.
    watcher.click("Quit");
    wait_for(Duration::from_secs(15), "Quit did not end the app", || {
        !process_alive(pid)
    });
}

#[test]
fn without_a_status_notifier_watcher_the_app_runs_and_says_once_the_tray_is_not_shown() {
    require_gui!();
    let _gui = gui_lock();
    let app = desktop_app("");
    let stderr = app.0.join("stderr.txt");
    let mut child = Command::new("dbus-run-session")
        .args(["--", "xvfb-run", "-a", "-s", "-screen 0 1024x768x24"])
        .arg(host_binary())
        .arg(&app.0)
        .env("HOME", &app.0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let said =
        "millennium: the tray icon is not shown: no status-notifier host is on the session bus";
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&stderr)
        .unwrap_or_default()
        .contains(said)
    {
        assert!(
            Instant::now() < deadline,
            "nothing said: {}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the app ended: {}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the app ended without a tray"
    );
    let text = std::fs::read_to_string(&stderr).unwrap();
    assert_eq!(
        text.matches("the tray icon is not shown").count(),
        1,
        "{text}"
    );
    end_process_group(&mut child);
}

/// `millennium check` refuses a tray icon of 50 MB before anything reads it all.
#[test]
fn a_huge_tray_icon_is_refused_by_check() {
    let app = desktop_app("");
    let huge = std::fs::File::create(app.0.join("dist/icons/tray.png")).unwrap();
    huge.set_len(50 * 1024 * 1024).unwrap();
    let output = millennium_e2e::millennium(&app.0, &["check", "."]);
    let text = millennium_e2e::stderr(&output);
    assert!(!output.status.success());
    assert!(
        text.contains("the tray icon `icons/tray.png` is larger than 1 MiB"),
        "{text}"
    );
}
