//! `millennium info [PATH] [--format json]`: what a bug report needs. The
//! versions of the CLI, the host and the system libraries it runs on, the
//! display server and the desktop services an app talks to, the
//! combinations known to go wrong with their workaround, and for an app
//! directory a summary of its config.
//!
//! Every probe is bounded (a D-Bus question waits at most 2 s) and every
//! failure is a value in the report, never an error: `info` is what people
//! run when something is broken.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InfoFormat {
    /// Lines for people.
    Human,
    /// One JSON object for tools.
    Json,
}

/// Prints the report.
pub fn run(path: Option<&Path>, format: InfoFormat) -> ExitCode {
    let report = report(path);
    match format {
        InfoFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        InfoFormat::Human => print!("{}", human(&report)),
    }
    ExitCode::SUCCESS
}

/// The whole report, as JSON (the human form is made from it).
pub fn report(path: Option<&Path>) -> Value {
    let session = std::env::var("XDG_SESSION_TYPE")
        .ok()
        .filter(|s| !s.is_empty());
    let wayland = std::env::var("WAYLAND_DISPLAY")
        .ok()
        .filter(|s| !s.is_empty());
    let x11 = std::env::var("DISPLAY").ok().filter(|s| !s.is_empty());
    let server = match (&wayland, &x11) {
        (Some(_), _) => "wayland",
        (None, Some(_)) => "x11",
        (None, None) => "none",
    };
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok()
        && bus_has_owner("org.freedesktop.DBus") == Some(true);
    let portal = bus
        .then(|| bus_has_owner("org.freedesktop.portal.Desktop"))
        .flatten();
    let tray = bus
        .then(|| bus_has_owner("org.kde.StatusNotifierWatcher"))
        .flatten();
    let sandbox = millennium_host::web_sandbox_available();
    let nvidia = std::fs::read_to_string("/proc/driver/nvidia/version")
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned));
    let dmabuf_off = std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_some();
    let app = path.map(app_summary);

    let mut problems = Vec::new();
    let mut problem = |what: &str, workaround: &str| {
        problems.push(json!({ "problem": what, "workaround": workaround }));
    };
    if server == "none" {
        problem(
            "no display: neither WAYLAND_DISPLAY nor DISPLAY is set",
            "run apps from a desktop session, or under `xvfb-run -a` for tests",
        );
    }
    if nvidia.is_some() && !dmabuf_off {
        problem(
            "the NVIDIA driver with WebKitGTK's DMA-BUF renderer can leave windows blank",
            "start the app with WEBKIT_DISABLE_DMABUF_RENDERER=1",
        );
    }
    if server == "wayland" {
        problem(
            "Wayland lets no program grab keys: global shortcuts ([[shortcuts]], Millennium.globalShortcut) are refused",
            "bind a desktop shortcut that launches the app (with [app] single-instance it shows the running copy)",
        );
    }
    if !bus {
        problem(
            "no session bus: notifications, the tray and desktop portals do not work",
            "run apps inside a desktop session, or under `dbus-run-session` for tests",
        );
    } else if tray == Some(false) {
        problem(
            "no status-notifier host: tray icons ([tray]) are not shown",
            "use a panel that shows them (on GNOME, the AppIndicator extension)",
        );
    }
    if let Err(why) = &sandbox {
        problem(
            &format!("WebKit's web process sandbox cannot start: {why}"),
            "install bubblewrap (Debian: bubblewrap) and allow unprivileged user namespaces",
        );
    }

    json!({
        "cli": { "version": env!("CARGO_PKG_VERSION"), "path": std::env::current_exe().ok() },
        "host": host_version("millennium-host"),
        "runtime": beside("millennium-runtime").map(|p| p.display().to_string()),
        "os": os_release(),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned()),
        "webkitgtk": package_version(&["libwebkit2gtk-4.1-0"], &["webkit2gtk4.1"], "webkit2gtk-4.1"),
        "gtk": package_version(&["libgtk-3-0"], &["gtk3"], "gtk+-3.0"),
        "appindicator": package_version(&["libayatana-appindicator3-1", "libappindicator3-1"], &["libayatana-appindicator-gtk3"], "ayatana-appindicator3-0.1"),
        "display": { "server": server, "session-type": session, "wayland-display": wayland, "x11-display": x11 },
        "session-bus": bus,
        "desktop-portal": portal,
        "status-notifier-host": tray,
        "web-sandbox": match &sandbox { Ok(()) => json!(true), Err(why) => json!({ "available": false, "why": why }) },
        "nvidia-driver": nvidia,
        "known-problems": problems,
        "app": app,
    })
}

/// `millennium-host --version` of the host beside this CLI.
fn host_version(name: &str) -> Value {
    let Some(path) = beside(name) else {
        return json!({ "found": false });
    };
    let version = bounded(Command::new(&path).arg("--version"))
        .map(|out| out.trim().trim_start_matches(name).trim().to_owned());
    json!({ "found": true, "path": path, "version": version })
}

fn beside(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join(name);
    candidate.is_file().then_some(candidate)
}

/// Runs `command` for at most 5 s; its standard output on success.
fn bounded(command: &mut Command) -> Option<String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
                return status.success().then_some(out);
            }
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The installed version: Debian's package, else Fedora's, else pkg-config.
fn package_version(debian: &[&str], fedora: &[&str], pkg_config: &str) -> Option<String> {
    for package in debian {
        if let Some(version) =
            bounded(Command::new("dpkg-query").args(["-W", "-f=${Status}|${Version}", package]))
            && let Some(("install ok installed", version)) = version.split_once('|')
        {
            return Some(version.to_owned());
        }
    }
    for package in fedora {
        if let Some(version) =
            bounded(Command::new("rpm").args(["-q", "--qf", "%{VERSION}-%{RELEASE}", package]))
        {
            return Some(version);
        }
    }
    bounded(Command::new("pkg-config").args(["--modversion", pkg_config]))
        .map(|v| v.trim().to_owned())
}

/// `PRETTY_NAME` of `/etc/os-release`.
fn os_release() -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
}

/// Whether `name` has an owner on the session bus (`None`: no answer in 2 s).
fn bus_has_owner(name: &str) -> Option<bool> {
    let out = bounded(Command::new("timeout").args([
        "2",
        "gdbus",
        "call",
        "--session",
        "--dest",
        "org.freedesktop.DBus",
        "--object-path",
        "/org/freedesktop/DBus",
        "--method",
        "org.freedesktop.DBus.NameHasOwner",
        name,
    ]))?;
    Some(out.contains("true"))
}

/// What the app at `path` declares, or why its config does not load.
fn app_summary(path: &Path) -> Value {
    let loaded = match millennium_config::load(path) {
        Ok(loaded) => loaded,
        Err(millennium_config::LoadError::Invalid { diagnostics, .. }) => {
            return json!({ "valid": false, "problems": diagnostics.len(), "hint": "run `millennium check` for them" });
        }
        Err(error) => return json!({ "valid": false, "error": error.to_string() }),
    };
    let config = &loaded.config;
    let granted: Vec<String> = millennium_config::model::Allowlist::keys()
        .filter(|(category, command)| config.allowlist.allows(category, command) == Some(true))
        .map(|(category, command)| format!("allowlist.{category}.{command}"))
        .collect();
    json!({
        "valid": true,
        "config": loaded.path,
        "name": config.app.name,
        "identifier": config.app.identifier,
        "version": config.app.version,
        "dev-url": config.app.dev_url,
        "single-instance": config.app.single_instance,
        "windows": config.windows.iter().map(|w| json!({ "label": w.label, "url": w.url, "menu": w.menu })).collect::<Vec<_>>(),
        "granted-keys": granted,
        "updater": if config.updater.active { json!({ "active": true, "endpoints": config.updater.endpoints.len() }) } else { json!({ "active": false }) },
        "sidecars": config.sidecars.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "menus": config.menus.keys().collect::<Vec<_>>(),
        "tray": config.tray.is_some(),
        "shortcuts": config.shortcuts.iter().map(|s| s.accelerator.clone()).collect::<Vec<_>>(),
    })
}

/// The report for people.
fn human(report: &Value) -> String {
    let text = |v: &Value| match v {
        Value::Null => "unknown".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        other => other.to_string(),
    };
    let mut out = String::new();
    let mut line = |key: &str, value: String| out.push_str(&format!("{key:<22} {value}\n"));
    line("millennium", text(&report["cli"]["version"]));
    line(
        "millennium-host",
        if report["host"]["found"] == json!(true) {
            format!(
                "{} ({})",
                text(&report["host"]["version"]),
                text(&report["host"]["path"])
            )
        } else {
            "not found beside millennium".to_owned()
        },
    );
    line("os", text(&report["os"]));
    line("kernel", text(&report["kernel"]));
    line("webkitgtk", text(&report["webkitgtk"]));
    line("gtk", text(&report["gtk"]));
    line("appindicator", text(&report["appindicator"]));
    let display = &report["display"];
    line(
        "display",
        format!(
            "{} (session type {})",
            text(&display["server"]),
            text(&display["session-type"])
        ),
    );
    line("session bus", text(&report["session-bus"]));
    line("desktop portal", text(&report["desktop-portal"]));
    line(
        "status-notifier host",
        text(&report["status-notifier-host"]),
    );
    line(
        "web sandbox",
        match &report["web-sandbox"] {
            Value::Bool(true) => "yes".to_owned(),
            other => format!("no: {}", text(&other["why"])),
        },
    );
    if !report["nvidia-driver"].is_null() {
        line("nvidia driver", text(&report["nvidia-driver"]));
    }
    let app = &report["app"];
    if app["valid"] == json!(true) {
        out.push('\n');
        let mut line = |key: &str, value: String| out.push_str(&format!("{key:<22} {value}\n"));
        line(
            "app",
            format!(
                "{} {} ({})",
                text(&app["name"]),
                text(&app["version"]),
                text(&app["identifier"])
            ),
        );
        line("config", text(&app["config"]));
        let windows: Vec<String> = app["windows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| format!("{} ({})", text(&w["label"]), text(&w["url"])))
            .collect();
        line("windows", windows.join(", "));
        let keys: Vec<String> = app["granted-keys"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        line(
            "granted keys",
            if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            },
        );
        line(
            "updater",
            if app["updater"]["active"] == json!(true) {
                "on".to_owned()
            } else {
                "off".to_owned()
            },
        );
        let list = |v: &Value| {
            let items: Vec<String> = v.as_array().into_iter().flatten().map(text).collect();
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        line("sidecars", list(&app["sidecars"]));
        line("menus", list(&app["menus"]));
        line("tray", text(&app["tray"]));
        line("global shortcuts", list(&app["shortcuts"]));
    } else if !app.is_null() {
        out.push_str(&format!(
            "\napp                    invalid: {}\n",
            text(app.get("error").unwrap_or(&app["hint"]))
        ));
    }
    if let Some(problems) = report["known-problems"]
        .as_array()
        .filter(|p| !p.is_empty())
    {
        out.push_str("\nknown problems here:\n");
        for p in problems {
            out.push_str(&format!(
                "- {}\n  workaround: {}\n",
                text(&p["problem"]),
                text(&p["workaround"])
            ));
        }
    }
    out
}
