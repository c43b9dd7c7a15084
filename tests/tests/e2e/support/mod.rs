//! What the end-to-end tests share: the GUI lock, the binaries, temporary
//! directories, packaging, processes, the host driven over WebDriver
//! ([`driven`], on [`webdriver`]), and the test HTTP servers. Every wait is
//! bounded. The benches include this module too, hence `dead_code`.

#![allow(dead_code)]

pub mod driven;
pub mod http_server;
pub mod webdriver;

// The update bench includes this module but drives no app.
#[allow(unused_imports)]
pub use driven::{Driven, driver_command};

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

/// GUI tests run one at a time: each starts an X server and a WebKit process
/// tree, and the CI box has two cores.
static GUI: Mutex<()> = Mutex::new(());

/// Serialises GUI tests.
pub fn gui_lock() -> MutexGuard<'static, ()> {
    GUI.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `target/<profile>/millennium-host`, built before the tests run.
pub fn host_binary() -> PathBuf {
    millennium_e2e::bin("millennium-host")
}

/// The system programs the GUI tests need; `Err` names the missing ones.
pub fn gui_prerequisites() -> Result<(), String> {
    let needed = ["WebKitWebDriver", "xvfb-run", "dbus-run-session", "convert"];
    let missing: Vec<&str> = needed.into_iter().filter(|p| !on_path(p)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// Skips (with a loud message) when the system packages are missing.
#[macro_export]
macro_rules! require_gui {
    () => {
        if let Err(missing) = $crate::support::gui_prerequisites() {
            eprintln!(
                "\n\n!!!! SKIPPED: {} needs {} (Debian: xvfb dbus webkit2gtk-driver imagemagick) !!!!\n\n",
                module_path!(),
                missing
            );
            return;
        }
    };
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty directory.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("millennium-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// Writes `contents` at `relative`, creating directories.
    pub fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A copy of `sample-apps/<name>` at `temp/<name>` with a package
/// maintainer (in its `[bundle.deb]`, added when it has none) and `extra`
/// toml appended, for the package tests.
pub fn packageable_sample(temp: &TempDir, name: &str, extra: &str) -> PathBuf {
    let app = temp.0.join(name);
    millennium_e2e::copy_dir(
        &millennium_e2e::repo_root().join("sample-apps").join(name),
        &app,
    );
    let mut toml = std::fs::read_to_string(app.join("millennium.toml")).expect("the sample's toml");
    let maintainer = "maintainer = \"Millennium Samples <samples@example.com>\"\n";
    if toml.contains("\n[bundle.deb]\n") {
        toml = toml.replacen(
            "\n[bundle.deb]\n",
            &format!("\n[bundle.deb]\n{maintainer}"),
            1,
        );
    } else {
        toml.push_str(&format!("\n[bundle.deb]\n{maintainer}"));
    }
    toml.push_str(extra);
    std::fs::write(app.join("millennium.toml"), toml).expect("write the toml");
    app
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// How many distinct colours a PNG has (ImageMagick's `%k`).
pub fn distinct_colours(png: &[u8], dir: &Path) -> u64 {
    let file = dir.join("screenshot.png");
    std::fs::write(&file, png).expect("write screenshot");
    let output = Command::new("convert")
        .arg(&file)
        .args(["-format", "%k", "info:"])
        .output()
        .expect("run convert");
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().unwrap_or_else(|_| {
        panic!(
            "convert printed {text:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Takes screenshots with `shoot` until one has more than `min` distinct
/// colours or 10 s pass, and returns the last one with its colour count.
/// WebKit paints a moment after the DOM changes (later still on a busy
/// machine), so one screenshot right after a DOM check can be blank; a
/// page that never paints never reaches `min`, however long we wait.
pub fn until_painted(min: u64, dir: &Path, mut shoot: impl FnMut() -> Vec<u8>) -> (Vec<u8>, u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let png = shoot();
        let colours = distinct_colours(&png, dir);
        if colours > min || std::time::Instant::now() >= deadline {
            return (png, colours);
        }
        std::thread::sleep(std::time::Duration::from_millis(400));
    }
}

/// Polls `done` every 200 ms until it is true; panics saying `what` did
/// not happen after `limit`.
pub fn wait_for(limit: std::time::Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} (waited {limit:?})"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Ends the process group `child` leads: SIGTERM to the group, up to 10 s
/// for `child` to exit, then SIGKILL to the group.
pub fn end_process_group(child: &mut std::process::Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
}

/// Runs `command` with its output captured, and panics if it has not
/// ended within `limit` (it is killed then). Its output is read while it
/// runs, so a chatty program cannot block on a full pipe.
pub fn run_within(command: &mut Command, limit: std::time::Duration) -> Output {
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let pid = child.id();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match output.recv_timeout(limit) {
        Ok(output) => output.expect("wait for it"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{command:?} did not end within {limit:?}");
        }
    }
}

/// Runs `command` to its end and asserts that it succeeded; a failure
/// names it as `what` and shows its standard error.
pub fn run_ok(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Packages `app` with `millennium build` (the debug host as the base)
/// into `out`, and returns the executable.
pub fn build_packaged(app: &Path, out: &Path) -> PathBuf {
    let host = millennium_e2e::bin("millennium-host");
    run_ok(
        Command::new(millennium_e2e::bin("millennium"))
            .arg("build")
            .arg(app)
            .arg("-o")
            .arg(out)
            .arg("--host")
            .arg(&host),
        "millennium build",
    );
    let mut built: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("the output directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_none() && p.is_file())
        .collect();
    assert_eq!(
        built.len(),
        1,
        "one executable expected in {}",
        out.display()
    );
    built.pop().expect("one executable")
}

/// A copy of the debug `millennium-host` without its debug information
/// (`strip --strip-debug`): about 24 MB instead of 300, so that tests which
/// package, serve and download many executables stay fast. Made once per
/// test binary at `target/<profile>/updater-e2e/millennium-host-stripped`
/// (written beside, then renamed into place).
pub fn small_host() -> PathBuf {
    static HOST: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let debug = millennium_e2e::bin("millennium-host");
        let dir = millennium_e2e::target_dir().join("updater-e2e");
        std::fs::create_dir_all(&dir).expect("create target/<profile>/updater-e2e");
        let partial = dir.join(format!(".millennium-host-stripped.{}", std::process::id()));
        run_ok(
            Command::new("strip")
                .arg("--strip-debug")
                .arg("-o")
                .arg(&partial)
                .arg(&debug),
            &format!("strip --strip-debug {} (binutils)", debug.display()),
        );
        let small = dir.join("millennium-host-stripped");
        std::fs::rename(&partial, &small).expect("rename the stripped host into place");
        small
    })
    .clone()
}

/// The processes whose executable (`/proc/<pid>/exe`) is exactly
/// `executable` (a replaced or deleted file shows as `... (deleted)` and
/// does not match).
pub fn processes_running(executable: &Path) -> Vec<u32> {
    live_processes_where(|proc_dir| {
        std::fs::read_link(proc_dir.join("exe")).is_ok_and(|exe| exe == executable)
    })
}

/// The live (not zombie) processes whose `/proc/<pid>` directory passes
/// `matches`.
pub fn live_processes_where(matches: impl Fn(&Path) -> bool) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if matches(&entry.path()) && process_alive(pid) {
            pids.push(pid);
        }
    }
    pids
}

/// Whether `pid` exists and is not a zombie.
pub fn process_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, None | Some("Z" | "X"))
}

/// Sends SIGKILL to `pid` (a process the test started, directly or not).
pub fn kill_process(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
