//! `Millennium.shell`: `open()` with the desktop opener, and the programs
//! named in `[allowlist.shell] scope` (`Command.execute()`, `spawn()`,
//! `child.write()`, `child.kill()`), run by [`run`] off the UI thread.

pub(crate) mod children;
mod error;
mod output;
pub mod run;
mod scope;

pub use run::{ExecOptions, ExecOutput, OPENERS, ShellApi, ShellError, ShellEvent};

use millennium_config::model::{AllowlistKey, ShellAllowlist};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, Call, Route, Setup, Surface, null, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellCommand {
    /// `open(path, openWith?)`.
    Open {
        /// URL or path; must match `[allowlist.shell] open` in full.
        path: String,
        /// A known opener program instead of the desktop's default.
        with: Option<String>,
    },
    /// `new Command(name, args).execute()`: run to completion.
    Execute(ShellRun),
    /// `new Command(name, args).spawn()`: output streams as events on
    /// `millennium://shell/<channel>` to the calling window.
    Spawn {
        /// What to run.
        run: ShellRun,
        /// Chosen by the page before the call so no event is missed.
        channel: u64,
    },
    /// `child.write(data)`.
    Write {
        /// A child this app spawned.
        pid: u32,
        /// Bytes for its stdin.
        data: Vec<u8>,
    },
    /// `child.kill()`.
    Kill {
        /// A child this app spawned.
        pid: u32,
    },
}

/// A scoped command and the arguments the page passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRun {
    /// `name` of an entry of `[allowlist.shell] scope`.
    pub name: String,
    /// Checked against that entry's `args`.
    pub args: Vec<String>,
    /// Working directory: the scope entry's, or inside the fs scope.
    pub cwd: Option<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Api for ShellCommand {
    type State = ShellApi;

    const SURFACE: Surface = Surface {
        members: &["Command", "Child", "EventEmitter", "open", "execute", "spawn"],
        samples: &[
            sample("shell.open", r#"{"path":"https://example.com/"}"#, "Millennium.shell.open('https://example.com/')"),
            sample("shell.execute", r#"{"program":"$PROGRAM","args":["$MARKER"]}"#, "new Millennium.shell.Command($PROGRAM, [$MARKER]).execute()"),
            sample("shell.spawn", r#"{"program":"$PROGRAM","args":["$MARKER"],"channel":1}"#, "new Millennium.shell.Command($PROGRAM, [$MARKER]).spawn()"),
            sample("shell.stdinWrite", r#"{"pid":1,"buffer":"x"}"#, "new Millennium.shell.Child(1).write('x')"),
            sample("shell.killChild", r#"{"pid":1}"#, "new Millennium.shell.Child(1).kill()"),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<ShellApi, ContextError> {
        let shell = ShellApi::from_allowlist(&setup.config.allowlist)
            .map_err(|e| ContextError::Shell(e.to_string()))?;
        Ok(shell.with_places(setup.scope.clone(), setup.paths.clone()))
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<ShellCommand, DecodeError> {
        decode_shell(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            ShellCommand::Open { .. } => &[ShellAllowlist::open_key],
            _ => &[ShellAllowlist::execute],
        }
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn run(admitted: Admitted<ShellCommand>, call: &Call<'_>) -> Result<Output, String> {
        let shell = call.ctx.state(&admitted);
        let text = |e: ShellError| e.to_string();
        match admitted.command() {
            ShellCommand::Open { path, with } => {
                shell.open(path, with.as_deref()).map_err(text)?;
                null()
            }
            ShellCommand::Execute(run) => {
                let output = shell
                    .execute(&run.name, &run.args, &exec_options(run))
                    .map_err(text)?;
                Ok(Output::Json(json!(output)))
            }
            // Output streams as `millennium://shell/<channel>` events to the
            // calling window, and only to pages of the caller that started it.
            ShellCommand::Spawn { run, channel } => {
                let emit = call.emitter(format!("millennium://shell/{channel}"));
                let on_event = Box::new(move |event: ShellEvent| emit(event.to_json()));
                let pid = shell
                    .spawn(&run.name, &run.args, &exec_options(run), on_event)
                    .map_err(text)?;
                Ok(Output::Json(json!(pid)))
            }
            ShellCommand::Write { pid, data } => {
                shell.write(*pid, data).map_err(text)?;
                null()
            }
            ShellCommand::Kill { pid } => {
                shell.kill(*pid).map_err(text)?;
                null()
            }
        }
    }
}

fn exec_options(run: &ShellRun) -> ExecOptions {
    ExecOptions {
        cwd: run.cwd.clone(),
        env: run.env.clone(),
        clear_env: false,
    }
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
        _ => return Err(unknown(cmd)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Command;
    use crate::ipc::decode::testing::decode;

    fn run_of(command: Command) -> ShellRun {
        match command {
            Command::Shell(ShellCommand::Execute(run)) => run,
            Command::Shell(ShellCommand::Spawn { run, .. }) => run,
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn shell_commands_decode_with_their_keys() {
        let open = decode("shell.open", r#"{"path":"https://example.com","with":"firefox"}"#).unwrap();
        assert_eq!(
            open,
            Command::Shell(ShellCommand::Open {
                path: "https://example.com".into(),
                with: Some("firefox".into()),
            })
        );
        assert_eq!(open.required_keys(), [ShellAllowlist::open_key]);
        let execute = decode(
            "shell.execute",
            r#"{"program":"git","args":["status","-s"],"options":{"cwd":"/tmp","env":{"B":"2","A":"1"}}}"#,
        )
        .unwrap();
        assert_eq!(execute.required_keys(), [ShellAllowlist::execute]);
        let run = run_of(execute);
        assert_eq!(run.name, "git");
        assert_eq!(run.args, ["status", "-s"]);
        assert_eq!(run.cwd.as_deref(), Some("/tmp"));
        assert_eq!(run.env, [("A".into(), "1".into()), ("B".into(), "2".into())]);
        // A single string is one argument, as in Tauri v1.
        let one = run_of(decode("shell.execute", r#"{"program":"echo","args":"a b"}"#).unwrap());
        assert_eq!(one.args, ["a b"]);
        let spawn = decode("shell.spawn", r#"{"program":"cat","channel":42}"#).unwrap();
        assert!(matches!(
            &spawn,
            Command::Shell(ShellCommand::Spawn { channel: 42, run }) if run.args.is_empty()
        ));
        assert_eq!(spawn.required_keys(), [ShellAllowlist::execute]);
        assert_eq!(
            decode("shell.stdinWrite", r#"{"pid":7,"buffer":"hi\n"}"#).unwrap(),
            Command::Shell(ShellCommand::Write { pid: 7, data: b"hi\n".to_vec() })
        );
        assert_eq!(
            decode("shell.killChild", r#"{"pid":7}"#).unwrap(),
            Command::Shell(ShellCommand::Kill { pid: 7 })
        );
    }

    #[test]
    fn shell_bad_arguments_are_specific() {
        let long = "a".repeat(MAX_SHELL_TEXT + 1);
        let too_long_arg = json!({"program": "x", "args": [long]}).to_string();
        let too_long_write = json!({"pid": 1, "buffer": long}).to_string();
        let many = json!({"program": "x", "args": vec!["a"; MAX_SHELL_ARGS + 1]}).to_string();
        let cases: Vec<(&str, &str, &str)> = vec![
            ("shell.execute", "{}", "missing field `program`"),
            ("shell.execute", r#"{"program":"x","args":[1]}"#, "did not match any variant"),
            ("shell.execute", r#"{"program":"x","args":["a\u0000b"]}"#, "`args[]` contains NUL"),
            ("shell.execute", &too_long_arg, "`args[]` is longer than"),
            ("shell.execute", &many, "more than 4096 arguments"),
            ("shell.execute", r#"{"program":"x","options":{"env":{"LD_PRELOAD":"/x.so"}}}"#, "dynamic loader"),
            ("shell.execute", r#"{"program":"x","options":{"env":{"A=B":"1"}}}"#, "not an environment variable name"),
            ("shell.execute", r#"{"program":"x","options":{"env":{"":"1"}}}"#, "not an environment variable name"),
            ("shell.execute", r#"{"program":"x","options":{"cwd":"a\u0000"}}"#, "`cwd` contains NUL"),
            ("shell.execute", r#"{"program":"x","options":{"shell":true}}"#, "unknown field `shell`"),
            ("shell.execute", r#"{"program":"x","channel":1}"#, "`channel` is required by spawn and only by spawn"),
            ("shell.spawn", r#"{"program":"x"}"#, "`channel` is required by spawn and only by spawn"),
            ("shell.open", r#"{"path":"a\u0000"}"#, "`path` contains NUL"),
            ("shell.open", r#"{"url":"https://example.com"}"#, "unknown field `url`"),
            ("shell.stdinWrite", r#"{"pid":1}"#, "missing field `buffer`"),
            ("shell.stdinWrite", &too_long_write, "`buffer` is longer than"),
            ("shell.killChild", r#"{"pid":-1}"#, "invalid value"),
            ("shell.run", "{}", "unknown command"),
        ];
        for (cmd, args, needle) in cases {
            let error = decode(cmd, args).expect_err(args);
            assert!(error.contains(needle), "{cmd} {args}: `{error}` lacks `{needle}`");
        }
    }
}
