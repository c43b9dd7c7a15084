//! `millennium info`: what a bug report needs, for people and as JSON, with
//! the problems known for this machine's setup.

use millennium_e2e::{bin, repo_root};
use serde_json::Value;
use std::process::Command;

fn info(args: &[&str], env: &[(&str, &str)], remove: &[&str]) -> (String, String) {
    let mut command = Command::new(bin("millennium"));
    command.arg("info").args(args);
    for key in remove {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    let output = crate::support::run_within(&mut command, std::time::Duration::from_secs(60));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn problems(report: &Value) -> Vec<String> {
    report["known-problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["problem"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn info_reports_versions_services_and_the_app_as_json() {
    let notes = repo_root().join("sample-apps/notes");
    let (out, _) = info(&[notes.to_str().unwrap(), "--format", "json"], &[], &[]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["cli"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report["host"]["found"], true);
    assert_eq!(report["host"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        report["webkitgtk"]
            .as_str()
            .is_some_and(|v| v.starts_with("2.")),
        "{report}"
    );
    assert!(
        report["gtk"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{report}"
    );
    let app = &report["app"];
    assert_eq!(app["valid"], true);
    assert_eq!(app["name"], "Notes");
    assert_eq!(app["windows"][0]["label"], "main");
    assert_eq!(app["windows"][0]["menu"], "main");
    assert_eq!(app["updater"]["active"], false);
    assert_eq!(app["sidecars"], serde_json::json!(["search"]));
    let keys: Vec<&str> = app["granted-keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"allowlist.fs.read-file") && keys.contains(&"allowlist.menu.popup"),
        "{keys:?}"
    );
    assert!(!keys.contains(&"allowlist.shell.execute"), "{keys:?}");
}

#[test]
fn info_names_the_known_problems_of_this_setup_with_their_workaround() {
    // Wayland, and no session bus: both are said, each with what to do.
    let (out, _) = info(
        &["--format", "json"],
        &[
            ("WAYLAND_DISPLAY", "wayland-9"),
            ("XDG_SESSION_TYPE", "wayland"),
        ],
        &["DBUS_SESSION_BUS_ADDRESS"],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["display"]["server"], "wayland");
    assert_eq!(report["session-bus"], false);
    assert!(report["app"].is_null());
    let said = problems(&report);
    assert!(
        said.iter()
            .any(|p| p.starts_with("Wayland lets no program grab keys")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|p| p.starts_with("no session bus")),
        "{said:?}"
    );
    assert!(
        report["known-problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["workaround"].is_string())
    );

    // No display at all.
    let (out, _) = info(&["--format", "json"], &[], &["WAYLAND_DISPLAY", "DISPLAY"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(
        problems(&report)
            .iter()
            .any(|p| p.starts_with("no display"))
    );
}

#[test]
fn info_for_people_lists_the_same_and_an_invalid_app_points_to_check() {
    let notes = repo_root().join("sample-apps/notes");
    let (out, _) = info(&[notes.to_str().unwrap()], &[], &[]);
    for line in [
        "millennium ",
        "webkitgtk ",
        "display ",
        "granted keys ",
        "updater ",
        "menus ",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "no `{line}` line in:\n{out}"
        );
    }
    let broken = repo_root().join("tests/fixtures/config/invalid/semantic-desktop.toml");
    let (out, _) = info(&[broken.to_str().unwrap(), "--format", "json"], &[], &[]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["app"]["valid"], false);
    assert_eq!(report["app"]["problems"], 15);
}
