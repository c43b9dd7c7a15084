//! How an app is launched: its `[cli]` (arguments as data for the page,
//! usage errors before any window) and `[app] single-instance` (a later
//! launch hands its arguments to the running copy and exits 0).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Driven, TempDir, gui_lock, host_binary, run_within};
use serde_json::json;

fn launch_app(single_instance: bool, granted: bool) -> TempDir {
    let app = TempDir::new("host-launch-e2e");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Launch"
identifier = "dev.millennium.launch{}"
version = "2.1.0"
frontend = "dist"
single-instance = {single_instance}

[cli]
description = "Opens notes"

[[cli.args]]
name = "file"
index = 1
multiple = true

[[cli.args]]
name = "verbose"
short = "v"
multiple = true

[[cli.args]]
name = "theme"
takes-value = true
possible-values = ["light", "dark"]

[allowlist.cli]
get-matches = {granted}
"#,
            std::process::id()
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Launch</title></head><body>launch</body></html>"#,
    );
    app
}

/// Runs the host on `app` with `args` after `--`, without a display, in
/// `cwd`, with `env`; its exit code, stdout and stderr, within 20 s.
fn run_host(
    app: &Path,
    args: &[&str],
    cwd: &Path,
    env: &[(&str, String)],
) -> (Option<i32>, String, String) {
    let mut command = Command::new(host_binary());
    command
        .arg(app)
        .arg("--")
        .args(args)
        .current_dir(cwd)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null());
    run_bounded(&mut command)
}

fn run_bounded(command: &mut Command) -> (Option<i32>, String, String) {
    let output = run_within(command, Duration::from_secs(20));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn host_launch_arguments_it_does_not_declare_exit_2_before_any_window() {
    let app = launch_app(false, true);
    let here = std::env::temp_dir();
    for (args, needles) in [
        (
            &["--nope"][..],
            &[
                "error: unexpected argument '--nope' found",
                "Usage: millennium-host",
            ][..],
        ),
        (
            &["--theme", "blue"][..],
            &[
                "error: invalid value 'blue' for '--theme <theme>'",
                "[possible values: light, dark]",
            ][..],
        ),
    ] {
        let (code, stdout, stderr) = run_host(&app.0, args, &here, &[]);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "{args:?}: {stderr}");
        }
        assert!(stdout.is_empty(), "{stdout}");
    }
    let (code, stdout, _) = run_host(&app.0, &["--help"], &here, &[]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("Opens notes") && stdout.contains("--theme <theme>"),
        "{stdout}"
    );
    let (code, stdout, _) = run_host(&app.0, &["--version"], &here, &[]);
    assert_eq!((code, stdout.as_str()), (Some(0), "Launch 2.1.0\n"));
}

#[test]
fn host_launch_declared_arguments_reach_the_page_only_with_the_key() {
    require_gui!();
    let _gui = gui_lock();
    let app = launch_app(false, true);
    let driven = Driven::launch_with(
        &app.0,
        &["--", "-vv", "--theme", "dark", "a.md", "b.md"],
        &[],
    );
    assert_eq!(
        driven.run("return await Millennium.cli.getMatches();"),
        Ok(json!({
            "args": {
                "file": { "value": ["a.md", "b.md"], "occurrences": 2 },
                "verbose": { "value": true, "occurrences": 2 },
                "theme": { "value": "dark", "occurrences": 1 },
            },
            "subcommand": null,
        }))
    );
    drop(driven);
    let denied = launch_app(false, false);
    let driven = Driven::launch_with(&denied.0, &["--", "a.md"], &[]);
    assert_eq!(
        driven.run("return await Millennium.cli.getMatches();"),
        Err("allowlist.cli.get-matches is not enabled in millennium.toml".to_owned())
    );
}

/// A private runtime directory for one test's launches, as a login gives.
fn runtime_dir(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

#[test]
fn host_launch_a_second_launch_hands_its_arguments_to_the_first() {
    require_gui!();
    let _gui = gui_lock();
    let app = launch_app(true, true);
    let runtime = runtime_dir("host-launch-runtime");
    let env = [("XDG_RUNTIME_DIR", runtime.0.display().to_string())];
    let driven = Driven::launch_with(&app.0, &[], &env);
    driven
        .run("window.__launches = []; await Millennium.app.onSecondInstance((l) => window.__launches.push(l)); return 1;")
        .expect("listening");
    let elsewhere = TempDir::new("host-launch-cwd");

    // The second launch needs no display: it hands over and exits 0.
    let started = Instant::now();
    let (code, stdout, stderr) = run_host(&app.0, &["-v", "second.md"], &elsewhere.0, &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.is_empty() && stderr.is_empty(), "{stdout}{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    driven.wait_until("window.__launches.length === 1", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.__launches;"),
        json!([{ "args": ["-v", "second.md"], "cwd": elsewhere.0.canonicalize().unwrap() }])
    );

    // Its own arguments are checked first: a usage error is not handed over.
    let (code, _, stderr) = run_host(&app.0, &["--nope"], &elsewhere.0, &env);
    assert_eq!(code, Some(2), "{stderr}");

    // What is not a launch's message, from another process, is refused;
    // the running copy is unharmed and still takes the next launch.
    let socket = runtime
        .0
        .join(format!("dev.millennium.launch{}.sock", std::process::id()));
    for garbage in [
        b"garbage\n".to_vec(),
        vec![b'x'; 5 * 1024 * 1024],
        b"{\"args\": [], \"cwd\": \"relative\"}\n".to_vec(),
    ] {
        use std::io::{Read, Write};
        let mut stream = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = stream.write_all(&garbage);
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        assert!(reply.starts_with("error: "), "{reply}");
    }
    let (code, _, stderr) = run_host(&app.0, &["third.md"], &elsewhere.0, &env);
    assert_eq!(code, Some(0), "{stderr}");
    driven.wait_until("window.__launches.length === 2", Duration::from_secs(10));
    assert_eq!(
        driven.execute("return window.__launches[1].args;"),
        json!(["third.md"])
    );

    // Another user has a lock of their own: their launch does not reach
    // this copy (it starts its own, which here finds no display).
    if std::process::Command::new("runuser")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "nobody", "--"])
            .arg(host_binary())
            .arg(&app.0)
            .args(["--", "from-nobody.md"])
            .current_dir("/")
            .env_remove("DISPLAY")
            .env("XDG_RUNTIME_DIR", &runtime.0)
            .stdin(Stdio::null());
        let (code, _, stderr) = run_bounded(&mut command);
        assert_ne!(code, Some(0), "{stderr}");
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(driven.execute("return window.__launches.length;"), json!(2));
    }
    drop(driven);
}

#[test]
fn host_launch_a_lock_left_by_a_killed_copy_or_a_symlink_is_handled() {
    require_gui!();
    let _gui = gui_lock();
    let app = launch_app(true, true);
    let runtime = runtime_dir("host-launch-stale");
    let env = [("XDG_RUNTIME_DIR", runtime.0.display().to_string())];
    let driven = Driven::launch_with(&app.0, &[], &env);
    let host = crate::support::processes_running(&host_binary())
        .into_iter()
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(app.0.to_str().unwrap()))
        })
        .expect("the first copy");
    let killed = Command::new("kill")
        .args(["-KILL", &host.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    drop(driven);
    // Its socket is left; the next launch is the first again.
    let stem = format!("dev.millennium.launch{}", std::process::id());
    assert!(runtime.0.join(format!("{stem}.sock")).exists());
    let driven = Driven::launch_with(&app.0, &[], &env);
    assert_eq!(
        driven.run("return await Millennium.app.getName();"),
        Ok(json!("Launch"))
    );
    drop(driven);

    // A lock file that is a symlink is never followed.
    let lock = runtime.0.join(format!("{stem}.lock"));
    std::fs::remove_file(&lock).unwrap();
    let target = runtime.0.join("elsewhere");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let (code, _, stderr) = run_host(&app.0, &[], Path::new("/"), &env);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("it is a symlink; remove it"), "{stderr}");
    assert!(!target.exists());
}

/// `[bundle] url-schemes` and `file-associations`: a URL of the app's
/// scheme and a file of its type on the command line reach the page
/// (`deepLink.getCurrent`, `app.getOpenedFiles`), the file is readable by
/// `fs` and its sibling is not; a later launch's arrive as events.
#[test]
fn host_launch_deep_links_and_opened_files_reach_the_page_and_only_them() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("host-launch-links");
    let identifier = format!("dev.millennium.links{}", std::process::id());
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Links"
identifier = "{identifier}"
frontend = "dist"
single-instance = true

[bundle]
url-schemes = ["notes"]

[[bundle.file-associations]]
extensions = ["md"]
mime-type = "text/markdown"

[allowlist.deep-link]
get-current = true

[allowlist.app]
get-opened-files = true

[allowlist.fs]
read-file = true
"#
        ),
    );
    app.write("dist/index.html", "<!doctype html><title>Links</title>");
    let files = TempDir::new("host-launch-files");
    let opened = files.write("Trip.md", "# Trip");
    let sibling = files.write("Secret.md", "# Secret");
    let fifo = files.0.join("pipe.md");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let runtime = runtime_dir("host-launch-links-runtime");
    let env = [("XDG_RUNTIME_DIR", runtime.0.display().to_string())];
    // Over the 64 KiB a deep link may have (one argument cannot exceed
    // 128 KiB on Linux; a 1 MiB one is sent through the socket below).
    let big = format!("notes://open?payload={}", "A".repeat(100 * 1024));
    let driven = Driven::launch_with(
        &app.0,
        &[
            "--",
            "notes://open?name=Trip",
            opened.to_str().unwrap(),
            fifo.to_str().unwrap(),
            &big,
        ],
        &env,
    );
    let read = |path: &Path| {
        driven.run(&format!(
            "return await Millennium.fs.readTextFile({}).catch((e) => 'refused: ' + e.message);",
            json!(path)
        ))
    };
    assert_eq!(
        driven.run("return await Millennium.deepLink.getCurrent();"),
        Ok(json!(["notes://open?name=Trip"]))
    );
    assert_eq!(
        driven.run("return await Millennium.app.getOpenedFiles();"),
        Ok(json!([opened.canonicalize().unwrap()]))
    );
    assert_eq!(read(&opened), Ok(json!("# Trip")));
    let refused = read(&sibling).unwrap();
    assert!(
        refused.as_str().is_some_and(|r| r.starts_with("refused: ")),
        "{refused}"
    );

    // A later launch, from the files' directory with a relative path.
    driven
        .run(
            "window.__got = [];
             await Millennium.deepLink.onOpenUrl((urls) => window.__got.push({ urls }));
             await Millennium.app.onFilesOpened((paths) => window.__got.push({ paths }));
             return 1;",
        )
        .expect("listening");
    let later = files.write("Later.md", "# Later");
    let (code, _, stderr) = run_host(
        &app.0,
        &[
            "Later.md",
            "notes://open?name=Later",
            "https://example.com/x",
        ],
        &files.0,
        &env,
    );
    assert_eq!(code, Some(0), "{stderr}");
    driven.wait_until("window.__got.length === 2", Duration::from_secs(10));
    let got = driven.execute("return window.__got;");
    assert!(
        got.as_array()
            .unwrap()
            .contains(&json!({ "urls": ["notes://open?name=Later"] })),
        "{got}"
    );
    assert!(
        got.as_array()
            .unwrap()
            .contains(&json!({ "paths": [later.canonicalize().unwrap()] })),
        "{got}"
    );
    assert_eq!(read(&later), Ok(json!("# Later")));
    assert!(
        read(&sibling)
            .unwrap()
            .as_str()
            .is_some_and(|r| r.starts_with("refused: "))
    );

    // A 1 MiB deep link and a FIFO handed over by hand: taken as a message,
    // neither is opened.
    {
        use std::io::{Read, Write};
        let socket = runtime.0.join(format!("{identifier}.sock"));
        let mut stream = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
        let huge = format!("notes://open?payload={}", "A".repeat(1024 * 1024));
        let message = json!({ "args": [huge, "pipe.md"], "cwd": files.0 });
        stream.write_all(format!("{message}\n").as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert_eq!(reply, "ok\n");
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(driven.execute("return window.__got.length;"), json!(2));
}

/// `[[windows]] remember-state`: a window moved and resized comes back
/// there at the next start; one saved on a monitor that is gone opens on
/// the screen; a damaged state file is ignored with a warning.
#[test]
fn host_launch_a_window_comes_back_where_it_was_left() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("host-launch-state");
    app.write(
        "millennium.toml",
        r#"
[app]
name = "State"
identifier = "dev.millennium.windowstate"
frontend = "dist"

[[windows]]
label = "main"
width = 500
height = 400
center = true
remember-state = true

[allowlist.window]
set-size = true
set-position = true

[allowlist.process]
exit = true
"#,
    );
    app.write("dist/index.html", "<!doctype html><title>State</title>");
    let config = TempDir::new("host-launch-state-config");
    let env = [("XDG_CONFIG_HOME", config.0.display().to_string())];
    let geometry = "const w = Millennium.window.getCurrent(); const f = await w.scaleFactor();
                    const p = await w.outerPosition(); const s = await w.innerSize();
                    return [Math.round(p.x / f), Math.round(p.y / f), Math.round(s.width / f), Math.round(s.height / f)];";

    let driven = Driven::launch_with(&app.0, &[], &env);
    driven
        .run(
            "const win = Millennium.window; const w = win.getCurrent();
             await w.setSize(new win.LogicalSize(610, 410));
             await w.setPosition(new win.LogicalPosition(130, 95));
             for (let i = 0; i < 100; i++) {
               const f = await w.scaleFactor(); const p = await w.outerPosition();
               if (Math.round(p.x / f) === 130 && Math.round(p.y / f) === 95) break;
               await new Promise((r) => setTimeout(r, 50));
             }
             return 1;",
        )
        .expect("moved");
    let _ = driven.try_execute("Millennium.process.exit(0); return 1;");
    let file = config
        .0
        .join("dev.millennium.windowstate/window-state.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(driven);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("saved")).unwrap();
    assert_eq!(
        (
            saved["main"]["width"].as_f64(),
            saved["main"]["height"].as_f64()
        ),
        (Some(610.0), Some(410.0)),
        "{saved}"
    );

    let driven = Driven::launch_with(&app.0, &[], &env);
    assert_eq!(driven.run(geometry), Ok(json!([130, 95, 610, 410])));
    drop(driven);

    // Saved on a second monitor that is not there now (the screen is 1280 wide).
    std::fs::write(
        &file,
        r#"{"main": {"x": 3000, "y": 200, "width": 610, "height": 410, "maximized": false, "fullscreen": false}}"#,
    )
    .unwrap();
    let driven = Driven::launch_with(&app.0, &[], &env);
    assert_eq!(driven.run(geometry), Ok(json!([0, 0, 610, 410])));
    drop(driven);

    // Damaged: the configured size, centred, and the app starts.
    std::fs::write(&file, "{ damaged").unwrap();
    let driven = Driven::launch_with(&app.0, &[], &env);
    let opened = driven.run(geometry).expect("geometry");
    assert_eq!(
        (&opened[2], &opened[3]),
        (&json!(500), &json!(400)),
        "{opened}"
    );
}

/// `Millennium.autostart`: `enable()` writes an XDG autostart entry that
/// `desktop-file-validate` accepts and that starts this app with
/// `--autostart` (which the app sees as `wasLaunchedAtLogin()`, not as an
/// argument of its own); `disable()` removes it.
#[test]
fn host_launch_autostart_writes_an_entry_that_starts_the_app() {
    require_gui!();
    let _gui = gui_lock();
    let app = TempDir::new("host-launch-autostart");
    app.write(
        "millennium.toml",
        r#"
[app]
name = "Auto Start"
identifier = "dev.millennium.autostart"
frontend = "dist"

[allowlist.autostart]
enable = true
disable = true
is-enabled = true
"#,
    );
    app.write("dist/index.html", "<!doctype html><title>Auto</title>");
    let config = TempDir::new("host-launch-autostart-config");
    let env = [("XDG_CONFIG_HOME", config.0.display().to_string())];
    let driven = Driven::launch_with(&app.0, &[], &env);
    assert_eq!(
        driven.run(
            "const a = Millennium.autostart;
             const before = await a.isEnabled();
             await a.enable();
             return [before, await a.isEnabled(), await a.wasLaunchedAtLogin()];"
        ),
        Ok(json!([false, true, false]))
    );
    let entry = config.0.join("autostart/dev.millennium.autostart.desktop");
    let text = std::fs::read_to_string(&entry).expect("the entry");
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line")
        .to_owned();
    assert_eq!(
        exec,
        format!(
            "{} {} -- --autostart",
            host_binary().display(),
            app.0.display()
        ),
        "{text}"
    );
    if Command::new("desktop-file-validate")
        .arg("--help")
        .output()
        .is_ok()
    {
        let validated = Command::new("desktop-file-validate")
            .arg(&entry)
            .output()
            .unwrap();
        assert!(
            validated.status.success(),
            "{}",
            String::from_utf8_lossy(&validated.stdout)
        );
    }
    drop(driven);

    // What the entry runs at login: the app, told it was started so.
    let words: Vec<&str> = exec.split(' ').collect();
    let driven = Driven::launch_with(Path::new(words[1]), &words[2..], &env);
    assert_eq!(
        driven.run("return await Millennium.autostart.wasLaunchedAtLogin();"),
        Ok(json!(true))
    );
    assert_eq!(
        driven.run(
            "await Millennium.autostart.disable(); return await Millennium.autostart.isEnabled();"
        ),
        Ok(json!(false))
    );
    assert!(!entry.exists());
}
