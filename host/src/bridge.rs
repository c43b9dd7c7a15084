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
    /// The remote grants of this window only.
    pub remote: Vec<RemotePage<'a>>,
}

/// A remote grant as the script of one window knows it.
#[derive(Debug, Clone)]
pub struct RemotePage<'a> {
    /// Host name, lower-case.
    pub domain: &'a str,
    /// Plain `http` is accepted too (loopback domains).
    pub allow_http: bool,
    /// The grant's key (never the app's).
    pub key: &'a str,
    /// Full `window.Millennium` rather than `window.__MILLENNIUM_IPC__`.
    pub api: bool,
}

/// The script for one window. Values are inserted as JSON literals, so no
/// label or key can break out of its string.
pub fn script(params: &BridgeParams<'_>) -> String {
    let remote: Vec<_> = params
        .remote
        .iter()
        .map(|page| {
            let schemes = if page.allow_http {
                vec!["https:", "http:"]
            } else {
                vec!["https:"]
            };
            json!({"domain": page.domain, "schemes": schemes, "key": page.key, "api": page.api})
        })
        .collect();
    TEMPLATE
        .replace("__ORIGIN__", &json!(APP_ORIGIN).to_string())
        .replace("__REMOTE__", &json!(remote).to_string())
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
            remote: Vec::new(),
        });
        assert!(!s.contains("__ORIGIN__") && !s.contains("__KEY__"));
        assert!(!s.contains("__LABEL__") && !s.contains("__FREEZE_PROTOTYPE__"));
        assert!(!s.contains("__REMOTE__"));
        assert!(s.contains(r#"KEY = "k\"ey";"#));
        assert!(s.contains(r#"var ORIGIN = "millennium://localhost";"#));
        assert!(s.contains(".filter(function (g) {"));
        assert!(s.contains("[].filter("), "no grants for this window");
        // The origin check comes before the key is assigned.
        assert!(s.find("location.origin").unwrap() < s.find(r#"KEY = "k"#).unwrap());
    }

    #[test]
    fn remote_grants_carry_their_own_key_and_schemes() {
        let s = script(&BridgeParams {
            key: "appkey",
            label: "main",
            callback: "__cb",
            freeze_prototype: false,
            remote: vec![RemotePage {
                domain: "127.0.0.1",
                allow_http: true,
                key: "remotekey",
                api: false,
            }],
        });
        assert!(s.contains(
            r#"[{"api":false,"domain":"127.0.0.1","key":"remotekey","schemes":["https:","http:"]}].filter("#
        ));
        assert_eq!(s.matches("appkey").count(), 1);
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
            "setCursorIcon",
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
            "readTextFile",
            "readBinaryFile",
            "writeTextFile",
            "writeBinaryFile",
            "readDir",
            "createDir",
            "removeDir",
            "removeFile",
            "renameFile",
            "copyFile",
            "exists",
            "BaseDirectory",
            "readText",
            "writeText",
            "sendNotification",
            "isPermissionGranted",
            "requestPermission",
            "open",
            "save",
            "message",
            "ask",
            "confirm",
            "Command",
            "execute",
            "spawn",
            "getClient",
            "fetch",
            "ResponseType",
            "checkUpdate",
            "installUpdate",
            "onUpdaterEvent",
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
        assert!(dts.contains("readonly fs:"));
        assert!(TEMPLATE.contains("fs: Object.freeze(fs)"));
        for namespace in [
            "clipboard",
            "notification",
            "dialog",
            "shell",
            "http",
            "updater",
        ] {
            assert!(dts.contains(&format!("readonly {namespace}:")));
            assert!(
                TEMPLATE.contains(&format!("{namespace}: Object.freeze({namespace})")),
                "bridge lacks {namespace}"
            );
        }
    }
}
