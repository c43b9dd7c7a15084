//! Icons from one source, end to end: `millennium icon` writes every
//! hicolor size and the window icon from an SVG or a large PNG, refuses a
//! non-square or tiny one with nothing written, and warns about a small
//! one; `[bundle] icon = "….svg"` gives the `.deb` and `.rpm` every size
//! (and the SVG itself), and the packaged app's window carries the icon
//! (`_NET_WM_ICON`, read with xprop under Xvfb).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{TempDir, gui_lock, packageable_sample, small_host};
use millennium_e2e::{bin, stderr, stdout};

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn icon(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin("millennium"))
        .arg("icon")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("millennium runs")
}

/// Width and height from a PNG's header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{}",
        path.display()
    );
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

fn notes_svg() -> std::path::PathBuf {
    millennium_e2e::repo_root().join("sample-apps/notes/icons/notes.svg")
}

/// A square PNG of `side` pixels made by ImageMagick, or `None` (said
/// loudly) without it.
fn magick_png(dir: &Path, name: &str, size: &str) -> Option<std::path::PathBuf> {
    if !on_path("convert") {
        eprintln!(
            "\n\n!!!! SKIPPED: ImageMagick's convert is not installed (Debian: imagemagick) !!!!\n\n"
        );
        return None;
    }
    let path = dir.join(name);
    let made = Command::new("convert")
        .args(["-size", size, "gradient:red-blue"])
        .arg(&path)
        .output()
        .expect("convert runs");
    assert!(made.status.success(), "{}", stderr(&made));
    Some(path)
}

#[test]
fn icon_from_an_svg_writes_every_hicolor_size_and_the_window_icon() {
    let temp = TempDir::new("icon-svg");
    let output = icon(&[notes_svg().to_str().unwrap()], &temp.0);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let dir = temp.0.join("icons");
    for side in [16, 32, 48, 64, 128, 256, 512] {
        assert_eq!(
            png_size(&dir.join(format!("{side}x{side}.png"))),
            (side, side)
        );
    }
    assert_eq!(png_size(&dir.join("icon.png")), (256, 256));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 8);
    if on_path("convert") {
        let colours = crate::support::distinct_colours(
            &std::fs::read(dir.join("512x512.png")).unwrap(),
            &temp.0,
        );
        assert!(colours > 10, "the 512 icon is {colours} colours: blank?");
    }
    assert!(
        stderr(&output).contains("next: set `[bundle] icon"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn icon_from_a_small_png_warns_and_never_scales_up() {
    let temp = TempDir::new("icon-small");
    let Some(png) = magick_png(&temp.0, "small.png", "100x100") else {
        return;
    };
    let output = icon(&[png.to_str().unwrap(), "-o", "out"], &temp.0);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning:")
            && stderr(&output).contains("is 100x100: sizes above 100 are left out"),
        "{}",
        stderr(&output)
    );
    let mut names: Vec<String> = std::fs::read_dir(temp.0.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "16x16.png",
            "32x32.png",
            "48x48.png",
            "64x64.png",
            "icon.png"
        ]
    );
    assert_eq!(png_size(&temp.0.join("out/icon.png")), (100, 100));
}

#[test]
fn icon_refuses_a_non_square_tiny_or_foreign_source_and_writes_nothing() {
    let temp = TempDir::new("icon-bad");
    let Some(wide) = magick_png(&temp.0, "wide.png", "600x300") else {
        return;
    };
    let tiny = magick_png(&temp.0, "tiny.png", "8x8").unwrap();
    std::fs::write(temp.0.join("photo.gif"), b"GIF89a....").unwrap();
    for (source, said) in [
        (wide.to_str().unwrap(), "is 600x300; an icon must be square"),
        (
            tiny.to_str().unwrap(),
            "is 8x8; an icon source is 16 to 8192 pixels a side",
        ),
        ("photo.gif", "is neither an SVG nor a PNG image"),
        ("missing.svg", "cannot read missing.svg"),
    ] {
        let output = icon(&[source, "-o", "out"], &temp.0);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{source}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(said),
            "{source}: {}",
            stderr(&output)
        );
        assert!(
            !temp.0.join("out").exists(),
            "{source}: something was written"
        );
    }
}

/// The flagship's `[bundle] icon` is an SVG: its packages carry every size.
#[test]
fn an_svg_bundle_icon_gives_the_packages_every_size() {
    let temp = TempDir::new("icon-packages");
    let app = packageable_sample(&temp, "notes", "");
    let out = temp.0.join("out");
    let mut args = vec!["--deb"];
    if on_path("rpm") {
        args.push("--rpm");
    }
    let built = Command::new(bin("millennium"))
        .arg("build")
        .arg(&app)
        .args(&args)
        .arg("-o")
        .arg(&out)
        .arg("--host")
        .arg(small_host())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("millennium runs");
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let mut expected: Vec<String> = [16, 32, 48, 64, 128, 256, 512]
        .iter()
        .map(|s| format!("/usr/share/icons/hicolor/{s}x{s}/apps/dev.millennium.notes.png"))
        .collect();
    expected.push("/usr/share/icons/hicolor/scalable/apps/dev.millennium.notes.svg".to_owned());
    expected.sort();
    let icons = |listing: String| -> Vec<String> {
        let mut found: Vec<String> = listing
            .lines()
            .filter_map(|l| l.split_whitespace().last())
            .map(|p| p.trim_start_matches('.').to_owned())
            .filter(|p| p.starts_with("/usr/share/icons/"))
            .filter(|p| !p.ends_with('/'))
            .collect();
        found.sort();
        found
    };
    if on_path("dpkg-deb") {
        let deb = out.join(format!(
            "notes_1.0.0_{}.deb",
            if cfg!(target_arch = "x86_64") {
                "amd64"
            } else {
                "arm64"
            }
        ));
        let listing = Command::new("dpkg-deb")
            .arg("-c")
            .arg(&deb)
            .output()
            .unwrap();
        assert_eq!(icons(stdout(&listing)), expected);
    }
    if on_path("rpm") {
        let rpm = out.join(format!("notes-1.0.0-1.{}.rpm", std::env::consts::ARCH));
        let listing = Command::new("rpm").arg("-qlp").arg(&rpm).output().unwrap();
        assert_eq!(icons(stdout(&listing)), expected);
    }
    let desktop_entry = "Icon=dev.millennium.notes";
    let listing = Command::new("dpkg-deb")
        .args(["--fsys-tarfile"])
        .arg(out.join(format!(
            "notes_1.0.0_{}.deb",
            if cfg!(target_arch = "x86_64") {
                "amd64"
            } else {
                "arm64"
            }
        )))
        .output();
    if let Ok(tar) = listing {
        assert!(
            String::from_utf8_lossy(&tar.stdout).contains(desktop_entry),
            "the desktop entry names the icon"
        );
    }
}

/// The packaged app's window shows the icon: X11's `_NET_WM_ICON` holds
/// the 256-pixel image the build baked in.
#[test]
fn the_packaged_app_window_carries_the_bundle_icon() {
    require_gui!();
    if !on_path("xprop") || !on_path("xdotool") {
        eprintln!(
            "\n\n!!!! SKIPPED: xprop or xdotool is not installed (Debian: x11-utils, xdotool) !!!!\n\n"
        );
        return;
    }
    let _gui = gui_lock();
    let temp = TempDir::new("icon-window");
    let app = packageable_sample(&temp, "hello", "");
    std::fs::copy(notes_svg(), app.join("icon.svg")).unwrap();
    let toml = std::fs::read_to_string(app.join("millennium.toml")).unwrap();
    let toml = if toml.contains("\n[bundle]\n") {
        toml.replacen("\n[bundle]\n", "\n[bundle]\nicon = \"icon.svg\"\n", 1)
    } else {
        format!("{toml}\n[bundle]\nicon = \"icon.svg\"\n")
    };
    std::fs::write(app.join("millennium.toml"), toml).unwrap();
    let out = temp.0.join("out");
    let exe = crate::support::build_packaged(&app, &out);
    let runtime = temp.0.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let script = r#"
"$APP" & app=$!
for _ in $(seq 1 150); do
  wid=$(xdotool search --onlyvisible --name '^Hello' 2>/dev/null | head -n 1)
  [ -n "$wid" ] && break
  sleep 0.2
done
[ -n "$wid" ] && xprop -id "$wid" -len 16 -f _NET_WM_ICON 32c _NET_WM_ICON
echo
kill "$app"; wait "$app"
"#;
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1024x768x24", "sh", "-c", script])
        .env("APP", &exe)
        .env("HOME", &temp.0)
        .env("XDG_DATA_HOME", temp.0.join("data"))
        .env("XDG_CONFIG_HOME", temp.0.join("config"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("xvfb-run runs");
    let text = stdout(&output);
    assert!(
        // Width and height come first; `-len 16` keeps the first two.
        text.contains("_NET_WM_ICON(CARDINAL) = 256, 256"),
        "no 256x256 window icon: {text}\n{}",
        stderr(&output)
    );
}
