//! Updates that succeed: a properly signed v2, a key rotation, and the
//! built-in dialog at start.

use super::*;

#[test]
fn v2_properly_signed_updates_relaunches_as_v2_and_reports_healthy() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("signed");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    // The manifest exactly as `millennium build --base-url` wrote it.
    let latest: Value = serde_json::from_slice(&v2.latest).expect("latest.json is JSON");
    assert_eq!(
        latest["platforms"][platform()]["url"],
        json!(fixture.server.file_url()),
        "latest.json points at <base-url>/<exe>"
    );
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    let check = check_update(&driven).unwrap_or_else(|e| panic!("checkUpdate() rejected: {e}"));
    assert_eq!(check["shouldUpdate"], json!(true), "checkUpdate(): {check}");
    assert_eq!(
        check["manifest"]["version"],
        json!("2.0.0"),
        "checkUpdate(): {check}"
    );
    let requests = fixture.server.requests();
    assert!(
        requests.contains(&format!("{}?current=1.0.0", manifest_path())),
        "the endpoint's {{{{target}}}}, {{{{arch}}}} and {{{{current_version}}}} must be substituted; \
         the server saw {requests:?}"
    );
    fixture
        .server
        .assert_nothing_downloaded("checkUpdate() alone");

    assert_updated("v2 properly signed", &driven, &installed, &v1, &v2, pid);
}

#[test]
fn key_rotation_v1_trusting_a_and_b_accepts_v2_signed_by_b() {
    require_gui!();
    let _gui = gui_lock();
    let fixture = Fixture::new("rotation");
    let key_b = keygen(&fixture.scratch, "b");
    let trusted = [fixture.key_a.public.as_str(), key_b.public.as_str()];
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &trusted, &fixture.key_a);
    let installed = install(&v1, "rotation");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key_b.public], &key_b);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    assert_updated(
        "key rotation (v2 signed by B)",
        &driven,
        &installed,
        &v1,
        &v2,
        pid,
    );
}

/// `check-on-start` with the built-in dialog: v1 finds v2 at start and asks
/// in a native box; Enter ("Install") updates it, as a person would, and a
/// progress box follows the (slow) download: its title climbs through
/// percentages until v2 runs.
#[test]
fn check_on_start_asks_with_the_built_in_dialog_and_shows_progress_until_v2_runs() {
    require_gui!();
    let _gui = gui_lock();
    let asked = ask_and_install("dialog", |body| Reply::Slow { body });
    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while process_alive(asked.pid) && Instant::now() < deadline {
        for title in progress_titles(&asked.driven) {
            if seen.last() != Some(&title) {
                seen.push(title);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !process_alive(asked.pid),
        "v1 exits once v2 runs (saw {seen:?})"
    );
    let percents: Vec<u32> = seen
        .iter()
        .filter_map(|t| {
            t.strip_prefix(&format!("Updating {APP_NAME}: "))?
                .strip_suffix('%')
        })
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("a percentage: {seen:?}"))
        })
        .collect();
    assert!(
        percents.iter().filter(|&&p| p > 0 && p < 100).count() >= 2,
        "the progress box shows the download moving: {seen:?}"
    );
    assert!(
        percents.windows(2).all(|w| w[0] <= w[1]),
        "never backwards: {seen:?}"
    );
    let now = std::fs::read(&asked.installed.exe).expect("the installed file");
    compare(&now, &asked.v2.bytes).unwrap_or_else(|diff| panic!("v2 is installed: {diff}"));
    let previous = asked
        .installed
        .exe
        .with_file_name(format!(".{EXE}.previous"));
    compare(
        &std::fs::read(previous).expect(".previous"),
        &asked.v1.bytes,
    )
    .unwrap_or_else(|diff| panic!("v1 is kept as .previous: {diff}"));
    assert_eq!(
        asked.installed.pids().len(),
        1,
        "v2 runs from the installed path"
    );
}

/// The built-in dialog when the download breaks off: the progress box
/// turns into the reason, Enter closes it, and v1 runs on, unchanged.
#[test]
fn the_built_in_dialog_says_why_an_update_failed_and_v1_keeps_running() {
    require_gui!();
    let _gui = gui_lock();
    let asked = ask_and_install("dialog-fails", |body| Reply::Truncated { body });
    let failed = format!("Update of {APP_NAME} failed");
    asked.driven.focus_window_titled(&failed);
    asked.driven.press(&["Return"]);
    crate::support::wait_for(Duration::from_secs(10), "Close closes the box", || {
        !asked.driven.window_titled_exists(&failed)
    });
    assert!(process_alive(asked.pid), "v1 keeps running");
    compare(
        &std::fs::read(&asked.installed.exe).expect("the installed file"),
        &asked.v1.bytes,
    )
    .unwrap_or_else(|diff| panic!("v1 is left as it was: {diff}"));
    assert_eq!(
        asked.driven.execute("return document.readyState"),
        json!("complete"),
        "the page still answers"
    );
}

/// The titles of the visible progress boxes (`Updating <app>: 42%`).
fn progress_titles(driven: &Driven) -> Vec<String> {
    let pattern = format!("^Updating {APP_NAME}: ");
    let Ok(ids) = driven.xdotool(&["search", "--onlyvisible", "--name", &pattern]) else {
        return Vec::new();
    };
    ids.lines()
        .filter_map(|id| driven.xdotool(&["getwindowname", id]).ok())
        .collect()
}

/// A v1 that checks at start and asks with the built-in dialog, a v2 whose
/// file is served as `file` says, and the dialog answered with Enter
/// ("Install"). Fields drop in order: the driver, then v1's processes.
struct Asked {
    driven: Driven,
    pid: u32,
    _cleanup: KillOnDrop,
    installed: Installed,
    v1: Release,
    v2: Release,
    _fixture: Fixture,
}

fn ask_and_install(tag: &str, file: impl FnOnce(Arc<Vec<u8>>) -> Reply) -> Asked {
    let fixture = Fixture::new(tag);
    fixture.ask_on_start.set(true);
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let installed = install(&v1, tag);
    let cleanup = KillOnDrop(installed.exe.clone());
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), file(v2.bytes.clone()));
    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    driven.focus_window_titled(&format!("Update {APP_NAME}"));
    fixture
        .server
        .assert_nothing_downloaded("the dialog before its answer");
    driven.press(&["Return"]);
    Asked {
        driven,
        pid,
        _cleanup: cleanup,
        installed,
        v1,
        v2,
        _fixture: fixture,
    }
}
