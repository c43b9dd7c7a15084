//! The `[allowlist.fs] scope` matcher, built once from the config.
//!
//! # Globs
//!
//! A glob may start with a base directory variable (`$APPDATA/notes/**`,
//! `$HOME/Documents/*.md`); the variable is replaced by the directory on this
//! machine (canonicalised, and taken literally: its characters are never glob
//! syntax). A glob whose variable has no directory here matches nothing.
//! After expansion a glob must be absolute. Each `/`-separated part is
//! compiled with `globset` (literal separator), so `*`, `?`, `[..]` and
//! `{a,b}` never cross a `/` (alternates may not contain `/`); a part that is
//! exactly `**` matches any number of directories.
//!
//! # The directory itself vs its contents
//!
//! - `"$APPDATA/notes"` matches the directory `notes` itself, and nothing in it.
//! - `"$APPDATA/notes/**"` matches everything inside `notes` at any depth,
//!   but **not** `notes` itself (a trailing `**` matches one or more parts;
//!   a leading or middle one matches zero or more).
//! - So an app that lists or creates `$APPDATA/notes` *and* reads and writes
//!   the files in it needs both: `allow = ["$APPDATA/notes", "$APPDATA/notes/**"]`.
//!
//! # Deny wins
//!
//! A path matched by any `deny` glob is refused even when an `allow` glob
//! matches it. With `require-literal-leading-dot`, `*`, `?`, `[..]` and `**`
//! never match a part starting with `.`; only a glob part that itself starts
//! with `.` does (`$APPDATA/.config` or `$APPDATA/.*`).
//!
//! # Paths the user picked
//!
//! A file picked in an open or save dialog joins the scope for the rest of
//! the run ([`FsScope::grant`]); a picked directory joins with its direct
//! children, or everything inside it when the dialog asked for `recursive`.
//! `deny` globs still win. Nothing is remembered after the app exits.
//!
//! # Candidate paths
//!
//! A path from the page is checked by [`FsScope::resolve`]: it must be free
//! of NUL bytes and at most [`MAX_PATH_BYTES`] long, absolute (or relative to
//! a base directory). The longest prefix that exists is canonicalised (every
//! symlink, `.` and `..` in it resolved by the OS), and the parts that do not
//! exist yet are appended, where `..` is refused and the first one must not
//! be a (dangling) symlink. The resulting path, not the one the page wrote,
//! is matched, so a symlink inside the scope that leads outside it is refused.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use globset::{GlobBuilder, GlobMatcher};
use millennium_config::BaseDirectory;

use crate::api::path::PathContext;

/// Longest path accepted from a page, in bytes (Linux's `PATH_MAX`).
pub const MAX_PATH_BYTES: usize = 4096;

/// A scope glob that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScopeError {
    /// Unknown `$VARIABLE`.
    #[error("fs scope glob `{glob}`: unknown base directory `${name}`")]
    UnknownVariable {
        /// The glob.
        glob: String,
        /// The variable.
        name: String,
    },
    /// Not absolute after expansion.
    #[error(
        "fs scope glob `{0}` must be absolute or start with a base directory such as `$APPDATA`"
    )]
    Relative(String),
    /// A part does not compile.
    #[error("fs scope glob `{glob}`: {reason}")]
    Invalid {
        /// The glob.
        glob: String,
        /// Why.
        reason: String,
    },
}

/// Why a path from the page was refused before any file was touched.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PathError {
    /// Empty, NUL byte, too long, `..` where it cannot be resolved, ...
    #[error("invalid path `{path}`: {reason}")]
    Invalid {
        /// The path as given (lossy).
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// The canonical path matches no allow glob, or a deny glob.
    #[error("path `{0}` is outside the fs scope (allowlist.fs.scope)")]
    OutsideScope(String),
    /// A base directory that this machine lacks.
    #[error("${0} has no directory on this system")]
    NoBaseDir(&'static str),
    /// The OS refused to resolve the existing part.
    #[error("cannot resolve `{path}`: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The OS error, in words.
        message: String,
    },
}

#[derive(Debug, Clone)]
enum Part {
    /// A part of an expanded base directory, matched byte for byte.
    Literal(OsString),
    /// A glob part; `dot` when it starts with a literal `.`.
    Glob { matcher: GlobMatcher, dot: bool },
    /// `**`.
    AnyDepth,
}

#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<Part>,
}

impl Pattern {
    fn matches(&self, path: &[&OsStr], literal_dot: bool) -> bool {
        // memo[i][j]: parts[i..] vs path[j..] already known not to match.
        let mut failed = vec![false; (self.parts.len() + 1) * (path.len() + 1)];
        self.match_from(0, 0, path, literal_dot, &mut failed)
    }

    fn match_from(
        &self,
        i: usize,
        j: usize,
        path: &[&OsStr],
        literal_dot: bool,
        failed: &mut [bool],
    ) -> bool {
        let slot = i * (path.len() + 1) + j;
        if failed[slot] {
            return false;
        }
        let hidden = |name: &OsStr| literal_dot && name.as_bytes().first() == Some(&b'.');
        let result = match self.parts.get(i) {
            None => j == path.len(),
            Some(Part::Literal(name)) => {
                path.get(j).is_some_and(|p| *p == name.as_os_str())
                    && self.match_from(i + 1, j + 1, path, literal_dot, failed)
            }
            Some(Part::Glob { matcher, dot }) => {
                path.get(j)
                    .is_some_and(|p| (*dot || !hidden(p)) && matcher.is_match(Path::new(p)))
                    && self.match_from(i + 1, j + 1, path, literal_dot, failed)
            }
            Some(Part::AnyDepth) => {
                // A trailing `**` needs at least one part: "contents, not the
                // directory itself".
                let min = usize::from(i + 1 == self.parts.len());
                let mut found = false;
                for take in min..=(path.len() - j) {
                    if take > 0 && hidden(path[j + take - 1]) {
                        break;
                    }
                    if self.match_from(i + 1, j + take, path, literal_dot, failed) {
                        found = true;
                        break;
                    }
                }
                found
            }
        };
        if !result {
            failed[slot] = true;
        }
        result
    }
}

/// The compiled fs scope, plus the paths the user picked in dialogs.
///
/// Clones share the picked paths: granting through one clone grants through
/// all of them.
#[derive(Debug, Clone, Default)]
pub struct FsScope {
    allow: Vec<Pattern>,
    deny: Vec<Pattern>,
    literal_dot: bool,
    granted: Arc<RwLock<Vec<Grant>>>,
}

/// What a path picked by the user in a dialog opens up, for the rest of
/// the run (nothing is written to disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// The path itself only (a picked file, or the file a save dialog names).
    Exact,
    /// The directory itself and its direct children.
    Directory,
    /// The directory itself and everything inside it, at any depth.
    Recursive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    path: PathBuf,
    kind: GrantKind,
}

impl Grant {
    fn covers(&self, canonical: &Path) -> bool {
        match self.kind {
            GrantKind::Exact => canonical == self.path,
            GrantKind::Directory => {
                canonical == self.path || canonical.parent() == Some(self.path.as_path())
            }
            GrantKind::Recursive => canonical.starts_with(&self.path),
        }
    }
}

impl FsScope {
    /// Compiles the config's scope, expanding base directories with `paths`.
    pub fn new(
        scope: &millennium_config::model::FsScope,
        paths: &PathContext,
    ) -> Result<FsScope, ScopeError> {
        let base = |dir: BaseDirectory| paths.base_dir(dir);
        let literal_dot = match scope {
            millennium_config::model::FsScope::Allow(_) => false,
            millennium_config::model::FsScope::Rules(rules) => rules.require_literal_leading_dot,
        };
        FsScope::from_globs(scope.allow(), scope.deny(), literal_dot, base)
    }

    /// Compiles globs, with `base` resolving the `$VARIABLES`.
    pub fn from_globs(
        allow: &[String],
        deny: &[String],
        literal_dot: bool,
        base: impl Fn(BaseDirectory) -> Option<PathBuf>,
    ) -> Result<FsScope, ScopeError> {
        let compile = |globs: &[String]| -> Result<Vec<Pattern>, ScopeError> {
            let mut out = Vec::new();
            for glob in globs {
                if let Some(pattern) = compile(glob, &base)? {
                    out.push(pattern);
                }
            }
            Ok(out)
        };
        Ok(FsScope {
            allow: compile(allow)?,
            deny: compile(deny)?,
            literal_dot,
            granted: Arc::default(),
        })
    }

    /// Adds a path the user picked in a dialog to the scope for the rest of
    /// the run. `deny` globs still win over it. The path is canonicalised
    /// first (as every candidate is), so a picked symlink grants its target.
    pub fn grant(&self, path: &Path, kind: GrantKind) -> Result<(), PathError> {
        let canonical = canonicalize_lenient(&path.to_string_lossy(), None)?;
        let grant = Grant {
            path: canonical,
            kind,
        };
        let mut granted = self.granted.write().unwrap_or_else(PoisonError::into_inner);
        if !granted.contains(&grant) {
            granted.push(grant);
        }
        Ok(())
    }

    /// Whether an absolute, canonical path is in the scope (deny wins).
    pub fn allows(&self, canonical: &Path) -> bool {
        let parts = normal_parts(canonical);
        if self.deny.iter().any(|p| p.matches(&parts, false)) {
            return false;
        }
        self.allow
            .iter()
            .any(|p| p.matches(&parts, self.literal_dot))
            || self
                .granted
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .any(|grant| grant.covers(canonical))
    }

    /// Whether a deny glob matches the path.
    pub fn denies(&self, path: &Path) -> bool {
        let parts = normal_parts(path);
        self.deny.iter().any(|p| p.matches(&parts, false))
    }

    /// Makes `path` absolute and canonical (see the module doc) and checks it
    /// against the scope. `base` is the directory of a `dir` option.
    pub fn resolve(&self, path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
        let resolved = canonicalize_lenient(path, base)?;
        if self.allows(&resolved) {
            Ok(resolved)
        } else {
            Err(PathError::OutsideScope(resolved.display().to_string()))
        }
    }
}

fn normal_parts(path: &Path) -> Vec<&OsStr> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect()
}

fn compile(
    glob: &str,
    base: &impl Fn(BaseDirectory) -> Option<PathBuf>,
) -> Result<Option<Pattern>, ScopeError> {
    let invalid = |reason: String| ScopeError::Invalid {
        glob: glob.to_owned(),
        reason,
    };
    let mut parts = Vec::new();
    let rest = match BaseDirectory::split(glob) {
        Ok(Some((dir, rest))) => {
            let Some(dir_path) = base(dir) else {
                return Ok(None);
            };
            // The base directory may not exist yet; canonicalise what does.
            let dir_path = canonicalize_lenient(&dir_path.to_string_lossy(), None)
                .map_err(|e| invalid(e.to_string()))?;
            for component in dir_path.components() {
                if let Component::Normal(name) = component {
                    parts.push(Part::Literal(name.to_owned()));
                }
            }
            rest
        }
        Ok(None) => {
            if !glob.starts_with('/') {
                return Err(ScopeError::Relative(glob.to_owned()));
            }
            glob
        }
        Err(name) => {
            return Err(ScopeError::UnknownVariable {
                glob: glob.to_owned(),
                name,
            });
        }
    };
    for part in rest.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." {
            return Err(invalid("`..` is not allowed in a scope glob".to_owned()));
        }
        if part == "**" {
            // `a/**/**/b` is the same as `a/**/b`.
            if !matches!(parts.last(), Some(Part::AnyDepth)) {
                parts.push(Part::AnyDepth);
            }
            continue;
        }
        let matcher = GlobBuilder::new(part)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| invalid(e.kind().to_string()))?
            .compile_matcher();
        parts.push(Part::Glob {
            matcher,
            dot: part.starts_with('.'),
        });
    }
    Ok(Some(Pattern { parts }))
}

/// Absolute and canonical, for a path that may not exist yet.
pub fn canonicalize_lenient(path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
    let invalid = |reason| PathError::Invalid {
        path: shorten(path),
        reason,
    };
    if path.is_empty() {
        return Err(invalid("empty"));
    }
    if path.contains('\0') {
        return Err(invalid("it contains a NUL byte"));
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(invalid("longer than 4096 bytes"));
    }
    let given = Path::new(path);
    let full = match base {
        Some(_) if given.is_absolute() => {
            return Err(invalid("an absolute path cannot be combined with `dir`"));
        }
        Some(base) => base.join(given),
        None if given.is_absolute() => given.to_owned(),
        None => {
            return Err(invalid(
                "relative paths need a base directory (`{ dir: BaseDirectory.AppData }`)",
            ));
        }
    };
    if full.as_os_str().len() > MAX_PATH_BYTES {
        return Err(invalid("longer than 4096 bytes"));
    }
    // Walk up to the nearest ancestor that exists.
    let mut existing = full.as_path();
    let mut missing: Vec<&OsStr> = Vec::new();
    let canonical = loop {
        match std::fs::canonicalize(existing) {
            Ok(canonical) => break canonical,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                // The last component does not exist (or is a dangling symlink).
                let Some(parent) = existing.parent() else {
                    return Err(invalid("no part of it exists"));
                };
                match existing.components().next_back() {
                    Some(Component::Normal(name)) => missing.push(name),
                    Some(Component::CurDir) => {}
                    _ => return Err(invalid("`..` in a part that does not exist")),
                }
                existing = parent;
            }
            Err(error) => {
                return Err(PathError::Io {
                    path: shorten(path),
                    message: io_message(&error),
                });
            }
        }
    };
    let mut out = canonical;
    let mut first = true;
    while let Some(name) = missing.pop() {
        out.push(name);
        if first {
            first = false;
            // canonicalize said NotFound, yet something is there: a
            // dangling symlink, which a write would follow.
            if std::fs::symlink_metadata(&out).is_ok() {
                return Err(invalid(
                    "it goes through a symlink whose target does not exist",
                ));
            }
        }
    }
    Ok(out)
}

fn shorten(path: &str) -> String {
    const LIMIT: usize = 200;
    if path.len() <= LIMIT {
        return path.replace('\0', "\\0");
    }
    let mut end = LIMIT;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", path[..end].replace('\0', "\\0"))
}

/// An OS error in words, without the `(os error N)` suffix.
pub fn io_message(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "not found".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::NotADirectory => "not a directory".to_owned(),
        io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        io::ErrorKind::AlreadyExists => "already exists".to_owned(),
        io::ErrorKind::DirectoryNotEmpty => "directory not empty".to_owned(),
        io::ErrorKind::InvalidFilename => "file name too long".to_owned(),
        io::ErrorKind::StorageFull => "no space left on device".to_owned(),
        io::ErrorKind::FileTooLarge => "file too large".to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => "read-only file system".to_owned(),
        _ => os_error_text(error),
    }
}

/// The OS's own words for `error`, without Rust's ` (os error N)` suffix.
pub fn os_error_text(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// A scratch directory for tests, removed on drop.
#[cfg(test)]
pub(crate) struct TestDir(pub PathBuf);

#[cfg(test)]
impl TestDir {
    pub(crate) fn new(tag: &str) -> TestDir {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let name: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("millennium-{tag}-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        TestDir(std::fs::canonicalize(&dir).unwrap())
    }
}

#[cfg(test)]
impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// `root/app` is `$APPDATA`; `root/outside` is not in any scope.
    fn layout() -> TestDir {
        let dir = TestDir::new("scope");
        let root = &dir.0;
        for d in ["app/notes/sub", "app/notes/private", "outside"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in [
            "app/secret.txt",
            "app/notes/a.md",
            "app/notes/sub/b.md",
            "app/notes/.hidden",
            "app/notes/private/k",
            "outside/x.txt",
        ] {
            fs::write(root.join(f), f).unwrap();
        }
        symlink(root.join("outside"), root.join("app/notes/link_out")).unwrap();
        symlink(
            root.join("outside/x.txt"),
            root.join("app/notes/link_file_out"),
        )
        .unwrap();
        symlink(
            root.join("app/notes/sub/b.md"),
            root.join("app/notes/link_in"),
        )
        .unwrap();
        symlink(
            root.join("outside/new.txt"),
            root.join("app/notes/dangling"),
        )
        .unwrap();
        symlink("../../secret.txt", root.join("app/notes/sub/rel_out")).unwrap();
        dir
    }

    use std::fs;

    fn scope(root: &Path, allow: &[&str], deny: &[&str], literal_dot: bool) -> FsScope {
        let app = root.join("app");
        FsScope::from_globs(&s(allow), &s(deny), literal_dot, move |dir| {
            (dir == BaseDirectory::AppData).then(|| app.clone())
        })
        .unwrap()
    }

    fn notes_scope(root: &Path, literal_dot: bool) -> FsScope {
        scope(
            root,
            &["$APPDATA/notes", "$APPDATA/notes/**"],
            &["$APPDATA/notes/private/**", "$APPDATA/**/*.key"],
            literal_dot,
        )
    }

    #[test]
    fn picked_paths_join_the_scope_for_the_run_and_deny_still_wins() {
        let dir = layout();
        let root = &dir.0;
        let scope = scope(root, &[], &["$APPDATA/notes/private/**"], false);
        let shared = scope.clone();
        let file = root.join("outside/x.txt");
        assert!(!scope.allows(&file));
        shared.grant(&file, GrantKind::Exact).unwrap();
        assert!(scope.allows(&file), "clones share grants");
        assert!(!scope.allows(&root.join("outside")));
        assert!(!scope.allows(&root.join("outside/y.txt")));

        let notes = root.join("app/notes");
        scope.grant(&notes, GrantKind::Directory).unwrap();
        assert!(scope.allows(&notes));
        assert!(scope.allows(&notes.join("a.md")));
        assert!(
            !scope.allows(&notes.join("sub/b.md")),
            "direct children only"
        );
        assert!(!scope.allows(&root.join("app/notesx")));

        scope.grant(&notes, GrantKind::Recursive).unwrap();
        assert!(scope.allows(&notes.join("sub/b.md")));
        assert!(!scope.allows(&root.join("app/notes-other/a")));
        assert!(
            !scope.allows(&notes.join("private/k")),
            "deny wins over a picked directory"
        );
        // A symlink inside a picked directory that leads out is still refused.
        assert!(
            scope
                .resolve(&notes.join("sub/rel_out").to_string_lossy(), None)
                .is_err()
        );
        // A picked symlink grants its target, which is what gets opened.
        scope
            .grant(&notes.join("link_file_out"), GrantKind::Exact)
            .unwrap();
        assert!(scope.allows(&file));
    }

    /// The traversal corpus: whatever the page writes, a resolved path is
    /// always inside `$APPDATA/notes`, and the expected ones are refused.
    #[test]
    fn traversal_corpus_never_escapes() {
        let dir = layout();
        let root = &dir.0;
        let app = root.join("app");
        let notes = app.join("notes");
        let scope = notes_scope(root, false);
        let long_path = format!("notes/{}", "a/".repeat(2100));
        let long_name = format!("notes/{}", "x".repeat(300));
        let secret = app.join("secret.txt").display().to_string();
        let outside = root.join("outside/x.txt").display().to_string();
        let via_proc = format!("/proc/self/root{}", notes.join("a.md").display());
        let dotdot_abs = format!("{}/../secret.txt", notes.display());
        // (path, relative to $APPDATA?, allowed?)
        let corpus: Vec<(&str, bool, bool)> = vec![
            ("notes", true, true),
            ("notes/", true, true),
            ("notes/a.md", true, true),
            ("notes/./a.md", true, true),
            ("notes/sub/b.md", true, true),
            ("notes/new.md", true, true),
            ("notes/new/deeper/file.md", true, true),
            ("notes/link_in", true, true),
            ("notes/%2e%2e/secret.txt", true, true),
            ("notes/..%2fsecret.txt", true, true),
            ("notes/..\\secret.txt", true, true),
            ("notes\\..\\secret.txt", true, false),
            ("notes/a.md.", true, true),
            ("notes/...", true, true),
            ("notes/日本語.md", true, true),
            ("notes/private", true, true),
            ("notes/../secret.txt", true, false),
            ("notes/../../outside/x.txt", true, false),
            ("../outside/x.txt", true, false),
            ("notes/sub/../../secret.txt", true, false),
            ("notes/missing/../../secret.txt", true, false),
            ("notes/missing/../a.md", true, false),
            ("notes/a.md\0.txt", true, false),
            ("notes/\0", true, false),
            ("/etc/passwd", true, false),
            ("/etc/passwd", false, false),
            (&secret, false, false),
            (&outside, false, false),
            (&dotdot_abs, false, false),
            (&via_proc, false, true),
            ("notes/link_out", true, false),
            ("notes/link_out/x.txt", true, false),
            ("notes/link_out/new.txt", true, false),
            ("notes/link_file_out", true, false),
            ("notes/dangling", true, false),
            ("notes/sub/rel_out", true, false),
            ("notes/a.md/", true, false),
            ("notes/a.md/x", true, false),
            (&long_path, true, false),
            (&long_name, true, false),
            ("", true, false),
            (".", true, false),
            ("", false, false),
            ("notes/a.md", false, false),
            ("~/notes/a.md", false, false),
            ("notes/private/k", true, false),
            ("notes/private/new", true, false),
            ("notes/x.key", true, false),
            ("notes/sub/y.key", true, false),
            ("secret.txt", true, false),
        ];
        assert!(corpus.len() >= 30);
        for (path, relative, allowed) in corpus {
            let base = relative.then_some(app.as_path());
            let result = scope.resolve(path, base);
            let shown = shorten(path);
            if let Ok(resolved) = &result {
                assert!(
                    resolved.starts_with(&notes),
                    "{shown:?} escaped to {}",
                    resolved.display()
                );
                assert!(
                    !resolved.components().any(|c| c == Component::ParentDir),
                    "{shown:?}"
                );
            }
            assert_eq!(result.is_ok(), allowed, "{shown:?}: {result:?}");
        }
    }

    #[test]
    fn directory_itself_versus_its_contents() {
        let dir = layout();
        let root = &dir.0;
        let app = root.join("app");
        let only_dir = scope(root, &["$APPDATA/notes"], &[], false);
        let only_contents = scope(root, &["$APPDATA/notes/**"], &[], false);
        assert!(only_dir.resolve("notes", Some(&app)).is_ok());
        assert!(only_dir.resolve("notes/a.md", Some(&app)).is_err());
        assert!(only_contents.resolve("notes", Some(&app)).is_err());
        assert!(only_contents.resolve("notes/a.md", Some(&app)).is_ok());
        assert!(only_contents.resolve("notes/sub/b.md", Some(&app)).is_ok());
    }

    #[test]
    fn star_stays_in_one_directory_and_double_star_crosses() {
        let dir = layout();
        let root = &dir.0;
        let app = root.join("app");
        let star = scope(root, &["$APPDATA/notes/*"], &[], false);
        assert!(star.resolve("notes/a.md", Some(&app)).is_ok());
        assert!(star.resolve("notes/sub", Some(&app)).is_ok());
        assert!(star.resolve("notes/sub/b.md", Some(&app)).is_err());
        assert!(star.resolve("notes", Some(&app)).is_err());
        let middle = scope(root, &["$APPDATA/**/b.md"], &[], false);
        assert!(middle.resolve("b.md", Some(&app)).is_ok());
        assert!(middle.resolve("notes/sub/b.md", Some(&app)).is_ok());
        assert!(middle.resolve("notes/a.md", Some(&app)).is_err());
        let ext = scope(root, &["$APPDATA/notes/*.{md,txt}"], &[], false);
        assert!(ext.resolve("notes/a.md", Some(&app)).is_ok());
        assert!(ext.resolve("notes/c.txt", Some(&app)).is_ok());
        assert!(ext.resolve("notes/c.png", Some(&app)).is_err());
    }

    #[test]
    fn deny_wins_over_allow() {
        let dir = layout();
        let root = &dir.0;
        let app = root.join("app");
        let scope = scope(root, &["$APPDATA/**"], &["$APPDATA/notes/sub/**"], false);
        assert!(scope.resolve("notes/a.md", Some(&app)).is_ok());
        assert!(scope.resolve("notes/sub", Some(&app)).is_ok());
        assert!(scope.resolve("notes/sub/b.md", Some(&app)).is_err());
        // Through a symlink into the denied directory: refused as well.
        assert!(scope.resolve("notes/link_in", Some(&app)).is_err());
        let error = scope.resolve("notes/sub/b.md", Some(&app)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "path `{}` is outside the fs scope (allowlist.fs.scope)",
                app.join("notes/sub/b.md").display()
            )
        );
    }

    #[test]
    fn hidden_files_need_a_literal_dot_when_required() {
        let dir = layout();
        let root = &dir.0;
        let app = root.join("app");
        let lax = notes_scope(root, false);
        let strict = notes_scope(root, true);
        assert!(lax.resolve("notes/.hidden", Some(&app)).is_ok());
        assert!(strict.resolve("notes/.hidden", Some(&app)).is_err());
        assert!(strict.resolve("notes/.git/config", Some(&app)).is_err());
        assert!(strict.resolve("notes/a.md", Some(&app)).is_ok());
        let spelled = scope(root, &["$APPDATA/notes/.*"], &[], true);
        assert!(spelled.resolve("notes/.hidden", Some(&app)).is_ok());
        assert!(spelled.resolve("notes/a.md", Some(&app)).is_err());
        // `$APPDATA` itself may contain dots: expanded parts are literal.
        let dotted = TestDir::new("dot");
        let base = dotted.0.join(".local/app");
        fs::create_dir_all(base.join("notes")).unwrap();
        let b = base.clone();
        let scope = FsScope::from_globs(&s(&["$APPDATA/notes/**"]), &[], true, move |_| {
            Some(b.clone())
        })
        .unwrap();
        assert!(scope.resolve("notes/a.md", Some(&base)).is_ok());
    }

    #[test]
    fn globs_are_checked_when_the_scope_is_built() {
        let none = |_| None;
        let build = |allow: &[&str]| FsScope::from_globs(&s(allow), &[], false, none);
        assert!(matches!(build(&["notes/**"]), Err(ScopeError::Relative(_))));
        assert!(matches!(
            build(&["$NOPE/x"]),
            Err(ScopeError::UnknownVariable { .. })
        ));
        assert!(matches!(build(&["/a/[b"]), Err(ScopeError::Invalid { .. })));
        assert!(matches!(
            build(&["/a/../b"]),
            Err(ScopeError::Invalid { .. })
        ));
        // A base directory this machine lacks matches nothing.
        let scope = build(&["$DOWNLOAD/**"]).unwrap();
        assert!(!scope.allows(Path::new("/x")));
        assert!(FsScope::default().resolve("/tmp", None).is_err());
    }

    #[test]
    fn base_directories_expand_to_canonical_paths() {
        let dir = layout();
        let root = &dir.0;
        // `$APPDATA` reached through a symlink, and not created yet.
        symlink(root.join("app"), root.join("applink")).unwrap();
        let through = root.join("applink/later");
        let t = through.clone();
        let scope = FsScope::from_globs(&s(&["$APPDATA/**"]), &[], false, move |_| Some(t.clone()))
            .unwrap();
        fs::create_dir_all(root.join("app/later")).unwrap();
        assert!(scope.resolve("x", Some(&through)).is_ok());
        assert!(
            scope
                .resolve(&root.join("app/later/y").display().to_string(), None)
                .is_ok()
        );
    }
}
