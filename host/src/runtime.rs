//! The event loop: opens the windows, then hands each message to the part
//! of the host it is for. Commands arrive here already admitted by the gate
//! ([`HostContext::admit`]); where each one runs is the registry's answer
//! ([`Command::route`]), not this file's.

use std::convert::Infallible;
use std::sync::Arc;

use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopWindowTarget};
use wry::WebContext;

use crate::api::fs::GrantKind;
use crate::api::window::{Audience, Windows};
use crate::api::{Call, LoopCall, Route};
use crate::context::HostContext;
use crate::dev::{DevHandle, DevOptions};
use crate::events::{DevEvent, Reply, UserEvent, page};
use crate::ipc::{Admitted, Command, router};
use crate::platform;

pub use crate::api::window::HostError;

/// Environment variable that turns on WebKit automation (WebDriver).
pub const AUTOMATION_ENV: &str = "MILLENNIUM_AUTOMATION";

/// Run-time switches that do not come from the config.
#[derive(Debug, Default)]
pub struct RunOptions {
    /// Allow WebKitWebDriver to drive the app.
    pub automation: bool,
    /// Development mode (`millennium dev`): devtools on by default, live
    /// reload. Invariant: only library callers set this; [`from_env`]
    /// (what the shipped `millennium-host` uses) never does, and no flag or
    /// environment variable can. See [`crate::dev`].
    ///
    /// [`from_env`]: RunOptions::from_env
    pub dev: Option<DevOptions>,
}

impl RunOptions {
    /// Reads [`AUTOMATION_ENV`]: only the exact value `1` turns it on.
    /// Never enables dev mode.
    pub fn from_env() -> RunOptions {
        RunOptions {
            automation: std::env::var(AUTOMATION_ENV).is_ok_and(|v| v == "1"),
            dev: None,
        }
    }
}

/// Opens the app's windows and runs until the last one closes or the page
/// calls `process.exit`. Returns only on a start-up error.
pub fn run(ctx: HostContext, options: RunOptions) -> Result<Infallible, HostError> {
    // One copy per user: a later launch hands over and ends here, before it
    // needs a display. `millennium dev` always starts its own.
    let first = if ctx.config.app.single_instance && options.dev.is_none() {
        match claim_instance(&ctx)? {
            Some(first) => Some(first),
            None => std::process::exit(0),
        }
    } else {
        None
    };
    // tao panics when GTK cannot start; find out first, and say why.
    platform::open_display().map_err(HostError::Display)?;
    platform::ignore_file_size_signal();
    let event_loop: EventLoop<UserEvent> = EventLoopBuilder::with_user_event().build();
    let proxy = event_loop.create_proxy();
    platform::on_termination(move || {
        let _ = proxy.send_event(UserEvent::Terminate);
    });
    let mut web_context = WebContext::new(ctx.paths.webview_profile());
    if options.automation {
        web_context.set_allows_automation(true);
    }
    // Files the app was opened with join the main window's scope, as files
    // picked in its open dialog.
    if let Some(main) = ctx.config.windows.first() {
        for file in &ctx.launch.opened_files {
            if let Err(error) = ctx.fs_scope().grant(file, GrantKind::Exact, &main.label) {
                eprintln!("millennium: `{}` was not opened: {error}", file.display());
            }
        }
    }
    if let Some(first) = first {
        let proxy = event_loop.create_proxy();
        first.listen(move |forwarded| {
            let _ = proxy.send_event(UserEvent::SecondInstance(forwarded));
        });
    }
    let ctx = Arc::new(ctx);
    let mut windows = Windows::new(
        ctx.clone(),
        event_loop.create_proxy(),
        web_context,
        options.dev.is_some(),
    );
    let mut on_exit = None;
    if let Some(DevOptions {
        on_start,
        on_exit: exit,
    }) = options.dev
    {
        on_start(DevHandle::new(event_loop.create_proxy()));
        on_exit = Some(exit);
    }
    for config in &ctx.config.windows {
        windows.open(&event_loop, config)?;
    }
    crate::desktop::forward_clicks(windows.proxy());
    windows.start_tray();
    ctx.shortcuts().start_declared(windows.proxy());
    crate::api::updater::start(&ctx, windows.proxy());
    ctx.start_sidecars(windows.proxy());
    drop(ctx);
    event_loop.run(move |event, target, control_flow| {
        if *control_flow != ControlFlow::Exit {
            *control_flow = ControlFlow::Wait;
        }
        match event {
            Event::UserEvent(UserEvent::Invoke {
                label,
                command,
                reply,
            }) => invoke(&mut windows, target, control_flow, label, command, reply),
            Event::UserEvent(UserEvent::Settle {
                label,
                reply,
                result,
            }) => windows.reply(&label, reply, result),
            Event::UserEvent(UserEvent::Reject {
                page,
                label,
                id,
                caller,
                error,
            }) => windows.reply(&label, Reply::Script { id, caller, page }, Err(error)),
            Event::UserEvent(UserEvent::Emit {
                label,
                caller,
                page,
                event,
                payload,
            }) => windows.emit_to(
                &label,
                &event,
                payload,
                Some(&label),
                Audience::Caller(caller),
                Some(page),
            ),
            Event::UserEvent(UserEvent::Broadcast { event, payload }) => {
                windows.broadcast(&event, payload)
            }
            Event::UserEvent(UserEvent::SidecarNotification {
                sidecar,
                windows: labels,
                payload,
            }) => windows.broadcast_to(
                labels.as_deref(),
                &crate::api::sidecar::supervisor::event_name(&sidecar),
                payload,
                crate::api::window::Audience::Sidecar(&sidecar),
            ),
            Event::UserEvent(UserEvent::Menu(id)) => windows.menu_clicked(&id, control_flow),
            Event::UserEvent(UserEvent::PopupClosed(token)) => windows.desktop.popup_closed(token),
            Event::UserEvent(UserEvent::GlobalShortcut(id)) => windows.global_shortcut(id),
            Event::UserEvent(UserEvent::SecondInstance(forwarded)) => {
                windows.second_instance(forwarded)
            }
            Event::UserEvent(UserEvent::UpdatePrompt(update)) => {
                if let Some(parent) = windows.any_window() {
                    crate::api::updater::prompt(windows.ctx(), windows.proxy(), parent, *update);
                }
            }
            Event::UserEvent(UserEvent::ExitForUpdate | UserEvent::Terminate) => {
                *control_flow = ControlFlow::Exit
            }
            // The process ends right after this: children must not outlive it.
            Event::LoopDestroyed => {
                windows.remember_all();
                // Off the panel, and its icon file removed.
                windows.desktop.tray = None;
                // Later launches start their own copy from now on.
                crate::instance::release();
                windows.ctx().shut_down();
                if let Some(on_exit) = on_exit.take() {
                    on_exit();
                }
            }
            Event::UserEvent(UserEvent::PageLoadStarted { label }) => {
                windows.page_load_started(&label)
            }
            Event::UserEvent(UserEvent::Dev(DevEvent::Reload)) => windows.reload_all(),
            Event::UserEvent(UserEvent::Dev(DevEvent::Restart(ctx))) => {
                windows.restart(target, *ctx, control_flow);
            }
            Event::WindowEvent {
                window_id, event, ..
            } => windows.on_window_event(window_id, event, control_flow),
            _ => {}
        }
    })
}

/// Runs an admitted command where the registry says: here for inline and
/// event-loop commands, on a new thread for blocking ones (the answer comes
/// back as [`UserEvent::Settle`]).
fn invoke(
    windows: &mut Windows,
    target: &EventLoopWindowTarget<UserEvent>,
    control_flow: &mut ControlFlow,
    label: String,
    command: Admitted<Command>,
    reply: Reply,
) {
    if let (Reply::Script { .. }, Some(why)) = (&reply, command.command().fetch_only()) {
        return windows.reply(&label, reply, Err(why.to_owned()));
    }
    match command.command().route() {
        Route::Inline => {
            let ctx = windows.ctx().clone();
            let page = reply.page().unwrap_or_else(|| page::current(&label));
            let call = Call::new(&ctx, &label, reply.caller(), page, windows.proxy());
            let result = router::run(command, &call);
            windows.reply(&label, reply, result);
        }
        Route::Worker => {
            let Some(slot) = windows.worker_slot() else {
                let busy = "too many requests at once: try again".to_owned();
                return windows.reply(&label, reply, Err(busy));
            };
            let ctx = windows.ctx().clone();
            let proxy = windows.proxy().clone();
            std::thread::spawn(move || {
                let _slot = slot;
                let page = reply.page().unwrap_or_else(|| page::current(&label));
                let call = Call::new(&ctx, &label, reply.caller(), page, &proxy);
                let result = router::run(command, &call);
                // Fails only while the app exits.
                let _ = proxy.send_event(UserEvent::Settle {
                    label,
                    reply,
                    result,
                });
            });
        }
        Route::EventLoop => {
            let mut call = LoopCall::new(windows, target, control_flow, &label, reply);
            let result = router::run_in_loop(command, &mut call);
            let reply = call.take_reply();
            match (reply, result) {
                (Some(reply), Some(result)) => windows.reply(&label, reply, result),
                (Some(reply), None) => windows.reply(
                    &label,
                    reply,
                    Err("internal error: the command gave no answer".to_owned()),
                ),
                (None, _) => {}
            }
        }
    }
}

/// `[app] single-instance`: `Some` when this launch is the first (it then
/// listens for later ones), `None` when a running copy took its arguments.
fn claim_instance(ctx: &HostContext) -> Result<Option<crate::instance::First>, HostError> {
    use crate::instance::{Claim, Forwarded};
    let cwd = std::env::current_dir()
        .map_err(|e| format!("the working directory is unknown: {e}"))
        .and_then(|dir| {
            dir.into_os_string().into_string().map_err(|dir| {
                format!(
                    "the working directory {} is not UTF-8",
                    dir.to_string_lossy()
                )
            })
        })
        .map_err(HostError::Instance)?;
    let forwarded = Forwarded {
        args: ctx.launch.args.clone(),
        cwd,
    };
    match crate::instance::claim(&ctx.config.app.identifier, &forwarded) {
        Ok(Claim::First(first)) => Ok(Some(first)),
        Ok(Claim::Handed) => Ok(None),
        Err(error) => Err(HostError::Instance(error.to_string())),
    }
}
