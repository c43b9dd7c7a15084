//! End-to-end tests of the self-updater (DESIGN.md §6): a packaged v1 runs
//! from an "install directory" under WebKitWebDriver, a std-only server on
//! 127.0.0.1 serves `latest.json` and the new executable (or misbehaves),
//! and the page calls `Millennium.updater`. A properly signed v2 (also after
//! a key rotation) replaces v1, which relaunches as v2; everything else an
//! attacker or a broken network could serve is refused with a specific
//! message and leaves the installed file byte-for-byte as it was, with
//! nothing half-written beside it. A v2 that dies at start is rolled back;
//! a kill in the middle of the download, or between writing the new file
//! and the rename, leaves v1 intact (and the next start removes the stale
//! temp file); a read-only install says so.
//!
//! Every executable is built with `millennium build` on a stripped copy of
//! the debug host (`small_host`), so each is about 24 MB. Runs the
//! already-built binaries (`cargo build -p millennium-packager -p
//! millennium-host`) and skips loudly only when the system packages are
//! missing (the read-only row also needs to mount a tmpfs, i.e. root).

mod failures;
mod fixture;
mod network;
mod page;
mod refused;
mod server;
mod updates;

use fixture::*;
use page::*;
use server::*;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{
    Driven, TempDir, gui_lock, kill_process, process_alive, processes_running, run_ok, small_host,
};
use serde_json::{Value, json};

const IDENTIFIER: &str = "dev.millennium.updatee2e";
/// `[app] name`, and so the executable's name (`update-e2e`).
const APP_NAME: &str = "Update E2E";
const EXE: &str = "update-e2e";
/// Where the server serves the update's executable.
const FILE_PATH: &str = "/files/update-e2e";

/// `{os}-{arch}`: the manifest's platform key and the trusted comment's target.
fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// The path the endpoint `/{{target}}/{{arch}}/latest.json` names here.
fn manifest_path() -> String {
    format!(
        "/{}/{}/latest.json",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
