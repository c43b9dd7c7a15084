//! `millennium build --deb`: a Debian binary package, written without dpkg.
//!
//! Package format: an `ar` archive ([`ar`]) of `debian-binary` (`2.0\n`),
//! `control.tar.gz` (`control` and `md5sums`, see [`control`]) and
//! `data.tar.gz` ([`tarball`]) holding
//!
//! - `usr/bin/<executable>` (0755), the packaged app;
//! - `usr/share/applications/<identifier>.desktop` ([`desktop`]), with
//!   `MimeType=` for `[bundle] url-schemes` and `file-associations`;
//! - `usr/share/mime/packages/<identifier>.xml` for the file types given a
//!   `description` (new types);
//! - `usr/share/icons/hicolor/<N>x<N>/apps/<identifier>.png` with `[bundle] icon`;
//! - `usr/share/doc/<package>/copyright`, from `[bundle]`, and `changelog.gz`.
//!
//! Output is deterministic: every timestamp is `SOURCE_DATE_EPOCH` (or 0),
//! owners are root, entries are sorted and gzip headers carry no time.

pub mod ar;
pub mod changelog;
pub mod control;
pub mod desktop;
pub mod tarball;

use std::io::Read;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};
use millennium_config::LoadedConfig;

use tarball::{Contents, FileEntry};

/// Why a package could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DebError {
    /// Neither `[bundle.deb] maintainer` nor `[bundle] publisher` is set.
    #[error(
        "a Debian package needs a maintainer: set `[bundle.deb] maintainer = \"Name <email>\"` \
         (or `[bundle] publisher`) in millennium.toml"
    )]
    NoMaintainer,
    /// The executable name is not a valid package name.
    #[error(
        "`{0}` is not a valid Debian package name (two or more of a-z, 0-9, `+`, `-`, `.`, \
         starting with a letter or digit); choose a longer `[app] name`"
    )]
    PackageName(String),
    /// The host is not an ELF binary for a supported architecture.
    #[error("{}: {reason}", path.display())]
    Architecture {
        /// The executable.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `[bundle] icon` cannot give the package its icons.
    #[error(transparent)]
    Icon(#[from] crate::icon::IconError),
    /// A one-line control field contains a line break.
    #[error("the Debian `{0}` field must be a single line")]
    MultilineField(&'static str),
    /// `SOURCE_DATE_EPOCH` is not a number of seconds.
    #[error("SOURCE_DATE_EPOCH must be a whole number of seconds, not {0:?}")]
    SourceDateEpoch(String),
    /// A path does not fit a tar header.
    #[error("path too long for the package: {0}")]
    PathTooLong(String),
    /// Reading an input failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing an archive member failed.
    #[error("cannot archive {path}: {source}")]
    Archive {
        /// The entry.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// A package, ready to be written.
pub struct DebPackage {
    /// `<package>_<version>_<arch>.deb`.
    pub file_name: String,
    /// The whole `.deb`.
    pub bytes: Vec<u8>,
}

/// The timestamp of every entry: `SOURCE_DATE_EPOCH` when set, else 0.
pub fn source_date_epoch() -> Result<u64, DebError> {
    Ok(source_date_epoch_if_set()?.unwrap_or(0))
}

/// `SOURCE_DATE_EPOCH`, when set; an error when it is not whole seconds.
pub fn source_date_epoch_if_set() -> Result<Option<u64>, DebError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| DebError::SourceDateEpoch(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(value)) => Err(DebError::SourceDateEpoch(
            value.to_string_lossy().into_owned(),
        )),
    }
}

/// Packages `executable` (named `package` in `/usr/bin`) for the app in
/// `loaded`.
pub fn package(
    loaded: &LoadedConfig,
    executable: &Path,
    package: &str,
    mtime: u64,
) -> Result<DebPackage, DebError> {
    let app = &loaded.config.app;
    let bundle = &loaded.config.bundle;
    let maintainer = preflight(loaded, package)?;
    let architecture = architecture(executable)?;
    let version = control::debian_version(&app.version);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| DebError::Io { path, source }
    };
    let mut files = installed_files(loaded, executable, package)?;
    files.push(FileEntry {
        path: format!("usr/share/doc/{package}/copyright"),
        mode: 0o644,
        contents: Contents::Bytes(copyright(loaded, maintainer).into_bytes()),
    });
    let changelog = changelog::changelog(package, &version, maintainer, mtime);
    files.push(FileEntry {
        path: format!("usr/share/doc/{package}/changelog.gz"),
        mode: 0o644,
        contents: Contents::Bytes(changelog::changelog_gz(&changelog)?),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let mut md5sums = String::new();
    let mut installed_kib = 0;
    for file in &files {
        let digest = match &file.contents {
            Contents::Bytes(bytes) => Md5::digest(bytes),
            Contents::File(path, _) => md5_file(path).map_err(io(path))?,
        };
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        md5sums.push_str(&format!("{hex}  {}\n", file.path));
        installed_kib += file.contents.byte_len().div_ceil(1024);
    }

    // The tray opens libappindicator at run time, so nothing links it:
    // the package names it.
    let mut depends = bundle.deb.depends.clone();
    if loaded.config.tray.is_some() {
        depends.push(control::TRAY_DEPENDS.to_owned());
    }
    let synopsis = app.description.as_deref().unwrap_or(&app.name);
    let description = control::description(synopsis, bundle.long_description.as_deref());
    let control = control::Control {
        package,
        version: &version,
        architecture,
        maintainer,
        installed_kib,
        depends: &depends,
        section: &bundle.deb.section,
        priority: bundle.deb.priority,
        homepage: bundle.homepage.as_deref(),
        description: &description,
    }
    .render()?;
    let control_tar = tarball::tar_gz(
        &[
            FileEntry {
                path: "control".to_owned(),
                mode: 0o644,
                contents: Contents::Bytes(control.into_bytes()),
            },
            FileEntry {
                path: "md5sums".to_owned(),
                mode: 0o644,
                contents: Contents::Bytes(md5sums.into_bytes()),
            },
        ],
        mtime,
    )?;
    let data_tar = tarball::tar_gz(&files, mtime)?;
    let mut bytes = Vec::with_capacity(data_tar.len() + control_tar.len() + 256);
    ar::write(
        &[
            ar::Member {
                name: "debian-binary",
                data: b"2.0\n",
            },
            ar::Member {
                name: "control.tar.gz",
                data: &control_tar,
            },
            ar::Member {
                name: "data.tar.gz",
                data: &data_tar,
            },
        ],
        mtime,
        &mut bytes,
    );
    Ok(DebPackage {
        file_name: format!("{package}_{version}_{architecture}.deb"),
        bytes,
    })
}

/// What every Linux package of the app installs, whatever its format (the
/// `.deb` adds Debian's `copyright` and `changelog.gz`; the `.rpm` keeps
/// those in its header): the executable, the hicolor icon, the desktop
/// entry and the shared-mime-info package. Paths have no leading `/`.
pub fn installed_files(
    loaded: &LoadedConfig,
    executable: &Path,
    package: &str,
) -> Result<Vec<FileEntry>, DebError> {
    let app = &loaded.config.app;
    let bundle = &loaded.config.bundle;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| DebError::Io { path, source }
    };
    let exe_len = std::fs::metadata(executable).map_err(io(executable))?.len();

    let mut files = vec![FileEntry {
        path: format!("usr/bin/{package}"),
        mode: 0o755,
        contents: Contents::File(executable.to_owned(), exe_len),
    }];
    let mut has_icon = false;
    if let Some(icon) = &bundle.icon {
        let path = loaded.base_dir.join(icon);
        let loaded_icon = crate::icon::load(&path)?;
        for side in loaded_icon.sizes() {
            files.push(FileEntry {
                path: format!(
                    "usr/share/icons/hicolor/{side}x{side}/apps/{}.png",
                    app.identifier
                ),
                mode: 0o644,
                contents: Contents::Bytes(loaded_icon.png(side)),
            });
        }
        // An SVG is installed as it is too (not an SVGZ: hicolor wants
        // plain `.svg`), for the sizes in between.
        if let crate::icon::Source::Svg(_) = loaded_icon.source {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            if !bytes.starts_with(&[0x1f, 0x8b]) {
                files.push(FileEntry {
                    path: format!(
                        "usr/share/icons/hicolor/scalable/apps/{}.svg",
                        app.identifier
                    ),
                    mode: 0o644,
                    contents: Contents::Bytes(bytes),
                });
            }
        }
        has_icon = true;
    }
    files.push(FileEntry {
        path: format!("usr/share/applications/{}.desktop", app.identifier),
        mode: 0o644,
        contents: Contents::Bytes(
            desktop::desktop_entry(app, bundle, package, has_icon).into_bytes(),
        ),
    });
    if let Some(xml) = desktop::mime_package(bundle) {
        files.push(FileEntry {
            path: format!("usr/share/mime/packages/{}.xml", app.identifier),
            mode: 0o644,
            contents: Contents::Bytes(xml.into_bytes()),
        });
    }
    Ok(files)
}

/// Checks what can be checked before anything is built (package name,
/// maintainer, icon), so a bad `--deb` leaves no executable behind either.
/// Returns the maintainer.
pub fn preflight<'a>(loaded: &'a LoadedConfig, package: &str) -> Result<&'a str, DebError> {
    if !valid_package_name(package) {
        return Err(DebError::PackageName(package.to_owned()));
    }
    installed_files_preflight(loaded)?;
    let bundle = &loaded.config.bundle;
    bundle
        .deb
        .maintainer
        .as_deref()
        .or(bundle.publisher.as_deref())
        .filter(|m| !m.trim().is_empty())
        .ok_or(DebError::NoMaintainer)
}

/// Checks what [`installed_files`] would refuse that can be checked before
/// the executable is built (the icon).
pub fn installed_files_preflight(loaded: &LoadedConfig) -> Result<(), DebError> {
    if let Some(icon) = &loaded.config.bundle.icon {
        let path = loaded.base_dir.join(icon);
        crate::icon::load(&path)?;
    }
    Ok(())
}

/// Debian policy 5.6.1: at least two characters of `[a-z0-9+.-]`, starting
/// with an alphanumeric.
fn valid_package_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
}

/// `amd64` or `arm64`, from the ELF header's `e_machine`: the architecture
/// of the binary being packaged, not of the machine packaging it.
pub fn architecture(executable: &Path) -> Result<&'static str, DebError> {
    let mut header = [0u8; 20];
    std::fs::File::open(executable)
        .and_then(|mut file| file.read_exact(&mut header))
        .map_err(|source| DebError::Io {
            path: executable.to_owned(),
            source,
        })?;
    let fail = |reason: String| DebError::Architecture {
        path: executable.to_owned(),
        reason,
    };
    if &header[..4] != b"\x7fELF" {
        return Err(fail("not an ELF executable".to_owned()));
    }
    let machine = match header[5] {
        1 => u16::from_le_bytes([header[18], header[19]]),
        2 => u16::from_be_bytes([header[18], header[19]]),
        other => return Err(fail(format!("unknown ELF byte order {other}"))),
    };
    match machine {
        0x3e => Ok("amd64"),
        0xb7 => Ok("arm64"),
        other => Err(fail(format!(
            "ELF machine {other:#x} is not supported by --deb (amd64 or arm64)"
        ))),
    }
}

fn md5_file(path: &Path) -> std::io::Result<md5::digest::Output<Md5>> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hasher.finalize());
        }
        hasher.update(&buffer[..n]);
    }
}

/// `/usr/share/doc/<package>/copyright` in the machine-readable format.
fn copyright(loaded: &LoadedConfig, maintainer: &str) -> String {
    let app = &loaded.config.app;
    let bundle = &loaded.config.bundle;
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let holder = bundle
        .copyright
        .as_deref()
        .or(bundle.publisher.as_deref())
        .unwrap_or(maintainer);
    let mut text = String::from(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
    );
    text.push_str(&format!("Upstream-Name: {}\n", one_line(&app.name)));
    if let Some(homepage) = &bundle.homepage {
        text.push_str(&format!("Source: {}\n", one_line(homepage)));
    }
    text.push_str(&format!(
        "\nFiles: *\nCopyright: {}\nLicense: {}\n",
        one_line(holder),
        bundle
            .license
            .as_deref()
            .map(one_line)
            .unwrap_or_else(|| "UNKNOWN\n No licence is declared in [bundle] license.".to_owned())
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert!(valid_package_name("notes"));
        assert!(valid_package_name("my-notes2"));
        assert!(!valid_package_name("x"));
        assert!(!valid_package_name("-x"));
        assert!(!valid_package_name("Notes"));
    }
}
