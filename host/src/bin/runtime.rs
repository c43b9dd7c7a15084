//! `millennium-runtime`: the runtime `millennium build` packs apps into.
//! It runs the app appended to it and nothing else: it has no directory
//! mode, and it is built without the `generic` feature, so no TOML parser,
//! schema validator or diagnostic renderer is linked into what ships (the
//! packager validated the config; the payload carries it as JSON).

use std::process::ExitCode;

fn main() -> ExitCode {
    // SAFETY: first thing in main, before any thread is started.
    if let Err(why) = unsafe { millennium_host::sandbox_web_processes() } {
        eprintln!("millennium: pages run without WebKit's web-process sandbox: {why}");
    }
    millennium_host::packaged::run_if_packaged().unwrap_or_else(|| {
        eprintln!(
            "error: this is the Millennium runtime: it runs an app `millennium build` packed into it, \
             and none is packed into this file\n\
             hint: run an app from its directory with `millennium-host DIR` or `millennium dev DIR`"
        );
        ExitCode::from(2)
    })
}
