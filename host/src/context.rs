//! What every part of a running app shares, read-only, across threads: the
//! config-derived policy (gate, CSP), the invoke key, the asset resolver, and
//! the handlers that need no window.

use std::path::{Path, PathBuf};

use millennium_config::LoadedConfig;
use millennium_config::model::Config;
use serde_json::{Value, json};

use crate::api::path::PathContext;
use crate::assets::{AssetResolver, DirectorySource, SourceError};
use crate::ipc::command::AppCommand;
use crate::ipc::{self, Admitted, AllowlistGate, Command, InvokeKey, Refusal};

/// Why an app could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The frontend directory is missing or unreadable.
    #[error("frontend directory {}: {source}", path.display())]
    Frontend {
        /// The directory from `[app] frontend`.
        path: PathBuf,
        /// Why.
        #[source]
        source: SourceError,
    },
    /// The OS random source failed.
    #[error("cannot generate the invoke key: {0}")]
    Random(String),
}

/// Shared, immutable state of a running app.
#[derive(Debug)]
pub struct HostContext {
    /// The validated config.
    pub config: Config,
    /// The app's directory (where `millennium.toml` is).
    pub base_dir: PathBuf,
    /// The per-run secret of the bridge.
    pub key: InvokeKey,
    /// The global the host calls in pages; random so pages cannot guess it
    /// from the source of other apps.
    pub callback: String,
    /// The allowlist gate.
    pub gate: AllowlistGate,
    /// The CSP header of HTML responses.
    pub csp: String,
    /// Base directories.
    pub paths: PathContext,
    resolver: AssetResolver,
}

impl HostContext {
    /// Prepares an app loaded from disk: frontend from `[app] frontend`.
    pub fn from_loaded(loaded: &LoadedConfig) -> Result<HostContext, ContextError> {
        let frontend = loaded.base_dir.join(&loaded.config.app.frontend);
        let source = DirectorySource::new(&frontend).map_err(|source| ContextError::Frontend {
            path: frontend.clone(),
            source,
        })?;
        HostContext::new(
            loaded.config.clone(),
            &loaded.base_dir,
            AssetResolver::new(Box::new(source)),
        )
    }

    /// Prepares an app from its config and an asset resolver.
    pub fn new(
        config: Config,
        base_dir: &Path,
        resolver: AssetResolver,
    ) -> Result<HostContext, ContextError> {
        let key = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let nonce = InvokeKey::generate().map_err(|e| ContextError::Random(e.to_string()))?;
        let callback = format!("__millennium_{}", &nonce.as_str()[..12]);
        Ok(HostContext {
            gate: AllowlistGate::new(config.allowlist.clone()),
            csp: crate::csp::policy_header(&config.security),
            paths: PathContext {
                identifier: config.app.identifier.clone(),
                resource_dir: base_dir.to_owned(),
            },
            base_dir: base_dir.to_owned(),
            key,
            callback,
            resolver,
            config,
        })
    }

    /// The asset resolver.
    pub fn assets(&self) -> &AssetResolver {
        &self.resolver
    }

    /// The gate every command passes: key, then allowlist.
    pub fn admit(&self, presented_key: &str, command: Command) -> Result<Admitted, Refusal> {
        ipc::authorize(&self.key, presented_key, &self.gate, command)
    }

    /// Runs an admitted command that needs no window or event loop; `None`
    /// when the event loop must handle it.
    pub fn run_local(&self, admitted: &Admitted) -> Option<Result<Value, String>> {
        Some(match admitted.command() {
            Command::App(AppCommand::GetName) => Ok(json!(self.config.app.name)),
            Command::App(AppCommand::GetVersion) => Ok(json!(self.config.app.version)),
            Command::App(AppCommand::GetMillenniumVersion) => Ok(json!(env!("CARGO_PKG_VERSION"))),
            Command::Os(os) => Ok(crate::api::os::handle(*os)),
            Command::Path(path) => self.paths.handle(path),
            Command::Ping => Ok(Value::Null),
            _ => return None,
        })
    }
}
