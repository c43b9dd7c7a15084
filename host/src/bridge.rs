//! The `window.Millennium` initialisation script, filled in per window. Its
//! text is joined at compile time from `js/core.js`, each API's
//! `src/api/<namespace>/bridge.js` in registry order, and `js/end.js`.
//!
//! The script itself checks `location.origin` and stops in any page that is
//! not the app's, so remote pages never see the invoke key; the host also
//! refuses their IPC (see [`crate::protocol`] and [`crate::runtime`]).

use serde_json::json;

use crate::APP_ORIGIN;
use crate::ipc::router::BRIDGE_TEMPLATE as TEMPLATE;

/// `millennium.d.ts`, the declarations authors get (`millennium new` writes
/// it into every new app): joined from each API's `api.d.ts`.
pub use crate::ipc::router::DECLARATIONS;

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
    /// Tell the host once the bridge is up (`ipc.ready`): a freshly updated
    /// version is healthy only when its main window's bridge came up.
    pub report_ready: bool,
}

/// A remote grant as the script of one window knows it.
#[derive(Debug, Clone)]
pub struct RemotePage<'a> {
    /// Host name, lower-case.
    pub domain: &'a str,
    /// The grant's port; `None`: the scheme's default.
    pub port: Option<u16>,
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
            json!({"domain": page.domain, "port": page.port, "schemes": schemes, "key": page.key, "api": page.api})
        })
        .collect();
    TEMPLATE
        .replace("__ORIGIN__", &json!(APP_ORIGIN).to_string())
        .replace("__REMOTE__", &json!(remote).to_string())
        .replace("__KEY__", &json!(params.key).to_string())
        .replace("__LABEL__", &json!(params.label).to_string())
        .replace("__CALLBACK__", &json!(params.callback).to_string())
        .replace(
            "__REPORT_READY__",
            if params.report_ready { "true" } else { "false" },
        )
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
            report_ready: false,
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
                port: Some(8080),
                allow_http: true,
                key: "remotekey",
                api: false,
            }],
            report_ready: false,
        });
        assert!(s.contains(
            r#"[{"api":false,"domain":"127.0.0.1","key":"remotekey","port":8080,"schemes":["https:","http:"]}].filter("#
        ));
        assert_eq!(s.matches("appkey").count(), 1);
    }

    /// The declaration file authors get must describe what the bridge
    /// defines: every member each API lists, in its own fragments.
    #[test]
    fn declaration_file_covers_the_bridge() {
        use crate::ipc::router::FRAGMENTS;
        let dts = DECLARATIONS;
        assert_eq!(FRAGMENTS.len(), crate::ipc::router::NAMESPACES.len());
        for fragment in FRAGMENTS {
            let namespace = fragment.namespace;
            for name in fragment.surface.members {
                assert!(
                    fragment.bridge.contains(name),
                    "api/{namespace}/bridge.js lacks {name}"
                );
                assert!(TEMPLATE.contains(name));
                assert!(
                    ["(", ":", "<"]
                        .iter()
                        .any(|end| fragment.declarations.contains(&format!("{name}{end}"))),
                    "api/{namespace}/api.d.ts lacks {name}"
                );
            }
            assert!(
                fragment
                    .declarations
                    .contains(&format!("readonly {namespace}:")),
                "api/{namespace}/api.d.ts does not add `{namespace}` to Api"
            );
            assert!(dts.contains(&format!("readonly {namespace}:")));
            assert!(
                fragment.bridge.contains(&format!("api.{namespace} = ")),
                "api/{namespace}/bridge.js does not set api.{namespace}"
            );
            for sample in fragment.surface.samples {
                let (ns, _) = sample.cmd.split_once('.').unwrap();
                assert_eq!(ns, namespace, "{} is listed under {namespace}", sample.cmd);
            }
        }
        assert!(dts.contains("readonly fs:"));
        assert!(TEMPLATE.contains("api.fs = Object.freeze(fs)"));
    }

    /// Like the schema: `host/js/millennium.d.ts` is generated from the
    /// fragments and checked in (editors and `millennium new` read it);
    /// `UPDATE_DTS=1 cargo test -p millennium-host declarations_are_fresh`
    /// (or `make dts`) rewrites it.
    #[test]
    fn declarations_are_fresh() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/millennium.d.ts");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        if checked_in != DECLARATIONS {
            if std::env::var_os("UPDATE_DTS").is_some() {
                std::fs::write(path, DECLARATIONS).unwrap();
                return;
            }
            panic!(
                "host/js/millennium.d.ts is stale: run `make dts` (UPDATE_DTS=1 cargo test -p millennium-host declarations_are_fresh)"
            );
        }
    }
}
