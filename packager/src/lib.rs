//! The Millennium author CLI and the packaging pipeline behind it.
//!
//! - [`cli`]: argument parsing (clap) and the subcommands.
//! - [`check`]: `millennium check`, config validation with diagnostics.

pub mod check;
pub mod cli;
