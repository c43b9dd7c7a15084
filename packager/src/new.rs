//! `millennium new NAME [--template vanilla|vite]`: scaffold an app that
//! passes `check`, `build` and runs. The templates (`packager/templates/app/`,
//! plain files with no build step, and `packager/templates/vite/`, a Vite
//! project with its lockfile) are embedded with rust-embed; the schema and
//! the JS API declarations are embedded from their single sources, and the
//! Vite template's `src/millennium.js` is generated from those declarations,
//! so a scaffold always matches the CLI that wrote it. The app appears whole
//! or not at all: it is written into a temporary directory beside the target
//! and renamed into place.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rust_embed::RustEmbed;

/// The plain template. `{{name}}` and `{{identifier}}` are replaced in text
/// files, escaped for the file's language.
#[derive(RustEmbed)]
#[folder = "templates/app/"]
struct AppTemplate;

/// The Vite template: the same placeholders, and `{{package}}` (the npm
/// package name) in `package.json` and `package-lock.json`. Its icon is the
/// plain template's.
#[derive(RustEmbed)]
#[folder = "templates/vite/"]
struct ViteTemplate;

/// Which template `millennium new` starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Template {
    /// HTML, JS and CSS in dist/, served as they are: no build step, no npm.
    #[default]
    Vanilla,
    /// A Vite project (index.html, src/, vite.config.js, package.json and its
    /// lockfile): `millennium dev` starts Vite with HMR, `millennium build`
    /// runs `vite build` into dist/.
    Vite,
}

/// The schema of `millennium.toml`, written to `.millennium/` so the
/// `#:schema` line works offline and matches this CLI.
const SCHEMA: &str = include_str!("../../millennium.schema.json");

/// The TypeScript declarations of `window.Millennium`.
const DECLARATIONS: &str = millennium_host::bridge::DECLARATIONS;

/// Where the Vite template's module of the API goes.
pub const MODULE_PATH: &str = "src/millennium.js";

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
    /// The CLI's own API declarations could not be turned into
    /// `src/millennium.js` (a bug in this build of Millennium).
    #[error("internal error: cannot make src/millennium.js from millennium.d.ts: {0}")]
    Declarations(String),
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
pub fn run(name: &str, parent: &Path, template: Template) -> anyhow::Result<ExitCode> {
    let target = scaffold(parent, name, template).context("cannot create the app")?;
    eprintln!("created {}", target.display());
    match template {
        Template::Vanilla => eprintln!(
            "next: millennium check {0}    millennium dev {0}    millennium build {0}",
            target.display()
        ),
        Template::Vite => eprintln!(
            "next: cd {} && npm install && millennium dev    (then: millennium build)",
            shell_word(&target.display().to_string())
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `text` as one word for `sh`, quoted only when it needs to be.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-+,:@%".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Creates `parent/name` with a new app from `template` and returns its path.
pub fn scaffold(parent: &Path, name: &str, template: Template) -> Result<PathBuf, NewError> {
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
    let files = files(name, template)?;
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

/// The files of a new app named `name` made from `template`: relative path
/// and contents, sorted by path.
pub fn files(name: &str, template: Template) -> Result<Vec<(String, Vec<u8>)>, NewError> {
    validate_name(name)?;
    let identifier = format!("com.example.{}", slug(name));
    let embedded = match template {
        Template::Vanilla => embedded::<AppTemplate>(),
        Template::Vite => {
            let mut files = embedded::<ViteTemplate>();
            files.retain(|(path, _)| !is_tool_output(path));
            files.extend(
                embedded::<AppTemplate>()
                    .into_iter()
                    .filter(|(p, _)| p == "icon.png"),
            );
            files
        }
    };
    let mut files = Vec::new();
    for (path, bytes) in embedded {
        let bytes = match std::str::from_utf8(&bytes) {
            Ok(text) if text.contains("{{") => {
                let escape: fn(&str) -> String = if path.ends_with(".toml") {
                    toml_string_content
                } else if path.ends_with(".html") {
                    html_text
                } else {
                    str::to_owned
                };
                // The npm name is a slug: nothing in it needs escaping in JSON.
                text.replace("{{name}}", &escape(name))
                    .replace("{{identifier}}", &identifier)
                    .replace("{{package}}", &slug(name))
                    .into_bytes()
            }
            _ => bytes,
        };
        files.push((path, bytes));
    }
    files.push((SCHEMA_PATH.to_owned(), SCHEMA.as_bytes().to_vec()));
    files.push((
        "millennium.d.ts".to_owned(),
        DECLARATIONS.as_bytes().to_vec(),
    ));
    if template == Template::Vite {
        files.push((
            MODULE_PATH.to_owned(),
            api_module(DECLARATIONS)?.into_bytes(),
        ));
    }
    files.sort();
    Ok(files)
}

/// Every file of template `T`.
fn embedded<T: RustEmbed>() -> Vec<(String, Vec<u8>)> {
    T::iter()
        .filter_map(|path| {
            let file = T::get(&path)?;
            Some((path.into_owned(), file.data.into_owned()))
        })
        .collect()
}

/// `node_modules/...` or `dist/...` in the Vite template's folder: what npm
/// or Vite left there had someone run them in it (the folder's `.gitignore`
/// keeps them out of git), never a template file.
fn is_tool_output(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or_default();
    matches!(first, "node_modules" | "dist") && path.contains('/')
}

/// The text of `src/millennium.js`: `window.Millennium`, as one named export
/// per member of the `Api` interface of `declarations` (the d.ts the CLI
/// ships) and the whole object as the default export, each typed through
/// JSDoc against `../millennium.d.ts`.
pub fn api_module(declarations: &str) -> Result<String, NewError> {
    let namespaces = api_members(declarations);
    if namespaces.is_empty() {
        return Err(NewError::Declarations(
            "no member of `interface Api` found".to_owned(),
        ));
    }
    let mut out = format!(
        "// Written by `millennium new` (Millennium {version}) from millennium.d.ts:\n\
         // `window.Millennium`, which the host injects into the app's pages before\n\
         // any script runs, as ES module exports for bundlers:\n\
         //   import {{ fs, dialog }} from \"./millennium.js\";\n\
         // Each export has the type of its namespace in ../millennium.d.ts. A newer\n\
         // Millennium may add namespaces: `millennium new` writes this file afresh.\n\
         /// <reference path=\"../millennium.d.ts\" />\n\
         // @ts-check\n\
         \n\
         /** @type {{Millennium.Api | undefined}} */\n\
         const api = globalThis.Millennium;\n\
         if (!api) {{\n\
         \x20 throw new Error(\n\
         \x20   \"window.Millennium is missing: this page is not running in a Millennium app \" +\n\
         \x20     \"(open it with `millennium dev`, not in a browser)\",\n\
         \x20 );\n\
         }}\n\
         \n\
         /** The whole API, `window.Millennium`. */\n\
         export default api;\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    for namespace in &namespaces {
        if !is_plain_identifier(namespace) {
            return Err(NewError::Declarations(format!(
                "`{namespace}` cannot be the name of an export"
            )));
        }
        out.push_str(&format!(
            "\n/** @type {{Millennium.Api[\"{namespace}\"]}} */\n\
             export const {namespace} = api.{namespace};\n"
        ));
    }
    Ok(out)
}

/// The property names of every `interface Api { ... }` block, in order: the
/// namespaces of `window.Millennium` (each API adds its own block). Comments
/// and string literals are skipped; members nested in braces, brackets or
/// parentheses are not the interface's own.
pub fn api_members(declarations: &str) -> Vec<String> {
    let code = blank_comments_and_strings(declarations);
    let mut names = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = find_word(rest, "interface") {
        rest = &rest[at + "interface".len()..];
        let Some(body) = rest
            .trim_start()
            .strip_prefix("Api")
            .map(str::trim_start)
            .and_then(|after| after.strip_prefix('{'))
        else {
            continue;
        };
        let mut depth = 0usize;
        let mut member = String::new();
        let mut end = body.len();
        for (index, c) in body.char_indices() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' if depth == 0 => {
                    end = index;
                    break;
                }
                '}' | ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && matches!(c, ';' | ',' | '\n') {
                push_new(&mut names, property_name(&member));
                member.clear();
            } else if depth == 0 || (depth == 1 && matches!(c, '{' | '(' | '[')) {
                member.push(c);
            }
        }
        push_new(&mut names, property_name(&member));
        rest = &body[end..];
    }
    names
}

fn push_new(names: &mut Vec<String>, name: Option<String>) {
    if let Some(name) = name
        && !names.contains(&name)
    {
        names.push(name);
    }
}

/// `readonly fs: Fs` -> `fs`; `fs?: Fs` -> `fs`; anything else (a method,
/// an index signature, nothing) -> `None`.
fn property_name(member: &str) -> Option<String> {
    let member = member.trim();
    let member = member
        .strip_prefix("readonly")
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .map_or(member, str::trim_start);
    let end = member
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(member.len());
    let (name, after) = member.split_at(end);
    let after = after.trim_start();
    (!name.is_empty() && (after.starts_with(':') || after.starts_with("?:")))
        .then(|| name.to_owned())
}

/// The byte offset of `word` in `text` where it is a whole word.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// `text` with comments and the contents of string literals replaced by
/// spaces (line breaks kept), so that braces or words inside them do not
/// count.
fn blank_comments_and_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    out.push(if c == '\n' { '\n' } else { ' ' });
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' | '\'' | '`' => {
                out.push(c);
                let quote = c;
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        chars.next();
                        out.push_str("  ");
                    } else if c == quote {
                        out.push(c);
                        break;
                    } else {
                        out.push(if c == '\n' { '\n' } else { ' ' });
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A name `export const NAME` accepts: an ASCII identifier that is not a
/// reserved word.
fn is_plain_identifier(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "api",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !RESERVED.contains(&name)
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
        let files = files("My Notes", Template::Vanilla).unwrap();
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
        let files = files("Say \"hi\" <b>", Template::Vanilla).unwrap();
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
        let app = scaffold(&parent, name, Template::Vanilla).unwrap();
        let loaded = millennium_config::load(&app).unwrap();
        assert_eq!(loaded.config.app.name, name);
        assert!(matches!(
            scaffold(&parent, name, Template::Vite),
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
                matches!(
                    files(name, Template::Vite),
                    Err(NewError::InvalidName { .. })
                ),
                "{name:?} accepted"
            );
        }
    }

    fn json(files: &[(String, Vec<u8>)], path: &str) -> serde_json::Value {
        serde_json::from_str(&file(files, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn vite_scaffold_is_a_vite_project_wired_to_the_hooks() {
        let files = files("My <Vite> App", Template::Vite).unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            ".gitignore",
            ".millennium/millennium.schema.json",
            "README.md",
            "icon.png",
            "index.html",
            "millennium.d.ts",
            "millennium.toml",
            "package-lock.json",
            "package.json",
            "src/main.js",
            "src/millennium.js",
            "src/style.css",
            "vite.config.js",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        assert!(paths.iter().all(|p| !is_tool_output(p)), "{paths:?}");

        let package = json(&files, "package.json");
        assert_eq!(package["name"], "my-vite-app");
        assert_eq!(package["scripts"]["dev"], "vite");
        assert_eq!(package["scripts"]["build"], "vite build");
        let pinned = package["devDependencies"]["vite"].as_str().unwrap();
        assert!(
            semver::Version::parse(pinned).is_ok(),
            "vite is not pinned to one version: {pinned}"
        );
        // `npm ci` refuses a lockfile that disagrees with package.json.
        let lock = json(&files, "package-lock.json");
        assert_eq!(lock["name"], "my-vite-app");
        assert_eq!(lock["packages"][""]["name"], "my-vite-app");
        assert_eq!(lock["packages"][""]["devDependencies"]["vite"], pinned);
        assert_eq!(lock["packages"]["node_modules/vite"]["version"], pinned);
        // Written with --omit-lockfile-registry-resolved: npm ci fetches from
        // whichever registry the author configured.
        assert!(!file(&files, "package-lock.json").contains("\"resolved\""));

        let toml = file(&files, "millennium.toml");
        assert!(toml.contains("name = \"My <Vite> App\""));
        assert!(toml.contains("frontend = \"dist\""));
        assert!(toml.contains("dev-url = \"http://127.0.0.1:5173\""));
        assert!(toml.contains("before-dev-command = \"npm run dev\""));
        assert!(toml.contains("before-build-command = \"npm run build\""));
        let config = file(&files, "vite.config.js");
        for setting in [
            "const port = 5173;",
            "base: \"./\"",
            "host: \"127.0.0.1\"",
            "strictPort: true",
            "hmr: { host: \"127.0.0.1\", port }",
            "outDir: \"dist\"",
        ] {
            assert!(config.contains(setting), "vite.config.js lacks {setting}");
        }
        let html = file(&files, "index.html");
        assert!(
            html.contains("<title>My &lt;Vite&gt; App</title>"),
            "{html}"
        );
        assert!(html.contains("<script type=\"module\" src=\"/src/main.js\"></script>"));
        assert!(file(&files, "src/main.js").contains("from \"./millennium.js\";"));
        assert_eq!(file(&files, MODULE_PATH), api_module(DECLARATIONS).unwrap());
        let ignored = file(&files, ".gitignore");
        assert!(ignored.lines().any(|l| l == "node_modules/"), "{ignored}");
        assert!(ignored.lines().any(|l| l == "dist/"), "{ignored}");
        for (path, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            for placeholder in ["{{name}}", "{{identifier}}", "{{package}}"] {
                assert!(!text.contains(placeholder), "{placeholder} left in {path}");
            }
        }
    }

    #[test]
    fn vite_scaffold_loads_before_it_is_built() {
        let parent =
            std::env::temp_dir().join(format!("millennium-new-vite-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).unwrap();
        let app = scaffold(&parent, "Vite Unit", Template::Vite).unwrap();
        use millennium_config::Purpose;
        for purpose in [Purpose::BeforeBuild, Purpose::DevServer] {
            let loaded = millennium_config::load_for(&app, purpose).unwrap();
            assert_eq!(
                loaded.config.app.dev_url.as_deref(),
                Some("http://127.0.0.1:5173")
            );
        }
        // Serving needs the built pages.
        assert!(millennium_config::load(&app).is_err());
        std::fs::create_dir(app.join("dist")).unwrap();
        std::fs::write(app.join("dist/index.html"), "<!doctype html>").unwrap();
        millennium_config::load(&app).unwrap();
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn the_api_module_exports_every_namespace_of_the_declarations() {
        let namespaces = api_members(DECLARATIONS);
        let registry: Vec<&str> = millennium_host::ipc::router::NAMESPACES.to_vec();
        assert_eq!(namespaces, registry);
        let module = api_module(DECLARATIONS).unwrap();
        assert!(module.contains("/// <reference path=\"../millennium.d.ts\" />"));
        assert!(module.contains("const api = globalThis.Millennium;"));
        assert!(module.contains("export default api;"));
        for namespace in &namespaces {
            assert!(
                module.contains(&format!(
                    "/** @type {{Millennium.Api[\"{namespace}\"]}} */\nexport const {namespace} = api.{namespace};\n"
                )),
                "{namespace} is not exported"
            );
        }
        assert_eq!(module.matches("export const ").count(), namespaces.len());
    }

    #[test]
    fn api_members_reads_only_the_api_interfaces_own_properties() {
        let dts = r#"
            // interface Api { readonly commented: X }
            /* interface Api {
                 readonly alsoCommented: X } */
            interface ApiLike { readonly notApi: X }
            interface Api {
              /** Has { braces } in its doc. */
              readonly fs: Fs;
              readonly odd: "a } b" | 'c { d';
              readonly sidecar: (name: string) => Sidecar;
              readonly nested: { readonly inner: number; other: string };
              optional?: Opt, method(): Promise<void>;
              [key: string]: unknown;
            }
            interface Other { readonly notEither: X }
            interface Api {
              readonly fs: Fs;
              tail: T
            }
        "#;
        assert_eq!(
            api_members(dts),
            ["fs", "odd", "sidecar", "nested", "optional", "tail"]
        );
    }

    #[test]
    fn api_module_refuses_declarations_it_cannot_export() {
        assert!(matches!(
            api_module("interface Other { readonly fs: Fs }"),
            Err(NewError::Declarations(_))
        ));
        let error = api_module("interface Api { readonly delete: X }").unwrap_err();
        assert!(error.to_string().contains("`delete`"), "{error}");
        assert!(api_module("interface Api { readonly ok: X }").is_ok());
    }

    #[test]
    fn next_steps_quote_what_the_shell_would_split() {
        assert_eq!(shell_word("./notes"), "./notes");
        assert_eq!(shell_word("./My App"), "'./My App'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
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
