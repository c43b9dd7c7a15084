//! The router: the one step from the gate's `Admitted<Command>` to the
//! handler of its API, which takes an `Admitted<C>` of its own type. Which
//! of the two a command takes, and on which thread, is [`Command::route`];
//! the channels (the event loop for `postMessage`, the protocol handler for
//! the fetch channel) follow it.

use super::registry;
use super::{Admitted, Command, Output};
use crate::api::{Call, LoopCall};

/// Runs a command routed [`crate::api::Route::Inline`] or
/// [`crate::api::Route::Worker`] on the current thread.
pub fn run(admitted: Admitted<Command>, call: &Call<'_>) -> Result<Output, String> {
    registry::run(admitted, call)
}

/// Runs a command routed [`crate::api::Route::EventLoop`]; `None` when its
/// handler deferred the answer.
pub fn run_in_loop(
    admitted: Admitted<Command>,
    call: &mut LoopCall<'_>,
) -> Option<Result<Output, String>> {
    registry::run_in_loop(admitted, call)
}

pub(crate) use registry::StateOf;
pub use registry::{ApiStates, BRIDGE_TEMPLATE, DECLARATIONS, FRAGMENTS, Fragment, NAMESPACES};
