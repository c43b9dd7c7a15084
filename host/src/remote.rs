//! `[security] dangerous-remote-domain-ipc-access`: the remote pages that may
//! use IPC, and in which windows.
//!
//! Least privilege: a grant names one host name and the windows it applies
//! to. A page qualifies only when it is the main frame of one of those
//! windows and its URL is `https://<domain>[:port]/...` (or `http://` when
//! the domain is a loopback address, for tests). Each grant has its own
//! invoke key, so a key that leaks from a remote page is worth nothing in an
//! app page or in another window, and its messages still pass the same gate
//! and allowlist as the app's. The fetch channel stays app-only: remote pages
//! use `postMessage`.

use std::net::Ipv4Addr;

use millennium_config::model::RemoteDomainAccess;

use crate::ipc::InvokeKey;

/// One grant of the config, with its own key.
#[derive(Debug, Clone)]
pub struct RemoteGrant {
    /// The host name, lower-case.
    pub domain: String,
    /// Labels of the windows it applies to.
    pub windows: Vec<String>,
    /// Inject `window.Millennium` (otherwise only `window.__MILLENNIUM_IPC__`).
    pub api: bool,
    /// The key its pages present.
    pub key: InvokeKey,
}

impl RemoteGrant {
    /// Whether pages of this domain may also be served over plain `http`.
    pub fn allows_http(&self) -> bool {
        is_loopback(&self.domain)
    }

    /// Whether `url`, shown in window `label`, is covered by this grant.
    pub fn covers(&self, label: &str, url: &str) -> bool {
        self.windows.iter().any(|w| w == label)
            && ["https", "http"]
                .into_iter()
                .filter(|scheme| *scheme == "https" || self.allows_http())
                .any(|scheme| {
                    host_of(url, scheme).is_some_and(|h| h.eq_ignore_ascii_case(&self.domain))
                })
    }
}

/// Every grant of the config, in config order.
#[derive(Debug, Clone, Default)]
pub struct RemoteGrants(Vec<RemoteGrant>);

impl RemoteGrants {
    /// Mints one key per grant.
    pub fn new(config: &[RemoteDomainAccess]) -> Result<RemoteGrants, getrandom::Error> {
        config
            .iter()
            .map(|access| {
                Ok(RemoteGrant {
                    domain: access.domain.to_ascii_lowercase(),
                    windows: access.windows.clone(),
                    api: access.enable_millennium_api,
                    key: InvokeKey::generate()?,
                })
            })
            .collect::<Result<Vec<_>, getrandom::Error>>()
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

/// The host of `url` when its scheme is exactly `scheme`; `None` when the URL
/// has user info (`https://app.example.com@evil.com/`) or a malformed port,
/// so anything unusual is refused rather than guessed at.
fn host_of<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let rest = url.strip_prefix(scheme)?.strip_prefix("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(host)
        }
        Some(_) => None,
        None => Some(authority),
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
        }])
        .unwrap()
    }

    #[test]
    fn https_on_the_exact_domain_in_a_listed_window() {
        let g = grants("App.Example.com", &["main"]);
        assert_eq!(g.find("main", "https://app.example.com/"), Some(0));
        assert_eq!(
            g.find("main", "https://app.example.com:8443/x?y#z"),
            Some(0)
        );
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
            "wss://app.example.com/",
            "millennium://localhost/",
            "",
        ] {
            assert_eq!(g.find("main", url), None, "{url}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_domains() {
        let g = grants("127.0.0.1", &["main"]);
        assert_eq!(g.find("main", "http://127.0.0.1:8080/page.html"), Some(0));
        assert_eq!(g.find("main", "https://127.0.0.1/"), Some(0));
        assert_eq!(g.find("main", "http://127.0.0.2/"), None);
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
        };
        let g = RemoteGrants::new(&[access("a.dev"), access("b.dev")]).unwrap();
        let (a, b) = (g.get(0).unwrap(), g.get(1).unwrap());
        assert!(!a.key.matches(b.key.as_str()));
        assert_eq!(g.for_window("main").count(), 2);
        assert_eq!(g.for_window("other").count(), 0);
    }
}
