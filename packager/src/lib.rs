//! The Millennium author CLI and the packaging pipeline behind it.
//!
//! - [`cli`]: argument parsing (clap) and the subcommands.
//! - [`check`]: `millennium check`, config validation with diagnostics.
//! - [`build`]: `millennium build`, one executable per app.
//! - [`deb`]: `millennium build --deb`, a Debian package written without dpkg.
//! - [`rpm`]: `millennium build --rpm`, the same contents as an RPM (the `rpm` crate).
//! - [`atomic`]: every output file written atomically.
//! - [`new`]: `millennium new`, an app scaffolded from embedded templates.
//! - [`keys`]: `millennium keygen`, loading minisign secret and public keys.
//! - [`sign`]: `millennium sign` / `verify`, and the `.minisig` and
//!   `latest.json` that `build --key` writes.
//! - [`hook`]: `[app] before-build-command` and `before-dev-command`.
//! - [`icon`]: `millennium icon`, and every icon size a build needs, from an SVG or a PNG.
//! - [`info`]: `millennium info`, what a bug report needs.
//! - [`dev`]: `millennium dev`, the app through the host library with
//!   devtools, live reload and the `dev-url` proxy.

pub mod atomic;
pub mod build;
pub mod check;
pub mod cli;
pub mod deb;
pub mod dev;
pub mod hook;
pub mod icon;
pub mod info;
pub mod keys;
pub mod new;
pub mod rpm;
pub mod sign;
