//! `Millennium.updater`: the page may ask for a check or an install; where
//! updates come from, which keys count and which versions are acceptable is
//! `[updater]` only. The update itself is [`crate::updater`]; this is its JS
//! API, the `check-on-start` flow and the built-in dialog.

mod progress;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use millennium_config::model::{AllowlistKey, UpdaterAllowlist};
use serde_json::{Value, json};
use tao::event_loop::EventLoopProxy;

use super::dialog::{DialogCommand, MessageButtons, MessageDialog, MessageKind};
use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::{ContextError, HostContext};
use crate::events::UserEvent;
use crate::ipc::decode::{DecodeError, no_args, unknown};
use crate::ipc::{Admitted, Output};
use crate::updater::{Update, UpdateError, UpdateEvent};

/// `Millennium.updater`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdaterCommand {
    /// `checkUpdate()`.
    Check,
    /// `installUpdate()`: check, download, verify, install, relaunch.
    Install,
}

/// One install at a time, whoever asks (a page or the built-in dialog).
#[derive(Debug, Default)]
pub struct UpdaterState {
    installing: AtomicBool,
}

impl Api for UpdaterCommand {
    type State = UpdaterState;

    const SURFACE: Surface = Surface {
        members: &["checkUpdate", "installUpdate", "onUpdaterEvent"],
        samples: &[
            sample("updater.checkUpdate", "{}", "Millennium.updater.checkUpdate()"),
            sample("updater.installUpdate", "{}", "Millennium.updater.installUpdate()"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<UpdaterState, ContextError> {
        Ok(UpdaterState::default())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<UpdaterCommand, DecodeError> {
        let command = match function {
            "checkUpdate" => UpdaterCommand::Check,
            "installUpdate" => UpdaterCommand::Install,
            _ => return Err(unknown(cmd)),
        };
        no_args(cmd, args)?;
        Ok(command)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            UpdaterCommand::Check => &[UpdaterAllowlist::check],
            UpdaterCommand::Install => &[UpdaterAllowlist::install],
        }
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn run(admitted: Admitted<UpdaterCommand>, call: &Call<'_>) -> Result<Output, String> {
        let installing = &call.ctx.state(&admitted).installing;
        match admitted.command() {
            UpdaterCommand::Check => check_update(call.ctx, call.proxy()),
            UpdaterCommand::Install => {
                install_update(call.ctx, call.proxy(), installing, None, &mut |_| {})
            }
        }
        .map(Output::Json)
    }
}

fn broadcast(proxy: &EventLoopProxy<UserEvent>, event: &UpdateEvent) {
    let (name, payload) = event.to_event();
    // Fails only while the app exits.
    let _ = proxy.send_event(UserEvent::Broadcast {
        event: name.to_owned(),
        payload,
    });
}

/// `checkUpdate()`: Tauri v1's `{ shouldUpdate, manifest }`.
fn check_update(ctx: &HostContext, proxy: &EventLoopProxy<UserEvent>) -> Result<Value, String> {
    let found = ctx
        .updater()
        .and_then(|updater| updater.check())
        .map_err(|e| e.to_string())?;
    Ok(match found {
        Some(update) => json!({"shouldUpdate": true, "manifest": update.to_json()}),
        None => {
            broadcast(proxy, &UpdateEvent::UpToDate);
            json!({"shouldUpdate": false})
        }
    })
}

/// `installUpdate()` (or the built-in dialog's "Install"): check unless
/// `found` is given, then download, verify, install and start the new
/// version; on success this process exits a moment later. The pages hear
/// every step, and so does `watch` (the built-in progress box).
fn install_update(
    ctx: &HostContext,
    proxy: &EventLoopProxy<UserEvent>,
    installing: &AtomicBool,
    found: Option<Update>,
    watch: &mut dyn FnMut(&UpdateEvent),
) -> Result<Value, String> {
    if installing.swap(true, Ordering::SeqCst) {
        // The pages are following the install that runs; only the box
        // that asked hears this.
        let message = "an update is already being installed".to_owned();
        watch(&UpdateEvent::Error(message.clone()));
        return Err(message);
    }
    let mut tell = |event: UpdateEvent| {
        watch(&event);
        broadcast(proxy, &event);
    };
    let result = (|| {
        let updater = ctx.updater()?;
        let update = match found {
            Some(update) => update,
            None => updater.check()?.ok_or_else(|| {
                UpdateError::NoUpdate(format!(
                    "{} is the latest version",
                    updater.current_version()
                ))
            })?,
        };
        updater.install(&update, &mut |event| tell(event))
    })();
    match result {
        Ok(()) => {
            tell(UpdateEvent::Done);
            let proxy = proxy.clone();
            std::thread::spawn(move || {
                // Let the page hear DONE and its promise settle first.
                std::thread::sleep(std::time::Duration::from_secs(1));
                let _ = proxy.send_event(UserEvent::ExitForUpdate);
            });
            Ok(Value::Null)
        }
        Err(error) => {
            installing.store(false, Ordering::SeqCst);
            let message = error.to_string();
            tell(UpdateEvent::Error(message.clone()));
            Err(message)
        }
    }
}

/// At start: remove what an interrupted update left, and check for an
/// update when `[updater] check-on-start` says so (asking with the built-in
/// dialog, or telling the pages with `millennium://update-available`).
pub fn start(ctx: &Arc<HostContext>, proxy: &EventLoopProxy<UserEvent>) {
    let updater = &ctx.config.updater;
    let Some(executable) = ctx.executable.as_deref() else {
        return;
    };
    if !updater.active {
        return;
    }
    crate::updater::install::clean_stale(executable);
    if !updater.check_on_start {
        return;
    }
    let ctx = Arc::clone(ctx);
    let proxy = proxy.clone();
    std::thread::spawn(move || {
        let found = ctx.updater().and_then(|updater| updater.check());
        match found {
            Ok(Some(update)) if ctx.config.updater.dialog => {
                let _ = proxy.send_event(UserEvent::UpdatePrompt(Box::new(update)));
            }
            Ok(Some(update)) => {
                let _ = proxy.send_event(UserEvent::Broadcast {
                    event: "millennium://update-available".to_owned(),
                    payload: update.to_json(),
                });
            }
            Ok(None) => {}
            Err(error) => eprintln!("millennium-host: {error}"),
        }
    });
}

/// The built-in dialog of `check-on-start`, over `parent`: install now?
/// On "Install", a progress box ([`progress`]) follows the download.
pub fn prompt(
    ctx: &Arc<HostContext>,
    proxy: &EventLoopProxy<UserEvent>,
    parent: &tao::window::Window,
    update: Update,
) {
    let message = MessageDialog {
        message: format!(
            "{} {} is available (you have {}).{}\n\nInstall it now? The app restarts.",
            ctx.config.app.name,
            update.version,
            ctx.config.app.version,
            update
                .notes
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(|n| format!("\n\n{n}"))
                .unwrap_or_default()
        ),
        title: Some(format!("Update {}", ctx.config.app.name)),
        kind: MessageKind::Info,
        buttons: MessageButtons::YesNo,
        ok_label: Some("_Install".to_owned()),
        cancel_label: Some("_Later".to_owned()),
    };
    let app_name = ctx.config.app.name.clone();
    let gtk_parent = tao::platform::unix::WindowExtUnix::gtk_window(parent).clone();
    let asker = super::dialog::Asker {
        scope: ctx.fs_scope().clone(),
        paths: ctx.paths.clone(),
        window: String::new(),
    };
    let ctx = Arc::clone(ctx);
    let proxy = proxy.clone();
    let done: super::dialog::Done = Box::new(move |answer| {
        if answer != Ok(Value::Bool(true)) {
            return;
        }
        let (events, received) = std::sync::mpsc::channel();
        progress::show(
            &gtk_parent,
            ctx.config.app.name.clone(),
            update.version.to_string(),
            ctx.config.app.version.clone(),
            received,
        );
        std::thread::spawn(move || {
            let installing = &ctx.updater_state().installing;
            // A closed box (the app is exiting) stops nothing.
            let mut watch = |event: &UpdateEvent| drop(events.send(event.clone()));
            let _ = install_update(&ctx, &proxy, installing, Some(update), &mut watch);
        });
    });
    super::dialog::show(
        parent,
        &DialogCommand::Message(message),
        &app_name,
        asker,
        done,
    );
}
