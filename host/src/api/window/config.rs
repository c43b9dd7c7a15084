//! From a `[[windows]]` entry (or `new WebviewWindow(label, options)`) to a
//! tao window builder, plus the URL and navigation rules of app windows.

use millennium_config::url_glob::UrlGlobs;
use millennium_config::model::{Theme, WindowConfig};
use tao::dpi::{LogicalPosition, LogicalSize, PhysicalPosition, PhysicalSize};
use tao::window::{Fullscreen, Window, WindowBuilder};

use crate::APP_ORIGIN;
use super::WindowOptions;

/// A tao builder honouring every field of `config`. Centring happens after
/// the window exists (it needs the monitor), see [`center`].
pub fn builder(config: &WindowConfig, app_name: &str) -> WindowBuilder {
    let title = config.title.clone().unwrap_or_else(|| app_name.to_owned());
    let mut builder = WindowBuilder::new()
        .with_title(title)
        .with_inner_size(LogicalSize::new(config.width, config.height))
        .with_resizable(config.resizable)
        .with_maximized(config.maximized)
        .with_decorations(config.decorations)
        .with_transparent(config.transparent)
        .with_always_on_top(config.always_on_top)
        .with_visible(config.visible)
        .with_focused(config.focus)
        .with_theme(config.theme.map(tao_theme));
    if config.min_width.is_some() || config.min_height.is_some() {
        builder = builder.with_min_inner_size(LogicalSize::new(
            config.min_width.unwrap_or(1.0),
            config.min_height.unwrap_or(1.0),
        ));
    }
    if config.max_width.is_some() || config.max_height.is_some() {
        builder = builder.with_max_inner_size(LogicalSize::new(
            config.max_width.unwrap_or(f64::from(u16::MAX)),
            config.max_height.unwrap_or(f64::from(u16::MAX)),
        ));
    }
    if let (Some(x), Some(y), false) = (config.x, config.y, config.center) {
        builder = builder.with_position(LogicalPosition::new(x, y));
    }
    if config.fullscreen {
        builder = builder.with_fullscreen(Some(Fullscreen::Borderless(None)));
    }
    if let Some(color) = config.background_color.as_deref().and_then(parse_color)
        && !config.transparent
    {
        builder = builder.with_background_color(color);
    }
    builder
}

/// The tao theme for a config theme.
pub fn tao_theme(theme: Theme) -> tao::window::Theme {
    match theme {
        Theme::Light => tao::window::Theme::Light,
        Theme::Dark => tao::window::Theme::Dark,
    }
}

/// Moves `window` to the centre of its monitor. A window that was just built
/// may not know its real size yet (under X11 it is mapped later), so the
/// caller may pass the logical size it asked for.
pub fn center(window: &Window, requested: Option<LogicalSize<f64>>) {
    let Some(monitor) = window.current_monitor() else {
        return;
    };
    let screen = monitor.size();
    let origin = monitor.position();
    let size: PhysicalSize<u32> = match requested {
        Some(size) => size.to_physical(window.scale_factor()),
        None => window.outer_size(),
    };
    let x = origin.x + ((i64::from(screen.width) - i64::from(size.width)).max(0) / 2) as i32;
    let y = origin.y + ((i64::from(screen.height) - i64::from(size.height)).max(0) / 2) as i32;
    window.set_outer_position(PhysicalPosition::new(x, y));
}

/// `#rrggbb` or `#rrggbbaa` to RGBA; `None` for anything else (the schema
/// already refuses it, so this only guards the JS path).
pub fn parse_color(text: &str) -> Option<(u8, u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    let alpha = if hex.len() == 8 { byte(6)? } else { 255 };
    Some((byte(0)?, byte(2)?, byte(4)?, alpha))
}

/// The URL a window loads: an app path becomes `millennium://localhost/<path>`;
/// `https://` URLs load as they are (without the API). Anything else is refused.
pub fn start_url(url: &str) -> Result<String, String> {
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(url.to_owned());
    }
    if url.contains("://") || url.starts_with("javascript:") || url.starts_with("data:") {
        return Err(format!(
            "`{url}` is neither a path in the frontend nor an https:// URL"
        ));
    }
    Ok(format!("{APP_ORIGIN}/{}", url.trim_start_matches('/')))
}

/// Whether `url` is a page of the app itself.
pub fn is_app_url(url: &str) -> bool {
    url == APP_ORIGIN
        || url
            .strip_prefix(APP_ORIGIN)
            .is_some_and(|rest| rest.starts_with(['/', '?', '#']))
}

/// A window label as the schema allows: 1 to 64 of `A-Za-z0-9_:/-`.
pub fn is_valid_label(label: &str) -> bool {
    (1..=64).contains(&label.len())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '/' | '-'))
}

/// The config of a window created from JS: defaults, then the given options.
pub fn from_options(label: &str, options: &WindowOptions) -> WindowConfig {
    let d = WindowConfig::default();
    WindowConfig {
        label: label.to_owned(),
        url: options.url.clone().unwrap_or(d.url),
        title: options.title.clone(),
        width: options.width.unwrap_or(d.width),
        height: options.height.unwrap_or(d.height),
        min_width: options.min_width,
        min_height: options.min_height,
        max_width: options.max_width,
        max_height: options.max_height,
        x: options.x,
        y: options.y,
        center: options.center.unwrap_or(d.center),
        resizable: options.resizable.unwrap_or(d.resizable),
        maximized: options.maximized.unwrap_or(d.maximized),
        fullscreen: options.fullscreen.unwrap_or(d.fullscreen),
        decorations: options.decorations.unwrap_or(d.decorations),
        transparent: options.transparent.unwrap_or(d.transparent),
        always_on_top: options.always_on_top.unwrap_or(d.always_on_top),
        visible: options.visible.unwrap_or(d.visible),
        focus: options.focus.unwrap_or(d.focus),
        background_color: options.background_color.clone(),
        devtools: None,
        theme: options.theme,
        remember_state: false,
        menu: None,
        close_behavior: d.close_behavior,
    }
}

/// The rule for a page that opens a window on a remote URL: it may open
/// only what it could navigate to (`[security] allowed-navigation`), and
/// plain `http` only to a loopback host. A path in the frontend is always
/// allowed.
pub fn check_created_url(url: &str, navigation: &UrlGlobs) -> Result<(), String> {
    if !url.contains("://") {
        return Ok(());
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("window url `{url}`: {e}"))?;
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(format!(
            "window url `{url}`: plain http is allowed only to a loopback address (use https://)"
        ));
    }
    if !navigation.allows(&parsed) {
        return Err(format!(
            "window url `{url}` is not in [security] allowed-navigation"
        ));
    }
    Ok(())
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        assert_eq!(parse_color("#1e1e2e"), Some((0x1e, 0x1e, 0x2e, 255)));
        assert_eq!(parse_color("#00000080"), Some((0, 0, 0, 0x80)));
        assert_eq!(parse_color("1e1e2e"), None);
        assert_eq!(parse_color("#12345"), None);
        assert_eq!(parse_color("#gggggg"), None);
        assert_eq!(parse_color("#ééé"), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            start_url("index.html").unwrap(),
            "millennium://localhost/index.html"
        );
        assert_eq!(
            start_url("/a/b.html").unwrap(),
            "millennium://localhost/a/b.html"
        );
        assert_eq!(start_url("https://x.dev/").unwrap(), "https://x.dev/");
        assert!(start_url("file:///etc/passwd").is_err());
        assert!(start_url("javascript:alert(1)").is_err());
        assert!(is_app_url("millennium://localhost/index.html"));
        assert!(is_app_url("millennium://localhost"));
        assert!(!is_app_url("millennium://localhost.evil.com/"));
        assert!(!is_app_url("https://millennium://localhost/"));
    }

    /// Regression (security review): `*` in `allowed-navigation` crossed
    /// `/`, `?`, `@` and `.`, so `https://*.example.com/**` admitted
    /// `https://evil.test/.example.com/`; and `window.create` took any URL.
    #[test]
    fn navigation_globs_match_url_parts_apart() {
        let globs = |g: &[&str]| UrlGlobs::new(&g.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap();
        let sub = globs(&["https://*.example.com/**"]);
        let docs = globs(&["https://docs.example.com/**"]);
        for (rule, url, allowed) in [
            (&sub, "https://a.example.com/x", true),
            (&sub, "https://a.b.example.com/x?q=1#f", true),
            (&sub, "https://evil.test/.example.com/", false),
            (&sub, "https://evil.test/?.example.com/", false),
            (&sub, "https://x.example.com@evil.test/", false),
            (&sub, "https://example.com.evil.net/", false),
            (&sub, "https://a.example.com:8443/", false),
            (&sub, "http://a.example.com/", false),
            (&docs, "https://docs.example.com/a/b", true),
            (&docs, "https://docs.example.com.evil.net/", false),
            (&docs, "https://evil.com/docs.example.com/", false),
            (&docs, "https://DOCS.example.com./x", true),
        ] {
            assert_eq!(rule.allows_text(url), allowed, "{url}");
        }
        assert!(check_created_url("https://docs.example.com/a", &docs).is_ok());
        assert!(check_created_url("index.html", &UrlGlobs::default()).is_ok());
        let refused = check_created_url("https://evil.test/", &docs).unwrap_err();
        assert_eq!(refused, "window url `https://evil.test/` is not in [security] allowed-navigation");
        let loopback = globs(&["http://127.0.0.1:*/**", "http://docs.example.com/**"]);
        assert!(check_created_url("http://127.0.0.1:8080/", &loopback).is_ok());
        let plain = check_created_url("http://docs.example.com/", &loopback).unwrap_err();
        assert!(plain.contains("plain http is allowed only to a loopback address"), "{plain}");
    }

    #[test]
    fn labels() {
        assert!(is_valid_label("main"));
        assert!(is_valid_label("a/b:c_d-1"));
        assert!(!is_valid_label(""));
        assert!(!is_valid_label("a b"));
        assert!(!is_valid_label(&"a".repeat(65)));
    }
}
