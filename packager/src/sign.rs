//! Release signatures: `millennium sign`, `millennium verify`, and the
//! `.minisig` + `latest.json` that `millennium build --key` writes next to
//! an executable.
//!
//! A signature's trusted comment is a
//! [`millennium_config::release::TrustedComment`]
//! (`app=<identifier> version=<semver> target=<os>-<arch>`). For a packaged
//! executable, app and version come from its payload, so the comment always
//! says what the file is; `verify` checks the signature, then the comment
//! against what the caller expects, then the payload against the comment.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use millennium_config::release::{
    PlatformRelease, PubDate, Target, TrustedComment, UpdateManifest,
};
use millennium_host::payload::{Payload, PayloadError};
use sha2::Digest;

use crate::atomic::write_atomically;
use crate::keys::SigningKey;

/// The untrusted comment of every signature (informational only).
const UNTRUSTED_COMMENT: &str = "signature from millennium secret key";

/// `.minisig` files larger than this are not signatures (a real one is
/// about 300 bytes).
const MAX_SIGNATURE_FILE: u64 = 64 * 1024;

/// The environment variable naming the secret key `build` and `sign` use
/// when `--key` is not given.
pub const SIGNING_KEY_ENV: &str = "MILLENNIUM_SIGNING_KEY";

/// `--app`, `--version` and `--target` as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFlags {
    /// Expected or asserted app identifier.
    pub app: Option<String>,
    /// Expected or asserted version.
    pub version: Option<String>,
    /// Expected or asserted `os-arch`.
    pub target: Option<String>,
}

/// Why a file could not be signed or did not verify.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The file looks like an app but its payload is damaged.
    #[error("{0}")]
    Payload(#[from] PayloadError),
    /// A flag contradicts the payload of the file being signed.
    #[error("--{what} {flag} does not match the file, whose payload says {what} {payload}")]
    FlagMismatch {
        /// `app` or `version`.
        what: &'static str,
        /// The flag's value.
        flag: String,
        /// The payload's value.
        payload: String,
    },
    /// An ELF file whose platform is not known (give `--target`).
    #[error("cannot tell the file's platform: {0} (give --target)")]
    Target(String),
    /// A plain file (not a packaged app) needs the flag.
    #[error("the file is not a packaged Millennium app, so --{0} is required")]
    FlagRequired(&'static str),
    /// A flag or payload value is not valid in a trusted comment.
    #[error("{0}")]
    Release(#[from] millennium_config::release::ReleaseError),
    /// minisign refused to sign.
    #[error("signing failed: {0}")]
    Sign(String),
    /// The `.minisig` text does not decode.
    #[error("not a minisign signature: {0}")]
    NotSignature(String),
    /// Signed by a key other than the one given.
    #[error("the signature was made by another key, not the public key given")]
    OtherKey,
    /// The signature does not match the bytes.
    #[error("the signature does not match the file: the file was changed after signing")]
    BadSignature,
    /// A legacy (not prehashed) signature.
    #[error("legacy (not prehashed) minisign signatures are not accepted")]
    Legacy,
    /// The trusted comment is not a release comment.
    #[error("the trusted comment `{comment}` is not `app=... version=... target=...`: {reason}")]
    Comment {
        /// The comment as signed.
        comment: String,
        /// Why it was refused.
        reason: millennium_config::release::ReleaseError,
    },
    /// The comment names another app, version or target than expected.
    #[error("the signature is for {what} {signed}, but {what} {expected} was expected")]
    NotExpected {
        /// `app`, `version` or `target`.
        what: &'static str,
        /// What the trusted comment says.
        signed: String,
        /// What the caller expects.
        expected: String,
    },
    /// The payload says something else than the comment.
    #[error("the signature is for {what} {signed}, but the file's payload is {what} {payload}")]
    PayloadDisagrees {
        /// `app` or `version`.
        what: &'static str,
        /// What the trusted comment says.
        signed: String,
        /// What the payload says.
        payload: String,
    },
}

/// The app and version in a packaged executable's payload; `None` for any
/// other file (not ELF, or a plain host). A damaged payload is an error.
pub fn packaged_release(bytes: &[u8]) -> Result<Option<(String, String)>, SignError> {
    match Payload::find(bytes) {
        Ok(Some(payload)) => {
            let app = &payload.config().app;
            Ok(Some((app.identifier.clone(), app.version.clone())))
        }
        Ok(None) | Err(PayloadError::NotElf) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

fn version(text: &str) -> Result<semver::Version, SignError> {
    semver::Version::parse(text).map_err(|error| {
        millennium_config::release::ReleaseError::Version {
            value: text.to_owned(),
            reason: error.to_string(),
        }
        .into()
    })
}

/// The trusted comment to sign `bytes` with: the payload's app and version
/// (flags, when given, must agree), or the flags for a plain file; the
/// target defaults to this machine's.
pub fn comment_for(bytes: &[u8], flags: &ReleaseFlags) -> Result<TrustedComment, SignError> {
    let packaged = packaged_release(bytes)?;
    let pick =
        |what: &'static str, flag: &Option<String>, payload: Option<&String>| match (flag, payload)
        {
            (Some(flag), Some(payload)) if flag != payload => Err(SignError::FlagMismatch {
                what,
                flag: flag.clone(),
                payload: payload.clone(),
            }),
            (Some(value), _) | (None, Some(value)) => Ok(value.clone()),
            (None, None) => Err(SignError::FlagRequired(what)),
        };
    let app = pick("app", &flags.app, packaged.as_ref().map(|p| &p.0))?;
    let version_text = pick("version", &flags.version, packaged.as_ref().map(|p| &p.1))?;
    let target = match &flags.target {
        Some(target) => target.parse()?,
        None => target_of(bytes)?,
    };
    Ok(TrustedComment::new(&app, version(&version_text)?, target)?)
}

/// Signs `bytes` (prehashed Ed25519) and returns the whole `.minisig` text.
pub fn sign_bytes(
    key: &SigningKey,
    bytes: &[u8],
    comment: &TrustedComment,
) -> Result<String, SignError> {
    minisign::sign(
        Some(&key.public),
        &key.secret,
        std::io::Cursor::new(bytes),
        Some(&comment.to_string()),
        Some(UNTRUSTED_COMMENT),
    )
    .map(|signature| signature.into_string())
    .map_err(|error| SignError::Sign(error.to_string()))
}

/// Checks `signature` (a `.minisig` text) over `bytes` with `key`, then the
/// trusted comment against `expected` (missing values default to the
/// payload's; target to this machine's), then the payload against the
/// comment. Returns the comment.
pub fn verify_bytes(
    key: &minisign_verify::PublicKey,
    bytes: &[u8],
    signature: &str,
    expected: &ReleaseFlags,
) -> Result<TrustedComment, SignError> {
    let decoded = minisign_verify::Signature::decode(signature)
        .map_err(|error| SignError::NotSignature(error.to_string()))?;
    key.verify(bytes, &decoded, false)
        .map_err(|error| match error {
            minisign_verify::Error::UnexpectedKeyId => SignError::OtherKey,
            minisign_verify::Error::UnexpectedAlgorithm => SignError::Legacy,
            _ => SignError::BadSignature,
        })?;
    let text = decoded.trusted_comment();
    let comment: TrustedComment = text.parse().map_err(|reason| SignError::Comment {
        comment: text.to_owned(),
        reason,
    })?;
    let packaged = packaged_release(bytes)?;
    let expected_app = match (&expected.app, &packaged) {
        (Some(app), _) => app.clone(),
        (None, Some((app, _))) => app.clone(),
        (None, None) => return Err(SignError::FlagRequired("app")),
    };
    let expected_version = match (&expected.version, &packaged) {
        (Some(v), _) => version(v)?,
        (None, Some((_, v))) => version(v)?,
        (None, None) => return Err(SignError::FlagRequired("version")),
    };
    let expected_target = match &expected.target {
        Some(target) => target.parse()?,
        None => target_of(bytes)?,
    };
    let not_expected = |what, signed: String, expected: String| {
        Err(SignError::NotExpected {
            what,
            signed,
            expected,
        })
    };
    if comment.app() != expected_app {
        return not_expected("app", comment.app().to_owned(), expected_app);
    }
    if comment.version() != &expected_version {
        return not_expected(
            "version",
            comment.version().to_string(),
            expected_version.to_string(),
        );
    }
    if comment.target() != &expected_target {
        return not_expected(
            "target",
            comment.target().to_string(),
            expected_target.to_string(),
        );
    }
    if let Some((app, payload_version)) = packaged {
        if app != comment.app() {
            return Err(SignError::PayloadDisagrees {
                what: "app",
                signed: comment.app().to_owned(),
                payload: app,
            });
        }
        if version(&payload_version)? != *comment.version() {
            return Err(SignError::PayloadDisagrees {
                what: "version",
                signed: comment.version().to_string(),
                payload: payload_version,
            });
        }
    }
    Ok(comment)
}

/// `FILE` -> `FILE.minisig`.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = OsString::from(file.as_os_str());
    name.push(".minisig");
    PathBuf::from(name)
}

/// The secret key to use: `--key`, else `MILLENNIUM_SIGNING_KEY`.
pub fn key_path(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| {
        std::env::var_os(SIGNING_KEY_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

fn read_file(path: &Path) -> anyhow::Result<&'static [u8]> {
    millennium_host::payload::map_file(path)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// Runs `millennium sign`.
pub fn run_sign(file: &Path, key: &Path, flags: &ReleaseFlags) -> anyhow::Result<ExitCode> {
    let bytes = read_file(file)?;
    let comment =
        comment_for(bytes, flags).with_context(|| format!("cannot sign {}", file.display()))?;
    let key = crate::keys::load_signing_key(key)?;
    let minisig = sign_bytes(&key, bytes, &comment)?;
    let out = signature_path(file);
    write_atomically(&out, 0o644, |w| {
        w.write_all(minisig.as_bytes())
            .with_context(|| format!("cannot write {}", out.display()))
    })?;
    eprintln!("signed {} ({comment})", file.display());
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Runs `millennium verify`: exit 0 when the signature and its trusted
/// comment are good, an error (exit 1) otherwise.
pub fn run_verify(
    file: &Path,
    signature: Option<&Path>,
    pubkey: &str,
    expected: &ReleaseFlags,
) -> anyhow::Result<ExitCode> {
    let key = crate::keys::load_public_key(pubkey)?;
    let signature_file = signature.map_or_else(|| signature_path(file), Path::to_owned);
    let size = std::fs::metadata(&signature_file)
        .with_context(|| format!("cannot read the signature {}", signature_file.display()))?
        .len();
    if size > MAX_SIGNATURE_FILE {
        bail!(
            "{} is {size} bytes: too large for a minisign signature",
            signature_file.display()
        );
    }
    let text = std::fs::read_to_string(&signature_file)
        .with_context(|| format!("cannot read the signature {}", signature_file.display()))?;
    let bytes = read_file(file)?;
    let comment = verify_bytes(&key, bytes, &text, expected)
        .with_context(|| format!("{} does not verify", file.display()))?;
    println!("{}: good signature ({comment})", file.display());
    Ok(ExitCode::SUCCESS)
}

/// `build --key` options beyond the key.
#[derive(Debug, Clone)]
pub struct SigningRequest {
    /// The secret key file.
    pub key: PathBuf,
    /// Where the executable will be downloaded from; writes `latest.json`.
    pub base_url: Option<String>,
    /// Release notes for `latest.json`.
    pub notes: Option<String>,
}

/// What `build` writes next to a signed executable, prepared in memory
/// before anything is written.
#[derive(Debug)]
pub struct SignedRelease {
    /// The `.minisig` text.
    pub minisig: String,
    /// `latest.json`, when a base URL was given.
    pub manifest: Option<UpdateManifest>,
}

/// Checks `--base-url` before anything is built: an absolute http(s) URL.
pub fn check_base_url(base_url: &str) -> anyhow::Result<()> {
    let url =
        url::Url::parse(base_url).with_context(|| format!("--base-url {base_url} is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http")
        || url.query().is_some()
        || url.fragment().is_some()
    {
        bail!("--base-url {base_url} must be an http(s) URL without query or fragment");
    }
    Ok(())
}

/// `pub_date`: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn pub_date() -> anyhow::Result<PubDate> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => {
            let seconds: u64 = text.trim().parse().with_context(|| {
                format!("SOURCE_DATE_EPOCH={text:?} is not a number of seconds since 1970")
            })?;
            Ok(PubDate::from_unix(seconds))
        }
        _ => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .context("the system clock is before 1970")?;
            Ok(PubDate::from_unix(now.as_secs()))
        }
    }
}

/// The platform a release is bound to: the ELF header's, for an executable
/// (so a host built for aarch64 and packaged here is signed as
/// `linux-aarch64`); this machine's for any other file.
fn target_of(bytes: &[u8]) -> Result<Target, SignError> {
    match Target::of_elf(bytes) {
        Ok(Some(target)) => Ok(target),
        Ok(None) => Ok(Target::current()),
        Err(reason) => Err(SignError::Target(reason)),
    }
}

/// Signs a built executable image and prepares `latest.json`.
pub fn sign_release(
    key: &SigningKey,
    image: &[u8],
    app: &millennium_config::model::AppConfig,
    file_name: &str,
    request: &SigningRequest,
) -> anyhow::Result<SignedRelease> {
    let comment = TrustedComment::new(&app.identifier, version(&app.version)?, target_of(image)?)?;
    let minisig = sign_bytes(key, image, &comment)?;
    let manifest = match &request.base_url {
        Some(base) => {
            let url = format!("{}/{file_name}", base.trim_end_matches('/'));
            let sha256: String = sha2::Sha256::digest(image)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let platform = PlatformRelease::new(&url, &minisig, image.len() as u64, &sha256)
                .context("cannot describe the release in latest.json")?;
            Some(UpdateManifest {
                version: comment.version().clone(),
                notes: Some(request.notes.clone().unwrap_or_default()),
                pub_date: Some(pub_date()?),
                platforms: [(comment.target().to_string(), platform)].into(),
            })
        }
        None => None,
    };
    Ok(SignedRelease { minisig, manifest })
}

impl SignedRelease {
    /// Writes `<executable>.minisig` and, with a manifest, `latest.json`
    /// beside it; on failure removes what it wrote. Returns the paths.
    pub fn write_beside(&self, executable: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        let result = (|| {
            let minisig = signature_path(executable);
            write_text(&minisig, &self.minisig)?;
            written.push(minisig);
            if let Some(manifest) = &self.manifest {
                let path = executable.with_file_name("latest.json");
                write_text(&path, &manifest.to_json())?;
                written.push(path);
            }
            Ok(())
        })();
        match result {
            Ok(()) => Ok(written),
            Err(error) => {
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                Err(error)
            }
        }
    }
}

fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    write_atomically(path, 0o644, |out| {
        out.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (SigningKey, minisign_verify::PublicKey) {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("key pair");
        let public = minisign_verify::PublicKey::from_base64(&pair.pk.to_base64()).expect("pk");
        (
            SigningKey {
                secret: pair.sk,
                public: pair.pk,
            },
            public,
        )
    }

    fn flags(app: &str, version: &str) -> ReleaseFlags {
        ReleaseFlags {
            app: Some(app.to_owned()),
            version: Some(version.to_owned()),
            target: None,
        }
    }

    #[test]
    fn plain_files_need_app_and_version() {
        assert!(matches!(
            comment_for(b"data", &ReleaseFlags::default()),
            Err(SignError::FlagRequired("app"))
        ));
        let comment = comment_for(b"data", &flags("com.example.notes", "1.0.0")).unwrap();
        assert_eq!(comment.target(), &Target::current());
        assert!(matches!(
            comment_for(b"data", &flags("notes", "1.0.0")),
            Err(SignError::Release(_))
        ));
    }

    /// Regression (security review): a release was bound to the build
    /// machine's target even when the packaged host was built for another.
    #[test]
    fn an_executable_is_signed_for_the_platform_in_its_elf_header() {
        let mut aarch64 = b"\x7fELF\x02\x01\x01\x00".to_vec();
        aarch64.resize(18, 0);
        aarch64.extend_from_slice(&[0xb7, 0x00]);
        aarch64.resize(64, 0);
        let comment = comment_for(&aarch64, &flags("com.example.notes", "1.0.0")).unwrap();
        assert_eq!(comment.target().as_str(), "linux-aarch64");
        let (signer, public) = key();
        let signature = sign_bytes(&signer, &aarch64, &comment).unwrap();
        let verified = verify_bytes(
            &public,
            &aarch64,
            &signature,
            &flags("com.example.notes", "1.0.0"),
        );
        assert_eq!(verified.unwrap().target().as_str(), "linux-aarch64");
        let mut unknown = aarch64.clone();
        unknown[18] = 0x99;
        let error = comment_for(&unknown, &flags("com.example.notes", "1.0.0")).unwrap_err();
        assert!(error.to_string().contains("give --target"), "{error}");
    }

    #[test]
    fn signatures_verify_only_as_signed() {
        let (signer, public) = key();
        let expected = flags("com.example.notes", "1.0.0");
        let comment = comment_for(b"release", &expected).unwrap();
        let minisig = sign_bytes(&signer, b"release", &comment).unwrap();
        assert_eq!(
            verify_bytes(&public, b"release", &minisig, &expected).unwrap(),
            comment
        );
        assert!(matches!(
            verify_bytes(&public, b"releasE", &minisig, &expected),
            Err(SignError::BadSignature)
        ));
        let (_, other) = key();
        assert!(matches!(
            verify_bytes(&other, b"release", &minisig, &expected),
            Err(SignError::OtherKey)
        ));
        assert!(matches!(
            verify_bytes(
                &public,
                b"release",
                &minisig,
                &flags("com.example.notes", "1.0.1")
            ),
            Err(SignError::NotExpected {
                what: "version",
                ..
            })
        ));
        assert!(matches!(
            verify_bytes(&public, b"release", "not a signature", &expected),
            Err(SignError::NotSignature(_))
        ));
    }

    /// A genuine signature by the right key whose comment is not a release
    /// comment (minisign's default `timestamp:...`) binds nothing: refused.
    #[test]
    fn foreign_trusted_comments_are_refused() {
        let (signer, public) = key();
        let minisig = minisign::sign(
            Some(&signer.public),
            &signer.secret,
            std::io::Cursor::new(b"release"),
            None,
            None,
        )
        .unwrap()
        .into_string();
        let error = verify_bytes(
            &public,
            b"release",
            &minisig,
            &flags("com.example.notes", "1.0.0"),
        )
        .unwrap_err();
        assert!(matches!(error, SignError::Comment { .. }), "{error}");
        assert!(error.to_string().contains("timestamp:"), "{error}");
    }
}
