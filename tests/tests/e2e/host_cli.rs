//! `millennium-host` command line behaviour that needs no display: a bad
//! config is reported like `millennium check` does and no window opens.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{TempDir, host_binary, run_within};

/// Runs the host with no display at all: if it tried to open a window it
/// would fail differently (or hang), so a clean exit 1 proves it stopped first.
fn run_host(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let output = run_within(
        Command::new(host_binary())
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null()),
        Duration::from_secs(20),
    );
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn host_invalid_config_prints_diagnostics_and_exits_1() {
    let app = TempDir::new("host-cli-bad");
    app.write(
        "millennium.toml",
        "[app]\nname = \"Bad\"\nidentifier = \"not a reverse dns\"\n\n[[windows]]\nwidht = 3\n",
    );
    app.write("dist/index.html", "<p>never shown</p>");
    let (code, stderr) = run_host(&[app.0.as_os_str()]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("millennium.toml"),
        "names the file: {stderr}"
    );
    assert!(stderr.contains("widht"), "names the bad key: {stderr}");
    assert!(
        stderr.contains("identifier"),
        "names the bad value's key: {stderr}"
    );
}

#[test]
fn host_missing_config_and_bad_usage_are_errors() {
    let empty = TempDir::new("host-cli-empty");
    let (code, stderr) = run_host(&[empty.0.as_os_str()]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(stderr.contains("no millennium.toml"), "{stderr}");

    let (code, stderr) = run_host(&["--bogus".as_ref()]);
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert!(stderr.contains("unknown option `--bogus`"), "{stderr}");
}

#[test]
fn host_missing_frontend_dir_is_a_clear_error() {
    let app = TempDir::new("host-cli-nofrontend");
    app.write(
        "millennium.toml",
        "[app]\nname = \"NoFront\"\nidentifier = \"dev.millennium.nofront\"\nfrontend = \"dist\"\n",
    );
    let (code, stderr) = run_host(&[app.0.as_os_str()]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(stderr.contains("dist"), "{stderr}");
}

/// Regression: with no display, tao used to panic ("Failed to initialize gtk
/// backend!", exit 101); the host now says what is missing and exits 1.
#[test]
fn host_without_display_is_a_clear_error_not_a_panic() {
    let hello = millennium_e2e::repo_root().join("sample-apps/hello");
    let (code, stderr) = run_host(&[hello.as_os_str()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("no graphical display"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
