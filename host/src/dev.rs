//! Development mode, for library callers only (`millennium dev`): devtools on
//! in windows that do not say `devtools = false`, and a [`DevHandle`] through
//! which another thread reloads every page or restarts the app with a freshly
//! validated [`HostContext`] while the event loop keeps running.
//!
//! Architecture invariant: the shipped `millennium-host` binary has no dev
//! switch. [`DevOptions`] reaches [`RunOptions::dev`](crate::RunOptions::dev)
//! only from code that links this library and sets the field itself;
//! [`RunOptions::from_env`](crate::RunOptions::from_env), which the binary
//! uses, always leaves it `None`,
//! and no flag or environment variable fills it. Dev mode changes nothing
//! about policy: the context it restarts with goes through the same gate,
//! CSP and allowlist code as production.

use tao::event_loop::EventLoopProxy;

use crate::context::HostContext;
pub use crate::events::DevEvent;
use crate::events::UserEvent;

/// Development switches. Only a library caller can build one: it holds a
/// closure, so it cannot come from argv or the environment.
pub struct DevOptions {
    /// Called once, before the first window opens, with the handle that
    /// drives reloads and restarts from other threads.
    pub on_start: Box<dyn FnOnce(DevHandle) + Send>,
    /// Called once as the event loop ends, however the app exits (last
    /// window closed, `process.exit`, SIGINT/SIGTERM), before the process
    /// does: what `millennium dev` started for the app stops here.
    pub on_exit: Box<dyn FnOnce() + Send>,
}

impl std::fmt::Debug for DevOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevOptions")
    }
}

/// The event loop has ended; there is nothing left to reload.
#[derive(Debug, thiserror::Error)]
#[error("the app has exited")]
pub struct AppExited;

/// Sends [`DevEvent`]s to a running app from any thread.
#[derive(Clone)]
pub struct DevHandle {
    proxy: EventLoopProxy<UserEvent>,
}

impl DevHandle {
    pub(crate) fn new(proxy: EventLoopProxy<UserEvent>) -> DevHandle {
        DevHandle { proxy }
    }

    /// Reloads every window's page (a frontend file changed).
    pub fn reload(&self) -> Result<(), AppExited> {
        self.send(DevEvent::Reload)
    }

    /// Replaces the running app's context and windows (the toml changed and
    /// is valid).
    pub fn restart(&self, ctx: HostContext) -> Result<(), AppExited> {
        self.send(DevEvent::Restart(Box::new(ctx)))
    }

    /// Ends the app as SIGTERM would (the user pressed Ctrl+C before the
    /// host could catch it).
    pub fn exit(&self) -> Result<(), AppExited> {
        self.proxy
            .send_event(UserEvent::Terminate)
            .map_err(|_| AppExited)
    }

    fn send(&self, event: DevEvent) -> Result<(), AppExited> {
        self.proxy
            .send_event(UserEvent::Dev(event))
            .map_err(|_| AppExited)
    }
}
