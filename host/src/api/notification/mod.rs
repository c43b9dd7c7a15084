//! `Millennium.notification`: desktop notifications through the
//! freedesktop `org.freedesktop.Notifications` service on the D-Bus session
//! bus (notify-rust over zbus, pure Rust).
//!
//! Where no notification service runs, D-Bus answers with an error at once,
//! or (when an activatable service fails to start) only after its own
//! activation timeout of about 25 s. Each call therefore runs on a thread of
//! its own and is given up after [`NOTIFICATION_TIMEOUT`]: the promise is
//! rejected with a clear error, never left hanging. Linux has no permission
//! to ask for, so "granted" means "a notification service answers".

use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::ipc::command::{NotificationCommand, NotificationOptions};

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
    let mut notification = notify_rust::Notification::new();
    notification.appname(app_name).summary(&options.title);
    if let Some(body) = &options.body {
        notification.body(body);
    }
    if let Some(icon) = &options.icon {
        notification.icon(icon);
    }
    match bounded(limit, move || {
        notification.show().map(|_| ()).map_err(|e| e.to_string())
    }) {
        Some(Ok(())) => Ok(Value::Null),
        Some(Err(error)) => Err(format!(
            "cannot show the notification: {SERVICE} is not available: {error}"
        )),
        None => Err(format!(
            "cannot show the notification: {SERVICE} did not answer within {} s",
            limit.as_secs()
        )),
    }
}

/// Whether a notification service answers within `limit`.
fn answers(limit: Duration) -> bool {
    matches!(
        bounded(limit, || notify_rust::get_server_information().is_ok()),
        Some(true)
    )
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

#[cfg(test)]
mod tests {
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
