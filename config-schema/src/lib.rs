//! `millennium.toml`: the model, its JSON schema, and the loading pipeline
//! with compiler-style diagnostics.
//!
//! - [`model`]: the typed config (the schema's single source of truth).
//!
//! Everything that reads a `millennium.toml` (parsing, schema, checks,
//! diagnostics) is the default feature `validate`; without it only the model
//! (serde), [`release`], [`patterns`], [`url_glob`] and [`BaseDirectory`] remain, which is
//! what the runtime inside a packaged app needs.
//! - [`schema`]: the draft-07 JSON schema generated from the model.
//! - [`load()`]: read, parse with spans, validate, deserialise, check rules.
//! - [`Diagnostic`] and [`render`]: what went wrong, where, and how to fix it.
//! - [`BaseDirectory`]: the `$APPDATA`-style variables scopes may use.
//! - [`release`]: what a signed release is bound to (the trusted comment)
//!   and the update manifest `latest.json`, shared by packager and updater.
//! - [`patterns`]: the fs scope's glob parts and the shell's anchored
//!   regular expressions, compiled alike by `check` and the host.
//! - [`accelerator`]: the keyboard accelerator grammar of menus and
//!   shortcuts, shared by `check` and the host.
//! - [`icon`]: what a tray icon may be (a small PNG), for `check` and the host.
//! - [`url_glob`]: the one URL-glob matcher (http scope, navigation, remote
//!   grants), shared by `check` and the host.

pub mod accelerator;
mod base_dir;
#[cfg(feature = "validate")]
mod csp;
#[cfg(feature = "validate")]
mod diagnostic;
pub mod icon;
#[cfg(feature = "validate")]
mod load;
pub mod model;
pub mod patterns;
pub mod release;
#[cfg(feature = "validate")]
pub mod schema;
#[cfg(feature = "validate")]
mod semantic;
#[cfg(feature = "validate")]
mod source;
pub mod url_glob;
#[cfg(feature = "validate")]
mod validate;

pub use base_dir::BaseDirectory;
#[cfg(feature = "validate")]
pub use csp::{CspProblem, check as check_csp, parse_policy as parse_csp};
#[cfg(feature = "validate")]
pub use diagnostic::{Diagnostic, Format, SourceFile, Stage, emit_to_stderr, render};
#[cfg(feature = "validate")]
pub use load::{
    CONFIG_FILE, LoadError, LoadedConfig, Purpose, config_path, load, load_for, load_str,
    load_str_for,
};
pub use model::Config;
#[cfg(feature = "validate")]
pub use source::{MAX_DEPTH, MAX_SIZE};

/// Colour choice for [`emit_to_stderr`].
#[cfg(feature = "validate")]
pub use codespan_reporting::term::termcolor::ColorChoice;
