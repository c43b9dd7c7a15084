//! `Millennium.http`: an HTTP client the host runs for the page, limited to
//! the URLs of `[allowlist.http] scope` (see [`scope`] for the glob rules).
//!
//! [`HttpApi::request`] blocks, so callers run it on a worker thread, never
//! on the UI thread. One `ureq` agent is built per app and shared, so
//! connections are pooled across requests.
//!
//! # What is checked, and when
//!
//! - Before anything is sent: the method (an HTTP token; `CONNECT`, `TRACE`
//!   and `TRACK` refused as fetch refuses them), every header name and value
//!   (`Host`, `Content-Length`, `Connection` and the other framing and
//!   hop-by-hop headers belong to the client, not the page), the URL (parsed and normalised, query pairs appended, fragment dropped)
//!   against the scope.
//! - Redirects are followed here, not by `ureq`: at most [`MAX_REDIRECTS`]
//!   hops, each `Location` checked against the scope before it is requested.
//!   303, and 301/302 after a POST, continue as a GET without the body and
//!   its `Content-*` headers; 307 and 308 keep the method and body. When a
//!   redirect leaves the origin, `Authorization`, `Cookie` and
//!   `Proxy-Authorization` are dropped, as browsers do.
//! - Time: connecting may take [`CONNECT_TIMEOUT`]; the whole request,
//!   redirects and response body included, [`DEFAULT_TIMEOUT`] unless the
//!   request sets its own. A server that accepts and then stalls hits it.
//! - Size: a response body over [`MAX_RESPONSE_BYTES`] (after gzip
//!   decoding) is an error; nothing of it is returned.
//!
//! A status outside 2xx is a response, not an error: the page sees it with
//! `ok = false`. Errors are for requests that got no complete response.
//! System proxy variables (`HTTPS_PROXY`, `NO_PROXY`, ...) are honoured.

pub mod client;
mod command;
pub mod scope;

pub use command::{HttpBodyArg, HttpCommand, HttpRequestArgs, HttpResponseType};

use std::time::Duration;

pub use client::HttpApi;
pub use scope::{HttpScope, HttpScopeError, SCOPE_KEY, UrlRefusal};

/// Largest response body kept, after decoding: 256 MiB. The bytes are held
/// in memory and then handed to the page, so the cap bounds what one request
/// can make the host allocate.
pub const MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// Whole-request budget when the request sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Budget for establishing each connection (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// The `User-Agent` sent unless the page sets one.
pub const USER_AGENT: &str = concat!("millennium/", env!("CARGO_PKG_VERSION"));

/// One request from the page.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PATCH`, ... or a custom token such as `PROPFIND`.
    /// `get`, `post` and the other standard methods are upper-cased; a
    /// custom method is sent as written.
    pub method: String,
    /// An absolute `http:` or `https:` URL.
    pub url: String,
    /// Appended to the URL's query string, form-urlencoded.
    pub query: Vec<(String, String)>,
    /// Sent in order; a name may repeat.
    pub headers: Vec<(String, String)>,
    /// Sets `Content-Type` unless `headers` has one.
    pub body: Option<HttpBody>,
    /// The whole request, redirects and body included; [`DEFAULT_TIMEOUT`]
    /// when `None`.
    pub timeout: Option<Duration>,
}

impl HttpRequest {
    /// A request with no query, headers or body, and the default timeout.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            timeout: None,
        }
    }
}

/// A request body, and the `Content-Type` it implies.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpBody {
    /// UTF-8 text, `text/plain;charset=UTF-8`.
    Text(String),
    /// Serialised JSON, `application/json`.
    Json(serde_json::Value),
    /// Raw bytes, `application/octet-stream`.
    Bytes(Vec<u8>),
    /// Form-urlencoded pairs, `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
}

impl HttpBody {
    fn encode(self) -> Result<(Vec<u8>, &'static str), HttpError> {
        Ok(match self {
            HttpBody::Text(text) => (text.into_bytes(), "text/plain;charset=UTF-8"),
            HttpBody::Json(value) => (
                serde_json::to_vec(&value).map_err(|e| HttpError::InvalidBody(e.to_string()))?,
                "application/json",
            ),
            HttpBody::Bytes(bytes) => (bytes, "application/octet-stream"),
            HttpBody::Form(pairs) => (
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish()
                    .into_bytes(),
                "application/x-www-form-urlencoded",
            ),
        })
    }
}

/// The final response, after redirects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The URL that answered (the last redirect target).
    pub url: String,
    /// Any status, 2xx or not.
    pub status: u16,
    /// Lower-case names in the order received; values decoded lossily as
    /// UTF-8. `Content-Encoding` is gone when the client decoded gzip.
    pub headers: Vec<(String, String)>,
    /// The whole body, decoded.
    pub body: Vec<u8>,
}

/// Why a request failed; the message is what the JS promise rejects with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpError {
    /// The URL does not parse, or the client cannot send it.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The scope refused the URL; nothing was sent.
    #[error(transparent)]
    Refused(#[from] UrlRefusal),
    /// The scope refused a redirect target; it was not requested.
    #[error("redirect from {from} refused: {reason}")]
    RedirectRefused {
        /// The URL that answered with the redirect.
        from: String,
        /// Why the target was refused (names the target).
        reason: UrlRefusal,
    },
    /// A `Location` header that is not a URL.
    #[error("redirect from {from} to `{location}` is invalid: {reason}")]
    InvalidRedirect {
        /// The URL that answered with the redirect.
        from: String,
        /// The header, lossily decoded.
        location: String,
        /// Why.
        reason: String,
    },
    /// More than [`MAX_REDIRECTS`] hops.
    #[error("too many redirects (more than {max}); the last one came from {from}")]
    TooManyRedirects {
        /// The URL that answered with the redirect one too many.
        from: String,
        /// The limit.
        max: usize,
    },
    /// Not an HTTP token, or a refused method.
    #[error("invalid HTTP method {method:?}: {reason}")]
    InvalidMethod {
        /// The method as given.
        method: String,
        /// Why.
        reason: &'static str,
    },
    /// A header name or value that cannot be sent.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The name as given.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A zero or absurd timeout.
    #[error("invalid timeout: {0}")]
    InvalidTimeout(&'static str),
    /// A body that cannot be encoded.
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    /// The whole-request budget ran out.
    #[error("request to {url} timed out after {} s", seconds(*.after))]
    Timeout {
        /// The URL being requested when time ran out.
        url: String,
        /// The budget.
        after: Duration,
    },
    /// Connecting took longer than [`CONNECT_TIMEOUT`].
    #[error("connecting to {url} timed out after {} s", seconds(*.after))]
    ConnectTimeout {
        /// The URL being requested.
        url: String,
        /// The connect budget.
        after: Duration,
    },
    /// Nothing listens there.
    #[error("connection to {url} refused")]
    ConnectionRefused {
        /// The URL being requested.
        url: String,
    },
    /// DNS found no address.
    #[error("cannot resolve host `{host}` of {url}")]
    HostNotFound {
        /// The URL being requested.
        url: String,
        /// Its host.
        host: String,
    },
    /// The connection failed or broke.
    #[error("connection to {url} failed: {message}")]
    Connection {
        /// The URL being requested.
        url: String,
        /// What happened, in words.
        message: String,
    },
    /// TLS handshake or certificate failure.
    #[error("TLS error with {url}: {message}")]
    Tls {
        /// The URL being requested.
        url: String,
        /// What happened, in words.
        message: String,
    },
    /// The server answered with something that is not valid HTTP.
    #[error("{url} did not answer with valid HTTP: {message}")]
    Protocol {
        /// The URL being requested.
        url: String,
        /// What was wrong, in words.
        message: String,
    },
    /// The response body is over the limit; none of it is returned.
    #[error("the response body from {url} exceeds the {} limit", size(*.limit))]
    BodyTooLarge {
        /// The URL that answered.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Anything else the client reported.
    #[error("request to {url} failed: {message}")]
    Other {
        /// The URL being requested.
        url: String,
        /// What happened, in words.
        message: String,
    },
}

fn seconds(duration: Duration) -> String {
    format!("{}", duration.as_secs_f64())
}

fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}
