//! Linux: GTK containers for the webview, kernel and locale facts.

use tao::platform::unix::WindowExtUnix;
use tao::window::Window;
use wry::{WebView, WebViewBuilder, WebViewBuilderExtUnix};

/// Builds the webview inside the window's GTK box, which works on X11 and
/// Wayland alike (a raw window handle works only on X11).
pub fn build_webview(builder: WebViewBuilder<'_>, window: &Window) -> wry::Result<WebView> {
    match window.default_vbox() {
        Some(vbox) => builder.build_gtk(vbox),
        None => builder.build(window),
    }
}

/// Asks WebKit to run its web processes in its bubblewrap sandbox (no access
/// to the user's files, no other processes, no display server but through
/// the UI process) when this system can run it, and says why not otherwise.
/// A sandbox that cannot start would leave every window blank, so `bwrap`
/// is tried first. `WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1` in the
/// environment is respected.
///
/// # Safety
///
/// Sets an environment variable of this process: call it before any other
/// thread exists (first thing in `main`).
pub unsafe fn sandbox_web_processes() -> Result<(), String> {
    if std::env::var_os("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS").is_some() {
        return Err("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS is set".to_owned());
    }
    if let Some(cache) = cache_dir_under_var_tmp() {
        return Err(format!(
            "the cache directory `{}` is under /var/tmp, where WebKit cannot start its sandbox \
             (it makes /var/tmp a link to /tmp inside); set XDG_CACHE_HOME elsewhere to have it",
            cache.display()
        ));
    }
    web_sandbox_available()?;
    // SAFETY: the caller guarantees no other thread exists yet.
    unsafe { std::env::set_var("WEBKIT_FORCE_SANDBOX", "1") };
    Ok(())
}

/// The user's cache directory, as GLib finds it (`XDG_CACHE_HOME` when it
/// is absolute, else `$HOME/.cache`), when it lies under `/var/tmp` once
/// the symlinks of the part that exists are resolved. WebKit binds a
/// directory in it into the sandbox of its D-Bus proxy, whose root makes
/// `/var/tmp` a link to `/tmp`; bubblewrap then fails and WebKit aborts the
/// app ("Failed to fully launch dbus-proxy").
fn cache_dir_under_var_tmp() -> Option<std::path::PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| Some(std::path::PathBuf::from(std::env::var_os("HOME")?).join(".cache")))?;
    under_var_tmp(&cache).then_some(cache)
}

/// Whether `path` is `/var/tmp` or below it, with the symlinks of its
/// longest existing ancestor resolved (the rest need not exist yet).
fn under_var_tmp(path: &std::path::Path) -> bool {
    let resolved = path
        .ancestors()
        .find_map(|ancestor| {
            let real = std::fs::canonicalize(ancestor).ok()?;
            Some(real.join(path.strip_prefix(ancestor).ok()?))
        })
        .unwrap_or_else(|| path.to_owned());
    // Where /var/tmp is itself a link, nothing resolves to below it.
    resolved.starts_with("/var/tmp")
}

/// Whether bubblewrap can create a sandbox like WebKit's on this system
/// (it needs `bwrap` and user namespaces).
pub fn web_sandbox_available() -> Result<(), String> {
    let tried = std::process::Command::new("bwrap")
        .args([
            "--ro-bind",
            "/",
            "/",
            "--unshare-all",
            "--die-with-parent",
            "true",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match tried {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "bubblewrap cannot create a sandbox here ({status})"
        )),
        Err(error) => Err(format!("bubblewrap (bwrap) cannot run: {error}")),
    }
}

/// Calls `failed` when a load of the webview's main frame fails (network,
/// DNS, TLS): WebKitGTK reports such a load as finished as well.
pub fn on_load_failed(webview: &WebView, failed: impl Fn() + 'static) {
    use webkit2gtk::WebViewExt;
    use wry::WebViewExtUnix;
    webview.webview().connect_load_failed(move |_, _, _, _| {
        failed();
        false
    });
}

/// Initialises GTK on this (the main) thread, so that a missing or
/// unreachable display is an error message instead of tao's panic. tao's
/// own initialisation then finds GTK ready.
pub fn open_display() -> Result<(), String> {
    if gtk::init().is_ok() {
        use gtk::glib::prelude::ObjectExt;
        let x11 = gtk::gdk::Display::default().is_some_and(|d| d.type_().name() == "GdkX11Display");
        crate::api::globalShortcut::set_display_is_x11(x11);
        return Ok(());
    }
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    Err(display_error(
        var("GDK_BACKEND").as_deref(),
        var("WAYLAND_DISPLAY").as_deref(),
        var("DISPLAY").as_deref(),
    ))
}

/// Why GTK opened no display, naming the one it tried: GDK tries Wayland,
/// then X11, of those `GDK_BACKEND` lists (`x11` alone forces XWayland).
fn display_error(backend: Option<&str>, wayland: Option<&str>, x11: Option<&str>) -> String {
    let allowed = |name| backend.is_none_or(|list| list.split(',').any(|b| b == name || b == "*"));
    let display = match (wayland, x11) {
        (Some(d), _) if allowed("wayland") => format!("the Wayland display `{d}`"),
        (_, Some(d)) if allowed("x11") => format!("the X display `{d}`"),
        _ => {
            return match backend {
                Some(list) => format!(
                    "no graphical display: GDK_BACKEND={list} allows none that is set here \
                     (`wayland` needs WAYLAND_DISPLAY, `x11` needs DISPLAY)"
                ),
                None => "no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set \
                         (run it from a desktop session, or under `xvfb-run` for tests)"
                    .to_owned(),
            };
        }
    };
    format!("cannot open {display}: is the desktop session still running?")
}

/// Calls `terminate` on the main loop whenever the process gets `SIGTERM`,
/// `SIGINT` or `SIGHUP` (a logout, `kill`, Ctrl+C, a closed terminal),
/// instead of dying at once: the app then ends like it does when its last
/// window closes, and stops what it started. Call it once GTK is up.
pub fn on_termination(terminate: impl Fn() + Send + Sync + 'static) {
    let terminate = std::sync::Arc::new(terminate);
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let terminate = terminate.clone();
        gtk::glib::unix_signal_add(signal, move || {
            terminate();
            gtk::glib::ControlFlow::Continue
        });
    }
}

/// The window's inner size as GTK has it: without client-side decorations.
/// Under Wayland GTK draws the title bar and the shadow itself, and tao
/// counts them in its inner size (52 by 89 logical pixels more with
/// Adwaita), so a remembered window would grow by them at every start.
pub fn inner_size(window: &Window) -> tao::dpi::PhysicalSize<u32> {
    use gtk::prelude::GtkWindowExt;
    let (width, height) = window.gtk_window().size();
    let logical = tao::dpi::LogicalSize::new(
        u32::try_from(width).unwrap_or(0),
        u32::try_from(height).unwrap_or(0),
    );
    logical.to_physical(window.scale_factor())
}

/// `setSkipTaskbar`.
pub fn set_skip_taskbar(window: &Window, skip: bool) -> Result<(), String> {
    window.set_skip_taskbar(skip).map_err(|e| e.to_string())
}

/// The kernel release, as `uname -r` prints it.
pub fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// The user's locale as a BCP-47 tag (`en-US`), from the POSIX variables.
pub fn locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .and_then(|value| {
            let tag = value.split(['.', '@']).next().unwrap_or("");
            match tag {
                "" | "C" | "POSIX" => None,
                tag => Some(tag.replace('_', "-")),
            }
        })
}

/// Makes a write past the file-size limit (`ulimit -f`) fail with `EFBIG`,
/// which the fs API reports and cleans up after, instead of the default
/// `SIGXFSZ` that would kill the app mid-write.
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler
    // code; it is async-signal-safe and affects only this process.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_error_names_the_display_gdk_backend_let_gtk_try() {
        let wayland = Some("wayland-0");
        let x = Some(":1");
        let error = |backend| display_error(backend, wayland, x);
        assert!(
            error(None).contains("Wayland display `wayland-0`"),
            "{}",
            error(None)
        );
        assert!(
            error(Some("x11")).contains("X display `:1`"),
            "{}",
            error(Some("x11"))
        );
        assert!(error(Some("wayland,x11")).contains("Wayland display"));
        assert!(error(Some("*")).contains("Wayland display"));
        // XWayland forced where no X display is set: not "the Wayland display".
        let forced = display_error(Some("x11"), wayland, None);
        assert!(
            forced.contains("GDK_BACKEND=x11 allows none") && forced.contains("needs DISPLAY"),
            "{forced}"
        );
        assert!(display_error(None, None, None).contains("neither DISPLAY nor WAYLAND_DISPLAY"));
    }

    #[test]
    fn a_cache_directory_under_var_tmp_is_found_through_links() {
        assert!(under_var_tmp(std::path::Path::new("/var/tmp")));
        assert!(under_var_tmp(std::path::Path::new("/var/tmp/not/made/yet")));
        assert!(!under_var_tmp(std::path::Path::new("/var/tmpfoo/x")));
        assert!(!under_var_tmp(std::path::Path::new("/tmp/x/.cache")));
        let dir = std::env::temp_dir().join(format!("millennium-vartmp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("cache");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink("/var/tmp", &link).unwrap();
        assert!(under_var_tmp(&link.join("millennium")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
