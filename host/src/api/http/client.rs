//! [`HttpApi`]: validation of the page's request, the exchange through
//! `ureq`, redirects checked hop by hop, and errors in the page's terms.

use std::io;
use std::time::{Duration, Instant};

use ureq::http::{self, HeaderMap, HeaderName, HeaderValue, Method, header};
use ureq::{Agent, AsSendBody, Body};
use url::Url;

use super::scope::HttpScope;
use millennium_config::url_glob::without_userinfo;
use super::{
    CONNECT_TIMEOUT, DEFAULT_TIMEOUT, HttpError, HttpRequest, HttpResponse, MAX_REDIRECTS,
    MAX_RESPONSE_BYTES, USER_AGENT,
};

/// Headers the client owns: the page setting them would either break the
/// message framing or, for `Host`, reach a different site than the scope
/// checked.
const CLIENT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
];

/// Headers describing a request body, dropped with it on a redirect to GET.
const BODY_HEADERS: &[&str] = &[
    "content-type",
    "content-encoding",
    "content-language",
    "content-location",
];

/// Credentials that must not follow a redirect to another origin.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization"];

/// The http API of a running app: the scope and one shared client.
#[derive(Debug, Clone)]
pub struct HttpApi {
    scope: HttpScope,
    agent: Agent,
    max_body_bytes: u64,
}

impl HttpApi {
    /// The API for `scope`, with [`MAX_RESPONSE_BYTES`].
    pub fn new(scope: HttpScope) -> HttpApi {
        HttpApi::build(scope, MAX_RESPONSE_BYTES, true)
    }

    /// The API with another response body cap, for tests that should not
    /// need 256 MiB to cross it.
    pub fn with_max_body_bytes(scope: HttpScope, max_body_bytes: u64) -> HttpApi {
        HttpApi::build(scope, max_body_bytes, true)
    }

    /// `proxy_from_env` is false in this module's tests, whose servers on
    /// 127.0.0.1 must not be reached through whatever proxy the machine has.
    fn build(scope: HttpScope, max_body_bytes: u64, proxy_from_env: bool) -> HttpApi {
        let mut config = Agent::config_builder()
            // Every hop is checked against the scope here, so ureq follows none.
            .max_redirects(0)
            .save_redirect_history(false)
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .user_agent(USER_AGENT);
        if !proxy_from_env {
            config = config.proxy(None);
        }
        HttpApi {
            scope,
            agent: Agent::new_with_config(config.build()),
            max_body_bytes,
        }
    }

    /// The scope requests are checked against.
    pub fn scope(&self) -> &HttpScope {
        &self.scope
    }

    /// Sends the request and reads the whole response. Blocking; runs on a
    /// worker thread.
    pub fn request(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let budget = request.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if budget.is_zero() {
            return Err(HttpError::InvalidTimeout("it must be more than zero"));
        }
        let deadline = Instant::now()
            .checked_add(budget)
            .ok_or(HttpError::InvalidTimeout("it is too large"))?;
        let mut outgoing = Outgoing::new(request)?;
        self.scope.check(&outgoing.url)?;
        let mut redirects = 0;
        loop {
            let url = &outgoing.url;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(HttpError::Timeout {
                    url: url.to_string(),
                    after: budget,
                });
            }
            let fail = |error| classify(error, url, budget, self.max_body_bytes);
            let response = self.send(&outgoing, remaining)?.map_err(fail)?;
            let Some(next) = redirect_target(&response, url)? else {
                return self.read_response(response, url).map_err(fail);
            };
            if redirects == MAX_REDIRECTS {
                return Err(HttpError::TooManyRedirects {
                    from: url.to_string(),
                    max: MAX_REDIRECTS,
                });
            }
            redirects += 1;
            self.scope
                .check(&next)
                .map_err(|reason| HttpError::RedirectRefused {
                    from: url.to_string(),
                    reason,
                })?;
            outgoing.redirect(response.status().as_u16(), next);
        }
    }

    /// The final response, with the body read up to the cap.
    fn read_response(
        &self,
        mut response: http::Response<Body>,
        url: &Url,
    ) -> Result<HttpResponse, ureq::Error> {
        let limit = self.max_body_bytes;
        if response
            .body()
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(ureq::Error::BodyExceedsLimit(limit));
        }
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()?;
        Ok(HttpResponse {
            url: url.to_string(),
            status: response.status().as_u16(),
            headers,
            body,
        })
    }

    /// One exchange. The outer error is ours (nothing was sent), the inner
    /// one the client's.
    fn send(
        &self,
        outgoing: &Outgoing,
        budget: Duration,
    ) -> Result<Result<http::Response<Body>, ureq::Error>, HttpError> {
        let url = &outgoing.url;
        let uri = http::Uri::try_from(url.as_str()).map_err(|e| HttpError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let mut builder = http::Request::builder()
            .method(outgoing.method.clone())
            .uri(uri);
        if let Some(map) = builder.headers_mut() {
            map.extend(outgoing.headers.clone());
        }
        let built = match &outgoing.body {
            Some(bytes) => builder.body(bytes.as_slice()).map(|r| self.run(r, budget)),
            None => builder.body(()).map(|r| self.run(r, budget)),
        };
        built.map_err(|e| HttpError::Other {
            url: url.to_string(),
            message: e.to_string(),
        })
    }

    fn run(
        &self,
        request: http::Request<impl AsSendBody>,
        budget: Duration,
    ) -> Result<http::Response<Body>, ureq::Error> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(budget))
            .build();
        self.agent.run(request)
    }
}

/// What is sent next: the page's request, validated, as redirects change it.
#[derive(Debug)]
struct Outgoing {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Outgoing {
    /// Validates everything the page gave; the scope is checked by the caller.
    fn new(request: HttpRequest) -> Result<Outgoing, HttpError> {
        let method = parse_method(&request.method)?;
        let mut headers = header_map(&request.headers)?;
        let mut url = Url::parse(&request.url).map_err(|e| HttpError::InvalidUrl {
            url: request.url.clone(),
            reason: e.to_string(),
        })?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        url.set_fragment(None);
        let body = match request.body {
            Some(body) => {
                let (bytes, content_type) = body.encode()?;
                if !headers.contains_key(header::CONTENT_TYPE) {
                    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                }
                Some(bytes)
            }
            // `Content-Length: 0`, which some servers require, as fetch does.
            None if [Method::POST, Method::PUT, Method::PATCH].contains(&method) => {
                Some(Vec::new())
            }
            None => None,
        };
        Ok(Outgoing {
            method,
            url,
            headers,
            body,
        })
    }

    /// Becomes the request for `next` after a `status` redirect, by fetch's
    /// rules.
    fn redirect(&mut self, status: u16, next: Url) {
        let to_get = match status {
            303 => self.method != Method::HEAD,
            301 | 302 => self.method == Method::POST,
            _ => false,
        };
        if to_get {
            self.method = Method::GET;
            self.body = None;
            for name in BODY_HEADERS {
                self.headers.remove(*name);
            }
        }
        if next.origin() != self.url.origin() {
            for name in CREDENTIAL_HEADERS {
                self.headers.remove(*name);
            }
        }
        self.url = next;
    }
}

/// The next URL when `response` is a redirect with a `Location`.
fn redirect_target(response: &http::Response<Body>, from: &Url) -> Result<Option<Url>, HttpError> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers().get(header::LOCATION) else {
        // Nowhere to go: the page gets the 3xx as it is.
        return Ok(None);
    };
    let invalid = |reason: String| HttpError::InvalidRedirect {
        from: from.to_string(),
        location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
        reason,
    };
    let text = std::str::from_utf8(location.as_bytes())
        .map_err(|_| invalid("the Location header is not UTF-8".to_owned()))?;
    let mut next = from.join(text).map_err(|e| invalid(e.to_string()))?;
    next.set_fragment(None);
    Ok(Some(next))
}

fn parse_method(method: &str) -> Result<Method, HttpError> {
    let invalid = |reason| HttpError::InvalidMethod {
        method: method.to_owned(),
        reason,
    };
    if method.is_empty() {
        return Err(invalid("it is empty"));
    }
    if !method.bytes().all(is_token_byte) {
        return Err(invalid(
            "only letters, digits and !#$%&'*+-.^_`|~ are allowed",
        ));
    }
    const STANDARD: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
    const REFUSED: &[&str] = &["CONNECT", "TRACE", "TRACK"];
    if REFUSED.iter().any(|m| m.eq_ignore_ascii_case(method)) {
        return Err(invalid("CONNECT, TRACE and TRACK are not allowed"));
    }
    let method = match STANDARD.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        Some(standard) => standard,
        None => method,
    };
    Method::from_bytes(method.as_bytes()).map_err(|_| invalid("not a valid HTTP method"))
}

/// RFC 9110 `tchar`.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, HttpError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let invalid = |reason| HttpError::InvalidHeader {
            name: name.clone(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("the name is empty"));
        }
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid("a name may only contain letters, digits and !#$%&'*+-.^_`|~"))?;
        if CLIENT_HEADERS.contains(&parsed.as_str()) {
            return Err(invalid(
                "it is set by the HTTP client and cannot be set by the page",
            ));
        }
        let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
            invalid("the value contains a control character (CR, LF, NUL or another one)")
        })?;
        map.append(parsed, value);
    }
    Ok(map)
}

/// The client's error, in the page's terms.
fn classify(error: ureq::Error, url: &Url, budget: Duration, max_body: u64) -> HttpError {
    let shown = without_userinfo(url);
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect) => HttpError::ConnectTimeout {
            url: shown,
            after: CONNECT_TIMEOUT,
        },
        ureq::Error::Timeout(_) => HttpError::Timeout {
            url: shown,
            after: budget,
        },
        ureq::Error::BodyExceedsLimit(_) => HttpError::BodyTooLarge {
            url: shown,
            limit: max_body,
        },
        ureq::Error::HostNotFound => HttpError::HostNotFound {
            host: url.host_str().unwrap_or_default().to_owned(),
            url: shown,
        },
        ureq::Error::Io(error) => match error.kind() {
            io::ErrorKind::ConnectionRefused => HttpError::ConnectionRefused { url: shown },
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => HttpError::Timeout {
                url: shown,
                after: budget,
            },
            _ => HttpError::Connection {
                url: shown,
                message: network_message(&error),
            },
        },
        ureq::Error::ConnectionFailed => HttpError::Connection {
            url: shown,
            message: "no connection could be made".to_owned(),
        },
        ureq::Error::Protocol(error) => HttpError::Protocol {
            url: shown,
            message: error.to_string(),
        },
        ureq::Error::LargeResponseHeader(size, limit) => HttpError::Protocol {
            url: shown,
            message: format!("response headers of {size} bytes exceed the {limit} bytes limit"),
        },
        ureq::Error::Decompress(encoding, error) => HttpError::Protocol {
            url: shown,
            message: format!("cannot decode the {encoding} body: {error}"),
        },
        error @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
            HttpError::Tls {
                url: shown,
                message: error.to_string(),
            }
        }
        ureq::Error::BadUri(reason) => HttpError::InvalidUrl { url: shown, reason },
        error => HttpError::Other {
            url: shown,
            message: error.to_string(),
        },
    }
}

/// A network error in words, without the `(os error N)` suffix.
fn network_message(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::ConnectionReset => "connection reset by the server".to_owned(),
        io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
        io::ErrorKind::UnexpectedEof => "the server closed the connection early".to_owned(),
        io::ErrorKind::HostUnreachable => "host unreachable".to_owned(),
        io::ErrorKind::NetworkUnreachable => "network unreachable".to_owned(),
        io::ErrorKind::AddrNotAvailable => "address not available".to_owned(),
        io::ErrorKind::BrokenPipe => "the server closed the connection".to_owned(),
        _ => crate::api::fs::scope::os_error_text(error),
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
