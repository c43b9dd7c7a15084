//! `millennium new --template vite`, end to end. Fast and without a display:
//! the scaffold's files, a `src/millennium.js` that evaluates in Node and
//! exports every namespace of the declarations, `check` passing before the
//! first build, and an unknown template refused with the choices. With a
//! display and npm: `npm ci` on the scaffold's lockfile, `millennium dev`
//! starting Vite through `before-dev-command`, a CSS edit applied by HMR
//! without reloading the page, then `millennium build` running `vite build`
//! and the packaged app showing the built page and answering the bridge
//! through the imported module.
//!
//! Only 127.0.0.1 is used (npm reaches its registry as configured); every
//! wait is bounded.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::dev_e2e::DevSession;
use crate::support::{
    Driven, TempDir, free_port, gui_lock, kill_process, live_processes_where, run_within,
};
use millennium_e2e::{bin, millennium, stderr};
use serde_json::{Value, json};

/// The namespaces of `window.Millennium`, from the host's registry.
fn namespaces() -> Vec<&'static str> {
    millennium_host::ipc::router::NAMESPACES.to_vec()
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn new_vite_app(parent: &Path, name: &str) -> PathBuf {
    let created = millennium(parent, &["new", name, "--template", "vite"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert!(
        stderr(&created).contains("npm install && millennium dev"),
        "{}",
        stderr(&created)
    );
    parent.join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn vite_new_writes_a_vite_project_and_refuses_unknown_templates() {
    let temp = TempDir::new("vite-new");
    let app = new_vite_app(&temp.0, "x");
    for file in [
        ".gitignore",
        ".millennium/millennium.schema.json",
        "icon.png",
        "index.html",
        "millennium.d.ts",
        "millennium.toml",
        "package-lock.json",
        "package.json",
        "src/main.js",
        "src/millennium.js",
        "src/style.css",
        "vite.config.js",
    ] {
        assert!(app.join(file).is_file(), "{file} was not written");
    }
    assert!(!app.join("dist").exists() && !app.join("node_modules").exists());
    let package: Value = serde_json::from_str(&read(&app.join("package.json"))).unwrap();
    assert_eq!(
        package["scripts"],
        json!({"dev": "vite", "build": "vite build"})
    );
    let vite = package["devDependencies"]["vite"].as_str().unwrap();
    assert!(
        vite.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "vite {vite} is not pinned"
    );
    let toml = read(&app.join("millennium.toml"));
    for line in [
        "frontend = \"dist\"",
        "dev-url = \"http://127.0.0.1:5173\"",
        "before-dev-command = \"npm run dev\"",
        "before-build-command = \"npm run build\"",
    ] {
        assert!(toml.lines().any(|l| l == line), "no `{line}` in:\n{toml}");
    }
    let ignored = read(&app.join(".gitignore"));
    assert!(ignored.contains("node_modules/") && ignored.contains("dist/"));
    assert_eq!(
        read(&app.join("millennium.d.ts")),
        millennium_host::bridge::DECLARATIONS
    );

    // The module exports every namespace the declarations give `Api`...
    let dts = read(&app.join("millennium.d.ts"));
    let module = read(&app.join("src/millennium.js"));
    for namespace in namespaces() {
        assert!(
            dts.contains(&format!("readonly {namespace}:")),
            "{namespace}"
        );
        assert!(
            module.contains(&format!("export const {namespace} = api.{namespace};")),
            "src/millennium.js does not export {namespace}"
        );
    }
    assert_eq!(module.matches("export const ").count(), namespaces().len());
    assert!(read(&app.join("src/main.js")).contains("} from \"./millennium.js\";"));

    // ...and is a module a JS engine accepts, whose exports are the API's.
    if on_path("node") {
        let script = r#"
            const url = require("node:url").pathToFileURL(process.argv[1]).href;
            (async () => {
              let missing;
              await import(url + "?bare").catch((e) => { missing = e.message; });
              globalThis.Millennium = new Proxy({}, { get: (_, key) => "ns:" + String(key) });
              const m = await import(url);
              const named = Object.keys(m).filter((k) => k !== "default");
              const wrong = named.filter((k) => m[k] !== "ns:" + k);
              console.log(JSON.stringify({ named, wrong, whole: m.default === globalThis.Millennium, missing }));
            })();
        "#;
        let out = run_within(
            Command::new("node")
                .arg("-e")
                .arg(script)
                .arg(app.join("src/millennium.js")),
            Duration::from_secs(30),
        );
        assert!(out.status.success(), "node: {}", stderr(&out));
        let got: Value = serde_json::from_slice(&out.stdout).expect("node printed JSON");
        let mut named: Vec<String> = serde_json::from_value(got["named"].clone()).unwrap();
        named.sort();
        let mut expected: Vec<String> = namespaces().iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(named, expected);
        assert_eq!(got["wrong"], json!([]));
        assert_eq!(got["whole"], json!(true));
        assert!(
            got["missing"]
                .as_str()
                .is_some_and(|m| m.contains("window.Millennium is missing")),
            "{got}"
        );
    } else {
        eprintln!("\n\n!!!! SKIPPED evaluating src/millennium.js: node is not installed !!!!\n\n");
    }

    // `check` passes before the first `npm run build` (it makes dist/).
    let checked = millennium(&app, &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(
        stderr(&checked)
            .contains("`dist` does not exist yet: before-build-command `npm run build` makes it"),
        "{}",
        stderr(&checked)
    );

    // The default template is still the plain one: no npm anywhere.
    let plain = millennium(&temp.0, &["new", "plain"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(temp.0.join("plain/dist/index.html").is_file());
    assert!(!temp.0.join("plain/package.json").exists());
    assert!(!read(&temp.0.join("plain/millennium.toml")).contains("npm"));

    // An unknown template is a usage error naming the choices, and writes nothing.
    let refused = millennium(&temp.0, &["new", "y", "--template", "nope"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let text = stderr(&refused);
    assert!(
        text.contains("invalid value 'nope' for '--template <TEMPLATE>'"),
        "{text}"
    );
    assert!(text.contains("[possible values: vanilla, vite]"), "{text}");
    assert!(!temp.0.join("y").exists());
}

/// Processes whose working directory is `dir` or inside it: what the
/// test's `npm run dev` started, however far down.
fn processes_in(dir: &Path) -> Vec<u32> {
    live_processes_where(|proc_dir| {
        std::fs::read_link(proc_dir.join("cwd")).is_ok_and(|cwd| cwd.starts_with(dir))
    })
}

/// Kills, on drop, whatever still runs in the app's directory (a failed
/// test's Vite, say), by pid.
struct ReapIn(PathBuf);

impl Drop for ReapIn {
    fn drop(&mut self) {
        for pid in processes_in(&self.0) {
            kill_process(pid);
        }
    }
}

const ABOUT: &str = "return document.getElementById('about').textContent";
const TITLE_COLOUR: &str = "return getComputedStyle(document.getElementById('title')).color";

#[test]
fn vite_e2e_dev_with_hmr_then_build_and_run_packaged() {
    require_gui!();
    if !on_path("npm") {
        eprintln!(
            "\n\n!!!! SKIPPED: {} needs npm (Debian: nodejs npm) !!!!\n\n",
            module_path!()
        );
        return;
    }
    let _gui = gui_lock();
    let temp = TempDir::new("vite-e2e");
    let app = new_vite_app(&temp.0, "vite-hmr");
    let _reap = ReapIn(app.clone());

    // A free port instead of 5173, changed in both places that name it.
    let port = free_port().to_string();
    for file in ["vite.config.js", "millennium.toml"] {
        let path = app.join(file);
        let text = read(&path);
        assert!(text.contains("5173"), "{file} does not name the port");
        std::fs::write(&path, text.replace("5173", &port)).expect("set the port");
    }

    let installed = run_within(
        Command::new("npm")
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--loglevel=error",
            ])
            .current_dir(&app)
            .env("npm_config_update_notifier", "false"),
        Duration::from_secs(300),
    );
    assert!(
        installed.status.success(),
        "npm ci: {}{}",
        String::from_utf8_lossy(&installed.stdout),
        stderr(&installed)
    );

    // `millennium dev` starts Vite itself and opens the page it serves.
    let dev = DevSession::start(&app, Duration::from_secs(90));
    dev.wait_for(
        "the page from Vite with the bridge, filled in through ./millennium.js",
        Duration::from_secs(60),
        ABOUT,
        &json!("vite-hmr 0.1.0 is running on linux."),
    );
    assert_eq!(
        dev.execute(
            "return [location.origin, !!document.querySelector('script[src=\"/@vite/client\"]')]"
        ),
        Ok(json!(["millennium://localhost", true]))
    );
    let log = dev.stderr();
    assert!(
        log.lines()
            .any(|l| l.starts_with("[dev] ") && l.contains(&format!("http://127.0.0.1:{port}/"))),
        "Vite's output, prefixed, is not in:\n{log}"
    );
    assert_eq!(dev.execute(TITLE_COLOUR), Ok(json!("rgb(59, 130, 246)")));
    // Vite's client ran (it injected the stylesheet) and opens its socket.
    dev.wait_for(
        "Vite's style element",
        Duration::from_secs(20),
        "return document.querySelectorAll('style[data-vite-dev-id]').length > 0",
        &json!(true),
    );
    std::thread::sleep(Duration::from_secs(1));

    // A CSS edit reaches the page through HMR: the style changes, the page
    // (and what scripts put in it) stays.
    dev.execute("window.__marker = 'kept'; return null;")
        .expect("set the marker");
    let css = app.join("src/style.css");
    let text = read(&css);
    assert!(text.contains("color: #3b82f6;"));
    std::fs::write(
        &css,
        text.replace("color: #3b82f6;", "color: rgb(200, 30, 60);"),
    )
    .expect("edit style.css");
    dev.wait_for(
        "the edited colour",
        Duration::from_secs(20),
        TITLE_COLOUR,
        &json!("rgb(200, 30, 60)"),
    );
    assert_eq!(
        dev.execute("return window.__marker || 'reloaded'"),
        Ok(json!("kept")),
        "the page was reloaded instead of updated in place"
    );
    crate::support::wait_for(Duration::from_secs(5), "Vite to log the update", || {
        dev.stderr().contains("hmr update /src/style.css")
    });
    assert!(!dev.stderr().contains("page reload"), "{}", dev.stderr());

    // Quit, as a user would (main.js calls the imported `process.exit`):
    // `millennium dev` ends with the app and stops Vite's process group.
    // (Ending the WebDriver session instead would SIGKILL `millennium dev`,
    // which no program can clean up after.)
    let _ =
        dev.execute("setTimeout(() => document.getElementById('quit').click(), 50); return null;");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !processes_in(&app).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let left = processes_in(&app);
    assert!(
        left.is_empty(),
        "still running in the app after quitting: {left:?}\n{}",
        dev.stderr()
    );
    let log = dev.stderr();
    assert!(!log.contains("panicked"), "{log}");
    drop(dev);

    // `millennium build` runs `npm run build` first, then packs dist/.
    let out = temp.0.join("out");
    let built = run_within(
        Command::new(bin("millennium"))
            .arg("build")
            .arg(&app)
            .arg("-o")
            .arg(&out)
            .arg("--host")
            .arg(bin("millennium-host")),
        Duration::from_secs(300),
    );
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&built.stdout),
        stderr(&built)
    );
    assert!(
        text.contains("running before-build-command `npm run build`"),
        "{text}"
    );
    assert!(
        text.contains("vite v") && text.contains("dist/index.html"),
        "{text}"
    );
    let html = read(&app.join("dist/index.html"));
    assert!(html.contains("src=\"./assets/"), "{html}");
    let checked = millennium(&app, &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(!stderr(&checked).contains("does not exist yet"));

    // The packaged app serves the built files and the bridge answers the
    // calls main.js makes through the imported module.
    let executable = out.join("vite-hmr");
    let driven = Driven::launch_packaged(&executable);
    driven.wait_until(
        "document.getElementById('about').textContent === 'vite-hmr 0.1.0 is running on linux.'",
        Duration::from_secs(20),
    );
    assert_eq!(
        driven.execute(
            "return [location.origin, document.title, \
             !!document.querySelector('script[src^=\"./assets/\"]'), \
             !!document.querySelector('script[src=\"/@vite/client\"]')]"
        ),
        json!(["millennium://localhost", "vite-hmr", true, false])
    );
    assert_eq!(driven.execute(TITLE_COLOUR), json!("rgb(200, 30, 60)"));
    let (_, colours) = crate::support::until_painted(10, &temp.0, || driven.screenshot());
    assert!(colours > 10, "the window looks blank ({colours} colours)");
}
