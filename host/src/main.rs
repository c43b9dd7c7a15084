//! `millennium-host [PATH] [-- ARGS...]`: run the app whose
//! `millennium.toml` is PATH or is inside the directory PATH (default: the
//! current directory), with ARGS as its own command line (`[cli]`).
//!
//! Exit codes: 0 after the last window closed (or the code the page passed to
//! `process.exit`), 1 when the app cannot start (invalid config: the same
//! diagnostics as `millennium check`), 2 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use millennium_host::{HostContext, RunOptions};

const USAGE: &str = "usage: millennium-host [PATH] [-- ARGS...]\n\n\
PATH is an app directory or its millennium.toml (default: .); ARGS are the\n\
app's own arguments, as its [cli] declares them.\n\
Set MILLENNIUM_AUTOMATION=1 to let WebKitWebDriver drive the app.";

fn main() -> ExitCode {
    // SAFETY: first thing in main, before any thread is started.
    if let Err(why) = unsafe { millennium_host::sandbox_web_processes() } {
        eprintln!("millennium-host: pages run without WebKit's web-process sandbox: {why}");
    }
    // A packaged app runs its own payload and nothing else: no argument or
    // environment variable can point it at another config or frontend.
    if let Some(code) = millennium_host::packaged::run_if_packaged() {
        return code;
    }
    let (path, app_args) = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let loaded = match millennium_config::load(&path) {
        Ok(loaded) => loaded,
        Err(error) => {
            error.report();
            return ExitCode::FAILURE;
        }
    };
    let bin = format!("millennium-host {} --", path.display());
    let launch = match millennium_host::launch::parse(&loaded.config, &bin, app_args) {
        Ok(launch) => launch,
        Err(exit) => return ExitCode::from(exit.report() as u8),
    };
    match start(&loaded, launch) {
        Ok(never) => match never {},
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn start(
    loaded: &millennium_config::LoadedConfig,
    launch: millennium_host::launch::Launch,
) -> anyhow::Result<std::convert::Infallible> {
    let mut ctx = HostContext::from_loaded(loaded)
        .with_context(|| format!("cannot start {}", loaded.path.display()))?;
    ctx.launch = launch;
    millennium_host::run(ctx, RunOptions::from_env())
        .with_context(|| format!("cannot start {}", loaded.config.app.name))
}

/// The app's path and its own arguments (after `--`); `Ok(None)` when the
/// arguments asked for help or the version.
type Parsed = (PathBuf, Vec<std::ffi::OsString>);
fn parse_args(
    mut args: impl Iterator<Item = std::ffi::OsString>,
) -> Result<Option<Parsed>, String> {
    let mut path = None;
    for arg in args.by_ref() {
        match arg.to_str() {
            Some("--") => break,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(None);
            }
            Some("-V" | "--version") => {
                println!("millennium-host {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            // WebKitWebDriver may pass this to the browser it launches; the
            // environment variable, not argv, decides about automation.
            Some("--automation") => {}
            Some(flag) if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            _ if path.is_some() => return Err("more than one PATH given".to_owned()),
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    Ok(Some((
        path.unwrap_or_else(|| PathBuf::from(".")),
        args.collect(),
    )))
}
