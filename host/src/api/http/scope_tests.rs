//! Unit tests of the http URL scope: the glob table and the refusals.

use super::*;

fn scope(globs: &[&str]) -> HttpScope {
    let globs: Vec<String> = globs.iter().map(|g| (*g).to_owned()).collect();
    HttpScope::new(&globs).unwrap_or_else(|e| panic!("{e}"))
}

fn check(scope: &HttpScope, url: &str) -> Result<(), UrlRefusal> {
    let url = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    scope.check(&url)
}

/// (globs, url, allowed?)
const CASES: &[(&[&str], &str, bool)] = &[
    // Subdomain wildcard: any depth, never the bare domain.
    (
        &["https://*.example.com/**"],
        "https://a.example.com/x",
        true,
    ),
    (
        &["https://*.example.com/**"],
        "https://a.b.example.com/x",
        true,
    ),
    (
        &["https://*.example.com/**"],
        "https://example.com/x",
        false,
    ),
    (
        &["https://*.example.com/**"],
        "https://badexample.com/x",
        false,
    ),
    (
        &["https://*.example.com/**"],
        "https://example.com.evil.net/x",
        false,
    ),
    (
        &["https://*.example.com/**"],
        "https://A.EXAMPLE.COM/x",
        true,
    ),
    (
        &["https://*.EXAMPLE.com/**"],
        "https://a.example.com/x",
        true,
    ),
    // Any host.
    (&["https://*/**"], "https://anything.test/x", true),
    (&["https://*/**"], "https://10.0.0.1/x", true),
    // Scheme is literal.
    (
        &["https://api.example.com/**"],
        "http://api.example.com/x",
        false,
    ),
    (
        &["http://api.example.com/**"],
        "https://api.example.com/x",
        false,
    ),
    // Ports: default, explicit default, number, wildcard.
    (&["http://localhost/**"], "http://localhost/x", true),
    (&["http://localhost/**"], "http://localhost:80/x", true),
    (&["http://localhost/**"], "http://localhost:8080/x", false),
    (&["https://localhost/**"], "https://localhost:443/x", true),
    (
        &["http://localhost:8080/**"],
        "http://localhost:8080/x",
        true,
    ),
    (&["http://localhost:8080/**"], "http://localhost/x", false),
    (&["http://localhost:*/**"], "http://localhost:1234/x", true),
    (&["http://localhost:*/**"], "http://localhost/x", true),
    (&["http://localhost:80/**"], "http://localhost/x", true),
    // `*` stays in one segment, `**` crosses.
    (&["https://x.com/api/*"], "https://x.com/api/users", true),
    (&["https://x.com/api/*"], "https://x.com/api/", true),
    (&["https://x.com/api/*"], "https://x.com/api/users/1", false),
    (&["https://x.com/api/*"], "https://x.com/api", false),
    (&["https://x.com/api/**"], "https://x.com/api/users/1", true),
    (&["https://x.com/api/**"], "https://x.com/api/", true),
    (&["https://x.com/api/**"], "https://x.com/api", false),
    (&["https://x.com/api/**"], "https://x.com/apiary", false),
    (&["https://x.com/api"], "https://x.com/api", true),
    (&["https://x.com/api"], "https://x.com/api/", false),
    (
        &["https://x.com/**/v1/*.json"],
        "https://x.com/v1/a.json",
        true,
    ),
    (
        &["https://x.com/**/v1/*.json"],
        "https://x.com/a/b/v1/c.json",
        true,
    ),
    (
        &["https://x.com/**/v1/*.json"],
        "https://x.com/a/v1/c.xml",
        false,
    ),
    (
        &["https://x.com/v*/*-*.json"],
        "https://x.com/v2/a-b.json",
        true,
    ),
    (
        &["https://x.com/v*/*-*.json"],
        "https://x.com/v2/ab.json",
        false,
    ),
    (&["https://x.com/**"], "https://x.com", true),
    (&["https://x.com/"], "https://x.com", true),
    (&["https://x.com/"], "https://x.com/a", false),
    // Query and fragment are not part of matching.
    (&["https://x.com/a"], "https://x.com/a?b=/../c#d", true),
    // Case: host insensitive, path sensitive.
    (&["https://X.com/Api/*"], "https://x.COM/Api/a", true),
    (&["https://x.com/api/*"], "https://x.com/API/a", false),
    // Dot segments are resolved before matching, also encoded ones.
    (&["http://example.com/b"], "http://EXAMPLE.com/a/../b", true),
    (
        &["https://x.com/public/**"],
        "https://x.com/public/../admin",
        false,
    ),
    (
        &["https://x.com/public/**"],
        "https://x.com/public/%2e%2e/admin",
        false,
    ),
    (
        &["https://x.com/public/**"],
        "https://x.com/public/.%2E/admin",
        false,
    ),
    (
        &["https://x.com/admin"],
        "https://x.com/public/%2e%2e/admin",
        true,
    ),
    (
        &["https://x.com/public/**"],
        "https://x.com/public\\..\\admin",
        false,
    ),
    // Percent-encoding: compared decoded.
    (&["https://x.com/api/**"], "https://x.com/%61pi/x", true),
    (&["https://x.com/a b/*"], "https://x.com/a%20b/c", true),
    (&["https://x.com/a%2A"], "https://x.com/a*", true),
    (&["https://x.com/a%2A"], "https://x.com/ab", false),
    // Encoded slashes and backslashes: always refused.
    (
        &["https://x.com/**"],
        "https://x.com/public/..%2Fadmin",
        false,
    ),
    (&["https://x.com/**"], "https://x.com/a%2fb", false),
    (&["https://x.com/**"], "https://x.com/a%5Cb", false),
    // Userinfo: refused.
    (&["https://x.com/**"], "https://user:pass@x.com/a", false),
    (&["https://x.com/**"], "https://user@x.com/a", false),
    (&["https://*/**"], "https://x.com@evil.net/a", false),
    // Not http.
    (&["https://*/**"], "ftp://x.com/a", false),
    (&["https://*/**"], "file:///etc/passwd", false),
    (&["https://*/**"], "data:text/plain,hi", false),
    (&["https://*/**"], "ws://x.com/a", false),
    // Empty scope: nothing.
    (&[], "https://x.com/", false),
    // IP literals, normalised.
    (&["http://[::1]:*/**"], "http://[::1]:8080/x", true),
    (
        &["http://[::1]:*/**"],
        "http://[0:0:0:0:0:0:0:1]:8080/x",
        true,
    ),
    (&["http://[::1]:*/**"], "http://127.0.0.1:8080/x", false),
    (&["http://[0::1]/**"], "http://[::1]/x", true),
    (&["http://127.0.0.1:*/**"], "http://127.1:9/x", true),
    (&["http://127.0.0.1:*/**"], "http://0x7f000001:9/x", true),
    // Trailing dot, IDN.
    (&["https://x.com/**"], "https://x.com./a", true),
    (
        &["https://bücher.example/**"],
        "https://xn--bcher-kva.example/a",
        true,
    ),
    // Several globs: any one.
    (
        &["https://a.com/**", "https://b.com/**"],
        "https://b.com/x",
        true,
    ),
];

#[test]
fn scope_cases() {
    assert!(CASES.len() >= 25);
    for (globs, url, allowed) in CASES {
        let result = check(&scope(globs), url);
        assert_eq!(result.is_ok(), *allowed, "{globs:?} vs {url}: {result:?}");
    }
}

#[test]
fn refusals_say_why_and_name_the_url() {
    let s = scope(&["https://x.com/**"]);
    assert_eq!(
        check(&s, "http://127.0.0.1:9/x").unwrap_err().to_string(),
        "http://127.0.0.1:9/x is not in [allowlist.http] scope"
    );
    assert_eq!(
        check(&s, "https://u:secret@x.com/a").unwrap_err(),
        UrlRefusal::Userinfo("https://x.com/a".into())
    );
    assert!(
        !check(&s, "https://u:secret@x.com/a")
            .unwrap_err()
            .to_string()
            .contains("secret")
    );
    assert_eq!(
        check(&s, "https://x.com/a%2Fb").unwrap_err(),
        UrlRefusal::EncodedSeparator("https://x.com/a%2Fb".into())
    );
    assert_eq!(
        check(&s, "ftp://x.com/").unwrap_err(),
        UrlRefusal::NotHttp("ftp://x.com/".into())
    );
    assert!(!HttpScope::default().allows(&Url::parse("https://x.com/").unwrap()));
}

#[test]
fn bad_globs_are_named_with_the_reason() {
    let bad = [
        ("api.example.com/**", "expected `scheme://host/path`"),
        ("ftp://x.com/**", "scheme `ftp` is not http or https"),
        ("https://x.com", "a path is required"),
        ("https://x.com/a?b=1", "query string"),
        ("https://x.com/a#b", "fragment"),
        ("https://user@x.com/**", "user name or password"),
        ("https://api.*.com/**", "leading `*.`"),
        ("https://*x.com/**", "leading `*.`"),
        ("https://*.*.com/**", "leading `*.`"),
        ("https://*.127.0.0.1/**", "no subdomains"),
        ("https://x.com:http/**", "port `http`"),
        ("https://x.com:70000/**", "port `70000`"),
        ("https://x.com:/**", "empty port"),
        ("https://[::1/**", "closing `]`"),
        ("https://:80/**", "host is empty"),
        ("https://exa mple.com/**", "host `exa mple.com` is invalid"),
        ("https://x.com/a/../b", "`..`"),
        ("https://x.com/a/%2e%2e/b", "`..`"),
        ("https://x.com/a/./b", "`.`"),
        ("https://x.com/a**", "whole path segment"),
        ("https://x.com/a%2Fb", "%2F"),
        ("https://x.com\\a", "`\\`"),
    ];
    for (glob, reason) in bad {
        let error = HttpScope::new(&[glob.to_owned()]).unwrap_err();
        assert_eq!(error.glob, glob);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("[allowlist.http] scope glob `{glob}`: ")),
            "{message}"
        );
        assert!(message.contains(reason), "{glob}: {message}");
    }
}

#[test]
fn many_double_stars_stay_fast() {
    let glob = format!("https://x.com/{}z", "**/a/".repeat(12));
    let s = scope(&[glob.as_str()]);
    let url = format!("https://x.com/{}b", "a/".repeat(40));
    assert!(check(&s, &url).is_err());
}
