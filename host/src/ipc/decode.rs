//! Decoding IPC messages: text (or a name, a query and a body) in, a typed
//! [`Command`] or a specific [`DecodeError`] out. Pure and panic-free on any
//! input; the fuzz target in `host/fuzz` drives [`decode_message`] and
//! [`decode_fetch`]. The envelope is decoded here; each API decodes its own
//! arguments (`host/src/api/<namespace>/`), reached through the registry.
//!
//! Message format on the `postMessage` channel (one JSON object):
//! `{"id": <u53>, "key": "<invoke key>", "cmd": "<namespace>.<function>", "args": {...}}`.
//! The fetch channel carries the same `cmd` in the URL, the key in a header,
//! and the `args` object as the body (or, for the few commands that move raw
//! bytes, their arguments in the query and the bytes as the body).

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Command;
use super::registry;

/// Largest `postMessage` text or fetch body accepted.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Largest raw body of a bulk-bytes command (fetch channel, no JSON).
pub const MAX_BINARY_BYTES: usize = 512 * 1024 * 1024;

/// A message before its command is decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The caller's id for the promise to settle.
    pub id: u64,
    /// The invoke key the caller presented.
    pub key: String,
    /// `namespace.function`.
    pub cmd: String,
    /// The arguments object (`null` when absent).
    pub args: Value,
}

/// Why a message could not be decoded. `id` is kept when known so the caller's
/// promise can still be rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// Bigger than [`MAX_MESSAGE_BYTES`].
    #[error("IPC message of {len} bytes exceeds the limit of {MAX_MESSAGE_BYTES} bytes")]
    TooLarge {
        /// Its size.
        len: usize,
    },
    /// Not JSON, or not the envelope shape.
    #[error("malformed IPC message: {0}")]
    Malformed(String),
    /// No such command.
    #[error("unknown command `{0}`")]
    UnknownCommand(String),
    /// The command exists; its arguments are wrong.
    #[error("invalid arguments for `{cmd}`: {reason}")]
    BadArgs {
        /// The command.
        cmd: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvelope {
    id: u64,
    key: String,
    cmd: String,
    #[serde(default)]
    args: Value,
}

/// Parses a `postMessage` text into its envelope. On error, also returns the
/// `id` when it could be read, so the caller can still be answered.
pub fn decode_envelope(text: &str) -> Result<Envelope, (Option<u64>, DecodeError)> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err((None, DecodeError::TooLarge { len: text.len() }));
    }
    match serde_json::from_str::<RawEnvelope>(text) {
        Ok(raw) => Ok(Envelope {
            id: raw.id,
            key: raw.key,
            cmd: raw.cmd,
            args: raw.args,
        }),
        Err(error) => {
            let id = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_u64));
            Err((id, DecodeError::Malformed(error.to_string())))
        }
    }
}

/// The promise id and key of a message as the bridge writes it
/// (`{"id":N,"key":"...",` first) when it cannot be parsed as a whole (too
/// large, nested deeper than the JSON parser goes): with the key checked,
/// its promise can be rejected instead of left waiting.
pub fn leading_id_and_key(text: &str) -> Option<(u64, &str)> {
    let rest = text.strip_prefix("{\"id\":")?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    if end == 0 || end > 19 {
        return None;
    }
    let id = rest[..end].parse().ok()?;
    let rest = rest[end..].strip_prefix(",\"key\":\"")?;
    let close = rest.find('"')?;
    let key = &rest[..close];
    (!key.contains('\\')).then_some((id, key))
}

/// Decodes a whole `postMessage` text: envelope, then command.
pub fn decode_message(text: &str) -> Result<(Envelope, Command), (Option<u64>, DecodeError)> {
    let envelope = decode_envelope(text)?;
    let command =
        decode_command(&envelope.cmd, envelope.args.clone()).map_err(|e| (Some(envelope.id), e))?;
    Ok((envelope, command))
}

/// Decodes a fetch-channel request: `cmd` from the URL path, the URL's query
/// (percent-encoded, already split off), and the raw body. Each API decides
/// what its commands accept ([`crate::api::Api::decode_fetch`]): JSON
/// arguments as the body by default; raw bytes, moved out of `body` without
/// a copy, for the commands that carry them.
pub fn decode_fetch(
    cmd: &str,
    query: Option<&str>,
    body: &mut Vec<u8>,
) -> Result<Command, DecodeError> {
    // `invokeBinary('ping', ...)` names the echo without its namespace.
    let cmd = if cmd == "ping" { "ipc.ping" } else { cmd };
    let unknown = || DecodeError::UnknownCommand(cmd.to_owned());
    let (namespace, function) = cmd.split_once('.').ok_or_else(unknown)?;
    registry::decode_fetch_in(namespace, cmd, function, query.unwrap_or(""), body)
        .unwrap_or_else(|| Err(unknown()))
}

/// Turns a command name and its arguments into a [`Command`].
pub fn decode_command(cmd: &str, args: Value) -> Result<Command, DecodeError> {
    let args = match args {
        Value::Null => Value::Object(Default::default()),
        object @ Value::Object(_) => object,
        _ => return Err(bad(cmd, "arguments must be an object")),
    };
    let unknown = || DecodeError::UnknownCommand(cmd.to_owned());
    let (namespace, function) = cmd.split_once('.').ok_or_else(unknown)?;
    registry::decode_in(namespace, cmd, function, args).unwrap_or_else(|| Err(unknown()))
}

/// The JSON arguments of a fetch-channel request: no query, and a body that
/// is empty or a JSON value under [`MAX_MESSAGE_BYTES`].
pub fn json_fetch_args(cmd: &str, query: &str, body: &[u8]) -> Result<Value, DecodeError> {
    if !query.is_empty() {
        return Err(bad(cmd, "this command takes no query string"));
    }
    if body.len() > MAX_MESSAGE_BYTES {
        return Err(DecodeError::TooLarge { len: body.len() });
    }
    let args = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|e| DecodeError::Malformed(e.to_string()))?
    };
    match args {
        Value::Null => Ok(Value::Object(Default::default())),
        object @ Value::Object(_) => Ok(object),
        _ => Err(bad(cmd, "arguments must be an object")),
    }
}

/// The raw body of a bytes command, under [`MAX_BINARY_BYTES`], moved out
/// of `body` without a copy.
pub fn raw_body(body: &mut Vec<u8>) -> Result<Vec<u8>, DecodeError> {
    if body.len() > MAX_BINARY_BYTES {
        return Err(DecodeError::TooLarge { len: body.len() });
    }
    Ok(std::mem::take(body))
}

/// The query of a raw-bytes command, split into its parameters (each
/// percent-decoded as UTF-8, named in `names`, given at most once).
pub fn query_params<'a>(
    cmd: &str,
    query: &str,
    names: &[&'a str],
) -> Result<Vec<(&'a str, String)>, DecodeError> {
    let mut found: Vec<(&'a str, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| bad(cmd, format!("query parameter `{name}` is not UTF-8")))?;
        let Some(&known) = names.iter().find(|n| **n == name) else {
            return Err(bad(cmd, format!("unknown query parameter `{name}`")));
        };
        if found.iter().any(|(n, _)| *n == known) {
            return Err(bad(cmd, format!("query parameter `{name}` is repeated")));
        }
        found.push((known, value.into_owned()));
    }
    Ok(found)
}

/// A [`DecodeError::BadArgs`] for `cmd`.
pub fn bad(cmd: &str, reason: impl Into<String>) -> DecodeError {
    DecodeError::BadArgs {
        cmd: cmd.to_owned(),
        reason: reason.into(),
    }
}

/// The arguments as `T` (serde's message on mismatch).
pub fn parse<T: DeserializeOwned>(cmd: &str, args: Value) -> Result<T, DecodeError> {
    serde_json::from_value(args).map_err(|e| bad(cmd, e.to_string()))
}

/// Refuses any argument.
pub fn no_args(cmd: &str, args: Value) -> Result<(), DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Empty {}
    parse::<Empty>(cmd, args).map(|_| ())
}

/// The unknown-command error for `cmd`.
pub fn unknown(cmd: &str) -> DecodeError {
    DecodeError::UnknownCommand(cmd.to_owned())
}

/// Shared by the APIs' decoder tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A `postMessage` text with id 7 and key `k`.
    pub fn msg(cmd: &str, args: &str) -> String {
        format!(r#"{{"id":7,"key":"k","cmd":"{cmd}","args":{args}}}"#)
    }

    /// The command of a `postMessage` call, or its error in words.
    pub fn decode(cmd: &str, args: &str) -> Result<Command, String> {
        decode_message(&msg(cmd, args))
            .map(|(_, c)| c)
            .map_err(|(_, e)| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::msg;
    use super::*;

    /// Regression: a message nested deeper than the JSON parser goes (a
    /// context menu 1,000 levels deep) or larger than the limit was dropped,
    /// and the page's promise waited for ever: its id and key are read
    /// from the front, as the bridge writes them.
    #[test]
    fn a_message_too_deep_or_too_large_still_names_its_promise() {
        let deep = format!(
            "{{\"id\":7,\"key\":\"k1\",\"cmd\":\"menu.popup\",\"args\":{}{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(matches!(
            decode_envelope(&deep),
            Err((_, DecodeError::Malformed(_)))
        ));
        assert_eq!(leading_id_and_key(&deep), Some((7, "k1")));
        let huge = format!(
            "{{\"id\":8,\"key\":\"k2\",\"args\":\"{}\"}}",
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert!(matches!(
            decode_envelope(&huge),
            Err((_, DecodeError::TooLarge { .. }))
        ));
        assert_eq!(leading_id_and_key(&huge), Some((8, "k2")));
        assert_eq!(leading_id_and_key("{\"id\":,\"key\":\"k\""), None);
        assert_eq!(
            leading_id_and_key("{\"id\":99999999999999999999999,\"key\":\"k\""),
            None
        );
        assert_eq!(leading_id_and_key("{\"id\":1,\"key\":\"a\\\"b\""), None);
        assert_eq!(leading_id_and_key("[1,2]"), None);
    }
    use crate::api::app::AppCommand;
    use crate::api::event::{Emit, EventCommand};
    use crate::api::ipc::IpcCommand;
    use crate::api::path::PathCommand;
    use crate::api::process::ProcessCommand;
    use crate::api::window::{Size, Unit, WindowCommand, WindowOp};
    use millennium_config::BaseDirectory;

    #[test]
    fn decodes_common_commands() {
        let cases: Vec<(String, Command)> = vec![
            (msg("app.getName", "{}"), Command::App(AppCommand::GetName)),
            (
                msg("process.exit", r#"{"code":3}"#),
                Command::Process(ProcessCommand::Exit(3)),
            ),
            (
                msg("process.exit", "null"),
                Command::Process(ProcessCommand::Exit(0)),
            ),
            (
                msg("path.appDataDir", "{}"),
                Command::Path(PathCommand::BaseDir(BaseDirectory::AppData)),
            ),
            (
                msg("window.setTitle", r#"{"label":"main","value":"Hi"}"#),
                Command::Window(WindowCommand {
                    target: Some("main".into()),
                    op: WindowOp::SetTitle("Hi".into()),
                }),
            ),
            (
                msg(
                    "window.setSize",
                    r#"{"value":{"type":"Logical","width":300,"height":200}}"#,
                ),
                Command::Window(WindowCommand {
                    target: None,
                    op: WindowOp::SetSize(Size {
                        unit: Unit::Logical,
                        width: 300.0,
                        height: 200.0,
                    }),
                }),
            ),
            (
                msg("event.emit", r#"{"event":"ping","payload":{"n":1}}"#),
                Command::Event(EventCommand::Emit(Emit {
                    event: "ping".into(),
                    payload: serde_json::json!({"n": 1}),
                    target: None,
                    own_window: false,
                })),
            ),
        ];
        for (text, expected) in cases {
            let (envelope, command) = decode_message(&text).unwrap();
            assert_eq!(envelope.id, 7);
            assert_eq!(envelope.key, "k");
            assert_eq!(command, expected, "{text}");
        }
    }

    #[test]
    fn malformed_messages_are_specific_errors() {
        let long = "x".repeat(MAX_MESSAGE_BYTES + 1);
        let cases: Vec<(&str, Option<u64>, &str)> = vec![
            ("", None, "malformed"),
            ("not json", None, "malformed"),
            ("[]", None, "malformed"),
            (r#"{"id":1}"#, Some(1), "malformed"),
            (
                r#"{"id":-1,"key":"k","cmd":"app.getName"}"#,
                None,
                "malformed",
            ),
            (
                r#"{"id":1,"key":5,"cmd":"app.getName"}"#,
                Some(1),
                "malformed",
            ),
            (
                r#"{"id":1,"key":"k","cmd":"app.getName","extra":1}"#,
                Some(1),
                "malformed",
            ),
            (
                r#"{"id":2,"key":"k","cmd":"nope"}"#,
                Some(2),
                "unknown command",
            ),
            (
                r#"{"id":2,"key":"k","cmd":"app.nope"}"#,
                Some(2),
                "unknown command",
            ),
            (
                r#"{"id":2,"key":"k","cmd":"fs.readFile"}"#,
                Some(2),
                "unknown command",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"app.getName","args":5}"#,
                Some(3),
                "must be an object",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"process.exit","args":{"code":"x"}}"#,
                Some(3),
                "invalid arguments",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"process.exit","args":{"code":1e20}}"#,
                Some(3),
                "invalid arguments",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.setTitle","args":{}}"#,
                Some(3),
                "invalid arguments",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.setTitle","args":{"label":1,"value":"x"}}"#,
                Some(3),
                "label",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.show","args":{"x":1}}"#,
                Some(3),
                "no arguments",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.setSize","args":{"value":{"type":"Logical","width":-1,"height":2}}}"#,
                Some(3),
                "between",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.setSize","args":{"value":{"type":"Furlong","width":1,"height":2}}}"#,
                Some(3),
                "invalid arguments",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.create","args":{"options":{}}}"#,
                Some(3),
                "needs a `label`",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"window.create","args":{"label":"a","options":{"bogus":1}}}"#,
                Some(3),
                "unknown field",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"event.emit","args":{"event":"millennium://resize"}}"#,
                Some(3),
                "reserved",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"event.emit","args":{"event":"a b"}}"#,
                Some(3),
                "event name",
            ),
            (
                r#"{"id":3,"key":"k","cmd":"event.emit","args":{"event":""}}"#,
                Some(3),
                "event name",
            ),
            (&long, None, "exceeds"),
        ];
        for (text, id, needle) in cases {
            let (got_id, error) = decode_message(text).expect_err(text);
            assert_eq!(got_id, id, "{text}");
            assert!(
                error.to_string().contains(needle),
                "{text}: `{error}` lacks `{needle}`"
            );
        }
    }

    #[test]
    fn body_channel_decodes_json_and_refuses_garbage() {
        assert_eq!(
            decode_fetch("ping", None, &mut b"\xff\x00".to_vec()).unwrap(),
            Command::Ipc(IpcCommand::Ping {
                echo: Some(b"\xff\x00".to_vec())
            })
        );
        assert_eq!(
            decode_fetch("app.getVersion", None, &mut Vec::new()).unwrap(),
            Command::App(AppCommand::GetVersion)
        );
        assert!(matches!(
            decode_fetch("app.getVersion", None, &mut b"\xff".to_vec()).unwrap_err(),
            DecodeError::Malformed(_)
        ));
    }

    #[test]
    fn every_gated_key_exists_in_the_config_model() {
        let allowlist = millennium_config::model::Allowlist::default();
        let samples = [
            msg("window.toggleMaximize", "{}"),
            msg("window.print", "{}"),
            msg(
                "window.setCursorPosition",
                r#"{"value":{"type":"Physical","x":1,"y":2}}"#,
            ),
            msg("window.create", r#"{"label":"a"}"#),
            msg("os.arch", "{}"),
            msg("path.join", r#"{"paths":["a"]}"#),
            msg("app.show", "{}"),
            msg("process.relaunch", "{}"),
        ];
        for text in samples {
            let (_, command) = decode_message(&text).unwrap();
            for key in command.required_keys() {
                assert_eq!(
                    allowlist.allows(key.category, key.command),
                    Some(false),
                    "{key}"
                );
            }
        }
    }

    /// Every key of the categories the host implements must gate a command:
    /// a key in the config that nothing requires is a promise to authors
    /// that the host does not keep (as `set-cursor-icon` once was).
    #[test]
    fn every_key_of_an_implemented_category_has_a_command() {
        let mut required = std::collections::BTreeSet::new();
        for sample in samples() {
            let command = sample_command(sample).unwrap_or_else(|e| panic!("{}: {e}", sample.cmd));
            required.extend(
                command
                    .required_keys()
                    .iter()
                    .chain(command.extra_keys())
                    .map(|key| (key.category, key.command)),
            );
        }
        // A category is implemented when an API of the registry has its name.
        let unserved: Vec<String> = millennium_config::model::Allowlist::keys()
            .filter(|(category, _)| registry::NAMESPACES.contains(category))
            .filter(|key| !required.contains(key))
            .map(|(category, command)| format!("allowlist.{category}.{command}"))
            .collect();
        assert!(unserved.is_empty(), "keys without a command: {unserved:?}");
    }

    /// Every API's samples decode on the channel they travel, as the
    /// command they name.
    #[test]
    fn every_sample_of_the_registry_decodes() {
        let mut count = 0;
        for sample in samples() {
            let command = sample_command(sample).unwrap_or_else(|e| panic!("{}: {e}", sample.cmd));
            assert_eq!(
                Some(command.namespace()),
                sample.cmd.split_once('.').map(|(ns, _)| ns)
            );
            count += 1;
        }
        assert!(count > 100, "{count} samples");
    }

    fn samples() -> impl Iterator<Item = &'static crate::api::Sample> {
        super::super::router::FRAGMENTS
            .iter()
            .flat_map(|fragment| fragment.surface.samples)
    }

    /// A sample with its placeholders filled in, decoded.
    fn sample_command(sample: &crate::api::Sample) -> Result<Command, String> {
        sample
            .decode(|text| {
                text.replace("$FILE", "/tmp/a.txt")
                    .replace("$NEW", "/tmp/b.txt")
                    .replace("$DIR", "/tmp")
                    .replace("$URL", "https://example.com/")
                    .replace("$PROGRAM", "touch")
                    .replace("$MARKER", "/tmp/touched")
            })
            .map_err(|e| e.to_string())
    }
}
