//! The router: the one step from the gate's `Admitted<Command>` to the
//! handler of its API, which takes an `Admitted<C>` of its own type. Which
//! of the two a command takes, and on which thread, is [`Command::route`];
//! the channels (the event loop for `postMessage`, the protocol handler for
//! the fetch channel) follow it.
//!
//! A handler that panics is a bug, but it must not take the app down or
//! leave the page waiting: the panic is caught here (its message goes to
//! stderr through the panic hook) and the call is rejected with
//! [`PANICKED`]. This is why the release profiles keep `panic = "unwind"`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::registry;
use super::{Admitted, Command, Output};
use crate::api::{Call, LoopCall};

pub(crate) use registry::StateOf;
pub use registry::{ApiStates, BRIDGE_TEMPLATE, DECLARATIONS, FRAGMENTS, Fragment, NAMESPACES};

/// What the page gets when a handler panicked.
pub const PANICKED: &str =
    "internal error: the command failed unexpectedly (a bug in Millennium; details on stderr)";

/// Runs a command routed [`crate::api::Route::Inline`] or
/// [`crate::api::Route::Worker`] on the current thread.
pub fn run(admitted: Admitted<Command>, call: &Call<'_>) -> Result<Output, String> {
    caught(|| registry::run(admitted, call))
}

/// Runs a command routed [`crate::api::Route::EventLoop`]; `None` when its
/// handler deferred the answer.
pub fn run_in_loop(
    admitted: Admitted<Command>,
    call: &mut LoopCall<'_>,
) -> Option<Result<Output, String>> {
    caught(|| Ok(registry::run_in_loop(admitted, call)))
        .unwrap_or_else(|panicked| Some(Err(panicked)))
}

/// `handler()`, with a panic turned into [`PANICKED`]. The state a handler
/// shares (scopes, children, windows) is behind locks that recover from
/// poisoning, so the next call finds it usable.
fn caught<T>(handler: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(handler)).unwrap_or_else(|_| Err(PANICKED.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_handler_rejects_its_call_and_the_thread_goes_on() {
        let result: Result<(), String> = caught(|| panic!("a bug"));
        assert_eq!(result, Err(PANICKED.to_owned()));
        // The same thread keeps serving calls.
        assert_eq!(caught(|| Ok::<_, String>(2)), Ok(2));
        assert_eq!(
            caught(|| Err::<(), _>("refused".to_owned())),
            Err("refused".to_owned())
        );
    }
}
