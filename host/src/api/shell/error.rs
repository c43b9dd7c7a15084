//! Why a shell command failed: the message is what the promise rejects with.

/// Why a shell command failed; the message is what the promise rejects with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    /// A pattern from `[allowlist.shell]` does not compile (the config
    /// checker normally reports this first).
    #[error("invalid regular expression in {key} `{pattern}`: {message}")]
    BadPattern {
        /// Where it is, e.g. `allowlist.shell.scope[2].args[1].validator`.
        key: String,
        /// The expression as written.
        pattern: String,
        /// What the regex compiler said.
        message: String,
    },
    /// `open` is `false` (or absent) in `[allowlist.shell]`.
    #[error(
        "allowlist.shell.open is not enabled in millennium.toml \
         (set `open = true` or a pattern in [allowlist.shell])"
    )]
    OpenDisabled,
    /// The target does not match the open pattern in full.
    #[error(
        "shell.open refused {target}: it does not match the pattern of \
         `open` in [allowlist.shell] (`{pattern}`)"
    )]
    OpenRefused {
        /// The target, quoted and shortened.
        target: String,
        /// The expression it had to match.
        pattern: String,
    },
    /// A target starting with `-` would be read as an option by the opener.
    #[error("shell.open refused {0}: a target may not start with `-`")]
    OpenOption(String),
    /// `openWith` is not one of [`super::OPENERS`].
    #[error(
        "shell.open: unknown program {0} for openWith (expected one of: firefox, \
         google chrome, chromium, xdg-open, gio, gnome-open, kde-open, wslview)"
    )]
    UnknownOpener(String),
    /// The opener could not be started.
    #[error("shell.open: cannot run `{program}`: {message}")]
    OpenerFailed {
        /// The program looked up in `PATH`.
        program: String,
        /// The OS error in words.
        message: String,
    },
    /// `execute` is `false` (or absent) in `[allowlist.shell]`.
    #[error(
        "allowlist.shell.execute is not enabled in millennium.toml \
         (set `execute = true` in [allowlist.shell])"
    )]
    ExecuteDisabled,
    /// No command of the scope has this name.
    #[error("command {0} is not in [allowlist.shell] scope")]
    UnknownCommand(String),
    /// The command takes no arguments (`args = false`).
    #[error(
        "command `{name}` takes no arguments (its [allowlist.shell] scope entry \
         has `args = false`), got {count}"
    )]
    NoArguments {
        /// The command's name.
        name: String,
        /// How many the caller passed.
        count: usize,
    },
    /// The number of arguments differs from the scope entry's list.
    #[error(
        "command `{name}` takes exactly {expected} argument(s) (its [allowlist.shell] \
         scope entry lists them), got {got}"
    )]
    ArgumentCount {
        /// The command's name.
        name: String,
        /// The length of the list in the scope.
        expected: usize,
        /// How many the caller passed.
        got: usize,
    },
    /// A fixed argument was not passed as written in the scope.
    #[error("command `{name}`: args[{index}] must be {expected}, got {got}")]
    FixedArgument {
        /// The command's name.
        name: String,
        /// Zero-based index in `args`.
        index: usize,
        /// The fixed string, quoted.
        expected: String,
        /// What was passed, quoted and shortened.
        got: String,
    },
    /// A caller-supplied argument does not match its validator in full.
    #[error("command `{name}`: args[{index}] {got} does not match the validator `{validator}`")]
    InvalidArgument {
        /// The command's name.
        name: String,
        /// Zero-based index in `args`.
        index: usize,
        /// What was passed, quoted and shortened.
        got: String,
        /// The validator as written in the scope.
        validator: String,
    },
    /// `cwd` is refused: outside the fs scope, not the fixed one, missing.
    #[error("command `{name}`: cwd {cwd} is refused: {reason}")]
    BadCwd {
        /// The command's name.
        name: String,
        /// The directory asked for, quoted.
        cwd: String,
        /// Why.
        reason: String,
    },
    /// [`super::run::MAX_CHILDREN`] children run already.
    #[error("{0} child processes of this app are running already: wait for one to end")]
    TooManyChildren(usize),
    /// The page set a variable the scope entry does not list.
    #[error(
        "command `{name}`: the environment variable {variable} may not be set \
         (its [allowlist.shell] scope entry lists the ones a page may set in `env`)"
    )]
    EnvRefused {
        /// The command's name.
        name: String,
        /// The variable, quoted.
        variable: String,
    },
    /// A validated argument starts with `-` but its validator does not.
    #[error(
        "command `{name}`: args[{index}] {got} starts with `-`, which the validator `{validator}` \
         does not (an option is accepted only by a validator that starts with `-`)"
    )]
    OptionArgument {
        /// The command's name.
        name: String,
        /// Zero-based index in `args`.
        index: usize,
        /// What was passed, quoted and shortened.
        got: String,
        /// The validator as written.
        validator: String,
    },
    /// The program could not be started.
    #[error("cannot run `{program}` (command `{name}` in [allowlist.shell] scope): {message}")]
    Spawn {
        /// The scope entry's `cmd`.
        program: String,
        /// The command's name.
        name: String,
        /// The OS error in words.
        message: String,
    },
    /// `execute` output went over the cap; the child was killed.
    #[error("command `{name}`: {stream} exceeded {limit} bytes; the process was killed")]
    OutputTooLarge {
        /// The command's name.
        name: String,
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The cap in bytes.
        limit: usize,
    },
    /// Reading the output of, or waiting for, a child failed.
    #[error("command `{name}`: {message}")]
    Child {
        /// The command's name.
        name: String,
        /// What failed, in words.
        message: String,
    },
    /// `write`/`kill` with a pid that is not a running child of ours.
    #[error("no running child process with pid {0} was started by Millennium.shell")]
    UnknownChild(u32),
    /// The child was started by `execute`, whose stdin is closed.
    #[error("child process {0} has no stdin to write to")]
    NoStdin(u32),
    /// Writing to the child's stdin failed (e.g. it closed it).
    #[error("write to child process {pid}: {message}")]
    Write {
        /// The child's pid.
        pid: u32,
        /// The OS error in words.
        message: String,
    },
    /// Signalling the child failed.
    #[error("kill child process {pid}: {message}")]
    Kill {
        /// The child's pid.
        pid: u32,
        /// The OS error in words.
        message: String,
    },
}

