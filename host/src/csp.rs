//! The Content-Security-Policy header sent with every HTML response.
//!
//! The policy is the author's `[security] csp` or [`DEFAULT_CSP`]; the host
//! only ever *adds* the app origin to `connect-src` so the IPC fetch channel
//! keeps working under a strict policy. `script-src` is never touched.
//! `millennium dev` with a `dev-url` also adds the dev server's origins to
//! `connect-src` (through [`with_connect_sources`]), so HMR websockets work;
//! packaged apps never do.

use millennium_config::model::{DEFAULT_CSP, SecurityConfig};

use crate::APP_ORIGIN;

/// The header value for an app's HTML responses.
pub fn policy_header(security: &SecurityConfig) -> String {
    let base = security
        .csp
        .as_ref()
        .map_or_else(|| DEFAULT_CSP.to_owned(), |csp| csp.to_header());
    with_connect_sources(&base, &[APP_ORIGIN])
}

/// Adds `extra` to `connect-src`. When the policy has no `connect-src`,
/// fetches fall back to `default-src`, so we copy its sources (or allow
/// nothing else when there is none) to keep the author's intent. Nothing
/// else in the policy changes.
pub fn with_connect_sources(policy: &str, extra: &[&str]) -> String {
    let directives: Vec<&str> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let name_of = |d: &str| {
        d.split_ascii_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let mut out: Vec<String> = Vec::with_capacity(directives.len() + 1);
    let mut found = false;
    for directive in &directives {
        if name_of(directive) == "connect-src" && !found {
            found = true;
            out.push(add_sources(directive, extra));
        } else {
            out.push((*directive).to_owned());
        }
    }
    if !found {
        let fallback = directives
            .iter()
            .find(|d| name_of(d) == "default-src")
            .map(|d| {
                let sources: Vec<&str> = d.split_ascii_whitespace().skip(1).collect();
                format!("connect-src {}", sources.join(" "))
            })
            .unwrap_or_else(|| "connect-src".to_owned());
        // Without any restriction on connect-src there is nothing to add.
        if directives.iter().any(|d| name_of(d) == "default-src") {
            out.push(add_sources(&fallback, extra));
        }
    }
    out.join("; ")
}

fn add_sources(directive: &str, extra: &[&str]) -> String {
    let sources: Vec<&str> = directive.split_ascii_whitespace().skip(1).collect();
    let missing: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|e| !sources.contains(e))
        .collect();
    if missing.is_empty() || sources.contains(&"*") {
        return directive.to_owned();
    }
    // `'none'` cannot be combined with other sources.
    let kept: Vec<&str> = sources
        .into_iter()
        .filter(|s| !s.eq_ignore_ascii_case("'none'"))
        .collect();
    let mut parts = vec!["connect-src"];
    parts.extend(kept);
    parts.extend(missing);
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use millennium_config::model::Csp;

    fn header(csp: Option<&str>) -> String {
        let security = SecurityConfig {
            csp: csp.map(|c| Csp::Policy(c.to_owned())),
            ..SecurityConfig::default()
        };
        policy_header(&security)
    }

    #[test]
    fn default_policy_gets_the_app_origin_and_keeps_script_src() {
        let h = header(None);
        assert!(
            h.contains("connect-src 'self' millennium://localhost"),
            "{h}"
        );
        assert!(h.contains("script-src 'self';"), "{h}");
        let script_src = h
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe"), "{h}");
    }

    #[test]
    fn connect_src_none_is_replaced_by_the_app_origin() {
        assert_eq!(
            header(Some("default-src 'self'; connect-src 'none'")),
            "default-src 'self'; connect-src millennium://localhost"
        );
    }

    #[test]
    fn missing_connect_src_inherits_default_src() {
        assert_eq!(
            header(Some("default-src 'none'; script-src 'self'")),
            "default-src 'none'; script-src 'self'; connect-src millennium://localhost"
        );
        assert_eq!(
            header(Some("script-src 'self'")),
            "script-src 'self'",
            "no default-src: fetches are unrestricted, nothing to add"
        );
    }

    #[test]
    fn existing_origin_is_not_duplicated() {
        let p = "default-src 'self'; connect-src millennium://localhost";
        assert_eq!(header(Some(p)), p);
    }

    #[test]
    fn dev_sources_are_added_once_and_only_to_connect_src() {
        let base = header(None);
        let dev = with_connect_sources(&base, &["http://127.0.0.1:5173", "ws://127.0.0.1:5173"]);
        let connect = dev
            .split(';')
            .find(|d| d.trim().starts_with("connect-src"))
            .unwrap()
            .trim();
        assert_eq!(
            connect,
            "connect-src 'self' millennium://localhost http://127.0.0.1:5173 ws://127.0.0.1:5173"
        );
        fn others(p: &str) -> Vec<&str> {
            p.split(';')
                .filter(|d| !d.trim().starts_with("connect-src"))
                .map(str::trim)
                .collect()
        }
        assert_eq!(others(&dev), others(&base));
        assert_eq!(
            with_connect_sources(&dev, &["ws://127.0.0.1:5173"]),
            dev,
            "already there"
        );
    }

    #[test]
    fn table_form_is_rendered() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(
            "default-src".to_owned(),
            millennium_config::model::CspSources::Inline("'self'".to_owned()),
        );
        let security = SecurityConfig {
            csp: Some(Csp::Directives(map)),
            ..SecurityConfig::default()
        };
        assert_eq!(
            policy_header(&security),
            "default-src 'self'; connect-src 'self' millennium://localhost"
        );
    }
}
