//! `millennium build --rpm`: an RPM package for Fedora and its relatives,
//! written with the `rpm` crate (no rpmbuild).
//!
//! It installs exactly what the `.deb` installs ([`crate::deb::installed_files`]:
//! the executable in `/usr/bin`, the desktop entry, the hicolor icons, the
//! shared-mime-info package); the licence, the changelog and the
//! descriptions live in the header. `Requires` names Fedora's packages for
//! what the host links (WebKitGTK 4.1, GTK 3, glibc), the tray library when
//! the app has a `[tray]`, and `[bundle.rpm] depends`. With
//! `SOURCE_DATE_EPOCH` the build time, every file time and the changelog
//! date are that time, and the same inputs give the same bytes.

use std::path::Path;

use millennium_config::LoadedConfig;
use millennium_config::model::{DesktopCategory, RpmDependency};
use rpm::{BuildConfig, CompressionType, Dependency, FileOptions, PackageBuilder};

use crate::deb::DebError;
use crate::deb::tarball::Contents;

/// The packages `millennium-host` links against, by Fedora's names.
pub const RUNTIME_REQUIRES: &[&str] = &["webkit2gtk4.1", "gtk3", "glibc"];

/// What an app with a `[tray]` needs besides: the status-notifier library
/// tray-icon opens at run time, by the soname its package provides (so
/// any package that provides it will do, as RPM expects of libraries).
pub const TRAY_REQUIRES: &str = "libayatana-appindicator3.so.1()(64bit)";

/// The RPM `Group` for the app's first desktop category that has one.
/// Fedora no longer uses groups, but other RPM distributions and rpmlint
/// still want one.
fn group(categories: &[DesktopCategory]) -> &'static str {
    categories
        .iter()
        .find_map(|category| match category {
            DesktopCategory::AudioVideo
            | DesktopCategory::Audio
            | DesktopCategory::Video
            | DesktopCategory::Graphics => Some("Applications/Multimedia"),
            DesktopCategory::Development => Some("Development/Tools"),
            DesktopCategory::Education | DesktopCategory::Science => {
                Some("Applications/Engineering")
            }
            DesktopCategory::Game => Some("Amusements/Games"),
            DesktopCategory::Network => Some("Applications/Internet"),
            DesktopCategory::Settings | DesktopCategory::System => Some("Applications/System"),
            DesktopCategory::Office => Some("Applications/Productivity"),
            DesktopCategory::Utility => None,
        })
        .unwrap_or("Applications/Productivity")
}

/// Why an RPM could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RpmError {
    /// What the `.deb` would have refused too (icon, architecture, files).
    #[error(transparent)]
    Contents(#[from] DebError),
    /// The `rpm` crate refused the package.
    #[error("cannot assemble the RPM: {0}")]
    Rpm(#[from] rpm::Error),
    /// A header value that must be one line is not.
    #[error("the RPM `{0}` must be a single line")]
    MultilineField(&'static str),
}

/// A package, ready to be written.
pub struct RpmPackage {
    /// `<name>-<version>-<release>.<arch>.rpm`.
    pub file_name: String,
    /// The whole `.rpm`.
    pub bytes: Vec<u8>,
}

/// A semantic version as RPM orders it: `-` may not appear in `Version`,
/// so a prerelease starts with `~` (which sorts before the release, as in
/// semver) and hyphens inside it become `.`; build metadata, which semver
/// ignores for ordering, follows `+`.
pub fn rpm_version(semver: &str) -> String {
    // The Debian rule is the same rule.
    crate::deb::control::debian_version(semver)
}

/// `x86_64` or `aarch64`, from the executable's ELF header.
fn rpm_architecture(executable: &Path) -> Result<&'static str, DebError> {
    Ok(match crate::deb::architecture(executable)? {
        "amd64" => "x86_64",
        _ => "aarch64",
    })
}

/// `Summary`: one line, without the trailing period RPM style frowns on.
fn summary(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.trim_end_matches('.').to_owned()
}

/// `%description`: the long description as written, lines kept to 79
/// columns by rewrapping paragraphs; the summary when there is none.
fn description(summary: &str, long: Option<&str>) -> String {
    let Some(long) = long.map(str::trim).filter(|l| !l.is_empty()) else {
        return format!("{summary}.");
    };
    let mut out = Vec::new();
    for paragraph in long.split("\n\n") {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > 79 {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            out.push(line);
        }
        out.push(String::new());
    }
    out.pop();
    out.join("\n")
}

/// `name`, `name >= 1.2`: the config's syntax (checked by the schema) as a
/// dependency.
fn dependency(dep: &RpmDependency) -> Dependency {
    let mut parts = dep.0.splitn(3, ' ');
    let name = parts.next().unwrap_or_default();
    match (parts.next(), parts.next()) {
        (Some("<"), Some(v)) => Dependency::less(name, v),
        (Some("<="), Some(v)) => Dependency::less_eq(name, v),
        (Some("="), Some(v)) => Dependency::eq(name, v),
        (Some(">="), Some(v)) => Dependency::greater_eq(name, v),
        (Some(">"), Some(v)) => Dependency::greater(name, v),
        _ => Dependency::any(name),
    }
}

fn one_line(field: &'static str, value: &str) -> Result<String, RpmError> {
    if value.contains(['\n', '\r']) {
        return Err(RpmError::MultilineField(field));
    }
    Ok(value.trim().to_owned())
}

/// Packages `executable` (named `package` in `/usr/bin`) for the app in
/// `loaded`. `epoch` is `SOURCE_DATE_EPOCH`; without it the package is
/// dated now.
pub fn package(
    loaded: &LoadedConfig,
    executable: &Path,
    package: &str,
    epoch: Option<u64>,
) -> Result<RpmPackage, RpmError> {
    let app = &loaded.config.app;
    let bundle = &loaded.config.bundle;
    let arch = rpm_architecture(executable)?;
    let version = rpm_version(&app.version);
    let release = &bundle.rpm.release;
    let summary = summary(app.description.as_deref().unwrap_or(&app.name));
    let license = match &bundle.license {
        Some(license) => one_line("License", license)?,
        None => "LicenseRef-Unspecified".to_owned(),
    };
    let when = epoch.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let when = u32::try_from(when).unwrap_or(u32::MAX);
    let mut config = BuildConfig::default().compression(CompressionType::Gzip);
    if epoch.is_some() {
        config = config.source_date(when);
    }
    let mut builder = PackageBuilder::new(package, &version, &license, arch, &summary);
    builder
        .using_config(config)
        .release(release.as_str())
        .description(description(&summary, bundle.long_description.as_deref()))
        .group(group(&bundle.categories))
        // The machine's name would make two builds of the same inputs differ.
        .build_host("localhost");
    if let Some(homepage) = &bundle.homepage {
        builder.url(one_line("URL", homepage)?);
    }
    if let Some(publisher) = &bundle.publisher {
        builder.vendor(one_line("Vendor", publisher)?);
    }
    let packager = bundle.deb.maintainer.as_ref().or(bundle.publisher.as_ref());
    if let Some(packager) = packager {
        builder.packager(one_line("Packager", packager)?);
    }
    builder.add_changelog_entry(
        format!(
            "{} - {version}-{release}",
            one_line(
                "Packager",
                packager.map_or(app.name.as_str(), String::as_str)
            )?
        ),
        format!("- {} {}", app.name, app.version),
        when,
    );
    for name in RUNTIME_REQUIRES {
        builder.requires(Dependency::any(*name));
    }
    if loaded.config.tray.is_some() {
        builder.requires(Dependency::any(TRAY_REQUIRES));
    }
    for dep in &bundle.rpm.depends {
        builder.requires(dependency(dep));
    }
    for file in crate::deb::installed_files(loaded, executable, package)? {
        let options = FileOptions::new(format!("/{}", file.path)).permissions(file.mode as u16);
        match file.contents {
            Contents::File(path, _) => builder.with_file(&path, options)?,
            Contents::Bytes(bytes) => builder.with_file_contents(bytes, options)?,
        };
    }
    let built = builder.build()?;
    let mut bytes = Vec::new();
    built.write(&mut bytes)?;
    Ok(RpmPackage {
        file_name: format!("{package}-{version}-{release}.{arch}.rpm"),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_keep_semver_order_without_a_hyphen() {
        assert_eq!(rpm_version("1.2.3"), "1.2.3");
        assert_eq!(rpm_version("1.0.0-rc.1"), "1.0.0~rc.1");
        assert_eq!(rpm_version("1.0.0-beta-2+build-5"), "1.0.0~beta.2+build.5");
    }

    #[test]
    fn summary_is_one_line_without_a_period() {
        assert_eq!(summary("Keeps  notes.\n"), "Keeps notes");
    }

    #[test]
    fn description_rewraps_long_lines_and_keeps_paragraphs() {
        let long = format!("{}\n\nsecond", "word ".repeat(30));
        let text = description("S", Some(&long));
        assert!(text.lines().all(|l| l.len() <= 79), "{text}");
        assert!(text.ends_with("\n\nsecond"), "{text}");
        assert_eq!(description("Keeps notes", None), "Keeps notes.");
    }

    #[test]
    fn group_comes_from_the_first_category_that_has_one() {
        use DesktopCategory::*;
        assert_eq!(group(&[Utility, Game]), "Amusements/Games");
        assert_eq!(group(&[Office, Utility]), "Applications/Productivity");
        assert_eq!(group(&[]), "Applications/Productivity");
    }

    #[test]
    fn dependencies_with_and_without_versions() {
        let dep = |s: &str| dependency(&RpmDependency(s.to_owned()));
        assert_eq!(dep("libnotify"), Dependency::any("libnotify"));
        assert_eq!(
            dep("python3 >= 3.9"),
            Dependency::greater_eq("python3", "3.9")
        );
        assert_eq!(dep("foo = 2:1.0-3"), Dependency::eq("foo", "2:1.0-3"));
    }
}
