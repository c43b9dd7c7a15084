//! What a signed release is bound to, defined once for the packager (which
//! writes it) and the host's updater (which reads it):
//!
//! - [`TrustedComment`]: the minisign trusted comment
//!   `app=<identifier> version=<semver> target=<os>-<arch>`. It is covered by
//!   the signature, so a verifier that parses it and compares every field
//!   with what it expects cannot be fooled by a genuine signature of another
//!   app, another version (replay) or another platform.
//! - [`UpdateManifest`]: `latest.json`, Tauri's static update format
//!   (`version`, `notes`, `pub_date`, `platforms.<os>-<arch>.{url,
//!   signature}`) plus `size` and `sha256` for each platform.
//!
//! Both parsers are strict: every field is checked on the way in, so a value
//! of these types is always well formed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A platform as `{os}-{arch}` with Rust's names: `linux-x86_64`,
/// `linux-aarch64` (Tauri's naming).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target(String);

impl Target {
    /// The platform this program was compiled for.
    pub fn current() -> Target {
        Target(format!(
            "{}-{}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ))
    }

    /// `linux-x86_64`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The platform an ELF executable is built for, from its header's
    /// `e_machine` (what a release is bound to is the packaged host's
    /// platform, not the one of the machine that packaged it). `Ok(None)`
    /// when `bytes` is not an ELF file.
    pub fn of_elf(bytes: &[u8]) -> Result<Option<Target>, String> {
        if !bytes.starts_with(b"\x7fELF") {
            return Ok(None);
        }
        let (Some(&order), Some(machine)) = (bytes.get(5), bytes.get(18..20)) else {
            return Err("a truncated ELF header".to_owned());
        };
        let machine = match order {
            1 => u16::from_le_bytes([machine[0], machine[1]]),
            2 => u16::from_be_bytes([machine[0], machine[1]]),
            other => return Err(format!("unknown ELF byte order {other}")),
        };
        let arch = match machine {
            0x3e => "x86_64",
            0xb7 => "aarch64",
            0x03 => "x86",
            0x28 => "arm",
            0xf3 => "riscv64",
            other => {
                return Err(format!(
                    "ELF machine {other:#x} is not a known architecture"
                ));
            }
        };
        Ok(Some(Target(format!("linux-{arch}"))))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Target {
    type Err = ReleaseError;

    fn from_str(s: &str) -> Result<Target, ReleaseError> {
        let bad = || ReleaseError::Target(s.to_owned());
        let (os, arch) = s.split_once('-').ok_or_else(bad)?;
        let os_ok = !os.is_empty()
            && os
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let arch_ok = !arch.is_empty()
            && arch
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if os_ok && arch_ok {
            Ok(Target(s.to_owned()))
        } else {
            Err(bad())
        }
    }
}

/// Why a trusted comment, a target or a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// A word of the comment is not `key=value`.
    #[error("`{0}` is not `key=value` (words are separated by single spaces)")]
    NotKeyValue(String),
    /// A key other than `app`, `version` and `target`.
    #[error("unknown key `{0}` (expected exactly app, version and target)")]
    UnknownKey(String),
    /// A key given twice.
    #[error("`{0}` is given twice")]
    DuplicateKey(&'static str),
    /// A required key is absent.
    #[error("`{0}` is missing")]
    MissingKey(&'static str),
    /// Not a reverse-DNS identifier.
    #[error("app `{0}` is not a reverse-DNS identifier such as `com.example.notes`")]
    App(String),
    /// Not semantic versioning.
    #[error("version `{value}` is not a semantic version: {reason}")]
    Version {
        /// The text given.
        value: String,
        /// What semver said.
        reason: String,
    },
    /// Not `os-arch`.
    #[error("target `{0}` is not `<os>-<arch>` such as `linux-x86_64`")]
    Target(String),
    /// A manifest field with a bad value; `field` is its path.
    #[error("{field}: {reason}")]
    Field {
        /// Dotted path, e.g. `platforms.linux-x86_64.sha256`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Is `s` a reverse-DNS identifier, by the same rule as `[app] identifier`
/// (`^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9][A-Za-z0-9-]*)+$`, 3 to 255 bytes)?
pub fn is_identifier(s: &str) -> bool {
    let segment_ok = |seg: &str, first_letter: bool| {
        let mut bytes = seg.bytes();
        match bytes.next() {
            Some(b) if b.is_ascii_alphabetic() || (!first_letter && b.is_ascii_digit()) => {}
            _ => return false,
        }
        bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let mut segments = s.split('.');
    (3..=255).contains(&s.len())
        && segments.next().is_some_and(|seg| segment_ok(seg, true))
        && s.contains('.')
        && segments.all(|seg| segment_ok(seg, false))
}

fn parse_version(value: &str) -> Result<semver::Version, ReleaseError> {
    semver::Version::parse(value).map_err(|error| ReleaseError::Version {
        value: value.to_owned(),
        reason: error.to_string(),
    })
}

/// The trusted comment of a release signature:
/// `app=<identifier> version=<semver> target=<os>-<arch>`.
///
/// [`FromStr`] accepts exactly those three keys, each once, in any order,
/// separated by single spaces; [`fmt::Display`] writes them in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedComment {
    app: String,
    version: semver::Version,
    target: Target,
}

impl TrustedComment {
    /// A comment for `app` (a reverse-DNS identifier).
    pub fn new(
        app: &str,
        version: semver::Version,
        target: Target,
    ) -> Result<TrustedComment, ReleaseError> {
        if !is_identifier(app) {
            return Err(ReleaseError::App(app.to_owned()));
        }
        Ok(TrustedComment {
            app: app.to_owned(),
            version,
            target,
        })
    }

    /// The app's identifier.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// The release's version.
    pub fn version(&self) -> &semver::Version {
        &self.version
    }

    /// The platform the signed file is for.
    pub fn target(&self) -> &Target {
        &self.target
    }
}

impl fmt::Display for TrustedComment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "app={} version={} target={}",
            self.app, self.version, self.target
        )
    }
}

impl FromStr for TrustedComment {
    type Err = ReleaseError;

    fn from_str(s: &str) -> Result<TrustedComment, ReleaseError> {
        let (mut app, mut version, mut target) = (None, None, None);
        for word in s.split(' ') {
            let Some((key, value)) = word.split_once('=') else {
                return Err(ReleaseError::NotKeyValue(word.to_owned()));
            };
            let (name, slot): (&'static str, &mut Option<&str>) = match key {
                "app" => ("app", &mut app),
                "version" => ("version", &mut version),
                "target" => ("target", &mut target),
                other => return Err(ReleaseError::UnknownKey(other.to_owned())),
            };
            if slot.replace(value).is_some() {
                return Err(ReleaseError::DuplicateKey(name));
            }
        }
        let app = app.ok_or(ReleaseError::MissingKey("app"))?;
        let version = parse_version(version.ok_or(ReleaseError::MissingKey("version"))?)?;
        let target = target.ok_or(ReleaseError::MissingKey("target"))?.parse()?;
        TrustedComment::new(app, version, target)
    }
}

/// The largest `latest.json` [`UpdateManifest::parse`] reads.
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// `latest.json`: the newest release and where to get it for each platform.
///
/// ```json
/// {
///   "version": "1.2.0",
///   "notes": "Bug fixes",
///   "pub_date": "2024-05-01T12:00:00Z",
///   "platforms": {
///     "linux-x86_64": {
///       "url": "https://example.com/releases/notes",
///       "signature": "untrusted comment: ...\n...\ntrusted comment: app=... version=1.2.0 target=linux-x86_64\n...\n",
///       "size": 12345678,
///       "sha256": "<64 hex digits>"
///     }
///   }
/// }
/// ```
///
/// `notes` and `pub_date` are optional (as in Tauri); everything else is
/// required, unknown fields are refused, and platform names other than ours
/// are kept as they are (a manifest may list every platform).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawManifest", into = "RawManifest")]
pub struct UpdateManifest {
    /// The release's version.
    pub version: semver::Version,
    /// Release notes shown to the user.
    pub notes: Option<String>,
    /// When the release was published.
    pub pub_date: Option<PubDate>,
    /// Downloads by platform (`linux-x86_64`).
    pub platforms: BTreeMap<String, PlatformRelease>,
}

impl UpdateManifest {
    /// Parses and checks `latest.json`.
    pub fn parse(bytes: &[u8]) -> Result<UpdateManifest, ManifestError> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge(bytes.len()));
        }
        serde_json::from_slice(bytes).map_err(ManifestError::Json)
    }

    /// The download for `target`, if the manifest has one.
    pub fn platform(&self, target: &Target) -> Option<&PlatformRelease> {
        self.platforms.get(target.as_str())
    }

    /// Pretty JSON with a final newline, as written to `latest.json`.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|_| unreachable!("strings and integers always serialise"));
        text.push('\n');
        text
    }
}

/// Why `latest.json` was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Over [`MAX_MANIFEST_BYTES`].
    #[error("the update manifest is {0} bytes, more than the 1 MiB allowed")]
    TooLarge(usize),
    /// Not JSON, a missing field, or a field with a bad value (the message
    /// names the field; serde_json adds line and column).
    #[error("invalid update manifest: {0}")]
    Json(serde_json::Error),
}

/// One platform's download in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRelease {
    url: String,
    signature: String,
    size: u64,
    sha256: String,
}

impl PlatformRelease {
    /// Checks and builds an entry: an absolute `http(s)` URL, a signature
    /// that decodes as a minisign signature (the whole `.minisig` file), a
    /// size over zero and a SHA-256 as 64 hex digits (stored lowercase).
    pub fn new(
        url: &str,
        signature: &str,
        size: u64,
        sha256: &str,
    ) -> Result<PlatformRelease, ReleaseError> {
        let field = |name: &str, reason: String| ReleaseError::Field {
            field: name.to_owned(),
            reason,
        };
        match url::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "https" | "http") => {}
            Ok(parsed) => {
                return Err(field(
                    "url",
                    format!("`{}` is not an http(s) URL", parsed.scheme()),
                ));
            }
            Err(error) => return Err(field("url", format!("`{url}` is not a URL: {error}"))),
        }
        if let Err(error) = minisign_verify::Signature::decode(signature) {
            return Err(field(
                "signature",
                format!("not a minisign signature (the whole .minisig file): {error}"),
            ));
        }
        if size == 0 {
            return Err(field("size", "must be greater than 0".to_owned()));
        }
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(field("sha256", "must be 64 hexadecimal digits".to_owned()));
        }
        Ok(PlatformRelease {
            url: url.to_owned(),
            signature: signature.to_owned(),
            size,
            sha256: sha256.to_ascii_lowercase(),
        })
    }

    /// Where to download the file.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The file's `.minisig`, whole.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The file's SHA-256, 64 lowercase hex digits.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// A publication date in RFC 3339 (`2024-05-01T12:00:00Z`,
/// `2024-05-01T14:00:00.5+02:00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubDate(String);

impl PubDate {
    /// UTC, whole seconds: `1970-01-01T00:00:00Z` for 0.
    pub fn from_unix(seconds: u64) -> PubDate {
        let days = (seconds / 86_400) as i64;
        let secs = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        PubDate(format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ))
    }

    /// The date as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PubDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PubDate {
    type Err = ReleaseError;

    fn from_str(s: &str) -> Result<PubDate, ReleaseError> {
        if is_rfc3339(s) {
            Ok(PubDate(s.to_owned()))
        } else {
            Err(ReleaseError::Field {
                field: "pub_date".to_owned(),
                reason: format!("`{s}` is not an RFC 3339 date such as `2024-05-01T12:00:00Z`"),
            })
        }
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)` with calendar ranges.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > month_days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest.as_bytes() {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let all_digits = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
            all_digits
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// The wire form: plain strings, checked by `TryFrom`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub_date: Option<String>,
    platforms: BTreeMap<String, RawPlatform>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    url: String,
    signature: String,
    size: u64,
    sha256: String,
}

impl TryFrom<RawManifest> for UpdateManifest {
    type Error = ReleaseError;

    fn try_from(raw: RawManifest) -> Result<UpdateManifest, ReleaseError> {
        let version = parse_version(&raw.version)?;
        let pub_date = raw.pub_date.as_deref().map(str::parse).transpose()?;
        if raw.platforms.is_empty() {
            return Err(ReleaseError::Field {
                field: "platforms".to_owned(),
                reason: "lists no platform".to_owned(),
            });
        }
        let mut platforms = BTreeMap::new();
        for (name, p) in raw.platforms {
            let release =
                PlatformRelease::new(&p.url, &p.signature, p.size, &p.sha256).map_err(|error| {
                    match error {
                        ReleaseError::Field { field, reason } => ReleaseError::Field {
                            field: format!("platforms.{name}.{field}"),
                            reason,
                        },
                        other => other,
                    }
                })?;
            platforms.insert(name, release);
        }
        Ok(UpdateManifest {
            version,
            notes: raw.notes,
            pub_date,
            platforms,
        })
    }
}

impl From<UpdateManifest> for RawManifest {
    fn from(manifest: UpdateManifest) -> RawManifest {
        RawManifest {
            version: manifest.version.to_string(),
            notes: manifest.notes,
            pub_date: manifest.pub_date.map(|date| date.0),
            platforms: manifest
                .platforms
                .into_iter()
                .map(|(name, p)| {
                    let raw = RawPlatform {
                        url: p.url,
                        signature: p.signature,
                        size: p.size,
                        sha256: p.sha256,
                    };
                    (name, raw)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str) -> Result<TrustedComment, ReleaseError> {
        text.parse()
    }

    #[test]
    fn trusted_comment_round_trips() {
        let parsed = comment("app=com.example.notes version=1.2.3-beta.1 target=linux-x86_64")
            .expect("valid");
        assert_eq!(parsed.app(), "com.example.notes");
        assert_eq!(
            parsed.version(),
            &semver::Version::parse("1.2.3-beta.1").unwrap()
        );
        assert_eq!(parsed.target().as_str(), "linux-x86_64");
        assert_eq!(
            parsed.to_string(),
            "app=com.example.notes version=1.2.3-beta.1 target=linux-x86_64"
        );
        let reordered =
            comment("target=linux-aarch64 app=com.example.notes version=2.0.0").expect("any order");
        assert_eq!(
            reordered.to_string(),
            "app=com.example.notes version=2.0.0 target=linux-aarch64"
        );
    }

    #[test]
    fn trusted_comment_is_strict() {
        let base = "app=com.example.notes version=1.0.0 target=linux-x86_64";
        assert_eq!(
            comment(&format!("{base} app=com.evil.app")),
            Err(ReleaseError::DuplicateKey("app"))
        );
        assert_eq!(
            comment(&format!("{base} timestamp=1")),
            Err(ReleaseError::UnknownKey("timestamp".to_owned()))
        );
        assert_eq!(
            comment("app=com.example.notes version=1.0.0"),
            Err(ReleaseError::MissingKey("target"))
        );
        assert_eq!(
            comment("app=com.example.notes  version=1.0.0 target=linux-x86_64"),
            Err(ReleaseError::NotKeyValue(String::new()))
        );
        assert_eq!(
            comment(&format!("{base} ")),
            Err(ReleaseError::NotKeyValue(String::new()))
        );
        // minisign's default comment is not a release comment.
        assert_eq!(
            comment("timestamp:1700000000\tfile:notes"),
            Err(ReleaseError::NotKeyValue(
                "timestamp:1700000000\tfile:notes".to_owned()
            ))
        );
        assert!(matches!(
            comment("app=com.example.notes version=1.0 target=linux-x86_64"),
            Err(ReleaseError::Version { .. })
        ));
        assert!(matches!(
            comment("app=com.example.notes version=v1.0.0 target=linux-x86_64"),
            Err(ReleaseError::Version { .. })
        ));
        assert_eq!(
            comment("app=notes version=1.0.0 target=linux-x86_64"),
            Err(ReleaseError::App("notes".to_owned()))
        );
        assert_eq!(
            comment("app=com.example.notes version=1.0.0 target=linux"),
            Err(ReleaseError::Target("linux".to_owned()))
        );
        assert_eq!(
            comment("app=com.example.notes version=1.0.0 target=Linux-x86_64"),
            Err(ReleaseError::Target("Linux-x86_64".to_owned()))
        );
    }

    #[test]
    fn identifiers_follow_the_config_rule() {
        for good in [
            "com.example.notes",
            "a.b",
            "org.x-y.app2",
            "com.1password.app",
        ] {
            assert!(is_identifier(good), "{good}");
        }
        for bad in [
            "",
            "notes",
            "1com.example",
            "com..example",
            "com.example.",
            ".com.x",
            "com.ex ample",
            "com.ex_ample",
        ] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    /// Regression (security review): releases were bound to the build
    /// machine's platform, not the packaged host's.
    #[test]
    fn elf_headers_name_their_platform() {
        let header = |class_order: u8, machine: [u8; 2]| {
            let mut h = b"\x7fELF".to_vec();
            h.extend_from_slice(&[2, class_order, 1, 0]);
            h.resize(18, 0);
            h.extend_from_slice(&machine);
            h
        };
        let x86 = header(1, [0x3e, 0]);
        let arm = header(1, [0xb7, 0]);
        assert_eq!(
            Target::of_elf(&x86).unwrap().unwrap().as_str(),
            "linux-x86_64"
        );
        assert_eq!(
            Target::of_elf(&arm).unwrap().unwrap().as_str(),
            "linux-aarch64"
        );
        assert_eq!(Target::of_elf(b"#!/bin/sh\n"), Ok(None));
        assert!(Target::of_elf(&b"\x7fELF"[..]).is_err());
        assert!(
            Target::of_elf(&header(1, [0x99, 0x99]))
                .unwrap_err()
                .contains("0x9999")
        );
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(Target::of_elf(&exe).unwrap(), Some(Target::current()));
    }

    #[test]
    fn current_target_parses() {
        let current = Target::current();
        assert_eq!(current.as_str().parse::<Target>(), Ok(current.clone()));
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(current.as_str(), "linux-x86_64");
        }
    }

    #[test]
    fn pub_dates() {
        assert_eq!(PubDate::from_unix(0).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(
            PubDate::from_unix(1_709_164_800 + 3_723).as_str(),
            "2024-02-29T01:02:03Z"
        );
        assert_eq!(
            PubDate::from_unix(951_782_400).as_str(),
            "2000-02-29T00:00:00Z"
        );
        for good in [
            "2024-02-29T01:02:03Z",
            "2023-12-31T23:59:60Z",
            "2024-05-01T14:00:00.5+02:00",
            "2024-05-01T14:00:00-07:30",
        ] {
            assert!(good.parse::<PubDate>().is_ok(), "{good}");
        }
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01 14:00:00Z",
            "2024-05-01T14:00:00",
            "2024-05-01T24:00:00Z",
            "2024-05-01T14:00:00.Z",
            "2024-05-01T14:00:00+2:00",
            "2024-05-01",
            "",
        ] {
            assert!(bad.parse::<PubDate>().is_err(), "{bad}");
        }
    }

    // A well-formed minisign signature (it need not verify for these tests).
    const SIGNATURE: &str = "untrusted comment: signature from millennium secret key\n\
RUQBAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0g=\n\
trusted comment: app=com.example.notes version=1.2.0 target=linux-x86_64\n\
ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGiow==\n";

    fn manifest_json(platform: serde_json::Value) -> String {
        serde_json::json!({
            "version": "1.2.0",
            "notes": "Bug fixes",
            "pub_date": "2024-05-01T12:00:00Z",
            "platforms": { "linux-x86_64": platform, "darwin-aarch64": {
                "url": "https://example.com/notes.app.tar.gz",
                "signature": SIGNATURE,
                "size": 10,
                "sha256": "AB".repeat(32),
            } }
        })
        .to_string()
    }

    fn platform() -> serde_json::Value {
        serde_json::json!({
            "url": "https://example.com/releases/notes",
            "signature": SIGNATURE,
            "size": 1234,
            "sha256": "0123456789abcdef".repeat(4),
        })
    }

    fn parse_error(platform: serde_json::Value) -> String {
        UpdateManifest::parse(manifest_json(platform).as_bytes())
            .expect_err("must be refused")
            .to_string()
    }

    #[test]
    fn manifest_round_trips() {
        let manifest = UpdateManifest::parse(manifest_json(platform()).as_bytes()).expect("valid");
        assert_eq!(manifest.version, semver::Version::new(1, 2, 0));
        assert_eq!(manifest.notes.as_deref(), Some("Bug fixes"));
        let linux = manifest
            .platform(&"linux-x86_64".parse().unwrap())
            .expect("linux entry");
        assert_eq!(linux.url(), "https://example.com/releases/notes");
        assert_eq!(linux.size(), 1234);
        assert_eq!(linux.signature(), SIGNATURE);
        // Other platforms are kept, and hex digits are stored lowercase.
        assert_eq!(
            manifest.platforms["darwin-aarch64"].sha256(),
            "ab".repeat(32)
        );
        let again = UpdateManifest::parse(manifest.to_json().as_bytes()).expect("re-parses");
        assert_eq!(again, manifest);
    }

    #[test]
    fn manifest_optional_fields() {
        let text = serde_json::json!({
            "version": "1.0.0",
            "platforms": { "linux-x86_64": platform() }
        })
        .to_string();
        let manifest =
            UpdateManifest::parse(text.as_bytes()).expect("notes and pub_date are optional");
        assert_eq!(manifest.notes, None);
        assert_eq!(manifest.pub_date, None);
        assert!(!manifest.to_json().contains("pub_date"));
    }

    #[test]
    fn manifest_is_strict() {
        let mut p = platform();
        p["sha256"] = "abc".into();
        assert!(
            parse_error(p).contains("platforms.linux-x86_64.sha256: must be 64 hexadecimal digits")
        );
        let mut p = platform();
        p["sha256"] = "g".repeat(64).into();
        assert!(parse_error(p).contains("sha256"));
        let mut p = platform();
        p["size"] = 0.into();
        assert!(parse_error(p).contains("platforms.linux-x86_64.size: must be greater than 0"));
        let mut p = platform();
        p["size"] = (-1).into();
        assert!(parse_error(p).contains("invalid value"));
        let mut p = platform();
        p["url"] = "file:///etc/passwd".into();
        assert!(parse_error(p).contains("platforms.linux-x86_64.url"));
        let mut p = platform();
        p["signature"] = "dW50cnVzdGVkIGNvbW1lbnQ=".into();
        assert!(parse_error(p).contains("platforms.linux-x86_64.signature"));
        let mut p = platform();
        p.as_object_mut().unwrap().remove("sha256");
        assert!(parse_error(p).contains("missing field `sha256`"));
        let mut p = platform();
        p["extra"] = true.into();
        assert!(parse_error(p).contains("unknown field `extra`"));

        let refused = |value: serde_json::Value| {
            UpdateManifest::parse(value.to_string().as_bytes())
                .expect_err("must be refused")
                .to_string()
        };
        assert!(
            refused(
                serde_json::json!({"version": "1.0", "platforms": {"linux-x86_64": platform()}})
            )
            .contains("version `1.0` is not a semantic version")
        );
        assert!(refused(serde_json::json!({"version": "1.0.0", "pub_date": "yesterday", "platforms": {"linux-x86_64": platform()}}))
            .contains("pub_date"));
        assert!(
            refused(serde_json::json!({"version": "1.0.0", "platforms": {}}))
                .contains("platforms: lists no platform")
        );
        assert!(
            refused(serde_json::json!({"version": "1.0.0"})).contains("missing field `platforms`")
        );
        assert!(matches!(
            UpdateManifest::parse(&vec![b' '; MAX_MANIFEST_BYTES + 1]),
            Err(ManifestError::TooLarge(_))
        ));
    }
}
