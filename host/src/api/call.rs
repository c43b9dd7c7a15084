//! What a handler is given besides its `Admitted<C>`: who called, from which
//! window, and the ways back to the page (events, a deferred answer).

use serde_json::Value;
use tao::event_loop::{ControlFlow, EventLoopProxy, EventLoopWindowTarget};

use crate::context::{Caller, HostContext};
use crate::events::{Reply, UserEvent};
use crate::ipc::Output;

use super::window::Windows;

/// A call handled off the event loop ([`super::Route::Inline`] or
/// [`super::Route::Worker`]).
pub struct Call<'a> {
    /// The running app.
    pub ctx: &'a HostContext,
    /// The calling window.
    pub label: &'a str,
    /// Who called (the app's pages or a remote grant).
    pub caller: Caller,
    /// The page that called ([`crate::events::page`]).
    page: u64,
    proxy: &'a EventLoopProxy<UserEvent>,
}

impl<'a> Call<'a> {
    /// Made by the channels, for the router.
    pub(crate) fn new(
        ctx: &'a HostContext,
        label: &'a str,
        caller: Caller,
        page: u64,
        proxy: &'a EventLoopProxy<UserEvent>,
    ) -> Call<'a> {
        Call {
            ctx,
            label,
            caller,
            page,
            proxy,
        }
    }

    /// The page that called ([`crate::events::page`]).
    pub fn page(&self) -> u64 {
        self.page
    }

    /// Sends `event` with a payload to the page that called, from any thread
    /// (a spawned child's output lines); once the window shows another page,
    /// nothing more arrives.
    pub fn emitter(&self, event: String) -> impl Fn(Value) + Send + Sync + 'static {
        let proxy = self.proxy.clone();
        let label = self.label.to_owned();
        let caller = self.caller;
        let page = self.page;
        move |payload| {
            // Fails only while the app exits.
            let _ = proxy.send_event(UserEvent::Emit {
                label: label.clone(),
                caller,
                page,
                event: event.clone(),
                payload,
            });
        }
    }

    /// The event loop, for handlers that tell every window (the updater).
    pub fn proxy(&self) -> &EventLoopProxy<UserEvent> {
        self.proxy
    }
}

/// A call handled on the event loop ([`super::Route::EventLoop`]).
pub struct LoopCall<'a> {
    /// Every window of the app, and the running context.
    pub windows: &'a mut Windows,
    /// For opening windows.
    pub target: &'a EventLoopWindowTarget<UserEvent>,
    /// For exiting.
    pub control_flow: &'a mut ControlFlow,
    /// The calling window.
    pub label: &'a str,
    /// Who called.
    pub caller: Caller,
    reply: Option<Reply>,
}

impl<'a> LoopCall<'a> {
    /// Made by the event loop, for the router.
    pub(crate) fn new(
        windows: &'a mut Windows,
        target: &'a EventLoopWindowTarget<UserEvent>,
        control_flow: &'a mut ControlFlow,
        label: &'a str,
        reply: Reply,
    ) -> LoopCall<'a> {
        let caller = reply.caller();
        LoopCall {
            windows,
            target,
            control_flow,
            label,
            caller,
            reply: Some(reply),
        }
    }

    /// The answer comes later (a dialog the user has not closed yet): the
    /// handler returns `None` and settles the [`Deferred`] from anywhere.
    pub fn defer(&mut self) -> Deferred {
        Deferred {
            proxy: self.windows.proxy().clone(),
            label: self.label.to_owned(),
            reply: self.reply.take(),
        }
    }

    /// The reply, unless the handler deferred it.
    pub(crate) fn take_reply(&mut self) -> Option<Reply> {
        self.reply.take()
    }
}

/// An answer promised by a handler that returned `None`.
pub struct Deferred {
    proxy: EventLoopProxy<UserEvent>,
    label: String,
    reply: Option<Reply>,
}

impl Deferred {
    /// Settles the caller's promise (through the event loop).
    pub fn settle(self, result: Result<Output, String>) {
        let Some(reply) = self.reply else { return };
        // Fails only while the app exits.
        let _ = self.proxy.send_event(UserEvent::Settle {
            label: self.label,
            reply,
            result,
        });
    }
}
