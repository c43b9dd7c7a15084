//! `Millennium.process`: exit with a code, or start the app again.

use millennium_config::model::{AllowlistKey, ProcessAllowlist};
use serde::Deserialize;
use serde_json::Value;
use tao::event_loop::ControlFlow;

use super::{Api, LoopCall, Route, Setup, Surface, null, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.process`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessCommand {
    /// `exit(code)`.
    Exit(i32),
    /// `relaunch()`.
    Relaunch,
}

impl Api for ProcessCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["exit", "relaunch"],
        samples: &[
            sample("process.exit", r#"{"code":3}"#, "Millennium.process.exit(3)"),
            sample("process.relaunch", "{}", "Millennium.process.relaunch()"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<ProcessCommand, DecodeError> {
        Ok(match function {
            "exit" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct A {
                    #[serde(default)]
                    code: i32,
                }
                ProcessCommand::Exit(parse::<A>(cmd, args)?.code)
            }
            "relaunch" => ProcessCommand::Relaunch,
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            ProcessCommand::Exit(_) => &[ProcessAllowlist::exit],
            ProcessCommand::Relaunch => &[ProcessAllowlist::relaunch],
        }
    }

    fn route(&self) -> Route {
        Route::EventLoop
    }

    fn run_in_loop(
        admitted: Admitted<ProcessCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        Some(match *admitted.command() {
            ProcessCommand::Exit(code) => {
                *call.control_flow = ControlFlow::ExitWithCode(code);
                null()
            }
            ProcessCommand::Relaunch => relaunch().map(|()| {
                *call.control_flow = ControlFlow::ExitWithCode(0);
                Output::Json(Value::Null)
            }),
        })
    }
}

fn relaunch() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot relaunch: {e}"))?;
    std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .spawn()
        .map_err(|e| format!("cannot relaunch: {e}"))?;
    Ok(())
}
