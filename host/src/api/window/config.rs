//! From a `[[windows]]` entry (or `new WebviewWindow(label, options)`) to a
//! tao window builder, plus the URL and navigation rules of app windows.

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
    }
}

/// `*` matches any run of characters (`/` included), everything else itself.
/// Enough for `[security] allowed-navigation` globs such as
/// `https://docs.example.com/**`.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            while p < pattern.len() && pattern[p] == '*' {
                p += 1;
            }
            star = Some((p, t));
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
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

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "https://docs.example.com/**",
            "https://docs.example.com/a/b"
        ));
        assert!(!wildcard_match(
            "https://docs.example.com/**",
            "https://evil.com/docs.example.com/"
        ));
        assert!(wildcard_match(
            "https://*.example.com/*",
            "https://a.example.com/x"
        ));
        assert!(!wildcard_match(
            "https://example.com/",
            "https://example.com/x"
        ));
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
