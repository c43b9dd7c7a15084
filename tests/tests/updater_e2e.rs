//! End-to-end tests of the self-updater (DESIGN.md §6): a packaged v1 runs
//! from an "install directory" under WebKitWebDriver, a std-only server on
//! 127.0.0.1 serves `latest.json` and the new executable (or misbehaves),
//! and the page calls `Millennium.updater`. A properly signed v2 (also after
//! a key rotation) replaces v1, which relaunches as v2; everything else an
//! attacker or a broken network could serve is refused with a specific
//! message and leaves the installed file byte-for-byte as it was, with
//! nothing half-written beside it. A v2 that dies at start is rolled back;
//! a kill in the middle of the download, or between writing the new file
//! and the rename, leaves v1 intact (and the next start removes the stale
//! temp file); a read-only install says so.
//!
//! Every executable is built with `millennium build` on a stripped copy of
//! the debug host (`small_host`), so each is about 24 MB. Runs the
//! already-built binaries (`cargo build -p millennium-packager -p
//! millennium-host`) and skips loudly only when the system packages are
//! missing (the read-only row also needs to mount a tmpfs, i.e. root).

mod support_host;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support_host::{
    Driven, TempDir, gui_lock, kill_process, process_alive, processes_running, read_request_head,
    small_host,
};

const IDENTIFIER: &str = "dev.millennium.updatee2e";
/// `[app] name`, and so the executable's name (`update-e2e`).
const APP_NAME: &str = "Update E2E";
const EXE: &str = "update-e2e";
/// Where the server serves the update's executable.
const FILE_PATH: &str = "/files/update-e2e";

/// `{os}-{arch}`: the manifest's platform key and the trusted comment's target.
fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// The path the endpoint `/{{target}}/{{arch}}/latest.json` names here.
fn manifest_path() -> String {
    format!(
        "/{}/{}/latest.json",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

// ------------------------------------------------------------------ keys

struct Key {
    secret: PathBuf,
    /// The `RW...` line of the `.pub` file.
    public: String,
}

/// `millennium keygen --unencrypted` into `<scratch>/keys/<name>.{key,pub}`.
fn keygen(scratch: &TempDir, name: &str) -> Key {
    let dir = scratch.0.join("keys");
    let output = millennium_command()
        .arg("keygen")
        .arg("-o")
        .arg(&dir)
        .args(["--name", name, "--unencrypted"])
        .output()
        .expect("run millennium keygen");
    assert!(
        output.status.success(),
        "millennium keygen --name {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pub_file = dir.join(format!("{name}.pub"));
    let text = std::fs::read_to_string(&pub_file).expect("read the .pub file");
    let public = text.lines().last().unwrap_or_default().trim().to_owned();
    assert!(
        public.starts_with("RW"),
        "{} does not end with an RW... line: {text:?}",
        pub_file.display()
    );
    Key {
        secret: dir.join(format!("{name}.key")),
        public,
    }
}

/// `millennium` with no signing settings leaking in from the environment.
fn millennium_command() -> Command {
    let mut command = Command::new(millennium_e2e::bin("millennium"));
    command
        .stdin(Stdio::null())
        .env_remove("MILLENNIUM_KEY_PASSWORD")
        .env_remove("MILLENNIUM_SIGNING_KEY")
        .env_remove("SOURCE_DATE_EPOCH");
    command
}

/// Lowercase hex SHA-256 (`sha256sum`: the tests crate has no hash crate).
fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sha256sum");
    // sha256sum writes nothing before the end of its input: no deadlock.
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("feed sha256sum");
    let output = child.wait_with_output().expect("sha256sum output");
    assert!(output.status.success(), "sha256sum failed");
    let text = String::from_utf8_lossy(&output.stdout);
    let hex = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(hex.len(), 64, "sha256sum printed {text:?}");
    hex
}

// ------------------------------------------------------------------ apps

/// The test app's `millennium.toml`: one window, the updater on (check and
/// install allowed to the page), no check at start, no dialog, short timeouts.
fn app_toml(version: &str, identifier: &str, port: u16, pubkeys: &[&str]) -> String {
    let pubkeys: Vec<String> = pubkeys.iter().map(|k| format!("\"{k}\"")).collect();
    format!(
        r#"[app]
name = "{APP_NAME}"
identifier = "{identifier}"
version = "{version}"
frontend = "dist"

[[windows]]
label = "main"
title = "{APP_NAME} {version}"

[allowlist.updater]
check = true
install = true

[updater]
active = true
endpoints = ["http://127.0.0.1:{port}/{{{{target}}}}/{{{{arch}}}}/latest.json?current={{{{current_version}}}}"]
pubkeys = [{pubkeys}]
check-on-start = false
dialog = false
stall-timeout-secs = 2
connect-timeout-secs = 5
"#,
        pubkeys = pubkeys.join(", ")
    )
}

/// A packaged, signed release as `millennium build --key --base-url` wrote it.
struct Release {
    exe: PathBuf,
    bytes: Arc<Vec<u8>>,
    /// The whole `.minisig` text.
    signature: String,
    /// `latest.json`.
    latest: Vec<u8>,
}

// ---------------------------------------------------------------- server

/// How the server answers a path.
#[derive(Clone)]
enum Reply {
    /// A complete response.
    Body {
        status: u16,
        content_type: &'static str,
        body: Arc<Vec<u8>>,
    },
    /// `body` then `extra` zero bytes, with a Content-Length covering both.
    Extra { body: Arc<Vec<u8>>, extra: usize },
    /// No Content-Length, close-delimited: `body`, then zeros that never end
    /// (until the client hangs up, or two minutes).
    Endless { body: Arc<Vec<u8>> },
    /// Content-Length of the whole body, half of it, then 30 s of silence.
    Stall { body: Arc<Vec<u8>> },
    /// Content-Length of the whole body, half of it, then the connection closes.
    Truncated { body: Arc<Vec<u8>> },
    /// The whole body at 64 KiB every 100 ms.
    Slow { body: Arc<Vec<u8>> },
}

fn ok_json(body: Vec<u8>) -> Reply {
    Reply::Body {
        status: 200,
        content_type: "application/json",
        body: Arc::new(body),
    }
}

fn ok_file(body: &Arc<Vec<u8>>) -> Reply {
    Reply::Body {
        status: 200,
        content_type: "application/octet-stream",
        body: body.clone(),
    }
}

/// A std-only HTTP/1.1 server on 127.0.0.1, a thread per connection, every
/// read and write bounded. Routes can change while it runs; it records the
/// request target (path and query) of every request.
struct Server {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, q) = (routes.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, q) = (r.clone(), q.clone());
                std::thread::spawn(move || answer(stream, &r, &q));
            }
        });
        Server {
            port,
            routes,
            requests,
        }
    }

    fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// Serves `manifest` as the endpoint's answer and `file` at [`FILE_PATH`].
    fn serve(&self, manifest: Reply, file: Reply) {
        self.route(&manifest_path(), manifest);
        self.route(FILE_PATH, file);
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }

    fn file_url(&self) -> String {
        format!("http://127.0.0.1:{}{FILE_PATH}", self.port)
    }

    /// Panics when the executable was requested since the last clear.
    #[track_caller]
    fn assert_nothing_downloaded(&self, row: &str) {
        let requests = self.requests();
        assert!(
            !requests.iter().any(|r| r.starts_with("/files/")),
            "{row}: nothing may be downloaded, but the server saw {requests:?}"
        );
    }
}

fn answer(
    mut stream: TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    requests: &Mutex<Vec<String>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let text = read_request_head(&mut stream).unwrap_or_else(|partial| partial);
    let Some(target) = text.split_whitespace().nth(1).map(str::to_owned) else {
        return;
    };
    requests.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or_default();
    let reply = routes.lock().unwrap().get(path).cloned();
    let header = |status: u16, content_type: &str, length: Option<usize>| {
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Whatever",
        };
        let length = length
            .map(|n| format!("Content-Length: {n}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{length}Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
    };
    const OCTETS: &str = "application/octet-stream";
    let zeros = vec![0u8; 64 * 1024];
    let _ = (|| -> std::io::Result<()> {
        match reply {
            None => {
                stream.write_all(header(404, "text/plain", Some(9)).as_bytes())?;
                stream.write_all(b"not found")?;
            }
            Some(Reply::Body {
                status,
                content_type,
                body,
            }) => {
                stream.write_all(header(status, content_type, Some(body.len())).as_bytes())?;
                stream.write_all(&body)?;
            }
            Some(Reply::Extra { body, extra }) => {
                stream.write_all(header(200, OCTETS, Some(body.len() + extra)).as_bytes())?;
                stream.write_all(&body)?;
                let mut left = extra;
                while left > 0 {
                    let n = left.min(zeros.len());
                    stream.write_all(&zeros[..n])?;
                    left -= n;
                }
            }
            Some(Reply::Endless { body }) => {
                stream.write_all(header(200, OCTETS, None).as_bytes())?;
                stream.write_all(&body)?;
                let deadline = Instant::now() + Duration::from_secs(120);
                while Instant::now() < deadline {
                    stream.write_all(&zeros)?;
                }
            }
            Some(Reply::Stall { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                stream.write_all(&body[..body.len() / 2])?;
                stream.flush()?;
                std::thread::sleep(Duration::from_secs(30));
            }
            Some(Reply::Truncated { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                stream.write_all(&body[..body.len() / 2])?;
                stream.flush()?;
            }
            Some(Reply::Slow { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                let deadline = Instant::now() + Duration::from_secs(120);
                for chunk in body.chunks(64 * 1024) {
                    if Instant::now() > deadline {
                        break;
                    }
                    stream.write_all(chunk)?;
                    stream.flush()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        stream.flush()
    })();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

// --------------------------------------------------------------- fixture

/// One test's world: a scratch directory, the server, key `a` and helpers
/// to package releases that talk to this server.
struct Fixture {
    scratch: TempDir,
    server: Server,
    key_a: Key,
    /// Build with `check-on-start = true` and `dialog = true`.
    ask_on_start: std::cell::Cell<bool>,
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let scratch = TempDir::new(&format!("updater-e2e-{tag}"));
        let server = Server::start();
        let key_a = keygen(&scratch, "a");
        Fixture {
            scratch,
            server,
            key_a,
            ask_on_start: std::cell::Cell::new(false),
        }
    }

    /// Packages and signs `version` of `identifier` (trusting `pubkeys`) on
    /// the small host.
    fn release(
        &self,
        tag: &str,
        version: &str,
        identifier: &str,
        pubkeys: &[&str],
        key: &Key,
    ) -> Release {
        self.release_on(tag, version, identifier, pubkeys, key, &small_host())
    }

    fn release_on(
        &self,
        tag: &str,
        version: &str,
        identifier: &str,
        pubkeys: &[&str],
        key: &Key,
        host: &Path,
    ) -> Release {
        let root = self.scratch.0.join(tag);
        let app = root.join("app");
        let out = root.join("out");
        std::fs::create_dir_all(app.join("dist")).expect("create the app directory");
        let mut toml = app_toml(version, identifier, self.server.port, pubkeys);
        if self.ask_on_start.get() {
            toml = toml.replace(
                "check-on-start = false\ndialog = false",
                "check-on-start = true\ndialog = true",
            );
        }
        std::fs::write(app.join("millennium.toml"), toml).expect("write millennium.toml");
        std::fs::write(
            app.join("dist/index.html"),
            format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>{APP_NAME} {version}</title></head>\
                 <body><h1>{APP_NAME} {version}</h1></body></html>"
            ),
        )
        .expect("write index.html");

        let check = millennium_command()
            .arg("check")
            .arg(&app)
            .output()
            .expect("run millennium check");
        assert!(
            check.status.success(),
            "millennium check refuses the test app's millennium.toml ({tag}):\n{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );

        let base_url = format!("http://127.0.0.1:{}/files", self.server.port);
        let build = millennium_command()
            .arg("build")
            .arg(&app)
            .arg("-o")
            .arg(&out)
            .arg("--host")
            .arg(host)
            .arg("--key")
            .arg(&key.secret)
            .args(["--base-url", &base_url])
            .output()
            .expect("run millennium build");
        assert!(
            build.status.success(),
            "millennium build ({tag}): {}",
            String::from_utf8_lossy(&build.stderr)
        );
        let exe = out.join(EXE);
        let read = |path: &Path| {
            std::fs::read(path).unwrap_or_else(|e| panic!("{tag}: read {}: {e}", path.display()))
        };
        let signature = String::from_utf8(read(&out.join(format!("{EXE}.minisig"))))
            .expect("the signature is text");
        Release {
            bytes: Arc::new(read(&exe)),
            latest: read(&out.join("latest.json")),
            exe,
            signature,
        }
    }

    /// `millennium sign FILE --key KEY --target TARGET`; returns the `.minisig` text.
    fn sign_for_target(&self, file: &Path, key: &Key, target: &str) -> String {
        let output = millennium_command()
            .arg("sign")
            .arg(file)
            .arg("--key")
            .arg(&key.secret)
            .args(["--target", target])
            .output()
            .expect("run millennium sign");
        assert!(
            output.status.success(),
            "millennium sign --target {target}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut minisig = file.as_os_str().to_owned();
        minisig.push(".minisig");
        std::fs::read_to_string(PathBuf::from(minisig)).expect("read the new .minisig")
    }

    /// A manifest for `version` whose single platform entry is this machine's.
    fn manifest(&self, version: &str, signature: &str, size: usize, sha256: &str) -> Vec<u8> {
        let mut platforms = serde_json::Map::new();
        platforms.insert(
            platform(),
            json!({
                "url": self.server.file_url(),
                "signature": signature,
                "size": size,
                "sha256": sha256,
            }),
        );
        json!({
            "version": version,
            "notes": "end-to-end test release",
            "pub_date": "2024-05-01T12:00:00Z",
            "platforms": platforms,
        })
        .to_string()
        .into_bytes()
    }

    /// A manifest declaring `bytes` truthfully (size and sha256).
    fn manifest_for(&self, version: &str, signature: &str, bytes: &[u8]) -> Vec<u8> {
        self.manifest(version, signature, bytes.len(), &sha256_hex(bytes))
    }
}

/// The "install directory": a fresh directory holding only a copy of v1.
struct Installed {
    /// Removed when the test ends.
    _dir: TempDir,
    exe: PathBuf,
}

fn install(v1: &Release, tag: &str) -> Installed {
    let dir = TempDir::new(&format!("updater-e2e-install-{tag}"));
    let real = std::fs::canonicalize(&dir.0).expect("canonical install dir");
    let exe = real.join(EXE);
    std::fs::copy(&v1.exe, &exe).expect("copy v1 into the install dir");
    Installed { _dir: dir, exe }
}

impl Installed {
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.exe.parent().expect("the exe has a directory"))
                .expect("list the install dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    }

    fn previous(&self) -> PathBuf {
        self.exe.with_file_name(format!(".{EXE}.previous"))
    }

    fn temp_files(&self) -> Vec<String> {
        let prefix = format!(".{EXE}.update-");
        self.entries()
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .collect()
    }

    /// The processes running the installed file.
    fn pids(&self) -> Vec<u32> {
        processes_running(&self.exe)
    }
}

/// Kills whatever still runs from the install directory when a test ends
/// (a relaunched v2 may not be in the driver's process group).
struct KillOnDrop(PathBuf);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for pid in processes_running(&self.0) {
            kill_process(pid);
        }
    }
}

/// `Ok` when equal, else where they differ (never prints megabytes).
fn compare(got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let first = got.iter().zip(want).position(|(a, b)| a != b);
    Err(format!(
        "{} bytes vs {} expected, first difference at {}",
        got.len(),
        want.len(),
        first.map_or_else(
            || "the end of the shorter".to_owned(),
            |i| format!("offset {i}")
        )
    ))
}

/// The installed file is v1 byte-for-byte and is alone in its directory.
#[track_caller]
fn assert_untouched(row: &str, installed: &Installed, v1: &[u8]) {
    let got = std::fs::read(&installed.exe)
        .unwrap_or_else(|e| panic!("{row}: the installed file is gone: {e}"));
    if let Err(diff) = compare(&got, v1) {
        panic!("{row}: the installed executable changed ({diff}); it must be v1, untouched");
    }
    assert_eq!(
        installed.entries(),
        vec![EXE.to_owned()],
        "{row}: the install directory must hold only the executable (nothing half-written)"
    );
}

// ---------------------------------------------------------------- the page

/// What the page saw of one `installUpdate()` call.
struct Attempt {
    /// `Ok(value)` resolved, `Err(message)` rejected, `None` still pending
    /// when polling stopped.
    outcome: Option<Result<Value, String>>,
    /// The statuses of `onUpdaterEvent`, in order, with their errors.
    events: Vec<(String, Option<String>)>,
    progress_count: u64,
    last_progress: Value,
    /// Set when WebDriver stopped answering (the app exited).
    session_died: Option<String>,
    elapsed: Duration,
}

impl Attempt {
    fn statuses(&self) -> Vec<&str> {
        self.events.iter().map(|(s, _)| s.as_str()).collect()
    }

    fn saw(&self, status: &str) -> bool {
        self.events.iter().any(|(s, _)| s == status)
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[outcome {:?}; events {:?}; {} progress events, last {}; after {:.1?}{}]",
            self.outcome,
            self.events,
            self.progress_count,
            self.last_progress,
            self.elapsed,
            self.session_died
                .as_ref()
                .map(|e| format!("; WebDriver stopped answering: {e}"))
                .unwrap_or_default()
        )
    }
}

/// Subscribes to the updater's events and progress, then starts
/// `installUpdate()` without awaiting it (the app exits after a success):
/// the page keeps everything in `window.__update`.
fn start_install(driven: &Driven) {
    let started = driven.run(
        r#"
        const u = { events: [], progressCount: 0, lastProgress: null, outcome: null };
        window.__update = u;
        await Millennium.updater.onUpdaterEvent((e) => {
          u.events.push({ status: String(e && e.status), error: e && e.error != null ? String(e.error) : null });
        });
        await Millennium.event.listen("millennium://update-download-progress", (e) => {
          u.progressCount += 1;
          u.lastProgress = e.payload;
        });
        Millennium.updater.installUpdate().then(
          (v) => { u.outcome = { ok: v === undefined ? null : v }; },
          (e) => { u.outcome = { err: String(e && e.message || e) }; });
        return null;
        "#,
    );
    if let Err(e) = started {
        panic!(
            "could not start Millennium.updater.installUpdate() in the page: {e} \
             (the page subscribes with Millennium.updater.onUpdaterEvent and \
             Millennium.event.listen(\"millennium://update-download-progress\") first)"
        );
    }
}

/// Polls `window.__update` until `done` holds, the session dies, or `limit`.
fn watch(driven: &Driven, limit: Duration, done: impl Fn(&Attempt) -> bool) -> Attempt {
    let start = Instant::now();
    let mut attempt = Attempt {
        outcome: None,
        events: Vec::new(),
        progress_count: 0,
        last_progress: Value::Null,
        session_died: None,
        elapsed: Duration::ZERO,
    };
    let mut failures = 0;
    while start.elapsed() < limit {
        match driven.try_execute("return window.__update || null;") {
            Ok(state) => {
                failures = 0;
                attempt.events = state["events"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|e| {
                                (
                                    e["status"].as_str().unwrap_or_default().to_owned(),
                                    e["error"].as_str().map(str::to_owned),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                attempt.progress_count = state["progressCount"].as_u64().unwrap_or(0);
                attempt.last_progress = state["lastProgress"].clone();
                attempt.outcome = match &state["outcome"] {
                    Value::Object(outcome) => Some(match outcome.get("err") {
                        Some(err) => Err(err.as_str().unwrap_or_default().to_owned()),
                        None => Ok(outcome.get("ok").cloned().unwrap_or(Value::Null)),
                    }),
                    _ => None,
                };
            }
            Err(e) => {
                failures += 1;
                if failures >= 3 {
                    attempt.session_died = Some(e);
                    break;
                }
            }
        }
        attempt.elapsed = start.elapsed();
        if done(&attempt) {
            break;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    attempt.elapsed = start.elapsed();
    attempt
}

/// Starts an install and waits (at most `limit`) for its outcome.
fn attempt_install(driven: &Driven, limit: Duration) -> Attempt {
    start_install(driven);
    watch(driven, limit, |a| a.outcome.is_some())
}

/// The attempt was refused with a message holding every `needle`, the app
/// stayed up, no DONE was reported, and the install is untouched.
#[track_caller]
fn assert_refused(
    row: &str,
    attempt: &Attempt,
    needles: &[&str],
    installed: &Installed,
    v1: &[u8],
) {
    match &attempt.outcome {
        Some(Err(message)) => {
            for needle in needles {
                assert!(
                    message.contains(needle),
                    "{row}: installUpdate() must reject with a message containing {needle:?}; \
                     it rejected with {message:?} {attempt}"
                );
            }
        }
        Some(Ok(value)) => {
            panic!(
                "{row}: installUpdate() resolved ({value}) but the update must be refused {attempt}"
            )
        }
        None => panic!(
            "{row}: installUpdate() neither resolved nor rejected in time (it must reject with {needles:?}) {attempt}"
        ),
    }
    assert!(
        !attempt.saw("DONE"),
        "{row}: the updater reported DONE for a refused update {attempt}"
    );
    assert_untouched(row, installed, v1);
}

/// Like [`assert_refused`], for rows refused by verification: the updater
/// must not have reported the file as DOWNLOADED (= verified) either.
#[track_caller]
fn assert_refused_unverified(
    row: &str,
    attempt: &Attempt,
    needles: &[&str],
    installed: &Installed,
    v1: &[u8],
) {
    assert_refused(row, attempt, needles, installed, v1);
    assert!(
        !attempt.saw("DOWNLOADED"),
        "{row}: the updater reported DOWNLOADED (verified) for a file it then refused {attempt}"
    );
}

fn check_update(driven: &Driven) -> Result<Value, String> {
    driven.run("return await Millennium.updater.checkUpdate();")
}

fn app_version(driven: &Driven) -> Result<Value, String> {
    driven.run("return await Millennium.app.getVersion();")
}

/// Launches the installed v1 and checks it runs as 1.0.0.
fn launch(installed: &Installed) -> Driven {
    let driven = Driven::launch_packaged(&installed.exe);
    assert_eq!(
        app_version(&driven),
        Ok(json!("1.0.0")),
        "the installed v1 must run as version 1.0.0"
    );
    driven
}

/// A fixture with v1 (trusting key `a` only) built and installed.
fn setup(tag: &str) -> (Fixture, Release, Installed) {
    let fixture = Fixture::new(tag);
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let installed = install(&v1, tag);
    (fixture, v1, installed)
}

/// Waits for a successful install and checks its result: v2 in place, v1
/// kept as `.previous`, v2 running from the installed path, v1 gone.
#[track_caller]
fn assert_updated(
    row: &str,
    driven: &Driven,
    installed: &Installed,
    v1: &Release,
    v2: &Release,
    v1_pid: u32,
) {
    start_install(driven);
    // Until it resolved and DONE was seen, it rejected, or the app exited
    // (it does about a second after DONE).
    let attempt = watch(driven, Duration::from_secs(90), |a| {
        matches!(a.outcome, Some(Err(_))) || (a.outcome.is_some() && a.saw("DONE"))
    });
    match &attempt.outcome {
        Some(Ok(Value::Null)) => {}
        Some(Ok(other)) => {
            panic!("{row}: installUpdate() must resolve null, got {other} {attempt}")
        }
        Some(Err(message)) => panic!("{row}: installUpdate() rejected: {message} {attempt}"),
        None if attempt.saw("DONE") => {}
        None => panic!(
            "{row}: installUpdate() neither resolved nor reported DONE (before the app exited or within 90 s) {attempt}"
        ),
    }
    // PENDING, DOWNLOADED, then DONE when it was seen before the app exited.
    let order: Vec<&str> = attempt
        .statuses()
        .into_iter()
        .filter(|s| ["PENDING", "DOWNLOADED", "DONE"].contains(s))
        .collect();
    let expected: &[&str] = if attempt.saw("DONE") {
        &["PENDING", "DOWNLOADED", "DONE"]
    } else {
        &["PENDING", "DOWNLOADED"]
    };
    assert_eq!(order, expected, "{row}: the updater's events {attempt}");
    assert!(
        attempt.progress_count > 0,
        "{row}: no millennium://update-download-progress event {attempt}"
    );
    let size = v2.bytes.len() as u64;
    assert_eq!(
        (
            attempt.last_progress["downloaded"].as_u64(),
            attempt.last_progress["contentLength"].as_u64()
        ),
        (Some(size), Some(size)),
        "{row}: the last progress event must say the whole file arrived {attempt}"
    );

    let got = std::fs::read(&installed.exe).expect("read the installed file");
    if let Err(diff) = compare(&got, &v2.bytes) {
        panic!("{row}: the installed executable is not v2 ({diff}) {attempt}");
    }
    let previous = std::fs::read(installed.previous()).unwrap_or_else(|e| {
        panic!(
            "{row}: {} (the kept v1) cannot be read: {e}; the install dir holds {:?}",
            installed.previous().display(),
            installed.entries()
        )
    });
    if let Err(diff) = compare(&previous, &v1.bytes) {
        panic!("{row}: .{EXE}.previous is not v1 ({diff})");
    }
    assert_eq!(
        installed.entries(),
        vec![format!(".{EXE}.previous"), EXE.to_owned()],
        "{row}: after an update the install dir holds the executable and the kept v1 only"
    );

    // v1 exits about a second after DONE; v2 runs from the installed path.
    let deadline = Instant::now() + Duration::from_secs(15);
    while process_alive(v1_pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !process_alive(v1_pid),
        "{row}: v1 (pid {v1_pid}) still runs 15 s after the update"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut running = installed.pids();
    while running.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        running = installed.pids();
    }
    assert!(
        !running.is_empty(),
        "{row}: no process runs {} after the update (v2 was not relaunched, or it exited)",
        installed.exe.display()
    );
    assert!(
        !running.contains(&v1_pid),
        "{row}: pid {v1_pid} (v1's) runs the new file: the update must relaunch, and v1 exit"
    );
    let output = Command::new("timeout")
        .arg("20")
        .arg(&installed.exe)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .expect("run the installed file --version");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        printed.trim(),
        format!("{APP_NAME} 2.0.0"),
        "{row}: `{} --version` ({}; stderr {})",
        installed.exe.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    for pid in running {
        kill_process(pid);
    }
}

fn v1_pid(installed: &Installed) -> u32 {
    let pids = installed.pids();
    assert_eq!(
        pids.len(),
        1,
        "exactly one process must run {} (v1 under WebDriver)",
        installed.exe.display()
    );
    pids[0]
}

// ----------------------------------------------------------------- rows

#[test]
fn v2_properly_signed_updates_relaunches_as_v2_and_reports_healthy() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("signed");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    // The manifest exactly as `millennium build --base-url` wrote it.
    let latest: Value = serde_json::from_slice(&v2.latest).expect("latest.json is JSON");
    assert_eq!(
        latest["platforms"][platform()]["url"],
        json!(fixture.server.file_url()),
        "latest.json points at <base-url>/<exe>"
    );
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    let check = check_update(&driven).unwrap_or_else(|e| panic!("checkUpdate() rejected: {e}"));
    assert_eq!(check["shouldUpdate"], json!(true), "checkUpdate(): {check}");
    assert_eq!(
        check["manifest"]["version"],
        json!("2.0.0"),
        "checkUpdate(): {check}"
    );
    let requests = fixture.server.requests();
    assert!(
        requests.contains(&format!("{}?current=1.0.0", manifest_path())),
        "the endpoint's {{{{target}}}}, {{{{arch}}}} and {{{{current_version}}}} must be substituted; \
         the server saw {requests:?}"
    );
    fixture
        .server
        .assert_nothing_downloaded("checkUpdate() alone");

    assert_updated("v2 properly signed", &driven, &installed, &v1, &v2, pid);
}

#[test]
fn key_rotation_v1_trusting_a_and_b_accepts_v2_signed_by_b() {
    require_gui!();
    let _gui = gui_lock();
    let fixture = Fixture::new("rotation");
    let key_b = keygen(&fixture.scratch, "b");
    let trusted = [fixture.key_a.public.as_str(), key_b.public.as_str()];
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &trusted, &fixture.key_a);
    let installed = install(&v1, "rotation");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key_b.public], &key_b);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    assert_updated(
        "key rotation (v2 signed by B)",
        &driven,
        &installed,
        &v1,
        &v2,
        pid,
    );
}

#[test]
fn binary_tampered_after_signing_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("tampered");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    // One byte of the host part changed; the payload at the end stays valid,
    // and the manifest's size and sha256 describe the modified file, so only
    // the signature can tell.
    let mut tampered = v2.bytes.to_vec();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x5a;
    let manifest = fixture.manifest_for("2.0.0", &v2.signature, &tampered);
    fixture
        .server
        .serve(ok_json(manifest), ok_file(&Arc::new(tampered)));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "tampered binary",
        &attempt,
        &["update refused", "not valid under any key"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn signature_by_an_unknown_key_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("unknown-key");
    let key_c = keygen(&fixture.scratch, "c");
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key_c.public], &key_c);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "unknown key",
        &attempt,
        &["update refused", "not valid under any key"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn old_v1_signature_served_under_version_3_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("replay");
    // v1's own bytes and genuine signature, announced as 3.0.0.
    let manifest = fixture.manifest_for("3.0.0", &v1.signature, &v1.bytes);
    fixture.server.serve(ok_json(manifest), ok_file(&v1.bytes));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "old v1 signature under 3.0.0",
        &attempt,
        &["update refused", "version 1.0.0"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn properly_signed_downgrade_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("downgrade");
    let key = fixture.key_a.public.clone();
    let old = fixture.release("v0.9", "0.9.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(old.latest.clone()), ok_file(&old.bytes));

    let driven = launch(&installed);
    let check = check_update(&driven).unwrap_or_else(|e| {
        panic!("downgrade: checkUpdate() must resolve {{shouldUpdate: false}}, it rejected: {e}")
    });
    assert_eq!(
        check["shouldUpdate"],
        json!(false),
        "downgrade: checkUpdate() must not offer 0.9.0 to 1.0.0: {check}"
    );
    fixture.server.clear_requests();
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "downgrade",
        &attempt,
        &["no update available"],
        &installed,
        &v1.bytes,
    );
    fixture.server.assert_nothing_downloaded("downgrade");
}

#[test]
fn signature_for_another_app_or_another_target_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("other");
    let key = fixture.key_a.public.clone();
    // Another app, same key, genuine 2.0.0 signature (`millennium sign`
    // refuses --app that differs from the payload, so it is built as such).
    let other_app = fixture.release(
        "other-app",
        "2.0.0",
        "dev.millennium.otherapp",
        &[&key],
        &fixture.key_a,
    );
    // Our v2, signed for linux-aarch64, served as this machine's platform.
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let copy = fixture.scratch.0.join("v2-other-target");
    std::fs::copy(&v2.exe, &copy).expect("copy v2");
    let other_target_signature = fixture.sign_for_target(&copy, &fixture.key_a, "linux-aarch64");
    assert!(
        other_target_signature.contains("target=linux-aarch64"),
        "{other_target_signature}"
    );

    let driven = launch(&installed);

    fixture.server.serve(
        ok_json(fixture.manifest_for("2.0.0", &other_app.signature, &other_app.bytes)),
        ok_file(&other_app.bytes),
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "signature for another app",
        &attempt,
        &["update refused", "app `"],
        &installed,
        &v1.bytes,
    );

    fixture.server.serve(
        ok_json(fixture.manifest_for("2.0.0", &other_target_signature, &v2.bytes)),
        ok_file(&v2.bytes),
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "signature for another target",
        &attempt,
        &["update refused", "target `linux-aarch64`"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn body_larger_than_declared_or_endless_is_refused_at_the_cap() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("oversized");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let driven = launch(&installed);

    // The manifest declares the real size; the body is 1 MiB longer (its
    // Content-Length says so): the valid prefix must not be accepted.
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Extra {
            body: v2.bytes.clone(),
            extra: 1024 * 1024,
        },
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "body 1 MiB larger than declared",
        &attempt,
        &["update refused", "larger than"],
        &installed,
        &v1.bytes,
    );

    // No Content-Length, and the body never ends.
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Endless {
            body: v2.bytes.clone(),
        },
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "endless body",
        &attempt,
        &["update refused", "larger than"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn server_stalling_mid_body_times_out_and_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("stall");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Stall {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(40));
    assert_refused_unverified(
        "stalled body",
        &attempt,
        &["update refused", "stalled"],
        &installed,
        &v1.bytes,
    );
    assert!(
        attempt.elapsed < Duration::from_secs(15),
        "stalled body: with stall-timeout-secs = 2 the refusal must come within 15 s, \
         it took {:.1?}",
        attempt.elapsed
    );
}

#[test]
fn manifest_500_html_or_truncated_json_is_a_clear_error_and_no_update() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("bad-manifest");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let driven = launch(&installed);

    let truncated = v2.latest[..v2.latest.len() / 2].to_vec();
    let cases: [(&str, Reply, &str); 3] = [
        (
            "manifest answered 500",
            Reply::Body {
                status: 500,
                content_type: "text/plain",
                body: Arc::new(b"internal error".to_vec()),
            },
            "500",
        ),
        (
            "HTML instead of JSON",
            Reply::Body {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: Arc::new(
                    b"<!doctype html><html><head><title>Welcome</title></head><body>Login</body></html>"
                        .to_vec(),
                ),
            },
            "not a valid update manifest",
        ),
        (
            "truncated JSON",
            ok_json(truncated),
            "not a valid update manifest",
        ),
    ];
    for (row, manifest, needle) in cases {
        fixture.server.serve(manifest, ok_file(&v2.bytes));
        fixture.server.clear_requests();
        match check_update(&driven) {
            Err(message) => assert!(
                message.contains(needle),
                "{row}: checkUpdate() must reject with a message containing {needle:?}, got {message:?}"
            ),
            Ok(value) => panic!("{row}: checkUpdate() must reject, it resolved {value}"),
        }
        let attempt = attempt_install(&driven, Duration::from_secs(60));
        assert_refused_unverified(row, &attempt, &[needle], &installed, &v1.bytes);
        fixture.server.assert_nothing_downloaded(row);
    }
}

#[test]
fn truncated_download_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("truncated");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Truncated {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "truncated download",
        &attempt,
        &["update refused", "ended after"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn v2_crashing_at_start_is_rolled_back_to_v1_which_runs() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("crash");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    // /usr/bin/false with a valid, signed 2.0.0 payload: it passes every
    // check and exits 1 at once.
    let v2 = fixture.release_on(
        "v2-false",
        "2.0.0",
        IDENTIFIER,
        &[&key],
        &fixture.key_a,
        Path::new("/usr/bin/false"),
    );
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(120));
    assert!(
        attempt.session_died.is_none(),
        "v2 crashing at start: v1 must keep running, but WebDriver stopped answering {attempt}"
    );
    assert_refused(
        "v2 crashing at start",
        &attempt,
        &["did not start", "rolled back"],
        &installed,
        &v1.bytes,
    );
    assert_eq!(
        app_version(&driven),
        Ok(json!("1.0.0")),
        "v2 crashing at start: the same v1 session must still answer"
    );
    assert!(
        process_alive(pid),
        "v2 crashing at start: v1 (pid {pid}) must still run"
    );
}

#[test]
fn process_killed_between_download_and_rename_leaves_v1_intact_and_running() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("killed");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Slow {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    start_install(&driven);
    let attempt = watch(&driven, Duration::from_secs(30), |a| {
        a.progress_count > 0 || a.outcome.is_some()
    });
    assert!(
        attempt.progress_count > 0 && attempt.outcome.is_none(),
        "killed mid-download: expected progress events while the slow download runs {attempt}"
    );
    kill_process(pid);
    let deadline = Instant::now() + Duration::from_secs(10);
    while process_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!process_alive(pid), "v1 (pid {pid}) survived SIGKILL");
    drop(driven);

    let got = std::fs::read(&installed.exe).expect("the installed file after the kill");
    if let Err(diff) = compare(&got, &v1.bytes) {
        panic!("killed mid-download: the installed executable changed ({diff})");
    }
    let entries = installed.entries();
    assert!(
        entries
            .iter()
            .all(|n| n == EXE || n.starts_with(&format!(".{EXE}.update-"))),
        "killed mid-download: only the executable and the download's temp file may be there: {entries:?}"
    );
    if installed.temp_files().is_empty() {
        // The download was not (yet) written beside the executable: leave a
        // stale temp file as a killed download would, to test the clean-up.
        eprintln!(
            "note: no .{EXE}.update-* file after the kill ({entries:?}); planting one to test the start-up clean-up"
        );
        std::fs::write(
            installed
                .exe
                .with_file_name(format!(".{EXE}.update-e2eplanted")),
            &v2.bytes[..v2.bytes.len() / 3],
        )
        .expect("plant a stale temp file");
    }
    let stale = installed.temp_files();

    let driven = launch(&installed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !installed.temp_files().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        installed.temp_files().is_empty(),
        "killed mid-download: v1 started again but did not remove the stale {stale:?} (now {:?})",
        installed.entries()
    );
    assert_untouched(
        "killed mid-download, after the restart",
        &installed,
        &v1.bytes,
    );

    // Phase 2, the window itself: a fast download, and v1 is killed the
    // moment its `.update-e2e.update-*` file appears (written and fsynced
    // before the rename). A kill that lands after the rename must leave a
    // complete v2 with v1 kept; a partial executable is never acceptable.
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));
    let pid = v1_pid(&installed);
    start_install(&driven);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut caught = None;
    while Instant::now() < deadline && process_alive(pid) {
        if let Some(name) = installed.temp_files().into_iter().next() {
            kill_process(pid);
            caught = Some(name);
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let Some(temp) = caught else {
        panic!(
            "killed before the rename: no .{EXE}.update-* file appeared within 30 s while v1 ran \
             (v1 alive: {}; install dir {:?})",
            process_alive(pid),
            installed.entries()
        );
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while process_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!process_alive(pid), "v1 (pid {pid}) survived SIGKILL");
    drop(driven);
    let got = std::fs::read(&installed.exe).expect("the installed file after the kill");
    let previous = installed.previous();
    if compare(&got, &v1.bytes).is_ok() {
        let entries = installed.entries();
        assert!(
            installed.temp_files() == vec![temp.clone()],
            "killed before the rename: the new version's temp file {temp} must still be there: {entries:?}"
        );
        if previous.exists() {
            let kept = std::fs::read(&previous).expect("read .previous");
            if let Err(diff) = compare(&kept, &v1.bytes) {
                panic!("killed before the rename: .{EXE}.previous is not v1 ({diff})");
            }
        }
        let driven = launch(&installed);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !installed.temp_files().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let entries = installed.entries();
        assert!(
            entries == vec![EXE.to_owned()]
                || entries == vec![format!(".{EXE}.previous"), EXE.to_owned()],
            "killed before the rename: v1 started again but did not remove {temp}: {entries:?}"
        );
        let got = std::fs::read(&installed.exe).expect("the installed file");
        if let Err(diff) = compare(&got, &v1.bytes) {
            panic!("killed before the rename, after the restart: the executable changed ({diff})");
        }
        drop(driven);
    } else if compare(&got, &v2.bytes).is_ok() {
        eprintln!(
            "note: the kill landed after the rename (the temp file {temp} lived too briefly); \
             checking that the swap is complete instead"
        );
        let kept = std::fs::read(&previous).unwrap_or_else(|e| {
            panic!("the rename happened but .{EXE}.previous (v1) cannot be read: {e}")
        });
        if let Err(diff) = compare(&kept, &v1.bytes) {
            panic!("the rename happened but .{EXE}.previous is not v1 ({diff})");
        }
    } else {
        panic!(
            "killed around the rename: the installed executable is neither v1 nor v2 ({}): \
             a partial file was put in place",
            compare(&got, &v1.bytes).unwrap_err()
        );
    }
}

/// A tmpfs mounted on a directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path) -> Result<Tmpfs, String> {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=100m", "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if output.status.success() {
            Ok(Tmpfs(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }

    fn remount_read_only(&self) -> Result<(), String> {
        let output = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.0)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

#[test]
fn read_only_install_is_a_clear_message_and_no_change() {
    require_gui!();
    let _gui = gui_lock();
    let fixture = Fixture::new("read-only");
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    // Declared before the mount, so that on drop it is unmounted first and
    // the directory removed after.
    let dir = TempDir::new("updater-e2e-install-read-only");
    let real = std::fs::canonicalize(&dir.0).expect("canonical install dir");
    let installed = Installed {
        exe: real.join(EXE),
        _dir: dir,
    };
    let mount = match Tmpfs::mount(&real) {
        Ok(mount) => mount,
        Err(e) => {
            eprintln!(
                "\n\n!!!! SKIPPED: {} cannot mount a tmpfs on {} ({e}); it needs root (CI runs as root) !!!!\n\n",
                module_path!(),
                real.display()
            );
            return;
        }
    };
    std::fs::copy(&v1.exe, &installed.exe).expect("copy v1 onto the tmpfs");
    if let Err(e) = mount.remount_read_only() {
        eprintln!(
            "\n\n!!!! SKIPPED: {} cannot remount {} read-only ({e}) !!!!\n\n",
            module_path!(),
            real.display()
        );
        return;
    }
    assert!(
        std::fs::write(real.join("probe"), b"x").is_err(),
        "the install dir must be read-only now"
    );
    let _cleanup = KillOnDrop(installed.exe.clone());

    let driven = launch(&installed);
    let check = check_update(&driven)
        .unwrap_or_else(|e| panic!("read-only: checkUpdate() must still work, it rejected: {e}"));
    assert_eq!(
        check["shouldUpdate"],
        json!(true),
        "read-only: checkUpdate(): {check}"
    );
    assert_eq!(
        check["manifest"]["version"],
        json!("2.0.0"),
        "read-only: checkUpdate(): {check}"
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused(
        "read-only install",
        &attempt,
        &["read-only", "package manager"],
        &installed,
        &v1.bytes,
    );
    // The app ends before the tmpfs is unmounted, and that before the
    // directory is removed (drop order: driven, mount, installed).
    drop(driven);
    drop(mount);
    drop(installed);
}

/// `check-on-start` with the built-in dialog: v1 finds v2 at start and asks
/// in a native box; Enter ("Install") updates it, as a person would.
#[test]
fn check_on_start_asks_with_the_built_in_dialog_and_installs_on_yes() {
    require_gui!();
    let _gui = gui_lock();
    let fixture = Fixture::new("dialog");
    fixture.ask_on_start.set(true);
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let installed = install(&v1, "dialog");
    let _cleanup = KillOnDrop(installed.exe.clone());
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));
    let driven = launch(&installed);
    let pid = v1_pid(&installed);
    driven.focus_window_titled(&format!("Update {APP_NAME}"));
    fixture
        .server
        .assert_nothing_downloaded("the dialog before its answer");
    driven.press(&["Return"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while process_alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!process_alive(pid), "v1 exits once v2 runs");
    let now = std::fs::read(&installed.exe).expect("the installed file");
    compare(&now, &v2.bytes).unwrap_or_else(|diff| panic!("v2 is installed: {diff}"));
    let previous = installed.exe.with_file_name(format!(".{EXE}.previous"));
    compare(&std::fs::read(previous).expect(".previous"), &v1.bytes)
        .unwrap_or_else(|diff| panic!("v1 is kept as .previous: {diff}"));
    assert_eq!(installed.pids().len(), 1, "v2 runs from the installed path");
}
