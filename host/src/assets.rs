//! Serving the frontend: turning a request path into bytes and a MIME type,
//! without ever leaving the frontend root.
//!
//! Two layers keep traversal impossible. [`AssetPath::parse`] refuses anything
//! that is not a plain relative path (`..`, `.`, encoded separators,
//! backslashes, NUL and other control bytes, invalid UTF-8) before a source is
//! asked; a source then confines what it reads to its root ([`DirectorySource`]
//! canonicalises and checks the prefix, so a symlink pointing outside is
//! refused too). Sources are behind [`AssetSource`] so the packaged payload
//! plugs in beside the directory source.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// The file served for `/` and for any directory.
pub const INDEX_FILE: &str = "index.html";

/// Longest request path accepted, in bytes, before decoding.
pub const MAX_PATH_LEN: usize = 4096;

/// A validated path relative to the frontend root: non-empty segments, none
/// of them `.` or `..`, none containing `/`, `\` or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPath {
    segments: Vec<String>,
}

/// Why a request path was refused before any file was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathRejection {
    /// Longer than [`MAX_PATH_LEN`].
    #[error("the path is longer than {MAX_PATH_LEN} bytes")]
    TooLong,
    /// `%` not followed by two hex digits, or the decoded bytes are not UTF-8.
    #[error("the path is not valid percent-encoded UTF-8")]
    BadEncoding,
    /// A `.` or `..` segment, in any encoding.
    #[error("the path contains a `.` or `..` segment")]
    DotSegment,
    /// A `/` or `\` hidden inside a segment (`%2f`, `%5c`), or a raw `\`.
    #[error("the path contains an encoded separator or a backslash")]
    Separator,
    /// NUL or another control character.
    #[error("the path contains a control character")]
    ControlCharacter,
}

impl AssetPath {
    /// Validates the path part of a request URI (query and fragment already
    /// stripped). Empty segments (`//`) are ignored, so `/` is the root.
    pub fn parse(raw: &str) -> Result<AssetPath, PathRejection> {
        if raw.len() > MAX_PATH_LEN {
            return Err(PathRejection::TooLong);
        }
        if raw.contains('\\') {
            return Err(PathRejection::Separator);
        }
        let mut segments = Vec::new();
        for raw_segment in raw.split('/') {
            if !is_well_formed_escapes(raw_segment) {
                return Err(PathRejection::BadEncoding);
            }
            let segment = percent_decode_str(raw_segment)
                .decode_utf8()
                .map_err(|_| PathRejection::BadEncoding)?;
            if segment.chars().any(char::is_control) {
                return Err(PathRejection::ControlCharacter);
            }
            if segment.contains(['/', '\\']) {
                return Err(PathRejection::Separator);
            }
            match segment.as_ref() {
                "" => continue,
                "." | ".." => return Err(PathRejection::DotSegment),
                _ => segments.push(segment.into_owned()),
            }
        }
        Ok(AssetPath { segments })
    }

    /// The root itself (`/`).
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The path's segments, in order.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// This path with one more (trusted, constant) segment.
    fn child(&self, name: &str) -> AssetPath {
        let mut segments = self.segments.clone();
        segments.push(name.to_owned());
        AssetPath { segments }
    }

    /// The last segment, used to pick the MIME type.
    fn file_name(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }
}

impl fmt::Display for AssetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.segments.join("/"))
    }
}

/// `percent_decode_str` passes a stray `%` through unchanged; we refuse it so
/// that `%%32e` style tricks cannot produce a second decoding pass anywhere.
fn is_well_formed_escapes(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: Option<&u8>| b.is_some_and(u8::is_ascii_hexdigit);
            if !(hex(bytes.get(i + 1)) && hex(bytes.get(i + 2))) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// What a source holds at a path.
#[derive(Debug)]
pub enum Entry {
    /// A file's bytes.
    File(Cow<'static, [u8]>),
    /// A directory: the resolver looks for its `index.html`.
    Directory,
    /// Nothing.
    Missing,
    /// A complete HTTP answer from a source that asks a server itself (the
    /// dev-server proxy of `millennium dev`): status and `Content-Type` are
    /// passed through, and there is no `index.html` fallback.
    Response {
        /// The HTTP status.
        status: u16,
        /// The server's `Content-Type`; guessed from the path when absent.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
}

/// Why a source could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The path resolves (through a symlink) to somewhere outside the root.
    #[error("{path} resolves outside the frontend root")]
    OutsideRoot {
        /// The requested path.
        path: String,
    },
    /// Reading failed for another reason than absence.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The file on disk.
        path: PathBuf,
        /// The OS error.
        #[source]
        error: std::io::Error,
    },
}

/// Where assets come from: the frontend directory in development, the payload
/// appended to a packaged executable later. Implementations must never return
/// anything outside their root.
pub trait AssetSource: Send + Sync {
    /// Looks `path` up.
    fn entry(&self, path: &AssetPath) -> Result<Entry, SourceError>;

    /// Looks up a request whose URI has a query string (`?v=3`). Files
    /// ignore it; a source that forwards requests to a server keeps it.
    fn entry_with_query(
        &self,
        path: &AssetPath,
        query: Option<&str>,
    ) -> Result<Entry, SourceError> {
        let _ = query;
        self.entry(path)
    }
}

/// Assets read from a directory on disk.
#[derive(Debug, Clone)]
pub struct DirectorySource {
    root: PathBuf,
}

impl DirectorySource {
    /// Serves files under `root`, which is canonicalised once here so every
    /// later prefix check compares real paths.
    pub fn new(root: &Path) -> Result<DirectorySource, SourceError> {
        let root = root.canonicalize().map_err(|error| SourceError::Io {
            path: root.to_owned(),
            error,
        })?;
        Ok(DirectorySource { root })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl AssetSource for DirectorySource {
    fn entry(&self, path: &AssetPath) -> Result<Entry, SourceError> {
        let mut candidate = self.root.clone();
        candidate.extend(path.segments());
        let real = match candidate.canonicalize() {
            Ok(real) => real,
            Err(error) if is_absent(&error) => return Ok(Entry::Missing),
            Err(error) => {
                return Err(SourceError::Io {
                    path: candidate,
                    error,
                });
            }
        };
        if !real.starts_with(&self.root) {
            return Err(SourceError::OutsideRoot {
                path: path.to_string(),
            });
        }
        if real.is_dir() {
            return Ok(Entry::Directory);
        }
        match std::fs::read(&real) {
            Ok(bytes) => Ok(Entry::File(Cow::Owned(bytes))),
            Err(error) if is_absent(&error) => Ok(Entry::Missing),
            Err(error) => Err(SourceError::Io { path: real, error }),
        }
    }
}

fn is_absent(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::InvalidFilename
    )
}

/// A file ready to be sent.
#[derive(Debug)]
pub struct Asset {
    /// The file's contents.
    pub bytes: Cow<'static, [u8]>,
    /// Its `Content-Type`.
    pub mime: String,
    /// The path that was actually served (after the `index.html` fallback).
    pub path: AssetPath,
    /// The HTTP status: 200, except what a proxying source passed through.
    pub status: u16,
}

impl Asset {
    /// Whether it is an HTML page (whose inline scripts get hashed).
    /// Case-insensitive, because a proxying source passes a server's
    /// `Content-Type` through as it came.
    pub fn is_html(&self) -> bool {
        let essence = self.mime.split(';').next().unwrap_or("").trim();
        essence.eq_ignore_ascii_case("text/html")
            || essence.eq_ignore_ascii_case("application/xhtml+xml")
    }

    /// Whether the webview renders it as a document that can run scripts
    /// (HTML, and SVG and XML, which can carry `<script>` too): such a
    /// response needs the CSP header.
    pub fn is_document(&self) -> bool {
        let essence = self.mime.split(';').next().unwrap_or("").trim();
        self.is_html()
            || [
                "image/svg+xml",
                "application/xml",
                "text/xml",
                "text/xsl",
                "application/xslt+xml",
            ]
            .iter()
            .any(|m| essence.eq_ignore_ascii_case(m))
            || essence.to_ascii_lowercase().ends_with("+xml")
    }
}

/// Why no asset was served; maps to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// Refused before lookup: 400.
    #[error("bad asset path: {0}")]
    BadPath(#[from] PathRejection),
    /// Nothing there: 404.
    #[error("{0} not found")]
    NotFound(String),
    /// The source refused or failed: 403 or 500.
    #[error(transparent)]
    Source(#[from] SourceError),
}

impl AssetError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            AssetError::BadPath(_) => 400,
            AssetError::NotFound(_) => 404,
            AssetError::Source(SourceError::OutsideRoot { .. }) => 403,
            AssetError::Source(SourceError::Io { .. }) => 500,
        }
    }
}

/// Maps request paths to assets of one source.
pub struct AssetResolver {
    source: Box<dyn AssetSource>,
}

impl fmt::Debug for AssetResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AssetResolver")
    }
}

impl AssetResolver {
    /// A resolver over `source`.
    pub fn new(source: Box<dyn AssetSource>) -> AssetResolver {
        AssetResolver { source }
    }

    /// The asset for the path part of a request URI, with `index.html`
    /// served for the root and for directories.
    pub fn resolve(&self, raw_path: &str) -> Result<Asset, AssetError> {
        self.resolve_request(raw_path, None)
    }

    /// [`resolve`](Self::resolve) for a request URI that also has a query
    /// string, which only sources that forward requests look at.
    pub fn resolve_request(
        &self,
        raw_path: &str,
        query: Option<&str>,
    ) -> Result<Asset, AssetError> {
        let path = AssetPath::parse(raw_path)?;
        let path = if path.is_root() {
            path.child(INDEX_FILE)
        } else {
            path
        };
        match self.source.entry_with_query(&path, query)? {
            Entry::File(bytes) => Ok(asset(bytes, path)),
            Entry::Directory => {
                let index = path.child(INDEX_FILE);
                match self.source.entry(&index)? {
                    Entry::File(bytes) => Ok(asset(bytes, index)),
                    Entry::Response {
                        status,
                        content_type,
                        body,
                    } => Ok(response(status, content_type, body, index)),
                    Entry::Directory | Entry::Missing => {
                        Err(AssetError::NotFound(index.to_string()))
                    }
                }
            }
            Entry::Missing => Err(AssetError::NotFound(path.to_string())),
            Entry::Response {
                status,
                content_type,
                body,
            } => Ok(response(status, content_type, body, path)),
        }
    }
}

fn asset(bytes: Cow<'static, [u8]>, path: AssetPath) -> Asset {
    let mime = mime_for(path.file_name());
    Asset {
        bytes,
        mime,
        path,
        status: 200,
    }
}

fn response(status: u16, content_type: Option<String>, body: Vec<u8>, path: AssetPath) -> Asset {
    let mime = content_type.unwrap_or_else(|| mime_for(path.file_name()));
    Asset {
        bytes: Cow::Owned(body),
        mime,
        path,
        status,
    }
}

/// The `Content-Type` for a file name: text types get `charset=utf-8`, unknown
/// extensions are `application/octet-stream` (never sniffed as HTML).
pub fn mime_for(file_name: &str) -> String {
    let guess = mime_guess::from_path(file_name).first_or_octet_stream();
    let essence = match guess.essence_str() {
        // mime_guess maps `.js`/`.mjs` to the obsolete application/javascript.
        "application/javascript" => "text/javascript",
        other => other,
    };
    if essence.starts_with("text/") || essence == "application/json" || essence == "image/svg+xml" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A directory removed on drop; enough for these tests without a crate.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("millennium-assets-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// `<tmp>/secret.txt` outside, `<tmp>/root/` the frontend with a few files
    /// and two symlinks: one leaving the root, one staying inside.
    fn fixture() -> (TempDir, AssetResolver) {
        let tmp = TempDir::new();
        let root = tmp.0.join("root");
        std::fs::create_dir_all(root.join("docs/deep")).unwrap();
        std::fs::create_dir_all(root.join("empty")).unwrap();
        std::fs::write(tmp.0.join("secret.txt"), "SECRET").unwrap();
        std::fs::write(root.join("index.html"), "<h1>home</h1>").unwrap();
        std::fs::write(root.join("app.js"), "1").unwrap();
        std::fs::write(root.join("style.css"), "a{}").unwrap();
        std::fs::write(root.join("data.bin"), [0u8, 1, 2]).unwrap();
        std::fs::write(root.join("docs/index.html"), "<h1>docs</h1>").unwrap();
        std::fs::write(root.join("docs/deep/page one.html"), "one").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.0.join("secret.txt"), root.join("leak.txt")).unwrap();
            std::os::unix::fs::symlink(&tmp.0, root.join("up")).unwrap();
            std::os::unix::fs::symlink(root.join("app.js"), root.join("alias.js")).unwrap();
        }
        let source = DirectorySource::new(&root).unwrap();
        (tmp, AssetResolver::new(Box::new(source)))
    }

    #[test]
    fn serves_files_with_mime_types_and_index_fallback() {
        let (_tmp, resolver) = fixture();
        let cases = [
            ("/", "<h1>home</h1>", "text/html; charset=utf-8"),
            ("/index.html", "<h1>home</h1>", "text/html; charset=utf-8"),
            ("/app.js", "1", "text/javascript; charset=utf-8"),
            ("/style.css", "a{}", "text/css; charset=utf-8"),
            ("/docs", "<h1>docs</h1>", "text/html; charset=utf-8"),
            ("/docs/", "<h1>docs</h1>", "text/html; charset=utf-8"),
            (
                "/docs/deep/page%20one.html",
                "one",
                "text/html; charset=utf-8",
            ),
            (
                "//docs//index.html",
                "<h1>docs</h1>",
                "text/html; charset=utf-8",
            ),
        ];
        for (path, body, mime) in cases {
            let asset = resolver
                .resolve(path)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(asset.bytes.as_ref(), body.as_bytes(), "{path}");
            assert_eq!(asset.mime, mime, "{path}");
        }
        let bin = resolver.resolve("/data.bin").unwrap();
        assert_eq!(bin.mime, "application/octet-stream");
        assert!(!bin.is_html());
        assert!(!bin.is_document());
    }

    /// Regression (security review): SVG and XML documents were served
    /// without the CSP header, so a `<script>` inside one ran unchecked.
    #[test]
    fn svg_and_xml_documents_get_the_policy_too() {
        let asset = |mime: &str| Asset {
            bytes: Cow::Borrowed(b""),
            mime: mime.to_owned(),
            path: AssetPath::parse("/a").unwrap(),
            status: 200,
        };
        for mime in [
            "text/html; charset=utf-8",
            "application/xhtml+xml",
            "image/svg+xml",
            "application/xml",
            "text/xml; charset=utf-8",
            "text/xsl",
            "application/rss+xml",
        ] {
            assert!(asset(mime).is_document(), "{mime}");
        }
        for mime in [
            "text/css",
            "text/javascript",
            "image/png",
            "application/json",
            "text/plain",
        ] {
            assert!(!asset(mime).is_document(), "{mime}");
        }
        assert!(
            !asset("image/svg+xml").is_html(),
            "no inline-script hashes for SVG"
        );
    }

    #[test]
    fn missing_files_and_index_less_directories_are_404() {
        let (_tmp, resolver) = fixture();
        for path in ["/nope.html", "/docs/nope", "/empty", "/empty/", "/app.js/x"] {
            let error = resolver.resolve(path).expect_err(path);
            assert_eq!(error.status(), 404, "{path}: {error}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_the_root_work() {
        let (_tmp, resolver) = fixture();
        assert_eq!(resolver.resolve("/alias.js").unwrap().bytes.as_ref(), b"1");
    }

    /// Every one of these must be refused, and none may return the secret.
    #[test]
    fn traversal_corpus_never_leaves_the_root() {
        let (_tmp, resolver) = fixture();
        let corpus = [
            "/../secret.txt",
            "/..",
            "..",
            "../secret.txt",
            "/docs/../../secret.txt",
            "/docs/../index.html",
            "/./index.html",
            "/.",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/%2e./secret.txt",
            "/.%2e/secret.txt",
            "/%2e/index.html",
            "/..%2fsecret.txt",
            "/..%2Fsecret.txt",
            "/%2e%2e%2fsecret.txt",
            "/%2fetc%2fpasswd",
            "/%2Fetc/passwd",
            "/docs%2f..%2f..%2fsecret.txt",
            "/..\\secret.txt",
            "/..%5csecret.txt",
            "/..%5Csecret.txt",
            "\\..\\secret.txt",
            "/docs\\..\\..\\secret.txt",
            "/index.html%00.png",
            "/%00",
            "/secret.txt%00",
            "/\u{0}",
            "/a%0a",
            "/a%7f",
            "/%c0%ae%c0%ae/secret.txt",
            "/%ff/secret.txt",
            "/%",
            "/%2",
            "/%zz",
            "/%%32e%%32e/secret.txt",
            "/leak.txt",
            "/up/secret.txt",
            "/up/root/../secret.txt",
            "/up",
        ];
        assert!(corpus.len() >= 30);
        for path in corpus {
            match resolver.resolve(path) {
                Ok(asset) => panic!("{path:?} served {}", asset.path),
                Err(error) => {
                    assert!(
                        matches!(error.status(), 400 | 403 | 404),
                        "{path:?}: {error}"
                    );
                }
            }
        }
    }

    #[test]
    fn absolute_file_paths_stay_inside_the_root() {
        let (tmp, resolver) = fixture();
        // A request for the secret's absolute path is a path under the root.
        let absolute = tmp.0.join("secret.txt");
        let error = resolver.resolve(&absolute.to_string_lossy()).unwrap_err();
        assert_eq!(error.status(), 404, "{error}");
        let error = resolver.resolve("/etc/passwd").unwrap_err();
        assert_eq!(error.status(), 404, "{error}");
    }

    #[test]
    fn overlong_paths_are_refused() {
        let (_tmp, resolver) = fixture();
        let long = format!("/{}", "a".repeat(MAX_PATH_LEN));
        assert_eq!(resolver.resolve(&long).unwrap_err().status(), 400);
    }

    #[test]
    fn parse_keeps_plain_segments() {
        let path = AssetPath::parse("/a/b%20c/d.txt").unwrap();
        assert_eq!(path.segments(), ["a", "b c", "d.txt"]);
        assert_eq!(path.to_string(), "/a/b c/d.txt");
        assert!(AssetPath::parse("/").unwrap().is_root());
        assert_eq!(AssetPath::parse("/%2e%2e"), Err(PathRejection::DotSegment));
        assert_eq!(AssetPath::parse("/a%2fb"), Err(PathRejection::Separator));
    }
}
