//! `millennium check` against the fixture corpus: every valid config passes,
//! every invalid one fails with exactly the problems it declares, at the
//! declared line and column.

use std::path::{Path, PathBuf};

use millennium_e2e::{assert_lines, expectations, millennium, repo_root, stderr};

fn fixtures(kind: &str) -> (PathBuf, Vec<String>) {
    let dir = repo_root().join("tests/fixtures/config").join(kind);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture dir exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    (dir, names)
}

#[test]
fn valid_fixtures_pass() {
    let (dir, names) = fixtures("valid");
    assert!(names.len() >= 5);
    for name in names {
        let out = millennium(&dir, &["check", &name]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name} should be valid:\n{}",
            stderr(&out)
        );
    }
}

#[test]
fn invalid_fixtures_fail_with_their_expected_errors() {
    let (dir, names) = fixtures("invalid");
    assert!(
        names.len() >= 40,
        "the corpus needs at least 40 invalid configs, has {}",
        names.len()
    );
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let expected = expectations(&text);
        assert!(!expected.is_empty(), "{name} declares no `# expect:` line");
        let out = millennium(&dir, &["check", &name, "--format", "short"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name} should be invalid:\n{}",
            stderr(&out)
        );
        let prefix = format!("{name}:");
        let got: Vec<String> = stderr(&out)
            .lines()
            .map(|l| {
                l.strip_prefix(&prefix)
                    .unwrap_or(l)
                    .replacen(": error: ", ": ", 1)
            })
            .collect();
        assert_lines(&name, &expected, &got);
    }
}

#[test]
fn human_format_shows_location_source_caret_key_and_hint() {
    let dir = repo_root().join("tests/fixtures/config/invalid");
    let out = millennium(
        &dir,
        &["check", "unknown-window-key.toml", "--color", "never"],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    for needle in [
        "error: unknown key `alway-on-top` in `windows[0]`",
        "unknown-window-key.toml:7:1",
        "alway-on-top = true",
        "^^^^^^^^^^^^ unknown key",
        "key: windows[0].alway-on-top",
        "hint: did you mean `always-on-top`?",
        "found 1 problem",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(
        !text.contains('\u{1b}'),
        "no colour when not asked and not a terminal"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = repo_root().join("tests/fixtures/config/invalid");
    let piped = millennium(&dir, &["check", "enum-theme.toml"]);
    assert!(
        !stderr(&piped).contains('\u{1b}'),
        "auto must not colour a pipe"
    );
    let forced = millennium(&dir, &["check", "enum-theme.toml", "--color", "always"]);
    assert!(
        stderr(&forced).contains('\u{1b}'),
        "--color always must colour"
    );
}

#[test]
fn several_problems_are_all_reported() {
    let dir = repo_root().join("tests/fixtures/config/invalid");
    let out = millennium(
        &dir,
        &["check", "semantic-many-problems.toml", "--color", "never"],
    );
    assert!(
        stderr(&out).contains("found 3 problems"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    let root = repo_root();
    for args in [
        &["check", "--format", "xml"][..],
        &["frobnicate"],
        &["check", "a", "b"],
    ] {
        let out = millennium(&root, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn missing_path_is_a_clear_error() {
    let root = repo_root();
    let out = millennium(&root, &["check", "no/such/app"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no/such/app: no such file or directory"),
        "{}",
        stderr(&out)
    );
    let out = millennium(&root, &["check", "tests"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no millennium.toml in this directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn huge_config_is_refused_without_hanging() {
    let dir = std::env::temp_dir().join(format!("millennium-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut text = String::from("[app]\nname = \"Huge\"\nidentifier = \"com.example.huge\"\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(dir.join("millennium.toml"), &text).unwrap();
    let out = millennium(&dir, &["check", "."]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("may be at most 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_sample_app_checks() {
    let samples = repo_root().join("sample-apps");
    let mut count = 0;
    for entry in std::fs::read_dir(&samples).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("millennium.toml").is_file() {
            continue;
        }
        count += 1;
        let out = millennium(&repo_root(), &["check", dir.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}:\n{}",
            dir.display(),
            stderr(&out)
        );
        let text = std::fs::read_to_string(dir.join("millennium.toml")).unwrap();
        assert!(
            text.starts_with("#:schema "),
            "{} must start with a #:schema line for editors",
            dir.display()
        );
    }
    assert!(count >= 1);
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let out = millennium(Path::new("."), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let checked_in = std::fs::read_to_string(repo_root().join("millennium.schema.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), checked_in);
}
