//! `Millennium.deepLink`: the URLs of the app's `[bundle] url-schemes` it
//! was opened with ([`crate::launch`]), and those later launches hand over
//! (`millennium://deep-link`, heard only when the key is on).

use millennium_config::model::{AllowlistKey, DeepLinkAllowlist};
use serde_json::Value;

use super::{Api, Call, Route, Setup, Surface, json, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, unknown};
use crate::ipc::{Admitted, Output};

/// The event a later launch's URLs reach pages by (`{ urls }`).
pub const EVENT: &str = "millennium://deep-link";

/// `Millennium.deepLink`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeepLinkCommand {
    /// `getCurrent()`.
    GetCurrent,
}

impl Api for DeepLinkCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["getCurrent", "onOpenUrl"],
        samples: &[sample("deepLink.getCurrent", "{}", "Millennium.deepLink.getCurrent()")],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<DeepLinkCommand, DecodeError> {
        match function {
            "getCurrent" => Ok(DeepLinkCommand::GetCurrent),
            _ => Err(unknown(cmd)),
        }
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[DeepLinkAllowlist::get_current]
    }

    fn route(&self) -> Route {
        Route::Inline
    }

    fn run(_: Admitted<DeepLinkCommand>, call: &Call<'_>) -> Result<Output, String> {
        let links = &call.ctx.launch.deep_links;
        if links.is_empty() {
            return Ok(Output::Json(Value::Null));
        }
        json(links)
    }
}
