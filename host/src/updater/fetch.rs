//! Bounded GETs for the updater: HTTPS only (plain HTTP only to loopback,
//! for tests), redirects followed here so each hop obeys the same rule,
//! a connect timeout, a stall timeout (no byte for that long ends the
//! transfer), and a byte cap.
//!
//! The request runs on its own thread and hands over what it reads through
//! a channel; waiting on the channel with a timeout is what detects a stall
//! (a blocking read cannot be interrupted). A thread abandoned after a stall
//! ends when its connection does, or after [`ABANDON_AFTER`].

use std::io::Read;
use std::net::IpAddr;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use ureq::Agent;
use url::Url;

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// Bound on any one request's life, so an abandoned reader thread ends.
const ABANDON_AFTER: Duration = Duration::from_secs(3600);

/// How much a GET may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// To connect.
    pub connect: Duration,
    /// Without receiving a byte (also for the response head).
    pub stall: Duration,
    /// Most bytes accepted.
    pub max_bytes: u64,
    /// When set, the body must be exactly this long.
    pub exact: Option<u64>,
}

enum Message {
    Head {
        status: u16,
        location: Option<String>,
        length: Option<u64>,
    },
    Chunk(Vec<u8>),
    End,
    Fail(String),
}

/// Whether the updater may fetch from `url`: https, or http to loopback.
pub fn check_url(url: &Url) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!(
            "{url} is plain http: updates come over https (http only from loopback, for tests)"
        )),
        other => Err(format!("{url}: `{other}:` is not https")),
    }
}

/// Why a GET failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The body broke the limits (too long, too short, stalled): the
    /// download is refused.
    #[error("{0}")]
    Refused(String),
    /// The request failed (URL, connection, protocol).
    #[error("{0}")]
    Failed(String),
}

impl From<String> for FetchError {
    fn from(reason: String) -> FetchError {
        FetchError::Failed(reason)
    }
}

/// GETs `url`: the final status and the body.
pub fn get(
    url: &str,
    limits: &Limits,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(u16, Vec<u8>), FetchError> {
    let agent: Agent = Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_connect(Some(limits.connect))
        .timeout_global(Some(ABANDON_AFTER))
        .user_agent(concat!("millennium-updater/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut current = Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    for _ in 0..=MAX_REDIRECTS {
        check_url(&current)?;
        let (tx, rx) = sync_channel(8);
        start(agent.clone(), current.to_string(), tx);
        // The head: connect, plus the stall allowance for the answer.
        let (status, location, length) = match rx.recv_timeout(limits.connect + limits.stall) {
            Ok(Message::Head {
                status,
                location,
                length,
            }) => (status, location, length),
            Ok(Message::Fail(reason)) => return Err(reason.into()),
            Ok(_) | Err(RecvTimeoutError::Disconnected) => {
                return Err("the connection ended before a response".to_owned().into());
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no response within {} s",
                    (limits.connect + limits.stall).as_secs()
                )
                .into());
            }
        };
        if (300..400).contains(&status) && status != 304 {
            let location = location.ok_or_else(|| format!("HTTP {status} without a Location"))?;
            current = current
                .join(&location)
                .map_err(|e| format!("redirect to `{location}`: {e}"))?;
            continue;
        }
        if status != 200 {
            // The body of an error page is not needed.
            return Ok((status, Vec::new()));
        }
        let body = read_body(&rx, limits, length, progress)?;
        return Ok((status, body));
    }
    Err(format!("more than {MAX_REDIRECTS} redirects").into())
}

fn read_body(
    rx: &Receiver<Message>,
    limits: &Limits,
    length: Option<u64>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<u8>, FetchError> {
    let (cap, what) = match limits.exact {
        Some(exact) => (exact, "the manifest declares"),
        None => (limits.max_bytes, "accepted"),
    };
    let larger = || {
        FetchError::Refused(format!(
            "the download is larger than the {cap} bytes {what}"
        ))
    };
    if length.is_some_and(|length| length > cap) {
        return Err(larger());
    }
    let mut body = Vec::with_capacity(usize::try_from(length.unwrap_or(0).min(cap)).unwrap_or(0));
    let ended_early = |got: usize, why: &str| match limits.exact {
        Some(exact) => FetchError::Refused(format!(
            "the download ended after {got} of {exact} bytes ({why})"
        )),
        None => FetchError::Failed(format!("the response ended early: {why}")),
    };
    loop {
        match rx.recv_timeout(limits.stall) {
            Ok(Message::Chunk(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > cap {
                    return Err(larger());
                }
                body.extend_from_slice(&chunk);
                progress(chunk.len() as u64, body.len() as u64);
            }
            Ok(Message::End) => break,
            Ok(Message::Fail(reason)) => return Err(ended_early(body.len(), &reason)),
            Ok(Message::Head { .. }) | Err(RecvTimeoutError::Disconnected) => {
                return Err(ended_early(body.len(), "the connection closed"));
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(FetchError::Refused(format!(
                    "no data for {} s (stalled after {} bytes)",
                    limits.stall.as_secs(),
                    body.len()
                )));
            }
        }
    }
    if let Some(exact) = limits.exact
        && body.len() as u64 != exact
    {
        return Err(ended_early(body.len(), "the server closed it"));
    }
    Ok(body)
}

fn start(agent: Agent, url: String, tx: SyncSender<Message>) {
    std::thread::spawn(move || {
        let response = match agent.get(&url).call() {
            Ok(response) => response,
            Err(error) => {
                let _ = tx.send(Message::Fail(describe(&error)));
                return;
            }
        };
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let length = response.body().content_length();
        if tx
            .send(Message::Head {
                status,
                location,
                length,
            })
            .is_err()
            || status != 200
        {
            return;
        }
        let mut reader = response.into_body().into_reader();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let message = match reader.read(&mut buffer) {
                Ok(0) => Message::End,
                Ok(n) => Message::Chunk(buffer[..n].to_vec()),
                Err(error) => Message::Fail(error.to_string()),
            };
            let last = !matches!(message, Message::Chunk(_));
            // The receiver is gone when the download was abandoned.
            if tx.send(message).is_err() || last {
                return;
            }
        }
    });
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect) => "connection timed out".to_owned(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        ureq::Error::HostNotFound => "host not found".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://updates.example.com/latest.json",
            "http://127.0.0.1:8080/latest.json",
            "http://127.3.4.5/x",
            "http://[::1]:9/x",
            "http://localhost/x",
        ] {
            assert!(check_url(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "http://updates.example.com/latest.json",
            "http://10.0.0.1/x",
            "ftp://updates.example.com/x",
            "file:///etc/passwd",
            "http://localhost.evil.example/x",
        ] {
            assert!(check_url(&Url::parse(bad).unwrap()).is_err(), "{bad}");
        }
    }
}
