//! The self-updater, driven only by `[updater]` of the baked config: the
//! page can at most ask for a check or an install (`allowlist.updater`),
//! never choose where updates come from, which keys count, or which
//! versions are acceptable.
//!
//! One update goes through these steps, and nothing touches the installed
//! executable before the last one:
//!
//! 1. **Check** ([`Updater::check`]): the endpoints in order, with
//!    `{{target}}`, `{{arch}}` and `{{current_version}}` substituted; HTTPS
//!    only, except loopback. `204`, or a version that is not strictly
//!    greater (semver; prereleases only with `allow-prerelease`), means "no
//!    update".
//! 2. **Download** (`fetch.rs`): capped at the manifest's `size` and at
//!    `max-download-bytes`, with a connect timeout and a stall timeout (no
//!    byte for `stall-timeout-secs`).
//! 3. **Verify** (`verify.rs`): the minisign signature under one of
//!    `pubkeys`; its trusted comment's app, target and version equal ours
//!    and the manifest's; the sha256 equals the manifest's; the file carries
//!    a valid payload of this app and version.
//! 4. **Install** ([`install`]): the new file is written beside the
//!    executable and fsynced, the current one is kept as
//!    `.<name>.previous`, an atomic rename puts the new one in place, and the
//!    new version is started; it must report healthy (its first page
//!    loaded) within [`install::HEALTH_TIMEOUT`], or the previous file is put
//!    back and this process carries on.

mod fetch;
pub mod install;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use millennium_config::model::UpdaterConfig;
use millennium_config::release::{Target, UpdateManifest};
use serde_json::{Value, json};

pub use install::{HEALTH_ENV, report_healthy};

/// [`report_healthy`], once per process.
pub fn report_healthy_once() {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    REPORTED.call_once(report_healthy);
}

/// Whether this process is a freshly installed version that must report
/// its health.
pub fn reporting_health() -> bool {
    std::env::var_os(HEALTH_ENV).is_some()
}

/// The largest manifest accepted.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Why a check or an install failed. The text is what the page's promise
/// rejects with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// `[updater]` is off or incomplete.
    #[error("the updater is not active ([updater] active = false)")]
    Inactive,
    /// Every endpoint failed; one reason per endpoint.
    #[error("update check failed: {}", .0.join("; "))]
    Check(Vec<String>),
    /// An install was asked for, but there is nothing newer.
    #[error("no update available: {0}")]
    NoUpdate(String),
    /// A verification step refused the download.
    #[error("update refused: {0}")]
    Refused(String),
    /// The download failed before verification (network).
    #[error("update download failed: {0}")]
    Download(String),
    /// The executable's directory cannot be written.
    #[error(
        "cannot install the update: {dir} is read-only for this user. The app was probably installed by a package manager (apt, dpkg): update it with that package manager instead"
    )]
    ReadOnly {
        /// The directory.
        dir: String,
    },
    /// Writing, swapping or starting failed; the installed file is intact.
    #[error("cannot install the update: {0}")]
    Install(String),
    /// The new version did not report healthy; the previous file is back.
    #[error("the new version did not start ({why}); rolled back to {version}")]
    RolledBack {
        /// What went wrong with the new version.
        why: String,
        /// The version running again.
        version: String,
    },
}

/// An update a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Its version, strictly greater than ours.
    pub version: semver::Version,
    /// Release notes.
    pub notes: Option<String>,
    /// `pub_date`.
    pub date: Option<String>,
    /// Where the executable is.
    pub url: String,
    /// The whole `.minisig` text.
    pub signature: String,
    /// Its exact size.
    pub size: u64,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

impl Update {
    /// Tauri v1's `UpdateManifest` for the page.
    pub fn to_json(&self) -> Value {
        json!({
            "version": self.version.to_string(),
            "date": self.date,
            "body": self.notes.clone().unwrap_or_default(),
        })
    }
}

/// Something the page (or the built-in dialog) hears about.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateEvent {
    /// The download starts.
    Pending,
    /// Bytes arrived.
    Progress {
        /// This chunk.
        chunk: u64,
        /// So far.
        downloaded: u64,
        /// The declared size.
        total: u64,
    },
    /// Downloaded and verified.
    Downloaded,
    /// Installed; the new version is running and this process exits.
    Done,
    /// Nothing newer.
    UpToDate,
    /// Failed (the installed file is intact).
    Error(String),
}

impl UpdateEvent {
    /// The event name and payload the bridge dispatches.
    pub fn to_event(&self) -> (&'static str, Value) {
        const STATUS: &str = "millennium://update-status";
        match self {
            UpdateEvent::Pending => (STATUS, json!({"status": "PENDING"})),
            UpdateEvent::Downloaded => (STATUS, json!({"status": "DOWNLOADED"})),
            UpdateEvent::Done => (STATUS, json!({"status": "DONE"})),
            UpdateEvent::UpToDate => (STATUS, json!({"status": "UPTODATE"})),
            UpdateEvent::Error(error) => (STATUS, json!({"status": "ERROR", "error": error})),
            UpdateEvent::Progress {
                chunk,
                downloaded,
                total,
            } => (
                "millennium://update-download-progress",
                json!({"chunkLength": chunk, "contentLength": total, "downloaded": downloaded}),
            ),
        }
    }
}

/// The updater of a running app.
#[derive(Debug)]
pub struct Updater {
    config: UpdaterConfig,
    identifier: String,
    current: semver::Version,
    target: Target,
    executable: PathBuf,
}

impl Updater {
    /// The updater for this app, installed at `executable`.
    pub fn new(
        config: &UpdaterConfig,
        identifier: &str,
        version: &str,
        executable: &Path,
    ) -> Result<Updater, UpdateError> {
        if !config.active {
            return Err(UpdateError::Inactive);
        }
        let current = semver::Version::parse(version)
            .map_err(|e| UpdateError::Install(format!("[app] version `{version}`: {e}")))?;
        Ok(Updater {
            config: config.clone(),
            identifier: identifier.to_owned(),
            current,
            target: Target::current(),
            executable: executable.to_owned(),
        })
    }

    /// The version running now.
    pub fn current_version(&self) -> &semver::Version {
        &self.current
    }

    fn connect_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.connect_timeout_secs))
    }

    fn stall_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.stall_timeout_secs))
    }

    /// The endpoint with its placeholders filled in.
    fn endpoint_url(&self, endpoint: &str) -> String {
        let (os, arch) = self
            .target
            .as_str()
            .split_once('-')
            .unwrap_or((std::env::consts::OS, std::env::consts::ARCH));
        endpoint
            .replace("{{target}}", os)
            .replace("{{arch}}", arch)
            .replace("{{current_version}}", &self.current.to_string())
    }

    /// Asks the endpoints in order; `None` when there is nothing newer.
    pub fn check(&self) -> Result<Option<Update>, UpdateError> {
        let mut failures = Vec::new();
        for endpoint in &self.config.endpoints {
            let url = self.endpoint_url(endpoint);
            match self.check_one(&url) {
                Ok(found) => return Ok(found),
                Err(reason) => failures.push(format!("{url}: {reason}")),
            }
        }
        if failures.is_empty() {
            failures.push("[updater] endpoints is empty".to_owned());
        }
        Err(UpdateError::Check(failures))
    }

    fn check_one(&self, url: &str) -> Result<Option<Update>, String> {
        let limits = fetch::Limits {
            connect: self.connect_timeout(),
            stall: self.stall_timeout(),
            max_bytes: MAX_MANIFEST_BYTES,
            exact: None,
        };
        let (status, body) = fetch::get(url, &limits, &mut |_, _| {}).map_err(|e| e.to_string())?;
        if status == 204 {
            return Ok(None);
        }
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let manifest = UpdateManifest::parse(&body)
            .map_err(|e| format!("not a valid update manifest: {e}"))?;
        if !is_update(
            &manifest.version,
            &self.current,
            self.config.allow_prerelease,
        ) {
            return Ok(None);
        }
        let release = manifest.platform(&self.target).ok_or_else(|| {
            format!(
                "the manifest for {} has no release for {}",
                manifest.version, self.target
            )
        })?;
        Ok(Some(Update {
            version: manifest.version.clone(),
            notes: manifest.notes.clone(),
            date: manifest.pub_date.as_ref().map(|d| d.as_str().to_owned()),
            url: release.url().to_owned(),
            signature: release.signature().to_owned(),
            size: release.size(),
            sha256: release.sha256().to_owned(),
        }))
    }

    /// Downloads, verifies and installs `update`, then starts it and waits
    /// for it to report healthy. `Ok` means the new version runs and this
    /// process should exit; on `Err` the installed file is as it was.
    pub fn install(
        &self,
        update: &Update,
        on_event: &mut dyn FnMut(UpdateEvent),
    ) -> Result<(), UpdateError> {
        let dir = install::check_writable(&self.executable)?;
        on_event(UpdateEvent::Pending);
        let bytes = self.download(update, on_event)?;
        self.verify(update, &bytes)?;
        on_event(UpdateEvent::Downloaded);
        install::install(&self.executable, &dir, &bytes, &self.current)
    }

    /// Downloads `update` within the limits (size, stall, connect).
    pub fn download(
        &self,
        update: &Update,
        on_event: &mut dyn FnMut(UpdateEvent),
    ) -> Result<Vec<u8>, UpdateError> {
        if update.size > self.config.max_download_bytes {
            return Err(UpdateError::Refused(format!(
                "the manifest declares {} bytes, more than [updater] max-download-bytes ({})",
                update.size, self.config.max_download_bytes
            )));
        }
        let limits = fetch::Limits {
            connect: self.connect_timeout(),
            stall: self.stall_timeout(),
            max_bytes: update.size,
            exact: Some(update.size),
        };
        let mut progress = |chunk: u64, downloaded: u64| {
            on_event(UpdateEvent::Progress {
                chunk,
                downloaded,
                total: update.size,
            });
        };
        let (status, bytes) =
            fetch::get(&update.url, &limits, &mut progress).map_err(|error| match error {
                fetch::FetchError::Refused(reason) => UpdateError::Refused(reason),
                fetch::FetchError::Failed(reason) => {
                    UpdateError::Download(format!("{}: {reason}", update.url))
                }
            })?;
        if status != 200 {
            return Err(UpdateError::Download(format!(
                "{}: HTTP {status}",
                update.url
            )));
        }
        Ok(bytes)
    }

    /// Every check of `verify.rs` on downloaded bytes.
    pub fn verify(&self, update: &Update, bytes: &[u8]) -> Result<(), UpdateError> {
        verify::verify(
            bytes,
            update,
            &self.config.pubkeys,
            &self.identifier,
            &self.target,
        )
        .map_err(UpdateError::Refused)
    }
}

/// Whether `offered` replaces `current`: strictly greater by semver
/// precedence (`2.0.0-beta.1 < 2.0.0`; build metadata does not count), and
/// a prerelease only when allowed.
pub fn is_update(
    offered: &semver::Version,
    current: &semver::Version,
    allow_prerelease: bool,
) -> bool {
    offered.cmp_precedence(current) == std::cmp::Ordering::Greater
        && (offered.pre.is_empty() || allow_prerelease)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strictly_greater_versions_and_prereleases_when_allowed() {
        let v = |s: &str| semver::Version::parse(s).unwrap();
        let cases = [
            ("2.0.0", "1.0.0", false, true),
            ("1.0.1", "1.0.0", false, true),
            ("1.0.0", "1.0.0", false, false),
            ("0.9.0", "1.0.0", false, false),
            ("1.0.0+build.2", "1.0.0+build.1", false, false),
            ("2.0.0-beta.1", "1.0.0", false, false),
            ("2.0.0-beta.1", "1.0.0", true, true),
            ("2.0.0-beta.1", "2.0.0", true, false),
            ("2.0.0", "2.0.0-beta.1", false, true),
            ("2.0.0-beta.2", "2.0.0-beta.1", true, true),
        ];
        for (offered, current, allow, expected) in cases {
            assert_eq!(
                is_update(&v(offered), &v(current), allow),
                expected,
                "{offered} over {current} (allow-prerelease = {allow})"
            );
        }
    }

    #[test]
    fn endpoint_placeholders_are_substituted() {
        let config = UpdaterConfig {
            active: true,
            ..UpdaterConfig::default()
        };
        let updater = Updater::new(&config, "dev.t.t", "1.2.3", Path::new("/x/app")).unwrap();
        let url = updater.endpoint_url(
            "https://u.example/{{target}}/{{arch}}/latest.json?v={{current_version}}",
        );
        assert_eq!(
            url,
            format!(
                "https://u.example/{}/{}/latest.json?v=1.2.3",
                std::env::consts::OS,
                std::env::consts::ARCH
            )
        );
    }

    #[test]
    fn an_inactive_updater_is_an_error() {
        let error = Updater::new(
            &UpdaterConfig::default(),
            "dev.t.t",
            "1.0.0",
            Path::new("/x"),
        )
        .unwrap_err();
        assert_eq!(error, UpdateError::Inactive);
    }
}
