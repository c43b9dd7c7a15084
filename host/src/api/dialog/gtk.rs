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
use crate::api::path::PathContext;
use millennium_config::BaseDirectory;

/// Receives the value the promise resolves with, or the rejection message.
pub type Done = Box<dyn FnOnce(Result<Value, String>)>;

/// Shows `command` over `parent`; `done` is called once, when the user
/// answers (or the dialog is closed, which counts as "cancel").
pub fn show(parent: &Window, command: &DialogCommand, app_name: &str, asker: Asker, done: Done) {
    let parent = parent.gtk_window();
    let default = match command {
        DialogCommand::Open(options) => options.default_path.as_deref(),
        DialogCommand::Save(options) => options.default_path.as_deref(),
        DialogCommand::Message(_) => None,
    };
    if let Some(default) = default
        && let Err(why) = check_default_path(&asker, default, matches!(command, DialogCommand::Save(_)))
    {
        return done(Err(why));
    }
    match command {
        DialogCommand::Open(options) => open(parent, options, asker, done),
        DialogCommand::Save(options) => save(parent, options, asker, done),
        DialogCommand::Message(options) => message(parent, options, app_name, done),
    }
}

/// Who asked for a dialog: the fs scope its picks join, and the window whose
/// pages get them.
pub struct Asker {
    /// The app's fs scope.
    pub scope: FsScope,
    /// The base directories (the user's standard folders among them).
    pub paths: PathContext,
    /// The window that asked.
    pub window: String,
}

/// The user's standard folders: what a dialog may open on besides the
/// scope (canonical, as [`PathContext::base_dir`] gives them).
fn standard_folders(paths: &PathContext) -> Vec<PathBuf> {
    use BaseDirectory as B;
    [
        B::Home,
        B::Document,
        B::Download,
        B::Desktop,
        B::Picture,
        B::Audio,
        B::Video,
        B::Public,
        B::Template,
    ]
    .into_iter()
    .filter_map(|dir| paths.base_dir(dir))
    .collect()
}

/// Regression (security review): a page could pre-select any file, such as
/// `~/.ssh/id_ed25519`, under a misleading title. A `defaultPath` file to
/// pre-select must now be inside the fs scope (for the asking window); a
/// folder to open on may also be inside one of the user's standard folders
/// through no hidden folder. For a save dialog its folder is what counts
/// (the name is only a suggestion), and a bare name is always fine.
fn check_default_path(asker: &Asker, default: &str, save: bool) -> Result<(), String> {
    let path = Path::new(default);
    if !path.is_absolute() {
        return if save {
            Ok(())
        } else {
            Err(format!(
                "defaultPath `{default}` must be absolute (a folder or file to open on)"
            ))
        };
    }
    let Ok(checked) = crate::api::fs::scope::lexical(default, None) else {
        return Err(format!("defaultPath `{default}` is not a usable path"));
    };
    let folder = if save && !checked.is_dir() {
        checked.parent().map(Path::to_path_buf).unwrap_or(checked.clone())
    } else {
        checked.clone()
    };
    let canonical = std::fs::canonicalize(&folder).unwrap_or(folder.clone());
    // A file to pre-select must be in the scope; a folder to open on may
    // also be a standard folder or inside one, through no hidden folder
    // (`~/.ssh`).
    let a_file = !save && !canonical.is_dir();
    let in_standard = !a_file && standard_folders(&asker.paths).iter().any(|standard| {
        canonical.strip_prefix(standard).is_ok_and(|rest| {
            rest.components()
                .all(|part| !part.as_os_str().as_encoded_bytes().starts_with(b"."))
        })
    });
    if in_standard
        || asker.scope.allows_in(&checked, Some(&asker.window))
        || asker.scope.allows_in(&canonical, Some(&asker.window))
    {
        return Ok(());
    }
    Err(format!(
        "defaultPath `{default}` is neither inside the fs scope (allowlist.fs.scope) nor in one of your standard folders"
    ))
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
fn grant(asker: &Asker, path: &Path, kind: GrantKind) -> Result<String, String> {
    path_text(path)?;
    if kind == GrantKind::Recursive {
        // Regression (security review): one click on a directory dialog with
        // `recursive: true` shared all of `$HOME`.
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let home = asker.paths.base_dir(BaseDirectory::Home);
        if canonical == Path::new("/") || home.is_some_and(|home| home.starts_with(&canonical)) {
            return Err(format!(
                "`{}` holds your whole home folder, so it cannot be shared with everything inside it: pick a folder inside it",
                canonical.display()
            ));
        }
    }
    let canonical = asker
        .scope
        .grant(path, kind, &asker.window)
        .map_err(|e| format!("cannot allow the picked path: {e}"))?;
    path_text(&canonical)
}

fn open(parent: &gtk::ApplicationWindow, options: &OpenDialog, asker: Asker, done: Done) {
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
            texts.push(grant(&asker, path, kind)?);
        }
        Ok(if multiple {
            json!(texts)
        } else {
            json!(texts[0])
        })
    });
    dialog.show_all();
}

fn save(parent: &gtk::ApplicationWindow, options: &SaveDialog, asker: Asker, done: Done) {
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
            Some(path) => Ok(json!(grant(&asker, &path, GrantKind::Exact)?)),
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
