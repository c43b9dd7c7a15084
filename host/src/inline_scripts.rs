//! Inline `<script>` hashing: the scripts an author writes inside their HTML
//! run under the CSP because their SHA-256 hashes are added to the script
//! policy; nothing else inline runs. `millennium build` bakes the hashes of
//! every page into the packaged config; an app run from a directory (the
//! generic host, `millennium dev`) adds each page's own hashes to that page's
//! header, so inline scripts behave the same in both.

use std::collections::BTreeSet;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The text of every inline script (a `<script>` element without `src`),
/// exactly as the browser hashes it: everything between the tags.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<script") {
        let open = from + found;
        let after_name = open + "<script".len();
        // `<scripts>` or `<script-x>` are other elements.
        if !lower[after_name..]
            .starts_with(|c: char| c == '>' || c.is_ascii_whitespace() || c == '/')
        {
            from = after_name;
            continue;
        }
        let Some(tag_end) = lower[after_name..].find('>').map(|i| after_name + i) else {
            break;
        };
        let attributes = &lower[after_name..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = lower[body_start..].find("</script").map(|i| body_start + i) else {
            break;
        };
        if !has_src(attributes) {
            scripts.push(&html[body_start..close]);
        }
        from = close + "</script".len();
    }
    scripts
}

fn has_src(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|attribute| attribute == "src" || attribute.starts_with("src="))
}

/// `'sha256-<base64>'` for a script's text.
pub fn hash_source(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `policy` with `hashes` added to every directive that governs script
/// elements (`script-src`, `script-src-elem`; `script-src` is created from
/// `default-src` when absent). A policy whose script sources allow
/// `'unsafe-inline'` (only with `dangerous-allow-unsafe-scripts`) is left as
/// it is: browsers ignore `'unsafe-inline'` once a hash is present.
pub fn with_script_hashes(policy: &str, hashes: &BTreeSet<String>) -> String {
    if hashes.is_empty() {
        return policy.to_owned();
    }
    let mut directives = millennium_config::parse_csp(policy);
    let script_sources = directives
        .iter()
        .find(|(name, _)| name == "script-src")
        .or_else(|| directives.iter().find(|(name, _)| name == "default-src"));
    if script_sources.is_some_and(|(_, sources)| sources.iter().any(|s| s == "'unsafe-inline'")) {
        return policy.to_owned();
    }
    if !directives.iter().any(|(name, _)| name == "script-src") {
        let default = directives
            .iter()
            .find(|(name, _)| name == "default-src")
            .map(|(_, sources)| sources.clone())
            .unwrap_or_else(|| vec!["'self'".to_owned()]);
        directives.push(("script-src".to_owned(), default));
    }
    for (name, sources) in &mut directives {
        if name == "script-src" || name == "script-src-elem" {
            if sources.len() == 1 && sources[0] == "'none'" {
                sources.clear();
            }
            for hash in hashes {
                if !sources.contains(hash) {
                    sources.push(hash.clone());
                }
            }
        }
    }
    directives
        .iter()
        .map(|(name, sources)| {
            if sources.is_empty() {
                name.clone()
            } else {
                format!("{name} {}", sources.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The hashes of every inline script in `html`.
pub fn hashes_of(html: &[u8]) -> BTreeSet<String> {
    let text = String::from_utf8_lossy(html);
    inline_scripts(&text).into_iter().map(hash_source).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = r#"<html><SCRIPT>one()</SCRIPT><script src="a.js"></script>
            <script type="module">two()</script><scripts>no</scripts><script
            defer>three()</script><script data-src="x">four()</script>"#;
        assert_eq!(
            inline_scripts(html),
            vec!["one()", "two()", "three()", "four()"]
        );
    }

    #[test]
    fn unterminated_script_is_ignored_not_a_panic() {
        assert!(inline_scripts("<script>never closed").is_empty());
        assert!(inline_scripts("<script").is_empty());
    }

    #[test]
    fn hash_matches_the_csp_spec_example() {
        // The value browsers print for `alert('Hello, world.');`.
        assert_eq!(
            hash_source("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn hashes_join_script_src_created_from_default_src() {
        let hashes: BTreeSet<String> = [hash_source("x()")].into();
        let policy = with_script_hashes("default-src 'self'; img-src data:", &hashes);
        assert_eq!(
            policy,
            format!(
                "default-src 'self'; img-src data:; script-src 'self' {}",
                hash_source("x()")
            )
        );
        let default = with_script_hashes(millennium_config::model::DEFAULT_CSP, &hashes);
        assert!(
            default.contains(&format!("script-src 'self' {}", hash_source("x()"))),
            "{default}"
        );
        assert_eq!(
            with_script_hashes("default-src 'self'", &BTreeSet::new()),
            "default-src 'self'"
        );
    }

    #[test]
    fn unsafe_inline_policies_are_left_alone() {
        let hashes: BTreeSet<String> = [hash_source("x()")].into();
        let policy = "default-src 'self' 'unsafe-inline'";
        assert_eq!(with_script_hashes(policy, &hashes), policy);
    }
}
