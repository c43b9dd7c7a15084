//! Windows: a second window and events between windows, the window
//! options of `millennium.toml`, and window events (resize, move, focus,
//! close requests, theme changes).

use super::*;

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
intercept-close = true
other-windows = true
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
