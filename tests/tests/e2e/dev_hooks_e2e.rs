//! `[app] before-dev-command` through the real `millennium dev`: the
//! command's output prefixed, the app opened once `dev-url` answers, and
//! the command's whole process group stopped on Ctrl+C (SIGINT), when the
//! command exits early, when the URL never answers, and when Ctrl+C comes
//! while waiting. Only the first needs a display; the others end before
//! the app opens. Every wait is bounded; only 127.0.0.1 is used.

use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::support::{
    TempDir, free_port, gui_lock, kill_process, process_alive, processes_running, wait_for,
};

/// A dev server in Python: it records its pid and a background child's,
/// says what it was told, takes a second to start, then serves `web/`.
const SERVER: &str = r#"import http.server, os, subprocess, sys, time
port = int(sys.argv[1])
helper = subprocess.Popen(["sleep", "300"])
with open("pids.tmp", "w") as f:
    f.write(f"{os.getpid()} {helper.pid}\n")
os.replace("pids.tmp", "pids")
print(f"told {os.environ['MILLENNIUM_BUILD']} {os.environ['MILLENNIUM_TARGET']}", flush=True)
time.sleep(1)
os.chdir("web")
print(f"serving on {port}", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
"#;

fn app_toml(name: &str, port: u16, hook: &str) -> String {
    format!(
        r##"[app]
name = "{name}"
identifier = "dev.millennium.devhooks"
version = "0.1.0"
frontend = "dist"
dev-url = "http://127.0.0.1:{port}"
before-dev-command = {hook}

[[windows]]
label = "main"
title = "{name}"
width = 400
height = 300
"##
    )
}

/// `millennium dev APP [extra]` in its own process group (so a signal to
/// it reaches nothing else), everything it prints in `APP/dev.log`, its
/// data directories inside the app directory.
fn start_dev(app: &TempDir, extra: &[&str]) -> Child {
    start_dev_in(Command::new(millennium_e2e::bin("millennium")), app, extra)
}

/// [`start_dev`] under `dbus-run-session -- xvfb-run -a`.
fn start_dev_on_a_display(app: &TempDir) -> Child {
    let mut wrapper = Command::new("dbus-run-session");
    wrapper
        .args(["--", "xvfb-run", "-a", "-s", "-screen 0 1024x768x24"])
        .arg(millennium_e2e::bin("millennium"))
        .env("NO_AT_BRIDGE", "1");
    start_dev_in(wrapper, app, &[])
}

fn start_dev_in(mut command: Command, app: &TempDir, extra: &[&str]) -> Child {
    let log = File::create(app.0.join("dev.log")).expect("dev.log");
    command
        .arg("dev")
        .args(extra)
        .arg(&app.0)
        .env("HOME", &app.0)
        .env("XDG_DATA_HOME", app.0.join("data"))
        .env("XDG_CONFIG_HOME", app.0.join("config"))
        .env("XDG_CACHE_HOME", app.0.join("cache"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("dev.log"))
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("start millennium dev")
}

fn log(app: &TempDir) -> String {
    std::fs::read_to_string(app.0.join("dev.log")).unwrap_or_default()
}

/// Waits up to `limit` for `child` to exit.
fn exit_within(child: &mut Child, limit: Duration, app: &TempDir) -> ExitStatus {
    let mut status = None;
    wait_for(limit, "millennium dev to exit", || {
        status = child.try_wait().expect("try_wait");
        status.is_some()
    });
    status.unwrap_or_else(|| panic!("no exit status\n{}", log(app)))
}

fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
}

/// The `millennium dev` process running `app` (under a wrapper).
fn dev_process(app: &TempDir) -> u32 {
    let exe = millennium_e2e::bin("millennium");
    let wanted = app.0.as_os_str().as_encoded_bytes().to_vec();
    let mut found = None;
    wait_for(Duration::from_secs(20), "millennium dev to start", || {
        found = processes_running(&exe).into_iter().find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| line.split(|&b| b == 0).any(|arg| arg == wanted.as_slice()))
        });
        found.is_some()
    });
    found.expect("found")
}

/// The pids the command wrote to `relative` (in the app), once it has.
fn pids(app: &TempDir, relative: &str) -> Vec<u32> {
    let file = app.0.join(relative);
    wait_for(
        Duration::from_secs(20),
        "the command to write its pids",
        || std::fs::read_to_string(&file).is_ok_and(|s| s.ends_with('\n')),
    );
    std::fs::read_to_string(file)
        .expect("pids")
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect()
}

/// Stops what a failed test left running.
struct Reap(Vec<u32>);

impl Drop for Reap {
    fn drop(&mut self) {
        for &pid in &self.0 {
            kill_process(pid);
        }
    }
}

fn assert_all_gone(pids: &[u32], app: &TempDir) {
    wait_for(
        Duration::from_secs(2),
        "the command's process group to be gone",
        || pids.iter().all(|&pid| !process_alive(pid)),
    );
    let left: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|&pid| process_alive(pid))
        .collect();
    assert!(left.is_empty(), "still running: {left:?}\n{}", log(app));
}

#[test]
fn dev_hooks_e2e_before_dev_command_serves_the_app_and_ctrl_c_stops_its_group() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("dev-hooks-serve");
    let port = free_port();
    app.write(
        "millennium.toml",
        &app_toml(
            "Hooked",
            port,
            &format!("{{ script = \"python3 ../server.py {port}\", cwd = \"tools\" }}"),
        ),
    );
    app.write("server.py", SERVER);
    app.write("dist/.keep", "");
    app.write(
        "tools/web/index.html",
        "<!doctype html><title>Hooked</title><h1>served</h1>",
    );
    let mut dev = start_dev_on_a_display(&app);
    let running = pids(&app, "tools/pids");
    let _reap = Reap(running.clone());
    wait_for(
        Duration::from_secs(60),
        "the window's page fetched from the dev server",
        || log(&app).contains("\"GET /index.html HTTP/1.1\" 200"),
    );
    let text = log(&app);
    let target = millennium_config::release::Target::current();
    for needle in [
        "millennium dev: starting before-dev-command `python3 ../server.py",
        &format!("[dev] told dev {}", target.as_str()),
        &format!("[dev] serving on {port}"),
        &format!("millennium dev: http://127.0.0.1:{port} answered after"),
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
    // Its output is prefixed, the request log on standard error too.
    assert!(
        text.lines()
            .filter(|l| l.contains("GET /index.html"))
            .all(|l| l.starts_with("[dev] ")),
        "{text}"
    );
    assert!(running.iter().all(|&pid| process_alive(pid)), "{text}");
    // Ctrl+C in the terminal: SIGINT to millennium dev only, since the
    // command has its own process group.
    interrupt(dev_process(&app));
    let status = exit_within(&mut dev, Duration::from_secs(30), &app);
    assert_eq!(status.signal(), None, "{status}\n{}", log(&app));
    assert_all_gone(&running, &app);
    assert!(!log(&app).contains("panicked"), "{}", log(&app));
}

#[test]
fn dev_hooks_e2e_a_command_that_exits_early_stops_dev_with_its_last_output() {
    let app = TempDir::new("dev-hooks-exits");
    let port = free_port();
    app.write(
        "millennium.toml",
        &app_toml(
            "Exits",
            port,
            "\"echo compiling; echo 'error: port 5173 is already in use' >&2; exit 3\"",
        ),
    );
    let mut dev = start_dev(&app, &[]);
    let status = exit_within(&mut dev, Duration::from_secs(30), &app);
    assert_eq!(status.code(), Some(1), "{}", log(&app));
    let text = log(&app);
    for needle in [
        &format!(
            "error: before-dev-command `echo compiling; echo 'error: port 5173 is already in use' >&2; exit 3` exited (exit code 3) before http://127.0.0.1:{port} answered; the app was not opened"
        ),
        "  its last output:",
        "  | compiling",
        "  | error: port 5173 is already in use",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
    assert!(!text.contains("running Exits"), "{text}");
}

#[test]
fn dev_hooks_e2e_a_url_that_never_answers_times_out_and_stops_the_group() {
    let app = TempDir::new("dev-hooks-timeout");
    let port = free_port();
    app.write(
        "millennium.toml",
        &app_toml(
            "Silent",
            port,
            "\"sleep 300 & echo \\\"$$ $!\\\" > pids; echo listening elsewhere; wait\"",
        ),
    );
    let mut dev = start_dev(&app, &["--dev-url-timeout", "2"]);
    let running = pids(&app, "pids");
    let _reap = Reap(running.clone());
    let status = exit_within(&mut dev, Duration::from_secs(30), &app);
    assert_eq!(status.code(), Some(1), "{}", log(&app));
    let text = log(&app);
    for needle in [
        &format!(
            "error: http://127.0.0.1:{port} did not answer within 2 s of starting before-dev-command `sleep 300 &"
        ),
        "  | listening elsewhere",
        "hint: dev-url must be the address the server listens on",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
    assert_all_gone(&running, &app);
}

#[test]
fn dev_hooks_e2e_ctrl_c_while_waiting_stops_the_group_and_exits_130() {
    let app = TempDir::new("dev-hooks-interrupt");
    let port = free_port();
    app.write(
        "millennium.toml",
        &app_toml(
            "Waiting",
            port,
            "\"sleep 300 & echo \\\"$$ $!\\\" > pids; wait\"",
        ),
    );
    let mut dev = start_dev(&app, &[]);
    let running = pids(&app, "pids");
    let _reap = Reap(running.clone());
    wait_for(Duration::from_secs(20), "the wait to begin", || {
        log(&app).contains("waiting for http://127.0.0.1")
    });
    interrupt(dev.id());
    let status = exit_within(&mut dev, Duration::from_secs(20), &app);
    assert_eq!(status.code(), Some(130), "{}", log(&app));
    assert_all_gone(&running, &app);
}

#[test]
fn dev_hooks_e2e_a_bad_timeout_is_refused_before_anything_starts() {
    let app = TempDir::new("dev-hooks-badflag");
    app.write(
        "millennium.toml",
        &app_toml("Flag", free_port(), "\"touch started\""),
    );
    let output = Command::new(millennium_e2e::bin("millennium"))
        .args(["dev", "--dev-url-timeout", "0"])
        .arg(&app.0)
        .output()
        .expect("run millennium dev");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--dev-url-timeout"), "{stderr}");
    assert!(!Path::new(&app.0.join("started")).exists());
}
