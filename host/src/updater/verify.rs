//! Everything a download must pass before it may replace the installed
//! executable. Each failure is a sentence for the page (prefixed with
//! "update refused: " by the caller).
//!
//! Order: the signature first (under any configured key), then what the
//! signature binds (the trusted comment: app, target, version equal ours and
//! the manifest's), then the manifest's sha256, then the file itself (a
//! Millennium executable with a valid payload of this app and version).
//! Tauri signs only the file, so an old signed build could be served as a
//! new version; here the version is inside the signed comment.

use std::str::FromStr;

use millennium_config::release::{Target, TrustedComment};
use minisign_verify::{PublicKey, Signature};
use sha2::{Digest, Sha256};

use super::Update;

/// Checks `bytes` against `update` (from the manifest), `pubkeys` (from
/// `[updater]`), and who we are.
pub fn verify(
    bytes: &[u8],
    update: &Update,
    pubkeys: &[String],
    identifier: &str,
    target: &Target,
) -> Result<(), String> {
    let signature = Signature::decode(&update.signature)
        .map_err(|e| format!("the manifest's signature is not a minisign signature: {e}"))?;
    let trusted = pubkeys.iter().any(|line| {
        PublicKey::from_base64(line.trim())
            .is_ok_and(|key| key.verify(bytes, &signature, false).is_ok())
    });
    if !trusted {
        return Err(format!(
            "the signature is not valid under any key in [updater] pubkeys ({} configured)",
            pubkeys.len()
        ));
    }
    let text = signature.trusted_comment();
    let comment = TrustedComment::from_str(text).map_err(|e| {
        format!("the signed comment `{text}` is not `app=... version=... target=...`: {e}")
    })?;
    if comment.app() != identifier {
        return Err(format!(
            "the signature is for app `{}`, this app is `{identifier}`",
            comment.app()
        ));
    }
    if comment.target() != target {
        return Err(format!(
            "the signature is for target `{}`, this is `{target}`",
            comment.target()
        ));
    }
    if comment.version() != &update.version {
        return Err(format!(
            "the signature is for version {}, the manifest says {}",
            comment.version(),
            update.version
        ));
    }
    let digest: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if !digest.eq_ignore_ascii_case(&update.sha256) {
        return Err(format!(
            "the download's sha256 {digest} does not match the manifest's {}",
            update.sha256
        ));
    }
    // Only the app and version are read: a later version may use config
    // keys this one does not know, and is still this app's update.
    let (app, version) = match crate::payload::identity(bytes) {
        Ok(Some(identity)) => identity,
        Ok(None) => return Err("the download is not a packaged Millennium app".to_owned()),
        Err(error) => return Err(format!("the download's payload is damaged: {error}")),
    };
    if app != identifier {
        return Err(format!(
            "the download is app `{app}`, this app is `{identifier}`"
        ));
    }
    if version != update.version.to_string() {
        return Err(format!(
            "the download says version {version}, the signature {}",
            update.version
        ));
    }
    Ok(())
}
