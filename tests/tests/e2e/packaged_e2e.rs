//! Packaged apps in a real WebKitGTK: every sample app is built, its sources
//! are deleted, and the executable alone must show the app with a working
//! bridge. The author's inline scripts run, packaged (hashes baked at build
//! time) and from a directory (hashes added per page), and injected ones do
//! not.

use std::process::Command;

use crate::support::{Driven, TempDir, build_packaged, gui_lock, gui_prerequisites};
use serde_json::json;

macro_rules! require_gui {
    () => {
        if let Err(missing) = gui_prerequisites() {
            eprintln!("SKIPPED: {missing}");
            return;
        }
    };
}

/// Builds the app at `app` into `out` and returns the executable's path.
#[test]
fn every_sample_app_runs_packaged_with_its_sources_deleted() {
    require_gui!();
    let _gui = gui_lock();
    let samples = millennium_e2e::repo_root().join("sample-apps");
    let mut count = 0;
    for entry in std::fs::read_dir(&samples).unwrap() {
        let source = entry.unwrap().path();
        if !source.join("millennium.toml").is_file() {
            continue;
        }
        count += 1;
        let scratch = TempDir::new("packaged");
        let app = scratch.0.join("app");
        millennium_e2e::copy_dir(&source, &app);
        let exe = build_packaged(&app, &scratch.0.join("out"));
        std::fs::remove_dir_all(&app).unwrap();
        let version = Command::new(&exe).arg("--version").output().unwrap();
        let name_version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        let driven = Driven::launch_packaged(&exe);
        let facts = driven.run(
            "const name = await Millennium.app.getName();
             const version = await Millennium.app.getVersion();
             const index = await fetch('index.html').then(r => r.status);
             return { nameVersion: name + ' ' + version, index, origin: location.origin };",
        );
        assert_eq!(
            facts,
            Ok(
                json!({"nameVersion": name_version, "index": 200, "origin": "millennium://localhost"})
            ),
            "{}",
            source.display()
        );
    }
    assert!(count >= 1);
}

#[test]
fn inline_scripts_run_packaged_and_from_a_directory_injected_ones_do_not() {
    require_gui!();
    let _gui = gui_lock();
    let scratch = TempDir::new("inline");
    scratch.write(
        "app/millennium.toml",
        "[app]\nname = \"Inline\"\nidentifier = \"com.example.inline\"\n",
    );
    // The author's inline script runs (its hash is in the CSP) and tries to
    // inject another one, as an XSS would: that one has no hash.
    scratch.write(
        "app/dist/index.html",
        "<!doctype html><html><head><title>inline</title><script>window.inlineRan = true; \
         const s = document.createElement('script'); s.textContent = 'window.injectedRan = true;'; \
         document.head.appendChild(s);</script></head><body>inline</body></html>",
    );
    let app = scratch.0.join("app");
    let exe = build_packaged(&app, &scratch.0.join("out"));
    let probe = "return [window.inlineRan === true, window.injectedRan === true];";

    let packaged = Driven::launch_packaged(&exe);
    assert_eq!(packaged.execute(probe), json!([true, false]), "packaged");
    drop(packaged);

    // The same files from the directory (generic host, as `millennium dev`
    // serves them): the page's own hashes go into its header.
    let from_dir = Driven::launch(&app);
    assert_eq!(
        from_dir.execute(probe),
        json!([true, false]),
        "from a directory"
    );
}

/// Issue 12: the runtime packaged apps ship on links no config validation
/// (TOML parser, JSON schema, diagnostics), is what `millennium build`
/// packs into by default, says how much of the executable the app added,
/// and runs nothing but its own payload.
#[test]
fn the_runtime_links_no_config_validation_and_is_the_default_host() {
    let runtime = millennium_e2e::bin("millennium-runtime");
    let host = millennium_e2e::bin("millennium-host");
    let symbols = |binary: &std::path::Path| -> String {
        let output = crate::support::run_ok(
            Command::new("nm").arg("--demangle").arg(binary),
            "nm (binutils)",
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let validation = [
        "jsonschema::",
        "toml::",
        "codespan_reporting::",
        "schemars::",
    ];
    let in_host = symbols(&host);
    for crate_name in validation {
        assert!(
            in_host.contains(crate_name),
            "the generic host validates: {crate_name}"
        );
    }
    let in_runtime = symbols(&runtime);
    for crate_name in validation {
        assert!(
            !in_runtime.contains(crate_name),
            "the runtime links {crate_name}"
        );
    }

    // Alone, it refuses to do anything else.
    let alone = Command::new(&runtime).output().expect("run the runtime");
    assert_eq!(alone.status.code(), Some(2));
    let said = String::from_utf8_lossy(&alone.stderr);
    assert!(said.contains("none is packed into this file"), "{said}");

    // The default host of `millennium build`, and the size line.
    let scratch = TempDir::new("runtime-default");
    scratch.write(
        "app/millennium.toml",
        "[app]\nname = \"Runtime\"\nidentifier = \"com.example.runtime\"\n",
    );
    scratch.write(
        "app/dist/index.html",
        "<!doctype html><title>Runtime</title>",
    );
    let built = crate::support::run_ok(
        Command::new(millennium_e2e::bin("millennium"))
            .arg("build")
            .arg(scratch.0.join("app"))
            .arg("-o")
            .arg(scratch.0.join("out")),
        "millennium build",
    );
    let said = String::from_utf8_lossy(&built.stderr);
    assert!(
        said.contains(": runtime ") && said.contains(" + app "),
        "{said}"
    );
    let exe = scratch.0.join("out/runtime");
    let packed = std::fs::read(&exe).unwrap();
    let plain = std::fs::read(&runtime).unwrap();
    assert!(packed.starts_with(&plain), "packed into millennium-runtime");
    let version = Command::new(&exe).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "Runtime 0.1.0\n");
}
