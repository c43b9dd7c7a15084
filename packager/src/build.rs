//! `millennium build`: validate the app, collect its frontend, hash inline
//! scripts into the CSP, and write one executable (the host plus a payload,
//! see `millennium_host::payload`). The output appears whole or not at all:
//! it is written to a temporary file in the output directory and renamed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use millennium_host::payload::{self, InputFile};

use millennium_config::model::{Csp, DEFAULT_CSP, SidecarArg};
use millennium_host::inline_scripts;

use crate::atomic::write_atomically;

/// What `millennium build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// App directory or toml.
    pub path: PathBuf,
    /// Output directory.
    pub out_dir: PathBuf,
    /// The host executable; `None` looks beside `millennium`.
    pub host: Option<PathBuf>,
    /// Also write a Debian package beside the executable.
    pub deb: bool,
    /// Also write an RPM package beside the executable.
    pub rpm: bool,
    /// Sign the executable (and write `latest.json` with a base URL).
    pub signing: Option<crate::sign::SigningRequest>,
}

/// What was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// The executable.
    pub executable: PathBuf,
    /// Size of the runtime the app was packed into.
    pub runtime_bytes: u64,
    /// Number of frontend files.
    pub files: usize,
    /// Their total size.
    pub frontend_bytes: u64,
    /// Inline scripts hashed into the CSP.
    pub hashed_scripts: usize,
    /// The `.minisig` and `latest.json` written beside the executable.
    pub release_files: Vec<PathBuf>,
    /// What the frontend directory held that was not packed (version
    /// control directories), relative to it.
    pub left_out: Vec<String>,
}

/// Runs `millennium build`, printing diagnostics or a summary.
pub fn run(request: &BuildRequest) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // The frontend may be what `before-build-command` makes: everything
    // else is checked first, then all of it once the command has run.
    let first =
        match millennium_config::load_for(&request.path, millennium_config::Purpose::BeforeBuild) {
            Ok(loaded) => loaded,
            Err(error) => {
                error.report();
                return Ok(ExitCode::FAILURE);
            }
        };
    if let Some(hook) = &first.config.app.before_build_command
        && let Some(failed) = crate::hook::run_before_build(hook, &first.base_dir)?
    {
        return Ok(failed);
    }
    let loaded = match millennium_config::load(&request.path) {
        Ok(loaded) => loaded,
        Err(error) => {
            error.report();
            return Ok(ExitCode::FAILURE);
        }
    };
    if request.deb {
        crate::deb::preflight(&loaded, &executable_name(&loaded.config.app))
            .context("cannot make the Debian package")?;
    }
    let epoch = if request.rpm {
        // What would stop the package stops the build before it starts.
        crate::deb::installed_files_preflight(&loaded).context("cannot make the RPM package")?;
        Some(crate::deb::source_date_epoch_if_set().context("cannot make the RPM package")?)
    } else {
        None
    };
    let built = build(&loaded, request)?;
    let size = std::fs::metadata(&built.executable)
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!(
        "built {} ({}: runtime {} + app {}; {} file{} / {} of frontend, {} inline script{} hashed) in {:.0} ms",
        built.executable.display(),
        human_bytes(size),
        human_bytes(built.runtime_bytes),
        human_bytes(size.saturating_sub(built.runtime_bytes)),
        built.files,
        if built.files == 1 { "" } else { "s" },
        human_bytes(built.frontend_bytes),
        built.hashed_scripts,
        if built.hashed_scripts == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64() * 1000.0
    );
    for path in &built.left_out {
        eprintln!("left out {path}/ (version control, never packed)");
    }
    for path in &built.release_files {
        eprintln!("wrote {}", path.display());
    }
    if request.deb {
        let started = Instant::now();
        let deb = write_deb(&loaded, &built.executable)?;
        eprintln!(
            "built {} ({}) in {:.0} ms",
            deb.display(),
            human_bytes(std::fs::metadata(&deb).map(|m| m.len()).unwrap_or(0)),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    if let Some(epoch) = epoch {
        let started = Instant::now();
        let rpm = write_rpm(&loaded, &built.executable, epoch)?;
        eprintln!(
            "built {} ({}) in {:.0} ms",
            rpm.display(),
            human_bytes(std::fs::metadata(&rpm).map(|m| m.len()).unwrap_or(0)),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The files the app's `[[sidecars]]` need (each `command` that is a file
/// of the app, each `{ file }` argument), under [`payload::SIDECAR_DIR`].
/// A command must be an executable for this machine or a `#!` script.
fn sidecar_files(loaded: &millennium_config::LoadedConfig) -> anyhow::Result<Vec<InputFile>> {
    let mut packed: BTreeMap<String, InputFile> = BTreeMap::new();
    for sidecar in &loaded.config.sidecars {
        let command = sidecar
            .command_is_file()
            .then_some(sidecar.command.as_str());
        let args = sidecar.args.iter().filter_map(|arg| match arg {
            SidecarArg::File(file) => Some(file.file.as_str()),
            SidecarArg::Text(_) => None,
        });
        let needed = command
            .map(|c| (c, true))
            .into_iter()
            .chain(args.map(|a| (a, false)));
        for (file, is_command) in needed {
            let relative: Vec<String> = Path::new(file)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let relative = relative.join("/");
            let path = loaded.base_dir.join(&relative);
            let bytes = std::fs::read(&path).with_context(|| {
                format!("sidecar `{}`: cannot read {}", sidecar.name, path.display())
            })?;
            if is_command {
                runs_here(&bytes)
                    .map_err(|why| anyhow::anyhow!("sidecar `{}`: `{file}` {why}", sidecar.name))?;
            }
            let packed_path = format!("{}/{relative}", payload::SIDECAR_DIR);
            packed.insert(
                packed_path.clone(),
                InputFile {
                    path: packed_path,
                    mime: "application/octet-stream".to_owned(),
                    bytes,
                },
            );
        }
    }
    Ok(packed.into_values().collect())
}

/// Whether `bytes` can run on the machine this packager was built for: a
/// 64-bit little-endian ELF executable of its architecture, or a script
/// that names its interpreter (`#!`).
fn runs_here(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(b"#!") {
        return Ok(());
    }
    if !bytes.starts_with(b"\x7fELF") || bytes.len() < 20 {
        return Err("is neither an executable program nor a `#!` script".to_owned());
    }
    let (machine, name) = if cfg!(target_arch = "x86_64") {
        (62, "x86-64")
    } else if cfg!(target_arch = "aarch64") {
        (183, "AArch64")
    } else {
        return Err(
            "cannot be checked: this packager knows no ELF machine for its own architecture"
                .to_owned(),
        );
    };
    let found = u16::from_le_bytes([bytes[18], bytes[19]]);
    if bytes[4] != 2 || bytes[5] != 1 || found != machine {
        let what = match found {
            3 => "x86 (32-bit)".to_owned(),
            40 => "ARM (32-bit)".to_owned(),
            62 => "x86-64".to_owned(),
            183 => "AArch64".to_owned(),
            243 => "RISC-V".to_owned(),
            other => format!("ELF machine {other}"),
        };
        let class = if bytes[4] == 2 { "" } else { ", 32-bit" };
        return Err(format!(
            "is built for {what}{class}, not for this machine ({name}): build it for {name}"
        ));
    }
    Ok(())
}

/// Builds a validated app.
pub fn build(
    loaded: &millennium_config::LoadedConfig,
    request: &BuildRequest,
) -> anyhow::Result<Built> {
    let sidecar_files = sidecar_files(loaded)?;
    // The key is decrypted (and --base-url checked) before anything is
    // written, so a wrong password leaves no executable behind.
    let signer = match &request.signing {
        Some(signing) => {
            if let Some(base_url) = &signing.base_url {
                crate::sign::check_base_url(base_url)?;
            }
            Some(crate::keys::load_signing_key(&signing.key)?)
        }
        None => None,
    };
    if let Some(warning) = signer
        .as_ref()
        .and_then(|key| untrusted_key_warning(&loaded.config.updater, &key.public_base64()))
    {
        eprintln!("warning: {warning}");
    }
    let host_path = match &request.host {
        Some(path) => path.clone(),
        None => beside_self("millennium-runtime")?,
    };
    let host = std::fs::read(&host_path)
        .with_context(|| format!("cannot read the host {}", host_path.display()))?;
    let runtime_bytes = host.len() as u64;
    let frontend = loaded.base_dir.join(&loaded.config.app.frontend);
    let Collected {
        mut files,
        left_out,
    } = collect(&frontend)?;
    let mut hashes = BTreeSet::new();
    for file in files.iter().filter(|f| is_html(&f.mime)) {
        hashes.extend(inline_scripts::hashes_of(&file.bytes));
    }
    let mut config = loaded.config.clone();
    if !hashes.is_empty() {
        let policy = config
            .security
            .csp
            .as_ref()
            .map_or_else(|| DEFAULT_CSP.to_owned(), Csp::to_header);
        config.security.csp = Some(Csp::Policy(inline_scripts::with_script_hashes(
            &policy, &hashes,
        )));
    }
    config.app.dev_url = None; // packaged apps never use it
    let name = executable_name(&config.app);
    std::fs::create_dir_all(&request.out_dir).with_context(|| {
        format!(
            "cannot create the output directory {}",
            request.out_dir.display()
        )
    })?;
    let executable = request.out_dir.join(&name);
    files.extend(sidecar_files);
    if let Some(icon) = &loaded.config.bundle.icon {
        let icon = crate::icon::load(&loaded.base_dir.join(icon))?;
        for warning in &icon.warnings {
            eprintln!("warning: {warning}");
        }
        files.push(InputFile {
            path: payload::WINDOW_ICON.to_owned(),
            mime: "image/png".to_owned(),
            bytes: icon.png(icon.window_side()),
        });
    }
    let mut image = Vec::new();
    payload::write(&host, &config, &files, &mut image).map_err(anyhow::Error::msg)?;
    let signed = match (&signer, &request.signing) {
        (Some(key), Some(signing)) => Some(crate::sign::sign_release(
            key,
            &image,
            &config.app,
            &name,
            signing,
        )?),
        _ => None,
    };
    write_atomically(&executable, 0o755, |out| {
        out.write_all(&image)
            .with_context(|| format!("cannot write {}", executable.display()))
    })?;
    let release_files = match signed {
        Some(signed) => match signed.write_beside(&executable) {
            Ok(paths) => paths,
            Err(error) => {
                let _ = std::fs::remove_file(&executable);
                return Err(error);
            }
        },
        None => {
            // A signature left by an earlier signed build would not match.
            let stale = crate::sign::signature_path(&executable);
            if stale.is_file() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("cannot remove the stale {}", stale.display()))?;
                eprintln!("removed {}: this build is not signed", stale.display());
            }
            Vec::new()
        }
    };
    Ok(Built {
        executable,
        runtime_bytes,
        files: files.len(),
        frontend_bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        hashed_scripts: hashes.len(),
        release_files,
        left_out,
    })
}

/// A warning when this build is signed with a key the app itself does not
/// list in `[updater] pubkeys`. Not an error: during a key rotation the
/// release is signed with the old key (the one installed apps trust) while
/// the config already lists the new one. But usually it is a mistake that
/// makes every future update of this app fail verification.
fn untrusted_key_warning(
    updater: &millennium_config::model::UpdaterConfig,
    public_key: &str,
) -> Option<String> {
    let listed = updater.pubkeys.iter().any(|key| key.trim() == public_key);
    (updater.active && !listed).then(|| {
        format!(
            "the signing key ({public_key}) is not in [updater] pubkeys; installed copies of \
             this version will refuse updates signed with it (fine only while rotating keys)"
        )
    })
}

/// Whether a MIME type (as `mime_for` gives it, maybe with parameters) is HTML.
fn is_html(mime: &str) -> bool {
    matches!(
        mime.split(';').next().map(str::trim),
        Some("text/html" | "application/xhtml+xml")
    )
}

/// Writes the Debian package of a built executable beside it.
pub fn write_deb(
    loaded: &millennium_config::LoadedConfig,
    executable: &Path,
) -> anyhow::Result<PathBuf> {
    let mtime = crate::deb::source_date_epoch()?;
    let package = crate::deb::package(
        loaded,
        executable,
        &executable_name(&loaded.config.app),
        mtime,
    )
    .context("cannot make the Debian package")?;
    write_beside(executable, &package.file_name, &package.bytes)
}

/// Writes a package `file_name` next to `executable`; its path.
fn write_beside(executable: &Path, file_name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = executable.with_file_name(file_name);
    write_atomically(&path, 0o644, |out| {
        out.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    })?;
    Ok(path)
}

/// Writes the RPM package of a built executable beside it.
pub fn write_rpm(
    loaded: &millennium_config::LoadedConfig,
    executable: &Path,
    epoch: Option<u64>,
) -> anyhow::Result<PathBuf> {
    let package = crate::rpm::package(
        loaded,
        executable,
        &executable_name(&loaded.config.app),
        epoch,
    )
    .context("cannot make the RPM package")?;
    write_beside(executable, &package.file_name, &package.bytes)
}

/// `Notes App` -> `notes-app`: lowercase ASCII letters, digits and hyphens.
/// A name with other letters (`Ünïcode`) uses the identifier's last
/// segment instead, rather than a mangled spelling.
pub fn executable_name(app: &millennium_config::model::AppConfig) -> String {
    let source = if app
        .name
        .chars()
        .all(|c| c.is_ascii() || !c.is_alphanumeric())
    {
        app.name.as_str()
    } else {
        app.identifier.rsplit('.').next().unwrap_or("app")
    };
    let mut name = String::new();
    for c in source.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "app".to_owned()
    } else {
        name
    }
}

/// A binary installed next to the running `millennium`.
fn beside_self(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate the millennium executable")?;
    let candidate = exe.parent().map(|dir| dir.join(name)).unwrap_or_default();
    if candidate.is_file() {
        Ok(candidate)
    } else {
        bail!(
            "cannot find {name} beside {} (pass --host PATH)",
            exe.display()
        )
    }
}

/// Directories of version control systems: never part of an app.
const VCS_DIRECTORIES: &[&str] = &[
    ".git", ".hg", ".svn", ".bzr", "_darcs", ".fossil", "CVS", ".jj", ".pijul",
];

/// The frontend as it is packed.
#[derive(Debug)]
pub struct Collected {
    /// Every file, sorted by path.
    pub files: Vec<InputFile>,
    /// Version control directories that were left out, relative paths.
    pub left_out: Vec<String>,
}

/// Reads every file under `root` (following symlinks only inside it) for
/// the payload. Version control directories are left out and reported; a
/// minisign secret key anywhere in it is an error (it would be served to
/// any page at `millennium://localhost/<path>`). The tree is walked first
/// (names and sizes), then read, with a progress bar on standard error when
/// [`draws_progress`] says so.
pub fn collect(root: &Path) -> anyhow::Result<Collected> {
    let canonical_root = root
        .canonicalize()
        .with_context(|| format!("frontend directory {}", root.display()))?;
    let mut found = Vec::new();
    let mut left_out = Vec::new();
    let mut visited = BTreeSet::new();
    walk(
        &canonical_root,
        &canonical_root,
        "",
        &mut found,
        &mut left_out,
        &mut visited,
    )?;
    let total: u64 = found.iter().map(|f| f.len).sum();
    let draw = draws_progress(std::io::stderr().is_terminal(), found.len(), total);
    let bar = reading_bar(total, draw);
    let count = found.len();
    let mut files = Vec::with_capacity(count);
    for (done, file) in found.into_iter().enumerate() {
        let bytes = std::fs::read(&file.real)
            .with_context(|| format!("cannot read {}", file.shown.display()));
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(error) => {
                bar.finish_and_clear();
                return Err(error);
            }
        };
        if is_minisign_secret_key(&bytes) {
            bar.finish_and_clear();
            bail!(
                "{} is a minisign secret key: it must never be packed into an app, where any page could read it (move it out of the frontend directory)",
                file.shown.display()
            );
        }
        bar.inc(bytes.len() as u64);
        if draw {
            bar.set_message(format!("{} of {count} files", done + 1));
        }
        let name = file.relative.rsplit('/').next().unwrap_or(&file.relative);
        let mime = millennium_host::assets::mime_for(name);
        files.push(InputFile {
            path: file.relative,
            mime,
            bytes,
        });
    }
    bar.finish_and_clear();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Collected { files, left_out })
}

/// A frontend with at least this many files gets a progress bar. Reading
/// a few hundred small files is over in well under a second, even from a
/// cold disk cache; a bundler's `node_modules`-sized output (thousands of
/// chunks, maps and images) is where a silent build looks stuck.
const PROGRESS_MIN_FILES: usize = 500;

/// ... or at least this many bytes: 64 MiB takes about half a second from
/// a spinning disk or a network share, and a frontend that big is usually
/// media (videos, fonts, models) where the wait is long enough to explain.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Whether `millennium build` draws a progress bar while it reads the
/// frontend: only when standard error is a terminal (piped and CI output
/// stays exactly as it was) and the frontend is large enough that reading
/// it takes noticeable time (a bar that flashes for 10 ms is noise).
fn draws_progress(stderr_is_terminal: bool, files: usize, bytes: u64) -> bool {
    stderr_is_terminal && (files >= PROGRESS_MIN_FILES || bytes >= PROGRESS_MIN_BYTES)
}

/// The bar over the bytes of the frontend: drawn on standard error, or
/// hidden (every call a no-op) when `draw` is false.
fn reading_bar(total: u64, draw: bool) -> ProgressBar {
    let target = if draw {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    if draw {
        // ASCII only: every terminal and font draws it.
        let style = ProgressStyle::with_template(
            "collecting the frontend [{bar:30}] {binary_bytes} of {binary_total_bytes}, {msg}",
        )
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
    }
    bar
}

/// A file of the frontend, found but not read yet.
struct Found {
    /// Its path in the payload.
    relative: String,
    /// Where it is (symlinks resolved).
    real: PathBuf,
    /// Where it was found, for errors.
    shown: PathBuf,
    /// Its size when found.
    len: u64,
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    found: &mut Vec<Found>,
    left_out: &mut Vec<String>,
    visited: &mut BTreeSet<PathBuf>,
) -> anyhow::Result<()> {
    if !visited.insert(dir.to_owned()) {
        bail!("symlink loop: {} is reached twice", dir.display());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read directory {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            bail!("{}: file names must be UTF-8", entry.path().display());
        };
        let path = entry.path();
        let relative = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        if VCS_DIRECTORIES.contains(&name) && path.is_dir() {
            left_out.push(relative);
            continue;
        }
        let real = path
            .canonicalize()
            .with_context(|| match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    format!("broken or looping symlink {}", path.display())
                }
                _ => format!("cannot resolve {}", path.display()),
            })?;
        if !real.starts_with(root) {
            bail!(
                "{} points outside the frontend directory (to {})",
                path.display(),
                real.display()
            );
        }
        let meta =
            std::fs::metadata(&real).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            walk(root, &real, &relative, found, left_out, visited)?;
        } else if meta.is_file() {
            found.push(Found {
                relative,
                real,
                shown: path,
                len: meta.len(),
            });
        } else {
            bail!("{} is neither a file nor a directory", path.display());
        }
    }
    Ok(())
}

/// Whether `bytes` hold a minisign secret key, whatever the file is called:
/// a line that is the base64 of a secret key box (signature algorithm `Ed`,
/// checksum algorithm `B2`, 158 bytes, encrypted or not).
fn is_minisign_secret_key(bytes: &[u8]) -> bool {
    use base64::Engine;
    // Key files are a few hundred bytes; anything large is something else.
    if bytes.len() > 64 * 1024 {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    text.lines().any(|line| {
        base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .is_ok_and(|blob| blob.len() == 158 && blob.starts_with(b"Ed") && &blob[4..6] == b"B2")
    })
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("millennium-collect-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Regression (security review): the build packed minisign secret keys,
    /// served to any page at `millennium://localhost/<name>`.
    #[test]
    fn minisign_secret_keys_are_refused_whatever_their_name() {
        let encrypted =
            minisign::KeyPair::generate_encrypted_keypair(Some("pw".to_owned())).unwrap();
        let plain = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        for (tag, keypair) in [("encrypted", &encrypted), ("plain", &plain)] {
            let secret = keypair.sk.to_box(Some("anything")).unwrap().into_string();
            assert!(is_minisign_secret_key(secret.as_bytes()), "{tag}");
            // Without its comment line, or with CRLF, it is still a key.
            let bare = secret.lines().nth(1).unwrap().to_owned();
            assert!(is_minisign_secret_key(bare.as_bytes()), "{tag} bare");
            assert!(
                is_minisign_secret_key(secret.replace('\n', "\r\n").as_bytes()),
                "{tag} crlf"
            );
            let public = keypair.pk.to_box().unwrap().into_string();
            assert!(
                !is_minisign_secret_key(public.as_bytes()),
                "{tag} public key"
            );
            let dir = scratch(tag);
            std::fs::create_dir_all(dir.join("img")).unwrap();
            std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
            std::fs::write(dir.join("img/logo.png"), secret.as_bytes()).unwrap();
            let error = collect(&dir).unwrap_err().to_string();
            assert!(
                error.contains("logo.png is a minisign secret key"),
                "{error}"
            );
            std::fs::remove_dir_all(dir).unwrap();
        }
        for harmless in [
            &b"untrusted comment: hello\nRWQ=\n"[..],
            b"",
            b"\xff\xfe",
            b"<html></html>",
        ] {
            assert!(!is_minisign_secret_key(harmless));
        }
    }

    /// Regression (security review): the build packed `.git`, served to any page.
    #[test]
    fn version_control_directories_are_left_out_and_named() {
        let dir = scratch("vcs");
        std::fs::create_dir_all(dir.join(".git/objects")).unwrap();
        std::fs::write(dir.join(".git/config"), "[core]").unwrap();
        std::fs::create_dir_all(dir.join("sub/.hg")).unwrap();
        std::fs::write(dir.join("sub/.hg/hgrc"), "").unwrap();
        std::fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join(".well-known"), "kept").unwrap();
        std::fs::write(
            dir.join("sub/.git"),
            "a file named .git is not a repository",
        )
        .unwrap();
        let collected = collect(&dir).unwrap();
        let paths: Vec<&str> = collected.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".well-known", "index.html", "sub/.git"]);
        assert_eq!(collected.left_out, [".git", "sub/.hg"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn name_of(name: &str, identifier: &str) -> String {
        let dir = std::env::temp_dir().join(format!("millennium-name-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/index.html"), "").unwrap();
        let text = format!("[app]\nname = {name:?}\nidentifier = {identifier:?}\n");
        executable_name(&millennium_config::load_str(&text, &dir).unwrap().app)
    }

    #[test]
    fn warns_only_for_an_active_updater_that_does_not_trust_the_key() {
        let mut updater = millennium_config::model::UpdaterConfig::default();
        assert_eq!(
            untrusted_key_warning(&updater, "RWQkey"),
            None,
            "inactive updater"
        );
        updater.active = true;
        updater.pubkeys = vec!["RWQother".into()];
        assert!(
            untrusted_key_warning(&updater, "RWQkey")
                .unwrap()
                .contains("RWQkey")
        );
        updater.pubkeys.push(" RWQkey ".into());
        assert_eq!(untrusted_key_warning(&updater, "RWQkey"), None);
    }

    #[test]
    fn the_bar_is_drawn_only_on_a_terminal_for_a_large_frontend() {
        // Piped or captured: never, however large.
        assert!(!draws_progress(false, 100_000, 10 << 30));
        // A small frontend on a terminal: no bar flashing for a moment.
        assert!(!draws_progress(true, 0, 0));
        assert!(!draws_progress(
            true,
            PROGRESS_MIN_FILES - 1,
            PROGRESS_MIN_BYTES - 1
        ));
        // Many files, or many bytes, on a terminal.
        assert!(draws_progress(true, PROGRESS_MIN_FILES, 0));
        assert!(draws_progress(true, 1, PROGRESS_MIN_BYTES));
    }

    /// Reading after walking keeps what collecting did: every file, sorted,
    /// with its MIME type, and the secret-key refusal.
    #[test]
    fn collecting_many_files_keeps_their_bytes_and_order() {
        let dir = scratch("many");
        for n in 0..PROGRESS_MIN_FILES + 10 {
            let sub = dir.join(format!("d{}", n % 7));
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(sub.join(format!("f{n}.js")), format!("// {n}")).unwrap();
        }
        let collected = collect(&dir).unwrap();
        assert_eq!(collected.files.len(), PROGRESS_MIN_FILES + 10);
        assert!(collected.files.windows(2).all(|w| w[0].path < w[1].path));
        let one = collected
            .files
            .iter()
            .find(|f| f.path == "d3/f10.js")
            .unwrap();
        assert_eq!(one.bytes, b"// 10");
        assert!(one.mime.contains("javascript"), "{}", one.mime);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn executable_names() {
        assert_eq!(name_of("Notes", "com.example.notes"), "notes");
        assert_eq!(
            name_of("My  Great App!", "com.example.great"),
            "my-great-app"
        );
        assert_eq!(
            name_of("Ünïcode ✓", "com.example.unicode-app"),
            "unicode-app"
        );
        assert_eq!(name_of("✓", "com.example.check"), "app");
    }
}
