//! `[security]`: content security policy, navigation and remote IPC access.

use std::collections::BTreeMap;

#[cfg(feature = "validate")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Security settings. They come only from this file (baked into packaged apps);
/// nothing in the webview, argv or the environment can weaken them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SecurityConfig {
    /// Content-Security-Policy sent with every HTML page: a policy string
    /// (`"default-src 'self'; img-src 'self' data:"`) or a table of directives
    /// (`{ default-src = "'self'", img-src = ["'self'", "data:"] }`). Hashes of
    /// the inline scripts in your HTML are added when the app is built. When
    /// absent, a strict default applies (see the README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csp: Option<Csp>,

    /// Freeze `Object.prototype` before any page script runs, so scripts
    /// cannot tamper with the prototypes the bridge relies on.
    #[serde(default)]
    pub freeze_prototype: bool,

    /// Allow `'unsafe-inline'`, `'unsafe-eval'`, `data:` and `blob:` as script
    /// sources in the CSP. They let injected content run code with access to
    /// the `Millennium` API: leave this off unless you must.
    #[serde(default)]
    pub dangerous_allow_unsafe_scripts: bool,

    /// URL globs that windows may navigate to besides the app's own pages,
    /// e.g. `"https://docs.example.com/**"`. Every other navigation is refused.
    /// Such pages never get the `Millennium` API.
    #[serde(default)]
    pub allowed_navigation: Vec<String>,

    /// Remote origins whose pages may call the `Millennium` API in the named
    /// windows, still limited by the allowlist. Anything a remote server sends
    /// can then use your allowlisted APIs: grant it only to servers you control.
    #[serde(default)]
    pub dangerous_remote_domain_ipc_access: Vec<RemoteDomainAccess>,

    /// Let pages start downloads (a link with `download`, a file the server
    /// sends as an attachment). Each one asks the user where to save it in a
    /// save dialog; without this key every download is refused, so no page
    /// can drop a file (a `.desktop` launcher in `~/Downloads`) unasked.
    #[serde(default)]
    pub allow_downloads: bool,

    /// Keep `devtools = true` of `[[windows]]` in the packaged app. Devtools
    /// let whoever sits at the machine run code with the app's API; without
    /// this key only `millennium dev` and the generic host open them.
    #[serde(default)]
    pub dangerous_allow_devtools: bool,
}

/// A Content-Security-Policy: a policy string or a table of directives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum Csp {
    /// A whole policy, as it would appear in the HTTP header.
    Policy(String),
    /// Directive name to its sources.
    Directives(BTreeMap<String, CspSources>),
}

/// The sources of one CSP directive: a space-separated string or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(untagged)]
pub enum CspSources {
    /// Sources separated by spaces: `"'self' https://cdn.example.com"`.
    Inline(String),
    /// One source per entry: `["'self'", "https://cdn.example.com"]`.
    List(Vec<String>),
}

impl CspSources {
    /// The individual source expressions.
    pub fn sources(&self) -> Vec<&str> {
        match self {
            CspSources::Inline(text) => text.split_ascii_whitespace().collect(),
            CspSources::List(list) => list.iter().map(String::as_str).collect(),
        }
    }
}

impl Csp {
    /// The policy as it is sent in the `Content-Security-Policy` header.
    pub fn to_header(&self) -> String {
        match self {
            Csp::Policy(policy) => policy.trim().to_owned(),
            Csp::Directives(directives) => directives
                .iter()
                .map(|(name, sources)| {
                    let sources = sources.sources();
                    if sources.is_empty() {
                        name.clone()
                    } else {
                        format!("{name} {}", sources.join(" "))
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// Remote pages allowed to use the IPC bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RemoteDomainAccess {
    /// Host name the page must be served from, e.g. `"app.example.com"`,
    /// with the port when it is not the scheme's default
    /// (`"127.0.0.1:8080"`): a page on any other port is not covered.
    #[cfg_attr(feature = "validate", schemars(length(min = 1, max = 253)))]
    pub domain: String,
    /// Labels of the windows in which the access applies.
    #[cfg_attr(feature = "validate", schemars(length(min = 1)))]
    pub windows: Vec<String>,
    /// Inject `window.Millennium` into those pages (otherwise only the raw
    /// `window.__MILLENNIUM_IPC__` channel is available).
    #[serde(default)]
    pub enable_millennium_api: bool,
    /// The events these pages may emit (to their own window only) and hear
    /// from the app. Every other event neither leaves nor reaches them.
    #[serde(default)]
    pub events: Vec<EventName>,
    /// The `[[sidecars]]` these pages may call and hear, as far as
    /// `[allowlist.sidecar] scope` grants them to the window (its methods
    /// and windows). Remote pages reach no other sidecar; their binary
    /// results arrive as base64, at most 12 MiB.
    #[serde(default)]
    pub sidecars: Vec<String>,
}

/// The name of an app event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "validate", derive(JsonSchema))]
#[serde(transparent)]
pub struct EventName(
    #[cfg_attr(feature = "validate", schemars(
        length(min = 1, max = 256),
        regex(pattern = r"^[A-Za-z0-9_./:-]+$"),
        extend("patternErrorMessage" = "an event name is letters, digits, `-`, `/`, `:`, `_` or `.`")
    ))]
    pub String,
);

impl RemoteDomainAccess {
    /// The host name and the port, when `domain` is `host` or `host:port`
    /// (a host name: dot-separated labels of letters, digits and `-`).
    pub fn host_and_port(&self) -> Option<(&str, Option<u16>)> {
        let (host, port) = match self.domain.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port
                    .parse()
                    .ok()
                    .filter(|p| *p != 0 && port.bytes().all(|b| b.is_ascii_digit()))?;
                (host, Some(port))
            }
            None => (self.domain.as_str(), None),
        };
        let host_ok = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        host_ok.then_some((host, port))
    }
}

/// The policy applied when `[security] csp` is absent: only the app's own
/// assets, no inline scripts, no plugins, no framing.
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
