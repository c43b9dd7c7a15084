//! `millennium-host [PATH]`: run the app whose `millennium.toml` is PATH or
//! is inside the directory PATH (default: the current directory).
//!
//! Exit codes: 0 after the last window closed (or the code the page passed to
//! `process.exit`), 1 when the app cannot start (invalid config: the same
//! diagnostics as `millennium check`), 2 on a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use millennium_host::assets::AssetResolver;
use millennium_host::payload::{self, Payload, PayloadSource};
use millennium_host::{HostContext, RunOptions};

const USAGE: &str = "usage: millennium-host [PATH]\n\n\
PATH is an app directory or its millennium.toml (default: .).\n\
Set MILLENNIUM_AUTOMATION=1 to let WebKitWebDriver drive the app.";

fn main() -> ExitCode {
    // SAFETY: first thing in main, before any thread is started.
    if let Err(why) = unsafe { millennium_host::sandbox_web_processes() } {
        eprintln!("millennium-host: pages run without WebKit's web-process sandbox: {why}");
    }
    // A packaged app runs its own payload and nothing else: no argument or
    // environment variable can point it at another config or frontend.
    let exe = match payload::current_exe() {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match Payload::find(exe) {
        Ok(Some(payload)) => return run_packaged(&payload),
        Ok(None) => {}
        Err(error) => {
            eprintln!("error: cannot start this app: {error}");
            eprintln!(
                "hint: download or reinstall the app; the file was damaged after it was built"
            );
            return ExitCode::FAILURE;
        }
    }
    let path = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(path)) => path,
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
    match start(&loaded) {
        Ok(never) => match never {},
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn start(loaded: &millennium_config::LoadedConfig) -> anyhow::Result<std::convert::Infallible> {
    let ctx = HostContext::from_loaded(loaded)
        .with_context(|| format!("cannot start {}", loaded.path.display()))?;
    millennium_host::run(ctx, RunOptions::from_env())
        .with_context(|| format!("cannot start {}", loaded.config.app.name))
}

/// Runs the app baked into this executable. Arguments are ignored except
/// `--help`/`--version`; the app's security settings are the payload's.
fn run_packaged(payload: &Payload<'static>) -> ExitCode {
    let config = payload.config();
    let mut args = std::env::args_os().skip(1);
    if args.any(|a| a == "-V" || a == "--version" || a == "-h" || a == "--help") {
        println!("{} {}", config.app.name, config.app.version);
        return ExitCode::SUCCESS;
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .unwrap_or_default();
    let resolver = AssetResolver::new(Box::new(PayloadSource::new(payload)));
    let started = HostContext::new(config.clone(), &exe_dir, resolver)
        .context("cannot start the app")
        .and_then(|mut ctx| {
            ctx.executable = std::env::current_exe().ok();
            millennium_host::run(ctx, RunOptions::from_env())
                .with_context(|| format!("cannot start {}", config.app.name))
        });
    match started {
        Ok(never) => match never {},
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(None)` when the arguments asked for help or the version.
fn parse_args(args: impl Iterator<Item = std::ffi::OsString>) -> Result<Option<PathBuf>, String> {
    let mut path = None;
    for arg in args {
        match arg.to_str() {
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
    Ok(Some(path.unwrap_or_else(|| PathBuf::from("."))))
}
