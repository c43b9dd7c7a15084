//! The `window.Millennium` initialisation script, filled in per window.
//!
//! The script itself checks `location.origin` and stops in any page that is
//! not the app's, so remote pages never see the invoke key; the host also
//! refuses their IPC (see [`crate::protocol`] and [`crate::runtime`]).

use serde_json::json;

use crate::APP_ORIGIN;

const TEMPLATE: &str = include_str!("../js/bridge.js");

/// What the script needs to know.
#[derive(Debug, Clone)]
pub struct BridgeParams<'a> {
    /// The per-run invoke key.
    pub key: &'a str,
    /// The window's label (`getCurrent()`).
    pub label: &'a str,
    /// The global the host calls with replies and events.
    pub callback: &'a str,
    /// `[security] freeze-prototype`.
    pub freeze_prototype: bool,
}

/// The script for one window. Values are inserted as JSON literals, so no
/// label or key can break out of its string.
pub fn script(params: &BridgeParams<'_>) -> String {
    TEMPLATE
        .replace("__ORIGIN__", &json!(APP_ORIGIN).to_string())
        .replace("__KEY__", &json!(params.key).to_string())
        .replace("__LABEL__", &json!(params.label).to_string())
        .replace("__CALLBACK__", &json!(params.callback).to_string())
        .replace(
            "__FREEZE_PROTOTYPE__",
            if params.freeze_prototype {
                "true"
            } else {
                "false"
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_all_replaced_and_values_quoted() {
        let s = script(&BridgeParams {
            key: "k\"ey",
            label: "main",
            callback: "__cb",
            freeze_prototype: true,
        });
        assert!(!s.contains("__ORIGIN__") && !s.contains("__KEY__"));
        assert!(!s.contains("__LABEL__") && !s.contains("__FREEZE_PROTOTYPE__"));
        assert!(s.contains(r#"var KEY = "k\"ey";"#));
        assert!(s.contains(r#"var ORIGIN = "millennium://localhost";"#));
        // The origin check comes before the key is defined.
        assert!(s.find("location.origin").unwrap() < s.find("var KEY").unwrap());
    }

    /// The declaration file authors get must describe what the bridge defines.
    #[test]
    fn declaration_file_covers_the_bridge() {
        let dts = include_str!("../js/millennium.d.ts");
        let names = [
            "getName",
            "getVersion",
            "getMillenniumVersion",
            "exit",
            "relaunch",
            "listen",
            "once",
            "emit",
            "getCurrent",
            "getAll",
            "getByLabel",
            "appWindow",
            "setTitle",
            "setSize",
            "setMinSize",
            "setMaxSize",
            "setPosition",
            "setFullscreen",
            "setFocus",
            "setResizable",
            "setDecorations",
            "setAlwaysOnTop",
            "setSkipTaskbar",
            "center",
            "requestUserAttention",
            "maximize",
            "unmaximize",
            "toggleMaximize",
            "minimize",
            "unminimize",
            "show",
            "hide",
            "close",
            "print",
            "startDragging",
            "innerSize",
            "outerSize",
            "innerPosition",
            "outerPosition",
            "scaleFactor",
            "isFullscreen",
            "isMaximized",
            "isMinimized",
            "isFocused",
            "isDecorated",
            "isResizable",
            "isVisible",
            "theme",
            "onResized",
            "onMoved",
            "onFocusChanged",
            "onThemeChanged",
            "onCloseRequested",
            "platform",
            "version",
            "type",
            "arch",
            "tempdir",
            "locale",
            "appDataDir",
            "appLogDir",
            "homeDir",
            "resourceDir",
            "resolve",
            "normalize",
            "join",
            "dirname",
            "extname",
            "basename",
            "isAbsolute",
            "invoke",
            "invokeBinary",
        ];
        for name in names {
            assert!(TEMPLATE.contains(name), "bridge.js lacks {name}");
            assert!(
                ["(", ":", "<"]
                    .iter()
                    .any(|end| dts.contains(&format!("{name}{end}"))),
                "millennium.d.ts lacks {name}"
            );
        }
        for namespace in [
            "fs",
            "dialog",
            "shell",
            "http",
            "clipboard",
            "notification",
            "updater",
        ] {
            assert!(
                dts.contains(&format!("readonly {namespace}:")),
                "d.ts lacks {namespace}"
            );
            assert!(
                TEMPLATE.contains(&format!("\"{namespace}\"")),
                "bridge lacks {namespace}"
            );
        }
    }
}
