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
use serde_json::{Value, json};

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

/// Starts `call` (a JS expression giving a promise) without waiting; the
/// outcome lands in `window.__outcome`.
fn start(driven: &Driven, call: &str) {
    driven.execute(&format!(
        "window.__outcome = undefined;
         {call}.then((v) => {{ window.__outcome = {{ ok: v === undefined ? null : v }}; }},
                     (e) => {{ window.__outcome = {{ err: String(e && e.message || e) }}; }});
         return null;"
    ));
}

fn outcome(driven: &Driven) -> Value {
    driven.wait_until("window.__outcome !== undefined", Duration::from_secs(20));
    driven.execute("return window.__outcome")
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
    start(
        &driven,
        r#"Millennium.dialog.open({ title: "Pick a note",
              filters: [{ name: "Markdown", extensions: ["md"] }] })"#,
    );
    driven.answer_file_dialog("Pick a note", &picked, true);
    assert_eq!(outcome(&driven), json!({"ok": picked}));
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
    start(&driven, r#"Millennium.dialog.open({ title: "Cancel me" })"#);
    driven.focus_window_titled("Cancel me");
    driven.press(&["Escape"]);
    assert_eq!(outcome(&driven), json!({"ok": null}));

    // Save: a new file the user names becomes writable.
    let target = outside.0.join("exported.md");
    let target = target.to_str().unwrap().to_owned();
    start(
        &driven,
        r#"Millennium.dialog.save({ title: "Export note", defaultPath: "note.md" })"#,
    );
    // The name field has focus with `note.md` in it: replace it by a path.
    driven.answer_file_dialog("Export note", &target, false);
    assert_eq!(outcome(&driven), json!({"ok": target}));
    let write = driven.run(&format!(
        "await Millennium.fs.writeTextFile({}, 'exported'); return 'written'",
        json!(target)
    ));
    assert_eq!(write, Ok(json!("written")));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "exported");

    // A picked directory: its direct children, not deeper.
    std::fs::create_dir_all(outside.0.join("dir/deeper")).unwrap();
    outside.write("dir/a.txt", "a");
    outside.write("dir/deeper/b.txt", "b");
    let dir = outside.0.join("dir").to_str().unwrap().to_owned();
    // GTK completes a typed folder name to its only subfolder, so start the
    // dialog in the folder (defaultPath) and accept it as shown.
    start(
        &driven,
        &format!(
            r#"Millennium.dialog.open({{ title: "Pick a folder", directory: true, defaultPath: {} }})"#,
            json!(dir)
        ),
    );
    driven.answer_file_dialog("Pick a folder", "", true);
    assert_eq!(outcome(&driven), json!({"ok": dir}));
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
    start(
        &driven,
        r#"Millennium.dialog.ask("Delete the note?", { title: "Ask yes" })"#,
    );
    driven.focus_window_titled("Ask yes");
    driven.press(&["Return"]);
    assert_eq!(outcome(&driven), json!({"ok": true}));
    start(&driven, r#"Millennium.dialog.ask("Delete?", "Ask no")"#);
    driven.focus_window_titled("Ask no");
    driven.press(&["Escape"]);
    assert_eq!(outcome(&driven), json!({"ok": false}));
    start(
        &driven,
        r#"Millennium.dialog.message("Saved.", { title: "Told", type: "info" })"#,
    );
    driven.focus_window_titled("Told");
    driven.press(&["Return"]);
    assert_eq!(outcome(&driven), json!({"ok": null}));

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
