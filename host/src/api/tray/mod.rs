//! `Millennium.tray`: the `[tray]` changed at run time. The tray itself is
//! [`crate::desktop::tray`].

use millennium_config::model::{AllowlistKey, TrayAllowlist};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, LoopCall, Route, Setup, Surface, null, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.tray`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayCommand {
    /// `setIcon(path)`: a PNG of the frontend directory.
    SetIcon(String),
    /// `setTooltip(text)`; `None` for the app's name.
    SetTooltip(Option<String>),
    /// `setTitle(text)`.
    SetTitle(Option<String>),
    /// `setMenu(menu)`: a declared menu, or none.
    SetMenu(Option<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathArgs {
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextArgs {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuArgs {
    menu: Option<String>,
}

impl Api for TrayCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["setIcon", "setTooltip", "setTitle", "setMenu"],
        samples: &[
            sample("tray.setIcon", r#"{"path":"icon.png"}"#, "Millennium.tray.setIcon('icon.png')"),
            sample("tray.setTooltip", r#"{"text":"x"}"#, "Millennium.tray.setTooltip('x')"),
            sample("tray.setTitle", r#"{"text":"x"}"#, "Millennium.tray.setTitle('x')"),
            sample("tray.setMenu", r#"{"menu":null}"#, "Millennium.tray.setMenu(null)"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<TrayCommand, DecodeError> {
        let text = |args: Value, max: usize| -> Result<Option<String>, DecodeError> {
            let text = parse::<TextArgs>(cmd, args)?.text;
            if text.as_ref().is_some_and(|t| t.chars().count() > max) {
                return Err(bad(cmd, format!("the text is at most {max} characters")));
            }
            Ok(text)
        };
        Ok(match function {
            "setIcon" => TrayCommand::SetIcon(parse::<PathArgs>(cmd, args)?.path),
            "setTooltip" => TrayCommand::SetTooltip(text(args, 200)?),
            "setTitle" => TrayCommand::SetTitle(text(args, 64)?),
            "setMenu" => TrayCommand::SetMenu(parse::<MenuArgs>(cmd, args)?.menu),
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            TrayCommand::SetIcon(_) => &[TrayAllowlist::set_icon],
            TrayCommand::SetTooltip(_) => &[TrayAllowlist::set_tooltip],
            TrayCommand::SetTitle(_) => &[TrayAllowlist::set_title],
            TrayCommand::SetMenu(_) => &[TrayAllowlist::set_menu],
        }
    }

    fn route(&self) -> Route {
        // The tray is GTK, on the UI thread.
        Route::EventLoop
    }

    fn run_in_loop(admitted: Admitted<TrayCommand>, call: &mut LoopCall<'_>) -> Option<Result<Output, String>> {
        let windows = &mut *call.windows;
        let ctx = windows.ctx().clone();
        let result = match admitted.into_command() {
            TrayCommand::SetIcon(path) => frontend_file(&ctx, &path)
                .and_then(|bytes| windows.desktop.set_tray_icon(&bytes))
                .map_err(|e| format!("tray icon `{path}`: {e}")),
            TrayCommand::SetTooltip(text) => {
                let text = text.unwrap_or_else(|| ctx.config.app.name.clone());
                windows.desktop.set_tray_tooltip(&text)
            }
            TrayCommand::SetTitle(text) => windows.desktop.set_tray_title(text.as_deref()),
            TrayCommand::SetMenu(menu) => windows.desktop.set_tray_menu(&ctx.config, menu.as_deref()),
        };
        Some(result.and_then(|()| null()))
    }
}

/// A file of the frontend (directory or payload), for an icon: at most
/// [`millennium_config::icon::MAX_BYTES`].
pub(crate) fn frontend_file(ctx: &crate::HostContext, path: &str) -> Result<Vec<u8>, String> {
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err("the path must name a file inside the frontend directory, e.g. `icons/tray.png`".to_owned());
    }
    let asset = ctx.assets().resolve(&format!("/{path}")).map_err(|e| e.to_string())?;
    if asset.path.segments().join("/") != path {
        return Err("no such file in the frontend directory".to_owned());
    }
    if asset.bytes.len() > millennium_config::icon::MAX_BYTES {
        return Err(millennium_config::icon::IconError::TooLarge(asset.bytes.len()).to_string());
    }
    Ok(asset.bytes.into_owned())
}
