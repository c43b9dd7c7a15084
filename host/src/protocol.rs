//! The `millennium://localhost/` custom protocol: the app's assets (with the
//! CSP header on HTML), and the IPC fetch channel under `/__ipc/`. Runs on a
//! worker thread per request, never on the UI thread; the registry says
//! which commands run there and which go to the event loop.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use percent_encoding::percent_decode_str;
use serde_json::Value;
use tao::event_loop::EventLoopProxy;
use wry::RequestAsyncResponder;
use wry::http::{HeaderValue, Method, Request, Response, StatusCode, header};

use crate::APP_ORIGIN;
use crate::api::{Call, Route};
use crate::context::{Caller, HostContext};
use crate::events::{Reply, UserEvent, page};
use crate::ipc::decode::{DecodeError, decode_fetch};
use crate::ipc::{FETCH_PREFIX, KEY_HEADER, Output, Refusal, router};

/// Most requests of the custom protocol handled at once, each on its own
/// thread; beyond it a request is answered `503` at once. A page (or a
/// remote iframe) could otherwise start thousands of threads.
pub const MAX_CONCURRENT_REQUESTS: usize = 64;

/// Counts the protocol's requests in flight, up to a limit.
#[derive(Debug)]
pub struct RequestLimit {
    in_flight: AtomicUsize,
    max: usize,
}

/// One request's place under a [`RequestLimit`]; freed when dropped.
#[derive(Debug)]
pub struct RequestSlot(Arc<RequestLimit>);

impl RequestLimit {
    /// At most `max` requests at once.
    pub fn new(max: usize) -> Arc<RequestLimit> {
        Arc::new(RequestLimit {
            in_flight: AtomicUsize::new(0),
            max,
        })
    }

    /// A place for one more request, or `None` when all are taken.
    pub fn try_acquire(self: &Arc<Self>) -> Option<RequestSlot> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| RequestSlot(Arc::clone(self)))
    }
}

impl Drop for RequestSlot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The answer to a request over the limit.
pub fn busy() -> Response<Cow<'static, [u8]>> {
    text(
        StatusCode::SERVICE_UNAVAILABLE,
        "too many requests at once: try again",
    )
}

/// Answers one request. `label` is the window whose page made it.
pub fn serve(
    ctx: &Arc<HostContext>,
    proxy: &EventLoopProxy<UserEvent>,
    label: String,
    request: Request<Vec<u8>>,
    responder: RequestAsyncResponder,
) {
    let path = request.uri().path().to_owned();
    if path.starts_with(FETCH_PREFIX) {
        fetch_ipc(ctx, proxy, label, request, responder);
    } else {
        let query = request.uri().query();
        responder.respond(asset(ctx, request.method(), &path, query));
    }
}

fn asset(
    ctx: &HostContext,
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Response<Cow<'static, [u8]>> {
    if method != Method::GET && method != Method::HEAD {
        return text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served",
        );
    }
    match ctx.assets().resolve_request(path, query) {
        Ok(asset) => {
            // Every document gets the policy (SVG and XML run scripts too);
            // only HTML pages get their own inline scripts' hashes.
            let csp = asset.is_document().then(|| page_policy(ctx, &asset));
            let mut response = Response::new(asset.bytes);
            *response.status_mut() = StatusCode::from_u16(asset.status).unwrap_or(StatusCode::OK);
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, header_value(&asset.mime));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if let Some(csp) = csp {
                // A policy that is not a valid header value must not be
                // dropped silently: refuse to serve the page instead.
                match HeaderValue::from_str(&csp) {
                    Ok(value) => {
                        headers.insert(header::CONTENT_SECURITY_POLICY, value);
                    }
                    Err(_) => {
                        return text(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "[security] csp is not a valid header value",
                        );
                    }
                }
            }
            response
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::NOT_FOUND);
            text(status, &error.to_string())
        }
    }
}

fn fetch_ipc(
    ctx: &Arc<HostContext>,
    proxy: &EventLoopProxy<UserEvent>,
    label: String,
    request: Request<Vec<u8>>,
    responder: RequestAsyncResponder,
) {
    if request.method() != Method::POST {
        return responder.respond(text(
            StatusCode::METHOD_NOT_ALLOWED,
            "IPC requests are POST",
        ));
    }
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let Some(origin) = origin
        && origin != APP_ORIGIN
    {
        return responder.respond(refusal(&Refusal::ForeignOrigin(origin)));
    }
    let key = request
        .headers()
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let raw_cmd = &request.uri().path()[FETCH_PREFIX.len()..];
    let cmd = match percent_decode_str(raw_cmd).decode_utf8() {
        Ok(cmd) => cmd.into_owned(),
        Err(_) => {
            let error = Refusal::Decode(DecodeError::UnknownCommand(raw_cmd.to_owned()));
            return responder.respond(refusal(&error));
        }
    };
    let query = request.uri().query().map(str::to_owned);
    let mut body = request.into_body();
    let command = match decode_fetch(&cmd, query.as_deref(), &mut body) {
        Ok(command) => command,
        Err(error) => return responder.respond(refusal(&Refusal::Decode(error))),
    };
    // The fetch channel is app-only (remote grants use postMessage).
    let command = match ctx.admit(Caller::App, &label, &key, command) {
        Ok(command) => command,
        Err(error) => return responder.respond(refusal(&error)),
    };
    // Inline and blocking commands run here, on this request's worker
    // thread; only those that need windows go to the event loop.
    if command.command().route() != Route::EventLoop {
        let call = Call::new(ctx, &label, Caller::App, page::current(&label), proxy);
        return responder.respond(output_response(router::run(command, &call)));
    }
    let event = UserEvent::Invoke {
        label,
        command,
        reply: Reply::Http(responder),
    };
    if let Err(error) = proxy.send_event(event) {
        // The loop is gone (the app is exiting); answer so the page is not left waiting.
        if let UserEvent::Invoke {
            reply: Reply::Http(responder),
            ..
        } = error.0
        {
            responder.respond(text(StatusCode::SERVICE_UNAVAILABLE, "the app is exiting"));
        }
    }
}

/// The HTTP answer to a command's result.
pub fn json_result(result: Result<Value, String>) -> Response<Cow<'static, [u8]>> {
    match result {
        Ok(value) => {
            let mut response = Response::new(Cow::Owned(value.to_string().into_bytes()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(message) => text(StatusCode::UNPROCESSABLE_ENTITY, &message),
    }
}

/// The HTTP answer to a command that returns raw bytes.
pub fn bytes_result(result: Result<Vec<u8>, String>) -> Response<Cow<'static, [u8]>> {
    match result {
        Ok(bytes) => {
            let mut response = Response::new(Cow::Owned(bytes));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        Err(message) => json_result(Err(message)),
    }
}

/// Header of a part's answer: bytes in the whole it is a range of.
pub const PART_TOTAL_HEADER: &str = "millennium-total-bytes";
/// Header of a part's answer: the version of the whole, which every later
/// part must ask for.
pub const PART_VERSION_HEADER: &str = "millennium-version";

/// The HTTP answer to a command's output: JSON, or raw bytes.
pub fn output_response(result: Result<Output, String>) -> Response<Cow<'static, [u8]>> {
    match result {
        Ok(Output::Bytes(bytes)) => bytes_result(Ok(bytes)),
        Ok(Output::Part {
            bytes,
            total,
            version,
        }) => {
            // A version is digits, dots and colons; anything else is a bug here.
            let Ok(version) = HeaderValue::from_str(&version) else {
                return json_result(Err(format!("internal error: a file version `{version}`")));
            };
            let mut response = bytes_result(Ok(bytes));
            let headers = response.headers_mut();
            headers.insert(PART_TOTAL_HEADER, HeaderValue::from(total));
            headers.insert(PART_VERSION_HEADER, version);
            response
        }
        Ok(Output::Json(value)) => json_result(Ok(value)),
        Err(message) => json_result(Err(message)),
    }
}

/// The CSP header of one document: the app's, plus (run from a directory)
/// the hashes of an HTML page's own inline scripts; a packaged app's config
/// already carries every page's.
fn page_policy(ctx: &HostContext, asset: &crate::assets::Asset) -> String {
    #[cfg(feature = "generic")]
    if ctx.hash_inline_scripts && asset.is_html() {
        let hashes = crate::inline_scripts::hashes_of(&asset.bytes);
        return crate::inline_scripts::with_script_hashes(&ctx.csp, &hashes);
    }
    #[cfg(not(feature = "generic"))]
    let _ = asset;
    ctx.csp.clone()
}

fn refusal(error: &Refusal) -> Response<Cow<'static, [u8]>> {
    let status = match error {
        Refusal::Decode(DecodeError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
        Refusal::Decode(DecodeError::UnknownCommand(_)) => StatusCode::NOT_FOUND,
        Refusal::Decode(_) => StatusCode::BAD_REQUEST,
        Refusal::BadKey
        | Refusal::ForeignOrigin(_)
        | Refusal::OtherWindow(_)
        | Refusal::Denied { .. } => StatusCode::FORBIDDEN,
    };
    text(status, &error.to_string())
}

fn text(status: StatusCode, message: &str) -> Response<Cow<'static, [u8]>> {
    let mut response = Response::new(Cow::Owned(message.as_bytes().to_vec()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (security review): one OS thread per request, unbounded;
    /// a page could start thousands.
    #[test]
    fn requests_beyond_the_limit_are_refused_until_one_finishes() {
        let limit = RequestLimit::new(3);
        let mut slots: Vec<RequestSlot> = (0..3).map(|_| limit.try_acquire().unwrap()).collect();
        assert!(limit.try_acquire().is_none());
        slots.pop();
        let again = limit.try_acquire();
        assert!(again.is_some());
        assert!(limit.try_acquire().is_none());
        assert_eq!(busy().status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
