//! The `[allowlist.http] scope`: the workspace's one URL-glob matcher
//! ([`millennium_config::url_glob`], which documents the glob syntax), with
//! refusals that name the config key.

use millennium_config::url_glob::{UrlGlobs, UrlMismatch, without_userinfo};
use url::Url;

/// The config key every refusal names.
pub const SCOPE_KEY: &str = "[allowlist.http] scope";

/// A scope glob that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{SCOPE_KEY} glob `{glob}`: {reason}")]
pub struct HttpScopeError {
    /// The glob as written in the config.
    pub glob: String,
    /// Why it cannot be used.
    pub reason: String,
}

/// Why a request URL (or a redirect target) was refused by the scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    /// Not `http:` or `https:`.
    #[error("{0} is not an http or https URL")]
    NotHttp(String),
    /// `user:pass@` in the URL (shown without them).
    #[error(
        "{0}: URLs with a user name or password are refused; send an Authorization header instead"
    )]
    Userinfo(String),
    /// `%2F` or `%5C` in the path.
    #[error("{0}: an encoded `/` or `\\` (%2F, %5C) in the path is refused")]
    EncodedSeparator(String),
    /// No glob matches.
    #[error("{0} is not in {SCOPE_KEY}")]
    OutOfScope(String),
}

/// The compiled http scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpScope(UrlGlobs);

impl HttpScope {
    /// Compiles the globs; the error names the bad glob and why.
    pub fn new(globs: &[String]) -> Result<HttpScope, HttpScopeError> {
        UrlGlobs::new(globs)
            .map(HttpScope)
            .map_err(|error| HttpScopeError {
                glob: error.glob,
                reason: error.reason,
            })
    }

    /// Whether `url` may be requested.
    pub fn allows(&self, url: &Url) -> bool {
        self.0.allows(url)
    }

    /// Like [`HttpScope::allows`], with the reason for a refusal.
    pub fn check(&self, url: &Url) -> Result<(), UrlRefusal> {
        self.0.check(url).map_err(|mismatch| match mismatch {
            UrlMismatch::NotHttp => UrlRefusal::NotHttp(url.to_string()),
            UrlMismatch::Userinfo => UrlRefusal::Userinfo(without_userinfo(url)),
            UrlMismatch::EncodedSeparator => UrlRefusal::EncodedSeparator(url.to_string()),
            UrlMismatch::NoMatch => UrlRefusal::OutOfScope(url.to_string()),
        })
    }
}

#[cfg(test)]
#[path = "scope_tests.rs"]
mod tests;
