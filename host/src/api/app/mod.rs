//! `Millennium.app`: the app's name and versions (no key needed, as in
//! Tauri v1), and showing or hiding every window.

use millennium_config::model::{AllowlistKey, AppAllowlist};
use serde_json::Value;

use super::{Api, Call, LoopCall, Route, Setup, Surface, json, null, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.app`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppCommand {
    /// `getName()`.
    GetName,
    /// `getVersion()`.
    GetVersion,
    /// `getMillenniumVersion()`: the host's version.
    GetMillenniumVersion,
    /// `show()`.
    Show,
    /// `hide()`.
    Hide,
    /// `getOpenedFiles()`.
    GetOpenedFiles,
}

/// The event the files a later launch opens reach pages by (`{ paths }`).
pub const FILES_OPENED_EVENT: &str = "millennium://files-opened";

impl Api for AppCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["getName", "getVersion", "getMillenniumVersion", "show", "hide", "onSecondInstance", "getOpenedFiles", "onFilesOpened"],
        samples: &[
            sample("app.getName", "{}", "Millennium.app.getName()"),
            sample("app.getVersion", "{}", "Millennium.app.getVersion()"),
            sample("app.getMillenniumVersion", "{}", "Millennium.app.getMillenniumVersion()"),
            sample("app.show", "{}", "Millennium.app.show()"),
            sample("app.hide", "{}", "Millennium.app.hide()"),
            sample("app.getOpenedFiles", "{}", "Millennium.app.getOpenedFiles()"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<AppCommand, DecodeError> {
        Ok(match function {
            "getName" => AppCommand::GetName,
            "getVersion" => AppCommand::GetVersion,
            "getMillenniumVersion" => AppCommand::GetMillenniumVersion,
            "show" => AppCommand::Show,
            "hide" => AppCommand::Hide,
            "getOpenedFiles" => AppCommand::GetOpenedFiles,
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            AppCommand::GetName | AppCommand::GetVersion | AppCommand::GetMillenniumVersion => &[],
            AppCommand::Show => &[AppAllowlist::show],
            AppCommand::Hide => &[AppAllowlist::hide],
            AppCommand::GetOpenedFiles => &[AppAllowlist::get_opened_files],
        }
    }

    fn route(&self) -> Route {
        match self {
            AppCommand::Show | AppCommand::Hide => Route::EventLoop,
            _ => Route::Inline,
        }
    }

    fn run(admitted: Admitted<AppCommand>, call: &Call<'_>) -> Result<Output, String> {
        let app = &call.ctx.config.app;
        match admitted.command() {
            AppCommand::GetName => json(&app.name),
            AppCommand::GetVersion => json(&app.version),
            AppCommand::GetMillenniumVersion => json(env!("CARGO_PKG_VERSION")),
            AppCommand::GetOpenedFiles => {
                let paths: Vec<String> = call
                    .ctx
                    .launch
                    .opened_files
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                json(&paths)
            }
            AppCommand::Show | AppCommand::Hide => Err("app.show and app.hide run on the event loop".to_owned()),
        }
    }

    fn run_in_loop(
        admitted: Admitted<AppCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let visible = *admitted.command() == AppCommand::Show;
        call.windows.set_all_visible(visible);
        Some(null())
    }
}
