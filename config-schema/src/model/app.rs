//! `[app]`: who the app is and where its frontend lives.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Identity of the app and the location of its web frontend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AppConfig {
    /// Human-readable name of the app, shown in window titles by default and in
    /// desktop menus. Example: `"Notes"`.
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 128)))]
    pub name: String,

    /// Unique reverse-DNS identifier, e.g. `"com.example.notes"`. It names the
    /// app's data directories (`$APPDATA`, `$APPCONFIG`, ...) and is bound into
    /// every update signature, so it must never change once published.
    #[cfg_attr(feature = "validate", schemars(
        length(min = 3, max = 255),
        regex(pattern = r"^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9][A-Za-z0-9-]*)+$"),
        extend("patternErrorMessage" = "an identifier is reverse-DNS: two or more dot-separated segments of letters, digits and hyphens, e.g. `com.example.notes`")
    ))]
    pub identifier: String,

    /// Version of the app as semantic versioning (`MAJOR.MINOR.PATCH`, with an
    /// optional `-prerelease`). The updater only installs strictly greater versions.
    #[serde(default = "default_version")]
    #[cfg_attr(feature = "validate", schemars(extend("examples" = ["1.0.0", "0.3.1-beta.2"])))]
    pub version: String,

    /// One-line description of the app, used in desktop entries and packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 500)))]
    pub description: Option<String>,

    /// Directory holding the built frontend (HTML, JS, CSS, images), relative
    /// to the directory of `millennium.toml`. Its files are served under
    /// `millennium://localhost/` and baked into the packaged executable.
    #[serde(default = "default_frontend")]
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub frontend: String,

    /// URL of a development server (e.g. Vite at `http://127.0.0.1:5173`) that
    /// `millennium dev` loads instead of `frontend`. Ignored by packaged apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(extend("format" = "uri")))]
    pub dev_url: Option<String>,

    /// One running copy per user: a second launch hands its arguments and
    /// working directory to the running one (`Millennium.app.onSecondInstance`),
    /// which shows and focuses its main window, and exits 0.
    #[serde(default)]
    pub single_instance: bool,

    /// A command `millennium build` runs before it collects the frontend,
    /// such as `"npm run build"`: a shell command line run in the app's
    /// directory, or `{ script = "...", cwd = "web" }` to run it in a
    /// directory inside the app's. A failure stops the build with the
    /// command's exit code. It is told `MILLENNIUM_TARGET` (`linux-x86_64`)
    /// and `MILLENNIUM_BUILD=release`. Until it has run, the frontend
    /// directory need not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_build_command: Option<HookCommand>,

    /// A command `millennium dev` starts before it opens the app, such as
    /// `"npm run dev"` (a dev server, or a watcher that rebuilds
    /// `frontend`): a shell command line run in the app's directory, or
    /// `{ script = "...", cwd = "web" }`. It runs in its own process group
    /// with its output prefixed; with `dev-url` the app opens once that URL
    /// answers. The whole group is stopped when the app exits or on Ctrl+C.
    /// It is told `MILLENNIUM_TARGET` and `MILLENNIUM_BUILD=dev`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_dev_command: Option<HookCommand>,
}

/// A command the CLI runs for the app (`before-build-command`,
/// `before-dev-command`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum HookCommand {
    /// A shell command line, run in the app's directory.
    Script(#[cfg_attr(feature = "validate", schemars(length(min = 1, max = 4096)))] String),
    /// A shell command line and where to run it.
    #[serde(rename_all = "kebab-case")]
    Full {
        /// The shell command line (`sh -c`).
        #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 4096)))]
        script: String,
        /// A directory inside the app's, relative to it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cwd: Option<String>,
    },
}

impl HookCommand {
    /// The command line.
    pub fn script(&self) -> &str {
        match self {
            HookCommand::Script(script) | HookCommand::Full { script, .. } => script,
        }
    }

    /// Its directory, relative to the app's (`""` for the app's own).
    pub fn cwd(&self) -> &str {
        match self {
            HookCommand::Full { cwd: Some(cwd), .. } => cwd,
            _ => "",
        }
    }
}

fn default_version() -> String {
    "0.1.0".to_owned()
}

fn default_frontend() -> String {
    "dist".to_owned()
}
