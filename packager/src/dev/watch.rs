//! Which file-system events matter to `millennium dev`, and when to act on
//! them: [`Classifier`] turns a notify event into a [`Change`], and
//! [`Debouncer`] folds a burst of changes (an editor's save, a bundler's
//! rebuild) into one [`Pending`] once things have been quiet for a moment.
//!
//! The toml is watched through its directory, not as a file: editors that
//! save by writing a temporary file and renaming it over the original
//! replace the inode a file watch would be attached to.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::EventKind;

/// How long the tree must be quiet before a burst counts as done.
pub const QUIET: Duration = Duration::from_millis(150);

/// A burst that never goes quiet (a bundler in watch mode) is still acted
/// on this often.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `millennium.toml`.
    Config,
    /// A file under the frontend directory (or the directory itself).
    Frontend,
}

/// Sorts event paths into [`Change`]s.
#[derive(Debug, Clone)]
pub struct Classifier {
    toml_dir: PathBuf,
    toml_name: std::ffi::OsString,
    frontend: Option<PathBuf>,
}

impl Classifier {
    /// `toml` is the config file; `frontend` the directory whose changes
    /// reload the pages (`None` when a dev server serves them). Both should
    /// be canonical, as the watcher reports paths under what it watches.
    pub fn new(toml: &Path, frontend: Option<PathBuf>) -> Classifier {
        Classifier {
            toml_dir: toml.parent().unwrap_or(Path::new(".")).to_owned(),
            toml_name: toml.file_name().unwrap_or_default().to_owned(),
            frontend,
        }
    }

    /// The changes an event stands for (at most one of each).
    pub fn classify(&self, event: &notify::Event) -> Vec<Change> {
        // Opening or closing a file without writing changes nothing.
        if matches!(event.kind, EventKind::Access(_)) {
            return Vec::new();
        }
        let mut changes = Vec::new();
        for path in &event.paths {
            if let Some(change) = self.classify_path(path)
                && !changes.contains(&change)
            {
                changes.push(change);
            }
        }
        changes
    }

    /// The change one path stands for, if any.
    pub fn classify_path(&self, path: &Path) -> Option<Change> {
        if path.parent() == Some(self.toml_dir.as_path())
            && path.file_name() == Some(self.toml_name.as_os_str())
        {
            return Some(Change::Config);
        }
        let frontend = self.frontend.as_deref()?;
        if path.starts_with(frontend) && !is_editor_scratch(path) {
            return Some(Change::Frontend);
        }
        None
    }
}

/// Swap, backup and lock files editors write beside the real one; the real
/// save follows and is what counts.
fn is_editor_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(OsStr::to_str) else {
        return false;
    };
    name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913"
        || [".swp", ".swx", ".swo"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// What a quiet-again burst asks for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// Re-validate the toml (and restart the app if it is valid).
    pub config: bool,
    /// Reload the pages.
    pub frontend: bool,
}

/// Folds changes into one [`Pending`] after [`QUIET`] without events, or
/// after [`MAX_WAIT`] at the latest. Time is passed in, so tests need no
/// sleeping.
#[derive(Debug)]
pub struct Debouncer {
    quiet: Duration,
    max_wait: Duration,
    first: Option<Instant>,
    last: Option<Instant>,
    pending: Pending,
}

impl Debouncer {
    /// A debouncer with the given quiet period and longest wait.
    pub fn new(quiet: Duration, max_wait: Duration) -> Debouncer {
        Debouncer {
            quiet,
            max_wait,
            first: None,
            last: None,
            pending: Pending::default(),
        }
    }

    /// Records a change seen at `now`.
    pub fn push(&mut self, change: Change, now: Instant) {
        match change {
            Change::Config => self.pending.config = true,
            Change::Frontend => self.pending.frontend = true,
        }
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// When [`take_ready`](Self::take_ready) may next return something;
    /// `None` while nothing is pending.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        Some((last + self.quiet).min(first + self.max_wait))
    }

    /// The pending changes, once the burst is over.
    pub fn take_ready(&mut self, now: Instant) -> Option<Pending> {
        if now < self.deadline()? {
            return None;
        }
        self.first = None;
        self.last = None;
        Some(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode};

    fn classifier() -> Classifier {
        Classifier::new(
            Path::new("/app/millennium.toml"),
            Some(PathBuf::from("/app/dist")),
        )
    }

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        let mut event = notify::Event::new(kind);
        for path in paths {
            event = event.add_path(PathBuf::from(path));
        }
        event
    }

    #[test]
    fn paths_are_sorted_into_config_and_frontend() {
        let c = classifier();
        let cases = [
            ("/app/millennium.toml", Some(Change::Config)),
            ("/app/dist/index.html", Some(Change::Frontend)),
            ("/app/dist/js/deep/app.js", Some(Change::Frontend)),
            ("/app/dist", Some(Change::Frontend)),
            ("/app/millennium.toml.tmp", None),
            ("/app/README.md", None),
            ("/app/distant/x.html", None),
            ("/app/sub/millennium.toml", None),
            ("/app/dist/.index.html.swp", None),
            ("/app/dist/index.html~", None),
            ("/app/dist/4913", None),
            ("/app/dist/.#index.html", None),
        ];
        for (path, expected) in cases {
            assert_eq!(c.classify_path(Path::new(path)), expected, "{path}");
        }
    }

    #[test]
    fn a_rename_onto_the_toml_is_a_config_change() {
        // What an editor that saves atomically produces: write a temporary
        // file, then rename it over the original.
        let c = classifier();
        let rename = event(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &["/app/.millennium.toml.swp", "/app/millennium.toml"],
        );
        assert_eq!(c.classify(&rename), [Change::Config]);
        let moved_in = event(
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            &["/app/millennium.toml"],
        );
        assert_eq!(c.classify(&moved_in), [Change::Config]);
    }

    #[test]
    fn deletes_and_creates_count_and_reads_do_not() {
        let c = classifier();
        let removed = event(
            EventKind::Remove(RemoveKind::File),
            &["/app/dist/old.js", "/app/dist/other.js"],
        );
        assert_eq!(c.classify(&removed), [Change::Frontend], "once per event");
        let created = event(EventKind::Create(CreateKind::Folder), &["/app/dist"]);
        assert_eq!(c.classify(&created), [Change::Frontend]);
        let read = event(
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            &["/app/dist/index.html"],
        );
        assert!(c.classify(&read).is_empty());
        let both = event(
            EventKind::Any,
            &["/app/millennium.toml", "/app/dist/index.html"],
        );
        assert_eq!(c.classify(&both), [Change::Config, Change::Frontend]);
    }

    #[test]
    fn without_a_frontend_dir_only_the_toml_counts() {
        let c = Classifier::new(Path::new("/app/millennium.toml"), None);
        assert_eq!(c.classify_path(Path::new("/app/dist/index.html")), None);
        assert_eq!(
            c.classify_path(Path::new("/app/millennium.toml")),
            Some(Change::Config)
        );
    }

    #[test]
    fn a_burst_is_reported_once_after_it_goes_quiet() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(ms(150), ms(1000));
        assert_eq!(d.deadline(), None);
        assert_eq!(d.take_ready(t0), None);
        d.push(Change::Frontend, t0);
        d.push(Change::Frontend, t0 + ms(100));
        assert_eq!(d.take_ready(t0 + ms(200)), None, "quiet for only 100 ms");
        assert_eq!(d.deadline(), Some(t0 + ms(250)));
        let ready = d.take_ready(t0 + ms(250));
        assert_eq!(
            ready,
            Some(Pending {
                config: false,
                frontend: true
            })
        );
        assert_eq!(d.take_ready(t0 + ms(400)), None, "reported once");
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn config_and_frontend_changes_in_one_burst_are_merged() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(ms(150), ms(1000));
        d.push(Change::Config, t0);
        d.push(Change::Frontend, t0 + ms(50));
        assert_eq!(
            d.take_ready(t0 + ms(200)),
            Some(Pending {
                config: true,
                frontend: true
            })
        );
    }

    #[test]
    fn a_burst_that_never_goes_quiet_is_reported_after_max_wait() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut d = Debouncer::new(ms(150), ms(1000));
        let mut now = t0;
        let mut reported = None;
        while now < t0 + ms(2000) {
            d.push(Change::Frontend, now);
            if let Some(p) = d.take_ready(now) {
                reported = Some((now - t0, p));
                break;
            }
            now += ms(100);
        }
        let (at, pending) = reported.expect("reported despite the steady stream");
        assert_eq!(at, ms(1000));
        assert!(pending.frontend && !pending.config);
    }
}
