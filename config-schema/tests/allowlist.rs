//! The allowlist is deny by default, and every command key the gate knows
//! is a key the schema (and so the toml) accepts.

use millennium_config::model::Allowlist;

fn config(allowlist: &str) -> millennium_config::Config {
    let text = format!(
        "[app]\nname = \"A\"\nidentifier = \"com.example.a\"\nfrontend = \".\"\n{allowlist}"
    );
    let dir = tempdir();
    std::fs::write(dir.join("index.html"), "").unwrap();
    millennium_config::load_str(&text, &dir).unwrap_or_else(|e| panic!("{e:?}"))
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("millennium-allowlist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn everything_is_denied_by_default() {
    let config = config("");
    let keys: Vec<_> = Allowlist::keys().collect();
    assert!(
        keys.len() > 50,
        "expected Tauri v1 parity, got {} keys",
        keys.len()
    );
    for (category, command) in keys {
        assert_eq!(
            config.allowlist.allows(category, command),
            Some(false),
            "{category}.{command}"
        );
    }
}

#[test]
fn each_key_enables_only_itself() {
    for (category, command) in Allowlist::keys() {
        let config = config(&format!("[allowlist.{category}]\n{command} = true\n"));
        for (other_category, other_command) in Allowlist::keys() {
            let expected = (other_category, other_command) == (category, command);
            assert_eq!(
                config.allowlist.allows(other_category, other_command),
                Some(expected),
                "{category}.{command} = true must not change {other_category}.{other_command}"
            );
        }
    }
}

#[test]
fn category_all_and_global_all() {
    let config = config("[allowlist.fs]\nall = true\n");
    assert_eq!(config.allowlist.allows("fs", "remove-dir"), Some(true));
    assert_eq!(config.allowlist.allows("process", "exit"), Some(false));
    let config = config_all();
    assert!(Allowlist::keys().all(|(c, k)| config.allowlist.allows(c, k) == Some(true)));
}

fn config_all() -> millennium_config::Config {
    config("[allowlist]\nall = true\n")
}

#[test]
fn unknown_keys_are_none() {
    let config = config("");
    assert_eq!(config.allowlist.allows("fs", "format-disk"), None);
    assert_eq!(config.allowlist.allows("nope", "exit"), None);
}

#[test]
fn shell_open_pattern_forms() {
    let flag = config("[allowlist.shell]\nopen = true\n");
    assert!(flag.allowlist.shell.open.pattern().is_some());
    let pattern = config("[allowlist.shell]\nopen = '^https://example\\.com/'\n");
    assert_eq!(
        pattern.allowlist.shell.open.pattern(),
        Some("^https://example\\.com/")
    );
    assert_eq!(pattern.allowlist.allows("shell", "open"), Some(true));
    let off = config("");
    assert!(off.allowlist.shell.open.pattern().is_none());
    assert_eq!(off.allowlist.allows("shell", "open"), Some(false));
}
