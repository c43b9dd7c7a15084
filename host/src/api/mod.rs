//! The JS APIs, one folder per `Millennium.<namespace>`. Each folder owns
//! its command types, their decoding (with its unit tests), the allowlist
//! keys each command needs, where each command runs, the handler, its
//! state, its fragment of the JS bridge (`bridge.js`) and its part of the
//! TypeScript declarations (`api.d.ts`). The registry, `apis!` below, has
//! one line per folder; the folder joins the app through that line alone
//! (what the line generates is in `ipc/registry.rs`).
//!
//! Architecture invariant: a handler takes the gate's `Admitted<C>` for its
//! own command type, and reaches its state only through it
//! (`HostContext::state`); the router is the only code that turns the
//! gate's `Admitted<Command>` into an `Admitted<C>`.

/// The registry: one line per JS API, `namespace => Variant(CommandType)`,
/// naming the folder `api/<namespace>/` and the command type it defines.
/// Everything else about the APIs is generated from this list: their
/// modules (below), and in [`crate::ipc`] the `Command` enum, the decoders
/// of both channels, the keys the gate asks for, the routes, the router,
/// the per-API state, the bridge script and the declarations. The order is
/// the bridge's and the declaration file's.
macro_rules! apis {
    ($then:ident) => {
        $then! {
            app => App(AppCommand),
            process => Process(ProcessCommand),
            event => Event(EventCommand),
            window => Window(WindowCommand),
            os => Os(OsCommand),
            path => Path(PathCommand),
            fs => Fs(FsCommand),
            clipboard => Clipboard(ClipboardCommand),
            notification => Notification(NotificationCommand),
            dialog => Dialog(DialogCommand),
            shell => Shell(ShellCommand),
            http => Http(HttpCommand),
            updater => Updater(UpdaterCommand),
            sidecar => Sidecar(SidecarCommand),
            cli => Cli(CliCommand),
            deepLink => DeepLink(DeepLinkCommand),
            autostart => Autostart(AutostartCommand),
            menu => Menu(MenuCommand),
            tray => Tray(TrayCommand),
            globalShortcut => GlobalShortcut(GlobalShortcutCommand),
            ipc => Ipc(IpcCommand),
        }
    };
}
pub(crate) use apis;

macro_rules! declare_modules {
    ( $( $ns:ident => $variant:ident ( $ty:ident ), )* ) => {
        // Folders are named as the JS namespace (`deepLink`).
        $( #[allow(non_snake_case)] pub mod $ns; )*
    };
}
apis!(declare_modules);

pub mod call;

use millennium_config::model::{AllowlistKey, Config};
use serde_json::Value;

pub use call::{Call, Deferred, LoopCall};

use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, decode_command, decode_fetch, json_fetch_args};
use crate::ipc::{Admitted, Command, Output};
use fs::FsScope;
use path::PathContext;

/// Where a command runs. Both IPC channels ask the registry and follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Where it arrives (the event loop or the fetch channel's thread): it is
    /// quick and needs nothing but the context.
    Inline,
    /// Off the UI thread: it blocks on files, processes, the network or
    /// D-Bus. The fetch channel runs it on its own request thread; the event
    /// loop starts a thread for it.
    Worker,
    /// On the event loop: it needs windows or the loop itself.
    EventLoop,
}

/// What an API is given to prepare its state: the validated config, the
/// base directories, and the fs scope that `fs`, `dialog` and the grants of
/// picked paths share.
pub struct Setup<'a> {
    /// The validated config.
    pub config: &'a Config,
    /// Base directories.
    pub paths: &'a PathContext,
    /// The compiled fs scope (clones share the grants).
    pub scope: &'a FsScope,
    /// Where the sidecars' files are: the app's directory, or the payload.
    pub sidecar_files: &'a sidecar::FileSource,
}

/// The JS surface of an API, for the tests that must cover all of it (the
/// bridge and declaration check, the decoder's key coverage, and the
/// end-to-end test that calls every command with its key off).
#[derive(Debug)]
pub struct Surface {
    /// Names the API's `bridge.js` defines and its `api.d.ts` declares.
    pub members: &'static [&'static str],
    /// One sample per command.
    pub samples: &'static [Sample],
}

/// A sample call of one command. In `args`, `query` and `js`, the tests
/// replace `$FILE` (an existing file in the fs scope), `$NEW` (a path in
/// the scope that does not exist), `$DIR` (the scope's directory), `$URL`
/// (a URL in the http scope), `$PROGRAM` (a command of the shell scope) and
/// `$MARKER` (a path that program would create): in `args` and `query` with
/// the bare text, in `js` with a JSON string literal.
#[derive(Debug)]
pub struct Sample {
    /// `namespace.function`.
    pub cmd: &'static str,
    /// The JSON arguments (`postMessage`, or the fetch body).
    pub args: &'static str,
    /// The fetch channel's query, for commands that only travel it that way.
    pub query: Option<&'static str>,
    /// A page's call that sends this command and returns a promise.
    pub js: &'static str,
}

impl Sample {
    /// The command this sample sends, with its placeholders replaced by
    /// `fill` (bare text), decoded on the channel it travels.
    pub fn decode(&self, fill: impl Fn(&str) -> String) -> Result<Command, DecodeError> {
        match self.query {
            Some(query) => decode_fetch(
                self.cmd,
                Some(&fill(query)),
                &mut fill(self.args).into_bytes(),
            ),
            None => decode_command(
                self.cmd,
                serde_json::from_str(&fill(self.args))
                    .map_err(|e| DecodeError::Malformed(e.to_string()))?,
            ),
        }
    }
}

/// A [`Sample`] sent over `postMessage` (or a JSON fetch body).
pub const fn sample(cmd: &'static str, args: &'static str, js: &'static str) -> Sample {
    Sample {
        cmd,
        args,
        query: None,
        js,
    }
}

/// One JS API: how its commands are decoded, gated, routed and run.
pub trait Api: Sized + Send + 'static {
    /// What the API keeps for the whole run (scopes, clients, children).
    type State: Send + Sync + std::fmt::Debug;

    /// Its part of `window.Millennium`, for the tests.
    const SURFACE: Surface;

    /// Builds the state from the config, once per app.
    fn prepare(setup: &Setup<'_>) -> Result<Self::State, ContextError>;

    /// Decodes `function` of this namespace from its JSON arguments (always
    /// an object). `cmd` is the full name, for error messages.
    fn decode(cmd: &str, function: &str, args: Value) -> Result<Self, DecodeError>;

    /// Decodes a fetch-channel request: the URL's query (percent-encoded,
    /// `""` when absent) and the raw body. By default the query must be
    /// empty and the body is the JSON arguments, as on `postMessage`.
    fn decode_fetch(
        cmd: &str,
        function: &str,
        query: &str,
        body: &mut Vec<u8>,
    ) -> Result<Self, DecodeError> {
        Self::decode(cmd, function, json_fetch_args(cmd, query, body)?)
    }

    /// Every allowlist key the command needs; empty for none.
    fn required_keys(&self) -> &'static [AllowlistKey];

    /// The command as sent from window `label` (before the gate): a target
    /// that names the caller's own window is no other window.
    fn sent_from(self, _label: &str) -> Self
    where
        Self: Sized,
    {
        self
    }

    /// The window other than the caller's that the command acts on, if any
    /// (after [`Api::sent_from`]). Remote pages are refused such commands.
    fn other_window(&self) -> Option<&str> {
        None
    }

    /// Keys needed on top of [`Api::required_keys`] because of what the
    /// call targets (another window); empty by default.
    fn extra_keys(&self) -> &'static [AllowlistKey] {
        &[]
    }

    /// Where the command runs.
    fn route(&self) -> Route;

    /// `Some(why)` when the answer is raw bytes, which only the fetch
    /// channel carries: the command is refused on `postMessage` before it
    /// runs.
    fn fetch_only(&self) -> Option<&'static str> {
        None
    }

    /// Runs a command routed [`Route::Inline`] or [`Route::Worker`].
    fn run(admitted: Admitted<Self>, call: &Call<'_>) -> Result<Output, String> {
        let _ = (admitted, call);
        Err(misrouted("off the event loop"))
    }

    /// Runs a command routed [`Route::EventLoop`]. `None` when the handler
    /// deferred its answer ([`LoopCall::defer`]).
    fn run_in_loop(
        admitted: Admitted<Self>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let _ = (admitted, call);
        Some(Err(misrouted("on the event loop")))
    }
}

fn misrouted(place: &str) -> String {
    format!("internal error: this command does not run {place}")
}

/// `Ok(null)`, the answer of commands that return nothing.
pub fn null() -> Result<Output, String> {
    Ok(Output::Json(Value::Null))
}

/// A JSON answer.
pub fn json(value: impl serde::Serialize) -> Result<Output, String> {
    serde_json::to_value(value)
        .map(Output::Json)
        .map_err(|e| e.to_string())
}
