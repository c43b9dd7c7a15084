//! `make bench`: `millennium-host` against the floor of its stack, a bare
//! wry + tao program (`bare-wry`) doing the same work, both built in the same
//! run. Prints medians and the ratio host / bare for each measure, never an
//! assertion: the machine is shared and noisy.
//!
//! Needs a display and a session bus: `make bench` runs it under
//! `dbus-run-session -- xvfb-run -a`. Release binaries must be built first
//! (`cargo build --release --workspace --bins`; `make bench` does it).

#[path = "../tests/e2e/support/mod.rs"]
mod support;

#[path = "host_vs_wry/profiles.rs"]
mod profiles;

#[path = "host_vs_wry/sidecars.rs"]
mod sidecars;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::http_server::{HttpServer, header, reply_shared, respond};
use support::webdriver::{self, DriverProcess};
use support::{TempDir, free_port};

const STARTUP_RUNS: usize = 15;
const MEMORY_RUNS: usize = 5;
const NOOP_CALLS: usize = 2000;
const BULK_RUNS: usize = 5;
const BULK_BYTES: usize = 64 * 1024 * 1024;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; this is not a test.
    }
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!(
            "host_vs_wry needs a display: run `make bench`, or \
             `dbus-run-session -- xvfb-run -a cargo bench -p millennium-e2e`"
        );
        std::process::exit(2);
    }
    let bins = millennium_e2e::target_dir();
    let host = bins.join("millennium-host");
    let bare = bins.join("bare-wry");
    for binary in [&host, &bare] {
        assert!(
            binary.is_file(),
            "{} is missing: run `cargo build --release --workspace --bins` first",
            binary.display()
        );
    }
    let fixtures = millennium_e2e::repo_root().join("tests/fixtures/bench");
    let dist = fixtures.join("dist");
    let home = TempDir::new("bench-home");
    // `BENCH_ONLY=sidecars`: that table alone (a few minutes, not thirty).
    if std::env::var("BENCH_ONLY").is_ok_and(|only| only == "sidecars") {
        sidecars::sidecar_calls(&host, &home);
        return;
    }

    let host_startup =
        |h: &TempDir| run_to_exit(&host, &[fixtures.join("startup.toml").as_os_str()], h);
    let bare_startup =
        |h: &TempDir| run_to_exit(&bare, &[dist.as_os_str(), "bare-startup.html".as_ref()], h);
    let mut rows = Vec::new();

    // Exec to first script, which exits at once.
    let (h, b) = alternating_startups(|| host_startup(&home), || bare_startup(&home));
    rows.push(Row::time(
        "exec to first script, then exit",
        h,
        b,
        "<= 1.05x",
    ));
    // The same, with bare wry's web process in WebKit's bubblewrap sandbox
    // as well, which the host turns on (issue 11): what Millennium itself
    // adds to a start.
    match millennium_host::web_sandbox_available() {
        Ok(()) => {
            let (h, b) = alternating_startups(
                || host_startup(&home),
                || sandboxed_bare(|| bare_startup(&home)),
            );
            rows.push(Row::time(
                "exec to first script, then exit; both in WebKit's sandbox",
                h,
                b,
                "<= 1.02x",
            ));
        }
        Err(why) => println!("(no start-up row with the sandbox: {why})"),
    }

    // Resident memory of the whole process tree (the app and WebKit's web
    // and network processes) two seconds after start, on an idle page.
    let (mut h, mut b) = (Vec::new(), Vec::new());
    for _ in 0..MEMORY_RUNS {
        h.push(tree_rss_after_load(
            &host,
            &[fixtures.join("idle.toml").as_os_str()],
            &home,
        ));
        b.push(tree_rss_after_load(
            &bare,
            &[dist.as_os_str(), "idle.html".as_ref()],
            &home,
        ));
    }
    rows.push(Row::memory(
        "resident memory after load (tree)",
        median(&h),
        median(&b),
        "<= 1.10x",
    ));

    // IPC, measured in the page with performance.now(); WebDriver only
    // starts the loop and collects the figure.
    let host_session = Session::start(
        &host,
        &[fixtures.join("idle.toml").to_string_lossy().as_ref()],
        &home,
    );
    let bare_session = Session::start(
        &bare,
        &[dist.to_string_lossy().as_ref(), "idle.html"],
        &home,
    );
    let noop_host = host_session.measure(&noop_script("() => Millennium.ipc.invoke('ipc.ping')"));
    let noop_bare = bare_session.measure(&noop_script(
        "() => fetch('bare://localhost/echo', { method: 'POST' }).then(r => r.arrayBuffer())",
    ));
    rows.push(Row::millis(
        "no-op IPC round trip vs raw custom-protocol fetch",
        noop_host,
        noop_bare,
        "<= 0.60x",
    ));

    let bulk = |session: &Session, call: &str| {
        let mut runs = Vec::new();
        for _ in 0..BULK_RUNS {
            runs.push(session.measure(&format!(
                "const bytes = new Uint8Array({BULK_BYTES});
                 for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 255;
                 const t0 = performance.now();
                 const result = await {call};
                 const back = result instanceof Uint8Array ? result : new Uint8Array(result);
                 const ms = performance.now() - t0;
                 if (back.length !== bytes.length || back[4096] !== bytes[4096]) throw new Error('echo mismatch: ' + back.length);
                 return ms;"
            )));
        }
        median(&runs)
    };
    let bulk_host = bulk(&host_session, "Millennium.ipc.invokeBinary('ping', bytes)");
    let bulk_bare = bulk(
        &bare_session,
        "fetch('bare://localhost/echo', { method: 'POST', body: bytes }).then(r => r.arrayBuffer())",
    );
    rows.push(Row::millis(
        "64 MiB each way through IPC (echo)",
        bulk_host,
        bulk_bare,
        "<= 1.05x",
    ));
    drop(host_session);
    drop(bare_session);

    print_table(&rows);
    api_transfers(&host, &bare, &home);
    sidecars::sidecar_calls(&host, &home);
    packaging(&host, &fixtures, &home);
    profiles::profiles_and_sizes(&bare, &host, &fixtures, &home);
    let flakes = DISPLAY_FLAKES.load(std::sync::atomic::Ordering::Relaxed);
    if flakes > 0 {
        println!("\n({flakes} start(s) discarded: GTK could not open the Xvfb display)");
    }
}

struct Row {
    what: &'static str,
    host: String,
    bare: String,
    ratio: f64,
    goal: &'static str,
}

impl Row {
    fn time(what: &'static str, host: f64, bare: f64, goal: &'static str) -> Row {
        Row::millis(what, host * 1000.0, bare * 1000.0, goal)
    }

    fn millis(what: &'static str, host: f64, bare: f64, goal: &'static str) -> Row {
        Row {
            what,
            host: format!("{host:.3} ms"),
            bare: format!("{bare:.3} ms"),
            ratio: host / bare,
            goal,
        }
    }

    fn memory(what: &'static str, host: f64, bare: f64, goal: &'static str) -> Row {
        let mib = |kib: f64| format!("{:.1} MiB", kib / 1024.0);
        Row {
            what,
            host: mib(host),
            bare: mib(bare),
            ratio: host / bare,
            goal,
        }
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!("| measure | millennium-host | bare wry | ratio | goal |");
    println!("|---|---:|---:|---:|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {:.2}x | {} |",
            row.what, row.host, row.bare, row.ratio, row.goal
        );
    }
}

/// The packager's figures: build time of a large app (absolute, goal under
/// 1 s), start-up of a packaged app against the same app run from its
/// directory (sizes are in [`profiles`]).
fn packaging(host: &Path, fixtures: &Path, home: &TempDir) {
    let millennium = millennium_e2e::target_dir().join("millennium");
    assert!(millennium.is_file(), "{} is missing", millennium.display());
    let work = TempDir::new("bench-packaging");

    // 2,000 files, 50 MB, in 40 directories.
    let big = work.0.join("big");
    std::fs::create_dir_all(big.join("dist")).unwrap();
    std::fs::write(
        big.join("millennium.toml"),
        "[app]\nname = \"Big\"\nidentifier = \"dev.millennium.bench-big\"\n",
    )
    .unwrap();
    std::fs::write(
        big.join("dist/index.html"),
        "<!doctype html><title>big</title>",
    )
    .unwrap();
    let per_file = 50 * 1000 * 1000 / 2000;
    for i in 0..1999 {
        let dir = big.join(format!("dist/d{:02}", i % 40));
        std::fs::create_dir_all(&dir).unwrap();
        let byte = (i % 251) as u8;
        std::fs::write(dir.join(format!("f{i:04}.bin")), vec![byte; per_file]).unwrap();
    }
    let builds: Vec<f64> = (0..3)
        .map(|i| {
            let start = Instant::now();
            package(
                &millennium,
                host,
                &big,
                &work.0.join(format!("big-out-{i}")),
                "big",
            );
            start.elapsed().as_secs_f64()
        })
        .collect();

    // Packaged start-up against the directory run of the same app.
    let startup = fixtures.join("startup.toml");
    let exe = package(
        &millennium,
        host,
        &startup,
        &work.0.join("startup-out"),
        "bench-startup",
    );
    let (pm, dm) = alternating_startups(
        || run_to_exit(&exe, &[], home),
        || run_to_exit(host, &[startup.as_os_str()], home),
    );

    println!();
    println!("| packaging | packaged | reference | ratio | goal |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| build of 2,000 files / 50 MB (median of 3) | {:.0} ms | - | - | < 1 s |",
        median(&builds) * 1000.0
    );
    println!(
        "| start-up, packaged vs run from its directory | {:.1} ms | {:.1} ms | {:.2}x | <= 1.02x |",
        pm * 1000.0,
        dm * 1000.0,
        pm / dm
    );
}

/// Bytes of the HTTP transfer measure.
const HTTP_BYTES: usize = 16 * 1024 * 1024;

/// The scoped APIs against what the webview does on its own, inside one
/// host: `fs.readBinaryFile` / `writeBinaryFile` of 64 MiB against fetching
/// the same bytes as a static asset, and `http.fetch` of 16 MiB from a
/// loopback server against the page's own `fetch()` of the same URL. And
/// `readBinaryFile` against bare wry answering a command with the file's
/// bytes, the way Tauri 2 returns bytes from a command.
fn api_transfers(host: &Path, bare: &Path, home: &TempDir) {
    // The app's own directory is never in an fs scope: the files the fs API
    // reads and writes sit beside it, the asset copy inside it.
    let root = TempDir::new("bench-apis");
    let app = TempDir(root.0.join("app"));
    let data: Vec<u8> = (0..BULK_BYTES).map(|i| (i % 251) as u8).collect();
    std::fs::create_dir_all(app.0.join("dist")).unwrap();
    std::fs::write(app.0.join("dist/big.bin"), &data).unwrap();
    let big = root.0.join("data/big.bin");
    std::fs::create_dir_all(root.0.join("data")).unwrap();
    std::fs::write(&big, &data).unwrap();
    app.write(
        "dist/index.html",
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>apis</title></head><body>apis</body></html>",
    );
    let written = root.0.join("written");
    std::fs::create_dir_all(&written).unwrap();
    let server = serve_bytes(HTTP_BYTES);
    let port = server.port;
    app.write(
        "millennium.toml",
        &format!(
            r#"[app]
name = "Bench APIs"
identifier = "dev.millennium.bench-apis"
frontend = "dist"

[[windows]]
url = "index.html"

[allowlist.fs]
read-file = true
write-file = true
scope = ["{big}", "{written}/**"]

[allowlist.http]
request = true
scope = ["http://127.0.0.1:{port}/**"]

[security]
csp = "default-src 'self'; connect-src 'self' http://127.0.0.1:{port}"
"#,
            big = big.display(),
            written = written.display(),
        ),
    );
    let session = Session::start(host, &[app.0.to_string_lossy().as_ref()], home);
    let measure_in = |session: &Session, call: &str, check: usize| {
        let mut runs = Vec::new();
        for _ in 0..BULK_RUNS {
            runs.push(session.measure(&format!(
                "const bytes = new Uint8Array({BULK_BYTES});
                 for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
                 const t0 = performance.now();
                 const result = await {call};
                 const ms = performance.now() - t0;
                 const got = result === null ? {check} : (result.data || result).byteLength;
                 if (got !== {check}) throw new Error('got ' + got + ' bytes');
                 return ms;"
            )));
        }
        median(&runs)
    };
    let measure = |call: &str, check: usize| measure_in(&session, call, check);
    let big_js = json!(big);
    let out_js = json!(written.join("out.bin"));
    let url = json!(format!("http://127.0.0.1:{port}/big"));
    let asset = measure("fetch('/big.bin').then((r) => r.arrayBuffer())", BULK_BYTES);
    let read = measure(
        &format!("Millennium.fs.readBinaryFile({big_js})"),
        BULK_BYTES,
    );
    let write = measure(
        &format!("Millennium.fs.writeBinaryFile({out_js}, bytes)"),
        BULK_BYTES,
    );
    let api_http = measure(
        &format!(
            "Millennium.http.fetch({url}, {{ responseType: Millennium.http.ResponseType.Binary }})"
        ),
        HTTP_BYTES,
    );
    let page_fetch = measure(
        &format!("fetch({url}).then((r) => r.arrayBuffer())"),
        HTTP_BYTES,
    );
    drop(session);
    // What Tauri 2 does for a command that returns a file's bytes
    // (`tauri::ipc::Response` through wry's custom protocol), in bare wry.
    let bare_session = Session::start(
        bare,
        &[app.0.join("dist").to_string_lossy().as_ref(), "index.html"],
        home,
    );
    let command = measure_in(
        &bare_session,
        &format!(
            "fetch({}, {{ method: 'POST' }}).then((r) => r.arrayBuffer())",
            json!(format!("bare://localhost/read?{}", big.display()))
        ),
        BULK_BYTES,
    );
    drop(bare_session);
    println!();
    println!("| transfer | API | reference | ratio | goal |");
    println!("|---|---:|---:|---:|---|");
    for (what, api, reference, goal) in [
        (
            "fs.readBinaryFile 64 MiB vs static asset",
            read,
            asset,
            "<= 1.2x",
        ),
        (
            "fs.readBinaryFile 64 MiB vs a command returning the file (bare wry, as Tauri 2)",
            read,
            command,
            "<= 1.0x",
        ),
        (
            "fs.writeBinaryFile 64 MiB vs static asset read",
            write,
            asset,
            "<= 1.2x",
        ),
        (
            "http.fetch 16 MiB (loopback) vs the page's fetch()",
            api_http,
            page_fetch,
            "-",
        ),
    ] {
        println!(
            "| {what} | {api:.1} ms | {reference:.1} ms | {:.2}x | {goal} |",
            api / reference
        );
    }
}

/// Serves `len` bytes at any path on 127.0.0.1, with CORS open so the
/// page's own fetch can read them.
fn serve_bytes(len: usize) -> HttpServer {
    let body = Arc::new((0..len).map(|i| i as u8).collect::<Vec<u8>>());
    HttpServer::start(move |request| {
        let response = reply_shared(200, "application/octet-stream", &body)
            .with_header(header("Access-Control-Allow-Origin", "*"));
        respond(request, response);
    })
}

/// Median seconds of [`STARTUP_RUNS`] runs of `a` and of `b`, alternated so
/// drift on a shared machine hits both alike; the first run of each warms
/// the page cache and is dropped.
fn alternating_startups(a: impl Fn() -> f64, b: impl Fn() -> f64) -> (f64, f64) {
    let _ = (a(), b());
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for _ in 0..STARTUP_RUNS {
        first.push(a());
        second.push(b());
    }
    (median(&first), median(&second))
}

/// Packages `app` (a directory or a toml) on `runtime` into `out` with
/// `millennium build`; the executable `out/name`.
fn package(millennium: &Path, runtime: &Path, app: &Path, out: &Path, name: &str) -> PathBuf {
    let status = Command::new(millennium)
        .arg("build")
        .arg(app)
        .arg("-o")
        .arg(out)
        .arg("--host")
        .arg(runtime)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("millennium build runs");
    assert!(
        status.success(),
        "millennium build {} failed",
        app.display()
    );
    out.join(name)
}

/// A page script that times [`NOOP_CALLS`] awaited calls of `call` after 200
/// for warm-up; milliseconds per call.
fn noop_script(call: &str) -> String {
    format!(
        "const call = {call};
         for (let i = 0; i < 200; i++) await call();
         const t0 = performance.now();
         for (let i = 0; i < {NOOP_CALLS}; i++) await call();
         return (performance.now() - t0) / {NOOP_CALLS};"
    )
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[sorted.len() / 2]
}

fn isolated(binary: &Path, args: &[&std::ffi::OsStr], home: &TempDir) -> Command {
    let mut command = Command::new(binary);
    command
        .args(args)
        .envs(
            SANDBOXED_BARE
                .with(|on| on.get())
                .then_some(("WEBKIT_FORCE_SANDBOX", "1")),
        )
        .env("XDG_DATA_HOME", home.0.join("data"))
        .env("XDG_CACHE_HOME", home.0.join("cache"))
        .env("XDG_CONFIG_HOME", home.0.join("config"))
        .env("NO_AT_BRIDGE", "1")
        .env_remove("MILLENNIUM_AUTOMATION")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(stderr_log(home)).expect("stderr log"));
    command
}

/// GTK could not open the display: tao's panic for bare wry, the host's
/// own message since it checks first.
fn display_flake(stderr: &str) -> bool {
    stderr.contains("Failed to initialize gtk") || stderr.contains("cannot open the X display")
}

fn stderr_log(home: &TempDir) -> PathBuf {
    home.0.join("last-run.stderr")
}

fn last_stderr(home: &TempDir) -> String {
    let text = std::fs::read_to_string(stderr_log(home)).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("dbus-daemon"))
        .collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

thread_local! {
    /// Whether [`isolated`] starts bare wry's web processes in WebKit's
    /// sandbox ([`sandboxed_bare`]).
    static SANDBOXED_BARE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with [`isolated`] asking WebKit for its web-process sandbox
/// (`WEBKIT_FORCE_SANDBOX=1`), as the host does when bubblewrap works.
fn sandboxed_bare<T>(f: impl FnOnce() -> T) -> T {
    SANDBOXED_BARE.with(|on| on.set(true));
    let result = f();
    SANDBOXED_BARE.with(|on| on.set(false));
    result
}

/// Seconds from exec to exit. A run in which GTK could not open the
/// display (an Xvfb flake that hits the bare program as often as the host,
/// about 1 start in 30 here) is discarded and counted, not timed.
fn run_to_exit(binary: &Path, args: &[&std::ffi::OsStr], home: &TempDir) -> f64 {
    for _ in 0..3 {
        match try_run_to_exit(binary, args, home) {
            Some(seconds) => return seconds,
            None => DISPLAY_FLAKES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
    }
    panic!(
        "{} could not open the display three times in a row",
        binary.display()
    );
}

static DISPLAY_FLAKES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn try_run_to_exit(binary: &Path, args: &[&std::ffi::OsStr], home: &TempDir) -> Option<f64> {
    let start = Instant::now();
    let mut child = isolated(binary, args, home).spawn().expect("spawn");
    let status = wait_with_timeout(&mut child, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("{} did not exit within 60 s", binary.display()));
    let elapsed = start.elapsed().as_secs_f64();
    if !status.success() && display_flake(&last_stderr(home)) {
        return None;
    }
    assert!(
        status.success(),
        "{} exited with {status}:\n{}",
        binary.display(),
        last_stderr(home)
    );
    Some(elapsed)
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// KiB of resident memory of a process and all its descendants, two seconds
/// after it starts on an idle page.
fn tree_rss_after_load(binary: &Path, args: &[&std::ffi::OsStr], home: &TempDir) -> f64 {
    let mut child = isolated(binary, args, home).spawn().expect("spawn");
    std::thread::sleep(Duration::from_secs(2));
    if let Ok(Some(status)) = child.try_wait() {
        assert!(
            display_flake(&last_stderr(home)),
            "{} died with {status}:\n{}",
            binary.display(),
            last_stderr(home)
        );
        DISPLAY_FLAKES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return tree_rss_after_load(binary, args, home);
    }
    let kib = descendants(child.id())
        .iter()
        .map(|pid| rss_kib(*pid))
        .sum::<u64>();
    let _ = child.kill();
    let _ = child.wait();
    kib as f64
}

fn descendants(root: u32) -> Vec<u32> {
    let mut all = vec![root];
    let mut index = 0;
    while index < all.len() {
        let pid = all[index];
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                let children =
                    std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                all.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
        index += 1;
    }
    all
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A WebKitWebDriver session driving one program.
/// WebKitWebDriver (on the display `make bench` made) with one session.
/// Fields drop in order: the session goes before the driver.
struct Session {
    session: webdriver::Session,
    _driver: DriverProcess,
}

impl Session {
    fn start(binary: &Path, args: &[&str], home: &TempDir) -> Session {
        let port = free_port();
        let mut command = Command::new("WebKitWebDriver");
        command
            .arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("MILLENNIUM_AUTOMATION", "1")
            .env("XDG_DATA_HOME", home.0.join("data"))
            .env("XDG_CACHE_HOME", home.0.join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let driver = DriverProcess::spawn(command, port, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e} (package webkit2gtk-driver)"));
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        // Retried like `run_to_exit`: a start that cannot open the display
        // says nothing about the program.
        let session = webdriver::Session::create_retrying(
            port,
            &webdriver::capabilities(binary, &args),
            Duration::from_secs(600),
            |_| {
                DISPLAY_FLAKES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        );
        session
            .set_script_timeout(Duration::from_secs(600))
            .unwrap_or_else(|e| panic!("{e}"));
        let session = Session {
            session,
            _driver: driver,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = session.execute("return document.readyState");
            if state == "complete" {
                break;
            }
            assert!(Instant::now() < deadline, "page did not load: {state}");
            std::thread::sleep(Duration::from_millis(50));
        }
        session
    }

    fn execute(&self, script: &str) -> Value {
        self.session
            .try_execute(script)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs an async function body in the page and returns its number.
    fn measure(&self, body: &str) -> f64 {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             (async () => {{ {body} }})().then(done, e => done('error: ' + e));"
        );
        let value = self
            .session
            .try_execute_async(&script)
            .unwrap_or_else(|e| panic!("{e}"));
        value
            .as_f64()
            .unwrap_or_else(|| panic!("the page measured nothing: {value}"))
    }
}
