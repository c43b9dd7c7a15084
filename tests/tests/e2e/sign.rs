//! Keys, signatures and the update manifest end to end: `keygen`, `build
//! --key --base-url`, `sign` and `verify` as an author and CI run them, and
//! `verify` refusing every file or signature an attacker could substitute.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use millennium_e2e::{Scratch, bin, repo_root, stderr, stdout};

/// Environment variables that change what the CLI does; every run starts
/// without them so the developer's shell cannot leak into a test.
const CLEARED: &[&str] = &[
    "MILLENNIUM_KEY_PASSWORD",
    "MILLENNIUM_SIGNING_KEY",
    "SOURCE_DATE_EPOCH",
];

/// A copy of the hello sample app at `<scratch>/<dir>` with `edit` applied
/// to its toml.
fn hello_copy(scratch: &Scratch, dir: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let target = scratch.path(dir);
    millennium_e2e::copy_dir(&repo_root().join("sample-apps/hello"), &target);
    let toml = std::fs::read_to_string(target.join("millennium.toml")).unwrap();
    std::fs::write(target.join("millennium.toml"), edit(toml)).unwrap();
    target
}

/// Runs `millennium` in `cwd` with `env` set, no terminal on stdin.
fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(bin("millennium"));
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    for name in CLEARED {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("millennium runs")
}

fn build(cwd: &Path, app: &Path, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let host = bin("millennium-host");
    let mut args = vec![
        "build",
        app.to_str().unwrap(),
        "-o",
        out,
        "--host",
        host.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(cwd, &args, env)
}

#[track_caller]
fn assert_ok(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({:?})\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// Asserts exit code 1 and that stderr contains every piece of `expected`.
#[track_caller]
fn assert_fails(what: &str, output: &Output, expected: &[&str]) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{what}: expected exit 1\nstdout: {}\nstderr: {err}",
        stdout(output)
    );
    for piece in expected {
        assert!(
            err.contains(piece),
            "{what}: stderr lacks {piece:?}\nstderr: {err}"
        );
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn sha256_hex(path: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    assert!(output.status.success());
    stdout(&output)
        .split_whitespace()
        .next()
        .expect("sha256sum prints a digest")
        .to_owned()
}

/// `keygen --unencrypted` in `dir`, returning the public key line.
fn keygen_unencrypted(dir: &Path, name: &str) -> String {
    let output = run(dir, &["keygen", "--unencrypted", "--name", name], &[]);
    assert_ok("keygen --unencrypted", &output);
    stdout(&output).trim().to_owned()
}

#[test]
fn unencrypted_key_signs_a_build_that_verifies_with_its_manifest() {
    let scratch = Scratch::new("sign-unencrypted");
    let cwd = &scratch.0;
    let output = run(cwd, &["keygen", "--unencrypted", "--name", "ci"], &[]);
    assert_ok("keygen", &output);
    let line = stdout(&output).trim().to_owned();
    assert!(
        line.starts_with("RW") && line.len() == 56,
        "keygen prints the public key line: {line:?}"
    );
    let err = stderr(&output);
    assert!(err.contains("NOT encrypted"), "a loud warning: {err}");
    assert!(err.contains("[updater]") && err.contains(&line), "{err}");
    let public_file = std::fs::read_to_string(scratch.path("ci.pub")).unwrap();
    assert_eq!(public_file.lines().nth(1), Some(line.as_str()));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(scratch.path("ci.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is private");
    }

    let app = hello_copy(&scratch, "hello", |toml| toml);
    let output = build(
        cwd,
        &app,
        "out",
        &[
            "--key",
            "ci.key",
            "--base-url",
            "https://downloads.example.com/hello/1.0.0/",
            "--notes",
            "First release",
        ],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert_ok("build --key", &output);
    assert_eq!(
        names_in(&scratch.path("out")),
        ["hello", "hello.minisig", "latest.json"]
    );
    let exe = scratch.path("out/hello");
    let minisig = std::fs::read_to_string(scratch.path("out/hello.minisig")).unwrap();
    assert!(
        minisig
            .lines()
            .any(|l| l
                == "trusted comment: app=dev.millennium.hello version=1.0.0 target=linux-x86_64"),
        "trusted comment binds app, version and target:\n{minisig}"
    );

    // Accepted with the .pub file and with the bare line.
    for key in ["ci.pub", line.as_str()] {
        let output = run(cwd, &["verify", "out/hello", "--pubkey", key], &[]);
        assert_ok("verify", &output);
        assert!(
            stdout(&output).contains("good signature"),
            "{}",
            stdout(&output)
        );
    }

    // latest.json: Tauri's fields plus size and sha256, all agreeing with the file.
    let text = std::fs::read_to_string(scratch.path("out/latest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("latest.json is JSON");
    assert_eq!(manifest["version"], "1.0.0");
    assert_eq!(manifest["notes"], "First release");
    assert_eq!(
        manifest["pub_date"], "2023-11-14T22:13:20Z",
        "from SOURCE_DATE_EPOCH"
    );
    let platforms = manifest["platforms"].as_object().expect("platforms");
    assert_eq!(platforms.len(), 1);
    let linux = &platforms["linux-x86_64"];
    assert_eq!(
        linux["url"],
        "https://downloads.example.com/hello/1.0.0/hello"
    );
    assert_eq!(linux["signature"].as_str(), Some(minisig.as_str()));
    assert_eq!(
        linux["size"].as_u64(),
        Some(std::fs::metadata(&exe).unwrap().len())
    );
    assert_eq!(linux["sha256"].as_str(), Some(sha256_hex(&exe).as_str()));

    // One flipped byte anywhere is refused, with the original signature.
    let bytes = std::fs::read(&exe).unwrap();
    for at in [bytes.len() / 3, bytes.len() - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x01;
        std::fs::write(scratch.path("tampered"), &tampered).unwrap();
        let output = run(
            cwd,
            &[
                "verify",
                "tampered",
                "--signature",
                "out/hello.minisig",
                "--pubkey",
                "ci.pub",
            ],
            &[],
        );
        assert_fails(
            &format!("tampered at byte {at}"),
            &output,
            &["does not verify", "changed after signing"],
        );
    }

    // Another key's public half is refused.
    keygen_unencrypted(cwd, "other");
    let output = run(cwd, &["verify", "out/hello", "--pubkey", "other.pub"], &[]);
    assert_fails("wrong key", &output, &["another key"]);

    // A garbage public key and a missing signature are clear errors.
    let output = run(cwd, &["verify", "out/hello", "--pubkey", "RWnotakey"], &[]);
    assert_fails("bad pubkey", &output, &["not a minisign public key"]);
    std::fs::write(scratch.path("unsigned"), b"data").unwrap();
    let output = run(cwd, &["verify", "unsigned", "--pubkey", "ci.pub"], &[]);
    assert_fails("no signature", &output, &["unsigned.minisig"]);

    // An unsigned rebuild removes the signature that no longer matches.
    let output = build(cwd, &app, "out", &[], &[]);
    assert_ok("unsigned build", &output);
    assert!(!scratch.path("out/hello.minisig").exists());
}

#[test]
fn encrypted_key_needs_its_password() {
    let scratch = Scratch::new("sign-encrypted");
    let cwd = &scratch.0;
    let password = [("MILLENNIUM_KEY_PASSWORD", "correct horse battery staple")];

    // No password and no terminal: refused, nothing written.
    let output = run(cwd, &["keygen", "--name", "release"], &[]);
    assert_fails(
        "keygen without password",
        &output,
        &["MILLENNIUM_KEY_PASSWORD", "--unencrypted"],
    );
    assert!(names_in(cwd).is_empty(), "{:?}", names_in(cwd));

    let output = run(cwd, &["keygen", "--name", "release"], &password);
    assert_ok("keygen", &output);
    assert!(!stderr(&output).contains("NOT encrypted"));
    let secret = std::fs::read_to_string(scratch.path("release.key")).unwrap();
    assert!(
        !secret.contains("correct horse"),
        "the password is not stored"
    );

    let app = hello_copy(&scratch, "hello", |toml| toml);
    // A wrong password: a clear error, and no executable, no .minisig.
    let output = build(
        cwd,
        &app,
        "out",
        &["--key", "release.key"],
        &[("MILLENNIUM_KEY_PASSWORD", "wrong")],
    );
    assert_fails(
        "wrong password",
        &output,
        &["wrong password", "release.key"],
    );
    assert!(
        !stderr(&output).contains("correct horse") && !stderr(&output).contains(&secret),
        "no secret in the error"
    );
    assert!(names_in(&scratch.path("out")).is_empty());
    // No password at all, no terminal: says how to give one.
    let output = build(cwd, &app, "out", &["--key", "release.key"], &[]);
    assert_fails(
        "no password",
        &output,
        &["encrypted", "MILLENNIUM_KEY_PASSWORD"],
    );
    assert!(names_in(&scratch.path("out")).is_empty());

    // The right password, with the key named by the environment.
    let key = scratch.path("release.key");
    let output = build(
        cwd,
        &app,
        "out",
        &[],
        &[
            password[0],
            ("MILLENNIUM_SIGNING_KEY", key.to_str().unwrap()),
        ],
    );
    assert_ok("build with the key from the environment", &output);
    assert_eq!(names_in(&scratch.path("out")), ["hello", "hello.minisig"]);
    let output = run(
        cwd,
        &["verify", "out/hello", "--pubkey", "release.pub"],
        &[],
    );
    assert_ok("verify", &output);
}

#[test]
fn verify_rejects_signatures_of_another_app_or_version() {
    let scratch = Scratch::new("sign-mismatch");
    let cwd = &scratch.0;
    keygen_unencrypted(cwd, "k");
    let hello = hello_copy(&scratch, "hello", |toml| toml);
    let other = hello_copy(&scratch, "other", |toml| {
        toml.replace("dev.millennium.hello", "dev.millennium.other")
    });
    assert_ok(
        "build hello",
        &build(cwd, &hello, "hello-out", &["--key", "k.key"], &[]),
    );
    assert_ok(
        "build other",
        &build(cwd, &other, "other-out", &["--key", "k.key"], &[]),
    );

    // Another app's genuine release, offered as ours.
    let output = run(
        cwd,
        &[
            "verify",
            "other-out/hello",
            "--pubkey",
            "k.pub",
            "--app",
            "dev.millennium.hello",
        ],
        &[],
    );
    assert_fails(
        "another app",
        &output,
        &[
            "app dev.millennium.other",
            "app dev.millennium.hello was expected",
        ],
    );

    // Our genuine 1.0.0 offered as 1.0.1 (a replayed old release).
    let output = run(
        cwd,
        &[
            "verify",
            "hello-out/hello",
            "--pubkey",
            "k.pub",
            "--version",
            "1.0.1",
        ],
        &[],
    );
    assert_fails(
        "another version",
        &output,
        &["version 1.0.0", "version 1.0.1 was expected"],
    );

    // Another platform.
    let output = run(
        cwd,
        &[
            "verify",
            "hello-out/hello",
            "--pubkey",
            "k.pub",
            "--target",
            "linux-riscv64",
        ],
        &[],
    );
    assert_fails(
        "another target",
        &output,
        &["target linux-riscv64 was expected"],
    );

    // Another app's signature placed next to our executable.
    std::fs::copy(
        scratch.path("other-out/hello.minisig"),
        scratch.path("hello-out/hello.minisig"),
    )
    .unwrap();
    let output = run(
        cwd,
        &["verify", "hello-out/hello", "--pubkey", "k.pub"],
        &[],
    );
    assert_fails("swapped signature", &output, &["changed after signing"]);

    // A valid signature over the same bytes whose comment names another app
    // or version (signed as a plain file): refused for what it names.
    std::fs::write(scratch.path("update.bin"), b"release bytes").unwrap();
    let output = run(
        cwd,
        &[
            "sign",
            "update.bin",
            "--key",
            "k.key",
            "--app",
            "dev.millennium.other",
            "--version",
            "2.0.0",
        ],
        &[],
    );
    assert_ok("sign a plain file", &output);
    for (app, version, expected) in [
        (
            "dev.millennium.hello",
            "2.0.0",
            "app dev.millennium.other, but app dev.millennium.hello was expected",
        ),
        (
            "dev.millennium.other",
            "2.0.1",
            "version 2.0.0, but version 2.0.1 was expected",
        ),
    ] {
        let output = run(
            cwd,
            &[
                "verify",
                "update.bin",
                "--pubkey",
                "k.pub",
                "--app",
                app,
                "--version",
                version,
            ],
            &[],
        );
        assert_fails(expected, &output, &[expected]);
    }
    let output = run(
        cwd,
        &[
            "verify",
            "update.bin",
            "--pubkey",
            "k.pub",
            "--app",
            "dev.millennium.other",
            "--version",
            "2.0.0",
        ],
        &[],
    );
    assert_ok("verify the plain file as signed", &output);

    // `sign` refuses flags that contradict the payload, and writes nothing.
    std::fs::remove_file(scratch.path("hello-out/hello.minisig")).unwrap();
    let output = run(
        cwd,
        &[
            "sign",
            "hello-out/hello",
            "--key",
            "k.key",
            "--version",
            "9.0.0",
        ],
        &[],
    );
    assert_fails(
        "sign with a contradicting flag",
        &output,
        &["--version 9.0.0", "version 1.0.0"],
    );
    assert!(!scratch.path("hello-out/hello.minisig").exists());
    // Without flags it takes app and version from the payload.
    let output = run(cwd, &["sign", "hello-out/hello", "--key", "k.key"], &[]);
    assert_ok("sign a packaged app", &output);
    let output = run(
        cwd,
        &["verify", "hello-out/hello", "--pubkey", "k.pub"],
        &[],
    );
    assert_ok("verify after sign", &output);
}

#[test]
fn keygen_refuses_to_overwrite() {
    let scratch = Scratch::new("sign-overwrite");
    let cwd = &scratch.0;
    let first = keygen_unencrypted(cwd, "k");
    let secret = std::fs::read(scratch.path("k.key")).unwrap();
    let output = run(cwd, &["keygen", "--unencrypted", "--name", "k"], &[]);
    assert_fails("second keygen", &output, &["already exists", "--force"]);
    assert_eq!(std::fs::read(scratch.path("k.key")).unwrap(), secret);
    assert!(
        std::fs::read_to_string(scratch.path("k.pub"))
            .unwrap()
            .contains(&first)
    );
    // Only the public file left over still blocks.
    std::fs::remove_file(scratch.path("k.key")).unwrap();
    let output = run(cwd, &["keygen", "--unencrypted", "--name", "k"], &[]);
    assert_fails("public file exists", &output, &["k.pub already exists"]);
    assert!(!scratch.path("k.key").exists());

    let output = run(
        cwd,
        &["keygen", "--unencrypted", "--name", "k", "--force"],
        &[],
    );
    assert_ok("keygen --force", &output);
    assert_ne!(stdout(&output).trim(), first, "a new key");
    assert_eq!(names_in(cwd), ["k.key", "k.pub"]);
}

#[test]
fn bad_signing_inputs_are_clear_errors() {
    let scratch = Scratch::new("sign-bad-input");
    let cwd = &scratch.0;
    let app = hello_copy(&scratch, "hello", |toml| toml);
    std::fs::write(scratch.path("not-a-key"), "hello\n").unwrap();
    let output = build(cwd, &app, "out", &["--key", "not-a-key"], &[]);
    assert_fails(
        "not a key",
        &output,
        &["not-a-key is not a minisign secret key"],
    );
    let output = build(cwd, &app, "out", &["--key", "missing.key"], &[]);
    assert_fails("missing key", &output, &["cannot read the key missing.key"]);
    let output = build(
        cwd,
        &app,
        "out",
        &["--base-url", "https://example.com"],
        &[],
    );
    assert_fails(
        "base url without key",
        &output,
        &["--base-url needs a signing key"],
    );
    keygen_unencrypted(cwd, "k");
    let output = build(
        cwd,
        &app,
        "out",
        &["--key", "k.key", "--base-url", "ftp://example.com/x"],
        &[],
    );
    assert_fails("ftp base url", &output, &["must be an http(s) URL"]);
    let output = build(
        cwd,
        &app,
        "out",
        &["--key", "k.key", "--base-url", "https://example.com"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert_fails("bad SOURCE_DATE_EPOCH", &output, &["SOURCE_DATE_EPOCH"]);
    assert!(
        names_in(&scratch.path("out")).is_empty(),
        "{:?}",
        names_in(&scratch.path("out"))
    );
    let output = run(cwd, &["sign", "nothing-here", "--key", "k.key"], &[]);
    assert_fails("sign a missing file", &output, &["nothing-here"]);
    let output = run(
        cwd,
        &["keygen", "--unencrypted", "--name", "../escape"],
        &[],
    );
    assert_fails("bad name", &output, &["plain file name"]);
}
