//! Content-Security-Policy syntax checks: directive names, source
//! expressions, and the script sources that would let injected content run.

/// A problem in a policy, with the directive it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspProblem {
    /// The directive, or empty for the policy as a whole.
    pub directive: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Whether `dangerous-allow-unsafe-scripts` would allow it.
    pub unsafe_script: bool,
}

const FETCH_DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "style-src",
    "style-src-elem",
    "style-src-attr",
    "img-src",
    "font-src",
    "connect-src",
    "media-src",
    "object-src",
    "frame-src",
    "child-src",
    "worker-src",
    "manifest-src",
    "prefetch-src",
    "fenced-frame-src",
];

const OTHER_DIRECTIVES: &[&str] = &[
    "base-uri",
    "form-action",
    "frame-ancestors",
    "navigate-to",
    "sandbox",
    "upgrade-insecure-requests",
    "block-all-mixed-content",
    "report-uri",
    "report-to",
    "require-trusted-types-for",
    "trusted-types",
    "webrtc",
];

/// Directives whose values are source lists.
const SOURCE_LIST_DIRECTIVES: &[&str] =
    &["base-uri", "form-action", "frame-ancestors", "navigate-to"];

const KEYWORDS: &[&str] = &[
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashes'",
    "'report-sample'",
    "'wasm-unsafe-eval'",
    "'inline-speculation-rules'",
    "'unsafe-allow-redirects'",
];

const SCRIPT_DIRECTIVES: &[&str] = &["script-src", "script-src-elem", "script-src-attr"];

const UNSAFE_SCRIPT_SOURCES: &[&str] = &["'unsafe-inline'", "'unsafe-eval'", "data:", "blob:"];

/// Is `name` a directive browsers know?
pub fn is_known_directive(name: &str) -> bool {
    FETCH_DIRECTIVES.contains(&name) || OTHER_DIRECTIVES.contains(&name)
}

/// Every directive name, for "did you mean" hints.
pub fn directive_names() -> impl Iterator<Item = &'static str> {
    FETCH_DIRECTIVES.iter().chain(OTHER_DIRECTIVES).copied()
}

/// Checks a policy given as `(directive, sources)` pairs.
pub fn check(directives: &[(String, Vec<String>)]) -> Vec<CspProblem> {
    let mut problems = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, sources) in directives {
        let problem = |message: String, hint: Option<String>| CspProblem {
            directive: name.clone(),
            message,
            hint,
            unsafe_script: false,
        };
        if !is_known_directive(name) {
            let near = crate::validate::nearest(name, directive_names());
            problems.push(problem(
                format!("unknown CSP directive `{name}`"),
                Some(near.map_or_else(
                    || "see the CSP directives list on MDN".to_owned(),
                    |n| format!("did you mean `{n}`?"),
                )),
            ));
            continue;
        }
        if seen.contains(&name.as_str()) {
            problems.push(problem(
                format!("CSP directive `{name}` appears twice; browsers ignore the second"),
                Some("merge the two source lists into one directive".to_owned()),
            ));
            continue;
        }
        seen.push(name);
        if FETCH_DIRECTIVES.contains(&name.as_str())
            || SOURCE_LIST_DIRECTIVES.contains(&name.as_str())
        {
            if sources.iter().any(|s| s == "'none'") && sources.len() > 1 {
                problems.push(problem(
                    format!("`'none'` in `{name}` cannot be combined with other sources"),
                    Some("remove `'none'` or the other sources".to_owned()),
                ));
            }
            for source in sources {
                if let Err(hint) = check_source(source) {
                    problems.push(problem(
                        format!("invalid source `{source}` in `{name}`"),
                        Some(hint),
                    ));
                }
            }
        }
    }
    problems.extend(check_scripts(directives));
    problems
}

/// The script policy must not allow sources that run injected code.
fn check_scripts(directives: &[(String, Vec<String>)]) -> Vec<CspProblem> {
    let find = |name: &str| directives.iter().find(|(n, _)| n == name);
    let mut governing: Vec<&(String, Vec<String>)> = SCRIPT_DIRECTIVES
        .iter()
        .filter_map(|name| find(name))
        .collect();
    if find("script-src").is_none() {
        match find("default-src") {
            Some(default) => governing.push(default),
            None => {
                return vec![CspProblem {
                    directive: String::new(),
                    message: "the CSP has neither `script-src` nor `default-src`, so scripts may load from anywhere".to_owned(),
                    hint: Some("add `script-src 'self'` (or `default-src 'self'`)".to_owned()),
                    unsafe_script: true,
                }];
            }
        }
    }
    let mut problems = Vec::new();
    for (name, sources) in governing {
        // A source that is not valid CSP is reported as such already.
        for source in sources.iter().filter(|s| check_source(s).is_ok()) {
            let Some(why) = script_source_risk(source) else {
                continue;
            };
            problems.push(CspProblem {
                directive: name.clone(),
                message: format!("`{name}` allows `{source}`, {why}"),
                hint: Some(format!(
                    "remove `{source}` and bundle your scripts into the frontend; inline scripts in your HTML are hashed into the CSP at build time. To accept the risk, set `dangerous-allow-unsafe-scripts = true` in `[security]`"
                )),
                unsafe_script: true,
            });
        }
    }
    problems
}

/// Why a source in a script directive defeats the policy, if it does: an
/// injected `<script>` (or handler) that it admits runs with
/// `window.Millennium`.
fn script_source_risk(source: &str) -> Option<&'static str> {
    let lowered = source.to_ascii_lowercase();
    if UNSAFE_SCRIPT_SOURCES.contains(&lowered.as_str()) {
        return Some("which lets injected content run scripts");
    }
    if lowered.starts_with('\'') {
        return if lowered.starts_with("'nonce-") {
            Some(
                "a nonce fixed in the config and the same in every response, so injected markup can carry it",
            )
        } else if lowered == "'strict-dynamic'" {
            Some("which lets any script that runs load more scripts from anywhere")
        } else if lowered == "'unsafe-hashes'" {
            Some("which lets inline event handlers such as `onclick` run")
        } else {
            None
        };
    }
    if source == "*" {
        return Some("which lets a `<script src>` from any host run");
    }
    if lowered.ends_with(':') {
        return Some(
            "a whole scheme, which lets a `<script src>` from any host of that scheme run",
        );
    }
    Some("a host, so whatever that host serves (or is made to serve) runs as the app's own code")
}

/// Splits a policy string into `(directive, sources)` pairs.
pub fn parse_policy(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|directive| {
            let mut parts = directive.split_ascii_whitespace();
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            (name, parts.map(str::to_owned).collect())
        })
        .collect()
}

fn check_source(source: &str) -> Result<(), String> {
    let lowered = source.to_ascii_lowercase();
    if lowered.starts_with('\'') {
        if KEYWORDS.contains(&lowered.as_str()) {
            return Ok(());
        }
        for prefix in ["'nonce-", "'sha256-", "'sha384-", "'sha512-"] {
            if let Some(rest) = lowered.strip_prefix(prefix) {
                let value = &source[prefix.len()..source.len() - usize::from(rest.ends_with('\''))];
                let base64 = value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_'));
                return if rest.ends_with('\'') && !value.is_empty() && base64 {
                    Ok(())
                } else {
                    Err(format!("write it as {prefix}<base64>'"))
                };
            }
        }
        return Err(
            "quoted sources are keywords such as 'self' or 'none', or 'sha256-...' hashes"
                .to_owned(),
        );
    }
    let keyword = format!("'{lowered}'");
    if KEYWORDS.contains(&keyword.as_str()) {
        return Err(format!("keywords need single quotes: {keyword}"));
    }
    if source == "*" {
        return Ok(());
    }
    // scheme-source: `https:`, `data:`, `millennium:`
    if let Some(scheme) = lowered.strip_suffix(':') {
        return if is_scheme(scheme) {
            Ok(())
        } else {
            Err("a scheme source looks like `https:`".to_owned())
        };
    }
    // host-source: [scheme://]host[:port][/path]
    let rest = match lowered.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => rest,
        Some(_) => return Err("the scheme before `://` is invalid".to_owned()),
        None => lowered.as_str(),
    };
    let (authority, _path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    if let Some(port) = port
        && port != "*"
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Err(format!("`{port}` is not a port number"));
    }
    let host = host.strip_prefix("*.").unwrap_or(host);
    let valid_host = host == "*"
        || (!host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }))
        || (host.starts_with('[') && host.ends_with(']'));
    if valid_host {
        Ok(())
    } else {
        Err("a host source looks like `https://cdn.example.com` or `*.example.com`".to_owned())
    }
}

fn is_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(policy: &str) -> Vec<String> {
        check(&parse_policy(policy))
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn default_policy_is_clean() {
        assert_eq!(problems(crate::model::DEFAULT_CSP), Vec::<String>::new());
    }

    #[test]
    fn unsafe_script_sources_are_flagged_through_default_src() {
        let found = problems("default-src 'self' 'unsafe-inline'");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("'unsafe-inline'"));
        assert!(problems("default-src 'self' 'unsafe-inline'; script-src 'self'").is_empty());
        assert_eq!(problems("script-src 'self' data: blob:").len(), 2);
    }

    /// Regression (security review): these passed `millennium check`
    /// silently, and an injected `<script src="https://attacker/...">`
    /// then ran with `window.Millennium`.
    #[test]
    fn script_sources_that_defeat_the_policy_are_refused() {
        for (policy, needle) in [
            ("script-src *", "from any host"),
            ("script-src 'self' https:", "a whole scheme"),
            ("script-src 'self' http:", "a whole scheme"),
            ("default-src 'self' millennium:", "a whole scheme"),
            ("script-src 'self' https://cdn.example.com", "a host"),
            ("script-src 'self' cdn.example.com", "a host"),
            ("default-src 'self' *.example.com", "a host"),
            ("script-src 'nonce-abc123'", "a nonce fixed in the config"),
            ("script-src 'self' 'strict-dynamic'", "load more scripts"),
            (
                "script-src 'self' 'unsafe-hashes' 'sha256-abc'",
                "inline event handlers",
            ),
            (
                "default-src 'self'; script-src-elem https://x.example",
                "a host",
            ),
        ] {
            let found = check(&parse_policy(policy));
            assert_eq!(found.len(), 1, "{policy}: {found:?}");
            assert!(
                found[0].message.contains(needle),
                "{policy}: {}",
                found[0].message
            );
            assert!(
                found[0].unsafe_script,
                "{policy}: a dangerous- key may accept it"
            );
            assert!(
                found[0]
                    .hint
                    .as_deref()
                    .unwrap()
                    .contains("dangerous-allow-unsafe-scripts")
            );
        }
        // What stays allowed: the app's own origin, hashes, WebAssembly,
        // and hosts in directives that do not govern scripts.
        for policy in [
            "script-src 'self' 'sha256-abc123+/=' 'wasm-unsafe-eval' 'report-sample'",
            "default-src 'self'; img-src https: data:; connect-src https://api.example.com; style-src *",
            "default-src 'none'; script-src 'self'",
        ] {
            assert!(
                problems(policy).is_empty(),
                "{policy}: {:?}",
                problems(policy)
            );
        }
    }

    #[test]
    fn missing_script_policy_is_flagged() {
        assert!(problems("img-src 'self'")[0].contains("neither"));
    }

    #[test]
    fn bad_sources_and_directives() {
        assert!(problems("default-src self")[0].contains("invalid source"));
        assert!(problems("default-scr 'self'")[0].contains("unknown CSP directive"));
        assert!(problems("default-src 'self'; default-src 'none'")[0].contains("twice"));
        assert!(problems("default-src 'none' 'self'")[0].contains("'none'"));
        assert!(problems("default-src 'sha256-abc'").is_empty());
        assert!(
            // Valid syntax; outside script directives, since hosts there let
            // injected scripts in (see the test below).
            problems("default-src 'self'; img-src https://cdn.example.com:8443/x *.example.org https: 'self'")
                .is_empty()
        );
        assert!(!problems("default-src 'self' http://host:99999").is_empty());
    }
}
