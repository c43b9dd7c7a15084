//! Command-line interface. Exit codes: 0 success, 1 the command failed (for
//! `check`: the config is invalid), 2 usage error (clap's own code).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
        /// How long to wait for `dev-url` to answer once
        /// `before-dev-command` has started, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = crate::dev::DEV_URL_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
        dev_url_timeout: u64,
        /// The app's own arguments (its `[cli]`), after `--`.
        #[arg(last = true)]
        args: Vec<std::ffi::OsString>,
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
        /// Also write a Debian package `<name>_<version>_<arch>.deb` beside
        /// the executable.
        #[arg(long)]
        deb: bool,
        /// Also write an RPM package `<name>-<version>-<release>.<arch>.rpm`
        /// (Fedora's package names) beside the executable.
        #[arg(long)]
        rpm: bool,
        #[command(flatten)]
        signing: BuildSigningArgs,
    },
    /// Make a minisign key pair: NAME.key (secret, encrypted with a password
    /// from MILLENNIUM_KEY_PASSWORD or a prompt) and NAME.pub.
    Keygen {
        /// Where to write the two files.
        #[arg(short = 'o', long = "out-dir", default_value = ".")]
        out_dir: PathBuf,
        /// The files' base name.
        #[arg(long, default_value = "millennium")]
        name: String,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
        /// Write the secret key without a password (for CI secret stores).
        #[arg(long)]
        unencrypted: bool,
    },
    /// Sign FILE, writing FILE.minisig with the trusted comment
    /// `app=<identifier> version=<version> target=<os-arch>`.
    #[command(disable_version_flag = true)]
    Sign {
        /// The file to sign (a packaged app, or any file with --app and --version).
        file: PathBuf,
        /// The secret key (default: $MILLENNIUM_SIGNING_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
        #[command(flatten)]
        release: ReleaseArgs,
    },
    /// Check FILE.minisig: the signature, and that its trusted comment names
    /// the expected app, version and target. Exit 0 valid, 1 invalid.
    #[command(disable_version_flag = true)]
    Verify {
        /// The signed file.
        file: PathBuf,
        /// The public key: a .pub file or its `RW...` line.
        #[arg(long)]
        pubkey: String,
        /// The signature (default: FILE.minisig).
        #[arg(long)]
        signature: Option<PathBuf>,
        #[command(flatten)]
        release: ReleaseArgs,
    },
    /// Scaffold a new app in NAME/: millennium.toml, a frontend, an icon and
    /// the JS API's TypeScript declarations.
    New {
        /// The app's name; also the new directory's name.
        name: String,
        /// Where to create the app's directory.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// What the frontend starts as.
        #[arg(long, value_enum, default_value_t = crate::new::Template::Vanilla)]
        template: crate::new::Template,
    },
    /// Make the app's icons from one SVG or square PNG: every hicolor size
    /// from 16 to 512 (`<N>x<N>.png`) and the window icon (`icon.png`).
    Icon {
        /// An SVG, or a square PNG (512x512 or larger is best).
        source: PathBuf,
        /// Where to write them.
        #[arg(short = 'o', long = "out-dir", default_value = "icons")]
        out_dir: PathBuf,
    },
    /// What a bug report needs: the versions of Millennium, WebKitGTK and
    /// GTK, the display server, whether the session bus, the desktop portal
    /// and a tray host answer, known problems here with their workaround,
    /// and, given an app, a summary of its config.
    Info {
        /// An app directory or a millennium.toml.
        path: Option<PathBuf>,
        /// `human` (lines) or `json` (for tools).
        #[arg(long, value_enum, default_value_t = crate::info::InfoFormat::Human)]
        format: crate::info::InfoFormat,
    },
    /// Print the JSON schema of millennium.toml.
    Schema,
}

/// `build`'s signing options.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildSigningArgs {
    /// Sign the executable with this minisign secret key, writing
    /// `<name>.minisig` (default: $MILLENNIUM_SIGNING_KEY when set).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Write `latest.json` for the updater, downloading from BASE_URL/<name>
    /// (needs a key).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Release notes for `latest.json`.
    #[arg(long, requires = "base_url")]
    pub notes: Option<String>,
}

/// `--app`, `--version`, `--target` of `sign` and `verify`. For a packaged
/// app they default to its payload (and must agree with it); the target
/// defaults to this machine's (`linux-x86_64`).
#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// The app identifier, e.g. com.example.notes.
    #[arg(long)]
    pub app: Option<String>,
    /// The release's version (semver).
    #[arg(long = "version", id = "release_version", value_name = "VERSION")]
    pub version: Option<String>,
    /// The platform as os-arch, e.g. linux-x86_64.
    #[arg(long)]
    pub target: Option<String>,
}

impl From<ReleaseArgs> for crate::sign::ReleaseFlags {
    fn from(args: ReleaseArgs) -> Self {
        crate::sign::ReleaseFlags {
            app: args.app,
            version: args.version,
            target: args.target,
        }
    }
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
        Command::Icon { source, out_dir } => crate::icon::run(&source, &out_dir),
        Command::Info { path, format } => Ok(crate::info::run(path.as_deref(), format)),
        Command::Dev {
            path,
            args,
            dev_url_timeout,
            ..
        } => {
            // SAFETY: the CLI has started no thread before this point.
            if let Err(why) = unsafe { millennium_host::sandbox_web_processes() } {
                eprintln!("millennium dev: pages run without WebKit's web-process sandbox: {why}");
            }
            crate::dev::run(&path, args, Duration::from_secs(dev_url_timeout))
        }
        Command::Build {
            path,
            out_dir,
            host,
            deb,
            rpm,
            signing,
        } => {
            let signing = match crate::sign::key_path(signing.key) {
                Some(key) => Some(crate::sign::SigningRequest {
                    key,
                    base_url: signing.base_url,
                    notes: signing.notes,
                }),
                None if signing.base_url.is_some() => anyhow::bail!(
                    "--base-url needs a signing key (--key or {}): latest.json carries the signature",
                    crate::sign::SIGNING_KEY_ENV
                ),
                None => None,
            };
            crate::build::run(&crate::build::BuildRequest {
                path,
                out_dir,
                host,
                deb,
                rpm,
                signing,
            })
        }
        Command::Keygen {
            out_dir,
            name,
            force,
            unencrypted,
        } => crate::keys::run_keygen(&crate::keys::KeygenRequest {
            out_dir,
            name,
            force,
            unencrypted,
        }),
        Command::Sign { file, key, release } => {
            let Some(key) = crate::sign::key_path(key) else {
                anyhow::bail!(
                    "no secret key: pass --key KEYFILE or set {}",
                    crate::sign::SIGNING_KEY_ENV
                );
            };
            crate::sign::run_sign(&file, &key, &release.into())
        }
        Command::Verify {
            file,
            pubkey,
            signature,
            release,
        } => crate::sign::run_verify(&file, signature.as_deref(), &pubkey, &release.into()),
        Command::New {
            name,
            dir,
            template,
        } => crate::new::run(&name, &dir, template),
        Command::Schema => {
            print!("{}", millennium_config::schema::schema_json());
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Clap checks flag clashes (such as `--version` of `sign`) only when a
    /// command is built; this builds them all.
    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
