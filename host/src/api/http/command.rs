//! `Millennium.http`'s commands: decoding (JSON arguments, and on the fetch
//! channel `?args=<JSON>` with the raw request body), the key, and the
//! handler, which answers with one frame: a 4-byte big-endian length, that
//! many bytes of JSON `{url, status, headers}`, then the body as received.

use millennium_config::model::{AllowlistKey, HttpAllowlist};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{HttpApi, HttpBody, HttpRequest, HttpScope};
use crate::api::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, MAX_MESSAGE_BYTES, bad, parse, raw_body, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.http`.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpCommand {
    /// `fetch(url, options)` and `Client.request(options)`.
    Request(HttpRequestArgs),
}

/// The body of a request, as the page built it (`Body.json(..)`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum HttpBodyArg {
    /// `Body.text(string)`.
    Text(String),
    /// `Body.json(value)`.
    Json(Value),
    /// `Body.form(record)`.
    Form(Vec<(String, String)>),
    /// `Body.bytes(Uint8Array)`, carried raw by the fetch channel.
    Bytes(Vec<u8>),
}

/// What the page wants back (Tauri v1's `ResponseType`); the bridge decodes
/// the bytes, the host only carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpResponseType {
    /// `ResponseType.JSON` (1), the default.
    Json,
    /// `ResponseType.Text` (2).
    Text,
    /// `ResponseType.Binary` (3).
    Binary,
}

/// One HTTP request from the page.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequestArgs {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Absolute http(s) URL.
    pub url: String,
    /// Added to the URL's query.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Option<HttpBodyArg>,
    /// Whole-request timeout.
    pub timeout: Option<std::time::Duration>,
    /// How the bridge should read the response.
    pub response_type: HttpResponseType,
}

impl Api for HttpCommand {
    type State = HttpApi;

    const SURFACE: Surface = Surface {
        members: &["Body", "ResponseType", "Client", "getClient", "fetch"],
        samples: &[
            sample("http.request", r#"{"url":"$URL"}"#, "Millennium.http.fetch($URL)"),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<HttpApi, ContextError> {
        let scope = HttpScope::new(&setup.config.allowlist.http.scope)
            .map_err(|e| ContextError::HttpScope(e.to_string()))?;
        Ok(HttpApi::new(scope))
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<HttpCommand, DecodeError> {
        match function {
            "request" => Ok(HttpCommand::Request(decode_http(cmd, args, None)?)),
            _ => Err(unknown(cmd)),
        }
    }

    /// With a query, the arguments are JSON in `?args=` and the raw body is
    /// the request body (moved, not copied); without one, as `postMessage`.
    fn decode_fetch(
        cmd: &str,
        function: &str,
        query: &str,
        body: &mut Vec<u8>,
    ) -> Result<HttpCommand, DecodeError> {
        if function != "request" {
            return Err(unknown(cmd));
        }
        if query.is_empty() {
            let args = crate::ipc::decode::json_fetch_args(cmd, query, body)?;
            return Self::decode(cmd, function, args);
        }
        let raw = raw_body(body)?;
        let Some(encoded) = query.strip_prefix("args=").filter(|q| !q.contains('&')) else {
            return Err(bad(cmd, "the query must be `args=<JSON>` only"));
        };
        let text = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| bad(cmd, "query parameter `args` is not UTF-8"))?;
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(DecodeError::TooLarge { len: text.len() });
        }
        let args: Value = serde_json::from_str(&text)
            .map_err(|e| bad(cmd, format!("`args` is not JSON: {e}")))?;
        Ok(HttpCommand::Request(decode_http(cmd, args, Some(raw))?))
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[HttpAllowlist::request]
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn fetch_only(&self) -> Option<&'static str> {
        Some("Millennium.http needs the fetch channel, which only app pages have")
    }

    /// Runs the request, taking its body without a copy. It blocks on the
    /// network (bounded by the request's timeout).
    fn run(admitted: Admitted<HttpCommand>, call: &Call<'_>) -> Result<Output, String> {
        let http = call.ctx.state(&admitted);
        let HttpCommand::Request(args) = admitted.into_command();
        let request = HttpRequest {
            method: args.method,
            url: args.url,
            query: args.query,
            headers: args.headers,
            body: args.body.map(|body| match body {
                HttpBodyArg::Text(text) => HttpBody::Text(text),
                HttpBodyArg::Json(value) => HttpBody::Json(value),
                HttpBodyArg::Form(form) => HttpBody::Form(form),
                HttpBodyArg::Bytes(bytes) => HttpBody::Bytes(bytes),
            }),
            timeout: args.timeout,
        };
        let response = http.request(request).map_err(|e| e.to_string())?;
        let meta = json!({
            "url": response.url,
            "status": response.status,
            "headers": response.headers,
        })
        .to_string();
        let mut frame = Vec::with_capacity(4 + meta.len() + response.body.len());
        // The metadata is a few KiB at most: its length fits in 4 bytes.
        frame.extend_from_slice(&(meta.len() as u32).to_be_bytes());
        frame.extend_from_slice(meta.as_bytes());
        frame.extend_from_slice(&response.body);
        Ok(Output::Bytes(frame))
    }
}

/// Longest accepted request timeout.
pub const MAX_HTTP_TIMEOUT_SECS: f64 = 3600.0;

/// `http.request` arguments; `raw` is the fetch channel's body (the bytes
/// of a `Body.bytes` request; empty otherwise).
fn decode_http(
    cmd: &str,
    args: Value,
    raw: Option<Vec<u8>>,
) -> Result<HttpRequestArgs, DecodeError> {
    #[derive(Deserialize)]
    #[serde(tag = "type", content = "payload", deny_unknown_fields)]
    enum Body {
        Text(String),
        Json(Value),
        Form(std::collections::BTreeMap<String, String>),
        Bytes,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Timeout {
        Seconds(f64),
        Duration { secs: u64, nanos: u32 },
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct A {
        #[serde(default)]
        method: Option<String>,
        url: String,
        #[serde(default)]
        query: Option<std::collections::BTreeMap<String, String>>,
        #[serde(default)]
        headers: Option<std::collections::BTreeMap<String, String>>,
        #[serde(default)]
        body: Option<Body>,
        #[serde(default)]
        timeout: Option<Timeout>,
        #[serde(default)]
        response_type: Option<u8>,
    }
    let a: A = parse(cmd, args)?;
    let mut raw = raw.unwrap_or_default();
    if !raw.is_empty() && !matches!(a.body, Some(Body::Bytes)) {
        return Err(bad(cmd, "a raw body needs `body: { type: \"Bytes\" }`"));
    }
    let body = match a.body {
        None => None,
        Some(Body::Text(text)) => Some(HttpBodyArg::Text(text)),
        Some(Body::Json(value)) => Some(HttpBodyArg::Json(value)),
        Some(Body::Form(form)) => Some(HttpBodyArg::Form(form.into_iter().collect())),
        Some(Body::Bytes) => Some(HttpBodyArg::Bytes(std::mem::take(&mut raw))),
    };
    let timeout = match a.timeout {
        None => None,
        Some(Timeout::Seconds(secs)) => {
            if !(secs > 0.0 && secs <= MAX_HTTP_TIMEOUT_SECS) {
                return Err(bad(
                    cmd,
                    format!(
                        "`timeout` must be more than 0 and at most {MAX_HTTP_TIMEOUT_SECS} seconds"
                    ),
                ));
            }
            Some(std::time::Duration::from_secs_f64(secs))
        }
        Some(Timeout::Duration { secs, nanos }) => {
            let duration = std::time::Duration::new(secs, nanos.min(999_999_999));
            if duration.is_zero() || duration.as_secs_f64() > MAX_HTTP_TIMEOUT_SECS {
                return Err(bad(cmd, "`timeout` is out of range"));
            }
            Some(duration)
        }
    };
    let response_type = match a.response_type {
        None | Some(1) => HttpResponseType::Json,
        Some(2) => HttpResponseType::Text,
        Some(3) => HttpResponseType::Binary,
        Some(other) => {
            return Err(bad(
                cmd,
                format!("`responseType` {other} is not 1 (JSON), 2 (Text) or 3 (Binary)"),
            ));
        }
    };
    Ok(HttpRequestArgs {
        method: a.method.unwrap_or_else(|| "GET".to_owned()),
        url: a.url,
        query: a.query.unwrap_or_default().into_iter().collect(),
        headers: a.headers.unwrap_or_default().into_iter().collect(),
        body,
        timeout,
        response_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Command;
    use crate::ipc::decode::decode_fetch;
    use crate::ipc::decode::testing::decode;

    fn request(command: Command) -> HttpRequestArgs {
        match command {
            Command::Http(HttpCommand::Request(args)) => args,
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn http_requests_decode_with_their_key() {
        let command = decode(
            "http.request",
            r#"{"method":"POST","url":"https://api.example.com/v1","query":{"q":"a b"},
                "headers":{"X-A":"1"},"body":{"type":"Json","payload":{"n":1}},
                "timeout":2.5,"responseType":2}"#,
        )
        .unwrap();
        assert_eq!(command.required_keys(), [HttpAllowlist::request]);
        let args = request(command);
        assert_eq!(args.method, "POST");
        assert_eq!(args.url, "https://api.example.com/v1");
        assert_eq!(args.query, [("q".into(), "a b".into())]);
        assert_eq!(args.headers, [("X-A".into(), "1".into())]);
        assert_eq!(args.body, Some(HttpBodyArg::Json(json!({"n": 1}))));
        assert_eq!(args.timeout, Some(std::time::Duration::from_millis(2500)));
        assert_eq!(args.response_type, HttpResponseType::Text);
        // Defaults: GET, JSON back, no body, no timeout of its own.
        let plain = request(decode("http.request", r#"{"url":"https://a.example/"}"#).unwrap());
        assert_eq!((plain.method.as_str(), plain.response_type), ("GET", HttpResponseType::Json));
        assert_eq!((plain.body, plain.timeout), (None, None));
        let rust_duration = request(
            decode("http.request", r#"{"url":"https://a.example/","timeout":{"secs":1,"nanos":5}}"#).unwrap(),
        );
        assert_eq!(rust_duration.timeout, Some(std::time::Duration::new(1, 5)));
        let form = request(
            decode("http.request", r#"{"url":"https://a.example/","body":{"type":"Form","payload":{"b":"2","a":"1"}}}"#).unwrap(),
        );
        assert_eq!(
            form.body,
            Some(HttpBodyArg::Form(vec![("a".into(), "1".into()), ("b".into(), "2".into())]))
        );
    }

    #[test]
    fn fetch_channel_carries_the_raw_request_body() {
        let args = json!({"url": "https://a.example/", "method": "PUT", "body": {"type": "Bytes"}});
        let query = format!(
            "args={}",
            percent_encoding::utf8_percent_encode(&args.to_string(), percent_encoding::NON_ALPHANUMERIC)
        );
        let mut body = vec![0u8, 255, 7];
        let command = decode_fetch("http.request", Some(&query), &mut body).unwrap();
        assert!(body.is_empty(), "the bytes are moved, not copied");
        assert_eq!(request(command).body, Some(HttpBodyArg::Bytes(vec![0, 255, 7])));
        // Without a query the body is the JSON arguments.
        let mut json_body = br#"{"url":"https://a.example/"}"#.to_vec();
        assert!(decode_fetch("http.request", None, &mut json_body).is_ok());
        let bad = |query: &str, body: &[u8]| {
            decode_fetch("http.request", Some(query), &mut body.to_vec())
                .unwrap_err()
                .to_string()
        };
        assert!(bad("args=%7B%7D&x=1", b"").contains("`args=<JSON>` only"));
        assert!(bad("url=x", b"").contains("`args=<JSON>` only"));
        assert!(bad("args=%FF", b"").contains("not UTF-8"));
        assert!(bad("args=nope", b"").contains("`args` is not JSON"));
        let text_body = "args=%7B%22url%22%3A%22https%3A%2F%2Fa.example%2F%22%7D";
        assert!(bad(text_body, b"raw").contains("a raw body needs `body: { type: \"Bytes\" }`"));
    }

    #[test]
    fn http_bad_arguments_are_specific() {
        let cases: Vec<(&str, &str)> = vec![
            ("{}", "missing field `url`"),
            (r#"{"url":1}"#, "invalid type"),
            (r#"{"url":"https://a/","timeout":0}"#, "`timeout` must be more than 0"),
            (r#"{"url":"https://a/","timeout":3601}"#, "at most 3600 seconds"),
            (r#"{"url":"https://a/","timeout":{"secs":0,"nanos":0}}"#, "`timeout` is out of range"),
            (r#"{"url":"https://a/","responseType":4}"#, "`responseType` 4 is not 1 (JSON), 2 (Text) or 3 (Binary)"),
            (r#"{"url":"https://a/","body":{"type":"Xml","payload":"<a/>"}}"#, "unknown variant `Xml`"),
            (r#"{"url":"https://a/","headers":{"A":1}}"#, "invalid type"),
            (r#"{"url":"https://a/","redirect":"follow"}"#, "unknown field `redirect`"),
        ];
        for (args, needle) in cases {
            let error = decode("http.request", args).expect_err(args);
            assert!(error.contains(needle), "{args}: `{error}` lacks `{needle}`");
        }
        assert!(decode("http.get", r#"{"url":"https://a/"}"#).unwrap_err().contains("unknown command"));
    }
}
