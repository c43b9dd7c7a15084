//! What the page does and sees: `installUpdate()` and its events, the
//! refusal and success checks, launching the installed app.

use super::*;

/// What the page saw of one `installUpdate()` call.
pub(super) struct Attempt {
    /// `Ok(value)` resolved, `Err(message)` rejected, `None` still pending
    /// when polling stopped.
    pub(super) outcome: Option<Result<Value, String>>,
    /// The statuses of `onUpdaterEvent`, in order, with their errors.
    pub(super) events: Vec<(String, Option<String>)>,
    pub(super) progress_count: u64,
    pub(super) last_progress: Value,
    /// Set when WebDriver stopped answering (the app exited).
    pub(super) session_died: Option<String>,
    pub(super) elapsed: Duration,
}

impl Attempt {
    pub(super) fn statuses(&self) -> Vec<&str> {
        self.events.iter().map(|(s, _)| s.as_str()).collect()
    }

    pub(super) fn saw(&self, status: &str) -> bool {
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
pub(super) fn start_install(driven: &Driven) {
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
pub(super) fn watch(driven: &Driven, limit: Duration, done: impl Fn(&Attempt) -> bool) -> Attempt {
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
pub(super) fn attempt_install(driven: &Driven, limit: Duration) -> Attempt {
    start_install(driven);
    watch(driven, limit, |a| a.outcome.is_some())
}

/// The attempt was refused with a message holding every `needle`, the app
/// stayed up, no DONE was reported, and the install is untouched.
#[track_caller]
pub(super) fn assert_refused(
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
pub(super) fn assert_refused_unverified(
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

pub(super) fn check_update(driven: &Driven) -> Result<Value, String> {
    driven.run("return await Millennium.updater.checkUpdate();")
}

pub(super) fn app_version(driven: &Driven) -> Result<Value, String> {
    driven.run("return await Millennium.app.getVersion();")
}

/// Launches the installed v1 and checks it runs as 1.0.0.
pub(super) fn launch(installed: &Installed) -> Driven {
    let driven = Driven::launch_packaged(&installed.exe);
    assert_eq!(
        app_version(&driven),
        Ok(json!("1.0.0")),
        "the installed v1 must run as version 1.0.0"
    );
    driven
}

/// A fixture with v1 (trusting key `a` only) built and installed.
pub(super) fn setup(tag: &str) -> (Fixture, Release, Installed) {
    let fixture = Fixture::new(tag);
    let key = fixture.key_a.public.clone();
    let v1 = fixture.release("v1", "1.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let installed = install(&v1, tag);
    (fixture, v1, installed)
}

/// Waits for a successful install and checks its result: v2 in place, v1
/// kept as `.previous`, v2 running from the installed path, v1 gone.
#[track_caller]
pub(super) fn assert_updated(
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

pub(super) fn v1_pid(installed: &Installed) -> u32 {
    let pids = installed.pids();
    assert_eq!(
        pids.len(),
        1,
        "exactly one process must run {} (v1 under WebDriver)",
        installed.exe.display()
    );
    pids[0]
}
