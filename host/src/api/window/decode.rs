//! Decoding `Millennium.window.*`: every command may name its target
//! window (`label`); the rest is per command.

use serde::Deserialize;
use serde_json::Value;
use tao::window::CursorIcon;

use super::{Position, Size, WindowCommand, WindowOp, WindowOptions};
use crate::ipc::decode::{DecodeError, bad, parse, unknown};

pub(super) fn decode_window(
    cmd: &str,
    function: &str,
    mut args: Value,
) -> Result<WindowCommand, DecodeError> {
    // Every window command may name its target; the rest is per command.
    let target = match args.as_object_mut().and_then(|o| o.remove("label")) {
        None | Some(Value::Null) => None,
        Some(Value::String(label)) => Some(label),
        Some(_) => return Err(bad(cmd, "`label` must be a string")),
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Flag {
        value: bool,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Text {
        value: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SizeArg {
        value: Size,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OptSize {
        #[serde(default)]
        value: Option<Size>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PosArg {
        value: Position,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Create {
        #[serde(default)]
        options: WindowOptions,
    }
    let flag = |args| parse::<Flag>(cmd, args).map(|f| f.value);
    let no_args = |args: &Value| match args.as_object() {
        Some(o) if o.is_empty() => Ok(()),
        _ => Err(bad(cmd, "this command takes no arguments")),
    };
    use WindowOp as W;
    let op = match function {
        "create" => {
            let label = target
                .clone()
                .ok_or_else(|| bad(cmd, "a new window needs a `label`"))?;
            let create = parse::<Create>(cmd, args)?;
            return Ok(WindowCommand {
                target: None,
                op: W::Create {
                    label,
                    options: Box::new(create.options),
                },
            });
        }
        "setResizable" => W::SetResizable(flag(args)?),
        "setTitle" => W::SetTitle(parse::<Text>(cmd, args)?.value),
        "setDecorations" => W::SetDecorations(flag(args)?),
        "setAlwaysOnTop" => W::SetAlwaysOnTop(flag(args)?),
        "setSize" => W::SetSize(check_size(cmd, parse::<SizeArg>(cmd, args)?.value)?),
        "setMinSize" => W::SetMinSize(match parse::<OptSize>(cmd, args)?.value {
            Some(s) => Some(check_size(cmd, s)?),
            None => None,
        }),
        "setMaxSize" => W::SetMaxSize(match parse::<OptSize>(cmd, args)?.value {
            Some(s) => Some(check_size(cmd, s)?),
            None => None,
        }),
        "setPosition" => W::SetPosition(check_position(cmd, parse::<PosArg>(cmd, args)?.value)?),
        "setCursorPosition" => {
            W::SetCursorPosition(check_position(cmd, parse::<PosArg>(cmd, args)?.value)?)
        }
        "setFullscreen" => W::SetFullscreen(flag(args)?),
        "setSkipTaskbar" => W::SetSkipTaskbar(flag(args)?),
        "setCursorGrab" => W::SetCursorGrab(flag(args)?),
        "setCursorIcon" => W::SetCursorIcon(cursor_icon(cmd, &parse::<Text>(cmd, args)?.value)?),
        "setCursorVisible" => W::SetCursorVisible(flag(args)?),
        "setIgnoreCursorEvents" => W::SetIgnoreCursorEvents(flag(args)?),
        "interceptClose" => W::InterceptClose(flag(args)?),
        other => {
            no_args(&args)?;
            match other {
                "labels" => W::Labels,
                "title" => W::Title,
                "innerSize" => W::InnerSize,
                "outerSize" => W::OuterSize,
                "innerPosition" => W::InnerPosition,
                "outerPosition" => W::OuterPosition,
                "scaleFactor" => W::ScaleFactor,
                "isFullscreen" => W::IsFullscreen,
                "isMaximized" => W::IsMaximized,
                "isMinimized" => W::IsMinimized,
                "isFocused" => W::IsFocused,
                "isDecorated" => W::IsDecorated,
                "isResizable" => W::IsResizable,
                "isVisible" => W::IsVisible,
                "theme" => W::Theme,
                "center" => W::Center,
                "requestUserAttention" => W::RequestUserAttention,
                "maximize" => W::Maximize,
                "unmaximize" => W::Unmaximize,
                "toggleMaximize" => W::ToggleMaximize,
                "minimize" => W::Minimize,
                "unminimize" => W::Unminimize,
                "show" => W::Show,
                "hide" => W::Hide,
                "close" => W::Close,
                "setFocus" => W::SetFocus,
                "startDragging" => W::StartDragging,
                "print" => W::Print,
                "confirmClose" => W::ConfirmClose,
                _ => return Err(unknown(cmd)),
            }
        }
    };
    Ok(WindowCommand { target, op })
}

/// Cursor names of Tauri v1's `CursorIcon` type, in its spelling.
const CURSOR_ICONS: &[(&str, CursorIcon)] = &[
    ("default", CursorIcon::Default),
    ("crosshair", CursorIcon::Crosshair),
    ("hand", CursorIcon::Hand),
    ("arrow", CursorIcon::Arrow),
    ("move", CursorIcon::Move),
    ("text", CursorIcon::Text),
    ("wait", CursorIcon::Wait),
    ("help", CursorIcon::Help),
    ("progress", CursorIcon::Progress),
    ("notAllowed", CursorIcon::NotAllowed),
    ("contextMenu", CursorIcon::ContextMenu),
    ("cell", CursorIcon::Cell),
    ("verticalText", CursorIcon::VerticalText),
    ("alias", CursorIcon::Alias),
    ("copy", CursorIcon::Copy),
    ("noDrop", CursorIcon::NoDrop),
    ("grab", CursorIcon::Grab),
    ("grabbing", CursorIcon::Grabbing),
    ("allScroll", CursorIcon::AllScroll),
    ("zoomIn", CursorIcon::ZoomIn),
    ("zoomOut", CursorIcon::ZoomOut),
    ("eResize", CursorIcon::EResize),
    ("nResize", CursorIcon::NResize),
    ("neResize", CursorIcon::NeResize),
    ("nwResize", CursorIcon::NwResize),
    ("sResize", CursorIcon::SResize),
    ("seResize", CursorIcon::SeResize),
    ("swResize", CursorIcon::SwResize),
    ("wResize", CursorIcon::WResize),
    ("ewResize", CursorIcon::EwResize),
    ("nsResize", CursorIcon::NsResize),
    ("neswResize", CursorIcon::NeswResize),
    ("nwseResize", CursorIcon::NwseResize),
    ("colResize", CursorIcon::ColResize),
    ("rowResize", CursorIcon::RowResize),
];

fn cursor_icon(cmd: &str, name: &str) -> Result<CursorIcon, DecodeError> {
    CURSOR_ICONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, icon)| *icon)
        .ok_or_else(|| {
            bad(
                cmd,
                format!("unknown cursor `{name}` (expected a Tauri v1 cursor name such as `default`, `hand`, `text`, `ewResize`)"),
            )
        })
}

/// Sizes must be finite, positive and below the largest window we accept.
fn check_size(cmd: &str, size: Size) -> Result<Size, DecodeError> {
    let ok = |v: f64| v.is_finite() && (1.0..=16384.0 * 8.0).contains(&v);
    if ok(size.width) && ok(size.height) {
        Ok(size)
    } else {
        Err(bad(cmd, "width and height must be between 1 and 131072"))
    }
}

fn check_position(cmd: &str, pos: Position) -> Result<Position, DecodeError> {
    let ok = |v: f64| v.is_finite() && v.abs() <= 1_048_576.0;
    if ok(pos.x) && ok(pos.y) {
        Ok(pos)
    } else {
        Err(bad(cmd, "x and y must be finite and within ±1048576"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Command;
    use crate::ipc::decode::decode_message;
    use crate::ipc::decode::testing::msg;

    #[test]
    fn window_create_takes_label_and_options() {
        let text = msg(
            "window.create",
            r#"{"label":"second","options":{"url":"second.html","width":300,"alwaysOnTop":true}}"#,
        );
        let (_, command) = decode_message(&text).unwrap();
        let Command::Window(WindowCommand {
            op: WindowOp::Create { label, options },
            ..
        }) = command
        else {
            panic!("not a create: {command:?}");
        };
        assert_eq!(label, "second");
        assert_eq!(options.url.as_deref(), Some("second.html"));
        assert_eq!(options.always_on_top, Some(true));
    }

    #[test]
    fn cursor_icons_use_tauri_v1_names() {
        let icon = |name: &str| {
            let text = msg(
                "window.setCursorIcon",
                &serde_json::json!({"value": name}).to_string(),
            );
            decode_message(&text)
                .map(|(_, c)| c)
                .map_err(|(_, e)| e.to_string())
        };
        let expect = |c: CursorIcon| {
            Ok(Command::Window(WindowCommand {
                target: None,
                op: WindowOp::SetCursorIcon(c),
            }))
        };
        assert_eq!(icon("hand"), expect(CursorIcon::Hand));
        assert_eq!(icon("ewResize"), expect(CursorIcon::EwResize));
        assert_eq!(icon("notAllowed"), expect(CursorIcon::NotAllowed));
        assert_eq!(icon("default"), expect(CursorIcon::Default));
        assert_eq!(CURSOR_ICONS.len(), 35, "Tauri v1 has 35 cursor names");
        for wrong in ["Hand", "not-allowed", "pointer", ""] {
            assert!(
                icon(wrong).is_err_and(|e| e.contains("unknown cursor")),
                "{wrong}"
            );
        }
        let not_text = msg("window.setCursorIcon", r#"{"value":3}"#);
        assert!(decode_message(&not_text).is_err());
        let (_, command) =
            decode_message(&msg("window.setCursorIcon", r#"{"value":"wait"}"#)).unwrap();
        assert_eq!(command.required_keys(), &[("window", "set-cursor-icon")]);
    }

}
