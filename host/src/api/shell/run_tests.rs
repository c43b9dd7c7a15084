//! Unit tests of the shell runner (spawned real programs, bounded in time).
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use millennium_config::model::{ShellArgValidator, ShellCommand};

use super::*;
use crate::api::fs::scope::TestDir;

/// Longest any test waits for a child.
const TIMEOUT: Duration = Duration::from_secs(10);

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn command(name: &str, cmd: &str, args: ShellArgs) -> ShellCommand {
    ShellCommand {
        name: name.to_owned(),
        cmd: cmd.to_owned(),
        args,
        env: Vec::new(),
        cwd: None,
    }
}

fn with_env(mut command: ShellCommand, names: &[&str]) -> ShellCommand {
    command.env = names
        .iter()
        .map(|name| millennium_config::model::EnvName((*name).to_owned()))
        .collect();
    command
}

/// The api, with a page's `cwd` allowed in `dir` and its subdirectories.
fn api_in(dir: &Path) -> ShellApi {
    let scope = FsScope::from_globs(
        &[dir.display().to_string(), format!("{}/**", dir.display())],
        &[],
        false,
        |_| None,
    )
    .unwrap();
    let paths = PathContext {
        identifier: "dev.t.shell".to_owned(),
        resource_dir: dir.to_owned(),
    };
    api().with_places(scope, paths)
}

fn fixed(text: &str) -> ShellArg {
    ShellArg::Fixed(text.to_owned())
}

fn validated(validator: &str) -> ShellArg {
    ShellArg::Validated(ShellArgValidator {
        validator: validator.to_owned(),
    })
}

fn allowlist() -> ShellAllowlist {
    ShellAllowlist {
        all: false,
        execute: true,
        open: ShellOpen::Flag(true),
        scope: vec![
            with_env(command("none", "true", ShellArgs::Any(false)), &["PATH"]),
            with_env(command("sh", "sh", ShellArgs::Any(true)), &["MILLENNIUM_TEST"]),
            command("cat", "cat", ShellArgs::Any(false)),
            command("sleep", "sleep", ShellArgs::List(vec![validated(r"\d+")])),
            command("printf", "printf", ShellArgs::Any(true)),
            command(
                "echo-n",
                "echo",
                ShellArgs::List(vec![fixed("-n"), validated(r"\d+")]),
            ),
            command("either", "echo", ShellArgs::List(vec![validated("a|b")])),
            command("missing", "nonexistent-prog", ShellArgs::Any(false)),
        ],
    }
}

fn api() -> ShellApi {
    ShellApi::new(&allowlist()).unwrap()
}

/// Runs `f` on a thread; fails the test if it takes longer than `TIMEOUT`.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    receiver
        .recv_timeout(TIMEOUT)
        .expect("did not finish in time")
}

fn run(api: ShellApi, name: &'static str, args: &[&str]) -> Result<ExecOutput, ShellError> {
    let args = s(args);
    within(move || api.execute(name, &args, &ExecOptions::default()))
}

fn spawn(api: &ShellApi, name: &str, args: &[&str]) -> (u32, Receiver<ShellEvent>) {
    let (sender, receiver) = mpsc::channel();
    let sender = Mutex::new(sender);
    let sink: EventSink = Box::new(move |event| {
        let _ = sender.lock().unwrap().send(event);
    });
    let pid = api
        .spawn(name, &s(args), &ExecOptions::default(), sink)
        .unwrap();
    (pid, receiver)
}

/// Every event up to and including the last one.
fn events(receiver: &Receiver<ShellEvent>) -> Vec<ShellEvent> {
    let deadline = Instant::now() + TIMEOUT;
    let mut events = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = receiver
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no last event in time; got {events:?}"));
        let last = event.is_last();
        events.push(event);
        if last {
            return events;
        }
    }
}

fn next(receiver: &Receiver<ShellEvent>) -> ShellEvent {
    receiver.recv_timeout(TIMEOUT).expect("no event in time")
}

fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn command_not_in_scope_is_refused() {
    let error = api()
        .execute("rm", &s(&["-rf", "/"]), &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"command "rm" is not in [allowlist.shell] scope"#
    );
    let error = api()
        .spawn("rm", &[], &ExecOptions::default(), Box::new(|_| {}))
        .unwrap_err();
    assert_eq!(error, ShellError::UnknownCommand("\"rm\"".to_owned()));
}

#[test]
fn execute_disabled_is_refused_and_all_enables_it() {
    let mut list = allowlist();
    list.execute = false;
    let error = ShellApi::new(&list)
        .unwrap()
        .execute("none", &[], &ExecOptions::default())
        .unwrap_err();
    assert_eq!(error, ShellError::ExecuteDisabled);
    assert!(
        error.to_string().contains("allowlist.shell.execute"),
        "{error}"
    );
    list.all = true;
    let output = run(ShellApi::new(&list).unwrap(), "none", &[]).unwrap();
    assert_eq!(output.code, Some(0));
}

#[test]
fn args_false_allows_none() {
    let error = api()
        .execute("none", &s(&["x"]), &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        error,
        ShellError::NoArguments {
            name: "none".to_owned(),
            count: 1
        }
    );
    assert_eq!(run(api(), "none", &[]).unwrap().code, Some(0));
}

#[test]
fn args_true_allows_any() {
    let output = run(api(), "sh", &["-c", "echo \"$0|$1\"", "a b", "; rm -rf /"]).unwrap();
    assert_eq!(output.stdout, "a b|; rm -rf /\n");
}

#[test]
fn args_list_checks_fixed_and_validated_arguments() {
    let output = run(api(), "echo-n", &["-n", "12"]).unwrap();
    assert_eq!(output.stdout, "12");
    let check = |args: &[&str]| api().command("echo-n", &s(args), &ExecOptions::default());
    let error = check(&["-e", "12"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"command `echo-n`: args[0] must be "-n", got "-e""#
    );
    for bad in ["12abc", "12\n", "", "x12"] {
        let error = check(&["-n", bad]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(r"command `echo-n`: args[1] {bad:?} does not match the validator `\d+`")
        );
    }
    let error = check(&["-n"]).unwrap_err();
    assert_eq!(
        error,
        ShellError::ArgumentCount {
            name: "echo-n".to_owned(),
            expected: 2,
            got: 1
        }
    );
    assert!(check(&["-n", "1", "2"]).is_err());
}

#[test]
fn validators_match_the_whole_argument() {
    let check = |arg: &str| {
        api()
            .command("either", &s(&[arg]), &ExecOptions::default())
            .is_ok()
    };
    // `a|b` unanchored would accept anything containing `a` or `b`.
    assert!(check("a"));
    assert!(check("b"));
    assert!(!check("ab"));
    assert!(!check("xa"));
    assert!(!check("a\n"));
    // Anchors written by the author keep working.
    let mut list = allowlist();
    list.scope = vec![command(
        "anchored",
        "echo",
        ShellArgs::List(vec![validated(r"^[a-z]+$")]),
    )];
    let api = ShellApi::new(&list).unwrap();
    assert!(
        api.command("anchored", &s(&["abc"]), &ExecOptions::default())
            .is_ok()
    );
    assert!(
        api.command("anchored", &s(&["abc\n"]), &ExecOptions::default())
            .is_err()
    );
}

#[test]
fn invalid_validator_names_its_key() {
    let mut list = allowlist();
    list.scope.push(command(
        "bad",
        "echo",
        ShellArgs::List(vec![validated("(")]),
    ));
    let error = ShellApi::new(&list).unwrap_err();
    let ShellError::BadPattern { key, pattern, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(key, "allowlist.shell.scope[8].args[0].validator");
    assert_eq!(pattern, "(");
}

#[test]
fn long_arguments_are_shortened_in_errors() {
    let long = "x".repeat(10_000);
    let error = api()
        .command("sleep", &[long], &ExecOptions::default())
        .unwrap_err()
        .to_string();
    assert!(error.len() < 300, "{error}");
    assert!(error.contains('…'), "{error}");
}

#[test]
fn open_default_pattern_allows_mail_tel_and_web_urls_only() {
    let api = api();
    for good in [
        "https://example.com/a?b=c",
        "http://localhost:8080",
        "mailto:someone@example.com",
        "tel:+123456",
    ] {
        assert_eq!(api.check_open(good), Ok(()), "{good}");
    }
    for bad in [
        "file:///etc/passwd",
        "/etc/passwd",
        "javascript:alert(1)",
        "https://example.com/a b",
        "https://example.com\n",
        "ftp://example.com",
        " https://example.com",
    ] {
        let error = api.check_open(bad).unwrap_err();
        assert!(
            matches!(error, ShellError::OpenRefused { .. }),
            "{bad}: {error:?}"
        );
        assert!(
            error.to_string().contains("`open` in [allowlist.shell]"),
            "{error}"
        );
    }
}

#[test]
fn open_custom_pattern_must_match_in_full() {
    let mut list = allowlist();
    list.open = ShellOpen::Pattern(r"https://example\.com/.*|/home/.*".to_owned());
    let api = ShellApi::new(&list).unwrap();
    assert_eq!(api.check_open("https://example.com/x"), Ok(()));
    assert_eq!(api.check_open("/home/me/file.pdf"), Ok(()));
    assert!(
        api.check_open("https://evil.com/?https://example.com/")
            .is_err()
    );
    assert!(api.check_open("/etc/home/x").is_err());
    assert!(api.check_open("https://example.com").is_err());
    list.open = ShellOpen::Pattern(".*".to_owned());
    let api = ShellApi::new(&list).unwrap();
    assert_eq!(
        api.check_open("--new-instance"),
        Err(ShellError::OpenOption("\"--new-instance\"".to_owned()))
    );
}

#[test]
fn open_is_refused_when_disabled() {
    let mut list = allowlist();
    list.open = ShellOpen::Flag(false);
    let api = ShellApi::new(&list).unwrap();
    let error = api.open("https://example.com", None).unwrap_err();
    assert_eq!(error, ShellError::OpenDisabled);
    assert!(
        error.to_string().contains("allowlist.shell.open"),
        "{error}"
    );
    assert!(error.to_string().contains("[allowlist.shell]"), "{error}");
    // `all` turns `open` on with the default pattern.
    list.all = true;
    let api = ShellApi::new(&list).unwrap();
    assert_eq!(api.check_open("https://example.com"), Ok(()));
    assert!(api.check_open("file:///etc/passwd").is_err());
}

#[test]
fn from_allowlist_honours_the_top_level_all() {
    let allowlist = Allowlist {
        all: true,
        ..Allowlist::default()
    };
    let api = ShellApi::from_allowlist(&allowlist).unwrap();
    assert_eq!(api.check_open("https://example.com"), Ok(()));
    assert!(api.execute_enabled);
    let api = ShellApi::from_allowlist(&Allowlist::default()).unwrap();
    assert_eq!(
        api.check_open("https://example.com"),
        Err(ShellError::OpenDisabled)
    );
}

/// A fake opener `name` in `dir` that writes its name and its arguments,
/// one a line, to `dir/opened`.
fn fake_opener(dir: &TestDir, name: &str) {
    let script = dir.0.join(name);
    let record = dir.0.join("opened");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' {name} \"$@\" > '{record}.tmp' && mv '{record}.tmp' '{record}'\n",
            record = record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `open`, retrying while another test's fork still holds the script
/// just written open (`ETXTBSY`).
fn open_retrying(api: &ShellApi, target: &str, with: Option<&str>) -> Result<(), ShellError> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match api.open(target, with) {
            Err(ShellError::OpenerFailed { message, .. })
                if message.contains("busy") && Instant::now() < deadline =>
            {
                thread::sleep(Duration::from_millis(20));
            }
            result => return result,
        }
    }
}

fn opened(dir: &TestDir) -> String {
    let record = dir.0.join("opened");
    wait_until("the fake opener", || record.exists());
    std::fs::read_to_string(record).unwrap()
}

#[test]
fn open_runs_xdg_open_from_the_search_path() {
    let dir = TestDir::new("shell-open");
    fake_opener(&dir, "xdg-open");
    let api = api().with_search_path(dir.0.as_os_str());
    open_retrying(&api, "https://example.com/?q=a b", None)
        .expect_err("a space is refused by the default pattern");
    open_retrying(&api, "https://example.com/?q=1&r=2", None).unwrap();
    assert_eq!(opened(&dir), "xdg-open\nhttps://example.com/?q=1&r=2\n");
}

#[test]
fn open_with_runs_the_named_program() {
    let dir = TestDir::new("shell-open-with");
    fake_opener(&dir, "gio");
    let api = api().with_search_path(dir.0.as_os_str());
    open_retrying(&api, "mailto:a@b.c", Some("gio")).unwrap();
    assert_eq!(opened(&dir), "gio\nopen\nmailto:a@b.c\n");

    let dir = TestDir::new("shell-open-with");
    fake_opener(&dir, "google-chrome");
    let api = api.with_search_path(dir.0.as_os_str());
    open_retrying(&api, "https://a.b", Some("Google Chrome")).unwrap();
    assert_eq!(opened(&dir), "google-chrome\nhttps://a.b\n");
}

#[test]
fn open_with_an_unknown_or_missing_program_fails() {
    let dir = TestDir::new("shell-open-missing");
    let api = api().with_search_path(dir.0.as_os_str());
    let error = api.open("https://a.b", Some("sh")).unwrap_err();
    assert_eq!(error, ShellError::UnknownOpener("\"sh\"".to_owned()));
    assert!(
        error.to_string().contains("firefox, google chrome"),
        "{error}"
    );
    let error = api.open("https://a.b", Some("firefox")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "shell.open: cannot run `firefox`: No such file or directory"
    );
    let error = api.open("https://a.b", None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "shell.open: cannot run `xdg-open`: No such file or directory"
    );
}

#[test]
fn execute_returns_code_stdout_and_stderr() {
    let args = s(&["-c", "echo out; echo err >&2; exit 3"]);
    let (api, output) = within(move || {
        let api = api();
        let output = api.execute("sh", &args, &ExecOptions::default());
        (api, output)
    });
    let output = output.unwrap();
    assert_eq!(api.running(), 0, "execute leaves no registry entry");
    assert_eq!(
        output,
        ExecOutput {
            code: Some(3),
            signal: None,
            stdout: "out\n".to_owned(),
            stderr: "err\n".to_owned(),
        }
    );
    assert_eq!(
        serde_json::to_value(&output).unwrap(),
        json!({ "code": 3, "signal": null, "stdout": "out\n", "stderr": "err\n" })
    );
}

#[test]
fn execute_reports_the_signal_of_a_killed_child() {
    let output = run(api(), "sh", &["-c", "kill -9 $$"]).unwrap();
    assert_eq!(output.code, None);
    assert_eq!(output.signal, Some(libc::SIGKILL));
}

#[test]
fn execute_closes_stdin() {
    // `cat` would wait forever on an open, silent stdin.
    let output = run(api(), "cat", &[]).unwrap();
    assert_eq!(output.code, Some(0));
    assert_eq!(output.stdout, "");
}

#[test]
fn non_utf8_output_is_replaced() {
    let output = run(api(), "printf", &[r"a\377b\n"]).unwrap();
    assert_eq!(output.stdout, "a\u{FFFD}b\n");
    let api = api();
    let (_, receiver) = spawn(&api, "printf", &[r"\377x\n"]);
    assert_eq!(
        events(&receiver)[0],
        ShellEvent::Stdout("\u{FFFD}x".to_owned())
    );
}

#[test]
fn execute_uses_cwd_and_env() {
    let dir = TestDir::new("shell-cwd");
    let options = ExecOptions {
        cwd: Some(dir.0.display().to_string()),
        env: vec![("MILLENNIUM_TEST".to_owned(), "yes".to_owned())],
        clear_env: false,
    };
    let args = s(&[
        "-c",
        "pwd; echo \"$MILLENNIUM_TEST\"; echo \"${HOME:-unset}\"",
    ]);
    let output = api_in(&dir.0).execute("sh", &args, &options).unwrap();
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert!(lines[0].starts_with("/proc/self/fd/") || lines[0] == dir.0.display().to_string(), "{}", lines[0]);
    assert_eq!(lines[1], "yes");
    let real = api_in(&dir.0)
        .execute("sh", &s(&["-c", "pwd -P"]), &options)
        .unwrap();
    assert_eq!(real.stdout.trim_end(), dir.0.display().to_string());
    let cleared = ExecOptions {
        clear_env: true,
        ..options
    };
    let output = api_in(&dir.0).execute("sh", &args, &cleared).unwrap();
    assert_eq!(output.stdout.lines().nth(2), Some("unset"));
}

/// `none` lists `PATH` in its `env`; even then the page's `PATH` does not
/// choose the program.
#[test]
fn page_env_path_does_not_change_the_program() {
    let dir = TestDir::new("shell-path");
    fake_opener(&dir, "true");
    let options = ExecOptions {
        env: vec![("PATH".to_owned(), dir.0.display().to_string())],
        ..ExecOptions::default()
    };
    let output = api().execute("none", &[], &options).unwrap();
    assert_eq!(output.code, Some(0));
    assert!(
        !dir.0.join("opened").exists(),
        "the page's PATH chose the program"
    );
}

#[test]
fn cwd_must_be_an_existing_directory() {
    let dir = TestDir::new("shell-bad-cwd");
    let file = dir.0.join("file");
    std::fs::write(&file, "").unwrap();
    for (cwd, reason) in [(dir.0.join("missing"), "not found"), (file, "not a directory")] {
        let options = ExecOptions {
            cwd: Some(cwd.display().to_string()),
            ..ExecOptions::default()
        };
        let error = api_in(&dir.0).execute("none", &[], &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("command `none`: cwd {:?} is refused: {reason}", cwd.display().to_string())
        );
    }
}

/// Regression (security review): only `LD_*` was refused, and
/// `GIT_CONFIG_*`, `NODE_OPTIONS`, `PYTHONPATH`, `PERL5OPT`, `BASH_FUNC_*`,
/// `SHELLOPTS` + `PS4`, `GCONV_PATH` or `PATH` run code in a scoped program.
/// A page now sets only the variables its entry lists.
#[test]
fn page_env_is_refused_unless_the_entry_lists_it() {
    let dir = TestDir::new("shell-env");
    let marker = dir.0.join("ran");
    let payload = format!("touch {}", marker.display());
    for (variable, value) in [
        ("GIT_CONFIG_COUNT", "1"),
        ("NODE_OPTIONS", "--require /tmp/x.js"),
        ("PYTHONPATH", "/tmp"),
        ("PERL5OPT", "-Mx"),
        ("BASH_FUNC_echo%%", "() { x; }"),
        ("SHELLOPTS", "xtrace"),
        ("PS4", "$(touch /tmp/x)"),
        ("GCONV_PATH", "/tmp"),
        ("ENV", payload.as_str()),
        ("MILLENNIUM_TEST2", "x"),
    ] {
        let options = ExecOptions {
            env: vec![(variable.to_owned(), value.to_owned())],
            ..ExecOptions::default()
        };
        let error = api().execute("sh", &s(&["-c", "true"]), &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "command `sh`: the environment variable {variable:?} may not be set \
                 (its [allowlist.shell] scope entry lists the ones a page may set in `env`)"
            )
        );
    }
    assert!(!marker.exists());
}

/// Regression (security review): `cwd` could be any directory, so a page
/// that can write files planted a repo-local config (`.git/config`,
/// `Makefile`) and ran the scoped program there. It must now be the entry's
/// fixed directory or inside the fs scope, and no symlink leads it out.
#[test]
fn page_cwd_must_be_inside_the_fs_scope_or_the_fixed_one() {
    let dir = TestDir::new("shell-cwd-scope");
    let inside = dir.0.join("inside");
    let outside = dir.0.join("outside");
    std::fs::create_dir_all(inside.join("repo")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, inside.join("link")).unwrap();
    let api = api_in(&inside);
    let pwd = s(&["-c", "pwd -P"]);
    let run_as = |api: &ShellApi, name: &str, cwd: &Path| {
        let options = ExecOptions {
            cwd: Some(cwd.display().to_string()),
            ..ExecOptions::default()
        };
        api.execute(name, &pwd, &options)
            .map(|o| o.stdout.trim_end().to_owned())
    };
    let run = |api: &ShellApi, cwd: &Path| run_as(api, "sh", cwd);
    assert_eq!(run(&api, &inside.join("repo")).unwrap(), inside.join("repo").display().to_string());
    for refused in [outside.clone(), inside.join("link"), inside.join("repo/../../outside")] {
        let error = run(&api, &refused).unwrap_err().to_string();
        assert!(error.contains("cwd") && error.contains("is refused"), "{error}");
    }
    let link = run(&api, &inside.join("link")).unwrap_err().to_string();
    assert!(link.contains("symbolic link"), "{link}");
    // No fs scope at all: a page's cwd is always refused.
    let error = run(&super::tests::api(), &inside).unwrap_err().to_string();
    assert!(error.ends_with("it is not inside the fs scope"), "{error}");
    // A fixed cwd: used by default, and the page may only repeat it.
    let mut list = allowlist();
    let mut fixed = command("pwd", "sh", ShellArgs::List(vec![fixed("-c"), fixed("pwd -P")]));
    fixed.cwd = Some(outside.display().to_string());
    list.scope = vec![fixed];
    let fixed_api = ShellApi::new(&list).unwrap();
    let output = fixed_api.execute("pwd", &pwd, &ExecOptions::default()).unwrap();
    assert_eq!(output.stdout.trim_end(), outside.display().to_string());
    assert_eq!(
        run_as(&fixed_api, "pwd", &outside),
        Ok(outside.display().to_string())
    );
    let other = run_as(&fixed_api, "pwd", &inside).unwrap_err().to_string();
    assert!(other.contains("the scope fixes it to"), "{other}");
}

/// Regression (security review): a relative `cmd` and relative `PATH`
/// entries resolved against the host's working directory.
#[test]
fn relative_programs_and_path_entries_never_resolve_against_the_working_directory() {
    let dir = TestDir::new("shell-relative");
    let mut list = allowlist();
    list.scope = vec![
        command("rel", "./tool", ShellArgs::Any(false)),
        command("sub", "bin/tool", ShellArgs::Any(false)),
        command("bare", "tool-only-here", ShellArgs::Any(false)),
    ];
    std::fs::create_dir_all(dir.0.join("bin")).unwrap();
    for name in ["tool", "bin/tool", "tool-only-here"] {
        let path = dir.0.join(name);
        std::fs::write(&path, "#!/bin/sh\necho ran\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // `.` and `bin` in the search path are relative: skipped.
    let api = ShellApi::new(&list).unwrap().with_search_path(".:bin::");
    let relative_to = |name: &str| {
        let error = api.execute(name, &[], &ExecOptions::default()).unwrap_err().to_string();
        assert!(error.starts_with("cannot run"), "{error}");
        error
    };
    // The test's own working directory is not `dir`, so even a resolution
    // against it would not find these; check the reason instead.
    assert!(relative_to("rel").contains("relative program path is refused"));
    assert!(relative_to("sub").contains("relative program path is refused"));
    assert!(relative_to("bare").contains("No such file or directory"));
    let absolute = ShellApi::new(&list)
        .unwrap()
        .with_search_path(format!(".:{}", dir.0.display()));
    let found = absolute.execute("bare", &[], &ExecOptions::default()).unwrap();
    assert_eq!(found.stdout, "ran\n");
}

/// Regression (security review): a validated argument could start with
/// `-`, so a validator meant for a file name passed `--upload-pack=...`.
#[test]
fn validated_options_are_refused_unless_the_validator_starts_with_a_dash() {
    let mut list = allowlist();
    list.scope = vec![
        command("file", "echo", ShellArgs::List(vec![validated(r"[\w.=-]+")])),
        command("flag", "echo", ShellArgs::List(vec![validated(r"-[a-z]")])),
        command("anchored", "echo", ShellArgs::List(vec![validated(r"^-n|x")])),
    ];
    let api = ShellApi::new(&list).unwrap();
    let run = |name: &str, arg: &str| api.execute(name, &s(&[arg]), &ExecOptions::default());
    let error = run("file", "--upload-pack=touch").unwrap_err();
    assert_eq!(
        error.to_string(),
        "command `file`: args[0] \"--upload-pack=touch\" starts with `-`, which the validator \
         `[\\w.=-]+` does not (an option is accepted only by a validator that starts with `-`)"
    );
    assert_eq!(run("file", "notes.md").unwrap().stdout, "notes.md\n");
    assert_eq!(run("flag", "-e").unwrap().code, Some(0));
    assert!(run("flag", "e").is_err(), "still matched in full");
    assert_eq!(run("anchored", "-n").unwrap().code, Some(0));
}

#[test]
fn missing_program_error_names_it_and_the_reason() {
    let error = api()
        .execute("missing", &[], &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot run `nonexistent-prog` (command `missing` in [allowlist.shell] scope): \
         No such file or directory"
    );
    let mut list = allowlist();
    list.scope = vec![command("abs", "/nonexistent/prog", ShellArgs::Any(false))];
    let error = ShellApi::new(&list)
        .unwrap()
        .spawn("abs", &[], &ExecOptions::default(), Box::new(|_| {}))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot run `/nonexistent/prog` (command `abs` in [allowlist.shell] scope): \
         No such file or directory"
    );
}

#[test]
fn execute_output_over_the_cap_kills_the_child() {
    // An endless writer: only the kill ends it.
    let api = api().with_limits(1024, 1024);
    let error = run(api, "sh", &["-c", "while :; do echo 0123456789; done"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "command `sh`: stdout exceeded 1024 bytes; the process was killed"
    );
    let api = self::api().with_limits(1024, 1024);
    let error = run(api, "sh", &["-c", "while :; do echo 0123456789 >&2; done"]).unwrap_err();
    assert!(
        matches!(
            error,
            ShellError::OutputTooLarge {
                stream: "stderr",
                ..
            }
        ),
        "{error}"
    );
    let api = self::api().with_limits(1024, 1024);
    let output = run(api, "printf", &["%1024s"]).unwrap();
    assert_eq!(output.stdout.len(), 1024, "exactly the cap is allowed");
}

#[test]
fn spawn_streams_lines_in_order_then_terminated() {
    let api = api();
    let script = "for i in 1 2 3; do echo \"line $i\"; done; echo oops >&2; \
                  printf 'crlf\\r\\nlast'; exit 4";
    let (pid, receiver) = spawn(&api, "sh", &["-c", script]);
    assert!(pid > 0);
    let events = events(&receiver);
    let stdout: Vec<&ShellEvent> = events
        .iter()
        .filter(|e| matches!(e, ShellEvent::Stdout(_)))
        .collect();
    let line = |text: &str| ShellEvent::Stdout(text.to_owned());
    assert_eq!(
        stdout,
        [
            &line("line 1"),
            &line("line 2"),
            &line("line 3"),
            &line("crlf"),
            &line("last")
        ]
    );
    assert!(events.contains(&ShellEvent::Stderr("oops".to_owned())));
    assert_eq!(events.len(), 7, "{events:?}");
    assert_eq!(
        events.last(),
        Some(&ShellEvent::Terminated {
            code: Some(4),
            signal: None
        })
    );
    assert!(
        receiver.recv_timeout(Duration::from_millis(100)).is_err(),
        "nothing after the last event"
    );
    assert_eq!(api.running(), 0, "the registry forgets a terminated child");
    assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
    assert_eq!(api.write(pid, b"x"), Err(ShellError::UnknownChild(pid)));
}

#[test]
fn spawn_cuts_overlong_lines() {
    let api = api().with_limits(1024, 4);
    let (_, receiver) = spawn(&api, "printf", &[r"abcdefgh\nij\n"]);
    let line = |text: &str| ShellEvent::Stdout(text.to_owned());
    assert_eq!(
        events(&receiver),
        [
            line("abcd"),
            line("efgh"),
            line("ij"),
            ShellEvent::Terminated {
                code: Some(0),
                signal: None
            }
        ]
    );
}

#[test]
fn write_reaches_the_stdin_of_cat() {
    let api = api();
    let (pid, receiver) = spawn(&api, "cat", &[]);
    api.write(pid, b"hello\n").unwrap();
    assert_eq!(next(&receiver), ShellEvent::Stdout("hello".to_owned()));
    api.write(pid, "wörld\n".as_bytes()).unwrap();
    assert_eq!(next(&receiver), ShellEvent::Stdout("wörld".to_owned()));
    api.kill(pid).unwrap();
    assert_eq!(
        events(&receiver).last(),
        Some(&ShellEvent::Terminated {
            code: None,
            signal: Some(libc::SIGKILL)
        })
    );
    assert_eq!(
        api.write(pid, b"late\n"),
        Err(ShellError::UnknownChild(pid))
    );
}

#[test]
fn kill_ends_a_sleeping_child_promptly() {
    let api = api();
    let (pid, receiver) = spawn(&api, "sleep", &["30"]);
    assert_eq!(api.running(), 1);
    let started = Instant::now();
    api.kill(pid).unwrap();
    assert_eq!(
        events(&receiver),
        [ShellEvent::Terminated {
            code: None,
            signal: Some(libc::SIGKILL)
        }]
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    wait_until("the registry to forget the child", || api.running() == 0);
    assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
}

#[test]
fn kill_refuses_pids_this_api_did_not_spawn() {
    let api = api();
    let own = std::process::id();
    assert_eq!(api.kill(own), Err(ShellError::UnknownChild(own)));
    assert_eq!(api.kill(1), Err(ShellError::UnknownChild(1)));
    // Another instance's child is not this one's.
    let other = self::api();
    let (pid, receiver) = spawn(&other, "sleep", &["30"]);
    assert_eq!(api.kill(pid), Err(ShellError::UnknownChild(pid)));
    assert_eq!(api.write(pid, b"x"), Err(ShellError::UnknownChild(pid)));
    drop(other);
    assert!(matches!(
        events(&receiver).last(),
        Some(ShellEvent::Terminated {
            signal: Some(_),
            ..
        })
    ));
}

#[test]
fn kill_all_ends_every_child() {
    let api = api();
    let receivers: Vec<_> = (0..3).map(|_| spawn(&api, "sleep", &["30"]).1).collect();
    assert_eq!(api.running(), 3);
    api.kill_all();
    for receiver in &receivers {
        assert_eq!(
            events(receiver),
            [ShellEvent::Terminated {
                code: None,
                signal: Some(libc::SIGKILL)
            }]
        );
    }
    wait_until("the registry to empty", || api.running() == 0);
}

#[test]
fn events_have_tauri_v1_json_shape() {
    assert_eq!(
        ShellEvent::Stdout("a".to_owned()).to_json(),
        json!({ "event": "Stdout", "payload": "a" })
    );
    assert_eq!(
        ShellEvent::Stderr("b".to_owned()).to_json(),
        json!({ "event": "Stderr", "payload": "b" })
    );
    assert_eq!(
        ShellEvent::Error("c".to_owned()).to_json(),
        json!({ "event": "Error", "payload": "c" })
    );
    assert_eq!(
        ShellEvent::Terminated {
            code: Some(0),
            signal: None
        }
        .to_json(),
        json!({ "event": "Terminated", "payload": { "code": 0, "signal": null } })
    );
}

#[test]
fn debug_lists_the_scope() {
    let text = format!("{:?}", api());
    assert!(text.contains("\"echo-n\""), "{text}");
    assert!(text.contains("running: 0"), "{text}");
}

/// Regression (security review, denial of service): a page spawning in a
/// loop started children (each with reader and waiter threads) without end.
#[test]
fn spawning_stops_at_the_cap_with_a_clear_error() {
    let api = api();
    let children: Vec<_> = (0..MAX_CHILDREN).map(|_| spawn(&api, "sleep", &["30"])).collect();
    let refused = api
        .spawn("sleep", &s(&["30"]), &ExecOptions::default(), Box::new(|_| {}))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "64 child processes of this app are running already: wait for one to end"
    );
    api.kill_all();
    for (_, receiver) in &children {
        assert!(matches!(events(receiver).last(), Some(ShellEvent::Terminated { .. })));
    }
}

/// The cap holds for spawns at the same moment too: the place is reserved
/// before the check, not counted after the child is registered.
#[test]
fn concurrent_spawns_never_pass_the_cap() {
    let api = Arc::new(api());
    let started: usize = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let api = Arc::clone(&api);
                threads.spawn(move || {
                    (0..16)
                        .filter(|_| {
                            api.spawn("sleep", &s(&["30"]), &ExecOptions::default(), Box::new(|_| {}))
                                .is_ok()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(started <= MAX_CHILDREN, "{started} children started");
    assert!(api.running() <= MAX_CHILDREN);
    api.kill_all();
}
