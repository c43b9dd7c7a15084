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
    entry.push_str(&format!("Exec={executable}\n"));
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
