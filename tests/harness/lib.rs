//! Shared harness for end-to-end tests: locate the real binaries that cargo
//! built, run them, and compare their output with what a fixture expects.
//!
//! The binaries are not built here (cargo holds its build lock while tests
//! run); `make test` builds them first. A missing binary is a loud failure
//! that says how to build it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The directory cargo put this test executable's sibling binaries in
/// (`target/debug` or `target/release`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/<profile>/deps/<test-binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_owned()
}

/// Path of a workspace binary (`millennium` or `millennium-host`), built by
/// `cargo build --workspace --bins` in the same profile as the tests.
pub fn bin(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins` \
         (or run `make test`, which does it)",
        path.display()
    );
    path
}

/// Runs `millennium` with `args` in `cwd`.
pub fn millennium(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin("millennium"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("millennium runs")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `# expect: ...` lines at the end of a fixture, in order.
pub fn expectations(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(str::to_owned)
        .collect()
}

/// Asserts two line lists are equal, printing expected vs got on failure.
pub fn assert_lines(what: &str, expected: &[String], got: &[String]) {
    if expected != got {
        panic!(
            "{what}: output differs\n--- expected\n{}\n--- got\n{}\n",
            expected.join("\n"),
            got.join("\n")
        );
    }
}

/// A temporary directory for one test, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh, empty directory named after the test (`tag`) and this process.
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("millennium-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// A path inside it.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    /// A copy of `sample-apps/<name>` at `<scratch>/<name>`.
    pub fn copy_sample(&self, name: &str) -> PathBuf {
        let target = self.0.join(name);
        copy_dir(&repo_root().join("sample-apps").join(name), &target);
        target
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree (files and directories only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create target dir");
    for entry in std::fs::read_dir(from).expect("read source dir") {
        let entry = entry.expect("read entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// Asserts a run exited 1 and said `needle` on standard error.
pub fn assert_fails_with(output: &Output, needle: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(1), "expected exit 1:\n{text}");
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}
