//! URL globs: the one matcher of `[allowlist.http] scope`,
//! `[security] allowed-navigation` and the remote IPC grants. A URL is parsed
//! first (by the `url` crate, as a browser would), then its scheme, host,
//! port and path are matched separately, so no `*` can cross from one part
//! into another (`https://*.example.com/**` never matches
//! `https://evil.test/.example.com/`).
//!
//! # Globs
//!
//! Each glob is `scheme://host[:port]/path`:
//!
//! - **Scheme**: `http` or `https`, literally. An `http` glob never matches
//!   an `https` URL and the other way round.
//! - **Host**: a name or IP literal (`api.example.com`, `127.0.0.1`,
//!   `[::1]`), compared after the same normalisation the request URL gets
//!   (lower case, punycode, `127.1` is `127.0.0.1`, one trailing dot
//!   ignored); or `*.example.com`, which matches every subdomain at any depth
//!   (`a.example.com`, `a.b.example.com`) but **not** the bare `example.com`
//!   (list that separately); or `*` alone for any host.
//! - **Port**: absent means the scheme's default port only (80 or 443), so
//!   `http://localhost/**` does not match `http://localhost:8080/`; a number
//!   means that port; `*` means any port.
//! - **Path**: required (write `/**` for every path). It is split at `/` into
//!   segments. A segment that is exactly `**` matches any number of
//!   segments; any other `*` matches any run of characters inside one
//!   segment, never crossing a `/`; everything else is literal (`%2A` is a
//!   literal `*`). `?` and `#` are not allowed: the query string and fragment
//!   of a request URL are never part of matching.
//!
//! # A path itself vs what is under it
//!
//! The URL path `/api` is the one segment `api`; `/api/` is `api` followed
//! by an empty segment; `/` is a single empty segment.
//!
//! - `https://x.com/api` matches `/api` only.
//! - `https://x.com/api/*` matches `/api/users` and `/api/` (the empty
//!   segment), but not `/api/users/1` and not `/api`.
//! - `https://x.com/api/**` matches everything under `/api/` at any depth,
//!   `/api/` included, but **not** `/api` itself (a trailing `**` matches one
//!   or more segments; a leading or middle one matches zero or more).
//! - So an app that calls `/api` *and* what is under it lists both:
//!   `scope = ["https://x.com/api", "https://x.com/api/**"]`.
//!
//! # Request URLs
//!
//! A request URL is parsed and normalised by the `url` crate before it is
//! matched, so dot segments (also encoded, `%2e%2e`) and backslashes are
//! resolved the way a browser resolves them: `http://EXAMPLE.com/a/../b` is
//! matched as `http://example.com/b`. Each path segment is then
//! percent-decoded, and glob literals are decoded the same way, so `/%61pi`
//! matches `/api/**`. Refused outright, whatever the globs say: schemes other
//! than http and https; a user name or password in the URL (send an
//! `Authorization` header instead); and an encoded `/` or `\` in the path
//! (`%2F`, `%5C`), since servers disagree on whether it separates segments
//! and no glob could say what it allows. An empty scope allows nothing.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use url::{Host, Url};

/// A glob that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("URL glob `{glob}`: {reason}")]
pub struct UrlGlobError {
    /// The glob as written in the config.
    pub glob: String,
    /// Why it cannot be used.
    pub reason: String,
}

/// Why a URL matched no glob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlMismatch {
    /// Not `http:` or `https:`.
    NotHttp,
    /// `user:pass@` in the URL.
    Userinfo,
    /// `%2F` or `%5C` in the path.
    EncodedSeparator,
    /// No glob matches.
    NoMatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// `*`.
    Any,
    /// `*.example.com`, stored as `.example.com`.
    Subdomains(String),
    /// A normalised host.
    Exact(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortPattern {
    Any,
    Exact(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Decoded bytes, compared exactly.
    Literal(Vec<u8>),
    /// Decoded pieces between `*`s (at least two).
    Wild(Vec<Vec<u8>>),
    /// `**`.
    AnyDepth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    https: bool,
    host: HostPattern,
    port: PortPattern,
    path: Vec<Segment>,
}

/// Compiled URL globs; an empty list matches nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlGlobs {
    patterns: Vec<Pattern>,
}

impl UrlGlobs {
    /// Compiles the globs; the error names the bad glob and why.
    pub fn new(globs: &[String]) -> Result<UrlGlobs, UrlGlobError> {
        let patterns = globs
            .iter()
            .map(|glob| {
                compile(glob).map_err(|reason| UrlGlobError {
                    glob: glob.clone(),
                    reason,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(UrlGlobs { patterns })
    }

    /// Why `glob` cannot be used, if it cannot (for `millennium check`).
    pub fn problem(glob: &str) -> Option<String> {
        compile(glob).err()
    }

    /// Whether `url` matches a glob (see the module doc).
    pub fn allows(&self, url: &Url) -> bool {
        self.check(url).is_ok()
    }

    /// Whether `url` as text parses and matches a glob.
    pub fn allows_text(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|url| self.allows(&url))
    }

    /// Like [`UrlGlobs::allows`], with the reason for a mismatch.
    pub fn check(&self, url: &Url) -> Result<(), UrlMismatch> {
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(UrlMismatch::NotHttp),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlMismatch::Userinfo);
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(UrlMismatch::NoMatch);
        };
        let host = strip_trailing_dot(host);
        let path = url.path().strip_prefix('/').unwrap_or(url.path());
        let mut segments = Vec::new();
        for raw in path.split('/') {
            let lower = raw.to_ascii_lowercase();
            if lower.contains("%2f") || lower.contains("%5c") {
                return Err(UrlMismatch::EncodedSeparator);
            }
            segments.push(percent_decode_str(raw).collect::<Vec<u8>>());
        }
        let segments: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
        let matched = self.patterns.iter().any(|p| {
            p.https == https
                && p.host.matches(host)
                && p.port.matches(port)
                && path_matches(&p.path, &segments)
        });
        if matched {
            Ok(())
        } else {
            Err(UrlMismatch::NoMatch)
        }
    }
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Subdomains(suffix) => {
                host.len() > suffix.len() && host.ends_with(suffix.as_str())
            }
            HostPattern::Exact(exact) => host == exact,
        }
    }
}

impl PortPattern {
    fn matches(self, port: u16) -> bool {
        match self {
            PortPattern::Any => true,
            PortPattern::Exact(exact) => port == exact,
        }
    }
}

/// The URL as text with any user name and password removed, for messages.
pub fn without_userinfo(url: &Url) -> String {
    let mut shown = url.clone();
    // Only fails for URLs that cannot have userinfo, which have none.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

fn strip_trailing_dot(host: &str) -> &str {
    host.strip_suffix('.').unwrap_or(host)
}

fn compile(glob: &str) -> Result<Pattern, String> {
    let Some((scheme, rest)) = glob.split_once("://") else {
        return Err("expected `scheme://host/path`, e.g. `https://api.example.com/**`".into());
    };
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        _ => return Err(format!("scheme `{scheme}` is not http or https")),
    };
    if glob.contains('?') || glob.contains('#') {
        return Err(
            "a query string or fragment is never matched; remove the `?` or `#` part".into(),
        );
    }
    if glob.contains('\\') {
        return Err("`\\` is not allowed; use `/`".into());
    }
    let Some(slash) = rest.find('/') else {
        return Err(format!(
            "a path is required: `{glob}/**` for every path, `{glob}/` for the root only"
        ));
    };
    let (authority, path) = rest.split_at(slash);
    if authority.contains('@') {
        return Err("a user name or password is not allowed".into());
    }
    let (host, port) = split_host_port(authority)?;
    let scheme = if https { "https" } else { "http" };
    let host = compile_host(scheme, host)?;
    let port = match port {
        None => PortPattern::Exact(if https { 443 } else { 80 }),
        Some("*") => PortPattern::Any,
        Some(port) => PortPattern::Exact(
            port.parse()
                .map_err(|_| format!("port `{port}` is not a number from 0 to 65535 or `*`"))?,
        ),
    };
    Ok(Pattern {
        https,
        host,
        port,
        path: compile_path(path)?,
    })
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    let (host, after) = if authority.starts_with('[') {
        let end = authority
            .find(']')
            .ok_or("an IPv6 address needs a closing `]`")?;
        authority.split_at(end + 1)
    } else {
        match authority.rfind(':') {
            Some(colon) => authority.split_at(colon),
            None => (authority, ""),
        }
    };
    let port = match after {
        "" => None,
        _ => match after.strip_prefix(':') {
            Some("") => return Err("empty port after `:`".into()),
            Some(port) => Some(port),
            None => return Err(format!("unexpected `{after}` after the host")),
        },
    };
    if host.is_empty() {
        return Err("the host is empty (use `*` for any host)".into());
    }
    Ok((host, port))
}

fn compile_host(scheme: &str, host: &str) -> Result<HostPattern, String> {
    if host == "*" {
        return Ok(HostPattern::Any);
    }
    if let Some(suffix) = host.strip_prefix("*.") {
        if suffix.contains('*') {
            return Err("`*` may only be the whole host or a leading `*.`".into());
        }
        return match normalise_host(scheme, suffix)? {
            (Host::Domain(_), name) => Ok(HostPattern::Subdomains(format!(".{name}"))),
            _ => Err(format!("`*.{suffix}`: an IP address has no subdomains")),
        };
    }
    if host.contains('*') {
        return Err("`*` may only be the whole host or a leading `*.`".into());
    }
    Ok(HostPattern::Exact(normalise_host(scheme, host)?.1))
}

/// Normalises a host the way a request URL's host is normalised.
fn normalise_host(scheme: &str, host: &str) -> Result<(Host<String>, String), String> {
    let parsed = Url::parse(&format!("{scheme}://{host}/"))
        .map_err(|e| format!("host `{host}` is invalid: {e}"))?;
    match (parsed.host(), parsed.host_str()) {
        (Some(h), Some(text)) if parsed.port().is_none() && parsed.path() == "/" => {
            Ok((h.to_owned(), strip_trailing_dot(text).to_owned()))
        }
        _ => Err(format!("host `{host}` is invalid")),
    }
}

fn compile_path(path: &str) -> Result<Vec<Segment>, String> {
    let raw: Vec<&str> = path[1..].split('/').collect();
    for segment in &raw {
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err("`.` and `..` segments are not allowed in a scope glob".into());
        }
        let lower = segment.to_ascii_lowercase();
        if lower.contains("%2f") || lower.contains("%5c") {
            return Err(
                "`%2F` and `%5C` cannot be matched: URLs with them are always refused".into(),
            );
        }
    }
    // Percent-encode what url would encode, so literals compare like URLs do.
    let normalised = Url::parse(&format!("http://h{path}"))
        .map_err(|e| format!("path `{path}` is invalid: {e}"))?;
    let normalised = normalised.path();
    let mut out = Vec::new();
    for segment in normalised[1..].split('/') {
        if segment == "**" {
            // `a/**/**/b` is the same as `a/**/b`.
            if out.last() != Some(&Segment::AnyDepth) {
                out.push(Segment::AnyDepth);
            }
        } else if segment.contains("**") {
            return Err(format!(
                "`**` must be a whole path segment (`/**/`), not part of `{segment}`"
            ));
        } else if segment.contains('*') {
            let pieces = segment.split('*').map(decode).collect();
            out.push(Segment::Wild(pieces));
        } else {
            out.push(Segment::Literal(decode(segment)));
        }
    }
    Ok(out)
}

fn decode(text: &str) -> Vec<u8> {
    let bytes: Cow<[u8]> = percent_decode_str(text).into();
    bytes.into_owned()
}

fn path_matches(pattern: &[Segment], path: &[&[u8]]) -> bool {
    // failed[i * (path.len() + 1) + j]: pattern[i..] vs path[j..] known not to match.
    let mut failed = vec![false; (pattern.len() + 1) * (path.len() + 1)];
    match_from(pattern, path, 0, 0, &mut failed)
}

fn match_from(
    pattern: &[Segment],
    path: &[&[u8]],
    i: usize,
    j: usize,
    failed: &mut [bool],
) -> bool {
    let slot = i * (path.len() + 1) + j;
    if failed[slot] {
        return false;
    }
    let result = match pattern.get(i) {
        None => j == path.len(),
        Some(Segment::Literal(literal)) => {
            path.get(j).is_some_and(|s| *s == literal.as_slice())
                && match_from(pattern, path, i + 1, j + 1, failed)
        }
        Some(Segment::Wild(pieces)) => {
            path.get(j).is_some_and(|s| wild_matches(pieces, s))
                && match_from(pattern, path, i + 1, j + 1, failed)
        }
        Some(Segment::AnyDepth) => {
            // A trailing `**` needs at least one segment: "what is under the
            // path, not the path itself".
            let min = usize::from(i + 1 == pattern.len());
            (min..=path.len() - j).any(|take| match_from(pattern, path, i + 1, j + take, failed))
        }
    };
    if !result {
        failed[slot] = true;
    }
    result
}

/// `pieces` are the literals around the `*`s of one glob segment.
fn wild_matches(pieces: &[Vec<u8>], segment: &[u8]) -> bool {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if segment.len() < first.len() + last.len()
        || !segment.starts_with(first)
        || !segment.ends_with(last)
    {
        return false;
    }
    // Leftmost match of each middle piece keeps the most room for the rest.
    let mut rest = &segment[first.len()..segment.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match find(rest, piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}
