//! The operations of `Millennium.window` on one window, on the event loop.

use serde_json::{Value, json};
use tao::dpi::{LogicalPosition, LogicalSize, PhysicalPosition, PhysicalSize, Position, Size};

use super::windows::theme_name;
use super::{Unit, WindowOp, config};
use crate::api::LoopCall;
use crate::platform;

/// Applies `op` to the window labelled `label`.
pub(super) fn apply(call: &mut LoopCall<'_>, label: &str, op: WindowOp) -> Result<Value, String> {
    let windows = &mut *call.windows;
    use WindowOp as W;
    if let W::Create { label, options } = &op {
        if !config::is_valid_label(label) {
            return Err(format!(
                "`{label}` is not a valid window label (1 to 64 of A-Z a-z 0-9 _ : / -)"
            ));
        }
        if windows.contains(label) {
            return Err(format!("a window labelled `{label}` already exists"));
        }
        if let Some(url) = &options.url {
            config::check_created_url(url, &windows.ctx().navigation)?;
        }
        let config = config::from_options(label, options);
        windows.open(call.target, &config).map_err(|e| e.to_string())?;
        return Ok(Value::Null);
    }
    if let W::Labels = op {
        let mut labels: Vec<&String> = windows.labels().collect();
        labels.sort();
        return Ok(json!(labels));
    }
    if let W::Close = op {
        if !windows.contains(label) {
            return Err(format!("no window labelled `{label}`"));
        }
        windows.request_close(label, call.control_flow);
        return Ok(Value::Null);
    }
    if let W::ConfirmClose = op {
        if windows.open.get(label).is_some_and(|w| w.close_pending) {
            windows.finish_close(label, call.control_flow);
        }
        return Ok(Value::Null);
    }
    let entry = windows
        .open
        .get_mut(label)
        .ok_or_else(|| format!("no window labelled `{label}`"))?;
    let w = &entry.window;
    let null = Ok(Value::Null);
    match op {
        W::Create { .. } | W::Labels | W::Close | W::ConfirmClose => null,
        W::Title => Ok(json!(w.title())),
        W::InnerSize => Ok(size_json(platform::inner_size(w))),
        W::OuterSize => Ok(size_json(w.outer_size())),
        W::InnerPosition => w
            .inner_position()
            .map(position_json)
            .map_err(|e| e.to_string()),
        W::OuterPosition => w
            .outer_position()
            .map(position_json)
            .map_err(|e| e.to_string()),
        W::ScaleFactor => Ok(json!(w.scale_factor())),
        W::IsFullscreen => Ok(json!(w.fullscreen().is_some())),
        W::IsMaximized => Ok(json!(w.is_maximized())),
        W::IsMinimized => Ok(json!(w.is_minimized())),
        W::IsFocused => Ok(json!(w.is_focused())),
        W::IsDecorated => Ok(json!(w.is_decorated())),
        W::IsResizable => Ok(json!(w.is_resizable())),
        W::IsVisible => Ok(json!(w.is_visible())),
        W::Theme => Ok(json!(theme_name(w.theme()))),
        W::Center => {
            config::center(w, None);
            null
        }
        W::RequestUserAttention => {
            w.request_user_attention(Some(tao::window::UserAttentionType::Informational));
            null
        }
        W::SetResizable(v) => {
            w.set_resizable(v);
            null
        }
        W::SetTitle(title) => {
            w.set_title(&title);
            null
        }
        W::Maximize => {
            w.set_maximized(true);
            null
        }
        W::Unmaximize => {
            w.set_maximized(false);
            null
        }
        W::ToggleMaximize => {
            w.set_maximized(!w.is_maximized());
            null
        }
        W::Minimize => {
            w.set_minimized(true);
            null
        }
        W::Unminimize => {
            w.set_minimized(false);
            null
        }
        W::Show => {
            w.set_visible(true);
            null
        }
        W::Hide => {
            w.set_visible(false);
            null
        }
        W::SetDecorations(v) => {
            w.set_decorations(v);
            null
        }
        W::SetAlwaysOnTop(v) => {
            w.set_always_on_top(v);
            null
        }
        W::SetSize(s) => {
            w.set_inner_size(to_size(s.unit, s.width, s.height));
            null
        }
        W::SetMinSize(s) => {
            w.set_min_inner_size(s.map(|s| to_size(s.unit, s.width, s.height)));
            null
        }
        W::SetMaxSize(s) => {
            w.set_max_inner_size(s.map(|s| to_size(s.unit, s.width, s.height)));
            null
        }
        W::SetPosition(p) => {
            w.set_outer_position(to_position(p.unit, p.x, p.y));
            null
        }
        W::SetFullscreen(v) => {
            w.set_fullscreen(v.then_some(tao::window::Fullscreen::Borderless(None)));
            null
        }
        W::SetFocus => {
            w.set_focus();
            null
        }
        W::SetSkipTaskbar(v) => platform::set_skip_taskbar(w, v).map(|()| Value::Null),
        W::SetCursorGrab(v) => w
            .set_cursor_grab(v)
            .map(|()| Value::Null)
            .map_err(|e| e.to_string()),
        W::SetCursorIcon(icon) => {
            w.set_cursor_icon(icon);
            null
        }
        W::SetCursorVisible(v) => {
            w.set_cursor_visible(v);
            null
        }
        W::SetCursorPosition(p) => w
            .set_cursor_position(to_position(p.unit, p.x, p.y))
            .map(|()| Value::Null)
            .map_err(|e| e.to_string()),
        W::SetIgnoreCursorEvents(v) => w
            .set_ignore_cursor_events(v)
            .map(|()| Value::Null)
            .map_err(|e| e.to_string()),
        W::StartDragging => w
            .drag_window()
            .map(|()| Value::Null)
            .map_err(|e| e.to_string()),
        W::Print => entry
            .webview
            .print()
            .map(|()| Value::Null)
            .map_err(|e| e.to_string()),
        W::InterceptClose(v) => {
            entry.intercept_close = v;
            null
        }
    }
}

fn size_json(size: PhysicalSize<u32>) -> Value {
    json!({"type": "Physical", "width": size.width, "height": size.height})
}

fn position_json(pos: PhysicalPosition<i32>) -> Value {
    json!({"type": "Physical", "x": pos.x, "y": pos.y})
}

fn to_size(unit: Unit, width: f64, height: f64) -> Size {
    match unit {
        Unit::Logical => Size::Logical(LogicalSize::new(width, height)),
        Unit::Physical => Size::Physical(PhysicalSize::new(width as u32, height as u32)),
    }
}

fn to_position(unit: Unit, x: f64, y: f64) -> Position {
    match unit {
        Unit::Logical => Position::Logical(LogicalPosition::new(x, y)),
        Unit::Physical => Position::Physical(PhysicalPosition::new(x as i32, y as i32)),
    }
}
