//! The built-in update dialog, after "Install": a small modal box over the
//! app with a progress bar, "1.2 MB of 4.5 MB" under it and the percentage
//! in its title (so a taskbar shows it too). It ends as "Restarting…" when
//! the new version runs, or turns into the reason when the update fails
//! (the app keeps running as it was, and the box gets a Close button).
//!
//! The download runs on a worker thread and sends every [`UpdateEvent`]
//! down a channel; the UI thread drains it ten times a second and redraws
//! once, however many chunks arrived (a fast download must not flood GTK
//! with redraws, a slow one still moves every 100 ms).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

use gtk::glib;
use gtk::prelude::*;
use gtk::{ButtonsType, DialogFlags, MessageType, ResponseType};

use crate::updater::UpdateEvent;

/// How often the box redraws while the download runs.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// Where the install stands, as far as the box is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Bytes are arriving (`total` is the size the manifest declares).
    Downloading { downloaded: u64, total: u64 },
    /// Downloaded; being verified and put in place.
    Installing,
    /// The new version runs; this process exits in a moment.
    Restarting,
    /// Nothing was changed, for this reason.
    Failed(String),
}

impl Stage {
    /// Folds one event in. Events the box has no use for leave it as is.
    pub fn apply(&mut self, event: UpdateEvent) {
        *self = match event {
            UpdateEvent::Progress {
                downloaded, total, ..
            } => Stage::Downloading { downloaded, total },
            UpdateEvent::Downloaded => Stage::Installing,
            UpdateEvent::Done => Stage::Restarting,
            UpdateEvent::Error(why) => Stage::Failed(why),
            UpdateEvent::Pending | UpdateEvent::UpToDate => return,
        };
    }

    /// Whether nothing more will happen (the box stops polling).
    pub fn is_final(&self) -> bool {
        matches!(self, Stage::Restarting | Stage::Failed(_))
    }

    /// How full the bar is, 0 to 1.
    pub fn fraction(&self) -> f64 {
        match self {
            Stage::Downloading { total: 0, .. } => 0.0,
            Stage::Downloading { downloaded, total } => {
                (*downloaded as f64 / *total as f64).clamp(0.0, 1.0)
            }
            Stage::Installing | Stage::Restarting => 1.0,
            Stage::Failed(_) => 0.0,
        }
    }

    /// The window title: `Updating Notes: 42%`, then what happened.
    pub fn title(&self, app: &str) -> String {
        match self {
            Stage::Downloading { .. } => {
                // Floor, so 100% is shown only when every byte is in.
                format!("Updating {app}: {}%", (self.fraction() * 100.0) as u32)
            }
            Stage::Installing => format!("Updating {app}: installing"),
            Stage::Restarting => format!("Updating {app}: restarting"),
            Stage::Failed(_) => format!("Update of {app} failed"),
        }
    }

    /// The line under the headline.
    pub fn detail(&self, app: &str, current: &str) -> String {
        match self {
            Stage::Downloading { downloaded, total } => {
                format!("{} of {}", human_bytes(*downloaded), human_bytes(*total))
            }
            Stage::Installing => "Checking the signature and installing…".to_owned(),
            Stage::Restarting => format!("Installed. {app} restarts now."),
            Stage::Failed(why) => format!("{why}\n\nNothing was changed: {app} {current} keeps running."),
        }
    }
}

/// A byte count as GNOME writes it (decimal units, one decimal place).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    // Round first, so 999,960 bytes reads "1.0 MB", not "1000.0 kB".
    while (value * 10.0).round() / 10.0 >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Shows the box over `parent` and keeps it up to date from `events`
/// until the install ends. `version` is the one being installed,
/// `current` the one running.
pub fn show(
    parent: &gtk::ApplicationWindow,
    app: String,
    version: String,
    current: String,
    events: Receiver<UpdateEvent>,
) {
    let dialog = gtk::MessageDialog::new(
        Some(parent),
        DialogFlags::MODAL | DialogFlags::DESTROY_WITH_PARENT,
        MessageType::Info,
        ButtonsType::None,
        &format!("Downloading {app} {version}…"),
    );
    let mut stage = Stage::Downloading {
        downloaded: 0,
        total: 0,
    };
    // Until it ends, the box cannot be closed: the download goes on
    // whatever the box does, and the app restarts when it is in.
    dialog.set_deletable(false);
    let closable = Rc::new(Cell::new(false));
    dialog.connect_delete_event({
        let closable = Rc::clone(&closable);
        move |_, _| {
            if closable.get() {
                glib::Propagation::Proceed
            } else {
                glib::Propagation::Stop
            }
        }
    });
    let bar = gtk::ProgressBar::new();
    bar.set_size_request(320, -1);
    if let Ok(area) = dialog.message_area().downcast::<gtk::Box>() {
        area.pack_start(&bar, false, false, 6);
    }
    let draw = {
        let (dialog, bar) = (dialog.clone(), bar.clone());
        move |stage: &Stage| {
            dialog.set_title(&stage.title(&app));
            dialog.set_secondary_text(Some(&stage.detail(&app, &current)));
            bar.set_fraction(stage.fraction());
            if let Stage::Failed(_) = stage {
                dialog.set_property("message-type", MessageType::Error);
                dialog.set_property("text", "The update could not be installed");
                bar.hide();
                closable.set(true);
                dialog.set_deletable(true);
                dialog.add_button("_Close", ResponseType::Close);
                dialog.set_default_response(ResponseType::Close);
                dialog.connect_response(|dialog, _| {
                    // SAFETY: nothing uses the box after this; GTK frees
                    // it once its last reference goes.
                    unsafe { dialog.destroy() }
                });
            }
        }
    };
    draw(&stage);
    dialog.show_all();
    glib::timeout_add_local(REDRAW_EVERY, move || {
        let before = stage.clone();
        loop {
            match events.try_recv() {
                Ok(event) => stage.apply(event),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // The worker ended without saying how: say so rather
                    // than leave a box that never closes.
                    if !stage.is_final() {
                        stage = Stage::Failed("the update stopped without a result".to_owned());
                    }
                    break;
                }
            }
        }
        if stage != before {
            draw(&stage);
        }
        if stage.is_final() {
            glib::ControlFlow::Break
        } else {
            glib::ControlFlow::Continue
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_read_as_gnome_writes_them() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(1000), "1.0 kB");
        assert_eq!(human_bytes(65_536), "65.5 kB");
        assert_eq!(human_bytes(999_960), "1.0 MB");
        assert_eq!(human_bytes(4_500_000), "4.5 MB");
        assert_eq!(human_bytes(123_456_789), "123.5 MB");
        assert_eq!(human_bytes(2_000_000_000), "2.0 GB");
        assert_eq!(human_bytes(u64::MAX), "18446744.1 TB");
    }

    #[test]
    fn the_box_follows_the_install_and_stops_at_its_end() {
        let mut stage = Stage::Downloading {
            downloaded: 0,
            total: 0,
        };
        assert_eq!(stage.fraction(), 0.0, "an unknown size is an empty bar");
        stage.apply(UpdateEvent::Pending);
        assert_eq!(stage.title("Notes"), "Updating Notes: 0%");
        stage.apply(UpdateEvent::Progress {
            chunk: 10,
            downloaded: 419,
            total: 1000,
        });
        assert_eq!(stage.title("Notes"), "Updating Notes: 41%");
        assert_eq!(stage.detail("Notes", "1.0.0"), "419 bytes of 1.0 kB");
        assert!(!stage.is_final());
        stage.apply(UpdateEvent::Progress {
            chunk: 10,
            downloaded: 999,
            total: 1000,
        });
        assert_eq!(stage.title("Notes"), "Updating Notes: 99%", "floored");
        stage.apply(UpdateEvent::Downloaded);
        assert_eq!(stage.fraction(), 1.0);
        assert_eq!(stage.title("Notes"), "Updating Notes: installing");
        stage.apply(UpdateEvent::Done);
        assert!(stage.is_final());
        assert_eq!(stage.detail("Notes", "1.0.0"), "Installed. Notes restarts now.");
    }

    #[test]
    fn a_failure_names_its_reason_and_what_keeps_running() {
        let mut stage = Stage::Installing;
        stage.apply(UpdateEvent::Error("the signature does not verify".to_owned()));
        assert!(stage.is_final());
        assert_eq!(stage.title("Notes"), "Update of Notes failed");
        assert_eq!(
            stage.detail("Notes", "1.0.0"),
            "the signature does not verify\n\nNothing was changed: Notes 1.0.0 keeps running."
        );
    }

    #[test]
    fn more_bytes_than_declared_never_overfill_the_bar() {
        let stage = Stage::Downloading {
            downloaded: 2000,
            total: 1000,
        };
        assert_eq!(stage.fraction(), 1.0);
        assert_eq!(stage.title("Notes"), "Updating Notes: 100%");
    }
}
