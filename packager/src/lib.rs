//! The Millennium author CLI and the packaging pipeline behind it.
//!
//! - [`cli`]: argument parsing (clap) and the subcommands.
//! - [`check`]: `millennium check`, config validation with diagnostics.
//! - [`build`]: `millennium build`, one executable per app.
//! - [`inline_scripts`]: hashes of inline scripts for the CSP.
//! - [`dev`]: `millennium dev`, the app through the host library with
//!   devtools, live reload and the `dev-url` proxy.

pub mod build;
pub mod check;
pub mod cli;
pub mod dev;
pub mod inline_scripts;
