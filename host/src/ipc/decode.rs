//! Decoding IPC messages: text (or a name, headers and a body) in, a typed
//! [`Command`] or a specific [`DecodeError`] out. Pure and panic-free on any
//! input; the fuzz target in `host/fuzz` drives [`decode_message`].
//!
//! Message format on the `postMessage` channel (one JSON object):
//! `{"id": <u53>, "key": "<invoke key>", "cmd": "<namespace>.<function>", "args": {...}}`.
//! The fetch channel carries the same `cmd` in the URL, the key in a header,
//! and the `args` object as the body.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::command::*;
use millennium_config::BaseDirectory;
use tao::window::CursorIcon;

/// Largest `postMessage` text or fetch body accepted.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Largest raw body of a bulk-bytes command (fetch channel, no JSON).
pub const MAX_BINARY_BYTES: usize = 512 * 1024 * 1024;

/// Longest event name.
pub const MAX_EVENT_NAME: usize = 256;

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

/// Decodes a whole `postMessage` text: envelope, then command.
pub fn decode_message(text: &str) -> Result<(Envelope, Command), (Option<u64>, DecodeError)> {
    let envelope = decode_envelope(text)?;
    let command =
        decode_command(&envelope.cmd, envelope.args.clone()).map_err(|e| (Some(envelope.id), e))?;
    Ok((envelope, command))
}

/// Decodes a fetch-channel body (a JSON object or empty) for `cmd`.
pub fn decode_body(cmd: &str, body: &[u8]) -> Result<Command, DecodeError> {
    // Raw-byte commands carry their payload as is and get the larger cap;
    // JSON bodies are parsed, so they keep the small one.
    if cmd == "ping" {
        if body.len() > MAX_BINARY_BYTES {
            return Err(DecodeError::TooLarge { len: body.len() });
        }
        return Ok(Command::Ping);
    }
    if body.len() > MAX_MESSAGE_BYTES {
        return Err(DecodeError::TooLarge { len: body.len() });
    }
    let args = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|e| DecodeError::Malformed(e.to_string()))?
    };
    decode_command(cmd, args)
}

/// Decodes a fetch-channel request: `cmd` from the URL path, the URL's query
/// (percent-encoded, already split off), and the raw body.
///
/// `fs.writeBinaryFile` is the one command whose body is raw bytes with its
/// arguments in the query: `?path=<percent-encoded UTF-8>&dir=<n>` (`dir`
/// optional, a Tauri v1 `BaseDirectory` number). Every other command takes
/// no query and a JSON body, as [`decode_body`]. The bytes of a write are
/// moved out of `body` (left empty), without a copy.
pub fn decode_fetch(
    cmd: &str,
    query: Option<&str>,
    body: &mut Vec<u8>,
) -> Result<Command, DecodeError> {
    let query = query.unwrap_or("");
    if cmd == "fs.writeBinaryFile" {
        if body.len() > MAX_BINARY_BYTES {
            return Err(DecodeError::TooLarge { len: body.len() });
        }
        let mut path = None;
        let mut dir = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_err(|_| bad(cmd, format!("query parameter `{name}` is not UTF-8")))?;
            let slot = match name {
                "path" => &mut path,
                "dir" => &mut dir,
                _ => return Err(bad(cmd, format!("unknown query parameter `{name}`"))),
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(bad(cmd, format!("query parameter `{name}` is repeated")));
            }
        }
        let path = path.ok_or_else(|| bad(cmd, "missing query parameter `path`"))?;
        let dir = match dir {
            None => None,
            Some(text) => {
                let number: u64 = text
                    .parse()
                    .map_err(|_| bad(cmd, "`dir` must be a BaseDirectory number"))?;
                Some(base_directory(cmd, number)?)
            }
        };
        let path = fs_path(cmd, path, dir)?;
        return Ok(Command::Fs(FsCommand::WriteFile {
            path,
            contents: std::mem::take(body),
        }));
    }
    if cmd == "http.request" && !query.is_empty() {
        // Arguments as JSON in `?args=`, the raw body is the request body.
        if body.len() > MAX_BINARY_BYTES {
            return Err(DecodeError::TooLarge { len: body.len() });
        }
        let Some(encoded) = query.strip_prefix("args=").filter(|q| !q.contains('&')) else {
            return Err(bad(cmd, "the query must be `args=<JSON>` only"));
        };
        let text = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| bad(cmd, "query parameter `args` is not UTF-8"))?;
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(DecodeError::TooLarge { len: text.len() });
        }
        let args: Value = serde_json::from_str(&text)
            .map_err(|e| bad(cmd, format!("`args` is not JSON: {e}")))?;
        let raw = std::mem::take(body);
        return Ok(Command::Http(HttpCommand::Request(decode_http(
            cmd,
            args,
            Some(raw),
        )?)));
    }
    if !query.is_empty() {
        return Err(bad(cmd, "this command takes no query string"));
    }
    decode_body(cmd, body)
}

/// Turns a command name and its arguments into a [`Command`].
pub fn decode_command(cmd: &str, args: Value) -> Result<Command, DecodeError> {
    let args = match args {
        Value::Null => Value::Object(Default::default()),
        object @ Value::Object(_) => object,
        _ => return Err(bad(cmd, "arguments must be an object")),
    };
    let (namespace, function) = cmd
        .split_once('.')
        .ok_or_else(|| DecodeError::UnknownCommand(cmd.to_owned()))?;
    let unknown = || DecodeError::UnknownCommand(cmd.to_owned());
    let command = match namespace {
        "app" => Command::App(match function {
            "getName" => AppCommand::GetName,
            "getVersion" => AppCommand::GetVersion,
            "getMillenniumVersion" => AppCommand::GetMillenniumVersion,
            "show" => AppCommand::Show,
            "hide" => AppCommand::Hide,
            _ => return Err(unknown()),
        }),
        "process" => Command::Process(match function {
            "exit" => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct A {
                    #[serde(default)]
                    code: i32,
                }
                ProcessCommand::Exit(parse::<A>(cmd, args)?.code)
            }
            "relaunch" => ProcessCommand::Relaunch,
            _ => return Err(unknown()),
        }),
        "event" if function == "emit" => {
            let emit: Emit = parse(cmd, args)?;
            check_event_name(cmd, &emit.event)?;
            Command::Emit(emit)
        }
        "os" => Command::Os(match function {
            "platform" => OsCommand::Platform,
            "version" => OsCommand::Version,
            "type" => OsCommand::Type,
            "arch" => OsCommand::Arch,
            "tempdir" => OsCommand::Tempdir,
            "locale" => OsCommand::Locale,
            "eol" => OsCommand::Eol,
            _ => return Err(unknown()),
        }),
        "path" => Command::Path(decode_path(cmd, function, args)?),
        "fs" => Command::Fs(decode_fs(cmd, function, args)?),
        "clipboard" => Command::Clipboard(decode_clipboard(cmd, function, args)?),
        "notification" => Command::Notification(decode_notification(cmd, function, args)?),
        "dialog" => Command::Dialog(decode_dialog(cmd, function, args)?),
        "shell" => Command::Shell(decode_shell(cmd, function, args)?),
        "updater" => {
            let command = match function {
                "checkUpdate" => UpdaterCommand::Check,
                "installUpdate" => UpdaterCommand::Install,
                _ => return Err(unknown()),
            };
            no_args(cmd, args)?;
            Command::Updater(command)
        }
        "http" if function == "request" => {
            Command::Http(HttpCommand::Request(decode_http(cmd, args, None)?))
        }
        "window" => decode_window(cmd, function, args)?,
        "ipc" if function == "ping" => Command::Ping,
        _ => return Err(unknown()),
    };
    Ok(command)
}

fn bad(cmd: &str, reason: impl Into<String>) -> DecodeError {
    DecodeError::BadArgs {
        cmd: cmd.to_owned(),
        reason: reason.into(),
    }
}

fn parse<T: DeserializeOwned>(cmd: &str, args: Value) -> Result<T, DecodeError> {
    serde_json::from_value(args).map_err(|e| bad(cmd, e.to_string()))
}

fn check_event_name(cmd: &str, name: &str) -> Result<(), DecodeError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ':' | '_' | '.'));
    if name.is_empty() || name.len() > MAX_EVENT_NAME || !valid_chars {
        return Err(bad(
            cmd,
            "an event name is 1 to 256 letters, digits, `-`, `/`, `:`, `_` or `.`",
        ));
    }
    if name.starts_with("millennium://") {
        return Err(bad(
            cmd,
            "event names starting with `millennium://` are reserved",
        ));
    }
    Ok(())
}

/// Base directory functions, named as in Tauri v1's `path` module.
const BASE_DIR_FUNCTIONS: &[(&str, BaseDirectory)] = &[
    ("audioDir", BaseDirectory::Audio),
    ("cacheDir", BaseDirectory::Cache),
    ("configDir", BaseDirectory::Config),
    ("dataDir", BaseDirectory::Data),
    ("localDataDir", BaseDirectory::LocalData),
    ("desktopDir", BaseDirectory::Desktop),
    ("documentDir", BaseDirectory::Document),
    ("downloadDir", BaseDirectory::Download),
    ("executableDir", BaseDirectory::Executable),
    ("fontDir", BaseDirectory::Font),
    ("homeDir", BaseDirectory::Home),
    ("pictureDir", BaseDirectory::Picture),
    ("publicDir", BaseDirectory::Public),
    ("runtimeDir", BaseDirectory::Runtime),
    ("templateDir", BaseDirectory::Template),
    ("videoDir", BaseDirectory::Video),
    ("resourceDir", BaseDirectory::Resource),
    ("tempDir", BaseDirectory::Temp),
    ("appConfigDir", BaseDirectory::AppConfig),
    ("appDataDir", BaseDirectory::AppData),
    ("appLocalDataDir", BaseDirectory::AppLocalData),
    ("appCacheDir", BaseDirectory::AppCache),
    ("appLogDir", BaseDirectory::AppLog),
];

fn decode_path(cmd: &str, function: &str, args: Value) -> Result<PathCommand, DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct One {
        path: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Many {
        paths: Vec<String>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Base {
        path: String,
        #[serde(default)]
        ext: Option<String>,
    }
    if let Some((_, dir)) = BASE_DIR_FUNCTIONS.iter().find(|(f, _)| *f == function) {
        return Ok(PathCommand::BaseDir(*dir));
    }
    Ok(match function {
        "resolve" => PathCommand::Resolve(parse::<Many>(cmd, args)?.paths),
        "join" => PathCommand::Join(parse::<Many>(cmd, args)?.paths),
        "normalize" => PathCommand::Normalize(parse::<One>(cmd, args)?.path),
        "dirname" => PathCommand::Dirname(parse::<One>(cmd, args)?.path),
        "extname" => PathCommand::Extname(parse::<One>(cmd, args)?.path),
        "isAbsolute" => PathCommand::IsAbsolute(parse::<One>(cmd, args)?.path),
        "basename" => {
            let a = parse::<Base>(cmd, args)?;
            PathCommand::Basename(a.path, a.ext)
        }
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
    })
}

/// Tauri v1's `BaseDirectory` numbers (`App` and `Log` are its deprecated
/// aliases of `AppConfig` and `AppLog`).
const BASE_DIR_NUMBERS: &[(u64, BaseDirectory)] = &[
    (1, BaseDirectory::Audio),
    (2, BaseDirectory::Cache),
    (3, BaseDirectory::Config),
    (4, BaseDirectory::Data),
    (5, BaseDirectory::LocalData),
    (6, BaseDirectory::Desktop),
    (7, BaseDirectory::Document),
    (8, BaseDirectory::Download),
    (9, BaseDirectory::Executable),
    (10, BaseDirectory::Font),
    (11, BaseDirectory::Home),
    (12, BaseDirectory::Picture),
    (13, BaseDirectory::Public),
    (14, BaseDirectory::Runtime),
    (15, BaseDirectory::Template),
    (16, BaseDirectory::Video),
    (17, BaseDirectory::Resource),
    (18, BaseDirectory::AppConfig),
    (19, BaseDirectory::AppLog),
    (20, BaseDirectory::Temp),
    (21, BaseDirectory::AppConfig),
    (22, BaseDirectory::AppData),
    (23, BaseDirectory::AppLocalData),
    (24, BaseDirectory::AppCache),
    (25, BaseDirectory::AppLog),
];

fn base_directory(cmd: &str, number: u64) -> Result<BaseDirectory, DecodeError> {
    BASE_DIR_NUMBERS
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, dir)| *dir)
        .ok_or_else(|| {
            bad(
                cmd,
                format!("unknown base directory {number} (use Millennium.fs.BaseDirectory)"),
            )
        })
}

/// Longest path string accepted (the scope refuses longer ones too, with the same limit).
pub const MAX_FS_PATH: usize = 4096;

fn fs_path(cmd: &str, path: String, dir: Option<BaseDirectory>) -> Result<FsPath, DecodeError> {
    if path.is_empty() {
        return Err(bad(cmd, "the path is empty"));
    }
    if path.len() > MAX_FS_PATH {
        return Err(bad(cmd, "the path is longer than 4096 bytes"));
    }
    if path.contains('\0') {
        return Err(bad(cmd, "the path contains a NUL byte"));
    }
    Ok(FsPath { path, dir })
}

fn decode_fs(cmd: &str, function: &str, args: Value) -> Result<FsCommand, DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct One {
        path: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Deep {
        path: String,
        #[serde(default)]
        dir: Option<u64>,
        #[serde(default)]
        recursive: bool,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Text {
        path: String,
        contents: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Two {
        source: String,
        destination: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    let dir = |n: Option<u64>| n.map(|n| base_directory(cmd, n)).transpose();
    let one = |args| -> Result<FsPath, DecodeError> {
        let a = parse::<One>(cmd, args)?;
        fs_path(cmd, a.path, dir(a.dir)?)
    };
    let deep = |args| -> Result<(FsPath, bool), DecodeError> {
        let a = parse::<Deep>(cmd, args)?;
        Ok((fs_path(cmd, a.path, dir(a.dir)?)?, a.recursive))
    };
    let two = |args| -> Result<(FsPath, FsPath), DecodeError> {
        let a = parse::<Two>(cmd, args)?;
        let d = dir(a.dir)?;
        Ok((fs_path(cmd, a.source, d)?, fs_path(cmd, a.destination, d)?))
    };
    Ok(match function {
        "readTextFile" => FsCommand::ReadFile {
            path: one(args)?,
            binary: false,
        },
        "readBinaryFile" => FsCommand::ReadFile {
            path: one(args)?,
            binary: true,
        },
        "writeTextFile" => {
            let a = parse::<Text>(cmd, args)?;
            FsCommand::WriteFile {
                path: fs_path(cmd, a.path, dir(a.dir)?)?,
                contents: a.contents.into_bytes(),
            }
        }
        "writeBinaryFile" => {
            return Err(bad(
                cmd,
                "the bytes travel as the raw body of a fetch to /__ipc/fs.writeBinaryFile \
                 (use Millennium.fs.writeBinaryFile)",
            ));
        }
        "readDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::ReadDir { path, recursive }
        }
        "createDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::CreateDir { path, recursive }
        }
        "removeDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::RemoveDir { path, recursive }
        }
        "removeFile" => FsCommand::RemoveFile(one(args)?),
        "exists" => FsCommand::Exists(one(args)?),
        "renameFile" => {
            let (from, to) = two(args)?;
            FsCommand::RenameFile { from, to }
        }
        "copyFile" => {
            let (from, to) = two(args)?;
            FsCommand::CopyFile { from, to }
        }
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
    })
}

/// Longest program argument, environment value or stdin write from a page, in bytes.
pub const MAX_SHELL_TEXT: usize = 1024 * 1024;

/// Most arguments of one command.
pub const MAX_SHELL_ARGS: usize = 4096;

fn decode_shell(cmd: &str, function: &str, args: Value) -> Result<ShellCommand, DecodeError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Args {
        One(String),
        Many(Vec<String>),
    }
    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Options {
        #[serde(default)]
        cwd: Option<String>,
        #[serde(default)]
        env: Option<std::collections::BTreeMap<String, String>>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Run {
        program: String,
        #[serde(default)]
        args: Option<Args>,
        #[serde(default)]
        options: Option<Options>,
        #[serde(default)]
        channel: Option<u64>,
    }
    let text = |name: &str, value: &str| -> Result<(), DecodeError> {
        if value.len() > MAX_SHELL_TEXT {
            return Err(bad(
                cmd,
                format!("`{name}` is longer than {MAX_SHELL_TEXT} bytes"),
            ));
        }
        if value.contains('\0') {
            return Err(bad(cmd, format!("`{name}` contains NUL")));
        }
        Ok(())
    };
    let run = |args: Value, spawn: bool| -> Result<(ShellRun, Option<u64>), DecodeError> {
        let run: Run = parse(cmd, args)?;
        let args = match run.args {
            None => Vec::new(),
            Some(Args::One(arg)) => vec![arg],
            Some(Args::Many(args)) => args,
        };
        if args.len() > MAX_SHELL_ARGS {
            return Err(bad(cmd, format!("more than {MAX_SHELL_ARGS} arguments")));
        }
        for arg in &args {
            text("args[]", arg)?;
        }
        let options = run.options.unwrap_or_default();
        let env: Vec<(String, String)> = options.env.unwrap_or_default().into_iter().collect();
        for (name, value) in &env {
            if name.is_empty() || name.contains('=') {
                return Err(bad(
                    cmd,
                    format!("`{name}` is not an environment variable name"),
                ));
            }
            // The dynamic loader's variables would let a page run its own
            // code inside a scoped program.
            if name.starts_with("LD_") {
                return Err(bad(
                    cmd,
                    format!("`{name}` may not be set: the dynamic loader's variables are refused"),
                ));
            }
            text("env", name)?;
            text("env", value)?;
        }
        if let Some(cwd) = &options.cwd {
            text("cwd", cwd)?;
        }
        if spawn != run.channel.is_some() {
            return Err(bad(cmd, "`channel` is required by spawn and only by spawn"));
        }
        Ok((
            ShellRun {
                name: run.program,
                args,
                cwd: options.cwd,
                env,
            },
            run.channel,
        ))
    };
    Ok(match function {
        "open" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct A {
                path: String,
                #[serde(default)]
                with: Option<String>,
            }
            let a: A = parse(cmd, args)?;
            text("path", &a.path)?;
            ShellCommand::Open {
                path: a.path,
                with: a.with,
            }
        }
        "execute" => ShellCommand::Execute(run(args, false)?.0),
        "spawn" => {
            let (run, channel) = run(args, true)?;
            ShellCommand::Spawn {
                run,
                channel: channel.unwrap_or_default(),
            }
        }
        "stdinWrite" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct A {
                pid: u32,
                buffer: String,
            }
            let a: A = parse(cmd, args)?;
            if a.buffer.len() > MAX_SHELL_TEXT {
                return Err(bad(
                    cmd,
                    format!("`buffer` is longer than {MAX_SHELL_TEXT} bytes"),
                ));
            }
            ShellCommand::Write {
                pid: a.pid,
                data: a.buffer.into_bytes(),
            }
        }
        "killChild" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct A {
                pid: u32,
            }
            ShellCommand::Kill {
                pid: parse::<A>(cmd, args)?.pid,
            }
        }
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
    })
}

/// Longest accepted request timeout.
pub const MAX_HTTP_TIMEOUT_SECS: f64 = 3600.0;

/// `http.request` arguments; `raw` is the fetch channel's body (the bytes
/// of a `Body.bytes` request; empty otherwise).
fn decode_http(
    cmd: &str,
    args: Value,
    raw: Option<Vec<u8>>,
) -> Result<HttpRequestArgs, DecodeError> {
    #[derive(Deserialize)]
    #[serde(tag = "type", content = "payload", deny_unknown_fields)]
    enum Body {
        Text(String),
        Json(Value),
        Form(std::collections::BTreeMap<String, String>),
        Bytes,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Timeout {
        Seconds(f64),
        Duration { secs: u64, nanos: u32 },
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct A {
        #[serde(default)]
        method: Option<String>,
        url: String,
        #[serde(default)]
        query: Option<std::collections::BTreeMap<String, String>>,
        #[serde(default)]
        headers: Option<std::collections::BTreeMap<String, String>>,
        #[serde(default)]
        body: Option<Body>,
        #[serde(default)]
        timeout: Option<Timeout>,
        #[serde(default)]
        response_type: Option<u8>,
    }
    let a: A = parse(cmd, args)?;
    let mut raw = raw.unwrap_or_default();
    if !raw.is_empty() && !matches!(a.body, Some(Body::Bytes)) {
        return Err(bad(cmd, "a raw body needs `body: { type: \"Bytes\" }`"));
    }
    let body = match a.body {
        None => None,
        Some(Body::Text(text)) => Some(HttpBodyArg::Text(text)),
        Some(Body::Json(value)) => Some(HttpBodyArg::Json(value)),
        Some(Body::Form(form)) => Some(HttpBodyArg::Form(form.into_iter().collect())),
        Some(Body::Bytes) => Some(HttpBodyArg::Bytes(std::mem::take(&mut raw))),
    };
    let timeout = match a.timeout {
        None => None,
        Some(Timeout::Seconds(secs)) => {
            if !(secs > 0.0 && secs <= MAX_HTTP_TIMEOUT_SECS) {
                return Err(bad(
                    cmd,
                    format!(
                        "`timeout` must be more than 0 and at most {MAX_HTTP_TIMEOUT_SECS} seconds"
                    ),
                ));
            }
            Some(std::time::Duration::from_secs_f64(secs))
        }
        Some(Timeout::Duration { secs, nanos }) => {
            let duration = std::time::Duration::new(secs, nanos.min(999_999_999));
            if duration.is_zero() || duration.as_secs_f64() > MAX_HTTP_TIMEOUT_SECS {
                return Err(bad(cmd, "`timeout` is out of range"));
            }
            Some(duration)
        }
    };
    let response_type = match a.response_type {
        None | Some(1) => HttpResponseType::Json,
        Some(2) => HttpResponseType::Text,
        Some(3) => HttpResponseType::Binary,
        Some(other) => {
            return Err(bad(
                cmd,
                format!("`responseType` {other} is not 1 (JSON), 2 (Text) or 3 (Binary)"),
            ));
        }
    };
    Ok(HttpRequestArgs {
        method: a.method.unwrap_or_else(|| "GET".to_owned()),
        url: a.url,
        query: a.query.unwrap_or_default().into_iter().collect(),
        headers: a.headers.unwrap_or_default().into_iter().collect(),
        body,
        timeout,
        response_type,
    })
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
    if path.len() > crate::api::fs_scope::MAX_PATH_BYTES {
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
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
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

/// Longest notification title, body or icon, in bytes.
pub const MAX_NOTIFICATION_TEXT: usize = 64 * 1024;

fn no_args(cmd: &str, args: Value) -> Result<(), DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Empty {}
    parse::<Empty>(cmd, args).map(|_| ())
}

fn decode_clipboard(
    cmd: &str,
    function: &str,
    args: Value,
) -> Result<ClipboardCommand, DecodeError> {
    Ok(match function {
        "readText" => {
            no_args(cmd, args)?;
            ClipboardCommand::ReadText
        }
        "writeText" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct A {
                text: String,
            }
            ClipboardCommand::WriteText(parse::<A>(cmd, args)?.text)
        }
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
    })
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
        _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
    })
}

fn decode_window(cmd: &str, function: &str, mut args: Value) -> Result<Command, DecodeError> {
    // Every window command may name its target; the rest is per command.
    let target = match args.as_object_mut().and_then(|o| o.remove("label")) {
        None | Some(Value::Null) => None,
        Some(Value::String(label)) => Some(label),
        Some(_) => return Err(bad(cmd, "`label` must be a string")),
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Flag {
        value: bool,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Text {
        value: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SizeArg {
        value: Size,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct OptSize {
        #[serde(default)]
        value: Option<Size>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PosArg {
        value: Position,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Create {
        #[serde(default)]
        options: WindowOptions,
    }
    let flag = |args| parse::<Flag>(cmd, args).map(|f| f.value);
    let no_args = |args: &Value| match args.as_object() {
        Some(o) if o.is_empty() => Ok(()),
        _ => Err(bad(cmd, "this command takes no arguments")),
    };
    use WindowOp as W;
    let op = match function {
        "create" => {
            let label = target
                .clone()
                .ok_or_else(|| bad(cmd, "a new window needs a `label`"))?;
            let create = parse::<Create>(cmd, args)?;
            return Ok(Command::Window {
                target: None,
                op: W::Create {
                    label,
                    options: Box::new(create.options),
                },
            });
        }
        "setResizable" => W::SetResizable(flag(args)?),
        "setTitle" => W::SetTitle(parse::<Text>(cmd, args)?.value),
        "setDecorations" => W::SetDecorations(flag(args)?),
        "setAlwaysOnTop" => W::SetAlwaysOnTop(flag(args)?),
        "setSize" => W::SetSize(check_size(cmd, parse::<SizeArg>(cmd, args)?.value)?),
        "setMinSize" => W::SetMinSize(match parse::<OptSize>(cmd, args)?.value {
            Some(s) => Some(check_size(cmd, s)?),
            None => None,
        }),
        "setMaxSize" => W::SetMaxSize(match parse::<OptSize>(cmd, args)?.value {
            Some(s) => Some(check_size(cmd, s)?),
            None => None,
        }),
        "setPosition" => W::SetPosition(check_position(cmd, parse::<PosArg>(cmd, args)?.value)?),
        "setCursorPosition" => {
            W::SetCursorPosition(check_position(cmd, parse::<PosArg>(cmd, args)?.value)?)
        }
        "setFullscreen" => W::SetFullscreen(flag(args)?),
        "setSkipTaskbar" => W::SetSkipTaskbar(flag(args)?),
        "setCursorGrab" => W::SetCursorGrab(flag(args)?),
        "setCursorIcon" => W::SetCursorIcon(cursor_icon(cmd, &parse::<Text>(cmd, args)?.value)?),
        "setCursorVisible" => W::SetCursorVisible(flag(args)?),
        "setIgnoreCursorEvents" => W::SetIgnoreCursorEvents(flag(args)?),
        "interceptClose" => W::InterceptClose(flag(args)?),
        other => {
            no_args(&args)?;
            match other {
                "labels" => W::Labels,
                "title" => W::Title,
                "innerSize" => W::InnerSize,
                "outerSize" => W::OuterSize,
                "innerPosition" => W::InnerPosition,
                "outerPosition" => W::OuterPosition,
                "scaleFactor" => W::ScaleFactor,
                "isFullscreen" => W::IsFullscreen,
                "isMaximized" => W::IsMaximized,
                "isMinimized" => W::IsMinimized,
                "isFocused" => W::IsFocused,
                "isDecorated" => W::IsDecorated,
                "isResizable" => W::IsResizable,
                "isVisible" => W::IsVisible,
                "theme" => W::Theme,
                "center" => W::Center,
                "requestUserAttention" => W::RequestUserAttention,
                "maximize" => W::Maximize,
                "unmaximize" => W::Unmaximize,
                "toggleMaximize" => W::ToggleMaximize,
                "minimize" => W::Minimize,
                "unminimize" => W::Unminimize,
                "show" => W::Show,
                "hide" => W::Hide,
                "close" => W::Close,
                "setFocus" => W::SetFocus,
                "startDragging" => W::StartDragging,
                "print" => W::Print,
                "confirmClose" => W::ConfirmClose,
                _ => return Err(DecodeError::UnknownCommand(cmd.to_owned())),
            }
        }
    };
    Ok(Command::Window { target, op })
}

/// Cursor names of Tauri v1's `CursorIcon` type, in its spelling.
const CURSOR_ICONS: &[(&str, CursorIcon)] = &[
    ("default", CursorIcon::Default),
    ("crosshair", CursorIcon::Crosshair),
    ("hand", CursorIcon::Hand),
    ("arrow", CursorIcon::Arrow),
    ("move", CursorIcon::Move),
    ("text", CursorIcon::Text),
    ("wait", CursorIcon::Wait),
    ("help", CursorIcon::Help),
    ("progress", CursorIcon::Progress),
    ("notAllowed", CursorIcon::NotAllowed),
    ("contextMenu", CursorIcon::ContextMenu),
    ("cell", CursorIcon::Cell),
    ("verticalText", CursorIcon::VerticalText),
    ("alias", CursorIcon::Alias),
    ("copy", CursorIcon::Copy),
    ("noDrop", CursorIcon::NoDrop),
    ("grab", CursorIcon::Grab),
    ("grabbing", CursorIcon::Grabbing),
    ("allScroll", CursorIcon::AllScroll),
    ("zoomIn", CursorIcon::ZoomIn),
    ("zoomOut", CursorIcon::ZoomOut),
    ("eResize", CursorIcon::EResize),
    ("nResize", CursorIcon::NResize),
    ("neResize", CursorIcon::NeResize),
    ("nwResize", CursorIcon::NwResize),
    ("sResize", CursorIcon::SResize),
    ("seResize", CursorIcon::SeResize),
    ("swResize", CursorIcon::SwResize),
    ("wResize", CursorIcon::WResize),
    ("ewResize", CursorIcon::EwResize),
    ("nsResize", CursorIcon::NsResize),
    ("neswResize", CursorIcon::NeswResize),
    ("nwseResize", CursorIcon::NwseResize),
    ("colResize", CursorIcon::ColResize),
    ("rowResize", CursorIcon::RowResize),
];

fn cursor_icon(cmd: &str, name: &str) -> Result<CursorIcon, DecodeError> {
    CURSOR_ICONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, icon)| *icon)
        .ok_or_else(|| {
            bad(
                cmd,
                format!("unknown cursor `{name}` (expected a Tauri v1 cursor name such as `default`, `hand`, `text`, `ewResize`)"),
            )
        })
}

/// Sizes must be finite, positive and below the largest window we accept.
fn check_size(cmd: &str, size: Size) -> Result<Size, DecodeError> {
    let ok = |v: f64| v.is_finite() && (1.0..=16384.0 * 8.0).contains(&v);
    if ok(size.width) && ok(size.height) {
        Ok(size)
    } else {
        Err(bad(cmd, "width and height must be between 1 and 131072"))
    }
}

fn check_position(cmd: &str, pos: Position) -> Result<Position, DecodeError> {
    let ok = |v: f64| v.is_finite() && v.abs() <= 1_048_576.0;
    if ok(pos.x) && ok(pos.y) {
        Ok(pos)
    } else {
        Err(bad(cmd, "x and y must be finite and within ±1048576"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(cmd: &str, args: &str) -> String {
        format!(r#"{{"id":7,"key":"k","cmd":"{cmd}","args":{args}}}"#)
    }

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
                Command::Window {
                    target: Some("main".into()),
                    op: WindowOp::SetTitle("Hi".into()),
                },
            ),
            (
                msg(
                    "window.setSize",
                    r#"{"value":{"type":"Logical","width":300,"height":200}}"#,
                ),
                Command::Window {
                    target: None,
                    op: WindowOp::SetSize(Size {
                        unit: Unit::Logical,
                        width: 300.0,
                        height: 200.0,
                    }),
                },
            ),
            (
                msg("event.emit", r#"{"event":"ping","payload":{"n":1}}"#),
                Command::Emit(Emit {
                    event: "ping".into(),
                    payload: serde_json::json!({"n": 1}),
                    target: None,
                }),
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
    fn window_create_takes_label_and_options() {
        let text = msg(
            "window.create",
            r#"{"label":"second","options":{"url":"second.html","width":300,"alwaysOnTop":true}}"#,
        );
        let (_, command) = decode_message(&text).unwrap();
        let Command::Window {
            op: WindowOp::Create { label, options },
            ..
        } = command
        else {
            panic!("not a create: {command:?}");
        };
        assert_eq!(label, "second");
        assert_eq!(options.url.as_deref(), Some("second.html"));
        assert_eq!(options.always_on_top, Some(true));
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
        assert_eq!(decode_body("ping", b"\xff\x00").unwrap(), Command::Ping);
        assert_eq!(
            decode_body("app.getVersion", b"").unwrap(),
            Command::App(AppCommand::GetVersion)
        );
        assert!(matches!(
            decode_body("app.getVersion", b"\xff").unwrap_err(),
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
            for (category, name) in command.required_keys() {
                assert_eq!(
                    allowlist.allows(category, name),
                    Some(false),
                    "allowlist.{category}.{name}"
                );
            }
        }
    }

    #[test]
    fn cursor_icons_use_tauri_v1_names() {
        let icon = |name: &str| {
            let text = msg(
                "window.setCursorIcon",
                &serde_json::json!({"value": name}).to_string(),
            );
            decode_message(&text)
                .map(|(_, c)| c)
                .map_err(|(_, e)| e.to_string())
        };
        let expect = |c: CursorIcon| {
            Ok(Command::Window {
                target: None,
                op: WindowOp::SetCursorIcon(c),
            })
        };
        assert_eq!(icon("hand"), expect(CursorIcon::Hand));
        assert_eq!(icon("ewResize"), expect(CursorIcon::EwResize));
        assert_eq!(icon("notAllowed"), expect(CursorIcon::NotAllowed));
        assert_eq!(icon("default"), expect(CursorIcon::Default));
        assert_eq!(CURSOR_ICONS.len(), 35, "Tauri v1 has 35 cursor names");
        for wrong in ["Hand", "not-allowed", "pointer", ""] {
            assert!(
                icon(wrong).is_err_and(|e| e.contains("unknown cursor")),
                "{wrong}"
            );
        }
        let not_text = msg("window.setCursorIcon", r#"{"value":3}"#);
        assert!(decode_message(&not_text).is_err());
        let (_, command) =
            decode_message(&msg("window.setCursorIcon", r#"{"value":"wait"}"#)).unwrap();
        assert_eq!(command.required_keys(), &[("window", "set-cursor-icon")]);
    }

    /// Every key of the categories the host implements must gate a command:
    /// a key in the config that nothing requires is a promise to authors
    /// that the host does not keep (as `set-cursor-icon` once was).
    #[test]
    fn every_key_of_an_implemented_category_has_a_command() {
        let implemented = [
            "window",
            "app",
            "process",
            "os",
            "path",
            "fs",
            "clipboard",
            "notification",
            "dialog",
            "updater",
            "shell",
            "http",
        ];
        let size = r#"{"value":{"type":"Logical","width":3,"height":4}}"#;
        let position = r#"{"value":{"type":"Logical","x":3,"y":4}}"#;
        let samples = [
            ("window.create", r#"{"label":"a"}"#),
            ("window.center", "{}"),
            ("window.requestUserAttention", "{}"),
            ("window.setResizable", r#"{"value":true}"#),
            ("window.setTitle", r#"{"value":"t"}"#),
            ("window.maximize", "{}"),
            ("window.unmaximize", "{}"),
            ("window.toggleMaximize", "{}"),
            ("window.minimize", "{}"),
            ("window.unminimize", "{}"),
            ("window.show", "{}"),
            ("window.hide", "{}"),
            ("window.close", "{}"),
            ("window.setDecorations", r#"{"value":true}"#),
            ("window.setAlwaysOnTop", r#"{"value":true}"#),
            ("window.setSize", size),
            ("window.setMinSize", size),
            ("window.setMaxSize", size),
            ("window.setPosition", position),
            ("window.setFullscreen", r#"{"value":true}"#),
            ("window.setFocus", "{}"),
            ("window.setSkipTaskbar", r#"{"value":true}"#),
            ("window.setCursorGrab", r#"{"value":true}"#),
            ("window.setCursorVisible", r#"{"value":true}"#),
            ("window.setCursorIcon", r#"{"value":"hand"}"#),
            ("window.setCursorPosition", position),
            ("window.setIgnoreCursorEvents", r#"{"value":true}"#),
            ("window.startDragging", "{}"),
            ("window.print", "{}"),
            ("app.show", "{}"),
            ("app.hide", "{}"),
            ("process.exit", "{}"),
            ("process.relaunch", "{}"),
            ("os.platform", "{}"),
            ("path.appDataDir", "{}"),
            ("fs.readTextFile", r#"{"path":"/a"}"#),
            ("fs.writeTextFile", r#"{"path":"/a","contents":""}"#),
            ("fs.readDir", r#"{"path":"/a"}"#),
            ("fs.copyFile", r#"{"source":"/a","destination":"/b"}"#),
            ("fs.createDir", r#"{"path":"/a"}"#),
            ("fs.removeDir", r#"{"path":"/a"}"#),
            ("fs.removeFile", r#"{"path":"/a"}"#),
            ("fs.renameFile", r#"{"source":"/a","destination":"/b"}"#),
            ("fs.exists", r#"{"path":"/a"}"#),
            ("clipboard.readText", "{}"),
            ("clipboard.writeText", r#"{"text":"t"}"#),
            ("notification.sendNotification", r#"{"title":"t"}"#),
            ("dialog.open", "{}"),
            ("updater.checkUpdate", "{}"),
            ("shell.open", r#"{"path":"https://example.com"}"#),
            ("shell.execute", r#"{"program":"x"}"#),
            ("http.request", r#"{"url":"https://example.com/"}"#),
            ("updater.installUpdate", "{}"),
            ("dialog.save", "{}"),
            ("dialog.message", r#"{"message":"m"}"#),
            ("dialog.ask", r#"{"message":"m"}"#),
            ("dialog.confirm", r#"{"message":"m"}"#),
        ];
        let mut required = std::collections::BTreeSet::new();
        for (cmd, args) in samples {
            let (_, command) =
                decode_message(&msg(cmd, args)).unwrap_or_else(|e| panic!("{cmd}: {e:?}"));
            required.extend(command.required_keys().iter().copied());
        }
        let unserved: Vec<String> = millennium_config::model::Allowlist::keys()
            .filter(|(category, _)| implemented.contains(category))
            .filter(|key| !required.contains(key))
            .map(|(category, command)| format!("allowlist.{category}.{command}"))
            .collect();
        assert!(unserved.is_empty(), "keys without a command: {unserved:?}");
    }

    fn fs(cmd: &str, args: &str) -> Result<Command, String> {
        decode_message(&msg(cmd, args))
            .map(|(_, c)| c)
            .map_err(|(_, e)| e.to_string())
    }

    fn app(path: &str) -> FsPath {
        FsPath {
            path: path.to_owned(),
            dir: Some(BaseDirectory::AppData),
        }
    }

    #[test]
    fn fs_commands_decode_with_their_keys() {
        let abs = |p: &str| FsPath {
            path: p.to_owned(),
            dir: None,
        };
        let cases: Vec<(&str, &str, FsCommand, &str)> = vec![
            (
                "fs.readTextFile",
                r#"{"path":"a.md","dir":22}"#,
                FsCommand::ReadFile {
                    path: app("a.md"),
                    binary: false,
                },
                "read-file",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"/x"}"#,
                FsCommand::ReadFile {
                    path: abs("/x"),
                    binary: true,
                },
                "read-file",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a.md","contents":"hé","dir":22}"#,
                FsCommand::WriteFile {
                    path: app("a.md"),
                    contents: "hé".into(),
                },
                "write-file",
            ),
            (
                "fs.readDir",
                r#"{"path":"notes","dir":22,"recursive":true}"#,
                FsCommand::ReadDir {
                    path: app("notes"),
                    recursive: true,
                },
                "read-dir",
            ),
            (
                "fs.createDir",
                r#"{"path":"notes","dir":22}"#,
                FsCommand::CreateDir {
                    path: app("notes"),
                    recursive: false,
                },
                "create-dir",
            ),
            (
                "fs.removeDir",
                r#"{"path":"notes","dir":22,"recursive":true}"#,
                FsCommand::RemoveDir {
                    path: app("notes"),
                    recursive: true,
                },
                "remove-dir",
            ),
            (
                "fs.removeFile",
                r#"{"path":"a","dir":22}"#,
                FsCommand::RemoveFile(app("a")),
                "remove-file",
            ),
            (
                "fs.renameFile",
                r#"{"source":"a","destination":"b","dir":22}"#,
                FsCommand::RenameFile {
                    from: app("a"),
                    to: app("b"),
                },
                "rename-file",
            ),
            (
                "fs.copyFile",
                r#"{"source":"a","destination":"b","dir":22}"#,
                FsCommand::CopyFile {
                    from: app("a"),
                    to: app("b"),
                },
                "copy-file",
            ),
            (
                "fs.exists",
                r#"{"path":"a","dir":18}"#,
                FsCommand::Exists(FsPath {
                    path: "a".into(),
                    dir: Some(BaseDirectory::AppConfig),
                }),
                "exists",
            ),
        ];
        for (cmd, args, expected, key) in cases {
            let command = fs(cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"));
            assert_eq!(command.required_keys(), &[("fs", key)], "{cmd}");
            assert_eq!(command, Command::Fs(expected), "{cmd}");
        }
    }

    #[test]
    fn fs_bad_arguments_are_specific() {
        let long = format!(r#"{{"path":"{}"}}"#, "a".repeat(MAX_FS_PATH + 1));
        let cases: Vec<(&str, &str, &str)> = vec![
            ("fs.readTextFile", "{}", "missing field `path`"),
            ("fs.readTextFile", r#"{"path":3}"#, "invalid type"),
            ("fs.readTextFile", r#"{"path":""}"#, "empty"),
            ("fs.readTextFile", r#"{"path":"a\u0000b"}"#, "NUL"),
            ("fs.readTextFile", &long, "longer than 4096"),
            (
                "fs.readTextFile",
                r#"{"path":"a","dir":99}"#,
                "unknown base directory 99",
            ),
            (
                "fs.readTextFile",
                r#"{"path":"a","dir":"AppData"}"#,
                "invalid type",
            ),
            ("fs.readTextFile", r#"{"path":"a","dir":-1}"#, "invalid"),
            (
                "fs.readTextFile",
                r#"{"path":"a","bogus":1}"#,
                "unknown field",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a"}"#,
                "missing field `contents`",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a","contents":[1,2]}"#,
                "invalid type",
            ),
            (
                "fs.writeBinaryFile",
                r#"{"path":"a","contents":[1]}"#,
                "raw body",
            ),
            (
                "fs.readDir",
                r#"{"path":"a","recursive":"yes"}"#,
                "invalid type",
            ),
            (
                "fs.renameFile",
                r#"{"source":"a"}"#,
                "missing field `destination`",
            ),
            ("fs.copyFile", r#"{"source":"","destination":"b"}"#, "empty"),
            ("fs.readFile", r#"{"path":"a"}"#, "unknown command"),
        ];
        for (cmd, args, needle) in cases {
            let error = fs(cmd, args).expect_err(cmd);
            assert!(
                error.contains(needle),
                "{cmd} {args}: `{error}` lacks `{needle}`"
            );
        }
    }

    #[test]
    fn fetch_channel_carries_binary_writes_in_the_query() {
        let mut body = vec![0u8, 255, 10];
        let command = decode_fetch(
            "fs.writeBinaryFile",
            Some("path=n%C3%A9%2Fa%26b.bin&dir=22"),
            &mut body,
        )
        .unwrap();
        assert_eq!(
            command,
            Command::Fs(FsCommand::WriteFile {
                path: app("né/a&b.bin"),
                contents: vec![0, 255, 10]
            })
        );
        assert!(body.is_empty(), "the bytes are moved, not copied");
        let abs = decode_fetch("fs.writeBinaryFile", Some("path=%2Fx"), &mut vec![]).unwrap();
        assert_eq!(abs.required_keys(), &[("fs", "write-file")]);
        let bad = |query: Option<&str>| {
            decode_fetch("fs.writeBinaryFile", query, &mut vec![1])
                .unwrap_err()
                .to_string()
        };
        assert!(bad(None).contains("missing query parameter `path`"));
        assert!(bad(Some("dir=22")).contains("missing query parameter `path`"));
        assert!(bad(Some("path=a&path=b")).contains("repeated"));
        assert!(bad(Some("path=a&x=1")).contains("unknown query parameter `x`"));
        assert!(bad(Some("path=a&dir=AppData")).contains("BaseDirectory number"));
        assert!(bad(Some("path=a&dir=0")).contains("unknown base directory"));
        assert!(bad(Some("path=%FF")).contains("not UTF-8"));
        assert!(bad(Some("path=a%00b")).contains("NUL"));
        assert!(bad(Some("path=")).contains("empty"));
        // Other commands: JSON body, no query.
        let mut json = br#"{"path":"/a"}"#.to_vec();
        assert_eq!(
            decode_fetch("fs.readBinaryFile", None, &mut json).unwrap(),
            Command::Fs(FsCommand::ReadFile {
                path: FsPath {
                    path: "/a".into(),
                    dir: None
                },
                binary: true
            })
        );
        assert!(decode_fetch("fs.readBinaryFile", Some("path=/a"), &mut json).is_err());
        let mut ping = b"raw".to_vec();
        assert_eq!(
            decode_fetch("ping", None, &mut ping).unwrap(),
            Command::Ping
        );
        assert_eq!(ping, b"raw");
    }

    fn decode(cmd: &str, args: &str) -> Result<Command, String> {
        decode_message(&msg(cmd, args))
            .map(|(_, c)| c)
            .map_err(|(_, e)| e.to_string())
    }

    #[test]
    fn clipboard_commands_decode_with_their_keys() {
        let read = decode("clipboard.readText", "{}").unwrap();
        assert_eq!(read, Command::Clipboard(ClipboardCommand::ReadText));
        assert_eq!(read.required_keys(), &[("clipboard", "read-text")]);
        assert_eq!(
            decode("clipboard.readText", "null").unwrap(),
            Command::Clipboard(ClipboardCommand::ReadText)
        );
        let write = decode(
            "clipboard.writeText",
            r#"{"text":"h\u00e9 \ud83d\ude00\n"}"#,
        )
        .unwrap();
        assert_eq!(
            write,
            Command::Clipboard(ClipboardCommand::WriteText("hé 😀\n".into()))
        );
        assert_eq!(write.required_keys(), &[("clipboard", "write-text")]);
        // Empty text is a valid write (it clears the clipboard's text).
        assert!(decode("clipboard.writeText", r#"{"text":""}"#).is_ok());
        for (cmd, args, needle) in [
            ("clipboard.writeText", "{}", "missing field `text`"),
            ("clipboard.writeText", r#"{"text":3}"#, "invalid type"),
            ("clipboard.writeText", r#"{"text":null}"#, "invalid type"),
            (
                "clipboard.writeText",
                r#"{"text":"a","x":1}"#,
                "unknown field",
            ),
            ("clipboard.readText", r#"{"x":1}"#, "unknown field"),
            ("clipboard.readText", "[]", "must be an object"),
            ("clipboard.clear", "{}", "unknown command"),
        ] {
            let error = decode(cmd, args).unwrap_err();
            assert!(error.contains(needle), "{cmd} {args}: {error}");
        }
    }

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

    #[test]
    fn clipboard_and_notification_are_denied_by_default_naming_the_key() {
        let gate = crate::ipc::AllowlistGate::new(millennium_config::model::Allowlist::default());
        for (cmd, args, key) in [
            ("clipboard.readText", "{}", "allowlist.clipboard.read-text"),
            (
                "clipboard.writeText",
                r#"{"text":"a"}"#,
                "allowlist.clipboard.write-text",
            ),
            (
                "notification.sendNotification",
                r#"{"title":"a"}"#,
                "allowlist.notification.send",
            ),
            (
                "notification.isPermissionGranted",
                "{}",
                "allowlist.notification.send",
            ),
            (
                "notification.requestPermission",
                "{}",
                "allowlist.notification.send",
            ),
        ] {
            let command = decode(cmd, args).unwrap();
            let error = gate.check(&command).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("{key} is not enabled in millennium.toml"),
                "{cmd}"
            );
        }
        let mut allowlist = millennium_config::model::Allowlist::default();
        allowlist.clipboard.read_text = true;
        let gate = crate::ipc::AllowlistGate::new(allowlist);
        assert_eq!(
            gate.check(&decode("clipboard.readText", "{}").unwrap()),
            Ok(())
        );
        assert!(
            gate.check(&decode("clipboard.writeText", r#"{"text":""}"#).unwrap())
                .is_err()
        );
    }

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
