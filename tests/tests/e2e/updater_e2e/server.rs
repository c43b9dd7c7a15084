//! The update server on 127.0.0.1: routes that answer properly or
//! misbehave on purpose. It is a [`RawServer`]: a release names one URL
//! for its file, and some replies on it must close the connection in the
//! middle of a body or end a body by closing, which `tiny_http` cannot.

use super::*;
use crate::support::http_server::RawServer;

/// How the server answers a path.
#[derive(Clone)]
pub(super) enum Reply {
    /// A complete response.
    Body {
        status: u16,
        content_type: &'static str,
        body: Arc<Vec<u8>>,
    },
    /// `body` then `extra` zero bytes, with a Content-Length covering both.
    Extra { body: Arc<Vec<u8>>, extra: usize },
    /// No Content-Length, close-delimited: `body`, then zeros that never end
    /// (until the client hangs up, or two minutes).
    Endless { body: Arc<Vec<u8>> },
    /// Content-Length of the whole body, half of it, then 30 s of silence.
    Stall { body: Arc<Vec<u8>> },
    /// Content-Length of the whole body, half of it, then the connection closes.
    Truncated { body: Arc<Vec<u8>> },
    /// The whole body at 64 KiB every 100 ms.
    Slow { body: Arc<Vec<u8>> },
}

pub(super) fn ok_json(body: Vec<u8>) -> Reply {
    Reply::Body {
        status: 200,
        content_type: "application/json",
        body: Arc::new(body),
    }
}

pub(super) fn ok_file(body: &Arc<Vec<u8>>) -> Reply {
    Reply::Body {
        status: 200,
        content_type: "application/octet-stream",
        body: body.clone(),
    }
}

/// The server, a thread per connection, every read and write bounded.
/// Routes can change while it runs; it records the request target (path
/// and query) of every request.
pub(super) struct Server {
    pub(super) port: u16,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    requests: Arc<Mutex<Vec<String>>>,
    _raw: RawServer,
}

impl Server {
    pub(super) fn start() -> Server {
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, q) = (routes.clone(), requests.clone());
        let raw = RawServer::start(move |request, stream| answer(request.target, stream, &r, &q));
        Server {
            port: raw.port,
            routes,
            requests,
            _raw: raw,
        }
    }

    pub(super) fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// Serves `manifest` as the endpoint's answer and `file` at [`FILE_PATH`].
    pub(super) fn serve(&self, manifest: Reply, file: Reply) {
        self.route(&manifest_path(), manifest);
        self.route(FILE_PATH, file);
    }

    pub(super) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    pub(super) fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }

    pub(super) fn file_url(&self) -> String {
        format!("http://127.0.0.1:{}{FILE_PATH}", self.port)
    }

    /// Panics when the executable was requested since the last clear.
    #[track_caller]
    pub(super) fn assert_nothing_downloaded(&self, row: &str) {
        let requests = self.requests();
        assert!(
            !requests.iter().any(|r| r.starts_with("/files/")),
            "{row}: nothing may be downloaded, but the server saw {requests:?}"
        );
    }
}

fn answer(
    target: String,
    stream: &mut TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    requests: &Mutex<Vec<String>>,
) {
    requests.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or_default();
    let reply = routes.lock().unwrap().get(path).cloned();
    let header = |status: u16, content_type: &str, length: Option<usize>| {
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Whatever",
        };
        let length = length
            .map(|n| format!("Content-Length: {n}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{length}Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
    };
    const OCTETS: &str = "application/octet-stream";
    let zeros = vec![0u8; 64 * 1024];
    let _ = (|| -> std::io::Result<()> {
        match reply {
            None => {
                stream.write_all(header(404, "text/plain", Some(9)).as_bytes())?;
                stream.write_all(b"not found")?;
            }
            Some(Reply::Body {
                status,
                content_type,
                body,
            }) => {
                stream.write_all(header(status, content_type, Some(body.len())).as_bytes())?;
                stream.write_all(&body)?;
            }
            Some(Reply::Extra { body, extra }) => {
                stream.write_all(header(200, OCTETS, Some(body.len() + extra)).as_bytes())?;
                stream.write_all(&body)?;
                let mut left = extra;
                while left > 0 {
                    let n = left.min(zeros.len());
                    stream.write_all(&zeros[..n])?;
                    left -= n;
                }
            }
            Some(Reply::Endless { body }) => {
                stream.write_all(header(200, OCTETS, None).as_bytes())?;
                stream.write_all(&body)?;
                let deadline = Instant::now() + Duration::from_secs(120);
                while Instant::now() < deadline {
                    stream.write_all(&zeros)?;
                }
            }
            Some(Reply::Stall { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                stream.write_all(&body[..body.len() / 2])?;
                stream.flush()?;
                std::thread::sleep(Duration::from_secs(30));
            }
            Some(Reply::Truncated { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                stream.write_all(&body[..body.len() / 2])?;
                stream.flush()?;
            }
            Some(Reply::Slow { body }) => {
                stream.write_all(header(200, OCTETS, Some(body.len())).as_bytes())?;
                let deadline = Instant::now() + Duration::from_secs(120);
                for chunk in body.chunks(64 * 1024) {
                    if Instant::now() > deadline {
                        break;
                    }
                    stream.write_all(chunk)?;
                    stream.flush()?;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        stream.flush()
    })();
}
