//! `[[windows]] remember-state = true`: a window's size, position,
//! maximized and fullscreen state, saved when it closes (or the app exits)
//! in `$APPCONFIG/window-state.json`, written atomically, and restored when
//! it opens, moved onto a monitor that is there now. A damaged file is
//! ignored with a warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tao::dpi::{LogicalPosition, LogicalSize, PhysicalPosition, PhysicalSize};
use tao::window::{Window, WindowBuilder};

/// Largest state file read, in bytes.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How much of a window (logical pixels each way) must lie on a monitor for
/// it to be reachable there.
const MIN_VISIBLE: f64 = 64.0;

/// One window's remembered state, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowState {
    /// Outer position, top-left.
    pub x: f64,
    /// Outer position, top-left.
    pub y: f64,
    /// Inner size.
    pub width: f64,
    /// Inner size.
    pub height: f64,
    /// Maximized when it closed.
    pub maximized: bool,
    /// Fullscreen when it closed.
    pub fullscreen: bool,
}

/// A monitor, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// The state file of an app: `None` when it has no config directory.
pub fn file(config_dir: Option<PathBuf>) -> Option<PathBuf> {
    config_dir.map(|dir| dir.join("window-state.json"))
}

/// Every remembered window, by label; empty (with a warning) when the file
/// is damaged, empty when it is missing.
pub fn load(path: &Path) -> BTreeMap<String, WindowState> {
    let read = std::fs::metadata(path).and_then(|meta| {
        if meta.len() > MAX_FILE_BYTES {
            return Err(std::io::Error::other("it is larger than 1 MiB"));
        }
        std::fs::read(path)
    });
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return BTreeMap::new(),
        Err(error) => {
            eprintln!("millennium: window sizes and positions are not restored: {}: {error}", path.display());
            return BTreeMap::new();
        }
    };
    match serde_json::from_slice::<BTreeMap<String, WindowState>>(&bytes) {
        Ok(states) => states.into_iter().filter(|(_, s)| sane(s)).collect(),
        Err(error) => {
            eprintln!(
                "millennium: window sizes and positions are not restored: {} is damaged ({error}); it will be written anew",
                path.display()
            );
            BTreeMap::new()
        }
    }
}

/// Writes `state` for `label` into the file, keeping the other windows'.
pub fn save(path: &Path, label: &str, state: WindowState) -> Result<(), String> {
    let mut states = load(path);
    states.insert(label.to_owned(), state);
    let json = serde_json::to_vec_pretty(&states).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    crate::atomic_file::write(path, "window-state", Some(0o600), |file| {
        std::io::Write::write_all(file, &json)
    })
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// Finite numbers, a size that could be a window's.
fn sane(state: &WindowState) -> bool {
    [state.x, state.y, state.width, state.height].iter().all(|v| v.is_finite())
        && (1.0..=16384.0).contains(&state.width)
        && (1.0..=16384.0).contains(&state.height)
}

/// `state` moved (and shrunk) so that it lies on one of `monitors`: as it
/// was when enough of it shows on one, else on the first monitor, at its
/// top-left corner. Unchanged when no monitor is known.
pub fn onto(state: WindowState, monitors: &[Area]) -> WindowState {
    let shows_on = |m: &Area| {
        let across = (state.x + state.width).min(m.x + m.width) - state.x.max(m.x);
        let down = (state.y + state.height).min(m.y + m.height) - state.y.max(m.y);
        across >= MIN_VISIBLE.min(state.width) && down >= MIN_VISIBLE.min(state.height)
    };
    if monitors.is_empty() || monitors.iter().any(shows_on) {
        return state;
    }
    let m = monitors[0];
    WindowState {
        x: m.x,
        y: m.y,
        width: state.width.min(m.width),
        height: state.height.min(m.height),
        ..state
    }
}

/// The builder, with `state` in place of the configured size and position.
pub fn apply(builder: WindowBuilder, state: &WindowState) -> WindowBuilder {
    let builder = builder
        .with_inner_size(LogicalSize::new(state.width, state.height))
        .with_position(LogicalPosition::new(state.x, state.y))
        .with_maximized(state.maximized);
    if state.fullscreen {
        builder.with_fullscreen(Some(tao::window::Fullscreen::Borderless(None)))
    } else {
        builder
    }
}

/// What `window` looks like now. A maximized or fullscreen window keeps
/// the size and position it had before, when tao knows them.
pub fn of(window: &Window) -> Option<WindowState> {
    let scale = window.scale_factor();
    let position: LogicalPosition<f64> = window.outer_position().ok()?.to_logical(scale);
    let size: LogicalSize<f64> = crate::platform::inner_size(window).to_logical(scale);
    let state = WindowState {
        x: position.x,
        y: position.y,
        width: size.width,
        height: size.height,
        maximized: window.is_maximized(),
        fullscreen: window.fullscreen().is_some(),
    };
    sane(&state).then_some(state)
}

/// The monitors present now, in logical pixels.
pub fn monitors(target: &tao::event_loop::EventLoopWindowTarget<crate::events::UserEvent>) -> Vec<Area> {
    target
        .available_monitors()
        .map(|m| {
            let scale = m.scale_factor();
            let position: PhysicalPosition<i32> = m.position();
            let size: PhysicalSize<u32> = m.size();
            Area {
                x: f64::from(position.x) / scale,
                y: f64::from(position.y) / scale,
                width: f64::from(size.width) / scale,
                height: f64::from(size.height) / scale,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = Area { x: 0.0, y: 0.0, width: 1280.0, height: 1024.0 };

    fn at(x: f64, y: f64) -> WindowState {
        WindowState { x, y, width: 800.0, height: 600.0, maximized: false, fullscreen: false }
    }

    #[test]
    fn a_window_on_a_monitor_that_is_gone_opens_on_one_that_is_there() {
        assert_eq!(onto(at(100.0, 50.0), &[SCREEN]), at(100.0, 50.0));
        // Mostly off the right edge but still reachable: left as it was.
        assert_eq!(onto(at(1200.0, 50.0), &[SCREEN]), at(1200.0, 50.0));
        // On a second monitor that was unplugged.
        assert_eq!(onto(at(3000.0, 200.0), &[SCREEN]), at(0.0, 0.0));
        let side = Area { x: 1280.0, y: 0.0, width: 1920.0, height: 1080.0 };
        assert_eq!(onto(at(3000.0, 200.0), &[SCREEN, side]), at(3000.0, 200.0));
        // Larger than the monitor it lands on: shrunk to fit.
        let big = WindowState { width: 4000.0, height: 3000.0, ..at(-5000.0, 0.0) };
        let moved = onto(big, &[SCREEN]);
        assert_eq!((moved.x, moved.y, moved.width, moved.height), (0.0, 0.0, 1280.0, 1024.0));
        assert_eq!(onto(at(9e6, 9e6), &[]), at(9e6, 9e6));
    }

    #[test]
    fn the_file_keeps_each_window_and_a_damaged_one_is_ignored() {
        let dir = std::env::temp_dir().join(format!("millennium-window-state-{}", std::process::id()));
        let path = dir.join("config/window-state.json");
        assert!(load(&path).is_empty());
        save(&path, "main", at(10.0, 20.0)).unwrap();
        save(&path, "side", WindowState { maximized: true, ..at(30.0, 40.0) }).unwrap();
        let states = load(&path);
        assert_eq!(states["main"], at(10.0, 20.0));
        assert!(states["side"].maximized);
        for damaged in [&b"{ not json"[..], br#"{"main": {"x": 1}}"#, br#"[1, 2]"#] {
            std::fs::write(&path, damaged).unwrap();
            assert!(load(&path).is_empty());
        }
        // Numbers no window has are dropped, the rest kept.
        std::fs::write(
            &path,
            br#"{"main": {"x": 0, "y": 0, "width": 0, "height": 600, "maximized": false, "fullscreen": false},
                 "side": {"x": 5, "y": 6, "width": 700, "height": 500, "maximized": false, "fullscreen": false}}"#,
        )
        .unwrap();
        assert_eq!(load(&path).keys().collect::<Vec<_>>(), ["side"]);
        save(&path, "main", at(1.0, 2.0)).unwrap();
        assert_eq!(load(&path).len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
