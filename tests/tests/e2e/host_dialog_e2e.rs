//! End-to-end test of `Millennium.dialog` in a real WebKitGTK: the GTK
//! dialogs are answered with the keyboard through `xdotool` on the test's
//! own Xvfb, as a person would. Picked paths must join the fs scope (and
//! only them), cancelling must resolve `null`/`false`, and a dialog whose
//! key is off must be refused without showing anything.
//!
//! Runs the already-built binary (`cargo build -p millennium-host`) and
//! skips loudly only when the system packages are missing.

use std::time::Duration;

use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

fn dialog_app() -> TempDir {
    let app = TempDir::new("host-dialog-e2e-app");
    app.write(
        "millennium.toml",
        r#"
[app]
name = "Dialog E2E"
identifier = "dev.millennium.dialoge2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Dialogs"

[allowlist.dialog]
open = true
save = true
message = true
ask = true
confirm = false

[allowlist.fs]
read-file = true
write-file = true
read-dir = true
scope = ["$APPDATA/own/**"]
"#,
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Dialogs</title></head><body>dialogs</body></html>"#,
    );
    app
}

#[test]
fn host_dialog_picks_join_the_scope_cancel_resolves_null_and_off_keys_are_refused() {
    require_gui!();
    let _gui = gui_lock();
    let app = dialog_app();
    let outside = TempDir::new("host-dialog-e2e-files");
    let picked = outside.write("picked.md", "# picked by the user\n");
    outside.write("sibling.md", "not picked");
    let picked = picked.to_str().unwrap().to_owned();
    let sibling = outside.0.join("sibling.md").to_str().unwrap().to_owned();
    let driven = Driven::launch(&app.0);

    // Outside the scope before anything is picked.
    let before = driven.run(&format!(
        "return await Millennium.fs.readTextFile({})",
        json!(picked)
    ));
    assert!(
        before
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope")),
        "{before:?}"
    );

    // Open: type the path into GTK's location bar, as a person would.
    driven.start(
        r#"Millennium.dialog.open({ title: "Pick a note",
              filters: [{ name: "Markdown", extensions: ["md"] }] })"#,
    );
    driven.answer_file_dialog("Pick a note", &picked, true);
    assert_eq!(driven.outcome(), json!({"ok": picked}));
    let read = driven.run(&format!(
        "return await Millennium.fs.readTextFile({})",
        json!(picked)
    ));
    assert_eq!(read, Ok(json!("# picked by the user\n")));
    let neighbour = driven.run(&format!(
        "return await Millennium.fs.readTextFile({})",
        json!(sibling)
    ));
    assert!(
        neighbour
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope")),
        "only the picked file joins the scope: {neighbour:?}"
    );

    // Cancelled: null, and nothing more is allowed.
    driven.start(r#"Millennium.dialog.open({ title: "Cancel me" })"#);
    driven.focus_window_titled("Cancel me");
    driven.press(&["Escape"]);
    assert_eq!(driven.outcome(), json!({"ok": null}));

    // Save: a new file the user names becomes writable.
    let target = outside.0.join("exported.md");
    let target = target.to_str().unwrap().to_owned();
    driven.start(r#"Millennium.dialog.save({ title: "Export note", defaultPath: "note.md" })"#);
    // The name field has focus with `note.md` in it: replace it by a path.
    driven.answer_file_dialog("Export note", &target, false);
    assert_eq!(driven.outcome(), json!({"ok": target}));
    let write = driven.run(&format!(
        "await Millennium.fs.writeTextFile({}, 'exported'); return 'written'",
        json!(target)
    ));
    assert_eq!(write, Ok(json!("written")));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "exported");

    // A picked directory: its direct children, not deeper.
    std::fs::create_dir_all(outside.0.join("dir/deeper")).unwrap();
    // In a standard folder (the home), where a dialog may open.
    let folder = driven.home().join("picks/dir");
    std::fs::create_dir_all(folder.join("deeper")).unwrap();
    std::fs::write(folder.join("a.txt"), "a").unwrap();
    std::fs::write(folder.join("deeper/b.txt"), "b").unwrap();
    let dir = folder.to_str().unwrap().to_owned();
    // GTK completes a typed folder name to its only subfolder, so start the
    // dialog in the folder (defaultPath) and accept it as shown.
    driven.start(&format!(
        r#"Millennium.dialog.open({{ title: "Pick a folder", directory: true, defaultPath: {} }})"#,
        json!(dir)
    ));
    driven.answer_file_dialog("Pick a folder", "", true);
    assert_eq!(driven.outcome(), json!({"ok": dir}));
    let inside = driven.run(&format!(
        "return await Millennium.fs.readTextFile({})",
        json!(format!("{dir}/a.txt"))
    ));
    assert_eq!(inside, Ok(json!("a")));
    let deeper = driven.run(&format!(
        "return await Millennium.fs.readTextFile({})",
        json!(format!("{dir}/deeper/b.txt"))
    ));
    assert!(
        deeper.is_err(),
        "not recursive: deeper files stay out: {deeper:?}"
    );

    // Message boxes: Enter is yes/OK, Escape is no.
    driven.start(r#"Millennium.dialog.ask("Delete the note?", { title: "Ask yes" })"#);
    driven.focus_window_titled("Ask yes");
    driven.press(&["Return"]);
    assert_eq!(driven.outcome(), json!({"ok": true}));
    driven.start(r#"Millennium.dialog.ask("Delete?", "Ask no")"#);
    driven.focus_window_titled("Ask no");
    driven.press(&["Escape"]);
    assert_eq!(driven.outcome(), json!({"ok": false}));
    driven.start(r#"Millennium.dialog.message("Saved.", { title: "Told", type: "info" })"#);
    driven.focus_window_titled("Told");
    driven.press(&["Return"]);
    assert_eq!(driven.outcome(), json!({"ok": null}));

    // A key that is off: refused at once, naming the key.
    let denied = driven.run(r#"return await Millennium.dialog.confirm("Sure?")"#);
    assert!(
        denied
            .as_ref()
            .is_err_and(|e| e.contains("allowlist.dialog.confirm")),
        "{denied:?}"
    );
    // Bad arguments: a clear error.
    let bad = driven.run(
        r#"return await Millennium.dialog.open({ filters: [{ name: "x", extensions: [".md"] }] })"#,
    );
    assert!(
        bad.as_ref().is_err_and(|e| e.contains("not an extension")),
        "{bad:?}"
    );
    // The host still answers.
    assert_eq!(
        driven.run("return await Millennium.app.getName()"),
        Ok(json!("Dialog E2E"))
    );
}

fn download_app(allow: bool, port: u16) -> TempDir {
    let app = TempDir::new("host-download-e2e-app");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Download E2E"
identifier = "dev.millennium.downloade2e"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "Downloads"

[[windows]]
label = "second"
title = "Second"

[security]
allow-downloads = {allow}
allowed-navigation = ["http://127.0.0.1:{port}/**"]
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Downloads</title></head><body>
drop</body></html>"#,
    );
    app
}

/// A server that sends `PAYLOAD` as an attachment, as a hostile page would.
fn download_server() -> crate::support::http_server::HttpServer {
    use crate::support::http_server::{HttpServer, header, reply, respond};
    HttpServer::start_on(std::net::Ipv4Addr::LOCALHOST, |request| {
        let response = reply(200, "application/octet-stream", PAYLOAD).with_header(header(
            "Content-Disposition",
            "attachment; filename=\"evil.desktop\"",
        ));
        respond(request, response);
    })
}

const PAYLOAD: &[u8] = &[0x7f, b'E', b'L', b'F', 0, 0, 0xff, 0xfe, 0, 1, 2, 3];

/// Every file called `name` under `dir`.
fn found(dir: &std::path::Path, name: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(found(&path, name));
        } else if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(name))
        {
            out.push(path);
        }
    }
    out
}

/// Regression (security review): no download handler was registered, so a
/// page could drop files (a `.desktop` launcher in `~/Downloads`) without
/// asking. Now a download is refused unless `[security] allow-downloads`,
/// and then the user picks where it goes, once (the app has two windows).
#[test]
fn host_downloads_are_refused_unless_allowed_and_then_asked_for() {
    require_gui!();
    let _gui = gui_lock();
    let server = download_server();
    let drop_it = format!(
        "location.href = 'http://127.0.0.1:{}/evil'; return null;",
        server.port
    );
    let app = download_app(false, server.port);
    let driven = Driven::launch(&app.0);
    let home = driven.home().to_owned();
    driven.execute(&drop_it);
    std::thread::sleep(Duration::from_millis(2000));
    assert!(server.hit_count() > 0, "the page asked for the file");
    assert!(!driven.window_titled_exists("Save Download"));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(found(&home, "evil"), Vec::<std::path::PathBuf>::new());
    assert_eq!(
        found(&cwd, "evil.desktop"),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(driven.execute("return document.title;"), json!("Downloads"));
    drop(driven);

    let app = download_app(true, server.port);
    let driven = Driven::launch(&app.0);
    let target = TempDir::new("host-download-e2e-target");
    let chosen = target.0.join("chosen.txt");
    driven.execute(&drop_it);
    driven.answer_file_dialog("Save Download", chosen.to_str().unwrap(), false);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !chosen.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read(&chosen).unwrap(), PAYLOAD);
    assert!(
        !driven.window_titled_exists("Save Download"),
        "asked once, not per window"
    );
    assert_eq!(
        found(driven.home(), "evil"),
        Vec::<std::path::PathBuf>::new()
    );
}

/// Regression (security review): dialogs as consent. A page pre-selected
/// `~/.ssh/id_ed25519` under a misleading title, one click on a directory
/// dialog with `recursive: true` shared all of `$HOME`, and a pick counted
/// for every window. Now: `defaultPath` only in the scope or a standard
/// folder, never `$HOME` or `/` recursively, and picks count for the window
/// that asked.
#[test]
fn host_dialogs_pre_select_only_safe_paths_and_grant_only_the_asking_window() {
    require_gui!();
    let _gui = gui_lock();
    let app = dialog_app();
    let mut toml = std::fs::read_to_string(app.0.join("millennium.toml")).unwrap();
    toml = toml.replace(
        "[allowlist.dialog]",
        "[[windows]]\nlabel = \"other\"\ntitle = \"Other\"\n\n[allowlist.dialog]",
    );
    std::fs::write(app.0.join("millennium.toml"), toml).unwrap();
    let driven = Driven::launch(&app.0);
    let home = driven.home().to_owned();
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_ed25519"), "KEY").unwrap();
    let key = home.join(".ssh/id_ed25519").display().to_string();
    let main = driven
        .window_handles()
        .into_iter()
        .find(|h| {
            driven.switch_to_window(h);
            driven.execute("return Millennium.window.getCurrent().label;") == json!("main")
        })
        .expect("the main window");

    driven.start(&format!(
        "Millennium.dialog.open({{ title: 'Open your notes', defaultPath: {} }})",
        json!(key)
    ));
    assert_eq!(
        driven.outcome(),
        json!({"err": format!("defaultPath `{key}` is neither inside the fs scope (allowlist.fs.scope) nor in one of your standard folders")})
    );
    assert!(
        !driven.window_titled_exists("Open your notes"),
        "no dialog was shown"
    );

    // Home itself, recursively: refused, and nothing joins the scope.
    driven.start(&format!(
            "Millennium.dialog.open({{ title: 'Pick a folder', directory: true, recursive: true, defaultPath: {} }})",
            json!(home)
        ),
    );
    let shown =
        driven.try_execute("return window.__outcome === undefined ? null : window.__outcome;");
    assert_eq!(shown, Ok(json!(null)), "the dialog was shown");
    driven.answer_file_dialog("Pick a folder", "", true);
    let refused = driven.outcome();
    assert!(
        refused["err"]
            .as_str()
            .is_some_and(|e| e.contains("holds your whole home folder")),
        "{refused}"
    );
    let read_key = format!("return await Millennium.fs.readTextFile({})", json!(key));
    assert!(
        driven
            .run(&read_key)
            .is_err_and(|e| e.contains("outside the fs scope"))
    );

    // A file picked in `main` is readable there, not in `other`.
    let picked = TempDir::new("host-dialog-e2e-window");
    let file = picked.write("mine.md", "mine").display().to_string();
    driven.start("Millennium.dialog.open({ title: 'Pick a note' })");
    driven.answer_file_dialog("Pick a note", &file, true);
    assert_eq!(driven.outcome(), json!({"ok": file}));
    let read = format!("return await Millennium.fs.readTextFile({})", json!(file));
    assert_eq!(driven.run(&read), Ok(json!("mine")));
    let other = driven
        .window_handles()
        .into_iter()
        .find(|h| *h != main)
        .expect("other");
    driven.switch_to_window(&other);
    let elsewhere = driven.run(&read);
    assert!(
        elsewhere
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope")),
        "{elsewhere:?}"
    );
}
