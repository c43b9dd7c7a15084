//! WebKitWebDriver and one WebDriver session on it, through the
//! `fantoccini` client, behind a small blocking API: the tests are plain
//! `#[test]` functions, so each session owns a current-thread tokio runtime
//! and every call runs to completion (or its time limit) on it.
//!
//! What the crate does not do is here too: starting WebKitWebDriver (the
//! caller builds the command; see `driven::driver_command`), ending its
//! process group, and capabilities with no `browserName` (WebKitWebDriver
//! compares it with the app's own name and refuses a mismatch).

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fantoccini::wd::{TimeoutConfiguration, WindowHandle};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;

/// A running WebKitWebDriver, started in its own process group; dropping
/// it ends the whole group (driver, and under `xvfb-run`, Xvfb, the session
/// bus and the app), then reaps the child.
pub struct DriverProcess {
    child: Child,
    /// Where it listens, on 127.0.0.1.
    pub port: u16,
}

impl DriverProcess {
    /// Spawns `command` (which must make WebKitWebDriver listen on
    /// 127.0.0.1:`port` and run in its own process group) and waits at most
    /// `limit` for the port to accept connections; `Err` says why not.
    pub fn spawn(
        mut command: Command,
        port: u16,
        limit: Duration,
    ) -> Result<DriverProcess, String> {
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start WebKitWebDriver: {e}"))?;
        let driver = DriverProcess { child, port };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + limit;
        while TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "WebKitWebDriver did not answer on 127.0.0.1:{port} within {limit:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// The driver's process id, which is also its process group's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        super::end_process_group(&mut self.child);
    }
}

/// The capabilities that make WebKitWebDriver start `binary args...`.
pub fn capabilities(binary: &Path, args: &[&std::ffi::OsStr]) -> Map<String, Value> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut capabilities = Map::new();
    capabilities.insert(
        "webkitgtk:browserOptions".to_owned(),
        json!({"binary": binary, "args": args}),
    );
    capabilities
}

/// One WebDriver session. Every call waits at most the session's command
/// limit; [`Session::close`] (or dropping it) deletes the session.
pub struct Session {
    runtime: Runtime,
    client: Option<Client>,
    limit: Duration,
}

impl Session {
    /// Asks the driver on `port` once for a session with `capabilities`,
    /// waiting at most `limit`; later commands wait at most `command_limit`.
    /// `Err` holds WebDriver's refusal (or the time-out).
    pub fn create(
        port: u16,
        capabilities: &Map<String, Value>,
        limit: Duration,
        command_limit: Duration,
    ) -> Result<Session, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let url = format!("http://127.0.0.1:{port}");
        let connect = async {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
        };
        let client = match runtime.block_on(async { tokio::time::timeout(limit, connect).await }) {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(format!("new session: {e}")),
            Err(_) => return Err(format!("new session: no answer within {limit:?}")),
        };
        Ok(Session {
            runtime,
            client: Some(client),
            limit: command_limit,
        })
    }

    /// Creates the session, retrying twice. Under Xvfb, GTK occasionally
    /// fails to open the display in a freshly started process (seen about 1
    /// run in 30 for the bare wry baseline as well as for the host, with no
    /// Xvfb error): the program then dies before WebKitWebDriver can talk
    /// to it. Such a failure says nothing about the app; any other failure,
    /// or a third one, fails the test. `on_retry` is told of each retry.
    pub fn create_retrying(
        port: u16,
        capabilities: &Map<String, Value>,
        command_limit: Duration,
        mut on_retry: impl FnMut(&str),
    ) -> Session {
        let mut last = String::new();
        for attempt in 0..3 {
            match Session::create(port, capabilities, Duration::from_secs(60), command_limit) {
                Ok(session) => return session,
                Err(e) => last = e,
            }
            if attempt < 2 {
                on_retry(&last);
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        panic!("WebKitWebDriver could not start the app three times; last answer {last}");
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Runs `call` on the session's client, for at most the command limit.
    fn block<T>(
        &self,
        what: &str,
        call: impl std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    ) -> Result<T, String> {
        let limit = self.limit;
        match self
            .runtime
            .block_on(async { tokio::time::timeout(limit, call).await })
        {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(format!("{what}: {e}")),
            Err(_) => Err(format!("{what}: no answer within {limit:?}")),
        }
    }

    /// Synchronous JS in the current page; `Err` for a WebDriver error.
    pub fn try_execute(&self, script: &str) -> Result<Value, String> {
        self.block("execute", self.client().execute(script, Vec::new()))
    }

    /// Asynchronous JS: `script` calls its last argument with the result.
    pub fn try_execute_async(&self, script: &str) -> Result<Value, String> {
        self.block(
            "execute async",
            self.client().execute_async(script, Vec::new()),
        )
    }

    /// Runs an async JS function body (it may `await`); `Ok(value)`, or
    /// `Err(message)` of a thrown error or rejected promise. A WebDriver
    /// error is the outer `Err`.
    pub fn try_run(&self, body: &str) -> Result<Result<Value, String>, String> {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n\
             (async () => {{ {body} }})().then(\n\
               (v) => done({{ ok: v === undefined ? null : v }}),\n\
               (e) => done({{ err: String(e && e.message || e) }}));"
        );
        let value = self.try_execute_async(&script)?;
        Ok(match value.get("err") {
            Some(err) => Err(err.as_str().unwrap_or_default().to_owned()),
            None => Ok(value["ok"].clone()),
        })
    }

    /// Types `text` into the element `css` selects, as keystrokes.
    pub fn send_keys(&self, css: &str, text: &str) -> Result<(), String> {
        let client = self.client();
        self.block("send keys", async {
            client
                .find(fantoccini::Locator::Css(css))
                .await?
                .send_keys(text)
                .await
        })
    }

    /// The document title.
    pub fn title(&self) -> Result<String, String> {
        self.block("title", self.client().title())
    }

    /// A PNG of the current page.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        self.block("screenshot", self.client().screenshot())
    }

    /// The handles of the session's windows.
    pub fn window_handles(&self) -> Result<Vec<String>, String> {
        let handles = self.block("window handles", self.client().windows())?;
        Ok(handles.into_iter().map(String::from).collect())
    }

    /// Makes the window with `handle` the one scripts run in.
    pub fn switch_to_window(&self, handle: &str) -> Result<(), String> {
        let handle = WindowHandle::try_from(handle).map_err(|e| format!("{handle:?}: {e}"))?;
        self.block("switch to window", self.client().switch_to_window(handle))
    }

    /// Sets how long an asynchronous script may run.
    pub fn set_script_timeout(&self, limit: Duration) -> Result<(), String> {
        let timeouts = TimeoutConfiguration::new(Some(limit), None, None);
        self.block("timeouts", self.client().update_timeouts(timeouts))
    }

    /// Deletes the session (at most 10 s).
    pub fn close(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
