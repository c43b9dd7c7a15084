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
