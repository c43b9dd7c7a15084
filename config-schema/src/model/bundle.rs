//! `[bundle]`: desktop integration and package metadata.

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Metadata for desktop entries and packages (`millennium build --deb`,
/// `--rpm`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BundleConfig {
    /// App icon: an SVG, or a square PNG (512x512 is best), relative to the
    /// directory of `millennium.toml`. The build makes every size from it:
    /// the window icon and, in packages, the hicolor sizes 16 to 512.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,

    /// Freedesktop menu categories, e.g. `["Office", "Utility"]`.
    #[serde(default)]
    pub categories: Vec<DesktopCategory>,

    /// Who publishes the app, e.g. `"Example Ltd"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,

    /// Copyright line, e.g. `"Copyright 2026 Example Ltd"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,

    /// Project home page, an `https://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,

    /// Licence as an SPDX expression, e.g. `"MIT"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,

    /// Several lines describing the app, for package managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,

    /// Debian package settings.
    #[serde(default)]
    pub deb: DebConfig,

    /// RPM package settings (`millennium build --rpm`).
    #[serde(default)]
    pub rpm: RpmConfig,

    /// URL schemes the app opens (`["notes"]` for `notes://open?name=x`):
    /// the desktop entry registers it as their handler, and such a URL on
    /// the command line (or from a later launch) reaches the page through
    /// `Millennium.deepLink`. URLs of other schemes are refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_schemes: Vec<UrlScheme>,

    /// File types the app opens ("Open with"): the desktop entry declares
    /// their MIME types; files of these extensions given on the command
    /// line (or by a later launch) reach the page as paths
    /// (`Millennium.app.getOpenedFiles()`) and join the fs scope of the main
    /// window, as a file picked in the open dialog does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_associations: Vec<FileAssociation>,
}

/// A URL scheme, lower-case, e.g. `"notes"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct UrlScheme(
    #[cfg_attr(feature = "validate", schemars(
        length(min = 2, max = 64),
        regex(pattern = r"^[a-z][a-z0-9+.-]*$"),
        extend("patternErrorMessage" = "a URL scheme is lower-case letters, digits, `+`, `-` and `.`, starting with a letter, e.g. `notes`")
    ))]
    pub String,
);

/// One file type the app opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileAssociation {
    /// Extensions without the dot, e.g. `["md", "markdown"]`.
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub extensions: Vec<FileExtension>,
    /// Its MIME type, e.g. `"text/markdown"`.
    #[cfg_attr(feature = "validate", schemars(
        regex(pattern = r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$"),
        extend("patternErrorMessage" = "a MIME type is `type/subtype` in lower case, e.g. `text/markdown`")
    ))]
    pub mime_type: String,
    /// What the type is, for the desktop's type database, e.g.
    /// `"Markdown document"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "validate", schemars(length(max = 200)))]
    pub description: Option<String>,
    /// What the app does with it.
    #[serde(default)]
    pub role: FileRole,
}

/// A file extension without its dot, e.g. `"md"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct FileExtension(
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 32),
        regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_+-]*$"),
        extend("patternErrorMessage" = "an extension is letters, digits, `_`, `+` and `-`, without the dot, e.g. `md`")
    ))]
    pub String,
);

/// What the app does with a file type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// It opens and changes such files.
    #[default]
    Editor,
    /// It only shows them.
    Viewer,
}

/// Fields of the Debian package's `control` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DebConfig {
    /// Extra packages the app needs, in `Depends` syntax, e.g.
    /// `["libnotify4"]`. The WebKitGTK runtime is always added.
    #[serde(default)]
    pub depends: Vec<String>,

    /// Archive section.
    #[serde(default = "default_section")]
    #[cfg_attr(
        feature = "validate",
        schemars(regex(pattern = r"^[a-z0-9][a-z0-9+./-]*$"))
    )]
    pub section: String,

    /// Package priority.
    #[serde(default)]
    pub priority: DebPriority,

    /// `Maintainer` field, `Name <email>`. Defaults to `[bundle] publisher`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
}

impl Default for DebConfig {
    fn default() -> Self {
        Self {
            depends: Vec::new(),
            section: default_section(),
            priority: DebPriority::default(),
            maintainer: None,
        }
    }
}

/// `[bundle.rpm]`: what an RPM package (Fedora and its relatives) needs
/// besides `[bundle]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RpmConfig {
    /// Extra packages the app needs, in `Requires` syntax with Fedora's
    /// names, e.g. `["libnotify"]` or `["python3 >= 3.9"]`. WebKitGTK 4.1,
    /// GTK 3 and glibc are always required.
    #[serde(default)]
    pub depends: Vec<RpmDependency>,

    /// The package's `Release`, counted up when the same version is
    /// packaged again.
    #[serde(default = "default_release")]
    #[cfg_attr(
        feature = "validate",
        schemars(regex(pattern = r"^[A-Za-z0-9._+~^]{1,64}$"))
    )]
    pub release: String,
}

impl Default for RpmConfig {
    fn default() -> Self {
        Self {
            depends: Vec::new(),
            release: default_release(),
        }
    }
}

fn default_release() -> String {
    "1".to_owned()
}

/// A package name, optionally with a version comparison:
/// `name`, `name >= 1.2`, `name = 2:1.0-3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct RpmDependency(
    #[cfg_attr(
        feature = "validate",
        schemars(regex(
            pattern = r"^[A-Za-z0-9_][A-Za-z0-9._+-]*( (<|<=|=|>=|>) [A-Za-z0-9._+~^:-]+)?$"
        ))
    )]
    pub String,
);

fn default_section() -> String {
    "utils".to_owned()
}

/// Debian package priorities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DebPriority {
    /// Needed by the system.
    Required,
    /// Important for a usable system.
    Important,
    /// Reasonably small and useful on most systems.
    Standard,
    /// The usual priority for applications.
    #[default]
    Optional,
}

/// Main categories of the freedesktop menu specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
pub enum DesktopCategory {
    /// Audio and video players and editors.
    AudioVideo,
    /// Audio-only applications.
    Audio,
    /// Video-only applications.
    Video,
    /// Programming tools.
    Development,
    /// Educational software.
    Education,
    /// Games.
    Game,
    /// Graphics viewers and editors.
    Graphics,
    /// Network applications: browsers, chat, mail.
    Network,
    /// Office applications.
    Office,
    /// Scientific software.
    Science,
    /// Settings applications.
    Settings,
    /// System tools.
    System,
    /// Small utilities.
    Utility,
}

impl DesktopCategory {
    /// The name used in `.desktop` files.
    pub fn as_str(self) -> &'static str {
        match self {
            DesktopCategory::AudioVideo => "AudioVideo",
            DesktopCategory::Audio => "Audio",
            DesktopCategory::Video => "Video",
            DesktopCategory::Development => "Development",
            DesktopCategory::Education => "Education",
            DesktopCategory::Game => "Game",
            DesktopCategory::Graphics => "Graphics",
            DesktopCategory::Network => "Network",
            DesktopCategory::Office => "Office",
            DesktopCategory::Science => "Science",
            DesktopCategory::Settings => "Settings",
            DesktopCategory::System => "System",
            DesktopCategory::Utility => "Utility",
        }
    }
}
