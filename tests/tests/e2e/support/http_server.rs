//! The tests' HTTP servers, on a loopback address and an ephemeral port.
//!
//! [`HttpServer`] is `tiny_http` with one thread per request, so that a
//! reply may hang on purpose without holding up the others; a reply that is
//! not HTTP at all goes straight onto the connection (`Request::into_writer`).
//! [`RawServer`] is for what `tiny_http` cannot do: it keeps every
//! connection open for the client's next request, so it cannot close one in
//! the middle of a body, nor end a body by closing; and such replies must
//! share one port with ordinary ones (a release names one URL for its
//! file), so the updater's server is the one `RawServer`.
//!
//! Both stop when dropped, and by themselves after [`LIFETIME`] at most.

use std::io::{Cursor, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use tiny_http::{Request, Response};

/// The longest any test server lives.
pub const LIFETIME: Duration = Duration::from_secs(600);

/// A `tiny_http` server on its own thread, counting the requests it gets.
pub struct HttpServer {
    /// Its port.
    pub port: u16,
    hits: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
}

impl HttpServer {
    /// Serves on 127.0.0.1; `handler` answers each request on its own thread.
    pub fn start(handler: impl Fn(Request) + Send + Sync + 'static) -> HttpServer {
        HttpServer::start_on(Ipv4Addr::LOCALHOST, handler)
    }

    /// The same on another loopback address (`127.0.0.2` is a second origin).
    pub fn start_on(ip: Ipv4Addr, handler: impl Fn(Request) + Send + Sync + 'static) -> HttpServer {
        assert!(ip.is_loopback(), "tests serve on loopback only");
        let server = Arc::new(tiny_http::Server::http((ip, 0)).expect("bind a loopback port"));
        let port = server.server_addr().to_ip().expect("a TCP listener").port();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let (accepting, stopped, counter) = (server.clone(), stop.clone(), hits.clone());
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            let deadline = Instant::now() + LIFETIME;
            while !stopped.load(Ordering::SeqCst) && Instant::now() < deadline {
                match accepting.recv_timeout(Duration::from_millis(200)) {
                    Ok(Some(request)) => {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let handler = handler.clone();
                        std::thread::spawn(move || handler(request));
                    }
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        });
        HttpServer {
            port,
            hits,
            server,
            stop,
        }
    }

    /// Requests received so far.
    pub fn hit_count(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
    }
}

/// A complete reply with a Content-Length (never chunked, as a static
/// server or CDN answers) and `Cache-Control: no-store`.
pub fn reply(
    status: u16,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> Response<Cursor<Vec<u8>>> {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_chunked_threshold(usize::MAX)
}

/// [`reply`] for a large body shared between requests (not copied).
pub fn reply_shared(
    status: u16,
    content_type: &str,
    body: &Arc<Vec<u8>>,
) -> Response<Cursor<SharedBytes>> {
    let length = body.len();
    Response::new(
        status.into(),
        vec![
            header("Content-Type", content_type),
            header("Cache-Control", "no-store"),
        ],
        Cursor::new(SharedBytes(body.clone())),
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX)
}

/// Bytes behind an `Arc`, readable through a `Cursor`.
pub struct SharedBytes(pub Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A header; `name` and `value` are the tests' own ASCII.
pub fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name, value).expect("an ASCII header")
}

/// Sends `response`; a client that hung up is no failure of the server.
pub fn respond<R: Read>(request: Request, response: Response<R>) {
    let _ = request.respond(response);
}

/// The path of a request target, without query or fragment.
pub fn path_of(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or("/")
}

/// Fixed HTML pages by path (404 otherwise): another origin for the tests.
pub fn page_server(ip: Ipv4Addr, pages: Vec<(String, String)>) -> HttpServer {
    HttpServer::start_on(ip, move |request| {
        let path = path_of(request.url());
        let response = match pages.iter().find(|(p, _)| p == path) {
            Some((_, html)) => reply(200, "text/html; charset=utf-8", html.as_bytes()),
            None => reply(404, "text/html; charset=utf-8", "not found"),
        };
        respond(request, response);
    })
}

/// A request head as [`RawServer`] read it.
pub struct RawRequest {
    /// The request target (path and query).
    pub target: String,
}

/// A std-only server for replies that must control the socket itself
/// (see the module comment): `handler` gets each request's target and the
/// connection, on its own thread, and the connection closes when the
/// handler returns.
pub struct RawServer {
    /// Its port.
    pub port: u16,
    stop: Arc<AtomicBool>,
}

/// Largest request head [`RawServer`] reads.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

impl RawServer {
    /// Serves on 127.0.0.1.
    pub fn start(
        handler: impl Fn(RawRequest, &mut TcpStream) + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            let deadline = Instant::now() + LIFETIME;
            while !stopped.load(Ordering::SeqCst) && Instant::now() < deadline {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let handler = handler.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
                    let Some(target) = read_request_target(&mut stream) else {
                        return;
                    };
                    handler(RawRequest { target }, &mut stream);
                    let _ = stream.flush();
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        RawServer { port, stop }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads a request head up to its blank line (at most
/// [`MAX_REQUEST_HEAD`] bytes) and returns its target.
fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    text.split_whitespace().nth(1).map(str::to_owned)
}
