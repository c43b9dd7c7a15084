//! The sample apps, packaged with `millennium build` and used as a person
//! would: notes (the flagship) creates, edits, previews, saves, exports and
//! imports notes through real GTK dialogs and keyboard shortcuts, and shows
//! the open note in the window title; multiwindow opens a window and talks
//! to it through events; api-tour shows results and denials. Notes also
//! finds notes by their text through its packed Python sidecar; tray-timer
//! lives in the tray (seen through a stand-in panel on the session bus) and
//! answers its tray menu and global shortcuts.
//!
//! Each app is copied to a scratch directory, packaged, its sources are
//! deleted, and the executable runs under WebKitWebDriver. A screenshot of
//! the notes app with a note open is kept at
//! `target/screenshots/notes-open.png` for a person to look at.

use std::path::PathBuf;
use std::time::Duration;

use crate::host_desktop_e2e::{Watcher, labels};
use crate::support::{Driven, TempDir, build_packaged, gui_lock};
use serde_json::{Value, json};

/// Copies `sample-apps/<name>`, packages it, deletes the copy.
fn packaged(name: &str, scratch: &TempDir) -> PathBuf {
    let source = millennium_e2e::repo_root().join("sample-apps").join(name);
    let app = scratch.0.join("app");
    millennium_e2e::copy_dir(&source, &app);
    let exe = build_packaged(&app, &scratch.0.join("out"));
    std::fs::remove_dir_all(&app).unwrap();
    exe
}

/// Saves what the X screen shows as `target/<profile>/screenshots/<name>`
/// once it has more than 50 colours (or after 10 s); returns its colour
/// count.
fn keep_screenshot(driven: &Driven, scratch: &TempDir, name: &str) -> u64 {
    let shots = millennium_e2e::target_dir().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (png, colours) = crate::support::until_painted(50, &scratch.0, || driven.screen_png());
    std::fs::write(shots.join(name), &png).unwrap();
    colours
}

fn ok(result: Result<Value, String>) -> Value {
    result.unwrap_or_else(|e| panic!("the page rejected: {e}"))
}

#[test]
fn notes_app_edits_saves_exports_imports_with_dialogs_and_shortcuts() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-notes");
    let exe = packaged("notes", &scratch);
    let driven = Driven::launch_packaged(&exe);
    ok(driven.run("await window.notesApp.ready; return null;"));

    // First run: the notes folder and a welcome note.
    assert_eq!(
        ok(driven.run("return await window.notesApp.list();")),
        json!(["welcome.md"])
    );

    // A new note, typed, previewed, saved to $APPDATA/notes.
    let name = ok(driven.run("return await window.notesApp.newNote('Groceries');"));
    assert_eq!(name, json!("Groceries.md"));
    let text = "# Groceries\n\n- **milk**\n- eggs\n\n<script>window.pwned = 1</script>\n\n[site](javascript:alert(1))";
    ok(driven.run(&format!(
        "await window.notesApp.setText({}); return null;",
        json!(text)
    )));
    // Unsaved: the title says so; saved: it does not.
    assert!(driven.window_titled_exists("• Groceries.md — Notes"));
    ok(driven.run("await window.notesApp.save(); return null;"));
    driven.wait_until("document.title !== ''", Duration::from_secs(5));
    assert!(
        driven.window_titled_exists("Groceries.md — Notes"),
        "the window title shows the open note"
    );
    let saved = ok(driven.run(
        "return await Millennium.fs.readTextFile('notes/Groceries.md', \
         { dir: Millennium.fs.BaseDirectory.AppData });",
    ));
    assert_eq!(saved, json!(text));
    let preview = ok(driven.run("return await window.notesApp.previewHtml();"));
    let preview = preview.as_str().unwrap();
    assert!(preview.contains("<h1"), "{preview}");
    assert!(preview.contains("<strong>milk</strong>"), "{preview}");
    assert!(!preview.contains("<script"), "markup is escaped: {preview}");
    assert!(!preview.contains("href=\"javascript"), "{preview}");
    assert_eq!(
        driven.execute("return window.pwned === undefined"),
        json!(true)
    );
    assert_eq!(
        ok(driven.run("return await window.notesApp.list();")),
        json!(["Groceries.md", "welcome.md"])
    );

    // A person looks at it.
    let colours = keep_screenshot(&driven, &scratch, "notes-open.png");
    assert!(
        colours > 50,
        "the window shows the note ({colours} colours)"
    );

    // Its menu bar, File open, for a person to look at.
    driven.focus_window_titled("Groceries.md — Notes");
    driven.press(&["alt+f"]);
    std::thread::sleep(Duration::from_millis(700));
    keep_screenshot(&driven, &scratch, "notes-menu-bar.png");
    driven.press(&["Escape"]);

    // Ctrl+Shift+S exports through the save dialog to a path the user picks.
    let files = TempDir::new("sample-notes-files");
    let exported = files.0.join("groceries-export.md");
    driven.focus_window_titled("Groceries.md — Notes");
    driven.press(&["ctrl+shift+s"]);
    driven.answer_file_dialog("Export note", exported.to_str().unwrap(), false);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !exported.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), text);

    // Ctrl+O imports a file from anywhere through the open dialog.
    let outside = files.write("Reading list.md", "# Reading\n\n1. Dune\n");
    driven.focus_window_titled("Groceries.md — Notes");
    driven.press(&["ctrl+o"]);
    driven.answer_file_dialog("Import a Markdown file", outside.to_str().unwrap(), true);
    driven.wait_until(
        "document.querySelectorAll('*').length > 0",
        Duration::from_secs(5),
    );
    let mut imported = Value::Null;
    for _ in 0..50 {
        imported = ok(driven.run("return await window.notesApp.current();"));
        if imported == json!("Reading list.md") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(imported, json!("Reading list.md"));
    assert!(driven.window_titled_exists("Reading list.md — Notes"));

    // Ctrl+P hides the preview and shows it again.
    let preview_hidden = "return document.querySelector('#preview').closest('[hidden]') !== null \
                          || getComputedStyle(document.querySelector('#preview')).display === 'none'";
    assert_eq!(driven.execute(preview_hidden), json!(false));
    driven.focus_window_titled("Reading list.md — Notes");
    driven.press(&["ctrl+p"]);
    driven.wait_until(
        "getComputedStyle(document.querySelector('#preview')).display === 'none' \
         || document.querySelector('#preview').closest('[hidden]') !== null",
        Duration::from_secs(5),
    );
    driven.press(&["ctrl+p"]);
    driven.wait_until(
        "getComputedStyle(document.querySelector('#preview')).display !== 'none' \
         && document.querySelector('#preview').closest('[hidden]') === null",
        Duration::from_secs(5),
    );

    // Outside the notes folder, nothing was granted beyond the picked files.
    let other = files.write("private.md", "private");
    let refused = driven.run(&format!(
        "return await Millennium.fs.readTextFile({});",
        json!(other)
    ));
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("outside the fs scope")),
        "{refused:?}"
    );
}

/// Notes opened from outside, packaged: a Markdown file and a
/// `notes://open?name=...` link on its command line become an imported
/// note and the note the link names; a second launch of Notes with another
/// file hands it to the running window (one copy runs) and exits 0. The
/// screenshot is kept at `target/screenshots/notes-opened.png`.
#[test]
fn notes_app_opens_files_and_links_given_to_it_and_runs_once() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-notes-opened");
    let exe = packaged("notes", &scratch);
    let files = TempDir::new("sample-notes-files");
    let trip = files.write("Trip.md", "# Trip\n\nPack the tent.\n");
    let driven =
        Driven::launch_packaged_with(&exe, &[trip.to_str().unwrap(), "notes://open?name=welcome"]);
    ok(driven.run("await window.notesApp.ready; return null;"));
    driven.wait_until(
        "document.getElementById('status').textContent.includes('from a link')",
        Duration::from_secs(15),
    );
    assert_eq!(
        ok(driven.run("return await window.notesApp.current();")),
        json!("welcome.md")
    );
    let list = ok(driven.run("return await window.notesApp.list();"));
    assert!(
        list.as_array().unwrap().contains(&json!("Trip.md")),
        "{list}"
    );

    let later = files.write("Later.md", "# Later\n\nOpened by a second launch.\n");
    let second = std::process::Command::new(&exe)
        .arg("Later.md")
        .current_dir(&files.0)
        .env("XDG_RUNTIME_DIR", driven.runtime_dir())
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("a second launch");
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    driven.wait_until(
        "document.getElementById('status').textContent.includes('Later.md')",
        Duration::from_secs(15),
    );
    assert_eq!(
        ok(driven.run("return await window.notesApp.current();")),
        json!("Later.md")
    );
    assert_eq!(
        driven.execute("return document.getElementById('editor').value;"),
        json!(std::fs::read_to_string(&later).unwrap())
    );
    assert!(keep_screenshot(&driven, &scratch, "notes-opened.png") > 50);
}

/// The filter box searches the notes' text through the packed Python
/// sidecar (SQLite FTS5): a saved note is found by a word in its body, the
/// snippet marks the match, a renamed note is found under its new name and
/// a deleted one is gone. The screenshot with results shown is kept at
/// `target/screenshots/notes-search.png`.
#[test]
fn notes_app_finds_notes_by_their_text_through_its_sidecar() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-notes-search");
    let exe = packaged("notes", &scratch);
    let driven = Driven::launch_packaged(&exe);
    ok(driven.run("await window.notesApp.ready; return null;"));
    ok(driven.run(
        "const n = window.notesApp;
         await n.newNote('Groceries');
         await n.setText('# Groceries\\n\\n- oat milk\\n- eggs\\n- crème fraîche');
         await n.save();
         await n.newNote('Trip');
         await n.setText('Pack the tent, the stove and the maps.');
         await n.save();
         return null;",
    ));
    // The index is told after each save (a notification): poll briefly.
    let mut found = Value::Null;
    for _ in 0..50 {
        found = ok(driven.run("return await window.notesApp.filter('milk');"));
        if found.as_array().is_some_and(|hits| !hits.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(found[0]["name"], json!("Groceries.md"), "{found}");
    assert!(
        found[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("oat milk")),
        "{found}"
    );
    assert_eq!(
        driven.execute("return document.querySelector('#note-list mark').textContent"),
        json!("milk")
    );
    // Accents do not matter, every word must match, and names filter as before.
    let accents = ok(driven.run("return await window.notesApp.filter('creme fraiche');"));
    assert_eq!(accents[0]["name"], json!("Groceries.md"), "{accents}");
    let both = ok(driven.run("return await window.notesApp.filter('tent maps');"));
    assert_eq!(both.as_array().map(Vec::len), Some(1), "{both}");
    assert_eq!(both[0]["name"], json!("Trip.md"));

    // A person looks at the results.
    ok(driven.run("return await window.notesApp.filter('milk');"));
    // The first paint of the window can still show the list before the search.
    std::thread::sleep(Duration::from_millis(1500));
    let colours = keep_screenshot(&driven, &scratch, "notes-search.png");
    assert!(
        colours > 50,
        "the window shows the results ({colours} colours)"
    );

    drop(driven);
}

#[test]
fn multiwindow_app_opens_a_window_and_talks_to_it() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-multiwindow");
    let exe = packaged("multiwindow", &scratch);
    let driven = Driven::launch_packaged(&exe);
    let main = driven.window_handles();
    assert_eq!(main.len(), 1);
    ok(driven.run("await window.multiApp.ready; return null;"));
    let label = ok(driven.run("return await window.multiApp.openChild();"));
    let label = label.as_str().unwrap().to_owned();
    ok(driven.run(&format!(
        "await window.multiApp.sendTo({}, 'just for you'); \
         await window.multiApp.broadcast('for everyone'); return null;",
        json!(label)
    )));
    let handles = driven.window_handles();
    assert_eq!(handles.len(), 2);
    let child = handles.iter().find(|h| !main.contains(h)).unwrap();
    driven.switch_to_window(child);
    driven.wait_until(
        "window.childApp && window.childApp.received().length === 2",
        Duration::from_secs(10),
    );
    assert_eq!(
        driven.execute("return window.childApp.received()"),
        json!(["just for you", "for everyone"])
    );
    ok(driven.run("await window.childApp.reply('thanks'); return null;"));
    driven.switch_to_window(&main[0]);
    driven.wait_until(
        "window.multiApp.replies().length === 1",
        Duration::from_secs(10),
    );
    assert_eq!(
        driven.execute("return window.multiApp.replies()"),
        json!([{"from": label, "text": "thanks"}])
    );
}

#[test]
fn api_tour_shows_results_and_denials() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-api-tour");
    let exe = packaged("api-tour", &scratch);
    let driven = Driven::launch_packaged_with(&exe, &["--verbose", "tour://hello"]);
    let cards = ok(driven.run("return window.tour.cards;"));
    let cards: Vec<String> = serde_json::from_value(cards).unwrap();
    for expected in [
        "app",
        "os",
        "path",
        "event",
        "window",
        "fs",
        "dialog",
        "shell",
        "http",
        "clipboard",
        "notification",
        "process",
        "sidecar",
        "launch",
    ] {
        assert!(cards.iter().any(|c| c == expected), "no card {expected}");
    }
    let launch = ok(driven.run("return await window.tour.run('launch', 0);"));
    assert_eq!(
        launch["value"],
        json!({ "matches": { "args": { "verbose": { "value": true, "occurrences": 1 } }, "subcommand": null },
                "links": ["tour://hello"] }),
        "{launch}"
    );
    let refused = ok(driven.run("return await window.tour.run('launch', 2);"));
    assert_eq!(
        refused["error"],
        json!("allowlist.autostart.enable is not enabled in millennium.toml"),
        "{refused}"
    );
    // The Node sidecar, packed into the executable.
    let add = ok(driven.run("return await window.tour.run('sidecar', 0);"));
    assert_eq!(add["ok"], json!(true), "{add}");
    assert_eq!(add["value"]["sum"], json!(9), "{add}");
    assert!(
        add["value"]["info"]["node"]
            .as_str()
            .is_some_and(|v| v.starts_with('v')),
        "{add}"
    );
    let echoed = ok(driven.run("return await window.tour.run('sidecar', 1);"));
    assert!(echoed["value"]["heard"]["at"].is_string(), "{echoed}");
    let refused = ok(driven.run("return await window.tour.run('sidecar', 2);"));
    assert_eq!(refused["ok"], json!(false), "{refused}");
    assert_eq!(
        refused["error"],
        json!("method `exit` of sidecar `tour` is not in its `[allowlist.sidecar] scope` entry")
    );
    let os = ok(driven.run("return await window.tour.run('os', 0);"));
    assert_eq!(os["ok"], json!(true), "{os}");
    let exit = ok(driven.run("return await window.tour.run('process', 0);"));
    assert_eq!(exit["ok"], json!(false), "{exit}");
    assert!(
        exit["error"]
            .as_str()
            .is_some_and(|e| e.contains("allowlist.process")),
        "{exit}"
    );
    // The page shows the outcome to the person, not only to the hook.
    let shown = driven.execute("return document.body.innerText");
    assert!(
        shown
            .as_str()
            .is_some_and(|t| t.contains("allowlist.process")),
        "the denial is on screen"
    );
}

#[test]
fn tray_timer_lives_in_the_tray_and_answers_its_menu_and_shortcuts() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("sample-tray-timer");
    let exe = packaged("tray-timer", &scratch);
    let driven = Driven::launch_packaged(&exe);
    let bus = driven
        .session_bus_address()
        .expect("the driver's session bus");
    let watcher = Watcher::start(&bus);
    crate::support::wait_for(Duration::from_secs(20), "the tray never registered", || {
        watcher.registered()
    });
    let item = watcher.wait_item(|item| item["XAyatanaLabel"] == json!("25:00"));
    assert_eq!(
        labels(&item),
        ["Show or hide the timer", "Start", "Reset", "Quit"]
    );

    // Start from the tray's menu: the time runs, the item says Pause.
    watcher.click("Start");
    let item = watcher.wait_item(|item| labels(item).contains(&"Pause".to_owned()));
    assert!(
        item["Title"].as_str().unwrap().starts_with("Work"),
        "{item}"
    );
    let running = watcher.wait_item(|item| {
        item["XAyatanaLabel"]
            .as_str()
            .is_some_and(|t| t.starts_with("24:"))
    });
    assert!(
        running["Title"].as_str().unwrap().contains("left"),
        "{running}"
    );
    let colours = keep_screenshot(&driven, &scratch, "tray-timer.png");
    assert!(
        colours > 50,
        "the window shows the timer ({colours} colours)"
    );

    // The declared global shortcut pauses it, whichever window has the focus.
    driven
        .xdotool(&["key", "--clearmodifiers", "ctrl+alt+p"])
        .unwrap();
    watcher.wait_item(|item| labels(item).contains(&"Resume".to_owned()));
    // The one the page registered resets it.
    driven
        .xdotool(&["key", "--clearmodifiers", "ctrl+alt+r"])
        .unwrap();
    watcher.wait_item(|item| {
        labels(item).contains(&"Start".to_owned()) && item["XAyatanaLabel"] == json!("25:00")
    });
}
