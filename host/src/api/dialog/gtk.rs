//! GTK file choosers and message boxes, modal to the
//! window whose page asked, shown without blocking the event loop (the
//! answer arrives through a GTK `response` signal, and other windows keep
//! working meanwhile).
//!
//! Paths the user picks join the fs scope for the rest of the run
//! ([`FsScope::grant`]): a picked file exactly, a picked directory with its
//! direct children (or everything in it with `recursive: true`), the target
//! of a save dialog exactly. The page cannot add paths any other way.
//!
//! Everything here runs on the UI thread (GTK is single-threaded).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use gtk::prelude::*;
use gtk::{
    ButtonsType, DialogFlags, FileChooserAction, FileChooserDialog, FileFilter, MessageType,
    ResponseType,
};
use serde_json::{Value, json};
use tao::platform::unix::WindowExtUnix;
use tao::window::Window;

use super::{
    DialogCommand, DialogFilter, MessageButtons, MessageDialog, MessageKind, OpenDialog, SaveDialog,
};
use crate::api::fs::{FsScope, GrantKind};

/// Receives the value the promise resolves with, or the rejection message.
pub type Done = Box<dyn FnOnce(Result<Value, String>)>;

/// Shows `command` over `parent`; `done` is called once, when the user
/// answers (or the dialog is closed, which counts as "cancel").
pub fn show(parent: &Window, command: &DialogCommand, app_name: &str, scope: FsScope, done: Done) {
    let parent = parent.gtk_window();
    match command {
        DialogCommand::Open(options) => open(parent, options, scope, done),
        DialogCommand::Save(options) => save(parent, options, scope, done),
        DialogCommand::Message(options) => message(parent, options, app_name, done),
    }
}

/// Runs `on_response` once, then destroys the dialog.
fn on_response<D: IsA<gtk::Dialog> + IsA<gtk::Widget>>(
    dialog: &D,
    done: Done,
    on_response: impl Fn(&D, ResponseType) -> Result<Value, String> + 'static,
) {
    let done = RefCell::new(Some(done));
    dialog.connect_response(move |dialog, response| {
        let Some(done) = done.borrow_mut().take() else {
            return;
        };
        let result = on_response(dialog, response);
        // SAFETY: the dialog is not used after this; GTK drops it from its
        // toplevel list and frees it once the last reference goes.
        unsafe { dialog.destroy() };
        done(result);
    });
}

fn file_chooser(
    parent: &gtk::ApplicationWindow,
    title: &str,
    action: FileChooserAction,
    accept: &str,
    filters: &[DialogFilter],
) -> FileChooserDialog {
    let dialog = FileChooserDialog::with_buttons(
        Some(title),
        Some(parent),
        action,
        &[
            ("_Cancel", ResponseType::Cancel),
            (accept, ResponseType::Accept),
        ],
    );
    dialog.set_modal(true);
    dialog.set_destroy_with_parent(true);
    // Enter in the location bar (Ctrl+L) accepts.
    dialog.set_default_response(ResponseType::Accept);
    dialog.set_local_only(true);
    for filter in filters {
        dialog.add_filter(file_filter(filter));
    }
    dialog
}

/// GTK patterns are case-sensitive: `md` becomes `*.[mM][dD]`.
fn file_filter(filter: &DialogFilter) -> FileFilter {
    let gtk_filter = FileFilter::new();
    gtk_filter.set_name(Some(&filter.name));
    for extension in &filter.extensions {
        gtk_filter.add_pattern(&extension_pattern(extension));
    }
    gtk_filter
}

fn extension_pattern(extension: &str) -> String {
    if extension == "*" {
        return "*".to_owned();
    }
    let mut pattern = String::from("*.");
    for c in extension.chars() {
        let (lower, upper) = (c.to_lowercase().to_string(), c.to_uppercase().to_string());
        if lower == upper {
            pattern.push(c);
        } else {
            pattern.push_str(&format!("[{lower}{upper}]"));
        }
    }
    pattern
}

/// The path as a JS string; a path that is not UTF-8 cannot be passed back
/// to the fs API intact, so it is refused rather than mangled.
fn path_text(path: &Path) -> Result<String, String> {
    path.to_str().map(str::to_owned).ok_or_else(|| {
        format!(
            "the picked path `{}` is not valid UTF-8 and cannot be used from JavaScript",
            path.display()
        )
    })
}

/// Grants the picked path and answers with its canonical form, the one the
/// fs API can open (it follows no symlink).
fn grant(scope: &FsScope, path: &Path, kind: GrantKind) -> Result<String, String> {
    path_text(path)?;
    let canonical = scope
        .grant(path, kind)
        .map_err(|e| format!("cannot allow the picked path: {e}"))?;
    path_text(&canonical)
}

fn open(parent: &gtk::ApplicationWindow, options: &OpenDialog, scope: FsScope, done: Done) {
    let (action, default_title, accept) = match (options.directory, options.multiple) {
        (true, false) => (FileChooserAction::SelectFolder, "Open Folder", "_Select"),
        (true, true) => (FileChooserAction::SelectFolder, "Open Folders", "_Select"),
        (false, false) => (FileChooserAction::Open, "Open File", "_Open"),
        (false, true) => (FileChooserAction::Open, "Open Files", "_Open"),
    };
    let title = options.title.as_deref().unwrap_or(default_title);
    let dialog = file_chooser(parent, title, action, accept, &options.filters);
    dialog.set_select_multiple(options.multiple);
    if let Some(default) = options.default_path.as_deref().map(Path::new)
        && default.is_absolute()
    {
        if default.is_dir() {
            dialog.set_current_folder(default);
        } else if default.exists() {
            dialog.set_filename(default);
        } else if let Some(folder) = default.parent().filter(|p| p.is_dir()) {
            dialog.set_current_folder(folder);
        }
    }
    let kind = match (options.directory, options.recursive) {
        (false, _) => GrantKind::Exact,
        (true, false) => GrantKind::Directory,
        (true, true) => GrantKind::Recursive,
    };
    let multiple = options.multiple;
    on_response(&dialog, done, move |dialog, response| {
        if response != ResponseType::Accept {
            return Ok(Value::Null);
        }
        let picked: Vec<PathBuf> = dialog.filenames();
        if picked.is_empty() {
            return Ok(Value::Null);
        }
        let mut texts = Vec::with_capacity(picked.len());
        for path in &picked {
            texts.push(grant(&scope, path, kind)?);
        }
        Ok(if multiple {
            json!(texts)
        } else {
            json!(texts[0])
        })
    });
    dialog.show_all();
}

fn save(parent: &gtk::ApplicationWindow, options: &SaveDialog, scope: FsScope, done: Done) {
    let title = options.title.as_deref().unwrap_or("Save File");
    let dialog = file_chooser(
        parent,
        title,
        FileChooserAction::Save,
        "_Save",
        &options.filters,
    );
    dialog.set_do_overwrite_confirmation(true);
    dialog.set_create_folders(true);
    if let Some(default) = options.default_path.as_deref().map(Path::new) {
        if default.is_absolute() && default.is_dir() {
            dialog.set_current_folder(default);
        } else {
            if default.is_absolute()
                && let Some(folder) = default.parent().filter(|p| p.is_dir())
            {
                dialog.set_current_folder(folder);
            }
            // A relative default path is only a name to suggest.
            if let Some(name) = default.file_name().and_then(|n| n.to_str()) {
                dialog.set_current_name(name);
            }
        }
    }
    on_response(&dialog, done, move |dialog, response| {
        if response != ResponseType::Accept {
            return Ok(Value::Null);
        }
        match dialog.filename() {
            Some(path) => Ok(json!(grant(&scope, &path, GrantKind::Exact)?)),
            None => Ok(Value::Null),
        }
    });
    dialog.show_all();
}

/// Asks where to save a download a page started, suggesting `suggested`
/// (WebKit's name in the download directory); `None` when the user cancels.
/// Blocks in a nested main loop: WebKit needs the answer before the signal
/// handler returns.
pub fn ask_download(parent: &gtk::ApplicationWindow, suggested: &Path) -> Option<PathBuf> {
    let dialog = file_chooser(parent, "Save Download", FileChooserAction::Save, "_Save", &[]);
    dialog.set_do_overwrite_confirmation(true);
    dialog.set_create_folders(true);
    if let Some(folder) = suggested.parent().filter(|p| p.is_dir()) {
        dialog.set_current_folder(folder);
    }
    if let Some(name) = suggested.file_name().and_then(|n| n.to_str()) {
        dialog.set_current_name(name);
    }
    let response = dialog.run();
    let path = if response == ResponseType::Accept {
        dialog.filename()
    } else {
        None
    };
    // SAFETY: the dialog is not used after this.
    unsafe { dialog.destroy() };
    path
}

fn message(parent: &gtk::ApplicationWindow, options: &MessageDialog, app_name: &str, done: Done) {
    let kind = match options.kind {
        MessageKind::Info => MessageType::Info,
        MessageKind::Warning => MessageType::Warning,
        MessageKind::Error => MessageType::Error,
    };
    let (yes, no, default_yes, default_no) = match options.buttons {
        MessageButtons::Ok => (ResponseType::Ok, ResponseType::Cancel, "_OK", ""),
        MessageButtons::YesNo => (ResponseType::Yes, ResponseType::No, "_Yes", "_No"),
        MessageButtons::OkCancel => (ResponseType::Ok, ResponseType::Cancel, "_OK", "_Cancel"),
    };
    let dialog = gtk::MessageDialog::new(
        Some(parent),
        DialogFlags::MODAL | DialogFlags::DESTROY_WITH_PARENT,
        kind,
        ButtonsType::None,
        &options.message,
    );
    dialog.set_title(options.title.as_deref().unwrap_or(app_name));
    if options.buttons != MessageButtons::Ok {
        dialog.add_button(options.cancel_label.as_deref().unwrap_or(default_no), no);
    }
    dialog.add_button(options.ok_label.as_deref().unwrap_or(default_yes), yes);
    // Enter answers yes/OK, Escape (or closing the box) answers no.
    dialog.set_default_response(yes);
    let buttons = options.buttons;
    on_response(&dialog, done, move |_, response| {
        Ok(match buttons {
            MessageButtons::Ok => Value::Null,
            MessageButtons::YesNo | MessageButtons::OkCancel => json!(response == yes),
        })
    });
    dialog.show_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_filters_ignore_case() {
        assert_eq!(extension_pattern("md"), "*.[mM][dD]");
        assert_eq!(extension_pattern("tar.gz"), "*.[tT][aA][rR].[gG][zZ]");
        assert_eq!(extension_pattern("mp3"), "*.[mM][pP]3");
        assert_eq!(extension_pattern("*"), "*");
    }
}
