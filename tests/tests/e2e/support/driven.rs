//! The host under WebKitWebDriver: `dbus-run-session -- xvfb-run -a
//! WebKitWebDriver`, a session on `millennium-host <app>` (or a packaged
//! app), and the X display of that Xvfb for what WebDriver cannot reach
//! (native dialogs, the whole screen), driven with xdotool and ImageMagick.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::webdriver::{DriverProcess, Session, capabilities};
use super::{TempDir, free_port, host_binary, run_ok};

/// WebKitWebDriver on 127.0.0.1:`port` under its own Xvfb and session bus,
/// with XDG directories inside `home` and `MILLENNIUM_AUTOMATION` set to
/// `automation` (unset when `None`). Output is discarded; callers may
/// redirect standard error before spawning.
pub fn driver_command(port: u16, home: &TempDir, automation: Option<&str>) -> Command {
    let mut command = Command::new("dbus-run-session");
    command
        .args([
            "--",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x1024x24",
            "WebKitWebDriver",
        ])
        .arg(format!("--port={port}"))
        .arg("--host=127.0.0.1")
        .env_remove("MILLENNIUM_AUTOMATION")
        .env("HOME", &home.0)
        .env("XDG_DATA_HOME", home.0.join("data"))
        .env("XDG_CONFIG_HOME", home.0.join("config"))
        .env("XDG_CACHE_HOME", home.0.join("cache"))
        // Each app's own single-instance lock: a copy still exiting from
        // the previous test never takes the next one's launch.
        .env("XDG_RUNTIME_DIR", private_dir(&home.0.join("runtime")))
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    if let Some(value) = automation {
        command.env("MILLENNIUM_AUTOMATION", value);
    }
    command
}

/// `dir`, created 0700, as a login's runtime directory is.
fn private_dir(dir: &Path) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let _ = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir);
    dir.to_owned()
}

/// A running WebKitWebDriver (under its own Xvfb and session bus) with one
/// session driving the host on an app. Fields drop in order: the session
/// is deleted before the driver's process group ends.
pub struct Driven {
    session: Session,
    driver: DriverProcess,
    _home: TempDir,
}

/// How long one WebDriver command may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

impl Driven {
    /// Starts the driver and a session running `millennium-host <app>`.
    pub fn launch(app: &Path) -> Driven {
        Driven::launch_with_env(app, &[])
    }

    /// The same, with extra environment variables for the driver and so
    /// for the app (which inherits the driver's environment).
    pub fn launch_with_env(app: &Path, env: &[(&str, String)]) -> Driven {
        Driven::launch_capabilities(&host_capabilities(app), env)
    }

    /// The same, with `args` after the app's path (`-- ARGS` passes the
    /// app its own command line) and extra environment variables.
    pub fn launch_with(app: &Path, args: &[&str], env: &[(&str, String)]) -> Driven {
        let mut all = vec![app.as_os_str()];
        all.extend(args.iter().map(std::ffi::OsStr::new));
        Driven::launch_capabilities(&capabilities(&host_binary(), &all), env)
    }

    /// Starts the driver and a session running a packaged app (an
    /// executable with its payload), with no arguments.
    pub fn launch_packaged(executable: &Path) -> Driven {
        Driven::launch_capabilities(&capabilities(executable, &[]), &[])
    }

    /// The same, with `args` as its command line.
    pub fn launch_packaged_with(executable: &Path, args: &[&str]) -> Driven {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        Driven::launch_capabilities(&capabilities(executable, &args), &[])
    }

    /// The `XDG_RUNTIME_DIR` the app runs with (where its single-instance
    /// lock is), for launching it again.
    pub fn runtime_dir(&self) -> PathBuf {
        self.home().join("runtime")
    }

    fn launch_capabilities(capabilities: &Map<String, Value>, env: &[(&str, String)]) -> Driven {
        let (driver, home) = start_driver(Some("1"), env);
        let session = Session::create_retrying(driver.port, capabilities, COMMAND_LIMIT, |_| {});
        let driven = Driven {
            session,
            driver,
            _home: home,
        };
        driven.wait_for_bridge(Duration::from_secs(30));
        driven
    }

    /// Starts the driver with `MILLENNIUM_AUTOMATION` set to `automation`
    /// (unset when `None`) and asks once for a session on the app, waiting
    /// at most `limit`. `Err` holds WebDriver's refusal.
    pub fn try_launch(
        app: &Path,
        automation: Option<&str>,
        limit: Duration,
    ) -> Result<Driven, String> {
        let (driver, home) = start_driver(automation, &[]);
        let session = Session::create(driver.port, &host_capabilities(app), limit, COMMAND_LIMIT)?;
        Ok(Driven {
            session,
            driver,
            _home: home,
        })
    }

    /// Waits until the page finished loading and `window.Millennium` exists.
    fn wait_for_bridge(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            last = self.execute("return document.readyState + '|' + (typeof window.Millennium)");
            if last == "complete|object" {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page did not load with the bridge within {limit:?}: {last}");
    }

    /// Runs synchronous JS in the current page; panics on a WebDriver error.
    pub fn execute(&self, script: &str) -> Value {
        self.session
            .try_execute(script)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Driven::execute`], but a WebDriver error (the page is between
    /// two documents, say) is returned instead of failing the test.
    pub fn try_execute(&self, script: &str) -> Result<Value, String> {
        self.session.try_execute(script)
    }

    /// Runs an async JS function body (it may `await`); returns `Ok(value)`
    /// or `Err(message)` of a thrown error or rejected promise.
    pub fn run(&self, body: &str) -> Result<Value, String> {
        self.session.try_run(body).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The document title.
    /// The `HOME` (and XDG directories) the app runs with.
    pub fn home(&self) -> &std::path::Path {
        &self._home.0
    }

    pub fn title(&self) -> String {
        self.session.title().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A PNG of the current page.
    pub fn screenshot(&self) -> Vec<u8> {
        self.session.screenshot().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The WebDriver handles of the app's windows.
    pub fn window_handles(&self) -> Vec<String> {
        self.session
            .window_handles()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Makes the window with `handle` the one scripts run in.
    pub fn switch_to_window(&self, handle: &str) {
        self.session
            .switch_to_window(handle)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Starts `call` (a JS expression giving a promise) without waiting;
    /// [`Driven::outcome`] gives how it settled.
    pub fn start(&self, call: &str) {
        self.execute(&format!(
            "window.__outcome = undefined;
             {call}.then((v) => {{ window.__outcome = {{ ok: v === undefined ? null : v }}; }},
                         (e) => {{ window.__outcome = {{ err: String(e && e.message || e) }}; }});
             return null;"
        ));
    }

    /// How the promise [`Driven::start`] started settled (`{ ok }` or
    /// `{ err }`), waiting up to 20 s.
    pub fn outcome(&self) -> Value {
        self.wait_until("window.__outcome !== undefined", Duration::from_secs(20));
        self.execute("return window.__outcome")
    }

    /// Polls `expression` (synchronous JS) until it is `true`; panics with the
    /// last answer after `limit`.
    pub fn wait_until(&self, expression: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = Err(String::new());
        while Instant::now() < deadline {
            last = self.try_execute(&format!("return !!({expression});"));
            if last == Ok(Value::Bool(true)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{expression}` did not become true within {limit:?}: {last:?}");
    }

    /// The session bus the app runs on (`dbus-run-session` made it).
    pub fn session_bus_address(&self) -> Option<String> {
        group_environment(self.driver.id(), &["DBUS_SESSION_BUS_ADDRESS"])
            .pop()
            .map(|(_, value)| value)
    }

    /// `DISPLAY` and `XAUTHORITY` of this driver's Xvfb.
    pub fn x_env(&self) -> Vec<(String, String)> {
        let vars = group_environment(self.driver.id(), &["DISPLAY", "XAUTHORITY"]);
        assert!(
            vars.iter().any(|(k, _)| k == "DISPLAY"),
            "no process of the driver's group has a DISPLAY"
        );
        vars
    }
}

fn host_capabilities(app: &Path) -> Map<String, Value> {
    capabilities(&host_binary(), &[app.as_os_str()])
}

/// WebKitWebDriver under its own Xvfb and session bus, with XDG directories
/// in a fresh home, waited for.
fn start_driver(automation: Option<&str>, env: &[(&str, String)]) -> (DriverProcess, TempDir) {
    let home = TempDir::new("host-e2e-home");
    let port = free_port();
    let mut command = driver_command(port, &home, automation);
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let driver = DriverProcess::spawn(command, port, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
    (driver, home)
}

/// Variables `names` from the environment of the first process of process
/// group `group` that has the first of them (`dbus-run-session` and `xvfb-run`
/// export them to their children, not to us).
fn group_environment(group: u32, names: &[&str]) -> Vec<(String, String)> {
    let group = group.to_string();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces; skip past ')'.
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2));
        if pgrp != Some(group.as_str()) {
            continue;
        }
        let Ok(environ) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        let vars: Vec<(String, String)> = environ
            .split(|b| *b == 0)
            .filter_map(|kv| std::str::from_utf8(kv).ok())
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| names.contains(k))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        if vars.iter().any(|(k, _)| k == names[0]) {
            return vars;
        }
    }
    Vec::new()
}

impl Driven {
    /// Runs `xdotool` on this driver's display, for at most 15 s.
    pub fn xdotool(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("timeout")
            .arg("15")
            .arg("xdotool")
            .args(args)
            .envs(self.x_env())
            .output()
            .map_err(|e| format!("cannot run xdotool: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(format!(
                "xdotool {args:?}: {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Waits for a top-level window titled exactly `title` (a native
    /// dialog, say), gives it the keyboard focus, and returns its id.
    pub fn focus_window_titled(&self, title: &str) -> String {
        let pattern = format!("^{}$", title.replace('.', "\\."));
        let found = self
            .xdotool(&["search", "--sync", "--onlyvisible", "--name", &pattern])
            .unwrap_or_else(|e| panic!("no window titled {title:?} appeared: {e}"));
        let id = found.lines().last().unwrap_or_default().to_owned();
        self.xdotool(&["windowfocus", "--sync", &id])
            .unwrap_or_else(|e| panic!("cannot focus {title:?}: {e}"));
        id
    }

    /// Types keys into the focused window: `keys` are xdotool key names
    /// (`ctrl+l`, `Return`, `Escape`).
    pub fn press(&self, keys: &[&str]) {
        let mut args = vec!["key", "--clearmodifiers", "--delay", "50"];
        args.extend_from_slice(keys);
        self.xdotool(&args).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Whether a visible top-level window titled exactly `title` exists.
    pub fn window_titled_exists(&self, title: &str) -> bool {
        let pattern = format!("^{}$", title.replace('.', "\\."));
        self.xdotool(&["search", "--onlyvisible", "--name", &pattern])
            .is_ok_and(|found| !found.is_empty())
    }

    /// Answers a GTK file chooser titled `title` by typing `path` into its
    /// location bar and pressing Enter. GTK handles typed keys at its own
    /// pace (and its completion may swallow an early Enter), so Enter is
    /// pressed again while the dialog is still there. An empty `path` only
    /// presses Enter (accepting the folder the dialog shows).
    pub fn answer_file_dialog(&self, title: &str, path: &str, location_bar: bool) {
        let id = self.focus_window_titled(title);
        if !path.is_empty() {
            if location_bar {
                self.press(&["ctrl+l"]);
            } else {
                self.press(&["ctrl+a"]);
            }
            self.type_text(path);
        }
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(700));
            if !self.window_titled_exists(title) {
                return;
            }
            let _ = self.xdotool(&["windowfocus", "--sync", &id]);
            self.press(&["Return"]);
        }
        let shot = std::env::temp_dir().join("millennium-stuck-dialog.png");
        let _ = std::fs::write(&shot, self.screen_png());
        panic!(
            "the dialog {title:?} did not close after Enter (screen: {})",
            shot.display()
        );
    }

    /// Types text into the focused window.
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--clearmodifiers", "--delay", "5", text])
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// A PNG of the whole X screen, native dialogs included (ImageMagick).
    pub fn screen_png(&self) -> Vec<u8> {
        run_ok(
            Command::new("timeout")
                .args(["20", "import", "-window", "root", "png:-"])
                .envs(self.x_env()),
            "import (ImageMagick)",
        )
        .stdout
    }
}
