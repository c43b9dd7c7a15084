//! End-to-end tests of `[[sidecars]]` and `Millennium.sidecar` in a real
//! WebKitGTK: a Python sidecar (`tests/fixtures/sidecar/echo.py`, standard
//! library only) answers, fails, notifies, misbehaves and crashes, and the
//! process table shows that nothing it started outlives the app.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Driven, TempDir, gui_lock};
use serde_json::json;

const METHODS: &str = r#"["echo", "instance", "env", "fail", "shout", "crash", "garbage", "huge", "fork", "hang", "deaf", "half", "flood", "bytes", "bytes-short", "bytes-huge", "nothing"]"#;

fn sidecar_app() -> TempDir {
    let app = TempDir::new("host-sidecar-e2e");
    let script = millennium_e2e::repo_root().join("tests/fixtures/sidecar/echo.py");
    std::fs::copy(&script, app.0.join("echo.py")).expect("copy echo.py");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Sidecar E2E"
identifier = "dev.millennium.sidecare2e"
frontend = "dist"

[[windows]]
label = "main"
title = "Sidecar"

[[windows]]
label = "side"
title = "Side"

[[sidecars]]
name = "echo"
command = "python3"
args = ["-u", {{ file = "echo.py" }}]
env = ["PATH"]
max-restarts = 1
restart-backoff-ms = 100
shutdown-timeout-secs = 1
call-timeout-secs = 2

[[sidecars]]
name = "side-only"
command = "python3"
args = [{{ file = "echo.py" }}]

[[sidecars]]
name = "ungranted"
command = "python3"
args = [{{ file = "echo.py" }}]

# Exits as soon as it starts.
[[sidecars]]
name = "quitter"
command = "python3"
args = ["-c", "raise SystemExit(4)"]
env = ["PATH"]
max-restarts = 1
restart-backoff-ms = 50

# In no directory of PATH.
[[sidecars]]
name = "missing"
command = "no-such-program-for-millennium"

[allowlist.process]
exit = true

# Wide on purpose: the packaged test checks that the directory its sidecar
# runs from stays out of reach even so.
[allowlist.fs]
read-file = true
write-file = true
scope = ["/tmp/**"]

[allowlist.sidecar]
call = true
notify = true
scope = [
  {{ name = "echo", methods = {METHODS}, windows = ["main"] }},
  {{ name = "side-only", methods = ["*"], windows = ["side"] }},
  {{ name = "quitter", methods = ["*"], windows = ["main"] }},
  {{ name = "missing", methods = ["*"], windows = ["main"] }},
]
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Sidecar</title></head><body>sidecar</body></html>"#,
    );
    app
}

fn alive(pid: u64) -> bool {
    // A zombie is dead for this purpose: it runs nothing.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

fn gone_within(pid: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn host_sidecar_e2e_calls_answers_errors_and_events() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    let driven = Driven::launch(&app.0);
    let answers = driven.run(
        r#"const s = Millennium.sidecar('echo');
           const error = (p) => p.then((v) => ({ resolved: v }), (e) => ({ name: e.name, message: e.message, code: e.code ?? null, data: e.data ?? null }));
           const heard = new Promise((resolve) => s.on('heard', resolve));
           await s.notify('shout', { loud: true });
           const many = await Promise.all([...Array(2000).keys()].map((i) => s.call('echo', [i])));
           return {
             echo: await s.call('echo', { a: [1, 'two', null] }),
             heard: await heard,
             many: many.every((r, i) => r[0] === i),
             env: await s.call('env'),
             fail: await error(s.call('fail')),
             missing: await error(s.call('nothing')),
             garbage: await s.call('garbage'),
             secret: await error(s.call('secret')),
             ungranted: await error(Millennium.sidecar('ungranted').call('echo')),
             otherWindow: await error(Millennium.sidecar('side-only').call('echo')),
             reserved: await error(s.call('$/cancelRequest', { id: 1 })),
             late: await error(s.call('hang')),
             half: await error(s.call('half')),
           };"#,
    );
    let answers = answers.expect("the calls run");
    assert_eq!(answers["echo"], json!({"a": [1, "two", null]}));
    assert_eq!(answers["heard"], json!({"loud": true}));
    assert_eq!(
        answers["many"],
        json!(true),
        "2,000 calls in flight, each answered in kind"
    );
    let env: Vec<String> = serde_json::from_value(answers["env"].clone()).unwrap();
    assert!(
        env.contains(&"PATH".to_owned()) && env.contains(&"MILLENNIUM_SIDECAR".to_owned()),
        "{env:?}"
    );
    for private in [
        "HOME",
        "DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
        "MILLENNIUM_AUTOMATION",
    ] {
        assert!(
            !env.contains(&private.to_owned()),
            "{private} reached the sidecar: {env:?}"
        );
    }
    assert_eq!(
        answers["fail"],
        json!({"name": "SidecarError", "message": "it failed", "code": -32000, "data": {"why": "asked"}})
    );
    assert_eq!(answers["missing"]["code"], json!(-32601));
    assert_eq!(
        answers["garbage"],
        json!("still here"),
        "garbage and stray answers are skipped"
    );
    assert_eq!(
        answers["secret"]["message"],
        json!("method `secret` of sidecar `echo` is not in its `[allowlist.sidecar] scope` entry")
    );
    assert_eq!(
        answers["ungranted"]["message"],
        json!(
            "sidecar `ungranted` is not in `[allowlist.sidecar] scope` (or has no `[[sidecars]]` entry)"
        )
    );
    assert_eq!(
        answers["otherWindow"]["message"],
        json!(
            "sidecar `side-only` is not granted to window `main` (`[allowlist.sidecar] scope`, `windows`)"
        )
    );
    assert!(
        answers["reserved"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the protocol's")),
        "{}",
        answers["reserved"]
    );
    assert_eq!(
        answers["late"]["message"],
        json!("sidecar `echo` did not answer `hang` within 2 s (`call-timeout-secs`)")
    );
    assert!(
        answers["half"]["message"].as_str().is_some_and(|m| {
            m.starts_with(
            "sidecar `echo` stopped before it answered: its output ended in the middle of a message"
        )
        }),
        "{}",
        answers["half"]
    );
}

/// A sidecar answers with raw bytes (`{"result": {"$bytes": N}}` and N
/// bytes): the page gets a `Uint8Array`, whole (a large one in parts),
/// and the messages after it are read as messages; bytes that never come
/// or that would be too many stop the sidecar with a clear error.
#[test]
fn host_sidecar_e2e_binary_results_arrive_whole_without_base64() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    let driven = Driven::launch(&app.0);
    let results = driven.run(
        r#"const s = Millennium.sidecar('echo');
           const message = (p) => p.then((v) => 'resolved ' + String(v), (e) => e.message);
           const check = (bytes, n) => {
             if (!(bytes instanceof Uint8Array)) return 'not bytes: ' + typeof bytes;
             if (bytes.length !== n) return 'length ' + bytes.length;
             for (let i = 0; i < n; i++) if (bytes[i] !== i % 251) return 'byte ' + i + ' is ' + bytes[i];
             return 'ok';
           };
           const large = 9 * 1024 * 1024 + 7;
           const [big, small, none, after] = await Promise.all([
             s.call('bytes', [large]), s.call('bytes', [5]), s.call('bytes', [0]), s.call('echo', ['after']),
           ]);
           const results = { big: check(big, large), small: Array.from(small), none: check(none, 0), after };
           const exited = new Promise((resolve) => s.on('$/exited', resolve));
           results.short = await message(s.call('bytes-short', [100000]));
           await exited;
           for (let i = 0; i < 100; i++) {
             try { await s.call('echo', []); break; } catch (e) { await new Promise((r) => setTimeout(r, 50)); }
           }
           results.huge = await message(s.call('bytes-huge', [10]));
           return results;"#,
    );
    let results = results.expect("the calls run");
    assert_eq!(results["big"], json!("ok"), "{results}");
    assert_eq!(results["small"], json!([0, 1, 2, 3, 4]), "{results}");
    assert_eq!(results["none"], json!("ok"), "{results}");
    assert_eq!(results["after"], json!(["after"]), "{results}");
    let short = results["short"].as_str().unwrap_or_default();
    assert!(
        short.contains("its output ended in the middle of a binary result"),
        "{results}"
    );
    let huge = results["huge"].as_str().unwrap_or_default();
    assert!(
        huge.contains(
            "it announced a binary result of 1073741824 bytes, more than 256 MiB, and was stopped"
        ),
        "{results}"
    );
}

/// A sidecar that floods notifications reaches the pages at most
/// `MAX_EVENTS_PER_SECOND` (1,000) a second; the rest are counted in
/// `$/dropped`, none is lost silently, and its answer still arrives.
#[test]
fn host_sidecar_e2e_a_flood_of_notifications_is_capped_and_counted() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    let driven = Driven::launch(&app.0);
    let flood = driven
        .run(
            "const s = Millennium.sidecar('echo');
             let spam = 0, dropped = 0;
             await s.on('spam', () => { spam++; });
             await s.on('$/dropped', (p) => { dropped += p.count; });
             const after = new Promise((resolve) => s.on('after', resolve));
             const done = await s.call('flood');
             await after;
             return { spam, dropped, done, echo: await s.call('echo', ['still here']) };",
        )
        .expect("the flood is survived");
    let (spam, dropped) = (
        flood["spam"].as_u64().unwrap(),
        flood["dropped"].as_u64().unwrap(),
    );
    assert_eq!(spam + dropped, 20_000, "{flood}");
    assert!(dropped > 0 && spam <= 5_000, "{flood}");
    assert_eq!(flood["done"], json!("done"));
    assert_eq!(flood["echo"], json!(["still here"]));
}

#[test]
fn host_sidecar_e2e_a_crash_rejects_its_calls_and_restarts_within_the_policy() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    let driven = Driven::launch(&app.0);
    let crashed = driven.run(
        r#"const s = Millennium.sidecar('echo');
           const message = (p) => p.then((v) => 'resolved ' + JSON.stringify(v), (e) => e.message);
           const first = await s.call('instance');
           const exited = new Promise((resolve) => s.on('$/exited', resolve));
           const hang = message(s.call('hang'));
           const crash = message(s.call('crash'));
           const results = { first, hang: await hang, crash: await crash, exited: await exited };
           for (let i = 0; i < 100; i++) {
             try { results.second = await s.call('instance'); break; }
             catch (e) { results.waited = e.message; await new Promise((r) => setTimeout(r, 50)); }
           }
           results.huge = await message(s.call('huge'));
           await new Promise((r) => setTimeout(r, 300));
           results.after = await message(s.call('instance'));
           return results;"#,
    );
    let crashed = crashed.expect("the calls run");
    for call in ["hang", "crash"] {
        let message = crashed[call].as_str().unwrap_or_default();
        assert!(
            message.starts_with(
                "sidecar `echo` stopped before it answered: its output ended; it exited with code 3"
            ),
            "{call}: {message}"
        );
    }
    assert_eq!(crashed["exited"]["restarting"], json!(true));
    assert!(
        crashed["second"].is_string() && crashed["second"] != crashed["first"],
        "{crashed}"
    );
    assert!(
        crashed["huge"]
            .as_str()
            .is_some_and(|m| m.contains("it sent a message larger than 16 MiB, and was stopped")),
        "{crashed}"
    );
    assert_eq!(
        crashed["after"],
        json!(
            "sidecar `echo` is stopped: it exited and was restarted 1 times already (`max-restarts`)"
        )
    );

    // One that exits at once, and one that cannot start: clear refusals,
    // and the app runs on.
    let quit = driven
        .run(
            r#"const s = Millennium.sidecar('quitter');
               const message = (p) => p.then((v) => 'resolved ' + JSON.stringify(v), (e) => e.message);
               const first = await message(s.call('anything'));
               let second = null;
               for (let i = 0; i < 100; i++) {
                 second = await message(s.call('anything'));
                 if (!second.includes('restarting')) break;
                 await new Promise((r) => setTimeout(r, 50));
               }
               await new Promise((r) => setTimeout(r, 500));
               const third = await message(s.call('anything'));
               const missing = await message(Millennium.sidecar('missing').call('anything'));
               return { first, second, third, missing, echo: await message(Millennium.sidecar('echo').call('echo')) };"#,
        )
        .expect("the calls run");
    for call in ["first", "second"] {
        assert_eq!(
            quit[call],
            json!(
                "sidecar `quitter` stopped before it answered: its output ended; it exited with code 4"
            ),
            "{quit}"
        );
    }
    assert_eq!(
        quit["third"],
        json!(
            "sidecar `quitter` is stopped: it exited and was restarted 1 times already (`max-restarts`)"
        ),
        "{quit}"
    );
    assert_eq!(
        quit["missing"],
        json!(
            "sidecar `missing` could not start: `no-such-program-for-millennium` was not found in PATH"
        ),
        "{quit}"
    );
    assert!(
        quit["echo"]
            .as_str()
            .is_some_and(|m| m.contains("is stopped")),
        "{quit}"
    );
}

#[test]
fn host_sidecar_e2e_nothing_it_started_outlives_the_app() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    // The sidecar, a child in its process group and one that left it for a
    // session of its own, seen from outside: the host is their ancestor.
    let start = |driven: &Driven| {
        driven
            .run("await Millennium.sidecar('echo').call('fork'); return 1;")
            .expect("fork");
        let started = started_for(driven.home());
        let host = started
            .iter()
            .map(|p| p.parent)
            .find(|parent| !started.iter().any(|p| p.pid == *parent))
            .expect("the host");
        let exe = std::fs::read_link(format!("/proc/{host}/exe")).expect("the host's executable");
        assert!(
            exe.ends_with("millennium-host"),
            "the sidecar's ancestor is {}",
            exe.display()
        );
        for wanted in [&["sleep", "300"][..], &["sleep", "301"]] {
            assert!(
                started.iter().any(|p| p.command == wanted),
                "{wanted:?} is not running: {started:?}"
            );
        }
        host
    };

    // The app ends by itself (`process.exit`): the sidecar gets its stdin
    // closed and SIGTERM, and what it started goes with it; one that
    // ignores SIGTERM is killed after its `shutdown-timeout-secs` (1 s).
    let driven = Driven::launch(&app.0);
    let host = start(&driven);
    assert_eq!(
        driven.run("return await Millennium.sidecar('echo').call('deaf');"),
        Ok(json!(null))
    );
    let _ = driven.try_execute("Millennium.process.exit(0); return 1;");
    assert!(
        gone_within(host, Duration::from_secs(10)),
        "the app did not exit"
    );
    assert_nothing_left(driven.home());
    drop(driven);

    // SIGTERM (a logout, `kill`): the app ends the same way.
    let driven = Driven::launch(&app.0);
    let host = start(&driven);
    signal(host, "-TERM");
    assert!(
        gone_within(host, Duration::from_secs(10)),
        "the app ignored SIGTERM"
    );
    assert_nothing_left(driven.home());
    drop(driven);

    // Killed outright, the host cannot stop anything: the kernel kills the
    // sidecar for it (PR_SET_PDEATHSIG), and with it its PID namespace,
    // the child that left its group included.
    let driven = Driven::launch(&app.0);
    let host = start(&driven);
    signal(host, "-KILL");
    assert_nothing_left(driven.home());
    drop(driven);
}

/// A process started for an app's sidecars, as the process table outside
/// shows it.
#[derive(Debug)]
struct Started {
    pid: u64,
    parent: u64,
    command: Vec<String>,
}

/// The live processes started for the sidecars of the app whose HOME is
/// `home`: each carries that app's `MILLENNIUM_DATA_DIR`, which is below
/// it, whatever PID namespace it runs in.
fn started_for(home: &Path) -> Vec<Started> {
    let marker = format!("MILLENNIUM_DATA_DIR={}/", home.display());
    let mut started = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        if !environ
            .split(|b| *b == 0)
            .any(|var| var.starts_with(marker.as_bytes()))
            || !alive(pid)
        {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0);
        let command = std::fs::read(entry.path().join("cmdline"))
            .unwrap_or_default()
            .split(|b| *b == 0)
            .filter(|arg| !arg.is_empty())
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        started.push(Started {
            pid,
            parent,
            command,
        });
    }
    started
}

/// Nothing started for the app's sidecars runs 5 s after the app ended.
fn assert_nothing_left(home: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = started_for(home);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = started_for(home);
    }
    for process in &left {
        signal(process.pid, "-KILL");
    }
    assert!(left.is_empty(), "left running after the app: {left:?}");
}

fn signal(pid: u64, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill {signal} {pid}");
}

/// Packaged, the sidecar's files travel in the executable (covered by its
/// digest and signature) and run from a private directory unpacked for this
/// run (0700, files read-only), removed when the app exits; nothing beside
/// the executable is used.
#[test]
fn host_sidecar_e2e_a_packaged_app_runs_its_packed_sidecar() {
    require_gui!();
    let _gui = gui_lock();
    let app = sidecar_app();
    let out = TempDir::new("host-sidecar-e2e-out");
    let built = millennium_e2e::millennium(
        Path::new("."),
        &[
            "build",
            app.0.to_str().unwrap(),
            "-o",
            out.0.to_str().unwrap(),
            "--host",
            millennium_e2e::bin("millennium-host").to_str().unwrap(),
        ],
    );
    assert!(built.status.success(), "{}", millennium_e2e::stderr(&built));
    let executable = out.0.join("sidecar-e2e");
    assert!(
        executable.is_file(),
        "{:?}",
        std::fs::read_dir(&out.0).map(|d| d.count())
    );
    // A file planted beside the executable is never what runs.
    std::fs::write(
        out.0.join("echo.py"),
        "raise SystemExit('the planted file ran')\n",
    )
    .unwrap();
    std::fs::remove_dir_all(&app.0).unwrap();
    let driven = Driven::launch_packaged(&executable);
    let answer = driven.run("return await Millennium.sidecar('echo').call('echo', ['packed']);");
    assert_eq!(answer, Ok(json!(["packed"])));
    let script = started_for(driven.home())
        .into_iter()
        .find_map(|p| p.command.into_iter().find(|arg| arg.ends_with("echo.py")))
        .expect("the script is an argument");
    let script = std::path::PathBuf::from(script);
    let dir = script.parent().unwrap().to_owned();
    assert!(
        dir.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("millennium-sidecars-dev.millennium.sidecare2e-"),
        "{}",
        dir.display()
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(&script).unwrap().permissions().mode() & 0o777,
        0o500
    );
    // A page cannot rewrite what the sidecar runs (or read it), whatever
    // the fs scope says.
    for call in [
        format!(
            "Millennium.fs.writeTextFile({}, 'import os')",
            json!(script)
        ),
        format!("Millennium.fs.readTextFile({})", json!(script)),
    ] {
        let refused = driven.run(&format!("return await {call};"));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("outside the fs scope")),
            "{call}: {refused:?}"
        );
    }
    let _ = driven.try_execute("Millennium.process.exit(0); return 1;");
    assert_nothing_left(driven.home());
    let deadline = Instant::now() + Duration::from_secs(10);
    while dir.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dir.exists(), "{} is left behind", dir.display());
    drop(driven);
}

/// A remote page reaches a sidecar only when its grant names it in
/// `sidecars` (and the sidecar scope grants it to the window): then it
/// calls, hears notifications and gets binary results (as base64, which
/// the bridge turns into a `Uint8Array`); a grant that names none, or
/// another sidecar, gets a clear refusal.
#[test]
fn host_sidecar_e2e_remote_pages_reach_only_the_sidecars_their_grant_names() {
    use crate::support::http_server::page_server;
    use std::net::Ipv4Addr;
    require_gui!();
    let _gui = gui_lock();
    let page = r#"<!doctype html><html><head><meta charset="utf-8"><title>Remote</title></head><body>remote</body></html>"#;
    let named = page_server(
        Ipv4Addr::LOCALHOST,
        vec![("/p.html".to_owned(), page.to_owned())],
    );
    let unnamed = page_server(
        Ipv4Addr::new(127, 0, 0, 2),
        vec![("/p.html".to_owned(), page.to_owned())],
    );
    let app = TempDir::new("host-sidecar-e2e-remote");
    let script = millennium_e2e::repo_root().join("tests/fixtures/sidecar/echo.py");
    std::fs::copy(&script, app.0.join("echo.py")).expect("copy echo.py");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "Sidecar Remote"
identifier = "dev.millennium.sidecarremote"
frontend = "dist"

[[windows]]
label = "main"
url = "http://127.0.0.1:{named}/p.html"

[[windows]]
label = "plain"
url = "http://127.0.0.2:{unnamed}/p.html"

[[sidecars]]
name = "echo"
command = "python3"
args = ["-u", {{ file = "echo.py" }}]
env = ["PATH"]

[[sidecars]]
name = "other"
command = "python3"
args = ["-u", {{ file = "echo.py" }}]
env = ["PATH"]

[allowlist.sidecar]
call = true
notify = true
scope = [
  {{ name = "echo", methods = ["echo", "bytes", "shout"], windows = ["main", "plain"] }},
  {{ name = "other", methods = ["*"] }},
]

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.1:{named}"
windows = ["main"]
enable-millennium-api = true
sidecars = ["echo"]

[[security.dangerous-remote-domain-ipc-access]]
domain = "127.0.0.2:{unnamed}"
windows = ["plain"]
enable-millennium-api = true
"#,
            named = named.port,
            unnamed = unnamed.port,
        ),
    );
    app.write("dist/index.html", "<!doctype html><title>App</title>");
    let driven = Driven::launch(&app.0);
    let limit = Duration::from_secs(15);
    let mut seen = Vec::new();
    for handle in driven.window_handles() {
        driven.switch_to_window(&handle);
        driven.wait_until(
            "document.readyState === 'complete' && typeof window.Millennium === 'object'",
            limit,
        );
        let results = driven
            .run(
                r#"const message = (p) => p.then((v) => v, (e) => 'refused: ' + e.message);
                   const s = Millennium.sidecar('echo');
                   const echo = await message(s.call('echo', ['hi']));
                   if (typeof echo === 'string') return { host: location.hostname, echo };
                   const heard = new Promise((resolve) => s.on('heard', resolve));
                   await s.notify('shout', ['loud']);
                   const bytes = await s.call('bytes', [1000]);
                   let same = bytes instanceof Uint8Array && bytes.length === 1000;
                   for (let i = 0; same && i < 1000; i++) same = bytes[i] === i % 251;
                   return { host: location.hostname, echo, heard: await heard, same,
                            other: await message(Millennium.sidecar('other').call('echo', [])) };"#,
            )
            .expect("the page runs");
        seen.push(results);
    }
    seen.sort_by_key(|r| r["host"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        seen,
        vec![
            json!({"host": "127.0.0.1", "echo": ["hi"], "heard": ["loud"], "same": true,
                   "other": "refused: sidecar `other` is out of reach of remote pages: their grant \
                             (`dangerous-remote-domain-ipc-access`) does not name it in `sidecars`"}),
            json!({"host": "127.0.0.2",
                   "echo": "refused: sidecar `echo` is out of reach of remote pages: their grant \
                            (`dangerous-remote-domain-ipc-access`) does not name it in `sidecars`"}),
        ]
    );
}
