//! Starting the app baked into this executable: the first thing both
//! binaries do. A packaged app runs its own payload and nothing else; its
//! config was validated when it was built, and is read here with serde
//! alone.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::assets::AssetResolver;
use crate::payload::{self, Payload, PayloadSource};
use crate::{HostContext, RunOptions};

/// Runs the app packed into this executable; `None` when there is none.
pub fn run_if_packaged() -> Option<ExitCode> {
    let exe = match payload::current_exe() {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: {error}");
            return Some(ExitCode::FAILURE);
        }
    };
    match Payload::find(exe) {
        Ok(Some(payload)) => Some(run_packaged(&payload)),
        Ok(None) => None,
        Err(error) => {
            eprintln!("error: cannot start this app: {error}");
            eprintln!(
                "hint: download or reinstall the app; the file was damaged after it was built"
            );
            Some(ExitCode::FAILURE)
        }
    }
}

/// Runs the app baked into this executable. Its arguments are the app's
/// `[cli]` (data for the page); the app's security settings are the
/// payload's.
fn run_packaged(payload: &Payload<'static>) -> ExitCode {
    let config = payload.config();
    let mut argv = std::env::args_os();
    let bin = argv
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| config.app.name.clone());
    let launch = match crate::launch::parse(config, &bin, argv.collect()) {
        Ok(launch) => launch,
        Err(exit) => return ExitCode::from(exit.report() as u8),
    };
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .unwrap_or_default();
    let resolver = AssetResolver::new(Box::new(PayloadSource::new(payload)));
    let sidecar_files = payload.sidecar_files();
    let started = HostContext::new_packaged(config.clone(), &exe_dir, resolver, sidecar_files)
        .context("cannot start the app")
        .and_then(|mut ctx| {
            ctx.executable = std::env::current_exe().ok();
            ctx.launch = launch;
            ctx.window_icon = payload.window_icon().map(std::borrow::Cow::Borrowed);
            crate::run(ctx, RunOptions::from_env())
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
