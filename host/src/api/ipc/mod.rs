//! `Millennium.ipc`: the raw channel the other namespaces are built on
//! (`invoke`, `invokeBinary`), and its internal no-op round trip `ping`,
//! which the benchmarks and the end-to-end tests time. On the fetch channel
//! `ping` echoes its body, moved and not copied.

use millennium_config::model::AllowlistKey;
use serde_json::Value;

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, raw_body, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.ipc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpcCommand {
    /// A no-op round trip; on the fetch channel the body comes back.
    Ping {
        /// The fetch channel's body; `None` on `postMessage`.
        echo: Option<Vec<u8>>,
    },
    /// The bridge of a page came up (sent only by a freshly updated
    /// version's main window): the update is healthy.
    Ready,
}

impl Api for IpcCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["invoke", "invokeBinary"],
        samples: &[
            sample("ipc.ping", "{}", "Millennium.ipc.invoke('ipc.ping')"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, _args: Value) -> Result<IpcCommand, DecodeError> {
        match function {
            "ping" => Ok(IpcCommand::Ping { echo: None }),
            "ready" => Ok(IpcCommand::Ready),
            _ => Err(unknown(cmd)),
        }
    }

    fn decode_fetch(
        cmd: &str,
        function: &str,
        query: &str,
        body: &mut Vec<u8>,
    ) -> Result<IpcCommand, DecodeError> {
        if function != "ping" {
            return Err(unknown(cmd));
        }
        if !query.is_empty() {
            return Err(bad(cmd, "this command takes no query string"));
        }
        // Raw bytes get the larger cap; they are not parsed.
        Ok(IpcCommand::Ping {
            echo: Some(raw_body(body)?),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[]
    }

    fn route(&self) -> Route {
        Route::Inline
    }

    fn run(admitted: Admitted<IpcCommand>, call: &Call<'_>) -> Result<Output, String> {
        match admitted.into_command() {
            IpcCommand::Ping { echo } => Ok(match echo {
                Some(bytes) => Output::Bytes(bytes),
                None => Output::Json(Value::Null),
            }),
            IpcCommand::Ready => {
                if call.ctx.is_main_window(call.label) {
                    crate::updater::report_healthy_once();
                }
                Ok(Output::Json(Value::Null))
            }
        }
    }
}
