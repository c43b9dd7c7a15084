//! `Millennium.notification`: desktop notifications through the
//! freedesktop `org.freedesktop.Notifications` service on the D-Bus session
//! bus, through GIO's D-Bus client (GLib is loaded with GTK anyway, so
//! this costs the runtime no D-Bus implementation of its own).
//!
//! Where no notification service runs, D-Bus answers with an error at once,
//! or (when an activatable service fails to start) only after its own
//! activation timeout of about 25 s. Each call therefore runs on a thread of
//! its own and is given up after [`NOTIFICATION_TIMEOUT`]: the promise is
//! rejected with a clear error, never left hanging. Linux has no permission
//! to ask for, so "granted" means "a notification service answers".

use std::sync::mpsc;
use std::time::Duration;

use millennium_config::model::{AllowlistKey, NotificationAllowlist};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, no_args, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.notification`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationCommand {
    /// `sendNotification(options | title)`.
    Send(NotificationOptions),
    /// `isPermissionGranted()`: whether a notification service answers.
    IsPermissionGranted,
    /// `requestPermission()`: `"granted"` when a notification service
    /// answers, `"denied"` otherwise (nothing to ask on Linux).
    RequestPermission,
}

/// Tauri v1's notification `Options`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationOptions {
    /// The summary line.
    pub title: String,
    /// The text under it.
    #[serde(default)]
    pub body: Option<String>,
    /// An icon name of the theme or a file path.
    #[serde(default)]
    pub icon: Option<String>,
}

/// Longest notification title, body or icon, in bytes.
pub const MAX_NOTIFICATION_TEXT: usize = 64 * 1024;

impl Api for NotificationCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["sendNotification", "isPermissionGranted", "requestPermission"],
        samples: &[
            sample("notification.sendNotification", r#"{"title":"t"}"#, "Millennium.notification.sendNotification('t')"),
            sample("notification.isPermissionGranted", "{}", "Millennium.notification.isPermissionGranted()"),
            sample("notification.requestPermission", "{}", "Millennium.notification.requestPermission()"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<NotificationCommand, DecodeError> {
        decode_notification(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        // Tauri v1 gates all three with the one `notification` key.
        &[NotificationAllowlist::send]
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn run(admitted: Admitted<NotificationCommand>, call: &Call<'_>) -> Result<Output, String> {
        handle(admitted.command(), &call.ctx.config.app.name).map(Output::Json)
    }
}

/// Longest wait for the notification service.
pub const NOTIFICATION_TIMEOUT: Duration = Duration::from_secs(5);

const SERVICE: &str =
    "the desktop notification service (org.freedesktop.Notifications on the D-Bus session bus)";

/// Runs one command for the app named `app_name`; blocks for at most
/// [`NOTIFICATION_TIMEOUT`].
pub fn handle(command: &NotificationCommand, app_name: &str) -> Result<Value, String> {
    match command {
        NotificationCommand::Send(options) => send(options, app_name, NOTIFICATION_TIMEOUT),
        NotificationCommand::IsPermissionGranted => Ok(json!(answers(NOTIFICATION_TIMEOUT))),
        NotificationCommand::RequestPermission => Ok(json!(if answers(NOTIFICATION_TIMEOUT) {
            "granted"
        } else {
            "denied"
        })),
    }
}

fn send(options: &NotificationOptions, app_name: &str, limit: Duration) -> Result<Value, String> {
    use gio::glib::{Variant, ToVariant};
    // org.freedesktop.Notifications.Notify(app_name, replaces_id, app_icon,
    // summary, body, actions, hints, expire_timeout) -> id.
    let hints: std::collections::HashMap<String, Variant> = Default::default();
    let parameters = (
        app_name,
        0u32,
        options.icon.as_deref().unwrap_or(""),
        options.title.as_str(),
        options.body.as_deref().unwrap_or(""),
        Vec::<String>::new(),
        hints,
        -1i32,
    )
        .to_variant();
    match bounded(limit, move || call("Notify", Some(parameters), "(u)", limit)) {
        Some(Ok(_)) => Ok(Value::Null),
        Some(Err(Failure::TimedOut)) | None => Err(format!(
            "cannot show the notification: {SERVICE} did not answer within {} s",
            limit.as_secs()
        )),
        Some(Err(Failure::Error(error))) => Err(format!(
            "cannot show the notification: {SERVICE} is not available: {error}"
        )),
    }
}

/// Whether a notification service answers within `limit`.
fn answers(limit: Duration) -> bool {
    matches!(
        bounded(limit, move || call("GetServerInformation", None, "(ssss)", limit)),
        Some(Ok(_))
    )
}

/// Why a call to the notification service failed.
enum Failure {
    TimedOut,
    Error(String),
}

/// Calls `method` of the notification service on a private connection to
/// the session bus (the shared one would make the app exit when the bus
/// closes), closed again afterwards.
fn call(
    method: &str,
    parameters: Option<gio::glib::Variant>,
    reply: &str,
    limit: Duration,
) -> Result<gio::glib::Variant, Failure> {
    use gio::{BusType, Cancellable, DBusAuthObserver, DBusCallFlags, DBusConnection};
    use gio::{DBusConnectionFlags, IOErrorEnum};
    let failed = |error: gio::glib::Error| match error.kind::<IOErrorEnum>() {
        Some(IOErrorEnum::TimedOut) => Failure::TimedOut,
        _ => Failure::Error(error.message().to_owned()),
    };
    let address = gio::dbus_address_get_for_bus_sync(BusType::Session, None::<&Cancellable>)
        .map_err(failed)?;
    let connection = DBusConnection::for_address_sync(
        &address,
        DBusConnectionFlags::AUTHENTICATION_CLIENT | DBusConnectionFlags::MESSAGE_BUS_CONNECTION,
        None::<&DBusAuthObserver>,
        None::<&Cancellable>,
    )
    .map_err(failed)?;
    let reply = gio::glib::VariantTy::new(reply).expect("a valid D-Bus signature");
    let answer = connection.call_sync(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        "org.freedesktop.Notifications",
        method,
        parameters.as_ref(),
        Some(reply),
        DBusCallFlags::NONE,
        i32::try_from(limit.as_millis()).unwrap_or(i32::MAX),
        None::<&Cancellable>,
    );
    // Nothing is left to flush: the reply (or the error) has arrived.
    let _ = connection.close_sync(None::<&Cancellable>);
    answer.map_err(failed)
}

/// Runs `work` on its own thread; `None` when it has not finished within
/// `limit` (the thread is left to end on its own, its result dropped).
fn bounded<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (sender, receiver) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("millennium-notification".to_owned())
        .spawn(move || {
            // The receiver is gone when the caller gave up.
            let _ = sender.send(work());
        });
    if spawned.is_err() {
        return None;
    }
    receiver.recv_timeout(limit).ok()
}

fn decode_notification(
    cmd: &str,
    function: &str,
    args: Value,
) -> Result<NotificationCommand, DecodeError> {
    Ok(match function {
        "sendNotification" => {
            let options: NotificationOptions = parse(cmd, args)?;
            if options.title.trim().is_empty() {
                return Err(bad(cmd, "`title` is empty"));
            }
            let fields = [
                ("title", Some(&options.title)),
                ("body", options.body.as_ref()),
                ("icon", options.icon.as_ref()),
            ];
            for (name, value) in fields {
                let Some(value) = value else { continue };
                if value.len() > MAX_NOTIFICATION_TEXT {
                    return Err(bad(
                        cmd,
                        format!("`{name}` is longer than {MAX_NOTIFICATION_TEXT} bytes"),
                    ));
                }
                // D-Bus strings cannot carry NUL.
                if value.contains('\0') {
                    return Err(bad(cmd, format!("`{name}` contains NUL")));
                }
            }
            NotificationCommand::Send(options)
        }
        "isPermissionGranted" => {
            no_args(cmd, args)?;
            NotificationCommand::IsPermissionGranted
        }
        "requestPermission" => {
            no_args(cmd, args)?;
            NotificationCommand::RequestPermission
        }
        _ => return Err(unknown(cmd)),
    })
}

#[cfg(test)]
mod tests {
    use crate::ipc::Command;
    use crate::ipc::decode::testing::decode;

    #[test]
    fn notification_commands_decode_with_their_key() {
        let send = decode(
            "notification.sendNotification",
            r#"{"title":"Hi","body":"there","icon":"dialog-information"}"#,
        )
        .unwrap();
        assert_eq!(
            send,
            Command::Notification(NotificationCommand::Send(NotificationOptions {
                title: "Hi".into(),
                body: Some("there".into()),
                icon: Some("dialog-information".into()),
            }))
        );
        assert_eq!(send.required_keys(), &[("notification", "send")]);
        let minimal = decode("notification.sendNotification", r#"{"title":"T"}"#).unwrap();
        assert_eq!(
            minimal,
            Command::Notification(NotificationCommand::Send(NotificationOptions {
                title: "T".into(),
                body: None,
                icon: None,
            }))
        );
        for (function, expected) in [
            (
                "isPermissionGranted",
                NotificationCommand::IsPermissionGranted,
            ),
            ("requestPermission", NotificationCommand::RequestPermission),
        ] {
            let command = decode(&format!("notification.{function}"), "{}").unwrap();
            assert_eq!(command, Command::Notification(expected));
            assert_eq!(command.required_keys(), &[("notification", "send")]);
        }
        let long = format!(r#"{{"title":"{}"}}"#, "a".repeat(MAX_NOTIFICATION_TEXT + 1));
        for (args, needle) in [
            ("{}", "missing field `title`"),
            (r#"{"title":""}"#, "`title` is empty"),
            (r#"{"title":"  "}"#, "`title` is empty"),
            (r#"{"title":1}"#, "invalid type"),
            (r#"{"title":"a","body":2}"#, "invalid type"),
            (r#"{"title":"a","sound":"x"}"#, "unknown field"),
            (r#"{"title":"a","body":"x\u0000y"}"#, "`body` contains NUL"),
            (r#"{"title":"a","icon":"\u0000"}"#, "`icon` contains NUL"),
            (long.as_str(), "longer than"),
        ] {
            let error = decode("notification.sendNotification", args).unwrap_err();
            assert!(error.contains(needle), "{args}: {error}");
        }
        let error = decode("notification.requestPermission", r#"{"a":1}"#).unwrap_err();
        assert!(error.contains("unknown field"), "{error}");
        let error = decode("notification.send", "{}").unwrap_err();
        assert!(error.contains("unknown command"), "{error}");
    }

    use super::*;

    #[test]
    fn bounded_gives_up_on_time() {
        let start = std::time::Instant::now();
        let slow = bounded(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            1
        });
        assert_eq!(slow, None);
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(bounded(Duration::from_secs(5), || 2), Some(2));
    }

    /// With no session bus at all, every call ends quickly with a clear error.
    #[test]
    fn no_session_bus_is_a_clear_error() {
        let options = NotificationOptions {
            title: "t".into(),
            body: None,
            icon: None,
        };
        // Only meaningful where this process has no session bus; the real
        // daemon-less bus is covered by the end-to-end test.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            return;
        }
        let start = std::time::Instant::now();
        let error = send(&options, "T", Duration::from_secs(5)).unwrap_err();
        assert!(
            error.starts_with("cannot show the notification:"),
            "{error}"
        );
        assert!(error.contains("org.freedesktop.Notifications"), "{error}");
        assert!(start.elapsed() < Duration::from_secs(6));
        assert!(!answers(Duration::from_secs(5)));
    }
}
