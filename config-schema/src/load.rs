//! The loading pipeline: read, TOML syntax with spans, JSON schema, typed
//! deserialisation, semantic rules. Each stage runs only when the previous
//! one passed, and reports every problem it finds, not just the first.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, SourceFile, Stage};
use crate::model::Config;
use crate::{semantic, source, validate};

/// The config file name looked up in an app directory.
pub const CONFIG_FILE: &str = "millennium.toml";

/// A valid config and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The typed config.
    pub config: Config,
    /// The path of the `millennium.toml`.
    pub path: PathBuf,
    /// The directory paths in the config are relative to.
    pub base_dir: PathBuf,
    /// The file's text, for later diagnostics.
    pub source: SourceFile,
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path names nothing, or a directory without a `millennium.toml`.
    #[error("{path}: {reason}")]
    NotFound {
        /// What the user gave.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        error: std::io::Error,
    },
    /// The file was read; these are its problems.
    #[error("{} has {} problem(s)", file.name, diagnostics.len())]
    Invalid {
        /// The file, for rendering.
        file: SourceFile,
        /// Every problem found, in source order.
        diagnostics: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// Prints the error to standard error the way `millennium check` does:
    /// compiler-style diagnostics for an invalid file (coloured on a
    /// terminal), one `error:` line otherwise.
    pub fn report(&self) {
        match self {
            LoadError::Invalid { file, diagnostics } => crate::diagnostic::emit_to_stderr(
                file,
                diagnostics,
                crate::diagnostic::Format::Human,
                codespan_reporting::term::termcolor::ColorChoice::Auto,
            ),
            other => eprintln!("error: {other}"),
        }
    }
}

/// The `millennium.toml` that `path` designates: the file itself, or the one
/// inside a directory.
pub fn config_path(path: &Path) -> Result<PathBuf, LoadError> {
    if path.is_dir() {
        let candidate = path.join(CONFIG_FILE);
        if candidate.is_file() {
            Ok(candidate)
        } else {
            Err(LoadError::NotFound {
                path: path.to_owned(),
                reason: format!(
                    "no {CONFIG_FILE} in this directory (create one with `millennium new`)"
                ),
            })
        }
    } else if path.exists() {
        Ok(path.to_owned())
    } else {
        Err(LoadError::NotFound {
            path: path.to_owned(),
            reason: "no such file or directory".to_owned(),
        })
    }
}

/// What a config is loaded for; it decides which file-system rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Serving the frontend directory (running, packaging, `check`): the
    /// directory and every window page must exist.
    Frontend,
    /// `millennium dev` with `[app] dev-url` or `before-dev-command`: the
    /// pages come from the dev server, or from a watcher that has not built
    /// them yet, so the frontend directory need not exist. Every other rule
    /// still applies.
    DevServer,
    /// `millennium build` before it runs `[app] before-build-command`,
    /// which makes the frontend: the pages need not exist yet.
    BeforeBuild,
}

/// Loads and fully validates the config at `path` (an app directory or a toml).
pub fn load(path: &Path) -> Result<LoadedConfig, LoadError> {
    load_for(path, Purpose::Frontend)
}

/// [`load`], for a given [`Purpose`].
pub fn load_for(path: &Path, purpose: Purpose) -> Result<LoadedConfig, LoadError> {
    let file = config_path(path)?;
    let base_dir = file.parent().map(Path::to_owned).unwrap_or_default();
    let name = file.display().to_string();
    let text = read_limited(&file)?;
    let text = match String::from_utf8(text) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let diagnostic = Diagnostic::new(Stage::Syntax, "", "the file is not valid UTF-8")
                .with_span(Some(offset..offset + 1))
                .with_label("invalid byte")
                .with_hint("save the file as UTF-8");
            return Err(LoadError::Invalid {
                file: SourceFile { name, text: lossy },
                diagnostics: vec![diagnostic],
            });
        }
    };
    match load_str_for(&text, &base_dir, purpose) {
        Ok(config) => Ok(LoadedConfig {
            config,
            path: file,
            base_dir,
            source: SourceFile { name, text },
        }),
        Err(diagnostics) => Err(LoadError::Invalid {
            file: SourceFile { name, text },
            diagnostics,
        }),
    }
}

/// Reads at most [`source::MAX_SIZE`] + 1 bytes, so a huge file is refused
/// without being read whole.
fn read_limited(file: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |error| LoadError::Io {
        path: file.to_owned(),
        error,
    };
    let handle = std::fs::File::open(file).map_err(io)?;
    let mut bytes = Vec::new();
    handle
        .take(source::MAX_SIZE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

/// Validates config text whose relative paths start at `base_dir`.
pub fn load_str(text: &str, base_dir: &Path) -> Result<Config, Vec<Diagnostic>> {
    load_str_for(text, base_dir, Purpose::Frontend)
}

/// [`load_str`], for a given [`Purpose`].
pub fn load_str_for(
    text: &str,
    base_dir: &Path,
    purpose: Purpose,
) -> Result<Config, Vec<Diagnostic>> {
    let (value, map) = source::parse(text)?;
    let mut diagnostics = validate::validate(&value, &map);
    if !diagnostics.is_empty() {
        sort(&mut diagnostics);
        return Err(diagnostics);
    }
    let config: Config = serde_json::from_value(value).map_err(|error| {
        vec![
            Diagnostic::new(
                Stage::Types,
                "",
                format!("internal error: the schema accepted a value the types reject: {error}"),
            )
            .with_hint("please report this with your millennium.toml"),
        ]
    })?;
    let pages_on_disk = match purpose {
        Purpose::Frontend => true,
        Purpose::DevServer => {
            config.app.dev_url.is_none() && config.app.before_dev_command.is_none()
        }
        Purpose::BeforeBuild => config.app.before_build_command.is_none(),
    };
    let mut diagnostics = semantic::check(&config, base_dir, &map, pages_on_disk);
    if diagnostics.is_empty() {
        Ok(config)
    } else {
        sort(&mut diagnostics);
        Err(diagnostics)
    }
}

fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    diagnostics.dedup();
}
