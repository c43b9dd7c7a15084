//! The end-to-end tests, one test binary: each module is one area of the
//! product, `support` holds what they share (temporary directories, the
//! WebDriver session on the real host, the test HTTP servers).
//!
//! They run the already-built binaries (`cargo build --workspace --bins`;
//! `make test` does it) and skip loudly only when system packages are
//! missing. GUI tests take [`support::gui_lock`]: one X server and WebKit
//! process tree at a time, since they share this one process now.

#[macro_use]
mod support;

mod build;
mod check;
mod dev_e2e;
mod dev_hooks_e2e;
mod host_allowlist_e2e;
mod host_cli;
mod host_clipboard_e2e;
mod host_desktop_e2e;
mod host_dialog_e2e;
mod host_e2e;
mod host_fs_attacks_e2e;
mod host_fs_e2e;
mod host_launch_e2e;
mod host_shell_http_e2e;
mod host_sidecar_e2e;
mod icon_e2e;
mod info;
mod new_and_deb;
mod packaged_e2e;
mod rpm_e2e;
mod sample_apps_e2e;
mod sign;
mod taplo;
mod typescript;
mod updater_e2e;
mod vite_e2e;
mod wayland_e2e;
