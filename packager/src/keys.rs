//! Minisign keys: `millennium keygen`, loading a secret key to sign with
//! (asking for its password only when it is encrypted), and reading a public
//! key from a `.pub` file or its `RW...` line.
//!
//! Passwords come from `MILLENNIUM_KEY_PASSWORD` or, when standard input is
//! a terminal, from a prompt; never from an argument (it would show in `ps`
//! and shell history). No secret (key bytes or password) is ever put in an
//! error or a log line: minisign's `SecretKey` prints its bytes in `Debug`,
//! so nothing here derives `Debug` over one.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use base64::Engine;

use crate::atomic::write_atomically;

/// The environment variable holding a secret key's password.
pub const PASSWORD_ENV: &str = "MILLENNIUM_KEY_PASSWORD";

/// Secret key files larger than this are not keys (a real one is ~350 bytes).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Why a key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read.
    #[error("cannot read the key {path}: {error}")]
    Read {
        /// The key file.
        path: PathBuf,
        /// The OS error.
        #[source]
        error: std::io::Error,
    },
    /// The file is not a minisign secret key.
    #[error("{path} is not a minisign secret key ({reason})")]
    NotSecretKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The key is encrypted and no password source is available.
    #[error(
        "the secret key {path} is encrypted: set {PASSWORD_ENV} or run in a terminal to be asked for its password"
    )]
    NoPassword {
        /// The key file.
        path: PathBuf,
    },
    /// Decryption failed the key's checksum.
    #[error("wrong password for the secret key {path}")]
    WrongPassword {
        /// The key file.
        path: PathBuf,
    },
    /// The password prompt failed.
    #[error("cannot read the password from the terminal: {0}")]
    Prompt(#[source] std::io::Error),
    /// Not a public key (neither a `.pub` file nor an `RW...` line).
    #[error("{given} is not a minisign public key: {reason}")]
    NotPublicKey {
        /// The argument or file.
        given: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A decrypted secret key and its public half, ready to sign.
pub struct SigningKey {
    pub(crate) secret: minisign::SecretKey,
    pub(crate) public: minisign::PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public.to_base64())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The public key line (`RW...`) that verifies this key's signatures.
    pub fn public_base64(&self) -> String {
        self.public.to_base64()
    }
}

/// Reads the secret key at `path`; an encrypted one is decrypted with the
/// password from `MILLENNIUM_KEY_PASSWORD`, else from a prompt when standard
/// input is a terminal.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let text = read_small(path).map_err(|error| KeyError::Read {
        path: path.to_owned(),
        error,
    })?;
    let not_key = |reason: &str| KeyError::NotSecretKey {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let mut lines = text.lines();
    if !lines
        .next()
        .is_some_and(|l| l.starts_with("untrusted comment:"))
    {
        return Err(not_key("no `untrusted comment:` line"));
    }
    let encoded = lines.next().ok_or_else(|| not_key("no key line"))?.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| not_key("the key line is not base64"))?;
    let raw = minisign::SecretKey::from_bytes(&bytes)
        .map_err(|_| not_key("the key line is too short"))?;
    let secret = if raw.is_encrypted() {
        let password = password_for(path)?;
        minisign::SecretKey::from_box(text.clone().into(), Some(password)).map_err(|error| {
            match error.kind() {
                minisign::ErrorKind::Verify => KeyError::WrongPassword {
                    path: path.to_owned(),
                },
                _ => not_key(&error.to_string()),
            }
        })?
    } else {
        minisign::SecretKey::from_unencrypted_box(text.into())
            .map_err(|error| not_key(&error.to_string()))?
    };
    let public = minisign::PublicKey::from_secret_key(&secret)
        .map_err(|error| not_key(&error.to_string()))?;
    Ok(SigningKey { secret, public })
}

fn read_small(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > MAX_KEY_FILE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} bytes is too large for a key file", meta.len()),
        ));
    }
    std::fs::read_to_string(path)
}

/// The password for the encrypted key at `path`.
fn password_for(path: &Path) -> Result<String, KeyError> {
    if let Some(password) = password_from_env() {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(KeyError::NoPassword {
            path: path.to_owned(),
        });
    }
    rpassword::prompt_password(format!("Password for {}: ", path.display()))
        .map_err(KeyError::Prompt)
}

fn password_from_env() -> Option<String> {
    std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())
}

/// Reads a public key: an `RW...` line, or a file holding a `.pub` box or
/// just the line.
pub fn load_public_key(given: &str) -> Result<minisign_verify::PublicKey, KeyError> {
    let not_key = |reason: String| KeyError::NotPublicKey {
        given: given.to_owned(),
        reason,
    };
    let path = Path::new(given);
    if given.starts_with("RW") && !path.exists() {
        return minisign_verify::PublicKey::from_base64(given.trim())
            .map_err(|error| not_key(error.to_string()));
    }
    let text = read_small(path).map_err(|error| not_key(format!("cannot read it: {error}")))?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = match lines.next() {
        Some(first) if first.starts_with("untrusted comment:") => lines.next(),
        other => other,
    }
    .ok_or_else(|| not_key("the file has no key line".to_owned()))?;
    minisign_verify::PublicKey::from_base64(line).map_err(|error| not_key(error.to_string()))
}

/// What `millennium keygen` was asked to do.
#[derive(Debug, Clone)]
pub struct KeygenRequest {
    /// Directory for the two files.
    pub out_dir: PathBuf,
    /// `NAME.key` and `NAME.pub`.
    pub name: String,
    /// Replace existing files.
    pub force: bool,
    /// Write the secret key without a password.
    pub unencrypted: bool,
}

/// Runs `millennium keygen`.
pub fn run_keygen(request: &KeygenRequest) -> anyhow::Result<ExitCode> {
    if request.name.is_empty()
        || request.name.starts_with('.')
        || request.name.contains(['/', '\0'])
    {
        bail!(
            "--name {:?} must be a plain file name (no `/`, not starting with `.`)",
            request.name
        );
    }
    let secret_path = request.out_dir.join(format!("{}.key", request.name));
    let public_path = request.out_dir.join(format!("{}.pub", request.name));
    if !request.force {
        for path in [&secret_path, &public_path] {
            if path.exists() || path.is_symlink() {
                bail!(
                    "{} already exists; pass --force to replace it (signatures made with the old key will no longer match the new public key)",
                    path.display()
                );
            }
        }
    }
    let keypair = if request.unencrypted {
        if password_from_env().is_some() {
            bail!(
                "--unencrypted was given but {PASSWORD_ENV} is set: choose one (unset the variable, or drop --unencrypted)"
            );
        }
        minisign::KeyPair::generate_unencrypted_keypair()
            .map_err(|e| anyhow::anyhow!("cannot generate a key pair: {e}"))?
    } else {
        let password = new_password()?;
        minisign::KeyPair::generate_encrypted_keypair(Some(password))
            .map_err(|e| anyhow::anyhow!("cannot generate a key pair: {e}"))?
    };
    let secret_comment = if request.unencrypted {
        "millennium secret key (NOT encrypted)"
    } else {
        "millennium secret key (encrypted)"
    };
    let secret_box = keypair
        .sk
        .to_box(Some(secret_comment))
        .map_err(|e| anyhow::anyhow!("cannot encode the secret key: {e}"))?
        .into_string();
    let public_box = keypair
        .pk
        .to_box()
        .map_err(|e| anyhow::anyhow!("cannot encode the public key: {e}"))?
        .into_string();
    std::fs::create_dir_all(&request.out_dir)
        .with_context(|| format!("cannot create {}", request.out_dir.display()))?;
    write_atomically(&secret_path, 0o600, |out| {
        out.write_all(secret_box.as_bytes())
            .with_context(|| format!("cannot write {}", secret_path.display()))
    })?;
    let written = write_atomically(&public_path, 0o644, |out| {
        out.write_all(public_box.as_bytes())
            .with_context(|| format!("cannot write {}", public_path.display()))
    });
    if let Err(error) = written {
        let _ = std::fs::remove_file(&secret_path);
        return Err(error);
    }
    let line = keypair.pk.to_base64();
    eprintln!(
        "wrote {} (secret, mode 0600) and {} (public)",
        secret_path.display(),
        public_path.display()
    );
    if request.unencrypted {
        eprintln!(
            "WARNING: {} is NOT encrypted. Anyone who can read it can sign updates \
             that your users' apps will install. Keep it only in a CI secret store.",
            secret_path.display()
        );
    }
    eprintln!(
        "Put the public key in millennium.toml so the app trusts it:\n\n  [updater]\n  pubkeys = [\"{line}\"]\n"
    );
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}

/// A new key's password: from the environment, or typed twice.
fn new_password() -> anyhow::Result<String> {
    if let Some(password) = password_from_env() {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no password for the new secret key: set {PASSWORD_ENV}, run in a terminal to type one, or pass --unencrypted (for CI)"
        );
    }
    let first = rpassword::prompt_password("Password for the new secret key: ")
        .context("cannot read the password")?;
    if first.is_empty() {
        bail!(
            "an empty password does not protect the key; pass --unencrypted if that is what you want"
        );
    }
    let second = rpassword::prompt_password("The same password again: ")
        .context("cannot read the password")?;
    if first != second {
        bail!("the two passwords differ; nothing was written");
    }
    Ok(first)
}
