//! The freedesktop `.desktop` entry that puts the app in menus.

use millennium_config::model::{AppConfig, BundleConfig};

/// The entry for `Exec=<executable>`; `Icon=<identifier>` when the package
/// installs an icon under that name.
pub fn desktop_entry(
    app: &AppConfig,
    bundle: &BundleConfig,
    executable: &str,
    has_icon: bool,
) -> String {
    let mut entry = String::from("[Desktop Entry]\nType=Application\n");
    entry.push_str(&format!("Name={}\n", escape(&app.name)));
    if let Some(comment) = &app.description {
        entry.push_str(&format!("Comment={}\n", escape(comment)));
    }
    // What the app opens: the desktop passes URLs (files as `file://`) to
    // `%U`, which the host sorts into deep links and opened files.
    let mut types: Vec<String> = bundle
        .url_schemes
        .iter()
        .map(|s| format!("x-scheme-handler/{}", s.0))
        .collect();
    for association in &bundle.file_associations {
        if !types.contains(&association.mime_type) {
            types.push(association.mime_type.clone());
        }
    }
    if types.is_empty() {
        entry.push_str(&format!("Exec={executable}\n"));
    } else {
        entry.push_str(&format!("Exec={executable} %U\n"));
        let list: String = types.iter().map(|t| format!("{t};")).collect();
        entry.push_str(&format!("MimeType={list}\n"));
    }
    if has_icon {
        entry.push_str(&format!("Icon={}\n", app.identifier));
    }
    entry.push_str("Terminal=false\n");
    if !bundle.categories.is_empty() {
        let categories: String = bundle
            .categories
            .iter()
            .map(|c| format!("{};", c.as_str()))
            .collect();
        entry.push_str(&format!("Categories={categories}\n"));
    }
    entry
}

/// `usr/share/mime/packages/<identifier>.xml` for shared-mime-info: each
/// file type given a `description` is declared, with its extensions as
/// globs (a type the desktop already knows needs none). `None` when there
/// is nothing to declare.
pub fn mime_package(bundle: &BundleConfig) -> Option<String> {
    let declared: Vec<_> = bundle
        .file_associations
        .iter()
        .filter(|a| a.description.is_some())
        .collect();
    if declared.is_empty() {
        return None;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n",
    );
    for association in declared {
        // The type and extensions are checked patterns; only the comment
        // can hold markup characters.
        xml.push_str(&format!(
            "  <mime-type type=\"{}\">\n",
            association.mime_type
        ));
        if let Some(description) = &association.description {
            xml.push_str(&format!(
                "    <comment>{}</comment>\n",
                xml_text(description)
            ));
        }
        for extension in &association.extensions {
            xml.push_str(&format!("    <glob pattern=\"*.{}\"/>\n", extension.0));
        }
        xml.push_str("  </mime-type>\n");
    }
    xml.push_str("</mime-info>\n");
    Some(xml)
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes a string value: a value is one line, and `\` starts an escape.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use millennium_config::model::DesktopCategory;

    fn app(description: Option<&str>) -> AppConfig {
        let dir = std::env::temp_dir().join(format!("millennium-desktop-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/index.html"), "").unwrap();
        let mut app = millennium_config::load_str(
            "[app]\nname = \"My Notes\"\nidentifier = \"com.example.notes\"\n",
            &dir,
        )
        .unwrap()
        .app;
        app.description = description.map(str::to_owned);
        app
    }

    #[test]
    fn entry_has_the_menu_fields() {
        let bundle = BundleConfig {
            categories: vec![DesktopCategory::Office, DesktopCategory::Utility],
            ..BundleConfig::default()
        };
        assert_eq!(
            desktop_entry(&app(Some("Takes notes\\fast\n")), &bundle, "my-notes", true),
            "[Desktop Entry]\nType=Application\nName=My Notes\n\
             Comment=Takes notes\\\\fast\\n\nExec=my-notes\nIcon=com.example.notes\n\
             Terminal=false\nCategories=Office;Utility;\n"
        );
    }

    #[test]
    fn optional_lines_are_left_out() {
        assert_eq!(
            desktop_entry(&app(None), &BundleConfig::default(), "my-notes", false),
            "[Desktop Entry]\nType=Application\nName=My Notes\nExec=my-notes\nTerminal=false\n"
        );
    }
}
