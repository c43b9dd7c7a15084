//! The fs attacks of the security review, made from a page in a real
//! WebKitGTK: a symlink swapped in while parallel requests read through the
//! name, trees holding denied files moved or removed, errors that told what
//! exists outside the scope, and scopes that reached the app's own
//! executable, toml, frontend and webview profile.

use std::path::PathBuf;

use crate::support::{Driven, TempDir, build_packaged, gui_lock};
use serde_json::json;

fn app(scope: &str) -> TempDir {
    let app = TempDir::new("host-fs-attacks");
    app.write(
        "millennium.toml",
        &format!(
            r#"
[app]
name = "FS attacks"
identifier = "dev.millennium.fsattacks"
version = "1.0.0"
frontend = "dist"

[[windows]]
label = "main"
title = "FS attacks"

[allowlist.path]
resolve = true

[allowlist.fs]
read-file = true
write-file = true
read-dir = true
copy-file = true
create-dir = true
remove-dir = true
remove-file = true
rename-file = true
exists = true
scope = {scope}
"#
        ),
    );
    app.write(
        "dist/index.html",
        r#"<!doctype html><html><head><meta charset="utf-8"><title>FS attacks</title></head><body>fs</body></html>"#,
    );
    app
}

/// The app's `$APPDATA`, as the page sees it.
fn app_data(driven: &Driven) -> PathBuf {
    let dir = driven
        .run("return await Millennium.path.appDataDir();")
        .expect("appDataDir");
    PathBuf::from(dir.as_str().expect("a string"))
}

const NOTES_SCOPE: &str =
    r#"{ allow = ["$APPDATA/notes", "$APPDATA/notes/**"], deny = ["$APPDATA/notes/**/*.key"] }"#;

/// Regression (security review): renaming a directory and a symlink back
/// and forth while six loops read through the name read files outside the
/// scope within a few thousand calls. Now no read, listing or write ever
/// reaches the symlink's target.
#[test]
fn host_fs_e2e_a_symlink_swapped_in_mid_request_never_leads_outside() {
    require_gui!();
    let _gui = gui_lock();
    let app = app(NOTES_SCOPE);
    let driven = Driven::launch(&app.0);
    let app_data = app_data(&driven);
    let notes = app_data.join("notes");
    let outside = app_data.join("outside");
    std::fs::create_dir_all(notes.join("box")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(notes.join("box/f"), "inside").unwrap();
    std::fs::write(outside.join("f"), "SECRET").unwrap();
    std::os::unix::fs::symlink(&outside, notes.join("evil")).unwrap();

    let result = driven.run(
        r#"const fs = Millennium.fs;
           const dir = fs.BaseDirectory.AppData;
           let stop = false, leaks = [], reads = 0, refused = 0, swaps = 0;
           const swap = async () => {
             while (!stop) {
               await fs.renameFile('notes/box', 'notes/tmp', { dir });
               await fs.renameFile('notes/evil', 'notes/box', { dir });
               await fs.renameFile('notes/box', 'notes/evil', { dir });
               await fs.renameFile('notes/tmp', 'notes/box', { dir });
               swaps++;
             }
           };
           const read = async (i) => {
             while (!stop) {
               try {
                 const text = await fs.readTextFile('notes/box/f', { dir });
                 reads++;
                 if (text !== 'inside') leaks.push(text);
               } catch (e) { refused++; }
               try {
                 const names = (await fs.readDir('notes/box', { dir })).map((e) => e.name);
                 // `f`, the `w<i>` files and their temporaries `.w<i>.millennium-*`.
                 const ours = (n) => n === 'f' || /^\.?w[0-5]/.test(n);
                 if (!names.every(ours)) leaks.push(names.join(','));
               } catch (e) { refused++; }
               try { await fs.writeTextFile('notes/box/w' + i, 'x', { dir }); } catch (e) { refused++; }
             }
           };
           const loops = [swap()];
           for (let i = 0; i < 6; i++) loops.push(read(i));
           await new Promise((r) => setTimeout(r, 4000));
           stop = true;
           await Promise.all(loops);
           return { leaks: leaks.slice(0, 3), reads: reads > 50, refused: refused > 0, swaps: swaps > 10 };"#,
    );
    assert_eq!(
        result,
        Ok(json!({ "leaks": [], "reads": true, "refused": true, "swaps": true }))
    );
    let names: Vec<String> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["f"], "nothing was written outside");
    assert_eq!(
        std::fs::read_to_string(outside.join("f")).unwrap(),
        "SECRET"
    );
}

/// Regression (security review): deny globs protected names, not files: a
/// rename moved a denied file to a readable name and a recursive removal
/// deleted it. And errors told the page what exists outside the scope.
#[test]
fn host_fs_e2e_denied_files_do_not_move_and_refusals_tell_nothing() {
    require_gui!();
    let _gui = gui_lock();
    let app = app(NOTES_SCOPE);
    let driven = Driven::launch(&app.0);
    let notes = app_data(&driven).join("notes");
    std::fs::create_dir_all(notes.join("keys/deeper")).unwrap();
    std::fs::write(notes.join("keys/deeper/id.key"), "KEY").unwrap();
    std::fs::write(notes.join("keys/readme.md"), "r").unwrap();

    let result = driven.run(
        r#"const fs = Millennium.fs;
           const dir = fs.BaseDirectory.AppData;
           const error = async (p) => { try { await p; return 'done'; } catch (e) { return String(e.message || e); } };
           return {
             rename: await error(fs.renameFile('notes/keys', 'notes/open', { dir })),
             remove: await error(fs.removeDir('notes/keys', { dir, recursive: true })),
             listed: (await fs.readDir('notes/keys', { dir, recursive: true }))
               .map((e) => [e.name, (e.children || []).map((c) => c.name)]),
             passwd: await error(fs.readTextFile('/etc/passwd/x')),
             nosuch: await error(fs.readTextFile('/etc/nosuch/x')),
           };"#,
    );
    let outside_inside = |op: &str, outcome: &str| {
        format!(
            "{op} `{}`: something inside it is outside the fs scope (allowlist.fs.scope); {outcome}",
            notes.join("keys").display()
        )
    };
    assert_eq!(
        result,
        Ok(json!({
            "rename": outside_inside("rename", "nothing was moved"),
            "remove": outside_inside("remove directory", "nothing was removed"),
            "listed": [["deeper", []], ["readme.md", []]],
            "passwd": "path `/etc/passwd/x` is outside the fs scope (allowlist.fs.scope)",
            "nosuch": "path `/etc/nosuch/x` is outside the fs scope (allowlist.fs.scope)",
        }))
    );
    assert_eq!(
        std::fs::read_to_string(notes.join("keys/deeper/id.key")).unwrap(),
        "KEY"
    );
    assert!(notes.join("keys/readme.md").exists() && !notes.join("open").exists());
}

/// Regression (security review): `$RESOURCE/**` let a page rewrite the
/// app's toml (which `millennium dev` reloads), frontend and sources, and
/// `$APPLOCALDATA/**` read the webview profile (cookies, local storage).
/// Packaged, `$RESOURCE/**` let it overwrite its own executable.
#[test]
fn host_fs_e2e_the_apps_own_files_and_profile_are_out_of_reach() {
    require_gui!();
    let _gui = gui_lock();
    let app = app(r#"["$RESOURCE", "$RESOURCE/**", "$APPLOCALDATA/**"]"#);
    let driven = Driven::launch(&app.0);
    let probe = r#"const fs = Millennium.fs;
           const B = fs.BaseDirectory;
           const error = async (p) => { try { await p; return 'done'; } catch (e) { return String(e.message || e); } };
           return {
             toml: await error(fs.writeTextFile('millennium.toml', '[app]', { dir: B.Resource })),
             page: await error(fs.writeTextFile('dist/index.html', 'x', { dir: B.Resource })),
             listed: await error(fs.readDir('.', { dir: B.Resource })),
             profile: await error(fs.readDir('webview', { dir: B.AppLocalData })),
             cookies: await error(fs.readBinaryFile('webview/cookies', { dir: B.AppLocalData })),
             mine: await error(fs.writeTextFile('mine.txt', 'ok', { dir: B.Resource })),
           };"#;
    let result = driven.run(probe).expect("the probe ran");
    let refused = |path: &str| {
        json!(format!(
            "path `{path}` is outside the fs scope (allowlist.fs.scope)"
        ))
    };
    assert_eq!(result["toml"], refused("millennium.toml"));
    assert_eq!(result["page"], refused("dist/index.html"));
    assert_eq!(result["profile"], refused("webview"));
    assert_eq!(result["cookies"], refused("webview/cookies"));
    // Run from a directory, `$RESOURCE` is the app's own directory: none of
    // it (sources a dev server would build from included) is reachable.
    assert_eq!(result["mine"], refused("mine.txt"));
    assert_eq!(result["listed"], refused("."));
    assert!(
        std::fs::read_to_string(app.0.join("millennium.toml"))
            .unwrap()
            .contains("FS attacks")
    );
    drop(driven);

    // Packaged: `$RESOURCE` is the executable's directory.
    let out = TempDir::new("host-fs-attacks-out");
    let exe = build_packaged(&app.0, &out.0);
    let name = exe.file_name().unwrap().to_string_lossy().into_owned();
    let before = std::fs::read(&exe).unwrap();
    let driven = Driven::launch_packaged(&exe);
    let result = driven
        .run(&format!(
            r#"const fs = Millennium.fs;
               const dir = fs.BaseDirectory.Resource;
               const error = async (p) => {{ try {{ await p; return 'done'; }} catch (e) {{ return String(e.message || e); }} }};
               return [
                 await error(fs.writeBinaryFile('{name}', new Uint8Array([0x7f, 0x45]), {{ dir }})),
                 await error(fs.writeBinaryFile('.{name}.previous', new Uint8Array([1]), {{ dir }})),
                 await error(fs.removeFile('{name}', {{ dir }})),
                 await error(fs.renameFile('{name}', 'moved', {{ dir }})),
                 await error(fs.writeTextFile('beside.txt', 'ok', {{ dir }})),
               ];"#
        ))
        .expect("the probe ran");
    assert_eq!(
        result,
        json!([
            refused(&name),
            refused(&format!(".{name}.previous")),
            refused(&name),
            refused(&name),
            "done",
        ])
    );
    drop(driven);
    assert!(
        std::fs::read(&exe).unwrap() == before,
        "the executable is unchanged"
    );
    assert!(!out.0.join(format!(".{name}.previous")).exists());
}
