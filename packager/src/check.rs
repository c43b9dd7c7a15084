//! `millennium check`: load the config through the full pipeline and print
//! every problem.

use std::path::Path;
use std::process::ExitCode;

use millennium_config::{ColorChoice, Format, LoadError};

/// Validates the app at `path`; prints problems to standard error.
pub fn run(path: &Path, format: Format, color: ColorChoice) -> ExitCode {
    match millennium_config::load(path) {
        Ok(loaded) => {
            if format == Format::Human {
                let windows = loaded.config.windows.len();
                eprintln!(
                    "{}: ok ({} {}, {} window{})",
                    loaded.path.display(),
                    loaded.config.app.name,
                    loaded.config.app.version,
                    windows,
                    if windows == 1 { "" } else { "s" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(LoadError::Invalid { file, diagnostics }) => {
            millennium_config::emit_to_stderr(&file, &diagnostics, format, color);
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
