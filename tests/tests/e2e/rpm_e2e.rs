//! `millennium build --rpm`, end to end: the package `rpm` reads (`-qip`,
//! `-qlp`, `--requires`, `--dump`, `-K`) installs what the `.deb`
//! installs, with Fedora's package names, the same bytes twice under
//! `SOURCE_DATE_EPOCH`; rpmlint finds no errors once it is signed the way
//! the README says (unsigned, its only error is the missing signature);
//! bad input stops the build with nothing written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{TempDir, packageable_sample, small_host};
use millennium_e2e::{bin, stderr, stdout};
use sha2::{Digest, Sha256};

const EPOCH: &str = "1700000000";

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether the `rpm` tool is here; says so loudly when not.
fn have_rpm() -> bool {
    if on_path("rpm") {
        return true;
    }
    eprintln!("\n\n!!!! SKIPPED: rpm is not installed (Debian: rpm) !!!!\n\n");
    false
}

fn build(app: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(bin("millennium"))
        .arg("build")
        .arg(app)
        .args(extra)
        .arg("-o")
        .arg(out)
        .arg("--host")
        .arg(small_host())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("millennium runs")
}

fn rpm_query(args: &[&str], package: &Path) -> String {
    let output = Command::new("rpm")
        .args(args)
        .arg(package)
        .output()
        .expect("rpm runs");
    assert!(
        output.status.success(),
        "rpm {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn rpm_arch() -> &'static str {
    std::env::consts::ARCH
}

/// The errors rpmlint reports, its whole report printed.
fn rpmlint_errors(package: &Path, home: &Path) -> Vec<String> {
    let output = Command::new("rpmlint")
        .arg(package)
        .env("HOME", home)
        .output()
        .expect("rpmlint runs");
    let report = stdout(&output);
    eprintln!("rpmlint report:\n{report}{}", stderr(&output));
    report
        .lines()
        .filter(|l| l.contains(": E: "))
        .map(str::to_owned)
        .collect()
}

/// A throwaway signing key and an RPM database (under `home`, through
/// `~/.rpmmacros`) that trusts it: `rpmsign --addsign` as an author would,
/// and rpmlint's signature check against that database.
fn sign(package: &Path, home: &Path) {
    let gnupg = home.join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    std::fs::create_dir_all(home.join("rpmdb")).unwrap();
    std::fs::write(
        home.join(".rpmmacros"),
        format!("%_dbpath {}\n", home.join("rpmdb").display()),
    )
    .unwrap();
    let run = |program: &str, args: &[&str]| {
        let output = Command::new(program)
            .args(args)
            .env("HOME", home)
            .env("GNUPGHOME", &gnupg)
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            stderr(&output)
        );
        output
    };
    run(
        "gpg",
        &[
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Millennium Test <test@example.com>",
            "rsa2048",
            "sign",
            "never",
        ],
    );
    let key = run("gpg", &["--armor", "--export", "Millennium Test"]).stdout;
    std::fs::write(home.join("key.asc"), key).unwrap();
    run("rpmdb", &["--initdb"]);
    run("rpm", &["--import", home.join("key.asc").to_str().unwrap()]);
    let before = std::fs::metadata(package).unwrap().len();
    run(
        "rpmsign",
        &[
            "--addsign",
            "--define",
            "_gpg_name Millennium Test",
            "--define",
            "__gpg /usr/bin/gpg",
            package.to_str().unwrap(),
        ],
    );
    // Signed in place: the package keeps room for the signature.
    assert_eq!(std::fs::metadata(package).unwrap().len(), before);
    let checked = run("rpm", &["-K", package.to_str().unwrap()]);
    assert!(
        stdout(&checked).contains("digests signatures OK"),
        "{}",
        stdout(&checked)
    );
}

/// The paths a `.deb` installs (`dpkg-deb -c`), files only.
fn deb_files(deb: &Path) -> Vec<String> {
    let output = Command::new("dpkg-deb")
        .arg("-c")
        .arg(deb)
        .output()
        .expect("dpkg-deb runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let mut files: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches('.').to_owned())
        .collect();
    files.sort();
    files
}

fn only_file(dir: &Path, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(found.len(), 1, "one {suffix} expected in {}", dir.display());
    found[0].clone()
}

#[test]
fn rpm_of_the_tray_sample_installs_what_the_deb_does_and_rpmlint_finds_no_errors() {
    if !have_rpm() {
        return;
    }
    let temp = TempDir::new("rpm-tray");
    let app = packageable_sample(&temp, "tray-timer", "");
    let out = temp.0.join("out");
    let built = build(&app, &out, &["--deb", "--rpm"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let name = format!("tray-timer-1.0.0-1.{}.rpm", rpm_arch());
    let package = out.join(&name);
    assert!(package.is_file(), "{}", stderr(&built));
    assert!(stderr(&built).contains(&format!("built {}", package.display())));

    let info = rpm_query(&["-qip"], &package);
    for line in [
        "Name        : tray-timer\n",
        "Version     : 1.0.0\n",
        "Release     : 1\n",
        &format!("Architecture: {}\n", rpm_arch()),
        "Group       : Applications/Productivity\n",
        "License     : MIT OR Apache-2.0\n",
        "Packager    : Millennium Samples <samples@example.com>\n",
        "Summary     : A Pomodoro timer that lives in the tray\n",
    ] {
        assert!(info.contains(line), "no {line:?} in\n{info}");
    }
    assert_eq!(
        rpm_query(&["-qp", "--queryformat", "%{BUILDTIME}"], &package),
        EPOCH
    );

    // The same files as the .deb, apart from Debian's own docs.
    let mut listed: Vec<String> = rpm_query(&["-qlp"], &package)
        .lines()
        .map(str::to_owned)
        .collect();
    listed.sort();
    if on_path("dpkg-deb") {
        let deb = only_file(&out, ".deb");
        let from_deb: Vec<String> = deb_files(&deb)
            .into_iter()
            .filter(|p| !p.starts_with("/usr/share/doc/"))
            .collect();
        assert_eq!(listed, from_deb);
    }
    assert!(listed.contains(&"/usr/bin/tray-timer".to_owned()));
    assert!(
        listed.contains(&"/usr/share/applications/dev.millennium.tray-timer.desktop".to_owned())
    );

    // The executable inside is the one built, with its mode and the
    // epoch as its time: path size mtime digest mode ...
    let dump = rpm_query(&["-qp", "--dump"], &package);
    let exe_line = dump
        .lines()
        .find(|l| l.starts_with("/usr/bin/tray-timer "))
        .unwrap_or_else(|| panic!("no executable in\n{dump}"));
    let fields: Vec<&str> = exe_line.split_whitespace().collect();
    let exe = std::fs::read(out.join("tray-timer")).unwrap();
    let digest: String = Sha256::digest(&exe)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(fields[1], exe.len().to_string(), "{exe_line}");
    assert_eq!(fields[2], EPOCH, "{exe_line}");
    assert_eq!(fields[3], digest, "{exe_line}");
    assert_eq!(fields[4], "0100755", "{exe_line}");

    let requires = rpm_query(&["-qp", "--requires"], &package);
    for needed in [
        "webkit2gtk4.1",
        "gtk3",
        "glibc",
        "libayatana-appindicator3.so.1()(64bit)",
    ] {
        assert!(
            requires.lines().any(|l| l == needed),
            "no {needed} in\n{requires}"
        );
    }
    let changelog = rpm_query(&["-qp", "--changelog"], &package);
    assert!(
        changelog.starts_with(
            "* Tue Nov 14 2023 Millennium Samples <samples@example.com> - 1.0.0-1\n- Tray Timer 1.0.0"
        ),
        "{changelog}"
    );
    assert!(rpm_query(&["-K", "--nosignature"], &package).contains("digests OK"));

    // Reproducible: a second build is the same bytes.
    let again = temp.0.join("again");
    let rebuilt = build(&app, &again, &["--rpm"]);
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert!(
        std::fs::read(again.join(&name)).unwrap() == std::fs::read(&package).unwrap(),
        "two builds of the same inputs differ"
    );

    if !(on_path("rpmlint") && on_path("gpg") && on_path("rpmsign")) {
        eprintln!(
            "\n\n!!!! rpmlint, gpg or rpmsign is not installed (Debian: rpmlint, gpg, rpm): the .rpm was not linted !!!!\n\n"
        );
        return;
    }
    let home = TempDir::new("rpm-home");
    let unsigned = rpmlint_errors(&package, &home.0);
    assert!(
        unsigned.iter().all(|e| e.ends_with(": E: no-signature")),
        "rpmlint errors besides the signature:\n{}",
        unsigned.join("\n")
    );
    sign(&package, &home.0);
    let errors = rpmlint_errors(&package, &home.0);
    assert!(errors.is_empty(), "rpmlint errors:\n{}", errors.join("\n"));
}

/// The flagship's package requires the Python its search sidecar runs on.
#[test]
fn rpm_of_the_notes_sample_requires_python_and_declares_its_file_types() {
    if !have_rpm() {
        return;
    }
    let temp = TempDir::new("rpm-notes");
    let app = packageable_sample(&temp, "notes", "");
    let out = temp.0.join("out");
    let built = build(&app, &out, &["--rpm"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let package = out.join(format!("notes-1.0.0-1.{}.rpm", rpm_arch()));
    let requires = rpm_query(&["-qp", "--requires"], &package);
    assert!(requires.lines().any(|l| l == "python3"), "{requires}");
    assert!(
        !requires.contains("appindicator"),
        "no tray, no tray library: {requires}"
    );
    let info = rpm_query(&["-qip"], &package);
    assert!(
        info.contains("Notes keeps Markdown notes as plain files"),
        "{info}"
    );
    if on_path("rpmlint") {
        let home = TempDir::new("rpm-notes-home");
        let errors = rpmlint_errors(&package, &home.0);
        assert!(
            errors.iter().all(|e| e.ends_with(": E: no-signature")),
            "rpmlint errors besides the signature:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn rpm_of_a_prerelease_with_its_own_release_and_depends() {
    if !have_rpm() {
        return;
    }
    let temp = TempDir::new("rpm-pre");
    let app = packageable_sample(
        &temp,
        "hello",
        "\n[bundle.rpm]\nrelease = \"3\"\ndepends = [\"libnotify\", \"python3 >= 3.9\"]\n",
    );
    let toml = std::fs::read_to_string(app.join("millennium.toml")).unwrap();
    std::fs::write(
        app.join("millennium.toml"),
        toml.replacen("version = \"1.0.0\"", "version = \"1.1.0-rc.1\"", 1),
    )
    .unwrap();
    let out = temp.0.join("out");
    let built = build(&app, &out, &["--rpm"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let package = only_file(&out, ".rpm");
    assert_eq!(
        package.file_name().unwrap().to_string_lossy(),
        format!("hello-1.1.0~rc.1-3.{}.rpm", rpm_arch())
    );
    let requires = rpm_query(&["-qp", "--requires"], &package);
    for needed in ["libnotify", "python3 >= 3.9"] {
        assert!(
            requires.lines().any(|l| l == needed),
            "no {needed} in\n{requires}"
        );
    }
}

#[test]
fn rpm_bad_input_stops_the_build_and_writes_nothing() {
    let temp = TempDir::new("rpm-bad");
    let app = packageable_sample(
        &temp,
        "hello",
        "\n[bundle.rpm]\ndepends = [\"libnotify; rm -rf /\"]\n",
    );
    let out = temp.0.join("out");
    let refused = build(&app, &out, &["--rpm"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("bundle.rpm.depends"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());

    let other = TempDir::new("rpm-bad-epoch");
    let app = packageable_sample(&other, "hello", "");
    let output = Command::new(bin("millennium"))
        .arg("build")
        .arg(&app)
        .args(["--rpm", "-o"])
        .arg(&out)
        .arg("--host")
        .arg(small_host())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .expect("millennium runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("SOURCE_DATE_EPOCH must be a whole number of seconds"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists(), "nothing is written");
}
