//! `Millennium.cli`: the command line the app was launched with, as its
//! `[cli]` declares it (parsed before any window opened, by
//! [`crate::launch`]). Data for the page, never configuration.

use millennium_config::model::{AllowlistKey, CliAllowlist};
use serde_json::Value;

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.cli`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliCommand {
    /// `getMatches()`.
    GetMatches,
}

impl Api for CliCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["getMatches"],
        samples: &[sample("cli.getMatches", "{}", "Millennium.cli.getMatches()")],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<CliCommand, DecodeError> {
        match function {
            "getMatches" => Ok(CliCommand::GetMatches),
            _ => Err(unknown(cmd)),
        }
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[CliAllowlist::get_matches]
    }

    fn route(&self) -> Route {
        Route::Inline
    }

    fn run(_: Admitted<CliCommand>, call: &Call<'_>) -> Result<Output, String> {
        Ok(Output::Json(call.ctx.launch.matches.clone()))
    }
}
