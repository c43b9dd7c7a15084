//! `millennium build` end to end: one executable that carries its app,
//! byte-identical across builds, refusing damage, and leaving nothing behind
//! when it fails.

use std::path::Path;
use std::process::Command;

use millennium_e2e::{Scratch, assert_fails_with, bin, millennium, stderr};

fn build(app: &Path, out: &Path) -> std::process::Output {
    let host = bin("millennium-host");
    millennium(
        Path::new("."),
        &[
            "build",
            app.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--host",
            host.to_str().unwrap(),
        ],
    )
}

/// Runs a packaged app with no display: `--version` needs none, and a damaged
/// payload must be reported before any window is attempted.
fn run_packaged(exe: &Path, args: &[&str]) -> std::process::Output {
    Command::new(exe)
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("packaged app runs")
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn packaged_app_runs_from_anywhere_with_its_sources_deleted() {
    let scratch = Scratch::new("build-anywhere");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("out");
    let built = build(&app, &out);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(stderr(&built).contains("built "), "{}", stderr(&built));
    std::fs::remove_dir_all(&app).unwrap();
    let exe = out.join("hello");
    let version = run_packaged(&exe, &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        "Hello 1.0.0"
    );
    // Without a display it gets as far as opening a window: the config and
    // frontend came from the payload, not from disk.
    let run = run_packaged(&exe, &[]);
    assert_fails_with(&run, "no graphical display");
}

#[test]
fn two_builds_are_byte_identical() {
    let scratch = Scratch::new("build-deterministic");
    let app = scratch.copy_sample("hello");
    let (a, b) = (scratch.0.join("a"), scratch.0.join("b"));
    assert_eq!(build(&app, &a).status.code(), Some(0));
    // Touch every file: modification times must not matter.
    for entry in std::fs::read_dir(app.join("dist")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    assert_eq!(build(&app, &b).status.code(), Some(0));
    let (first, second) = (
        std::fs::read(a.join("hello")).unwrap(),
        std::fs::read(b.join("hello")).unwrap(),
    );
    assert!(first == second, "two builds of the same app differ");
}

#[test]
fn a_flipped_payload_byte_is_a_clear_error() {
    let scratch = Scratch::new("build-flip");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("out");
    assert_eq!(build(&app, &out).status.code(), Some(0));
    let exe = out.join("hello");
    let mut bytes = std::fs::read(&exe).unwrap();
    let host_len = std::fs::metadata(bin("millennium-host")).unwrap().len() as usize;
    bytes[host_len + 10] ^= 0x01;
    std::fs::write(&exe, &bytes).unwrap();
    let run = run_packaged(&exe, &[]);
    assert_fails_with(&run, "payload is corrupted");
    assert!(!stderr(&run).contains("panicked"));
}

#[test]
fn a_truncated_app_is_a_clear_error_not_a_plain_host() {
    let scratch = Scratch::new("build-truncate");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("out");
    assert_eq!(build(&app, &out).status.code(), Some(0));
    let exe = out.join("hello");
    let bytes = std::fs::read(&exe).unwrap();
    std::fs::write(&exe, &bytes[..bytes.len() - 40]).unwrap();
    // Run from the app's own directory: a silent fallback to the generic host
    // would find its millennium.toml there.
    let run = Command::new(&exe)
        .current_dir(&app)
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_fails_with(&run, "damaged or truncated");
}

#[test]
fn an_invalid_app_is_not_built() {
    let scratch = Scratch::new("build-invalid");
    let app = scratch.copy_sample("hello");
    std::fs::write(
        app.join("millennium.toml"),
        "[app]\nname = \"X\"\nidentifier = \"bad\"\n",
    )
    .unwrap();
    let out = scratch.0.join("out");
    let built = build(&app, &out);
    assert_fails_with(&built, "is not valid: an identifier is reverse-DNS");
    assert!(
        leftovers(&out).is_empty(),
        "left behind: {:?}",
        leftovers(&out)
    );
}

#[test]
fn symlink_loops_and_escapes_fail_and_leave_nothing() {
    let scratch = Scratch::new("build-symlinks");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("out");
    std::os::unix::fs::symlink("..", app.join("dist/up")).unwrap();
    let built = build(&app, &out);
    assert_fails_with(&built, "points outside the frontend directory");
    std::fs::remove_file(app.join("dist/up")).unwrap();
    std::os::unix::fs::symlink("loop-b", app.join("dist/loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", app.join("dist/loop-b")).unwrap();
    let built = build(&app, &out);
    assert_fails_with(&built, "looping symlink");
    assert!(!out.join("hello").exists());
    assert!(
        leftovers(&out).is_empty(),
        "left behind: {:?}",
        leftovers(&out)
    );
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let scratch = Scratch::new("build-unwritable");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("a-file");
    std::fs::write(&out, "not a directory").unwrap();
    let built = build(&app, &out);
    assert_fails_with(&built, "cannot create the output directory");
}

#[test]
fn a_missing_host_is_a_clear_error() {
    let scratch = Scratch::new("build-nohost");
    let app = scratch.copy_sample("hello");
    let out = scratch.0.join("out");
    let built = millennium(
        Path::new("."),
        &[
            "build",
            app.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--host",
            "/nonexistent/millennium-host",
        ],
    );
    assert_fails_with(&built, "cannot read the host /nonexistent/millennium-host");
    assert!(leftovers(&out).is_empty());
}

/// Regression: HTML files carry `text/html; charset=utf-8`, and the build
/// looked for exactly `text/html`, so no inline script was ever hashed.
#[test]
fn inline_scripts_in_html_are_hashed_into_the_csp() {
    let scratch = Scratch::new("build-inline");
    let app = scratch.0.join("app");
    std::fs::create_dir_all(app.join("dist")).unwrap();
    std::fs::write(
        app.join("millennium.toml"),
        "[app]\nname = \"Inline\"\nidentifier = \"com.example.inline\"\n",
    )
    .unwrap();
    std::fs::write(
        app.join("dist/index.html"),
        "<script>a()</script><script src=\"x.js\"></script><SCRIPT type=\"module\">b()</SCRIPT>",
    )
    .unwrap();
    let built = build(&app, &scratch.0.join("out"));
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        stderr(&built).contains("2 inline scripts hashed"),
        "{}",
        stderr(&built)
    );
}

/// A sidecar's command must run on this machine: one built for another
/// architecture, or a file that is no program at all, is refused at build
/// time, naming the file, and nothing is written.
#[test]
fn a_sidecar_built_for_another_machine_is_not_built() {
    let scratch = Scratch::new("build-sidecar-arch");
    let app = scratch.copy_sample("hello");
    let toml = app.join("millennium.toml");
    let base = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{base}\n[[sidecars]]\nname = \"tool\"\ncommand = \"./bin/tool\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(app.join("bin")).unwrap();
    let tool = app.join("bin/tool");
    let mut elf = vec![0u8; 64];
    elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
    let other: u16 = if cfg!(target_arch = "aarch64") {
        62
    } else {
        183
    };
    elf[18..20].copy_from_slice(&other.to_le_bytes());
    let out = scratch.0.join("out");
    for (bytes, expected) in [
        (
            elf,
            if other == 183 {
                "is built for AArch64, not for this machine (x86-64)"
            } else {
                "is built for x86-64, not for this machine (AArch64)"
            },
        ),
        (
            b"MZ not a program".to_vec(),
            "is neither an executable program nor a `#!` script",
        ),
    ] {
        std::fs::write(&tool, bytes).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let built = build(&app, &out);
        assert_fails_with(&built, &format!("sidecar `tool`: `./bin/tool` {expected}"));
        assert!(
            leftovers(&out).is_empty(),
            "left behind: {:?}",
            leftovers(&out)
        );
    }
}

#[test]
fn before_build_command_makes_the_frontend_first_and_its_failure_stops_the_build() {
    let scratch = Scratch::new("before-build");
    let app = scratch.path("app");
    std::fs::create_dir_all(app.join("web")).unwrap();
    // The frontend does not exist until the command has run, in `web/`.
    std::fs::write(
        app.join("millennium.toml"),
        r#"[app]
name = "Hooked"
identifier = "dev.millennium.hooked"
frontend = "dist"
before-build-command = { script = "mkdir -p ../dist && printf '<!doctype html><title>built</title>' > ../dist/index.html && echo \"$MILLENNIUM_TARGET $MILLENNIUM_BUILD $(pwd)\" > ../ran.txt", cwd = "web" }
"#,
    )
    .unwrap();
    let out = scratch.path("out");
    let built = build(&app, &out);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(
        stderr(&built).contains("running before-build-command"),
        "{}",
        stderr(&built)
    );
    let ran = std::fs::read_to_string(app.join("ran.txt")).unwrap();
    let web = app.join("web").canonicalize().unwrap();
    assert_eq!(
        ran.trim(),
        format!(
            "{} release {}",
            millennium_config::release::Target::current().as_str(),
            web.display()
        )
    );
    assert!(out.join("hooked").is_file());

    // A failing command: its exit code, and nothing written.
    std::fs::write(
        app.join("millennium.toml"),
        "[app]\nname = \"Hooked\"\nidentifier = \"dev.millennium.hooked\"\nfrontend = \"dist\"\nbefore-build-command = \"echo building; exit 3\"\n",
    )
    .unwrap();
    let out = scratch.path("out-failed");
    let failed = build(&app, &out);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains(
            "before-build-command `echo building; exit 3` failed (exit code 3); nothing was built"
        ),
        "{}",
        stderr(&failed)
    );
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // A directory outside the app is refused before anything runs.
    std::fs::write(
        app.join("millennium.toml"),
        "[app]\nname = \"Hooked\"\nidentifier = \"dev.millennium.hooked\"\nfrontend = \"dist\"\nbefore-build-command = { script = \"touch ../../escaped\", cwd = \"..\" }\n",
    )
    .unwrap();
    let refused = build(&app, &scratch.path("out-refused"));
    assert_fails_with(&refused, "is not inside the app's directory");
    assert!(
        !scratch.path("escaped").exists()
            && !app
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .join("escaped")
                .exists()
    );
}

/// A large frontend (600 files) shows a progress bar on a terminal, here
/// a pseudo-terminal from util-linux's `script`; piped, the output has
/// no bar and no carriage return.
#[test]
fn a_large_frontend_shows_a_progress_bar_only_on_a_terminal() {
    let have_script = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("script").is_file()));
    if !have_script {
        eprintln!("\n\n!!!! SKIPPED: script is not installed (Debian: util-linux) !!!!\n\n");
        return;
    }
    let scratch = Scratch::new("build-progress");
    let app = scratch.path("app");
    millennium_e2e::copy_dir(&millennium_e2e::repo_root().join("sample-apps/hello"), &app);
    for i in 0..600 {
        std::fs::write(app.join(format!("dist/file{i}.txt")), format!("{i}\n")).unwrap();
    }
    let host = crate::support::small_host();
    let line = format!(
        "{} build {} -o {} --host {}",
        bin("millennium").display(),
        app.display(),
        scratch.path("tty").display(),
        host.display()
    );
    let on_tty = crate::support::run_within(
        Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("TERM", "xterm")
            .stdin(std::process::Stdio::null()),
        std::time::Duration::from_secs(120),
    );
    let tty = String::from_utf8_lossy(&on_tty.stdout);
    assert!(on_tty.status.success(), "{tty}");
    assert!(
        tty.contains("collecting the frontend ["),
        "no bar on a terminal:\n{tty}"
    );
    let piped = build(&app, &scratch.path("piped"));
    let text = stderr(&piped);
    assert!(piped.status.success(), "{text}");
    assert!(
        !text.contains("collecting the frontend") && !text.contains('\r'),
        "{text}"
    );
}
