//! `[security] dangerous-remote-domain-ipc-access`: the remote pages that may
//! use IPC, and in which windows.
//!
//! Least privilege: a grant names one host (and port) and the windows it
//! applies to. A page qualifies only when it is the main frame of one of
//! those windows and its URL is `https://<domain>/...` on the grant's port
//! (443 when the grant names none), or `http://` when the domain is a
//! loopback address (port 80 when none is named). The URL is matched by the
//! one URL-glob matcher ([`millennium_config::url_glob`]): parsed first,
//! user info refused, host and port compared apart. Each grant has its own
//! invoke key, so a key that leaks from a remote page is worth nothing in an
//! app page or in another window, and its messages still pass the same gate
//! and allowlist as the app's. The fetch channel stays app-only: remote pages
//! use `postMessage`.

use std::net::Ipv4Addr;

use millennium_config::model::RemoteDomainAccess;
use millennium_config::url_glob::UrlGlobs;

use crate::ipc::InvokeKey;

/// One grant of the config, with its own key.
#[derive(Debug, Clone)]
pub struct RemoteGrant {
    /// The host name, lower-case.
    pub domain: String,
    /// The port the grant names; `None`: the scheme's default port.
    pub port: Option<u16>,
    /// Labels of the windows it applies to.
    pub windows: Vec<String>,
    /// Inject `window.Millennium` (otherwise only `window.__MILLENNIUM_IPC__`).
    pub api: bool,
    /// The events its pages may emit (into their own window) and hear.
    pub events: Vec<String>,
    /// The sidecars its pages may call and hear (within the sidecar scope).
    pub sidecars: Vec<String>,
    /// The key its pages present.
    pub key: InvokeKey,
    /// `https://<domain>[:port]/**` (and `http://` for loopback).
    pages: UrlGlobs,
}

impl RemoteGrant {
    /// Whether pages of this domain may also be served over plain `http`.
    pub fn allows_http(&self) -> bool {
        is_loopback(&self.domain)
    }

    /// Whether `url`, shown in window `label`, is covered by this grant.
    pub fn covers(&self, label: &str, url: &str) -> bool {
        self.windows.iter().any(|w| w == label) && self.pages.allows_text(url)
    }
}

/// Every grant of the config, in config order.
#[derive(Debug, Clone, Default)]
pub struct RemoteGrants(Vec<RemoteGrant>);

/// Why the grants cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The OS random source failed.
    #[error("cannot generate a grant's key: {0}")]
    Random(getrandom::Error),
    /// A domain the checker would have refused.
    #[error(
        "dangerous-remote-domain-ipc-access domain `{0}` is not a host name with an optional port"
    )]
    Domain(String),
}

impl RemoteGrants {
    /// Mints one key per grant.
    pub fn new(config: &[RemoteDomainAccess]) -> Result<RemoteGrants, GrantError> {
        config
            .iter()
            .map(|access| {
                let (host, port) = access
                    .host_and_port()
                    .ok_or_else(|| GrantError::Domain(access.domain.clone()))?;
                let domain = host.to_ascii_lowercase();
                let authority = match port {
                    Some(port) => format!("{domain}:{port}"),
                    None => domain.clone(),
                };
                let mut globs = vec![format!("https://{authority}/**")];
                if is_loopback(&domain) {
                    globs.push(format!("http://{authority}/**"));
                }
                let pages =
                    UrlGlobs::new(&globs).map_err(|_| GrantError::Domain(access.domain.clone()))?;
                Ok(RemoteGrant {
                    domain,
                    port,
                    windows: access.windows.clone(),
                    api: access.enable_millennium_api,
                    events: access.events.iter().map(|e| e.0.clone()).collect(),
                    sidecars: access.sidecars.clone(),
                    key: InvokeKey::generate().map_err(GrantError::Random)?,
                    pages,
                })
            })
            .collect::<Result<Vec<_>, GrantError>>()
            .map(RemoteGrants)
    }

    /// The first grant covering `url` in window `label`.
    pub fn find(&self, label: &str, url: &str) -> Option<usize> {
        self.0.iter().position(|grant| grant.covers(label, url))
    }

    /// The grant at `index`.
    pub fn get(&self, index: usize) -> Option<&RemoteGrant> {
        self.0.get(index)
    }

    /// The grants that apply to window `label` (what its bridge must know).
    pub fn for_window<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a RemoteGrant> {
        self.0
            .iter()
            .filter(move |g| g.windows.iter().any(|w| w == label))
    }
}

/// `localhost` or an IPv4 loopback address (what the config accepts as a host name).
fn is_loopback(domain: &str) -> bool {
    domain == "localhost" || domain.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(domain: &str, windows: &[&str]) -> RemoteGrants {
        RemoteGrants::new(&[RemoteDomainAccess {
            domain: domain.to_owned(),
            windows: windows.iter().map(|w| (*w).to_owned()).collect(),
            enable_millennium_api: false,
            events: Vec::new(),
            sidecars: Vec::new(),
        }])
        .unwrap()
    }

    #[test]
    fn https_on_the_exact_domain_in_a_listed_window() {
        let g = grants("App.Example.com", &["main"]);
        assert_eq!(g.find("main", "https://app.example.com/"), Some(0));
        assert_eq!(g.find("main", "https://app.example.com/x?y#z"), Some(0));
        assert_eq!(g.find("main", "https://app.example.com:443/x"), Some(0));
        assert_eq!(g.find("main", "https://app.example.com"), Some(0));
        assert_eq!(g.find("other", "https://app.example.com/"), None);
        for url in [
            "http://app.example.com/",
            "https://evil.com/app.example.com",
            "https://app.example.com.evil.com/",
            "https://sub.app.example.com/",
            "https://app.example.com@evil.com/",
            "https://evil.com#@app.example.com",
            "https://app.example.com:x/",
            // Regression (security review): the port was not compared.
            "https://app.example.com:8443/x",
            "wss://app.example.com/",
            "millennium://localhost/",
            "",
        ] {
            assert_eq!(g.find("main", url), None, "{url}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_domains() {
        let g = grants("127.0.0.1:8080", &["main"]);
        assert_eq!(g.find("main", "http://127.0.0.1:8080/page.html"), Some(0));
        assert_eq!(g.find("main", "https://127.0.0.1:8080/"), Some(0));
        assert_eq!(g.find("main", "http://127.0.0.2:8080/"), None);
        // Another program's server on another port of the same machine.
        assert_eq!(g.find("main", "http://127.0.0.1:9090/"), None);
        assert_eq!(g.find("main", "http://127.0.0.1/"), None);
        let default = grants("localhost", &["main"]);
        assert_eq!(default.find("main", "http://localhost/"), Some(0));
        assert_eq!(default.find("main", "http://localhost:8080/"), None);
        assert!(grants("localhost", &["main"]).get(0).unwrap().allows_http());
        assert!(
            !grants("example.com", &["main"])
                .get(0)
                .unwrap()
                .allows_http()
        );
        assert!(!grants("10.0.0.1", &["main"]).get(0).unwrap().allows_http());
    }

    #[test]
    fn every_grant_has_its_own_key() {
        let access = |d: &str| RemoteDomainAccess {
            domain: d.to_owned(),
            windows: vec!["main".to_owned()],
            enable_millennium_api: true,
            events: Vec::new(),
            sidecars: Vec::new(),
        };
        let g = RemoteGrants::new(&[access("a.dev"), access("b.dev")]).unwrap();
        let (a, b) = (g.get(0).unwrap(), g.get(1).unwrap());
        assert!(!a.key.matches(b.key.as_str()));
        assert_eq!(g.for_window("main").count(), 2);
        assert_eq!(g.for_window("other").count(), 0);
    }
}
