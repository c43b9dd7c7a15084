//! The runtime's build profile, chosen by measurement, and what each shipped
//! binary weighs.
//!
//! Each candidate profile builds `millennium-runtime` (into a target
//! directory of its own, `target/profiles/<slug>`, with `CARGO_PROFILE_RUNTIME_*`
//! overriding `[profile.runtime]`), packages the bench apps on it, and is
//! measured for size, start-up and no-op IPC against bare wry + tao in the
//! same run. The chosen candidate is `[profile.runtime]` itself, as in
//! Cargo.toml: the bench refuses to run when the two disagree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::TempDir;
use crate::{Session, alternating_startups, package, run_to_exit};

/// One way to build the runtime.
struct Candidate {
    /// What it sets, for the table.
    name: &'static str,
    /// Its own target directory under `target/profiles`.
    slug: &'static str,
    /// `CARGO_PROFILE_RUNTIME_<KEY>` overrides; empty for Cargo.toml's own.
    overrides: &'static [(&'static str, &'static str)],
    /// What the figures cannot show.
    note: &'static str,
}

impl Candidate {
    /// Whether this is `[profile.runtime]` itself (no overrides).
    fn is_chosen(&self) -> bool {
        self.overrides.is_empty()
    }
}

/// What `[profile.runtime]` in Cargo.toml must say for the chosen row to be
/// true.
const CHOSEN_SETTINGS: &[&str] = &[
    "inherits = \"release\"",
    "opt-level = \"z\"",
    "lto = \"fat\"",
    "codegen-units = 1",
    "strip = \"symbols\"",
];

const CANDIDATES: &[Candidate] = &[
    Candidate {
        name: "opt-level 3, thin LTO, 4 CGUs (`release`)",
        slug: "o3-thin-4",
        overrides: &[("OPT_LEVEL", "3"), ("LTO", "thin"), ("CODEGEN_UNITS", "4")],
        note: "",
    },
    Candidate {
        name: "opt-level 3, fat LTO, 1 CGU",
        slug: "o3-fat-1",
        overrides: &[("OPT_LEVEL", "3")],
        note: "",
    },
    Candidate {
        name: "opt-level s, fat LTO, 1 CGU",
        slug: "os-fat-1",
        overrides: &[("OPT_LEVEL", "s")],
        note: "",
    },
    Candidate {
        name: "opt-level z, fat LTO, 1 CGU (`runtime`)",
        slug: "",
        overrides: &[],
        note: "",
    },
    Candidate {
        name: "opt-level z, fat LTO, 1 CGU, panic = abort",
        slug: "oz-fat-1-abort",
        overrides: &[("PANIC", "abort")],
        note: "not eligible: a panicking handler would end the app",
    },
];

/// Builds, measures and prints the profile table, then the size table.
pub fn profiles_and_sizes(bare: &Path, host: &Path, fixtures: &Path, home: &TempDir) {
    let root = millennium_e2e::repo_root();
    check_cargo_toml(&root);
    let millennium = millennium_e2e::target_dir().join("millennium");
    let work = TempDir::new("bench-profiles");
    let dist = fixtures.join("dist");

    let bare_startup =
        |h: &TempDir| run_to_exit(bare, &[dist.as_os_str(), "bare-startup.html".as_ref()], h);
    let bare_session = Session::start(bare, &[dist.to_string_lossy().as_ref(), "idle.html"], home);
    let noop_bare = bare_session.measure(&crate::noop_script(
        "() => fetch('bare://localhost/echo', { method: 'POST' }).then(r => r.arrayBuffer())",
    ));
    drop(bare_session);

    let mut rows = Vec::new();
    let mut chosen = None;
    for candidate in CANDIDATES {
        let runtime = build_runtime(&root, candidate);
        let out = work.0.join(if candidate.is_chosen() {
            "chosen"
        } else {
            candidate.slug
        });
        let hello = package(
            &millennium,
            &runtime,
            &root.join("sample-apps/hello"),
            &out,
            "hello",
        );
        let startup = package(
            &millennium,
            &runtime,
            &fixtures.join("startup.toml"),
            &out,
            "bench-startup",
        );
        let idle = package(
            &millennium,
            &runtime,
            &fixtures.join("idle.toml"),
            &out,
            "bench-idle",
        );

        let (p, b) =
            alternating_startups(|| run_to_exit(&startup, &[], home), || bare_startup(home));
        let session = Session::start(&idle, &[], home);
        let noop = session.measure(&crate::noop_script(
            "() => Millennium.ipc.invoke('ipc.ping')",
        ));
        drop(session);

        rows.push((
            candidate,
            size(&runtime),
            size(&hello),
            p / b,
            noop / noop_bare,
        ));
        if candidate.is_chosen() {
            chosen = Some((runtime, hello));
        }
    }
    let (runtime, hello) = chosen.expect("one candidate is Cargo.toml's own");
    let chosen_size = size(&runtime) as f64;
    println!();
    println!(
        "| runtime profile | runtime | packaged hello | size vs chosen | start-up vs bare | no-op IPC vs bare | note |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (candidate, runtime, hello, startup, noop) in rows {
        let chosen = candidate.is_chosen();
        println!(
            "| {} | {} | {} | {} | {startup:.2}x | {noop:.2}x | {} |",
            if chosen {
                format!("**{}**", candidate.name)
            } else {
                candidate.name.to_owned()
            },
            mib(runtime),
            mib(hello),
            if chosen {
                "chosen".to_owned()
            } else {
                format!("{:+.1}%", (runtime as f64 / chosen_size - 1.0) * 100.0)
            },
            candidate.note,
        );
    }

    // The size table: every binary stripped, built in this run.
    let notes = package(
        &millennium,
        &runtime,
        &root.join("sample-apps/notes"),
        &work.0.join("notes"),
        "notes",
    );
    let stripped_host = stripped(host, &work.0.join("millennium-host"));
    let bare_runtime = build_bare(&root);
    let stripped_bare_release = stripped(bare, &work.0.join("bare-wry-release"));
    println!();
    println!("| size (stripped) | bytes | MiB | vs bare wry + tao | goal |");
    println!("|---|---:|---:|---:|---|");
    let floor = size(&bare_runtime);
    for (what, path, goal) in [
        (
            "packaged hello (every API compiled in)",
            &hello,
            "<= 5.0 MiB",
        ),
        ("packaged notes", &notes, "-"),
        ("the runtime alone (`millennium-runtime`)", &runtime, "-"),
        (
            "the generic host (`millennium-host`, release)",
            &stripped_host,
            "-",
        ),
        ("bare wry + tao, `runtime` profile", &bare_runtime, "-"),
        (
            "bare wry + tao, `release` profile",
            &stripped_bare_release,
            "-",
        ),
    ] {
        let bytes = size(path);
        println!(
            "| {what} | {bytes} | {} | {:.2}x | {goal} |",
            mib(bytes),
            bytes as f64 / floor as f64
        );
    }
}

/// Panics unless `[profile.runtime]` in Cargo.toml is the chosen row.
fn check_cargo_toml(root: &Path) {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let section = manifest
        .split("[profile.runtime]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("Cargo.toml has [profile.runtime]");
    for setting in CHOSEN_SETTINGS {
        assert!(
            section.lines().any(|line| line.trim() == *setting),
            "[profile.runtime] in Cargo.toml no longer says `{setting}`: update the bench's candidates"
        );
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(millennium_e2e::repo_root());
    command
}

/// Builds `millennium-runtime` as `candidate` says; its path.
fn build_runtime(root: &Path, candidate: &Candidate) -> PathBuf {
    let target = if candidate.is_chosen() {
        root.join("target")
    } else {
        root.join("target/profiles").join(candidate.slug)
    };
    let mut command = cargo();
    command
        .args(["build", "-p", "millennium-host", "--profile", "runtime"])
        .args(["--no-default-features", "--bin", "millennium-runtime"])
        .arg("--target-dir")
        .arg(&target);
    for (key, value) in candidate.overrides {
        command.env(format!("CARGO_PROFILE_RUNTIME_{key}"), value);
    }
    eprintln!("bench: building the runtime with {}", candidate.name);
    run(&mut command, candidate.name);
    target.join("runtime/millennium-runtime")
}

/// The bare wry + tao program in the `runtime` profile.
fn build_bare(root: &Path) -> PathBuf {
    let mut command = cargo();
    command.args([
        "build",
        "-p",
        "millennium-e2e",
        "--profile",
        "runtime",
        "--bin",
        "bare-wry",
    ]);
    run(&mut command, "bare-wry");
    root.join("target/runtime/bare-wry")
}

fn run(command: &mut Command, what: &str) {
    let status = command.stdout(Stdio::null()).status().expect("cargo runs");
    assert!(status.success(), "building {what} failed: {status}");
}

/// A stripped copy of `binary` at `to`.
fn stripped(binary: &Path, to: &Path) -> PathBuf {
    let status = Command::new("strip")
        .arg("-o")
        .arg(to)
        .arg(binary)
        .status()
        .expect("strip runs (package binutils)");
    assert!(status.success(), "strip {} failed", binary.display());
    to.to_owned()
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len()
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / 1048576.0)
}
