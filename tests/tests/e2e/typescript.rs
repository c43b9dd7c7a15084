//! The declarations authors get must type-check in a real TypeScript
//! compiler, and the script `millennium new` scaffolds (`// @ts-check`,
//! referencing them) must type-check against them, as editors run the same
//! checker. Before this test, the shipped `millennium.d.ts` did not compile
//! (its enum made the `Millennium` namespace clash with the global `var`).
//! The Vite template's generated `src/millennium.js` must give its imports
//! those types, not `any`.
//!
//! TypeScript is pinned in `tests/taplo/package.json`; `make test` installs it.

use std::process::Command;

use millennium_e2e::{Scratch, millennium, repo_root, stderr};

#[test]
fn declarations_and_the_new_app_script_type_check_strictly() {
    let tsc = repo_root().join("tests/taplo/node_modules/.bin/tsc");
    assert!(
        tsc.is_file(),
        "TypeScript is not installed: run `npm ci --prefix tests/taplo` (make test does it)"
    );
    let scratch = Scratch::new("typescript");
    let created = millennium(&scratch.0, &["new", "typed"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let app = scratch.path("typed");
    let out = Command::new(&tsc)
        .args([
            "--noEmit",
            "--strict",
            "--allowJs",
            "--checkJs",
            "--target",
            "es2022",
            "--lib",
            "es2022,dom",
            "millennium.d.ts",
            "dist/main.js",
        ])
        .current_dir(&app)
        .output()
        .expect("run tsc");
    assert!(
        out.status.success(),
        "tsc refused the declarations or the scaffolded script:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The file checked is the one the host generates, byte for byte.
    assert_eq!(
        std::fs::read_to_string(app.join("millennium.d.ts")).unwrap(),
        millennium_host::bridge::DECLARATIONS
    );
}

/// The Vite scaffold's `src/millennium.js` types its exports from the
/// declarations: its entry module, which imports from it, type-checks
/// strictly, and a misuse of an import is refused (so the exports are not
/// `any`).
#[test]
fn the_vite_scaffold_module_types_its_exports() {
    let tsc = repo_root().join("tests/taplo/node_modules/.bin/tsc");
    assert!(
        tsc.is_file(),
        "TypeScript is not installed: run `npm ci --prefix tests/taplo` (make test does it)"
    );
    let scratch = Scratch::new("typescript-vite");
    let created = millennium(&scratch.0, &["new", "typed", "--template", "vite"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let app = scratch.path("typed");
    let check = |files: &[&str]| {
        Command::new(&tsc)
            .args([
                "--noEmit",
                "--strict",
                "--allowJs",
                "--checkJs",
                "--target",
                "es2022",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
                "--lib",
                "es2022,dom",
            ])
            .args(files)
            .current_dir(&app)
            .output()
            .expect("run tsc")
    };
    let out = check(&["millennium.d.ts", "src/main.js"]);
    assert!(
        out.status.success(),
        "tsc refused the Vite scaffold:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        app.join("src/misuse.js"),
        "// @ts-check\nimport { fs } from \"./millennium.js\";\n\
         /** @type {Promise<number>} */\nexport const wrong = fs.readTextFile(\"a.txt\");\n",
    )
    .unwrap();
    let out = check(&["millennium.d.ts", "src/misuse.js"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "tsc accepted a string read as a number"
    );
    assert!(
        said.contains("src/misuse.js(4,")
            && said.contains("Type 'Promise<string>' is not assignable to type 'Promise<number>'"),
        "{said}"
    );
}
