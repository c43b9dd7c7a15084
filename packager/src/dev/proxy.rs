//! The `[app] dev-url` asset source: every asset request of the app's
//! `millennium://localhost/` origin becomes a GET to the dev server (a Vite
//! server, say), whose status, `Content-Type` and body are passed through.
//! The page keeps the app origin, so the bridge, the CSP header and the
//! allowlist behave as in production. A server that is down or too slow
//! gives an error page that retries by itself, never a hang.

use std::time::Duration;

use millennium_host::assets::{AssetPath, AssetSource, Entry, SourceError};
use url::Url;

/// How long to wait for the dev server to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest a whole request may take (a first Vite transform can be slow).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest body passed through.
pub const MAX_BODY: u64 = 256 * 1024 * 1024;

/// Why a dev-url cannot be proxied. The config check already refuses these;
/// this guards library callers.
#[derive(Debug, thiserror::Error)]
pub enum DevUrlError {
    /// Not a URL.
    #[error("dev-url `{url}` is not a URL: {source}")]
    Invalid {
        /// The configured value.
        url: String,
        /// The parser's reason.
        #[source]
        source: url::ParseError,
    },
    /// Not http or https, or no host.
    #[error("dev-url `{0}` must be an http:// or https:// URL with a host")]
    Unsupported(String),
}

/// Assets fetched from a development server.
pub struct DevServerSource {
    base: Url,
    agent: ureq::Agent,
}

impl DevServerSource {
    /// A source for `dev_url` with the default timeouts.
    pub fn new(dev_url: &str) -> Result<DevServerSource, DevUrlError> {
        DevServerSource::with_timeouts(dev_url, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A source for `dev_url` with the given connect and whole-request
    /// timeouts.
    pub fn with_timeouts(
        dev_url: &str,
        connect: Duration,
        request: Duration,
    ) -> Result<DevServerSource, DevUrlError> {
        let mut base = Url::parse(dev_url).map_err(|source| DevUrlError::Invalid {
            url: dev_url.to_owned(),
            source,
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(DevUrlError::Unsupported(dev_url.to_owned()));
        }
        base.set_query(None);
        base.set_fragment(None);
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(connect))
            .timeout_global(Some(request))
            // Statuses are passed through to the page, not turned into errors.
            .http_status_as_error(false)
            // A system HTTP proxy must not sit between the app and a loopback
            // dev server.
            .proxy(None)
            .max_redirects(5)
            .build()
            .into();
        Ok(DevServerSource { base, agent })
    }

    /// The dev server's origins the page may connect to (HTTP and
    /// websocket, for HMR), for `connect-src` in dev mode. A loopback
    /// server is also listed under its other loopback name, since HMR
    /// clients often build the socket URL from `localhost`.
    pub fn connect_sources(&self) -> Vec<String> {
        let secure = self.base.scheme() == "https";
        let (http, ws) = if secure {
            ("https", "wss")
        } else {
            ("http", "ws")
        };
        let port = self
            .base
            .port()
            .map_or_else(String::new, |p| format!(":{p}"));
        let host = self.base.host_str().unwrap_or("localhost").to_owned();
        let mut hosts = vec![host.clone()];
        match host.as_str() {
            "127.0.0.1" | "[::1]" => hosts.push("localhost".to_owned()),
            "localhost" => hosts.push("127.0.0.1".to_owned()),
            _ => {}
        }
        let mut sources = Vec::new();
        for host in hosts {
            sources.push(format!("{http}://{host}{port}"));
            sources.push(format!("{ws}://{host}{port}"));
        }
        sources
    }

    /// The dev server URL for an app request: the dev-url's path, then the
    /// request's segments (encoded again), then its query.
    pub fn url_for(&self, path: &AssetPath, query: Option<&str>) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(path.segments());
        }
        url.set_query(query);
        url
    }

    /// Asks the dev server for its root: the status it answers with (any
    /// status counts as answering), or why it did not.
    pub fn probe(&self) -> Result<u16, ureq::Error> {
        let mut response = self.agent.get(self.base.as_str()).call()?;
        let status = response.status().as_u16();
        // Read (a bounded part of) the body so the connection ends cleanly.
        let _ = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec();
        Ok(status)
    }

    fn fetch(&self, url: &Url) -> Entry {
        let mut response = match self.agent.get(url.as_str()).call() {
            Ok(response) => response,
            Err(error) => return self.error_page(url, &error),
        };
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
        {
            Ok(body) => Entry::Response {
                status,
                content_type,
                body,
            },
            Err(error) => self.error_page(url, &error),
        }
    }

    fn error_page(&self, url: &Url, error: &ureq::Error) -> Entry {
        eprintln!("millennium dev: GET {url}: {error}");
        let server = escape(self.base.as_str());
        let detail = escape(&format!("GET {url}: {error}"));
        let body = format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"refresh\" content=\"2\">\
             <title>Dev server unreachable</title></head>\n<body>\
             <h1>Cannot reach the dev server</h1>\n\
             <p><code>[app] dev-url</code> is <code>{server}</code>, but it did not answer. \
             Start it (for example <code>npm run dev</code>); this page retries every 2 seconds.</p>\n\
             <pre>{detail}</pre>\n</body></html>\n"
        );
        Entry::Response {
            status: 502,
            content_type: Some("text/html; charset=utf-8".to_owned()),
            body: body.into_bytes(),
        }
    }
}

impl AssetSource for DevServerSource {
    fn entry(&self, path: &AssetPath) -> Result<Entry, SourceError> {
        self.entry_with_query(path, None)
    }

    fn entry_with_query(
        &self,
        path: &AssetPath,
        query: Option<&str>,
    ) -> Result<Entry, SourceError> {
        Ok(self.fetch(&self.url_for(path, query)))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use millennium_host::assets::AssetResolver;
    use std::io::{BufRead, BufReader, Write};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::time::Instant;

    /// A one-thread HTTP/1.1 server on 127.0.0.1 that answers every request
    /// with `answer(request_target)` and reports the targets it saw.
    fn serve(
        answer: fn(&str) -> Option<(u16, &'static str, &'static str)>,
    ) -> (u16, mpsc::Receiver<String>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (seen, targets) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(16) {
                let Ok(stream) = stream else { return };
                let target = read_target(&stream);
                let _ = seen.send(target.clone());
                match answer(&target) {
                    Some((status, content_type, body)) => {
                        respond(stream, status, content_type, body)
                    }
                    // Never answer: hold the connection open.
                    None => std::thread::sleep(Duration::from_secs(5)),
                }
            }
        });
        (port, targets)
    }

    fn read_target(stream: &TcpStream) -> String {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => break,
                Ok(_) if header == "\r\n" => break,
                Ok(_) => {}
            }
        }
        target
    }

    fn respond(mut stream: TcpStream, status: u16, content_type: &str, body: &str) {
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body.as_bytes());
    }

    fn vite_like(target: &str) -> Option<(u16, &'static str, &'static str)> {
        Some(match target {
            "/index.html" => (200, "text/html", "<h1>from vite</h1>"),
            "/src/main.ts?import&t=1" => (200, "text/javascript", "export {}"),
            "/slow" => return None,
            _ => (404, "text/plain", "nope"),
        })
    }

    fn resolver(port: u16, connect: Duration, request: Duration) -> AssetResolver {
        let source =
            DevServerSource::with_timeouts(&format!("http://127.0.0.1:{port}"), connect, request)
                .expect("valid dev-url");
        AssetResolver::new(Box::new(source))
    }

    #[test]
    fn passes_status_content_type_body_and_query_through() {
        let (port, targets) = serve(vite_like);
        let resolver = resolver(port, CONNECT_TIMEOUT, Duration::from_secs(10));

        let page = resolver.resolve_request("/", None).expect("root");
        assert_eq!(page.status, 200);
        assert_eq!(page.mime, "text/html");
        assert!(page.is_html(), "gets the CSP header");
        assert_eq!(page.bytes.as_ref(), b"<h1>from vite</h1>");

        let module = resolver
            .resolve_request("/src/main.ts", Some("import&t=1"))
            .expect("module");
        assert_eq!(
            (module.status, module.mime.as_str()),
            (200, "text/javascript")
        );

        let missing = resolver
            .resolve_request("/missing.png", None)
            .expect("answered");
        assert_eq!(
            (missing.status, missing.bytes.as_ref()),
            (404, &b"nope"[..])
        );

        let seen: Vec<String> = targets.try_iter().collect();
        assert_eq!(
            seen,
            ["/index.html", "/src/main.ts?import&t=1", "/missing.png"]
        );
    }

    #[test]
    fn traversal_is_refused_before_the_server_is_asked() {
        let (port, targets) = serve(vite_like);
        let resolver = resolver(port, CONNECT_TIMEOUT, Duration::from_secs(10));
        for path in ["/../etc/passwd", "/%2e%2e/x", "/a%2fb"] {
            assert!(resolver.resolve_request(path, None).is_err(), "{path}");
        }
        assert_eq!(targets.try_iter().count(), 0);
    }

    #[test]
    fn a_server_that_is_down_gives_an_error_page_quickly() {
        // Bind, then close: nothing listens on the port any more.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port");
        let resolver = resolver(port, Duration::from_secs(2), Duration::from_secs(5));
        let started = Instant::now();
        let page = resolver.resolve_request("/", None).expect("an error page");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(page.status, 502);
        assert!(page.is_html());
        let text = String::from_utf8_lossy(&page.bytes);
        assert!(text.contains("Cannot reach the dev server"), "{text}");
        assert!(
            text.contains(&format!("http://127.0.0.1:{port}/")),
            "{text}"
        );
    }

    #[test]
    fn a_server_that_never_answers_times_out() {
        let (port, _targets) = serve(vite_like);
        let resolver = resolver(port, Duration::from_secs(2), Duration::from_millis(500));
        let started = Instant::now();
        let page = resolver
            .resolve_request("/slow", None)
            .expect("an error page");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(page.status, 502);
    }

    #[test]
    fn base_path_and_connect_sources() {
        let source = DevServerSource::new("http://127.0.0.1:5173/app/").expect("valid");
        let path = AssetPath::parse("/a%20b/c.js").expect("path");
        assert_eq!(
            source.url_for(&path, Some("v=1")).as_str(),
            "http://127.0.0.1:5173/app/a%20b/c.js?v=1"
        );
        assert_eq!(
            source.connect_sources(),
            [
                "http://127.0.0.1:5173",
                "ws://127.0.0.1:5173",
                "http://localhost:5173",
                "ws://localhost:5173",
            ]
        );
        let remote = DevServerSource::new("https://dev.example.invalid").expect("valid");
        assert_eq!(
            remote.connect_sources(),
            ["https://dev.example.invalid", "wss://dev.example.invalid"]
        );
        assert!(matches!(
            DevServerSource::new("file:///tmp/x"),
            Err(DevUrlError::Unsupported(_))
        ));
        assert!(matches!(
            DevServerSource::new("not a url"),
            Err(DevUrlError::Invalid { .. })
        ));
    }
}
