//! Command-line interface. Exit codes: 0 success, 1 the command failed (for
//! `check`: the config is invalid), 2 usage error (clap's own code).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Millennium: desktop apps from a millennium.toml and a web frontend.
#[derive(Debug, Parser)]
#[command(name = "millennium", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate an app's millennium.toml: syntax, schema, then semantic rules.
    Check {
        /// An app directory or a millennium.toml.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        format: MessageFormat,
        /// When to use colours.
        #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
        color: ColorWhen,
    },
    /// Run an app from its directory: devtools on, live reload of the
    /// frontend and the toml, or a proxied `dev-url`; the same CSP and
    /// allowlist as production.
    Dev {
        /// An app directory or a millennium.toml.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Ignored: WebKitWebDriver adds it when it launches the app; the
        /// environment (MILLENNIUM_AUTOMATION=1) decides about automation.
        #[arg(long, hide = true)]
        automation: bool,
    },
    /// Package the app into one executable (the host plus the app's payload).
    Build {
        /// An app directory or a millennium.toml.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Where to write the executable.
        #[arg(short = 'o', long = "out-dir", default_value = "out")]
        out_dir: PathBuf,
        /// The millennium-host executable to package (default: the one beside `millennium`).
        #[arg(long)]
        host: Option<PathBuf>,
    },
    /// Print the JSON schema of millennium.toml.
    Schema,
}

/// Diagnostic output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Compiler-style, with the source line and a caret.
    Human,
    /// One line per problem: `file:line:column: error: message [key]`.
    Short,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When standard error is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl From<ColorWhen> for millennium_config::ColorChoice {
    fn from(value: ColorWhen) -> Self {
        match value {
            ColorWhen::Auto => millennium_config::ColorChoice::Auto,
            ColorWhen::Always => millennium_config::ColorChoice::Always,
            ColorWhen::Never => millennium_config::ColorChoice::Never,
        }
    }
}

/// Parses `std::env::args` and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check {
            path,
            format,
            color,
        } => {
            let format = match format {
                MessageFormat::Human => millennium_config::Format::Human,
                MessageFormat::Short => millennium_config::Format::Short,
            };
            Ok(crate::check::run(&path, format, color.into()))
        }
        Command::Dev { path, .. } => crate::dev::run(&path),
        Command::Build {
            path,
            out_dir,
            host,
        } => crate::build::run(&crate::build::BuildRequest {
            path,
            out_dir,
            host,
        }),
        Command::Schema => {
            print!("{}", millennium_config::schema::schema_json());
            Ok(ExitCode::SUCCESS)
        }
    }
}
