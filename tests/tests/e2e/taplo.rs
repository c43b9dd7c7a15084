//! An editor-side client nobody here wrote must agree with us: the Taplo CLI
//! (the engine of Even Better TOML) validates every sample app through its
//! `#:schema` line, accepts every valid fixture, and rejects every invalid
//! fixture that breaks syntax or schema (semantic rules are ours alone).
//!
//! Taplo is pinned in `tests/taplo/package.json`; `make test` installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use millennium_e2e::repo_root;

/// Invalid fixtures Taplo accepts because our loader is stricter than JSON
/// schema can be: TOML datetimes are refused by us, but Taplo's schema
/// check sees them as strings.
const STRICTER_THAN_TAPLO: &[&str] = &["syntax-datetime.toml"];

fn taplo() -> PathBuf {
    let path = repo_root().join("tests/taplo/node_modules/.bin/taplo");
    assert!(
        path.is_file(),
        "Taplo is not installed: run `npm ci --prefix tests/taplo` (make test does it)"
    );
    path
}

fn lint(file: &Path, with_schema_flag: bool) -> (bool, String) {
    let mut command = Command::new(taplo());
    command
        .arg("lint")
        .current_dir(file.parent().unwrap())
        .env("RUST_LOG", "error");
    if with_schema_flag {
        let schema = repo_root().join("millennium.schema.json");
        command
            .arg("--schema")
            .arg(format!("file://{}", schema.display()));
    }
    let out = command
        .arg(file.file_name().unwrap())
        .output()
        .expect("taplo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tomls(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn taplo_validates_every_sample_through_its_schema_line() {
    let mut count = 0;
    for entry in std::fs::read_dir(repo_root().join("sample-apps")).unwrap() {
        let toml = entry.unwrap().path().join("millennium.toml");
        if !toml.is_file() {
            continue;
        }
        count += 1;
        // No --schema flag: Taplo must find the schema from `#:schema`.
        let (ok, log) = lint(&toml, false);
        assert!(ok, "Taplo rejects {}:\n{log}", toml.display());
    }
    assert!(count >= 1);
}

#[test]
fn taplo_uses_the_schema_line_and_would_catch_a_mistake() {
    // Guards against a #:schema line Taplo silently ignores: the same sample
    // with an unknown key must fail.
    let hello = repo_root().join("sample-apps/hello/millennium.toml");
    let dir = std::env::temp_dir().join(format!("millennium-taplo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = repo_root().join("millennium.schema.json");
    let text = std::fs::read_to_string(&hello).unwrap();
    let body = text.split_once('\n').unwrap().1;
    let broken = dir.join("millennium.toml");
    std::fs::write(
        &broken,
        format!("#:schema {}\n{body}\nbogus-key = 1\n", schema.display()),
    )
    .unwrap();
    let (ok, log) = lint(&broken, false);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok, "Taplo accepted an unknown key:\n{log}");
    assert!(log.contains("bogus-key"), "{log}");
}

#[test]
fn taplo_accepts_every_valid_fixture() {
    for file in tomls(&repo_root().join("tests/fixtures/config/valid")) {
        let (ok, log) = lint(&file, true);
        assert!(ok, "Taplo rejects {}:\n{log}", file.display());
    }
}

#[test]
fn taplo_rejects_every_syntax_and_schema_error() {
    let mut checked = 0;
    for file in tomls(&repo_root().join("tests/fixtures/config/invalid")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("semantic-") || STRICTER_THAN_TAPLO.contains(&name.as_str()) {
            continue;
        }
        checked += 1;
        let (ok, _) = lint(&file, true);
        assert!(
            !ok,
            "Taplo accepts {name}, which we reject: the schema is too loose"
        );
    }
    assert!(checked >= 30, "only {checked} fixtures checked");
}
