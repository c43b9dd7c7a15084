//! What the registry of JS APIs generates. The list itself, one line per
//! `Millennium.<namespace>`, is `apis!` in [`crate::api`]; from those lines
//! alone come the [`Command`] enum, the decoder dispatch of
//! both IPC channels, the allowlist keys the gate asks for, where each command
//! runs ([`Route`]), the step from an `Admitted<Command>` to the handler's own
//! `Admitted<C>`, the per-API state inside the context, and the JS bridge and
//! TypeScript declarations joined from each folder's `bridge.js` and `api.d.ts`.
//! Adding an API is a folder, a line in `apis!`, and its allowlist category.

use millennium_config::model::AllowlistKey;
use serde_json::Value;

use super::decode::DecodeError;
use super::{Admitted, Output};
use crate::api::{self, Api, Call, LoopCall, Route, Setup, Surface};
use crate::context::ContextError;

macro_rules! registry {
    ( $( $ns:ident => $variant:ident ( $ty:ident ), )* ) => {
        registry! { @expand $( $ns => $variant ( api::$ns::$ty ), )* }
    };
    ( @expand $( $ns:ident => $variant:ident ( $ty:ty ), )* ) => {
        /// A decoded IPC command: one variant per API, holding that API's
        /// own command type.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Command {
            $(
                #[doc = concat!("`Millennium.", stringify!($ns), "`.")]
                $variant($ty),
            )*
        }

        /// Every namespace, in the registry's (and the bridge's) order.
        pub const NAMESPACES: &[&str] = &[$(stringify!($ns)),*];

        impl Command {
            /// Every key that must be enabled for this command; empty for
            /// commands that need none (events, app name and version,
            /// window getters).
            pub fn required_keys(&self) -> &'static [AllowlistKey] {
                match self { $( Command::$variant(c) => Api::required_keys(c), )* }
            }

            /// The keys needed because of what the call targets (another
            /// window), on top of [`Command::required_keys`].
            pub fn extra_keys(&self) -> &'static [AllowlistKey] {
                match self { $( Command::$variant(c) => Api::extra_keys(c), )* }
            }

            /// The command as sent from window `label` (see [`Api::sent_from`]).
            pub fn sent_from(self, label: &str) -> Command {
                match self { $( Command::$variant(c) => Command::$variant(Api::sent_from(c, label)), )* }
            }

            /// The other window the command acts on, if any.
            pub fn other_window(&self) -> Option<&str> {
                match self { $( Command::$variant(c) => Api::other_window(c), )* }
            }

            /// Where the command runs; both channels ask this.
            pub fn route(&self) -> Route {
                match self { $( Command::$variant(c) => Api::route(c), )* }
            }

            /// Why the command can only be answered on the fetch channel.
            pub fn fetch_only(&self) -> Option<&'static str> {
                match self { $( Command::$variant(c) => Api::fetch_only(c), )* }
            }

            /// `fs` for `Millennium.fs.*`.
            pub fn namespace(&self) -> &'static str {
                match self { $( Command::$variant(_) => stringify!($ns), )* }
            }
        }

        /// The command of `namespace`, or `None` when no API has that name.
        pub(super) fn decode_in(
            namespace: &str,
            cmd: &str,
            function: &str,
            args: Value,
        ) -> Option<Result<Command, DecodeError>> {
            Some(match namespace {
                $( stringify!($ns) => <$ty as Api>::decode(cmd, function, args).map(Command::$variant), )*
                _ => return None,
            })
        }

        /// [`decode_in`] for a fetch-channel request.
        pub(super) fn decode_fetch_in(
            namespace: &str,
            cmd: &str,
            function: &str,
            query: &str,
            body: &mut Vec<u8>,
        ) -> Option<Result<Command, DecodeError>> {
            Some(match namespace {
                $( stringify!($ns) => <$ty as Api>::decode_fetch(cmd, function, query, body).map(Command::$variant), )*
                _ => return None,
            })
        }

        /// Opens an admitted command into its API's `Admitted<C>` and runs
        /// it off the event loop ([`Route::Inline`] or [`Route::Worker`]).
        pub(super) fn run(admitted: Admitted<Command>, call: &Call<'_>) -> Result<Output, String> {
            match admitted.0 {
                $( Command::$variant(c) => <$ty as Api>::run(Admitted(c), call), )*
            }
        }

        /// The same on the event loop ([`Route::EventLoop`]).
        pub(super) fn run_in_loop(
            admitted: Admitted<Command>,
            call: &mut LoopCall<'_>,
        ) -> Option<Result<Output, String>> {
            match admitted.0 {
                $( Command::$variant(c) => <$ty as Api>::run_in_loop(Admitted(c), call), )*
            }
        }

        /// The state of every API, built once per app. Its fields are private
        /// to the registry: a handler reaches its API's state only through
        /// `HostContext::state`, which takes the handler's `Admitted<C>`.
        #[derive(Debug)]
        #[allow(non_snake_case)]
        pub struct ApiStates {
            $( $ns: <$ty as Api>::State, )*
        }

        impl ApiStates {
            /// Prepares every API from the config, in registry order.
            pub(crate) fn prepare(setup: &Setup<'_>) -> Result<ApiStates, ContextError> {
                Ok(ApiStates { $( $ns: <$ty as Api>::prepare(setup)?, )* })
            }
        }

        $(
            impl StateOf<$ty> for ApiStates {
                fn state(&self) -> &<$ty as Api>::State {
                    &self.$ns
                }
            }
        )*

        /// Each API's part of the JS surface, in registry order.
        pub const FRAGMENTS: &[Fragment] = &[
            $(
                Fragment {
                    namespace: stringify!($ns),
                    surface: &<$ty as Api>::SURFACE,
                    bridge: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/", stringify!($ns), "/bridge.js")),
                    declarations: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/", stringify!($ns), "/api.d.ts")),
                },
            )*
        ];

        /// The `window.Millennium` script before its placeholders are
        /// filled: the core, each API's fragment in registry order, the end.
        pub const BRIDGE_TEMPLATE: &str = concat!(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/js/core.js")),
            $( include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/", stringify!($ns), "/bridge.js")), )*
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/js/end.js")),
        );

        /// `millennium.d.ts` as it must be checked in: the head, each API's
        /// declarations in registry order, the foot.
        pub const DECLARATIONS: &str = concat!(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/js/head.d.ts")),
            $( include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/", stringify!($ns), "/api.d.ts")), )*
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/js/foot.d.ts")),
        );
    };
}

/// One API's part of the JS surface.
#[derive(Debug)]
pub struct Fragment {
    /// `fs` for `Millennium.fs`.
    pub namespace: &'static str,
    /// Its members and one sample call per command.
    pub surface: &'static Surface,
    /// Its `bridge.js`.
    pub bridge: &'static str,
    /// Its `api.d.ts`.
    pub declarations: &'static str,
}

/// The state of API `C` inside [`ApiStates`].
pub(crate) trait StateOf<C: Api> {
    /// `C`'s state.
    fn state(&self) -> &C::State;
}

api::apis!(registry);
