//! The `[allowlist.fs] scope` matcher, built once from the config.
//!
//! # Globs
//!
//! A glob may start with a base directory variable (`$APPDATA/notes/**`,
//! `$HOME/Documents/*.md`); the variable is replaced by the directory on this
//! machine (canonicalised, and taken literally: its characters are never glob
//! syntax). A glob whose variable has no directory here matches nothing.
//! After expansion a glob must be absolute. Each `/`-separated part is
//! compiled by [`millennium_config::patterns::GlobPart`] (the syntax
//! `millennium check` accepts), so `*`, `?`, `[..]` and `{a,b}` never cross
//! a `/`; a part that is exactly `**` matches any number of directories.
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
//! the run ([`FsScope::grant`]), for the window whose page asked only; a
//! picked directory joins with its direct children, or everything inside it
//! when the dialog asked for `recursive`. `deny` globs still win. Nothing is
//! remembered after the app exits.
//!
//! # Always denied
//!
//! Some paths no config can open up, whatever its globs say
//! ([`Protected`]): the running executable and the files the updater keeps
//! beside it (`.<name>.previous`, downloads), the app's whole directory
//! (toml, frontend, the sources a dev server builds) when it runs from a
//! directory, and the webview
//! profile (cookies, local storage, cache). They count as denied: they are
//! never read, written, listed, moved or removed, and neither is a directory
//! that holds one.
//!
//! # Candidate paths
//!
//! A path from the page is checked by [`FsScope::check`] on its name alone,
//! before anything on disk is looked at: it must be free of NUL bytes and at
//! most [`MAX_PATH_BYTES`] long, absolute (or relative to a base directory);
//! `.` and `..` are resolved by name. Every refusal says the same thing and
//! names the path as the page gave it, so refusals tell the page nothing
//! about what exists outside the scope.
//!
//! The handlers then open exactly that name and follow no symlink in any
//! part of it ([`crate::beneath`]): a path through a symlink is refused,
//! wherever the link points. So a symlink (or a directory renamed at the
//! wrong moment) cannot lead a checked path outside the scope.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use millennium_config::patterns::GlobPart;
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
    /// The path matches no allow glob, or a deny glob, or is protected; it
    /// holds the path as the page gave it.
    #[error("path `{0}` is outside the fs scope (allowlist.fs.scope)")]
    OutsideScope(String),
    /// A base directory that this machine lacks.
    #[error("${0} has no directory on this system")]
    NoBaseDir(&'static str),
    /// The OS refused to resolve a trusted path (a picked file, a base
    /// directory).
    #[error("cannot resolve `{path}`: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS error, in words.
        message: String,
    },
}

/// A path that no scope can open up (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protected {
    /// This path and everything inside it.
    Tree(PathBuf),
    /// An executable: itself and the `.<name>.*` files beside it.
    Executable(PathBuf),
}

#[derive(Debug, Clone)]
enum Part {
    /// A part of an expanded base directory, matched byte for byte.
    Literal(OsString),
    /// A glob part (which knows which of its alternatives start with `.`).
    Glob(GlobPart),
    /// A name that starts with these bytes (the updater's side files).
    Prefix(OsString),
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
            Some(Part::Glob(glob)) => {
                path.get(j)
                    .is_some_and(|p| glob.matches(p.as_bytes(), literal_dot))
                    && self.match_from(i + 1, j + 1, path, literal_dot, failed)
            }
            Some(Part::Prefix(prefix)) => {
                path.get(j)
                    .is_some_and(|p| p.as_bytes().starts_with(prefix.as_bytes()))
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
    /// The config's deny globs, then the [`Protected`] paths.
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
    /// The window whose page asked for the dialog.
    window: String,
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
    /// Compiles the config's scope, expanding base directories with `paths`,
    /// and denies the `protected` paths whatever the globs say.
    pub fn new(
        scope: &millennium_config::model::FsScope,
        paths: &PathContext,
        protected: &[Protected],
    ) -> Result<FsScope, ScopeError> {
        let base = |dir: BaseDirectory| paths.base_dir(dir);
        let literal_dot = match scope {
            millennium_config::model::FsScope::Allow(_) => false,
            millennium_config::model::FsScope::Rules(rules) => rules.require_literal_leading_dot,
        };
        let mut compiled = FsScope::from_globs(scope.allow(), scope.deny(), literal_dot, base)?;
        for path in protected {
            compiled.protect(path);
        }
        Ok(compiled)
    }

    /// Denies `protected` from now on (clones made before do not see it).
    pub fn protect(&mut self, protected: &Protected) {
        let literal = |path: &Path| -> Vec<Part> {
            let canonical = canonicalize_lenient(&path.to_string_lossy(), None)
                .unwrap_or_else(|_| path.to_owned());
            normal_parts(&canonical)
                .into_iter()
                .map(|name| Part::Literal(name.to_owned()))
                .collect()
        };
        match protected {
            Protected::Tree(path) => {
                let exact = literal(path);
                let mut inside = exact.clone();
                inside.push(Part::AnyDepth);
                self.deny.push(Pattern { parts: exact });
                self.deny.push(Pattern { parts: inside });
            }
            Protected::Executable(path) => {
                let exact = literal(path);
                if let Some((Part::Literal(name), dir)) = exact.split_last() {
                    let mut side = OsString::from(".");
                    side.push(name);
                    side.push(".");
                    let mut beside = dir.to_vec();
                    beside.push(Part::Prefix(side));
                    self.deny.push(Pattern { parts: beside });
                }
                self.deny.push(Pattern { parts: exact });
            }
        }
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
    /// first, so a picked symlink grants its target; the canonical path is
    /// returned, and it is the one the page must use (the fs API follows no
    /// symlink).
    pub fn grant(&self, path: &Path, kind: GrantKind, window: &str) -> Result<PathBuf, PathError> {
        let canonical = canonicalize_lenient(&path.to_string_lossy(), None)?;
        let grant = Grant {
            path: canonical.clone(),
            kind,
            window: window.to_owned(),
        };
        let mut granted = self.granted.write().unwrap_or_else(PoisonError::into_inner);
        if !granted.contains(&grant) {
            granted.push(grant);
        }
        Ok(canonical)
    }

    /// Whether an absolute path, `.` and `..` resolved, is in the scope
    /// (deny wins), not counting paths picked in dialogs.
    pub fn allows(&self, canonical: &Path) -> bool {
        self.allows_in(canonical, None)
    }

    /// [`FsScope::allows`], counting the paths picked in dialogs by pages of
    /// `window`.
    pub fn allows_in(&self, canonical: &Path, window: Option<&str>) -> bool {
        let parts = normal_parts(canonical);
        if self.deny.iter().any(|p| p.matches(&parts, false)) {
            return false;
        }
        self.allow
            .iter()
            .any(|p| p.matches(&parts, self.literal_dot))
            || window.is_some_and(|window| {
                self.granted
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter()
                    .any(|grant| grant.window == window && grant.covers(canonical))
            })
    }

    /// Whether a deny glob matches the path.
    pub fn denies(&self, path: &Path) -> bool {
        let parts = normal_parts(path);
        self.deny.iter().any(|p| p.matches(&parts, false))
    }

    /// Makes `path` absolute with `.` and `..` resolved by name (see the
    /// module doc) and checks it against the scope, without looking at the
    /// disk. `base` is the directory of a `dir` option.
    pub fn check(&self, path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
        self.check_in(path, base, None)
    }

    /// [`FsScope::check`], counting the paths picked by pages of `window`.
    pub fn check_in(
        &self,
        path: &str,
        base: Option<&Path>,
        window: Option<&str>,
    ) -> Result<PathBuf, PathError> {
        let full = lexical(path, base)?;
        if self.allows_in(&full, window) {
            Ok(full)
        } else {
            Err(PathError::OutsideScope(shorten(path)))
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
        parts.push(Part::Glob(GlobPart::new(part).map_err(invalid)?));
    }
    Ok(Some(Pattern { parts }))
}

/// `path` (joined to `base`) made absolute, with `.` and `..` resolved by
/// name; nothing on disk is looked at.
pub fn lexical(path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
    // `joined` is absolute, so no `..` survives.
    Ok(crate::api::path::lexically_normal(&joined(path, base)?))
}

/// `path` validated and joined to `base`.
fn joined(path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
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
    Ok(full)
}

/// Absolute and canonical (every symlink resolved), for a trusted path that
/// may not exist yet: a base directory, a path the user picked.
pub fn canonicalize_lenient(path: &str, base: Option<&Path>) -> Result<PathBuf, PathError> {
    let invalid = |reason| PathError::Invalid {
        path: shorten(path),
        reason,
    };
    let full = joined(path, base)?;
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

/// `path` for a message: at most 200 bytes, NUL bytes written as `\\0`.
pub fn shorten(path: &str) -> String {
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
    if crate::beneath::is_symlink_error(error) {
        return "it goes through a symbolic link, and the fs API follows none".to_owned();
    }
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
#[path = "scope_tests.rs"]
mod tests;
