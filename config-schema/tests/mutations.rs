//! No input panics the loader: every fixture, mutated (truncated, bytes
//! flipped, lines duplicated), goes through the whole pipeline and comes
//! back as `Ok` or diagnostics.

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/config");
    let mut out = Vec::new();
    for kind in ["valid", "invalid"] {
        for entry in std::fs::read_dir(root.join(kind)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.parent().unwrap().to_owned(), bytes));
            }
        }
    }
    assert!(out.len() > 45);
    out
}

fn feed(bytes: &[u8], base: &Path) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let result = millennium_config::load_str(text, base);
        if let Err(diagnostics) = result {
            assert!(
                !diagnostics.is_empty(),
                "an error always carries a diagnostic"
            );
            for d in &diagnostics {
                if let Some(span) = &d.span {
                    assert!(
                        span.start <= text.len() + 1,
                        "span {span:?} beyond the text: {d:?}"
                    );
                }
                // Rendering must not panic either, whatever the spans.
                let source = millennium_config::SourceFile {
                    name: "m.toml".into(),
                    text: text.into(),
                };
                millennium_config::render(
                    &source,
                    std::slice::from_ref(d),
                    millennium_config::Format::Human,
                    false,
                );
            }
        }
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    for (base, bytes) in fixtures() {
        for cut in 0..bytes.len() {
            feed(&bytes[..cut], &base);
        }
    }
}

#[test]
fn byte_flipped_fixtures_never_panic() {
    for (base, bytes) in fixtures() {
        for position in 0..bytes.len() {
            for replacement in [
                b'"', b'[', b']', b'=', b'\n', b'{', b'\'', b'.', b'\\', 0u8, 0xff,
            ] {
                let mut mutated = bytes.clone();
                mutated[position] = replacement;
                feed(&mutated, &base);
            }
        }
    }
}

#[test]
fn duplicated_lines_never_panic() {
    for (base, bytes) in fixtures() {
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for index in 0..lines.len() {
            let mut mutated = lines.clone();
            mutated.insert(index, lines[index]);
            feed(mutated.join("\n").as_bytes(), &base);
        }
    }
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let dir = std::env::temp_dir().join(format!("millennium-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("millennium.toml"), b"[app]\nname = \"\xff\xfe\"\n").unwrap();
    let error = millennium_config::load(&dir).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    match error {
        millennium_config::LoadError::Invalid { diagnostics, .. } => {
            assert!(diagnostics[0].message.contains("UTF-8"));
            assert_eq!(diagnostics[0].span, Some(14..15));
        }
        other => panic!("expected diagnostics, got {other}"),
    }
}
