//! `Millennium.sidecar(name)`: JSON-RPC 2.0 calls and notifications to the
//! app's `[[sidecars]]` ([`supervisor`]), limited to the sidecars, methods
//! and windows `[allowlist.sidecar] scope` grants. Remote pages reach only
//! the sidecars their grant names in `sidecars`.
//!
//! Binary results ([`held`]) are held for the app page that called and
//! taken through the fetch channel (`take`); remote pages get them as
//! base64 in the answer.
//!
//! A call is answered later, when the sidecar answers: the handler runs on
//! the event loop only long enough to hand the request to the sidecar's
//! writer thread, and defers its answer, so any number of calls may be in
//! flight without a thread each.

mod held;
pub mod supervisor;

use millennium_config::model::{AllowlistKey, SidecarAllowlist};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, Call, LoopCall, Route, Setup, Surface, sample};
use crate::context::{Caller, ContextError};
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};
pub use supervisor::{FileSource, MAX_MESSAGE_BYTES, SidecarError, Sidecars};

/// `Millennium.sidecar(name)`.
#[derive(Debug, Clone, PartialEq)]
pub enum SidecarCommand {
    /// `call(method, params)`: a request; the promise settles with the answer.
    Call(Message),
    /// `notify(method, params)`: a notification; settles once it is sent.
    Notify(Message),
    /// Part of a binary result held for the calling window (fetch channel).
    Take(Take),
}

/// Which held result, from where, how much.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Take {
    /// The token the call's answer named.
    pub token: String,
    /// Where the part starts.
    pub offset: u64,
    /// Its most bytes.
    pub length: u64,
}

/// Largest part `take` hands out.
const MAX_TAKE_BYTES: u64 = 64 * 1024 * 1024;

/// Which sidecar, which method, with what.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The `[[sidecars]]` name.
    pub sidecar: String,
    /// The JSON-RPC method.
    pub method: String,
    /// Its params: an array, an object, or `null` (sent as none).
    pub params: Value,
}

impl Api for SidecarCommand {
    type State = Sidecars;

    const SURFACE: Surface = Surface {
        members: &["sidecar"],
        samples: &[
            sample(
                "sidecar.call",
                r#"{"sidecar":"echo","method":"ping","params":[]}"#,
                "Millennium.sidecar('echo').call('ping', [])",
            ),
            sample(
                "sidecar.notify",
                r#"{"sidecar":"echo","method":"ping","params":[]}"#,
                "Millennium.sidecar('echo').notify('ping', [])",
            ),
            sample(
                "sidecar.take",
                r#"{"token":"00000000000000000000000000000000","offset":0,"length":1}"#,
                "Millennium.sidecar('echo').call('bytes', [])",
            ),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<Sidecars, ContextError> {
        let data_dir = setup
            .paths
            .base_dir(millennium_config::BaseDirectory::AppData);
        Ok(Sidecars::new(setup.config, setup.sidecar_files.clone(), data_dir))
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<SidecarCommand, DecodeError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Args {
            sidecar: String,
            method: String,
            #[serde(default)]
            params: Value,
        }
        let message = |args| -> Result<Message, DecodeError> {
            let a = parse::<Args>(cmd, args)?;
            if a.sidecar.is_empty() || a.sidecar.len() > 64 {
                return Err(bad(cmd, "the sidecar name must be 1 to 64 characters"));
            }
            if a.method.is_empty() || a.method.len() > 128 {
                return Err(bad(cmd, "the method name must be 1 to 128 characters"));
            }
            if a.method.starts_with("rpc.") || a.method.starts_with("$/") {
                return Err(bad(cmd, "methods named `rpc.*` and `$/*` are the protocol's"));
            }
            if !matches!(a.params, Value::Null | Value::Array(_) | Value::Object(_)) {
                return Err(bad(cmd, "`params` must be an array, an object or absent"));
            }
            Ok(Message {
                sidecar: a.sidecar,
                method: a.method,
                params: a.params,
            })
        };
        Ok(match function {
            "call" => SidecarCommand::Call(message(args)?),
            "notify" => SidecarCommand::Notify(message(args)?),
            "take" => {
                let take = parse::<Take>(cmd, args)?;
                if take.token.len() != 32 || !take.token.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad(cmd, "the token must be the 32 hex digits the answer named"));
                }
                if take.length == 0 || take.length > MAX_TAKE_BYTES {
                    return Err(bad(cmd, "`length` must be 1 to 64 MiB"));
                }
                SidecarCommand::Take(take)
            }
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            SidecarCommand::Call(_) | SidecarCommand::Take(_) => &[SidecarAllowlist::call],
            SidecarCommand::Notify(_) => &[SidecarAllowlist::notify],
        }
    }

    fn route(&self) -> Route {
        match self {
            // Copies out of memory only.
            SidecarCommand::Take(_) => Route::Inline,
            SidecarCommand::Call(_) | SidecarCommand::Notify(_) => Route::EventLoop,
        }
    }

    fn fetch_only(&self) -> Option<&'static str> {
        match self {
            SidecarCommand::Take(_) => {
                Some("binary results travel the fetch channel, which only app pages have")
            }
            SidecarCommand::Call(_) | SidecarCommand::Notify(_) => None,
        }
    }

    fn run(admitted: Admitted<SidecarCommand>, call: &Call<'_>) -> Result<Output, String> {
        let sidecars = call.ctx.state(&admitted);
        let SidecarCommand::Take(take) = admitted.command() else {
            return Err("internal error: a sidecar call off the event loop".to_owned());
        };
        sidecars.take(&take.token, call.label, take.offset, take.length)
    }

    fn run_in_loop(
        admitted: Admitted<SidecarCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let (SidecarCommand::Call(message) | SidecarCommand::Notify(message)) = admitted.command()
        else {
            return Some(Err("internal error: `take` on the event loop".to_owned()));
        };
        let remote = match call.caller {
            Caller::App => false,
            Caller::Remote(index) => {
                let named = call.windows.ctx().remote.get(index).is_some_and(|grant| {
                    grant.sidecars.contains(&message.sidecar)
                });
                if !named {
                    return Some(Err(format!(
                        "sidecar `{}` is out of reach of remote pages: their grant \
                         (`dangerous-remote-domain-ipc-access`) does not name it in `sidecars`",
                        message.sidecar
                    )));
                }
                true
            }
        };
        let sidecars = call.windows.ctx().state(&admitted);
        let sidecar = match sidecars.granted(&message.sidecar, &message.method, call.label) {
            Ok(sidecar) => sidecar.clone(),
            Err(error) => return Some(Err(error.to_string())),
        };
        let proxy = call.windows.proxy().clone();
        match admitted.command() {
            SidecarCommand::Call(message) => {
                let label = call.label.to_owned();
                let answer = call.defer();
                sidecar.call(&message.method, &message.params, &label, remote, &proxy, answer);
                None
            }
            SidecarCommand::Take(_) => Some(Err("internal error: `take` on the event loop".to_owned())),
            SidecarCommand::Notify(message) => Some(
                sidecar
                    .notify(&message.method, &message.params, &proxy)
                    .map(|()| Output::Json(Value::Null))
                    .map_err(|e| e.to_string()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ipc::decode::testing::decode as sidecar;

    #[test]
    fn sidecar_commands_decode_with_their_keys() {
        let call = sidecar("sidecar.call", r#"{"sidecar":"db","method":"search","params":{"q":"x"}}"#)
            .unwrap();
        assert_eq!(call.required_keys(), &[("sidecar", "call")]);
        let notify = sidecar("sidecar.notify", r#"{"sidecar":"db","method":"index"}"#).unwrap();
        assert_eq!(notify.required_keys(), &[("sidecar", "notify")]);
    }

    #[test]
    fn malformed_sidecar_calls_are_refused_before_anything_runs() {
        for (args, needle) in [
            (r#"{"sidecar":"","method":"m"}"#, "1 to 64"),
            (r#"{"sidecar":"db","method":""}"#, "1 to 128"),
            (r#"{"sidecar":"db","method":"rpc.discover"}"#, "the protocol's"),
            (r#"{"sidecar":"db","method":"$/cancelRequest"}"#, "the protocol's"),
            (r#"{"sidecar":"db","method":"m","params":3}"#, "array, an object"),
            (r#"{"sidecar":"db","method":"m","extra":1}"#, "unknown field"),
            (r#"{"method":"m"}"#, "missing field `sidecar`"),
        ] {
            let error = sidecar("sidecar.call", args).expect_err(args);
            assert!(error.contains(needle), "{args}: `{error}` lacks `{needle}`");
        }
        assert!(sidecar("sidecar.spawn", "{}").unwrap_err().contains("unknown command"));
    }
}
