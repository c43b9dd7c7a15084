//! `millennium check`: load the config through the full pipeline and print
//! every problem. A frontend directory that `[app] before-build-command`
//! makes (`npm run build` into `dist/`) need not exist yet, as for
//! `millennium build`; once it exists, its pages are checked too.

use std::path::Path;
use std::process::ExitCode;

use millennium_config::{ColorChoice, Format, LoadError, LoadedConfig, Purpose};

/// Validates the app at `path`; prints problems to standard error.
pub fn run(path: &Path, format: Format, color: ColorChoice) -> ExitCode {
    match load(path) {
        Ok((loaded, unbuilt)) => {
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
                if unbuilt {
                    let app = &loaded.config.app;
                    let script = app
                        .before_build_command
                        .as_ref()
                        .map_or("", |hook| hook.script());
                    eprintln!(
                        "note: the frontend directory `{}` does not exist yet: \
                         before-build-command `{script}` makes it, and its pages \
                         are checked once it exists",
                        app.frontend
                    );
                }
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

/// The full check; or, when only the frontend is missing and
/// `before-build-command` makes it, the check `build` does before running
/// that command (`true` says so).
fn load(path: &Path) -> Result<(LoadedConfig, bool), LoadError> {
    let full = millennium_config::load(path);
    if !matches!(full, Err(LoadError::Invalid { .. })) {
        return full.map(|loaded| (loaded, false));
    }
    match millennium_config::load_for(path, Purpose::BeforeBuild) {
        Ok(loaded)
            if loaded.config.app.before_build_command.is_some()
                && !loaded.base_dir.join(&loaded.config.app.frontend).exists() =>
        {
            Ok((loaded, true))
        }
        _ => full.map(|loaded| (loaded, false)),
    }
}
