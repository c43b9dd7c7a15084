//! IPC between the page and the host: message decoding, the invoke key, and
//! the single allowlist gate every command passes.
//!
//! Two channels carry the same commands. Small JSON calls go through
//! `window.ipc.postMessage` and are answered with `evaluate_script` (the
//! faster path on WebKitGTK); bulk bytes go through a `fetch` to
//! `millennium://localhost/__ipc/<cmd>` with a raw body. Both end in
//! [`authorize`], which checks the key and then the allowlist: there is no
//! other way to reach a command handler.

pub mod decode;
mod registry;
pub mod router;

use millennium_config::model::Allowlist;
use serde_json::Value;

pub use registry::Command;

/// What a command answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A JSON value for the promise.
    Json(Value),
    /// Raw bytes, which only the fetch channel carries.
    Bytes(Vec<u8>),
    /// One range of a larger whole, raw (fetch channel only): the answer
    /// also names the whole's size and version, in headers.
    Part {
        /// The range's bytes.
        bytes: Vec<u8>,
        /// Bytes in the whole.
        total: u64,
        /// Which version of the whole they are from.
        version: String,
    },
}

impl From<Value> for Output {
    fn from(value: Value) -> Output {
        Output::Json(value)
    }
}

/// Header carrying the invoke key on the fetch channel.
pub const KEY_HEADER: &str = "millennium-invoke-key";

/// Path prefix of the fetch channel on the app origin.
pub const FETCH_PREFIX: &str = "/__ipc/";

/// A secret minted once per run and handed only to app-origin pages, through
/// the initialisation script. A request without it is refused.
#[derive(Clone)]
pub struct InvokeKey(String);

impl InvokeKey {
    /// 128 random bits from the OS, hex-encoded.
    pub fn generate() -> Result<InvokeKey, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(InvokeKey(
            bytes.iter().map(|b| format!("{b:02x}")).collect(),
        ))
    }

    /// The key as the bridge presents it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is.
    pub fn matches(&self, presented: &str) -> bool {
        let a = self.0.as_bytes();
        let b = presented.as_bytes();
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for InvokeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvokeKey(..)")
    }
}

/// Why an IPC request was refused before its handler ran.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The message could not be decoded.
    #[error(transparent)]
    Decode(#[from] decode::DecodeError),
    /// Missing or wrong invoke key.
    #[error("IPC request refused: invalid invoke key")]
    BadKey,
    /// The request does not come from the app's origin.
    #[error("IPC request refused: origin `{0}` may not use the Millennium API")]
    ForeignOrigin(String),
    /// A remote page asked to act on a window other than its own.
    #[error("a remote page acts only on its own window, not on `{0}`")]
    OtherWindow(String),
    /// The allowlist does not enable the command.
    #[error("allowlist.{category}.{command} is not enabled in millennium.toml")]
    Denied {
        /// Category of the missing key.
        category: &'static str,
        /// Command of the missing key.
        command: &'static str,
    },
}

/// The allowlist gate: deny by default, naming the first missing key.
#[derive(Debug, Clone)]
pub struct AllowlistGate {
    allowlist: Allowlist,
}

impl AllowlistGate {
    /// A gate enforcing `allowlist`.
    pub fn new(allowlist: Allowlist) -> AllowlistGate {
        AllowlistGate { allowlist }
    }

    /// `Ok` only when every key the command needs is enabled. A key the model
    /// does not know counts as disabled.
    pub fn check(&self, command: &Command) -> Result<(), Refusal> {
        for &key in command.required_keys().iter().chain(command.extra_keys()) {
            if !self.allowlist.permits(key) {
                return Err(Refusal::Denied {
                    category: key.category,
                    command: key.command,
                });
            }
        }
        Ok(())
    }
}

/// A command that passed the gate, typed as the command of one API
/// (`Admitted<FsCommand>`) or as any command (`Admitted<Command>`).
///
/// Its field is private to this module: only [`authorize`] makes an
/// `Admitted<Command>`, and only the router ([`router`], generated from the
/// registry, the one place that knows every API) turns it into the
/// `Admitted<C>` of its API. Every handler takes its `Admitted<C>`, and an
/// API's state is reached only through one (`HostContext::state`, private to
/// the crate), so no handler runs around the gate.
///
/// The types are public (a handler's signature names them):
///
/// ```
/// fn handler(_: millennium_host::ipc::Admitted<millennium_host::api::fs::FsCommand>) {}
/// ```
///
/// but outside the gate an `Admitted` cannot be made:
///
/// ```compile_fail
/// let forged = millennium_host::ipc::Admitted(millennium_host::api::os::OsCommand::Arch);
/// ```
///
/// and the APIs' state cannot be reached without one:
///
/// ```compile_fail
/// fn peek(ctx: &millennium_host::HostContext) {
///     let _ = &ctx.apis;
/// }
/// ```
#[derive(Debug, PartialEq)]
pub struct Admitted<C = Command>(C);

impl<C> Admitted<C> {
    /// The admitted command.
    pub fn command(&self) -> &C {
        &self.0
    }

    /// The admitted command, owned (for handlers that move its data on,
    /// such as a request body).
    pub fn into_command(self) -> C {
        self.0
    }
}

/// The one entry to command handlers: key first, then the allowlist.
pub fn authorize(
    key: &InvokeKey,
    presented: &str,
    gate: &AllowlistGate,
    command: Command,
) -> Result<Admitted, Refusal> {
    if !key.matches(presented) {
        return Err(Refusal::BadKey);
    }
    gate.check(&command)?;
    Ok(Admitted(command))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::app::AppCommand;
    use crate::api::process::ProcessCommand;
    use crate::api::window::{WindowCommand, WindowOp};

    #[test]
    fn deny_by_default_and_name_the_key() {
        let key = InvokeKey::generate().unwrap();
        let gate = AllowlistGate::new(Allowlist::default());
        let exit = Command::Process(ProcessCommand::Exit(0));
        let error = authorize(&key, key.as_str(), &gate, exit.clone()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "allowlist.process.exit is not enabled in millennium.toml"
        );
        let name = Command::App(AppCommand::GetName);
        assert_eq!(
            authorize(&key, key.as_str(), &gate, name.clone()).map(|a| a.command().clone()),
            Ok(name)
        );
    }

    #[test]
    fn wrong_key_is_refused_before_the_allowlist() {
        let key = InvokeKey::generate().unwrap();
        let gate = AllowlistGate::new(Allowlist {
            all: true,
            ..Allowlist::default()
        });
        let name = Command::App(AppCommand::GetName);
        assert_eq!(
            authorize(&key, "", &gate, name.clone()),
            Err(Refusal::BadKey)
        );
        let other = InvokeKey::generate().unwrap();
        assert_eq!(
            authorize(&key, other.as_str(), &gate, name.clone()),
            Err(Refusal::BadKey)
        );
        assert_eq!(key.as_str().len(), 32);
    }

    #[test]
    fn category_all_and_global_all_enable() {
        let mut allowlist = Allowlist::default();
        allowlist.window.all = true;
        let gate = AllowlistGate::new(allowlist);
        let toggle = Command::Window(WindowCommand {
            target: None,
            op: WindowOp::ToggleMaximize,
        });
        assert_eq!(gate.check(&toggle), Ok(()));
        let relaunch = Command::Process(ProcessCommand::Relaunch);
        assert!(gate.check(&relaunch).is_err());
    }

    #[test]
    fn toggle_needs_both_keys() {
        let mut allowlist = Allowlist::default();
        allowlist.window.maximize = true;
        let gate = AllowlistGate::new(allowlist);
        let toggle = Command::Window(WindowCommand {
            target: None,
            op: WindowOp::ToggleMaximize,
        });
        assert_eq!(
            gate.check(&toggle).unwrap_err().to_string(),
            "allowlist.window.unmaximize is not enabled in millennium.toml"
        );
    }
}
