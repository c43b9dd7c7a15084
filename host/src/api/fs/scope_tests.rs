//! Unit tests of the fs scope: globs, deny, grants, and the traversal and symlink cases.

use std::os::unix::fs::symlink;

use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// `root/app` is `$APPDATA`; `root/outside` is not in any scope.
fn layout() -> TestDir {
    let dir = TestDir::new("scope");
    let root = &dir.0;
    for d in ["app/notes/sub", "app/notes/private", "outside"] {
        fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in [
        "app/secret.txt",
        "app/notes/a.md",
        "app/notes/sub/b.md",
        "app/notes/.hidden",
        "app/notes/private/k",
        "outside/x.txt",
    ] {
        fs::write(root.join(f), f).unwrap();
    }
    symlink(root.join("outside"), root.join("app/notes/link_out")).unwrap();
    symlink(
        root.join("outside/x.txt"),
        root.join("app/notes/link_file_out"),
    )
    .unwrap();
    symlink(
        root.join("app/notes/sub/b.md"),
        root.join("app/notes/link_in"),
    )
    .unwrap();
    symlink(
        root.join("outside/new.txt"),
        root.join("app/notes/dangling"),
    )
    .unwrap();
    symlink("../../secret.txt", root.join("app/notes/sub/rel_out")).unwrap();
    dir
}

use std::fs;

/// What a handler does with a page's path: the scope's check by name, then
/// opening its directory and looking at its last part, following no
/// symlink. `Ok` only when both agree the path may be used.
trait Reach {
    fn resolve(&self, path: &str, base: Option<&Path>) -> Result<PathBuf, String>;
}

impl Reach for FsScope {
    fn resolve(&self, path: &str, base: Option<&Path>) -> Result<PathBuf, String> {
        let checked = self.check(path, base).map_err(|e| e.to_string())?;
        if checked == Path::new("/") {
            return Ok(checked);
        }
        let (dir, name) = match crate::beneath::open_parent(&checked) {
            Ok(found) => found,
            // Allowed, and not there yet (`createDir` would make it).
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(checked),
            Err(e) => return Err(io_message(&e)),
        };
        match crate::beneath::kind_at(dir, name) {
            Ok(rustix::fs::FileType::Symlink) => Err("a symlink".to_owned()),
            Ok(_) => Ok(checked),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(checked),
            Err(e) => Err(io_message(&e)),
        }
    }
}

fn scope(root: &Path, allow: &[&str], deny: &[&str], literal_dot: bool) -> FsScope {
    let app = root.join("app");
    FsScope::from_globs(&s(allow), &s(deny), literal_dot, move |dir| {
        (dir == BaseDirectory::AppData).then(|| app.clone())
    })
    .unwrap()
}

fn notes_scope(root: &Path, literal_dot: bool) -> FsScope {
    scope(
        root,
        &["$APPDATA/notes", "$APPDATA/notes/**"],
        &["$APPDATA/notes/private/**", "$APPDATA/**/*.key"],
        literal_dot,
    )
}

#[test]
fn picked_paths_join_the_scope_for_the_run_and_deny_still_wins() {
    let dir = layout();
    let root = &dir.0;
    let scope = scope(root, &[], &["$APPDATA/notes/private/**"], false);
    let shared = scope.clone();
    let main = |path: &Path| scope.allows_in(path, Some("main"));
    let file = root.join("outside/x.txt");
    assert!(!main(&file));
    shared.grant(&file, GrantKind::Exact, "main").unwrap();
    assert!(main(&file), "clones share grants");
    // Only for pages of the window that asked, and not for the config's
    // own checks (a scoped command's cwd).
    assert!(!scope.allows_in(&file, Some("other")));
    assert!(!scope.allows(&file));
    assert!(!main(&root.join("outside")));
    assert!(!main(&root.join("outside/y.txt")));

    let notes = root.join("app/notes");
    scope.grant(&notes, GrantKind::Directory, "main").unwrap();
    assert!(main(&notes));
    assert!(main(&notes.join("a.md")));
    assert!(!main(&notes.join("sub/b.md")), "direct children only");
    assert!(!main(&root.join("app/notesx")));

    scope.grant(&notes, GrantKind::Recursive, "main").unwrap();
    assert!(main(&notes.join("sub/b.md")));
    assert!(!main(&root.join("app/notes-other/a")));
    assert!(
        !main(&notes.join("private/k")),
        "deny wins over a picked directory"
    );
    // A symlink inside a picked directory is not followed.
    let link = notes.join("sub/rel_out");
    assert!(scope.check_in(&link.to_string_lossy(), None, Some("main")).is_ok());
    assert!(crate::beneath::open(&link, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty()).is_err());
    // A picked symlink grants its target, whose path the page gets back.
    let granted = scope
        .grant(&notes.join("link_file_out"), GrantKind::Exact, "main")
        .unwrap();
    assert_eq!(granted, file);
    assert!(main(&file));
}

/// The traversal corpus: whatever the page writes, a path that may be used
/// is always inside `$APPDATA/notes`, and the expected ones are refused.
/// `..` is resolved by name; a symlink anywhere in the path refuses it.
#[test]
fn traversal_corpus_never_escapes() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let notes = app.join("notes");
    let scope = notes_scope(root, false);
    let long_path = format!("notes/{}", "a/".repeat(2100));
    let long_name = format!("notes/{}", "x".repeat(300));
    let secret = app.join("secret.txt").display().to_string();
    let outside = root.join("outside/x.txt").display().to_string();
    let via_proc = format!("/proc/self/root{}", notes.join("a.md").display());
    let dotdot_abs = format!("{}/../secret.txt", notes.display());
    // (path, relative to $APPDATA?, allowed?)
    let corpus: Vec<(&str, bool, bool)> = vec![
        ("notes", true, true),
        ("notes/", true, true),
        ("notes/a.md", true, true),
        ("notes/./a.md", true, true),
        ("notes/sub/b.md", true, true),
        ("notes/new.md", true, true),
        ("notes/new/deeper/file.md", true, true),
        ("notes/link_in", true, false),
        ("notes/%2e%2e/secret.txt", true, true),
        ("notes/..%2fsecret.txt", true, true),
        ("notes/..\\secret.txt", true, true),
        ("notes\\..\\secret.txt", true, false),
        ("notes/a.md.", true, true),
        ("notes/...", true, true),
        ("notes/日本語.md", true, true),
        ("notes/private", true, true),
        ("notes/../secret.txt", true, false),
        ("notes/../../outside/x.txt", true, false),
        ("../outside/x.txt", true, false),
        ("notes/sub/../../secret.txt", true, false),
        ("notes/missing/../../secret.txt", true, false),
        ("notes/missing/../a.md", true, true),
        ("notes/sub/../a.md", true, true),
        ("notes/../notes/a.md", true, true),
        ("notes/link_out/../a.md", true, true),
        ("notes/link_in/../x", true, true),
        ("notes/sub/rel_out/x", true, false),
        ("notes/a.md\0.txt", true, false),
        ("notes/\0", true, false),
        ("/etc/passwd", true, false),
        ("/etc/passwd", false, false),
        (&secret, false, false),
        (&outside, false, false),
        (&dotdot_abs, false, false),
        (&via_proc, false, false),
        ("notes/link_out", true, false),
        ("notes/link_out/x.txt", true, false),
        ("notes/link_out/new.txt", true, false),
        ("notes/link_file_out", true, false),
        ("notes/dangling", true, false),
        ("notes/sub/rel_out", true, false),
        ("notes/a.md/", true, true),
        ("notes//a.md", true, true),
        ("notes/a.md/x", true, false),
        (&long_path, true, false),
        (&long_name, true, false),
        ("", true, false),
        (".", true, false),
        ("", false, false),
        ("notes/a.md", false, false),
        ("~/notes/a.md", false, false),
        ("notes/private/k", true, false),
        ("notes/private/new", true, false),
        ("notes/x.key", true, false),
        ("notes/sub/y.key", true, false),
        ("secret.txt", true, false),
    ];
    assert!(corpus.len() >= 30);
    for (path, relative, allowed) in corpus {
        let base = relative.then_some(app.as_path());
        let result = scope.resolve(path, base);
        let shown = shorten(path);
        if let Ok(resolved) = &result {
            assert!(
                resolved.starts_with(&notes),
                "{shown:?} escaped to {}",
                resolved.display()
            );
            assert!(
                !resolved.components().any(|c| c == Component::ParentDir),
                "{shown:?}"
            );
        }
        assert_eq!(result.is_ok(), allowed, "{shown:?}: {result:?}");
    }
}

#[test]
fn directory_itself_versus_its_contents() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let only_dir = scope(root, &["$APPDATA/notes"], &[], false);
    let only_contents = scope(root, &["$APPDATA/notes/**"], &[], false);
    assert!(only_dir.resolve("notes", Some(&app)).is_ok());
    assert!(only_dir.resolve("notes/a.md", Some(&app)).is_err());
    assert!(only_contents.resolve("notes", Some(&app)).is_err());
    assert!(only_contents.resolve("notes/a.md", Some(&app)).is_ok());
    assert!(only_contents.resolve("notes/sub/b.md", Some(&app)).is_ok());
}

#[test]
fn star_stays_in_one_directory_and_double_star_crosses() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let star = scope(root, &["$APPDATA/notes/*"], &[], false);
    assert!(star.resolve("notes/a.md", Some(&app)).is_ok());
    assert!(star.resolve("notes/sub", Some(&app)).is_ok());
    assert!(star.resolve("notes/sub/b.md", Some(&app)).is_err());
    assert!(star.resolve("notes", Some(&app)).is_err());
    let middle = scope(root, &["$APPDATA/**/b.md"], &[], false);
    assert!(middle.resolve("b.md", Some(&app)).is_ok());
    assert!(middle.resolve("notes/sub/b.md", Some(&app)).is_ok());
    assert!(middle.resolve("notes/a.md", Some(&app)).is_err());
    let ext = scope(root, &["$APPDATA/notes/*.{md,txt}"], &[], false);
    assert!(ext.resolve("notes/a.md", Some(&app)).is_ok());
    assert!(ext.resolve("notes/c.txt", Some(&app)).is_ok());
    assert!(ext.resolve("notes/c.png", Some(&app)).is_err());
}

#[test]
fn deny_wins_over_allow() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let scope = scope(root, &["$APPDATA/**"], &["$APPDATA/notes/sub/**"], false);
    assert!(scope.resolve("notes/a.md", Some(&app)).is_ok());
    assert!(scope.resolve("notes/sub", Some(&app)).is_ok());
    assert!(scope.resolve("notes/sub/b.md", Some(&app)).is_err());
    // Through a symlink into the denied directory: refused as well.
    assert!(scope.resolve("notes/link_in", Some(&app)).is_err());
    let error = scope.check("notes/sub/b.md", Some(&app)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "path `notes/sub/b.md` is outside the fs scope (allowlist.fs.scope)"
    );
}

#[test]
fn hidden_files_need_a_literal_dot_when_required() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let lax = notes_scope(root, false);
    let strict = notes_scope(root, true);
    assert!(lax.resolve("notes/.hidden", Some(&app)).is_ok());
    assert!(strict.resolve("notes/.hidden", Some(&app)).is_err());
    assert!(strict.resolve("notes/.git/config", Some(&app)).is_err());
    assert!(strict.resolve("notes/a.md", Some(&app)).is_ok());
    let spelled = scope(root, &["$APPDATA/notes/.*"], &[], true);
    assert!(spelled.resolve("notes/.hidden", Some(&app)).is_ok());
    assert!(spelled.resolve("notes/a.md", Some(&app)).is_err());
    // `$APPDATA` itself may contain dots: expanded parts are literal.
    let dotted = TestDir::new("dot");
    let base = dotted.0.join(".local/app");
    fs::create_dir_all(base.join("notes")).unwrap();
    let b = base.clone();
    let scope = FsScope::from_globs(&s(&["$APPDATA/notes/**"]), &[], true, move |_| {
        Some(b.clone())
    })
    .unwrap();
    assert!(scope.resolve("notes/a.md", Some(&base)).is_ok());
}

#[test]
fn globs_are_checked_when_the_scope_is_built() {
    let none = |_| None;
    let build = |allow: &[&str]| FsScope::from_globs(&s(allow), &[], false, none);
    assert!(matches!(build(&["notes/**"]), Err(ScopeError::Relative(_))));
    assert!(matches!(
        build(&["$NOPE/x"]),
        Err(ScopeError::UnknownVariable { .. })
    ));
    assert!(matches!(build(&["/a/[b"]), Err(ScopeError::Invalid { .. })));
    assert!(matches!(
        build(&["/a/../b"]),
        Err(ScopeError::Invalid { .. })
    ));
    // A base directory this machine lacks matches nothing.
    let scope = build(&["$DOWNLOAD/**"]).unwrap();
    assert!(!scope.allows(Path::new("/x")));
    assert!(FsScope::default().check("/tmp", None).is_err());
}

#[test]
fn base_directories_expand_to_canonical_paths() {
    let dir = layout();
    let root = &dir.0;
    // `$APPDATA` reached through a symlink, and not created yet.
    symlink(root.join("app"), root.join("applink")).unwrap();
    let through = root.join("applink/later");
    let t = through.clone();
    let scope = FsScope::from_globs(&s(&["$APPDATA/**"]), &[], false, move |_| Some(t.clone()))
        .unwrap();
    fs::create_dir_all(root.join("app/later")).unwrap();
    assert!(
        scope
            .resolve(&root.join("app/later/y").display().to_string(), None)
            .is_ok()
    );
    // The symlinked spelling is not followed: a handler's `dir` option
    // canonicalises the base directory first.
    let spelled = scope.resolve("x", Some(&through)).unwrap_err();
    assert!(spelled.contains("outside the fs scope"), "{spelled}");
}

/// Regression (security review, errors as an oracle): out-of-scope paths
/// were resolved before the scope decision, so `/etc/passwd/x` said "not a
/// directory" and `/etc/nosuch/x` "outside the fs scope". Now nothing on
/// disk is looked at first, and every refusal names the path as given.
#[test]
fn out_of_scope_refusals_say_nothing_about_what_exists() {
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let scope = notes_scope(root, false);
    let secret = app.join("secret.txt").display().to_string();
    let probes = [
        "/etc/passwd/x".to_owned(),
        "/etc/nosuch/x".to_owned(),
        "/etc/passwd".to_owned(),
        format!("{secret}/x"),
        root.join("outside/x.txt").display().to_string(),
        root.join("outside/nope/x").display().to_string(),
        format!("{}/../secret.txt/x", app.join("notes").display()),
    ];
    for probe in &probes {
        let error = scope.check(probe, None).unwrap_err().to_string();
        assert_eq!(
            error,
            format!("path `{probe}` is outside the fs scope (allowlist.fs.scope)")
        );
    }
    let relative = scope.check("../outside/x.txt", Some(&app)).unwrap_err();
    assert_eq!(
        relative.to_string(),
        "path `../outside/x.txt` is outside the fs scope (allowlist.fs.scope)"
    );
}

/// Regression (security review): with `$RESOURCE/**` a page could overwrite
/// its own executable, and with `$APPDATA/**` read the webview's cookies.
/// Protected paths are denied whatever the globs say, with their trees.
#[test]
fn protected_paths_are_denied_whatever_the_globs_say() {
    let dir = layout();
    let root = &dir.0;
    let mut scope = scope(root, &["$APPDATA/**"], &[], false);
    let app = root.join("app");
    scope.protect(&Protected::Executable(app.join("notes/a.md")));
    scope.protect(&Protected::Tree(app.join("notes/sub")));
    scope.protect(&Protected::Tree(app.join("secret.txt")));
    for denied in [
        "notes/a.md",
        "notes/.a.md.previous",
        "notes/.a.md.update-12ab",
        "notes/sub",
        "notes/sub/b.md",
        "notes/sub/new/deeper",
        "secret.txt",
    ] {
        assert!(scope.check(denied, Some(&app)).is_err(), "{denied}");
    }
    for allowed in ["notes/.a.mdx", "notes/a.md2", "notes/subx", "notes/private/k"] {
        assert!(scope.check(allowed, Some(&app)).is_ok(), "{allowed}");
    }
    // A picked path does not lift it either.
    scope
        .grant(&app.join("notes/sub"), GrantKind::Recursive, "main")
        .unwrap();
    assert!(scope.check_in("notes/sub/b.md", Some(&app), Some("main")).is_err());
}

/// A name from disk that is not UTF-8 (met while walking a tree to move or
/// remove it) must still be caught by a deny glob's wildcard.
#[test]
fn deny_globs_cover_names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = layout();
    let root = &dir.0;
    let app = root.join("app");
    let scope = scope(root, &["$APPDATA/**"], &["$APPDATA/notes/secret*", "$APPDATA/{a,b}?"], false);
    let odd = |name: &[u8]| app.join("notes").join(std::ffi::OsStr::from_bytes(name));
    assert!(!scope.allows(&odd(b"secret\xff")));
    assert!(!scope.allows(&odd(b"secret")));
    assert!(scope.allows(&odd(b"note\xff.md")));
    assert!(!scope.allows(&app.join(std::ffi::OsStr::from_bytes(b"a\xfe"))));
    assert!(scope.allows(&app.join("c1")));
}
