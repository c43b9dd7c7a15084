//! The floor of this stack, for `make bench`: a bare wry + tao program doing
//! the same work as `millennium-host`, with nothing of Millennium in it.
//!
//! `bare-wry DIR PAGE` opens one 800x600 window on `bare://localhost/PAGE`,
//! serving files from DIR through an asynchronous custom protocol (as the
//! host does). `POST bare://localhost/echo` answers with its own body (the
//! raw custom-protocol round trip), `POST bare://localhost/read?PATH`
//! answers with the bytes of the file at PATH (taken as it is: the bench's
//! paths need no percent-encoding), as a
//! Tauri 2 command returning `tauri::ipc::Response` does on Linux, and
//! `window.ipc.postMessage("exit")` exits. `MILLENNIUM_AUTOMATION=1` allows WebDriver, as for the host.

use std::borrow::Cow;
use std::path::PathBuf;

use tao::event::{Event, WindowEvent};
use tao::event_loop::{ControlFlow, EventLoopBuilder};
use tao::platform::unix::WindowExtUnix;
use tao::window::WindowBuilder;
use wry::http::{Response, header};
use wry::{WebContext, WebViewBuilder, WebViewBuilderExtUnix};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), Some(page)) = (args.next(), args.next()) else {
        eprintln!("usage: bare-wry DIR PAGE");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let page = page.to_string_lossy().into_owned();

    let event_loop = EventLoopBuilder::<()>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let window = WindowBuilder::new()
        .with_title("bare wry")
        .with_inner_size(tao::dpi::LogicalSize::new(800.0, 600.0))
        .build(&event_loop)
        .expect("window");
    // Same kind of persistent data directory as the host's.
    let data = std::env::var_os("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("bare-wry/webview"));
    let mut context = WebContext::new(data);
    if std::env::var("MILLENNIUM_AUTOMATION").as_deref() == Ok("1") {
        context.set_allows_automation(true);
    }
    let builder = WebViewBuilder::new_with_web_context(&mut context)
        .with_url(format!("bare://localhost/{page}"))
        .with_ipc_handler(move |message| {
            if message.body() == "exit" {
                let _ = proxy.send_event(());
            }
        })
        .with_asynchronous_custom_protocol("bare".into(), move |_id, request, responder| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let path = request.uri().path().trim_start_matches('/').to_owned();
                if path == "echo" {
                    let body = request.into_body();
                    let response = Response::builder()
                        .header(header::CONTENT_TYPE, "application/octet-stream")
                        .body(Cow::Owned(body))
                        .expect("response");
                    return responder.respond(response);
                }
                if path == "read" {
                    let file = request.uri().query().unwrap_or_default();
                    let (status, body) = match std::fs::read(file) {
                        Ok(bytes) => (200, bytes),
                        Err(error) => (500, error.to_string().into_bytes()),
                    };
                    let response = Response::builder()
                        .status(status)
                        .header(header::CONTENT_TYPE, "application/octet-stream")
                        .body(Cow::Owned(body))
                        .expect("response");
                    return responder.respond(response);
                }
                let (status, body, mime) = match std::fs::read(dir.join(&path)) {
                    Ok(bytes) => (200, bytes, mime(&path)),
                    Err(_) => (404, Vec::new(), "text/plain"),
                };
                let response = Response::builder()
                    .status(status)
                    .header(header::CONTENT_TYPE, mime)
                    .body(Cow::Owned(body))
                    .expect("response");
                responder.respond(response);
            });
        });
    let vbox = window
        .default_vbox()
        .expect("tao windows have a GTK box on Linux");
    let _webview = builder.build_gtk(vbox).expect("webview");

    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(()) => *control_flow = ControlFlow::Exit,
            Event::WindowEvent {
                event: WindowEvent::CloseRequested,
                ..
            } => *control_flow = ControlFlow::Exit,
            _ => {}
        }
    });
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    }
}
