use super::*;

impl FsApi {
    /// A command from a page of window `main`.
    fn handle_in_test(&self, command: &FsCommand) -> Result<Output, FsError> {
        self.handle(command, Some("main"))
    }
}
use std::fs;
use std::os::unix::fs::PermissionsExt;

/// Regression (security review): reading a FIFO in the scope blocked a
/// worker thread forever (and a device could stream without end).
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let dir = TestDir::new("fs-fifo");
    let fifo = dir.0.join("pipe");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo(3) reads the NUL-terminated path only.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let (done, finished) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || {
        let _ = done.send((read_file(&path), open_regular("copy", &path).map(|_| ())));
    });
    let (read, copy) = finished
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("reading a FIFO must not block");
    for result in [read.map(|_| ()), copy] {
        let error = result.unwrap_err().to_string();
        assert!(error.ends_with("is not a regular file"), "{error}");
    }
    let error = read_file(Path::new("/dev/zero")).unwrap_err().to_string();
    assert_eq!(error, "read `/dev/zero`: is not a regular file");
    assert!(read_file(&dir.0).unwrap_err().to_string().ends_with("is a directory"));
}
use crate::api::fs::scope::TestDir;
use millennium_config::BaseDirectory;

/// `$APPDATA` is `<tmp>/data/dev.t.fs`; the scope is its `notes`.
fn api(dir: &TestDir) -> FsApi {
    let app = dir.0.join("data/dev.t.fs");
    fs::create_dir_all(app.join("notes")).unwrap();
    fs::create_dir_all(dir.0.join("outside")).unwrap();
    let a = app.clone();
    let scope = FsScope::from_globs(
        &["$APPDATA/notes".to_owned(), "$APPDATA/notes/**".to_owned()],
        &["$APPDATA/notes/**/*.key".to_owned()],
        false,
        move |_| Some(a.clone()),
    )
    .unwrap();
    FsApi {
        scope,
        paths: PathContext {
            identifier: "dev.t.fs".to_owned(),
            resource_dir: app,
        },
    }
}

fn at(dir: &TestDir, relative: &str) -> FsPath {
    FsPath {
        path: dir
            .0
            .join("data/dev.t.fs")
            .join(relative)
            .display()
            .to_string(),
        dir: None,
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".millennium-"))
        .collect()
}

#[test]
fn text_and_binary_round_trip() {
    let dir = TestDir::new("fs-rt");
    let api = api(&dir);
    let path = at(&dir, "notes/a.md");
    let write = FsCommand::WriteFile {
        path: path.clone(),
        contents: "héllo\n".into(),
    };
    assert_eq!(api.handle_in_test(&write), Ok(Output::Json(Value::Null)));
    let read = FsCommand::ReadFile {
        path: path.clone(),
        binary: false,
    };
    assert_eq!(api.handle_in_test(&read), Ok(Output::Json(json!("héllo\n"))));
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let bin = at(&dir, "notes/b.bin");
    api.handle_in_test(&FsCommand::WriteFile {
        path: bin.clone(),
        contents: bytes.clone(),
    })
    .unwrap();
    let read = FsCommand::ReadFile {
        path: bin.clone(),
        binary: true,
    };
    assert_eq!(api.handle_in_test(&read), Ok(Output::Bytes(bytes)));
    let as_text = FsCommand::ReadFile {
        path: bin,
        binary: false,
    };
    assert!(
        api.handle_in_test(&as_text)
            .unwrap_err()
            .to_string()
            .contains("not valid UTF-8")
    );
    assert!(temp_files(&dir.0.join("data/dev.t.fs/notes")).is_empty());
}

#[test]
fn base_directory_option() {
    let dir = TestDir::new("fs-dir");
    let mut api = api(&dir);
    // `$APPDATA` comes from `dirs`; point the scope at the real one.
    let Some(real) = api.paths.base_dir(BaseDirectory::AppData) else {
        return;
    };
    let path = FsPath {
        path: "notes/x.md".to_owned(),
        dir: Some(BaseDirectory::AppData),
    };
    // Outside this test's scope: refused, naming the resolved path.
    let error = api.handle_in_test(&FsCommand::Exists(path.clone())).unwrap_err();
    assert!(
        error.to_string().contains("outside the fs scope"),
        "{error}"
    );
    assert!(error.to_string().contains("notes/x.md"), "{error}");
    let r = real.clone();
    api.scope = FsScope::from_globs(&["$APPDATA/**".to_owned()], &[], false, move |_| {
        Some(r.clone())
    })
    .unwrap();
    assert!(api.handle_in_test(&FsCommand::Exists(path)).is_ok());
}

#[test]
fn failed_write_leaves_the_old_file_and_no_temporary() {
    let dir = TestDir::new("fs-atomic");
    let api = api(&dir);
    let target = dir.0.join("data/dev.t.fs/notes/keep.md");
    fs::write(&target, "old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let error = write_atomic(&target, |file| {
        file.write_all(b"half")?;
        Err(io::Error::other("disk full"))
    })
    .unwrap_err();
    assert!(error.to_string().contains("disk full"), "{error}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "old");
    assert!(temp_files(target.parent().unwrap()).is_empty());
    // A successful write keeps the permission bits.
    api.handle_in_test(&FsCommand::WriteFile {
        path: at(&dir, "notes/keep.md"),
        contents: b"new".to_vec(),
    })
    .unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Into a missing directory, or over a directory: clear errors.
    let missing = api.handle_in_test(&FsCommand::WriteFile {
        path: at(&dir, "notes/nope/x.md"),
        contents: vec![],
    });
    assert!(missing.unwrap_err().to_string().contains("not found"));
    fs::create_dir(dir.0.join("data/dev.t.fs/notes/d")).unwrap();
    let over_dir = api.handle_in_test(&FsCommand::WriteFile {
        path: at(&dir, "notes/d"),
        contents: vec![],
    });
    assert!(over_dir.unwrap_err().to_string().contains("is a directory"));
}

#[test]
fn directories_list_create_and_remove() {
    let dir = TestDir::new("fs-dirs");
    let api = api(&dir);
    let notes = dir.0.join("data/dev.t.fs/notes");
    let create = |p: &str, recursive| {
        api.handle_in_test(&FsCommand::CreateDir {
            path: at(&dir, p),
            recursive,
        })
    };
    assert!(
        create("notes/a/b", false)
            .unwrap_err()
            .to_string()
            .contains("not found")
    );
    create("notes/a/b", true).unwrap();
    fs::write(notes.join("a/b/c.md"), "c").unwrap();
    fs::write(notes.join("a/s.key"), "k").unwrap();
    fs::write(notes.join("top.md"), "t").unwrap();
    let list = |recursive| {
        api.handle_in_test(&FsCommand::ReadDir {
            path: at(&dir, "notes"),
            recursive,
        })
    };
    let Output::Json(flat) = list(false).unwrap() else {
        panic!()
    };
    assert_eq!(flat.as_array().unwrap().len(), 2);
    assert_eq!(flat[0]["name"], "a");
    assert!(flat[0].get("children").is_none());
    let Output::Json(deep) = list(true).unwrap() else {
        panic!()
    };
    assert_eq!(deep[0]["children"][0]["name"], "b");
    assert_eq!(deep[0]["children"][0]["children"][0]["name"], "c.md");
    assert_eq!(
        deep[0]["children"][0]["children"][0]["path"],
        notes.join("a/b/c.md").display().to_string()
    );
    // Denied entries are not listed.
    assert_eq!(deep[0]["children"].as_array().unwrap().len(), 1);
    let not_dir = api.handle_in_test(&FsCommand::ReadDir {
        path: at(&dir, "notes/top.md"),
        recursive: false,
    });
    assert!(not_dir.unwrap_err().to_string().contains("not a directory"));
    let remove = |p: &str, recursive| {
        api.handle_in_test(&FsCommand::RemoveDir {
            path: at(&dir, p),
            recursive,
        })
    };
    assert!(
        remove("notes/a", false)
            .unwrap_err()
            .to_string()
            .contains("not empty")
    );
    assert!(
        remove("notes/top.md", true)
            .unwrap_err()
            .to_string()
            .contains("not a directory")
    );
    // `notes/a/s.key` is denied: the tree is not removed, nor any of it.
    let error = remove("notes/a", true).unwrap_err().to_string();
    assert!(error.contains("something inside it is outside the fs scope"), "{error}");
    assert!(notes.join("a/b/c.md").exists() && notes.join("a/s.key").exists());
    fs::remove_file(notes.join("a/s.key")).unwrap();
    remove("notes/a", true).unwrap();
    assert!(!notes.join("a").exists());
}

/// `$HOME` is `<tmp>/home`; the scope is all of it but `.ssh`.
fn home_api(dir: &TestDir) -> (FsApi, PathBuf) {
    let home = dir.0.join("home");
    fs::create_dir_all(home.join(".ssh")).unwrap();
    fs::create_dir_all(home.join("work/deep")).unwrap();
    fs::write(home.join(".ssh/id_ed25519"), "KEY").unwrap();
    fs::write(home.join("work/deep/notes.md"), "notes").unwrap();
    let h = home.clone();
    let scope = FsScope::from_globs(
        &["$HOME/**".to_owned()],
        &["$HOME/.ssh/**".to_owned(), "$HOME/**/*.secret".to_owned()],
        false,
        move |_| Some(h.clone()),
    )
    .unwrap();
    let paths = PathContext {
        identifier: "dev.t.home".to_owned(),
        resource_dir: home.clone(),
    };
    (FsApi { scope, paths }, home)
}

fn abs(path: &Path) -> FsPath {
    FsPath {
        path: path.display().to_string(),
        dir: None,
    }
}

#[track_caller]
fn outside(result: Result<Output, FsError>) {
    let error = result.unwrap_err().to_string();
    assert!(error.contains("is outside the fs scope"), "{error}");
    assert!(!error.contains("id_ed25519"), "names no denied file: {error}");
}

/// Regression (security review): with allow `$HOME/**` and deny
/// `$HOME/.ssh/**`, `renameFile("$HOME/.ssh", "$HOME/k")` moved the keys to
/// a readable name, and `removeDir(ancestor, { recursive: true })` deleted
/// denied files. Every path of a moved or removed tree must be allowed.
#[test]
fn deny_globs_protect_files_not_names_when_trees_move() {
    let dir = TestDir::new("fs-trees");
    let (api, home) = home_api(&dir);
    let rename = |from: &str, to: &str| {
        api.handle_in_test(&FsCommand::RenameFile {
            from: abs(&home.join(from)),
            to: abs(&home.join(to)),
        })
    };
    outside(rename(".ssh", "k"));
    assert!(home.join(".ssh/id_ed25519").exists() && !home.join("k").exists());
    // An ancestor that holds a denied file deeper down.
    fs::create_dir_all(home.join("box/inner")).unwrap();
    fs::write(home.join("box/inner/k.secret"), "s").unwrap();
    outside(rename("box", "box2"));
    assert!(home.join("box/inner/k.secret").exists() && !home.join("box2").exists());
    // A tree whose files would land on denied names.
    fs::write(home.join("work/deep/x.md"), "x").unwrap();
    fs::write(home.join("work/plant.md"), "p").unwrap();
    outside(rename("work", ".ssh/work"));
    assert!(home.join("work/plant.md").exists());
    // Removing an ancestor of a denied file removes nothing.
    fs::write(home.join("work/deep/token.secret"), "t").unwrap();
    let removed = api.handle_in_test(&FsCommand::RemoveDir {
        path: abs(&home.join("work")),
        recursive: true,
    });
    outside(removed);
    assert!(home.join("work/deep/notes.md").exists());
    assert!(home.join("work/plant.md").exists());
    // Clean trees still move and go.
    fs::remove_file(home.join("work/deep/token.secret")).unwrap();
    rename("work", "moved").unwrap();
    assert!(home.join("moved/deep/notes.md").exists());
    api.handle_in_test(&FsCommand::RemoveDir {
        path: abs(&home.join("moved")),
        recursive: true,
    })
    .unwrap();
    assert!(!home.join("moved").exists());
    assert_eq!(fs::read_to_string(home.join(".ssh/id_ed25519")).unwrap(), "KEY");
}

/// No command follows a symlink, wherever in the path it is and wherever it
/// points; a symlink itself can be listed, renamed and removed.
#[test]
fn no_command_goes_through_a_symlink() {
    let dir = TestDir::new("fs-links");
    let api = api(&dir);
    let notes = dir.0.join("data/dev.t.fs/notes");
    fs::create_dir_all(notes.join("real")).unwrap();
    fs::write(notes.join("real/in.md"), "in").unwrap();
    fs::write(dir.0.join("outside/o.txt"), "SECRET").unwrap();
    std::os::unix::fs::symlink(dir.0.join("outside"), notes.join("out")).unwrap();
    std::os::unix::fs::symlink(notes.join("real"), notes.join("alias")).unwrap();
    let through = [
        FsCommand::ReadFile { path: at(&dir, "notes/out/o.txt"), binary: false },
        FsCommand::ReadFile { path: at(&dir, "notes/alias/in.md"), binary: true },
        FsCommand::WriteFile { path: at(&dir, "notes/out/new.txt"), contents: b"x".to_vec() },
        FsCommand::WriteFile { path: at(&dir, "notes/out"), contents: b"x".to_vec() },
        FsCommand::ReadDir { path: at(&dir, "notes/out"), recursive: false },
        FsCommand::CreateDir { path: at(&dir, "notes/out/d"), recursive: true },
        FsCommand::CreateDir { path: at(&dir, "notes/out/d"), recursive: false },
        FsCommand::RemoveFile(at(&dir, "notes/out/o.txt")),
        FsCommand::RemoveDir { path: at(&dir, "notes/out"), recursive: true },
        FsCommand::CopyFile { from: at(&dir, "notes/out/o.txt"), to: at(&dir, "notes/copy.txt") },
        FsCommand::CopyFile { from: at(&dir, "notes/real/in.md"), to: at(&dir, "notes/out/in.md") },
        FsCommand::RenameFile { from: at(&dir, "notes/out/o.txt"), to: at(&dir, "notes/o.txt") },
        FsCommand::Exists(at(&dir, "notes/out/o.txt")),
    ];
    for command in &through {
        let error = api.handle_in_test(command).unwrap_err().to_string();
        assert!(
            error.contains("symbolic link") || error.contains("not a directory"),
            "{command:?}: {error}"
        );
    }
    assert_eq!(fs::read_to_string(dir.0.join("outside/o.txt")).unwrap(), "SECRET");
    assert_eq!(fs::read_dir(dir.0.join("outside")).unwrap().count(), 1);
    assert!(!notes.join("copy.txt").exists() && !notes.join("o.txt").exists());
    // The links themselves: listed, renamed, removed; targets untouched.
    let Output::Json(listed) = api
        .handle_in_test(&FsCommand::ReadDir { path: at(&dir, "notes"), recursive: true })
        .unwrap()
    else {
        panic!()
    };
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alias", "out", "real"]);
    assert!(listed[1].get("children").is_none(), "a link is not descended");
    api.handle_in_test(&FsCommand::RenameFile { from: at(&dir, "notes/out"), to: at(&dir, "notes/out2") })
        .unwrap();
    api.handle_in_test(&FsCommand::RemoveFile(at(&dir, "notes/out2"))).unwrap();
    api.handle_in_test(&FsCommand::RemoveFile(at(&dir, "notes/alias"))).unwrap();
    assert!(dir.0.join("outside/o.txt").exists() && notes.join("real/in.md").exists());
}

/// Regression (security review): a path was checked as a string and opened
/// later, so renaming a directory and a symlink back and forth while other
/// threads read through the name read files outside the scope within a few
/// thousand calls. What is checked is now what is opened.
#[test]
fn a_symlink_swapped_in_while_reading_never_leads_outside() {
    let dir = TestDir::new("fs-race");
    let api = std::sync::Arc::new(api(&dir));
    let notes = dir.0.join("data/dev.t.fs/notes");
    fs::create_dir_all(notes.join("box")).unwrap();
    fs::write(notes.join("box/f"), "inside").unwrap();
    fs::write(dir.0.join("outside/f"), "SECRET").unwrap();
    std::os::unix::fs::symlink(dir.0.join("outside"), notes.join("evil")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (notes, stop) = (notes.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = fs::rename(notes.join("box"), notes.join("tmp"));
                let _ = fs::rename(notes.join("evil"), notes.join("box"));
                let _ = fs::rename(notes.join("box"), notes.join("evil"));
                let _ = fs::rename(notes.join("tmp"), notes.join("box"));
                swaps += 1;
            }
            swaps
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (api, dir_path) = (api.clone(), dir.0.clone());
            std::thread::spawn(move || {
                let mut leaked = 0;
                let path = FsPath {
                    path: dir_path.join("data/dev.t.fs/notes/box/f").display().to_string(),
                    dir: None,
                };
                let listing = FsPath {
                    path: dir_path.join("data/dev.t.fs/notes/box").display().to_string(),
                    dir: None,
                };
                for _ in 0..3000 {
                    let read = FsCommand::ReadFile { path: path.clone(), binary: false };
                    if let Ok(Output::Json(text)) = api.handle_in_test(&read) {
                        leaked += usize::from(text == "SECRET");
                    }
                    let list = FsCommand::ReadDir { path: listing.clone(), recursive: false };
                    if let Ok(Output::Json(entries)) = api.handle_in_test(&list) {
                        leaked += usize::from(entries.to_string().contains("outside"));
                    }
                }
                leaked
            })
        })
        .collect();
    let leaked: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(swapper.join().unwrap() > 0);
    assert_eq!(leaked, 0, "reads reached outside the scope");
    assert_eq!(fs::read_to_string(dir.0.join("outside/f")).unwrap(), "SECRET");
}

#[test]
fn files_remove_rename_copy_exists() {
    let dir = TestDir::new("fs-files");
    let api = api(&dir);
    let notes = dir.0.join("data/dev.t.fs/notes");
    fs::write(notes.join("a.md"), "a").unwrap();
    fs::write(dir.0.join("outside/o.txt"), "o").unwrap();
    let exists = |p: &str| api.handle_in_test(&FsCommand::Exists(at(&dir, p)));
    assert_eq!(exists("notes/a.md"), Ok(Output::Json(json!(true))));
    assert_eq!(exists("notes/b.md"), Ok(Output::Json(json!(false))));
    api.handle_in_test(&FsCommand::CopyFile {
        from: at(&dir, "notes/a.md"),
        to: at(&dir, "notes/c.md"),
    })
    .unwrap();
    assert_eq!(fs::read_to_string(notes.join("c.md")).unwrap(), "a");
    api.handle_in_test(&FsCommand::RenameFile {
        from: at(&dir, "notes/c.md"),
        to: at(&dir, "notes/d.md"),
    })
    .unwrap();
    assert!(!notes.join("c.md").exists() && notes.join("d.md").exists());
    let missing = api.handle_in_test(&FsCommand::RemoveFile(at(&dir, "notes/zz.md")));
    assert!(missing.unwrap_err().to_string().contains("not found"));
    api.handle_in_test(&FsCommand::RemoveFile(at(&dir, "notes/d.md")))
        .unwrap();
    assert!(!notes.join("d.md").exists());
    let on_dir = api.handle_in_test(&FsCommand::RemoveFile(at(&dir, "notes")));
    assert!(on_dir.unwrap_err().to_string().contains("is a directory"));
    // Either end outside the scope: refused before anything moves.
    let outside = FsPath {
        path: dir.0.join("outside/o.txt").display().to_string(),
        dir: None,
    };
    let out = api.handle_in_test(&FsCommand::CopyFile {
        from: outside.clone(),
        to: at(&dir, "notes/stolen.md"),
    });
    assert!(
        out.unwrap_err()
            .to_string()
            .contains("outside the fs scope")
    );
    let out = api.handle_in_test(&FsCommand::RenameFile {
        from: at(&dir, "notes/a.md"),
        to: FsPath {
            path: dir.0.join("outside/a.md").display().to_string(),
            dir: None,
        },
    });
    assert!(
        out.unwrap_err()
            .to_string()
            .contains("outside the fs scope")
    );
    assert!(notes.join("a.md").exists());
    let read = api.handle_in_test(&FsCommand::ReadFile {
        path: outside,
        binary: false,
    });
    assert!(read.unwrap_err().to_string().contains("o.txt"));
}

fn part_of(api: &FsApi, path: &FsPath, offset: u64, length: u64, version: Option<&str>) -> Result<(Vec<u8>, u64, String), FsError> {
    let part = FilePart {
        offset,
        length,
        version: version.map(str::to_owned),
    };
    match api.handle_in_test(&FsCommand::ReadPart { path: path.clone(), part })? {
        Output::Part { bytes, total, version } => Ok((bytes, total, version)),
        other => panic!("a part read answered {other:?}"),
    }
}

#[test]
fn reading_in_parts_joins_one_version_of_the_file() {
    let dir = TestDir::new("fs-parts");
    let api = api(&dir);
    let path = at(&dir, "notes/big.bin");
    fs::write(dir.0.join("data/dev.t.fs/notes/big.bin"), b"0123456789").unwrap();
    let (first, total, version) = part_of(&api, &path, 0, 4, None).unwrap();
    assert_eq!((first.as_slice(), total), (&b"0123"[..], 10));
    let (second, _, again) = part_of(&api, &path, 4, 4, Some(&version)).unwrap();
    assert_eq!((second.as_slice(), &again), (&b"4567"[..], &version));
    let (last, _, _) = part_of(&api, &path, 8, 4, Some(&version)).unwrap();
    assert_eq!(last, b"89");
    let (end, _, _) = part_of(&api, &path, 10, 4, Some(&version)).unwrap();
    assert!(end.is_empty());
    let past = part_of(&api, &path, 11, 4, Some(&version)).unwrap_err().to_string();
    assert!(past.ends_with("offset 11 is past the end of the file (10 bytes)"), "{past}");
    // Parts obey the scope like every read.
    let key = at(&dir, "notes/secret.key");
    fs::write(dir.0.join("data/dev.t.fs/notes/secret.key"), b"k").unwrap();
    assert!(matches!(part_of(&api, &key, 0, 4, None), Err(FsError::Path(_))));
    // An empty file (or one that says so, like /proc's) is read whole.
    fs::write(dir.0.join("data/dev.t.fs/notes/empty"), b"").unwrap();
    let (bytes, total, _) = part_of(&api, &at(&dir, "notes/empty"), 0, 4, None).unwrap();
    assert_eq!((bytes.len(), total), (0, 0));
}

/// A read in parts must not join the halves of two different files: a
/// file written, or replaced by another of the same size, between two parts
/// fails the read.
#[test]
fn a_part_of_a_file_that_changed_since_the_first_part_is_refused() {
    let dir = TestDir::new("fs-parts-changed");
    let api = api(&dir);
    let path = at(&dir, "notes/big.bin");
    let real = dir.0.join("data/dev.t.fs/notes/big.bin");
    fs::write(&real, b"0123456789").unwrap();
    let (_, _, version) = part_of(&api, &path, 0, 4, None).unwrap();
    // Replaced by a file of the same size and bytes: another inode.
    let other = dir.0.join("data/dev.t.fs/notes/other.bin");
    fs::write(&other, b"0123456789").unwrap();
    fs::rename(&other, &real).unwrap();
    let error = part_of(&api, &path, 4, 4, Some(&version)).unwrap_err().to_string();
    assert!(error.ends_with("the file changed while it was being read; read it again"), "{error}");
    // Written in place, same size.
    let (_, _, version) = part_of(&api, &path, 0, 4, None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::OpenOptions::new().write(true).open(&real).unwrap().write_all(b"X").unwrap();
    let error = part_of(&api, &path, 4, 4, Some(&version)).unwrap_err().to_string();
    assert!(error.ends_with("read it again"), "{error}");
    // A version this host never gave out is refused the same way.
    let error = part_of(&api, &path, 0, 4, Some("1:2:3")).unwrap_err().to_string();
    assert!(error.ends_with("read it again"), "{error}");
}
