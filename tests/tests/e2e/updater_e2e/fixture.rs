//! The test's world: keys, the app's `millennium.toml`, signed releases
//! packaged with `millennium build`, and the install directory.

use super::*;

// ------------------------------------------------------------------ keys

pub(super) struct Key {
    pub(super) secret: PathBuf,
    /// The `RW...` line of the `.pub` file.
    pub(super) public: String,
}

/// `millennium keygen --unencrypted` into `<scratch>/keys/<name>.{key,pub}`.
pub(super) fn keygen(scratch: &TempDir, name: &str) -> Key {
    let dir = scratch.0.join("keys");
    let mut command = millennium_command();
    command
        .arg("keygen")
        .arg("-o")
        .arg(&dir)
        .args(["--name", name, "--unencrypted"]);
    run_ok(&mut command, &format!("millennium keygen --name {name}"));
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
pub(super) fn millennium_command() -> Command {
    let mut command = Command::new(millennium_e2e::bin("millennium"));
    command
        .stdin(Stdio::null())
        .env_remove("MILLENNIUM_KEY_PASSWORD")
        .env_remove("MILLENNIUM_SIGNING_KEY")
        .env_remove("SOURCE_DATE_EPOCH");
    command
}

/// Lowercase hex SHA-256 (`sha256sum`: the tests crate has no hash crate).
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
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
pub(super) fn app_toml(version: &str, identifier: &str, port: u16, pubkeys: &[&str]) -> String {
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
pub(super) struct Release {
    pub(super) exe: PathBuf,
    pub(super) bytes: Arc<Vec<u8>>,
    /// The whole `.minisig` text.
    pub(super) signature: String,
    /// `latest.json`.
    pub(super) latest: Vec<u8>,
}

// --------------------------------------------------------------- fixture

/// One test's world: a scratch directory, the server, key `a` and helpers
/// to package releases that talk to this server.
pub(super) struct Fixture {
    pub(super) scratch: TempDir,
    pub(super) server: Server,
    pub(super) key_a: Key,
    /// Build with `check-on-start = true` and `dialog = true`.
    pub(super) ask_on_start: std::cell::Cell<bool>,
    /// The main window's `url`, when not the frontend's index.
    pub(super) window_url: std::cell::RefCell<Option<String>>,
}

impl Fixture {
    pub(super) fn new(tag: &str) -> Fixture {
        let scratch = TempDir::new(&format!("updater-e2e-{tag}"));
        let server = Server::start();
        let key_a = keygen(&scratch, "a");
        Fixture {
            scratch,
            server,
            key_a,
            ask_on_start: std::cell::Cell::new(false),
            window_url: std::cell::RefCell::new(None),
        }
    }

    /// Packages and signs `version` of `identifier` (trusting `pubkeys`) on
    /// the small host.
    pub(super) fn release(
        &self,
        tag: &str,
        version: &str,
        identifier: &str,
        pubkeys: &[&str],
        key: &Key,
    ) -> Release {
        self.release_on(tag, version, identifier, pubkeys, key, &small_host())
    }

    pub(super) fn release_on(
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
        if let Some(url) = self.window_url.borrow().as_deref() {
            toml = toml.replace(
                "label = \"main\"\n",
                &format!("label = \"main\"\nurl = \"{url}\"\n"),
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
        let mut build = millennium_command();
        build
            .arg("build")
            .arg(&app)
            .arg("-o")
            .arg(&out)
            .arg("--host")
            .arg(host)
            .arg("--key")
            .arg(&key.secret)
            .args(["--base-url", &base_url]);
        run_ok(&mut build, &format!("millennium build ({tag})"));
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
    pub(super) fn sign_for_target(&self, file: &Path, key: &Key, target: &str) -> String {
        let mut command = millennium_command();
        command
            .arg("sign")
            .arg(file)
            .arg("--key")
            .arg(&key.secret)
            .args(["--target", target]);
        run_ok(&mut command, &format!("millennium sign --target {target}"));
        let mut minisig = file.as_os_str().to_owned();
        minisig.push(".minisig");
        std::fs::read_to_string(PathBuf::from(minisig)).expect("read the new .minisig")
    }

    /// A manifest for `version` whose single platform entry is this machine's.
    pub(super) fn manifest(
        &self,
        version: &str,
        signature: &str,
        size: usize,
        sha256: &str,
    ) -> Vec<u8> {
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
    pub(super) fn manifest_for(&self, version: &str, signature: &str, bytes: &[u8]) -> Vec<u8> {
        self.manifest(version, signature, bytes.len(), &sha256_hex(bytes))
    }
}

/// The "install directory": a fresh directory holding only a copy of v1.
pub(super) struct Installed {
    /// Removed when the test ends.
    pub(super) _dir: TempDir,
    pub(super) exe: PathBuf,
}

pub(super) fn install(v1: &Release, tag: &str) -> Installed {
    let dir = TempDir::new(&format!("updater-e2e-install-{tag}"));
    let real = std::fs::canonicalize(&dir.0).expect("canonical install dir");
    let exe = real.join(EXE);
    std::fs::copy(&v1.exe, &exe).expect("copy v1 into the install dir");
    Installed { _dir: dir, exe }
}

impl Installed {
    pub(super) fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(self.exe.parent().expect("the exe has a directory"))
                .expect("list the install dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    }

    pub(super) fn previous(&self) -> PathBuf {
        self.exe.with_file_name(format!(".{EXE}.previous"))
    }

    pub(super) fn temp_files(&self) -> Vec<String> {
        let prefix = format!(".{EXE}.update-");
        self.entries()
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .collect()
    }

    /// The processes running the installed file.
    pub(super) fn pids(&self) -> Vec<u32> {
        processes_running(&self.exe)
    }
}

/// Kills whatever still runs from the install directory when a test ends
/// (a relaunched v2 may not be in the driver's process group).
pub(super) struct KillOnDrop(pub(super) PathBuf);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for pid in processes_running(&self.0) {
            kill_process(pid);
        }
    }
}

/// `Ok` when equal, else where they differ (never prints megabytes).
pub(super) fn compare(got: &[u8], want: &[u8]) -> Result<(), String> {
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
pub(super) fn assert_untouched(row: &str, installed: &Installed, v1: &[u8]) {
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
