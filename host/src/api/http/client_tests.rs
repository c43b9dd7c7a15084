//! Unit tests of the http client, against servers on 127.0.0.1 that misbehave on purpose.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use super::*;
use crate::api::http::HttpBody;
use crate::api::http::scope::UrlRefusal;

/// A request as the test server saw it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the test server does with one connection.
enum Reply {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Writes these bytes, then holds the connection open without a word.
    Stall(Vec<u8>),
}

/// A well-formed response that closes the connection.
fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

struct Server {
    /// `http://127.0.0.1:PORT`.
    base: String,
    port: u16,
    received: mpsc::Receiver<Received>,
}

impl Server {
    fn next(&self) -> Received {
        self.received
            .recv_timeout(Duration::from_secs(5))
            .expect("the server saw no request")
    }
}

/// Serves up to `connections` connections on 127.0.0.1, each answered by
/// `reply(request, base)`. The thread gives up after 10 s, and holds a
/// stalled connection for at most 4 s.
fn serve(
    connections: usize,
    mut reply: impl FnMut(&Received, &str) -> Reply + Send + 'static,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let (sender, received) = mpsc::channel();
    let thread_base = base.clone();
    listener.set_nonblocking(true).unwrap();
    thread::spawn(move || {
        let give_up = Instant::now() + Duration::from_secs(10);
        let mut served = 0;
        while served < connections && Instant::now() < give_up {
            let mut stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
                Err(_) => return,
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(4)))
                .unwrap();
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            let answer = reply(&request, &thread_base);
            let _ = sender.send(request);
            match answer {
                Reply::Raw(bytes) => {
                    let _ = stream.write_all(&bytes);
                }
                Reply::Stall(bytes) => {
                    let _ = stream.write_all(&bytes);
                    thread::sleep(Duration::from_secs(4));
                }
            }
        }
    });
    Server {
        base,
        port,
        received,
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut chunk = [0; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(data[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

fn api(globs: &[String]) -> HttpApi {
    HttpApi::build(HttpScope::new(globs).unwrap(), MAX_RESPONSE_BYTES, false)
}

fn api_for(server: &Server) -> HttpApi {
    api(&[format!("{}/**", server.base)])
}

fn ok(body: &[u8]) -> Reply {
    response("200 OK", &[("Content-Type", "text/plain")], body)
}

#[test]
fn get_sends_query_and_headers() {
    let server = serve(1, |_, _| ok(b"hello"));
    let mut request = HttpRequest::new("get", format!("{}/search?a=1#frag", server.base));
    request.query = vec![
        ("q".into(), "a b&c=d/é".into()),
        ("empty".into(), String::new()),
    ];
    request.headers = vec![
        ("X-Token".into(), "secret value".into()),
        ("Accept".into(), "text/plain".into()),
        ("x-multi".into(), "1".into()),
        ("x-multi".into(), "2".into()),
    ];
    let response = api_for(&server).request(request).unwrap();
    let seen = server.next();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, "/search?a=1&q=a+b%26c%3Dd%2F%C3%A9&empty=");
    assert_eq!(seen.header("x-token"), Some("secret value"));
    assert_eq!(seen.header("accept"), Some("text/plain"));
    assert_eq!(seen.header("user-agent"), Some(USER_AGENT));
    let multi: Vec<&str> = seen
        .headers
        .iter()
        .filter(|(n, _)| n == "x-multi")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(multi, ["1", "2"]);
    assert!(seen.header("content-length").is_none(), "{seen:?}");
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"hello");
    assert_eq!(
        response.url,
        format!("{}/search?a=1&q=a+b%26c%3Dd%2F%C3%A9&empty=", server.base)
    );
    assert!(
        response
            .headers
            .contains(&("content-type".to_owned(), "text/plain".to_owned()))
    );
}

#[test]
fn bodies_arrive_with_their_content_type() {
    let cases = [
        (
            HttpBody::Json(serde_json::json!({"a": [1, "two"], "b": null})),
            br#"{"a":[1,"two"],"b":null}"#.to_vec(),
            "application/json",
        ),
        (
            HttpBody::Bytes(vec![0, 159, 146, 150, 255]),
            vec![0, 159, 146, 150, 255],
            "application/octet-stream",
        ),
        (
            HttpBody::Form(vec![
                ("name".into(), "Ada Lovelace".into()),
                ("x".into(), "1&2=3".into()),
            ]),
            b"name=Ada+Lovelace&x=1%262%3D3".to_vec(),
            "application/x-www-form-urlencoded",
        ),
        (
            HttpBody::Text("héllo".into()),
            "héllo".as_bytes().to_vec(),
            "text/plain;charset=UTF-8",
        ),
    ];
    for (body, bytes, content_type) in cases {
        let server = serve(1, |_, _| ok(b""));
        let mut request = HttpRequest::new("POST", format!("{}/in", server.base));
        request.body = Some(body);
        let response = api_for(&server).request(request).unwrap();
        assert_eq!(response.status, 200);
        let seen = server.next();
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.body, bytes);
        assert_eq!(seen.header("content-type"), Some(content_type));
    }
    // The caller's Content-Type wins.
    let server = serve(1, |_, _| ok(b""));
    let mut request = HttpRequest::new("PATCH", format!("{}/in", server.base));
    request.headers = vec![("content-type".into(), "application/merge-patch+json".into())];
    request.body = Some(HttpBody::Json(serde_json::json!({})));
    api_for(&server).request(request).unwrap();
    let seen = server.next();
    assert_eq!(seen.method, "PATCH");
    assert_eq!(
        seen.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(seen.body, b"{}");
}

#[test]
fn post_without_body_sends_zero_length_and_custom_methods_pass() {
    let server = serve(2, |_, _| ok(b""));
    let api = api_for(&server);
    api.request(HttpRequest::new("post", format!("{}/", server.base)))
        .unwrap();
    let seen = server.next();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.header("content-length"), Some("0"));
    api.request(HttpRequest::new("PROPFIND", format!("{}/", server.base)))
        .unwrap();
    assert_eq!(server.next().method, "PROPFIND");
}

#[test]
fn non_2xx_statuses_are_responses() {
    let server = serve(2, |request, _| match request.target.as_str() {
        "/missing" => response("404 Not Found", &[], b"no such thing"),
        _ => response("500 Internal Server Error", &[], b"oops"),
    });
    let api = api_for(&server);
    let missing = api
        .request(HttpRequest::new("GET", format!("{}/missing", server.base)))
        .unwrap();
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, b"no such thing");
    let broken = api
        .request(HttpRequest::new("GET", format!("{}/broken", server.base)))
        .unwrap();
    assert_eq!(broken.status, 500);
}

#[test]
fn redirect_inside_scope_is_followed() {
    let server = serve(2, |request, _| match request.target.as_str() {
        "/start" => response("302 Found", &[("Location", "/next?x=1")], b""),
        _ => ok(b"arrived"),
    });
    let mut request = HttpRequest::new("POST", format!("{}/start", server.base));
    request.body = Some(HttpBody::Text("payload".into()));
    let response = api_for(&server).request(request).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"arrived");
    assert_eq!(response.url, format!("{}/next?x=1", server.base));
    let first = server.next();
    assert_eq!(
        (first.method.as_str(), first.body.as_slice()),
        ("POST", &b"payload"[..])
    );
    // 302 after POST: GET, without the body or its Content-Type.
    let second = server.next();
    assert_eq!(second.method, "GET");
    assert_eq!(second.target, "/next?x=1");
    assert!(second.body.is_empty());
    assert!(second.header("content-type").is_none(), "{second:?}");
}

#[test]
fn redirect_307_keeps_method_and_body() {
    let server = serve(2, |request, base| match request.target.as_str() {
        "/start" => response(
            "307 Temporary Redirect",
            &[("Location", &format!("{base}/again"))],
            b"",
        ),
        _ => ok(b"done"),
    });
    let mut request = HttpRequest::new("PUT", format!("{}/start", server.base));
    request.body = Some(HttpBody::Bytes(b"data".to_vec()));
    let response = api_for(&server).request(request).unwrap();
    assert_eq!(response.body, b"done");
    server.next();
    let second = server.next();
    assert_eq!(second.method, "PUT");
    assert_eq!(second.body, b"data");
    assert_eq!(
        second.header("content-type"),
        Some("application/octet-stream")
    );
}

#[test]
fn redirect_out_of_scope_is_refused() {
    let server = serve(1, |_, _| {
        response(
            "301 Moved Permanently",
            &[("Location", "/private/keys")],
            b"",
        )
    });
    let api = api(&[format!("{}/public/**", server.base)]);
    let error = api
        .request(HttpRequest::new("GET", format!("{}/public/a", server.base)))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "redirect from {base}/public/a refused: {base}/private/keys is not in [allowlist.http] scope",
            base = server.base
        )
    );
    // To another host, and to another scheme.
    for location in ["http://example.invalid/", "file:///etc/passwd"] {
        let server = serve(1, move |_, _| {
            response("302 Found", &[("Location", location)], b"")
        });
        let error = api_for(&server)
            .request(HttpRequest::new("GET", format!("{}/", server.base)))
            .unwrap_err();
        assert!(
            matches!(error, HttpError::RedirectRefused { .. }),
            "{location}: {error}"
        );
        assert!(error.to_string().contains(location), "{error}");
    }
}

#[test]
fn redirect_to_another_origin_drops_credentials() {
    let target = serve(1, |_, _| ok(b"there"));
    let location = format!("{}/landing", target.base);
    let origin = serve(1, move |_, _| {
        response("302 Found", &[("Location", &location)], b"")
    });
    let api = api(&["http://127.0.0.1:*/**".to_owned()]);
    let mut request = HttpRequest::new("GET", format!("{}/", origin.base));
    request.headers = vec![
        ("Authorization".into(), "Bearer t".into()),
        ("Cookie".into(), "s=1".into()),
        ("X-Other".into(), "kept".into()),
    ];
    let response = api.request(request).unwrap();
    assert_eq!(response.body, b"there");
    assert_eq!(origin.next().header("authorization"), Some("Bearer t"));
    let seen = target.next();
    assert!(seen.header("authorization").is_none(), "{seen:?}");
    assert!(seen.header("cookie").is_none(), "{seen:?}");
    assert_eq!(seen.header("x-other"), Some("kept"));
    assert_ne!(origin.port, target.port);
}

#[test]
fn redirect_loop_stops_after_the_limit() {
    let server = serve(MAX_REDIRECTS + 1, |_, _| {
        response("302 Found", &[("Location", "/loop")], b"")
    });
    let error = api_for(&server)
        .request(HttpRequest::new("GET", format!("{}/loop", server.base)))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "too many redirects (more than 5); the last one came from {}/loop",
            server.base
        )
    );
}

#[test]
fn stalled_server_times_out() {
    // Accepts and says nothing; then headers but half the body.
    let stalls = [
        Vec::new(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf".to_vec(),
    ];
    for first in stalls {
        let server = serve(1, move |_, _| Reply::Stall(first.clone()));
        let mut request = HttpRequest::new("GET", format!("{}/slow", server.base));
        request.timeout = Some(Duration::from_secs(1));
        let started = Instant::now();
        let error = api_for(&server).request(request).unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_millis(2500), "took {took:?}");
        assert_eq!(
            error.to_string(),
            format!("request to {}/slow timed out after 1 s", server.base)
        );
    }
}

#[test]
fn garbage_from_the_server_is_an_error() {
    let garbage: [&[u8]; 3] = [
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 abc\r\n\r\n",
        b"\x00\xff\xfe binary \x01\x02",
    ];
    for bytes in garbage {
        let server = serve(1, move |_, _| Reply::Raw(bytes.to_vec()));
        let error = api_for(&server)
            .request(HttpRequest::new("GET", format!("{}/", server.base)))
            .unwrap_err();
        assert!(
            matches!(error, HttpError::Protocol { .. }),
            "{bytes:?}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "{}/ did not answer with valid HTTP: ",
                server.base
            )),
            "{message}"
        );
    }
    // Closed without a word.
    let server = serve(1, |_, _| Reply::Raw(Vec::new()));
    let error = api_for(&server)
        .request(HttpRequest::new("GET", format!("{}/", server.base)))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "connection to {}/ failed: the server closed the connection early",
            server.base
        )
    );
}

#[test]
fn body_over_the_cap_is_an_error() {
    let scope = |server: &Server| HttpScope::new(&[format!("{}/**", server.base)]).unwrap();
    // Announced by Content-Length, and only found while reading.
    let announced = serve(1, |_, _| ok(&[b'x'; 100]));
    let unannounced = serve(1, |_, _| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789abc".to_vec())
    });
    for server in [announced, unannounced] {
        let api = HttpApi::build(scope(&server), 10, false);
        let error = api
            .request(HttpRequest::new("GET", format!("{}/big", server.base)))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the response body from {}/big exceeds the 10 bytes limit",
                server.base
            )
        );
    }
    // At the cap exactly: fine.
    let server = serve(1, |_, _| ok(&[b'x'; 10]));
    let api = HttpApi::build(scope(&server), 10, false);
    let response = api
        .request(HttpRequest::new("GET", format!("{}/", server.base)))
        .unwrap();
    assert_eq!(response.body.len(), 10);
    assert_eq!(
        HttpError::BodyTooLarge {
            url: "u".into(),
            limit: MAX_RESPONSE_BYTES
        }
        .to_string(),
        "the response body from u exceeds the 256 MiB limit"
    );
}

#[test]
fn connection_refused_names_the_url() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/x");
    let error = api(&["http://127.0.0.1:*/**".to_owned()])
        .request(HttpRequest::new("GET", url.clone()))
        .unwrap_err();
    assert_eq!(error.to_string(), format!("connection to {url} refused"));
}

#[test]
fn nothing_is_sent_outside_the_scope() {
    let server = serve(1, |_, _| ok(b""));
    let api = api(&[format!("{}/allowed/**", server.base)]);
    let error = api
        .request(HttpRequest::new("GET", format!("{}/other", server.base)))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}/other is not in [allowlist.http] scope", server.base)
    );
    // Query pairs cannot smuggle a path.
    let mut request = HttpRequest::new("GET", format!("{}/allowed/x", server.base));
    request.query = vec![("a".into(), "/../../other".into())];
    api.request(request).unwrap();
    assert_eq!(server.next().target, "/allowed/x?a=%2F..%2F..%2Fother");
    let empty = HttpApi::build(HttpScope::default(), 10, false);
    assert!(matches!(
        empty.request(HttpRequest::new("GET", "http://127.0.0.1:9/x")),
        Err(HttpError::Refused(UrlRefusal::OutOfScope(_)))
    ));
}

#[test]
fn bad_requests_are_refused_before_sending() {
    let api = api(&["http://127.0.0.1:*/**".to_owned()]);
    let url = "http://127.0.0.1:9/x";
    let with = |change: fn(&mut HttpRequest)| {
        let mut request = HttpRequest::new("GET", url);
        change(&mut request);
        api.request(request).unwrap_err().to_string()
    };
    type Change = fn(&mut HttpRequest);
    let cases: Vec<(Change, &str)> = vec![
        (
            |r| r.method = String::new(),
            "invalid HTTP method \"\": it is empty",
        ),
        (
            |r| r.method = "GE T".into(),
            "invalid HTTP method \"GE T\": only letters, digits and !#$%&'*+-.^_`|~ are allowed",
        ),
        (
            |r| r.method = "connect".into(),
            "invalid HTTP method \"connect\": CONNECT, TRACE and TRACK are not allowed",
        ),
        (
            |r| r.headers = vec![("X Bad".into(), "v".into())],
            "invalid header \"X Bad\": a name may only contain letters, digits and !#$%&'*+-.^_`|~",
        ),
        (
            |r| r.headers = vec![("X-Ok".into(), "a\r\nInjected: 1".into())],
            "invalid header \"X-Ok\": the value contains a control character (CR, LF, NUL or another one)",
        ),
        (
            |r| r.headers = vec![("Host".into(), "evil.example".into())],
            "invalid header \"Host\": it is set by the HTTP client and cannot be set by the page",
        ),
        (
            |r| r.headers = vec![(String::new(), "v".into())],
            "invalid header \"\": the name is empty",
        ),
        (
            |r| r.timeout = Some(Duration::ZERO),
            "invalid timeout: it must be more than zero",
        ),
        (
            |r| r.url = "not a url".into(),
            "invalid URL `not a url`: relative URL without a base",
        ),
        (
            |r| r.url = "ftp://127.0.0.1/x".into(),
            "ftp://127.0.0.1/x is not an http or https URL",
        ),
        (
            |r| r.url = "http://me:pw@127.0.0.1:9/x".into(),
            "http://127.0.0.1:9/x: URLs with a user name or password are refused; send an Authorization header instead",
        ),
    ];
    for (change, message) in cases {
        assert_eq!(with(change), message);
    }
}

#[test]
fn method_names_are_normalised_like_fetch() {
    assert_eq!(parse_method("get").unwrap(), Method::GET);
    assert_eq!(parse_method("Patch").unwrap(), Method::PATCH);
    assert_eq!(parse_method("propfind").unwrap().as_str(), "propfind");
    assert_eq!(parse_method("M-SEARCH").unwrap().as_str(), "M-SEARCH");
    assert!(parse_method("TrAcE").is_err());
    assert!(parse_method("GET\n").is_err());
}
