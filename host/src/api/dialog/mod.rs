//! `Millennium.dialog`: native file pickers and message boxes, modal to the
//! calling window, answered when the user closes them without blocking the
//! event loop (`gtk.rs`). Paths the user picks join the fs scope for the
//! rest of the run.

mod gtk;

pub use gtk::{Asker, Done, ask_download, show};

use millennium_config::model::{AllowlistKey, DialogAllowlist};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, LoopCall, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.dialog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogCommand {
    /// `open(options)`: pick files or directories.
    Open(OpenDialog),
    /// `save(options)`: pick a path to save to.
    Save(SaveDialog),
    /// `message`, `ask` and `confirm`.
    Message(MessageDialog),
}

/// A file-type filter of a file dialog: `{ name: "Markdown", extensions: ["md"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialogFilter {
    /// Shown in the filter menu.
    pub name: String,
    /// Extensions without the dot; `*` for any file.
    pub extensions: Vec<String>,
}

/// Tauri v1's `OpenDialogOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpenDialog {
    /// Window title.
    #[serde(default)]
    pub title: Option<String>,
    /// File-type filters.
    #[serde(default)]
    pub filters: Vec<DialogFilter>,
    /// Where the dialog starts: a directory, or a file to preselect.
    #[serde(default)]
    pub default_path: Option<String>,
    /// Several paths may be picked; the promise resolves with an array.
    #[serde(default)]
    pub multiple: bool,
    /// Pick directories instead of files.
    #[serde(default)]
    pub directory: bool,
    /// A picked directory joins the fs scope with everything inside it
    /// (otherwise with its direct children only).
    #[serde(default)]
    pub recursive: bool,
}

/// Tauri v1's `SaveDialogOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveDialog {
    /// Window title.
    #[serde(default)]
    pub title: Option<String>,
    /// File-type filters.
    #[serde(default)]
    pub filters: Vec<DialogFilter>,
    /// A directory to start in, a file name to suggest, or both as a path.
    #[serde(default)]
    pub default_path: Option<String>,
}

/// The icon of a message box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// Information (the default).
    #[default]
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
}

/// Which buttons a message box has, and so what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageButtons {
    /// `message()`: one OK button; resolves with nothing.
    Ok,
    /// `ask()`: Yes and No; resolves `true` for Yes.
    YesNo,
    /// `confirm()`: OK and Cancel; resolves `true` for OK.
    OkCancel,
}

/// `message`, `ask`, `confirm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDialog {
    /// The text.
    pub message: String,
    /// Window title (the app's name when absent).
    pub title: Option<String>,
    /// The icon.
    pub kind: MessageKind,
    /// The buttons.
    pub buttons: MessageButtons,
    /// Label of the OK/Yes button instead of the default.
    pub ok_label: Option<String>,
    /// Label of the Cancel/No button instead of the default.
    pub cancel_label: Option<String>,
}

impl Api for DialogCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["open", "save", "message", "ask", "confirm"],
        samples: &[
            sample("dialog.open", "{}", "Millennium.dialog.open()"),
            sample("dialog.save", "{}", "Millennium.dialog.save()"),
            sample("dialog.message", r#"{"message":"m"}"#, "Millennium.dialog.message('m')"),
            sample("dialog.ask", r#"{"message":"m"}"#, "Millennium.dialog.ask('m')"),
            sample("dialog.confirm", r#"{"message":"m"}"#, "Millennium.dialog.confirm('m')"),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<DialogCommand, DecodeError> {
        decode_dialog(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            DialogCommand::Open(_) => &[DialogAllowlist::open],
            DialogCommand::Save(_) => &[DialogAllowlist::save],
            DialogCommand::Message(m) => match m.buttons {
                MessageButtons::Ok => &[DialogAllowlist::message],
                MessageButtons::YesNo => &[DialogAllowlist::ask],
                MessageButtons::OkCancel => &[DialogAllowlist::confirm],
            },
        }
    }

    fn route(&self) -> Route {
        Route::EventLoop
    }

    /// Shows the dialog over the calling window; the promise settles when
    /// the user answers, so the loop keeps running meanwhile.
    fn run_in_loop(
        admitted: Admitted<DialogCommand>,
        call: &mut LoopCall<'_>,
    ) -> Option<Result<Output, String>> {
        let deferred = call.defer();
        let ctx = call.windows.ctx().clone();
        let Some(parent) = call.windows.window(call.label) else {
            deferred.settle(Err(format!("no window labelled `{}`", call.label)));
            return None;
        };
        let done: Done = Box::new(move |result| deferred.settle(result.map(Output::Json)));
        let asker = Asker {
            scope: ctx.fs_scope().clone(),
            paths: ctx.paths.clone(),
            window: call.label.to_owned(),
        };
        show(parent, admitted.command(), &ctx.config.app.name, asker, done);
        None
    }
}

/// Longest dialog title, message or button label, in bytes.
pub const MAX_DIALOG_TEXT: usize = 64 * 1024;

/// Most filters of one file dialog.
pub const MAX_DIALOG_FILTERS: usize = 64;

fn check_dialog_text(cmd: &str, name: &str, value: Option<&String>) -> Result<(), DecodeError> {
    let Some(value) = value else { return Ok(()) };
    if value.len() > MAX_DIALOG_TEXT {
        return Err(bad(
            cmd,
            format!("`{name}` is longer than {MAX_DIALOG_TEXT} bytes"),
        ));
    }
    // GTK takes C strings.
    if value.contains('\0') {
        return Err(bad(cmd, format!("`{name}` contains NUL")));
    }
    Ok(())
}

fn check_filters(cmd: &str, filters: &[DialogFilter]) -> Result<(), DecodeError> {
    if filters.len() > MAX_DIALOG_FILTERS {
        return Err(bad(cmd, format!("more than {MAX_DIALOG_FILTERS} filters")));
    }
    for (index, filter) in filters.iter().enumerate() {
        check_dialog_text(cmd, "filters[].name", Some(&filter.name))?;
        if filter.extensions.is_empty() {
            return Err(bad(cmd, format!("filters[{index}] has no extensions")));
        }
        for extension in &filter.extensions {
            let ok = extension == "*"
                || (!extension.is_empty()
                    && extension.len() <= 32
                    && extension
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'))
                    && !extension.starts_with('.'));
            if !ok {
                return Err(bad(
                    cmd,
                    format!(
                        "filters[{index}]: `{extension}` is not an extension (write `md`, not `.md` or `*.md`; `*` for any file)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn check_default_path(cmd: &str, path: Option<&String>) -> Result<(), DecodeError> {
    let Some(path) = path else { return Ok(()) };
    if path.contains('\0') {
        return Err(bad(cmd, "`defaultPath` contains NUL"));
    }
    if path.len() > crate::api::fs::scope::MAX_PATH_BYTES {
        return Err(bad(cmd, "`defaultPath` is too long"));
    }
    Ok(())
}

fn decode_dialog(cmd: &str, function: &str, args: Value) -> Result<DialogCommand, DecodeError> {
    let buttons = match function {
        "open" => {
            let options: OpenDialog = parse(cmd, args)?;
            check_dialog_text(cmd, "title", options.title.as_ref())?;
            check_filters(cmd, &options.filters)?;
            check_default_path(cmd, options.default_path.as_ref())?;
            if options.recursive && !options.directory {
                return Err(bad(cmd, "`recursive` needs `directory: true`"));
            }
            return Ok(DialogCommand::Open(options));
        }
        "save" => {
            let options: SaveDialog = parse(cmd, args)?;
            check_dialog_text(cmd, "title", options.title.as_ref())?;
            check_filters(cmd, &options.filters)?;
            check_default_path(cmd, options.default_path.as_ref())?;
            return Ok(DialogCommand::Save(options));
        }
        "message" => MessageButtons::Ok,
        "ask" => MessageButtons::YesNo,
        "confirm" => MessageButtons::OkCancel,
        _ => return Err(unknown(cmd)),
    };
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct A {
        message: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default, rename = "type")]
        kind: MessageKind,
        #[serde(default)]
        ok_label: Option<String>,
        #[serde(default)]
        cancel_label: Option<String>,
    }
    let a: A = parse(cmd, args)?;
    check_dialog_text(cmd, "message", Some(&a.message))?;
    check_dialog_text(cmd, "title", a.title.as_ref())?;
    check_dialog_text(cmd, "okLabel", a.ok_label.as_ref())?;
    check_dialog_text(cmd, "cancelLabel", a.cancel_label.as_ref())?;
    if buttons == MessageButtons::Ok && a.cancel_label.is_some() {
        return Err(bad(cmd, "`cancelLabel` needs ask() or confirm()"));
    }
    Ok(DialogCommand::Message(MessageDialog {
        message: a.message,
        title: a.title,
        kind: a.kind,
        buttons,
        ok_label: a.ok_label,
        cancel_label: a.cancel_label,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Command;
    use crate::ipc::decode::testing::decode;

    #[test]
    fn dialog_commands_decode_with_their_keys() {
        let open = decode(
            "dialog.open",
            r#"{"multiple":true,"directory":false,"title":"Pick","defaultPath":"/tmp",
                "filters":[{"name":"Markdown","extensions":["md","markdown"]}]}"#,
        )
        .unwrap();
        let Command::Dialog(DialogCommand::Open(options)) = &open else {
            panic!("{open:?}")
        };
        assert!(options.multiple && !options.directory);
        assert_eq!(options.filters[0].extensions, ["md", "markdown"]);
        assert_eq!(open.required_keys(), [("dialog", "open")]);
        let save = decode("dialog.save", r#"{"defaultPath":"note.md"}"#).unwrap();
        assert_eq!(save.required_keys(), [("dialog", "save")]);
        for (function, key, buttons) in [
            ("message", "message", MessageButtons::Ok),
            ("ask", "ask", MessageButtons::YesNo),
            ("confirm", "confirm", MessageButtons::OkCancel),
        ] {
            let command = decode(
                &format!("dialog.{function}"),
                r#"{"message":"Delete?","title":"Notes","type":"warning"}"#,
            )
            .unwrap();
            assert_eq!(command.required_keys(), [("dialog", key)]);
            let Command::Dialog(DialogCommand::Message(m)) = command else {
                panic!()
            };
            assert_eq!((m.buttons, m.kind), (buttons, MessageKind::Warning));
        }
    }

    #[test]
    fn dialog_bad_arguments_are_specific() {
        let cases = [
            ("dialog.message", "{}", "missing field `message`"),
            ("dialog.message", r#"{"message":1}"#, "expected a string"),
            (
                "dialog.ask",
                r#"{"message":"m","type":"question"}"#,
                "unknown variant `question`",
            ),
            ("dialog.open", r#"{"multiple":"yes"}"#, "expected a boolean"),
            (
                "dialog.open",
                r#"{"filters":[{"name":"x","extensions":[".md"]}]}"#,
                "not an extension",
            ),
            (
                "dialog.open",
                r#"{"filters":[{"name":"x","extensions":["*.md"]}]}"#,
                "not an extension",
            ),
            (
                "dialog.open",
                r#"{"filters":[{"name":"x","extensions":[]}]}"#,
                "has no extensions",
            ),
            (
                "dialog.open",
                r#"{"recursive":true}"#,
                "`recursive` needs `directory: true`",
            ),
            (
                "dialog.save",
                r#"{"defaultPath":"a\u0000b"}"#,
                "contains NUL",
            ),
            (
                "dialog.save",
                r#"{"multiple":true}"#,
                "unknown field `multiple`",
            ),
            (
                "dialog.message",
                r#"{"message":"m","cancelLabel":"No"}"#,
                "needs ask() or confirm()",
            ),
            (
                "dialog.message",
                r#"{"message":"a\u0000"}"#,
                "`message` contains NUL",
            ),
            ("dialog.pick", "{}", "unknown command"),
        ];
        for (cmd, args, expected) in cases {
            let error = decode(cmd, args).unwrap_err();
            assert!(error.contains(expected), "{cmd} {args}: {error}");
        }
    }
}
