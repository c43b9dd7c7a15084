//! The `control` file: field values in Debian's syntax (versions,
//! multi-line descriptions) and the file itself.

use millennium_config::model::DebPriority;

use super::DebError;

/// The runtime packages `millennium-host` links against (WebKitGTK 4.1,
/// GTK 3 and the C library); every package depends on them.
pub const RUNTIME_DEPENDS: &[&str] = &["libwebkit2gtk-4.1-0", "libgtk-3-0", "libc6"];

/// What an app with a `[tray]` needs besides: the status-notifier library
/// tray-icon opens at run time.
pub const TRAY_DEPENDS: &str = "libayatana-appindicator3-1 | libappindicator3-1";

/// A semantic version in Debian's ordering: the prerelease separator `-`
/// becomes `~` (so `1.0.0~rc.1` sorts before `1.0.0`, as in semver), and
/// hyphens inside identifiers become `.` because a `-` would start a Debian
/// revision. Build metadata stays after `+`.
pub fn debian_version(semver: &str) -> String {
    let (main, build) = match semver.split_once('+') {
        Some((main, build)) => (main, Some(build)),
        None => (semver, None),
    };
    let mut version = match main.split_once('-') {
        Some((core, pre)) => format!("{core}~{}", pre.replace('-', ".")),
        None => main.to_owned(),
    };
    if let Some(build) = build {
        version.push('+');
        version.push_str(&build.replace('-', "."));
    }
    version
}

/// The `Description` value: the synopsis (whitespace collapsed to one line),
/// then the extended description, one continuation line per line of text:
/// each starts with a space, an empty line is ` .`, runs of empty lines
/// collapse, tabs become spaces, and a line starting with `.` gets a second
/// space (a lone ` .` would be read as a blank line).
pub fn description(synopsis: &str, long: Option<&str>) -> String {
    let mut value = synopsis.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(long) = long else {
        return value;
    };
    let lines: Vec<String> = long
        .lines()
        .map(|line| line.replace('\t', "    ").trim_end().to_owned())
        .collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return value;
    };
    let mut previous_blank = false;
    for line in &lines[first..=last] {
        if line.is_empty() {
            if !previous_blank {
                value.push_str("\n .");
            }
            previous_blank = true;
            continue;
        }
        previous_blank = false;
        value.push_str(if line.starts_with('.') { "\n  " } else { "\n " });
        value.push_str(line);
    }
    value
}

/// The fields of a binary package's `control` file.
pub struct Control<'a> {
    /// `Package`.
    pub package: &'a str,
    /// `Version`, already converted.
    pub version: &'a str,
    /// `Architecture`: `amd64` or `arm64`.
    pub architecture: &'a str,
    /// `Maintainer`.
    pub maintainer: &'a str,
    /// `Installed-Size` in KiB.
    pub installed_kib: u64,
    /// Extra `Depends` entries (the runtime is added).
    pub depends: &'a [String],
    /// `Section`.
    pub section: &'a str,
    /// `Priority`.
    pub priority: DebPriority,
    /// `Homepage`, if any.
    pub homepage: Option<&'a str>,
    /// `Description`, formatted by [`description`].
    pub description: &'a str,
}

impl Control<'_> {
    /// The file's text. One-line fields must be one line: a newline there
    /// would inject fields.
    pub fn render(&self) -> Result<String, DebError> {
        let depends: Vec<&str> = RUNTIME_DEPENDS
            .iter()
            .copied()
            .chain(self.depends.iter().map(|d| d.trim()))
            .collect();
        let depends = depends.join(", ");
        let priority = match self.priority {
            DebPriority::Required => "required",
            DebPriority::Important => "important",
            DebPriority::Standard => "standard",
            DebPriority::Optional => "optional",
        };
        let installed = self.installed_kib.to_string();
        let mut fields = vec![
            ("Package", self.package),
            ("Version", self.version),
            ("Architecture", self.architecture),
            ("Maintainer", self.maintainer),
            ("Installed-Size", installed.as_str()),
            ("Depends", depends.as_str()),
            ("Section", self.section),
            ("Priority", priority),
        ];
        if let Some(homepage) = self.homepage {
            fields.push(("Homepage", homepage));
        }
        let mut text = String::new();
        for (name, value) in fields {
            let value = value.trim();
            if value.contains(['\n', '\r']) {
                return Err(DebError::MultilineField(name));
            }
            text.push_str(&format!("{name}: {value}\n"));
        }
        text.push_str(&format!("Description: {}\n", self.description));
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_debian_ordering() {
        assert_eq!(debian_version("1.2.3"), "1.2.3");
        assert_eq!(debian_version("1.0.0-rc.1"), "1.0.0~rc.1");
        assert_eq!(debian_version("0.3.1-beta-2"), "0.3.1~beta.2");
        assert_eq!(debian_version("1.0.0+build.5"), "1.0.0+build.5");
        assert_eq!(debian_version("1.0.0-alpha+sha-abc"), "1.0.0~alpha+sha.abc");
    }

    #[test]
    fn description_follows_debian_rules() {
        assert_eq!(description("Notes  app\n", None), "Notes app");
        let long = "\n\nFirst line.\n\tIndented\n\n\n.dotted\nlast   \n\n";
        assert_eq!(
            description("Notes", Some(long)),
            "Notes\n First line.\n     Indented\n .\n  .dotted\n last"
        );
        assert_eq!(description("Notes", Some("  \n\n")), "Notes");
    }

    fn control(maintainer: &str) -> Control<'_> {
        Control {
            package: "demo",
            version: "1.0.0~rc.1",
            architecture: "amd64",
            maintainer,
            installed_kib: 12,
            depends: &[],
            section: "utils",
            priority: DebPriority::Optional,
            homepage: Some("https://example.com"),
            description: "Demo\n More.",
        }
    }

    #[test]
    fn control_lists_fields_and_runtime_depends() {
        let depends = vec!["libnotify4 (>= 0.7)".to_owned()];
        let control = Control {
            depends: &depends,
            ..control("A <a@example.com>")
        };
        assert_eq!(
            control.render().unwrap(),
            "Package: demo\nVersion: 1.0.0~rc.1\nArchitecture: amd64\n\
             Maintainer: A <a@example.com>\nInstalled-Size: 12\n\
             Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libc6, libnotify4 (>= 0.7)\n\
             Section: utils\nPriority: optional\nHomepage: https://example.com\n\
             Description: Demo\n More.\n"
        );
    }

    #[test]
    fn a_newline_cannot_inject_fields() {
        assert!(matches!(
            control("A\nEssential: yes").render(),
            Err(DebError::MultilineField("Maintainer"))
        ));
    }
}
