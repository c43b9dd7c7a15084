//! `millennium new` then `millennium build --deb`, end to end: the scaffold
//! passes `check`, builds, packages into a `.deb` that dpkg-deb reads (and
//! lintian, when installed, accepts), twice byte for byte, and runs. Bad
//! names and taken directories are refused with nothing left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Driven, TempDir, gui_lock};
use millennium_e2e::{bin, millennium, stderr, stdout};
use serde_json::json;

/// Debian's name for the architecture these tests were built for.
fn deb_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => panic!("no Debian architecture for {other}"),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn new_app(parent: &Path, name: &str) -> PathBuf {
    let created = millennium(parent, &["new", name]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    parent.join(name)
}

fn build_deb(app: &Path, out: &Path, epoch: &str) -> Output {
    Command::new(bin("millennium"))
        .arg("build")
        .arg(app)
        .arg("--deb")
        .arg("-o")
        .arg(out)
        .arg("--host")
        .arg(bin("millennium-host"))
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("millennium runs")
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let output = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .expect("dpkg-deb runs");
    assert!(
        output.status.success(),
        "dpkg-deb {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Builds the `.deb` of a copy of `sample-apps/<name>` with a maintainer
/// and `extra` toml appended; its path, or `None` (said loudly) when
/// dpkg-deb, which the checks need, is not installed.
fn sample_deb(temp: &TempDir, name: &str, extra: &str) -> Option<PathBuf> {
    let app = crate::support::packageable_sample(temp, name, extra);
    let out = temp.0.join("out");
    let built = build_deb(&app, &out, "1700000000");
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    if !on_path("dpkg-deb") {
        eprintln!("\n\n!!!! SKIPPED: dpkg-deb is not installed (Debian: dpkg) !!!!\n\n");
        return None;
    }
    Some(out.join(format!("{name}_1.0.0_{}.deb", deb_arch())))
}

/// Unpacks the files of `deb` into `into` (`dpkg-deb -x`); `into`.
fn extract(deb: &Path, into: &Path) -> PathBuf {
    let extracted = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(into)
        .output()
        .expect("dpkg-deb runs");
    assert!(extracted.status.success(), "{}", stderr(&extracted));
    into.to_owned()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn new_app_checks_builds_a_deb_and_runs() {
    let temp = TempDir::new("new-deb");
    let app = new_app(&temp.0, "demo");

    let toml = std::fs::read_to_string(app.join("millennium.toml")).unwrap();
    assert_eq!(
        toml.lines().next(),
        Some("#:schema .millennium/millennium.schema.json")
    );
    let schema = std::fs::read_to_string(app.join(".millennium/millennium.schema.json")).unwrap();
    let served = millennium(&temp.0, &["schema"]);
    assert_eq!(schema, stdout(&served), "the schema copy is not this CLI's");
    let main_js = std::fs::read_to_string(app.join("dist/main.js")).unwrap();
    assert!(main_js.starts_with("/// <reference path=\"../millennium.d.ts\" />"));
    assert!(app.join("millennium.d.ts").is_file());
    assert!(app.join("README.md").is_file());

    let checked = millennium(&temp.0, &["check", "demo"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));

    let out = temp.0.join("out");
    let built = build_deb(&app, &out, "1700000000");
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let deb_name = format!("demo_0.1.0_{}.deb", deb_arch());
    let deb = out.join(&deb_name);
    assert!(
        deb.is_file(),
        "{} missing; out has {:?}",
        deb_name,
        names_in(&out)
    );
    assert_eq!(names_in(&out), ["demo".to_owned(), deb_name.clone()]);

    // Deterministic: another build of the same app gives the same bytes.
    let again = temp.0.join("again");
    let rebuilt = build_deb(&app, &again, "1700000000");
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert!(
        std::fs::read(&deb).unwrap() == std::fs::read(again.join(&deb_name)).unwrap(),
        "two --deb builds differ"
    );

    if on_path("dpkg-deb") {
        let info = dpkg_deb(&["--info"], &deb);
        for field in [
            "Package: demo\n".to_owned(),
            "Version: 0.1.0\n".to_owned(),
            format!("Architecture: {}\n", deb_arch()),
            "Maintainer: Example Author <author@example.com>\n".to_owned(),
            "Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libc6\n".to_owned(),
            "Section: utils\n".to_owned(),
            "Priority: optional\n".to_owned(),
            "Description: Desktop app made with Millennium\n".to_owned(),
            "  demo shows its name, version and platform in a window.\n".to_owned(),
        ] {
            assert!(info.contains(&field), "no {field:?} in\n{info}");
        }
        let contents = dpkg_deb(&["--contents"], &deb);
        for (mode, path) in [
            ("-rwxr-xr-x root/root", "./usr/bin/demo"),
            (
                "-rw-r--r-- root/root",
                "./usr/share/applications/com.example.demo.desktop",
            ),
            (
                "-rw-r--r-- root/root",
                "./usr/share/icons/hicolor/256x256/apps/com.example.demo.png",
            ),
            ("-rw-r--r-- root/root", "./usr/share/doc/demo/copyright"),
            ("-rw-r--r-- root/root", "./usr/share/doc/demo/changelog.gz"),
        ] {
            assert!(
                contents
                    .lines()
                    .any(|l| l.starts_with(mode) && l.ends_with(path)),
                "no {mode} {path} in\n{contents}"
            );
        }
        assert!(
            contents.contains("2023-11-14"),
            "SOURCE_DATE_EPOCH not used:\n{contents}"
        );
        let unpacked = extract(&deb, &temp.0.join("unpacked"));
        let desktop = std::fs::read_to_string(
            unpacked.join("usr/share/applications/com.example.demo.desktop"),
        )
        .unwrap();
        assert_eq!(
            desktop,
            "[Desktop Entry]\nType=Application\nName=demo\n\
             Comment=Desktop app made with Millennium\nExec=demo\n\
             Icon=com.example.demo\nTerminal=false\nCategories=Utility;\n"
        );
        assert!(
            std::fs::read(unpacked.join("usr/bin/demo")).unwrap()
                == std::fs::read(out.join("demo")).unwrap(),
            "the packaged /usr/bin/demo is not the built executable"
        );
        if on_path("desktop-file-validate") {
            let validated = Command::new("desktop-file-validate")
                .arg(unpacked.join("usr/share/applications/com.example.demo.desktop"))
                .output()
                .expect("desktop-file-validate runs");
            assert!(
                validated.status.success(),
                "{}{}",
                stdout(&validated),
                stderr(&validated)
            );
        }
        lint(&deb);
    } else {
        eprintln!(
            "\n\n!!!! SKIPPED the dpkg-deb checks: dpkg-deb is not installed (Debian: dpkg) !!!!\n\n"
        );
    }

    run_packaged(&out.join("demo"));
}

/// Runs lintian when installed and prints its report. Errors fail the test,
/// except those that come from packaging a debug build (unstripped, huge).
fn lint(deb: &Path) {
    if !on_path("lintian") {
        eprintln!("\n\n!!!! lintian is not installed: the .deb was not linted !!!!\n\n");
        return;
    }
    let output = Command::new("lintian")
        .args(["--tag-display-limit", "0", "--display-info"])
        .arg(deb)
        .output()
        .expect("lintian runs");
    let report = stdout(&output);
    eprintln!("lintian report:\n{report}{}", stderr(&output));
    let tolerated = [
        "unstripped-binary-or-object",
        "no-changelog",
        "debian-changelog-file-missing",
    ];
    let errors: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("E: "))
        .filter(|l| !tolerated.iter().any(|t| l.contains(t)))
        .collect();
    assert!(errors.is_empty(), "lintian errors:\n{}", errors.join("\n"));
}

/// The packaged executable shows the scaffold's page, and the page reached
/// `window.Millennium` (name, version, and `os.platform`, allowlisted).
fn run_packaged(executable: &Path) {
    if let Err(missing) = crate::support::gui_prerequisites() {
        eprintln!(
            "\n\n!!!! SKIPPED running the scaffolded app: needs {missing} \
             (Debian: xvfb dbus webkit2gtk-driver imagemagick) !!!!\n\n"
        );
        return;
    }
    let _gui = gui_lock();
    let driven = Driven::launch_packaged(executable);
    let about = driven.run(
        "for (let i = 0; i < 100; i++) {
           const t = document.getElementById('about').textContent;
           if (!t.startsWith('Loading')) return t;
           await new Promise(r => setTimeout(r, 50));
         }
         return document.getElementById('about').textContent;",
    );
    assert_eq!(about, Ok(json!("demo 0.1.0 is running on linux.")));
    assert_eq!(driven.title(), "demo");
}

#[test]
fn new_refuses_a_taken_directory_and_bad_names_leaving_nothing() {
    let temp = TempDir::new("new-refuse");
    temp.write("taken/notes.txt", "mine");
    let refused = millennium(&temp.0, &["new", "taken"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("already exists and is not empty"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(names_in(&temp.0.join("taken")), ["notes.txt"]);

    for (name, message) in [
        ("a/b", "path separator"),
        ("", "it is empty"),
        ("..", "invalid app name"),
    ] {
        let refused = millennium(&temp.0, &["new", name]);
        assert_eq!(
            refused.status.code(),
            Some(1),
            "{name:?}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains(message),
            "{name:?}: {}",
            stderr(&refused)
        );
    }
    let missing = millennium(&temp.0, &["new", "demo", "--dir", "nowhere"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("does not exist"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(names_in(&temp.0), ["taken"], "something was left behind");

    // An empty directory is fine to scaffold into.
    std::fs::create_dir(temp.0.join("empty")).unwrap();
    new_app(&temp.0, "empty");
    assert!(temp.0.join("empty/millennium.toml").is_file());
}

#[test]
fn deb_without_a_maintainer_is_a_clear_error_before_anything_is_built() {
    let temp = TempDir::new("deb-maintainer");
    let app = new_app(&temp.0, "demo");
    let toml = std::fs::read_to_string(app.join("millennium.toml")).unwrap();
    let toml: String = toml
        .lines()
        .filter(|l| !l.starts_with("maintainer") && !l.starts_with("publisher"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(app.join("millennium.toml"), toml).unwrap();
    let out = temp.0.join("out");
    let built = build_deb(&app, &out, "0");
    assert_eq!(built.status.code(), Some(1), "{}", stderr(&built));
    assert!(
        stderr(&built).contains("[bundle.deb] maintainer"),
        "{}",
        stderr(&built)
    );
    assert!(
        !out.exists() || names_in(&out).is_empty(),
        "left behind: {:?}",
        names_in(&out)
    );
}

/// The flagship's `.deb` declares what Notes opens: `Exec=notes %U`, its
/// `x-scheme-handler/notes` and Markdown in `MimeType=`, and a
/// shared-mime-info file for a type given a `description` (added here to a
/// copy of it); `desktop-file-validate` and lintian accept it.
#[test]
fn notes_deb_declares_its_url_scheme_and_file_types() {
    let temp = TempDir::new("notes-deb");
    let Some(deb) = sample_deb(
        &temp,
        "notes",
        "\n[[bundle.file-associations]]\nextensions = [\"notesbundle\"]\n\
         mime-type = \"application/x-notes-bundle\"\ndescription = \"Notes bundle & more\"\n",
    ) else {
        return;
    };
    let unpacked = extract(&deb, &temp.0.join("unpacked"));
    let entry = unpacked.join("usr/share/applications/dev.millennium.notes.desktop");
    let desktop = std::fs::read_to_string(&entry).unwrap();
    for line in [
        "Exec=notes %U\n",
        "MimeType=x-scheme-handler/notes;text/markdown;application/x-notes-bundle;\n",
    ] {
        assert!(desktop.contains(line), "no {line:?} in\n{desktop}");
    }
    let mime =
        std::fs::read_to_string(unpacked.join("usr/share/mime/packages/dev.millennium.notes.xml"))
            .unwrap();
    assert_eq!(
        mime,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n  \
         <mime-type type=\"application/x-notes-bundle\">\n    \
         <comment>Notes bundle &amp; more</comment>\n    \
         <glob pattern=\"*.notesbundle\"/>\n  \
         </mime-type>\n</mime-info>\n"
    );
    if on_path("desktop-file-validate") {
        let validated = Command::new("desktop-file-validate")
            .arg(&entry)
            .output()
            .unwrap();
        assert!(
            validated.status.success(),
            "{}{}",
            stdout(&validated),
            stderr(&validated)
        );
    }
    if on_path("xmllint") {
        let checked = Command::new("xmllint")
            .args(["--noout"])
            .arg(unpacked.join("usr/share/mime/packages/dev.millennium.notes.xml"))
            .output()
            .unwrap();
        assert!(checked.status.success(), "{}", stderr(&checked));
    }
    lint(&deb);
}

#[test]
fn tray_timer_deb_depends_on_the_tray_library_it_opens_at_run_time() {
    let temp = TempDir::new("tray-timer-deb");
    let Some(deb) = sample_deb(&temp, "tray-timer", "") else {
        return;
    };
    let depends = dpkg_deb(&["-f"], &deb)
        .lines()
        .find(|l| l.starts_with("Depends:"))
        .map(str::to_owned);
    assert_eq!(
        depends.as_deref(),
        Some(
            "Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libc6, libayatana-appindicator3-1 | libappindicator3-1"
        )
    );
}
