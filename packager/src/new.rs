//! `millennium new NAME`: scaffold an app that passes `check`, `build` and
//! runs. The templates (`packager/templates/app/`) are embedded with
//! rust-embed; the schema and the JS API declarations are embedded from their
//! single sources, so a scaffold always matches the CLI that wrote it. The
//! app appears whole or not at all: it is written into a temporary directory
//! beside the target and renamed into place.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rust_embed::RustEmbed;

/// The app template. `{{name}}` and `{{identifier}}` are replaced in text
/// files, escaped for the file's language.
#[derive(RustEmbed)]
#[folder = "templates/app/"]
struct AppTemplate;

/// The schema of `millennium.toml`, written to `.millennium/` so the
/// `#:schema` line works offline and matches this CLI.
const SCHEMA: &str = include_str!("../../millennium.schema.json");

/// The TypeScript declarations of `window.Millennium`.
const DECLARATIONS: &str = millennium_host::bridge::DECLARATIONS;

/// Where the schema copy lives inside a scaffolded app.
pub const SCHEMA_PATH: &str = ".millennium/millennium.schema.json";

/// Why an app could not be scaffolded.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The name cannot be an app name and a directory name.
    #[error("invalid app name {name:?}: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The target exists and is not an empty directory.
    #[error("{} already exists and is not empty; choose another name or --dir", .0.display())]
    TargetExists(PathBuf),
    /// The parent directory is missing.
    #[error("the directory {} does not exist", .0.display())]
    NoParent(PathBuf),
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Runs `millennium new`: prints where the app went and what to do next.
pub fn run(name: &str, parent: &Path) -> anyhow::Result<ExitCode> {
    let target = scaffold(parent, name).context("cannot create the app")?;
    eprintln!("created {}", target.display());
    eprintln!(
        "next: millennium check {0}    millennium dev {0}    millennium build {0}",
        target.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates `parent/name` with a new app and returns its path.
pub fn scaffold(parent: &Path, name: &str) -> Result<PathBuf, NewError> {
    validate_name(name)?;
    if !parent.is_dir() {
        return Err(NewError::NoParent(parent.to_owned()));
    }
    let target = parent.join(name);
    match std::fs::read_dir(&target).map(|mut entries| entries.next().is_none()) {
        Ok(true) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Ok(false) | Err(_) => return Err(NewError::TargetExists(target)),
    }
    let files = files(name)?;
    let temp = parent.join(format!(".{name}.new-{}", std::process::id()));
    let result = write_tree(&temp, &files).and_then(|()| {
        // rename(2) replaces an empty directory, so an empty target is fine.
        std::fs::rename(&temp, &target).map_err(|source| NewError::Io {
            path: target.clone(),
            source,
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    result.map(|()| target)
}

/// The files of a new app named `name`: relative path and contents.
pub fn files(name: &str) -> Result<Vec<(String, Vec<u8>)>, NewError> {
    validate_name(name)?;
    let identifier = format!("com.example.{}", slug(name));
    let mut files = Vec::new();
    for path in AppTemplate::iter() {
        let Some(file) = AppTemplate::get(&path) else {
            continue;
        };
        let bytes = file.data.into_owned();
        let bytes = match std::str::from_utf8(&bytes) {
            Ok(text) if text.contains("{{") => {
                let escape: fn(&str) -> String = if path.ends_with(".toml") {
                    toml_string_content
                } else if path.ends_with(".html") {
                    html_text
                } else {
                    str::to_owned
                };
                text.replace("{{name}}", &escape(name))
                    .replace("{{identifier}}", &identifier)
                    .into_bytes()
            }
            _ => bytes,
        };
        files.push((path.into_owned(), bytes));
    }
    files.push((SCHEMA_PATH.to_owned(), SCHEMA.as_bytes().to_vec()));
    files.push((
        "millennium.d.ts".to_owned(),
        DECLARATIONS.as_bytes().to_vec(),
    ));
    files.sort();
    Ok(files)
}

fn write_tree(root: &Path, files: &[(String, Vec<u8>)]) -> Result<(), NewError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| NewError::Io { path, source }
    };
    std::fs::create_dir(root).map_err(io(root))?;
    for (relative, bytes) in files {
        let path = root.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    Ok(())
}

/// A name must work as the app's name and as a directory name.
fn validate_name(name: &str) -> Result<(), NewError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.contains(['/', '\\']) {
        Some("it contains a path separator; use --dir to choose where the app goes")
    } else if name == "." || name == ".." {
        Some("it names a directory that already exists")
    } else if name.starts_with('.') {
        Some("it starts with a dot (a hidden directory)")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else if name.trim() != name {
        Some("it starts or ends with whitespace")
    } else if name.chars().count() > 128 {
        Some("it is longer than 128 characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(NewError::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// `My Notes` -> `my-notes`, for the identifier's last segment. A name with
/// non-ASCII letters becomes `app` rather than a mangled spelling.
pub fn slug(name: &str) -> String {
    if name.chars().any(|c| !c.is_ascii() && c.is_alphanumeric()) {
        return "app".to_owned();
    }
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "app".to_owned()
    } else {
        slug.to_owned()
    }
}

/// The inside of a TOML basic string (`"..."` or `"""..."""`).
fn toml_string_content(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Text escaped for HTML content and attribute values.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(files: &[(String, Vec<u8>)], path: &str) -> String {
        let (_, bytes) = files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("{path} is not scaffolded"));
        String::from_utf8(bytes.clone()).unwrap()
    }

    #[test]
    fn scaffold_has_schema_line_declarations_and_frontend() {
        let files = files("My Notes").unwrap();
        let toml = file(&files, "millennium.toml");
        assert_eq!(
            toml.lines().next(),
            Some("#:schema .millennium/millennium.schema.json")
        );
        assert!(toml.contains("name = \"My Notes\""));
        assert!(toml.contains("identifier = \"com.example.my-notes\""));
        assert_eq!(file(&files, SCHEMA_PATH), SCHEMA);
        assert_eq!(file(&files, "millennium.d.ts"), DECLARATIONS);
        assert!(
            file(&files, "dist/main.js")
                .starts_with("/// <reference path=\"../millennium.d.ts\" />")
        );
        let html = file(&files, "dist/index.html");
        assert!(html.contains("<script src=\"main.js\"></script>"));
        assert!(!html.contains("{{"));
        assert!(files.iter().any(|(p, _)| p == "icon.png"));
    }

    #[test]
    fn names_are_escaped_for_each_language() {
        let files = files("Say \"hi\" <b>").unwrap();
        let text = file(&files, "millennium.toml");
        assert!(text.contains(r#"name = "Say \"hi\" <b>""#), "{text}");
        assert!(
            file(&files, "dist/index.html").contains("<title>Say &quot;hi&quot; &lt;b&gt;</title>")
        );
    }

    #[test]
    fn scaffold_loads_and_refuses_a_non_empty_target() {
        let parent =
            std::env::temp_dir().join(format!("millennium-new-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).unwrap();
        let name = "Say \"hi\" & <b>";
        let app = scaffold(&parent, name).unwrap();
        let loaded = millennium_config::load(&app).unwrap();
        assert_eq!(loaded.config.app.name, name);
        assert!(matches!(
            scaffold(&parent, name),
            Err(NewError::TargetExists(_))
        ));
        let entries: Vec<_> = std::fs::read_dir(&parent).unwrap().collect();
        assert_eq!(entries.len(), 1, "a refused scaffold left something behind");
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "a/b", "a\\b", ".", "..", ".hidden", " pad", "tab\tname"] {
            assert!(
                matches!(files(name), Err(NewError::InvalidName { .. })),
                "{name:?} accepted"
            );
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("demo"), "demo");
        assert_eq!(slug("My  Great App!"), "my-great-app");
        assert_eq!(slug("Ünïcode"), "app");
        assert_eq!(slug("2048"), "2048");
        assert_eq!(slug("!!"), "app");
    }
}
