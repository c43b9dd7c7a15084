//! `Millennium.globalShortcut` and `[[shortcuts]]`: key combinations that
//! reach the app whichever program has the focus, through global-hotkey's
//! key grabs on the X11 root window.
//!
//! One registry per app holds every grab: the declared shortcuts (from the
//! start to the end of the run) and those pages registered, each owned by
//! the page that asked, which loses them when the window shows another
//! page or closes. A press reaches the loop as
//! [`UserEvent::GlobalShortcut`]; a page's shortcut is heard only by that
//! page, as `millennium://global-shortcut`.
//!
//! Under Wayland no program may grab keys for itself: registering is an
//! error there, never a silent no-op.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use global_hotkey::GlobalHotKeyManager;
use global_hotkey::hotkey::HotKey;
use millennium_config::accelerator::Accelerator;
use millennium_config::model::{AllowlistKey, DesktopAction, EventName, GlobalShortcutAllowlist, ShortcutConfig};
use serde::Deserialize;
use serde_json::Value;
use tao::event_loop::EventLoopProxy;

use super::{Api, Call, Route, Setup, Surface, json, null, sample};
use crate::context::ContextError;
use crate::events::UserEvent;
use crate::ipc::decode::{DecodeError, no_args, parse, unknown};
use crate::ipc::{Admitted, Output};

/// The event a page's shortcut reaches it by (`{ accelerator }`).
pub const EVENT: &str = "millennium://global-shortcut";

/// `Millennium.globalShortcut`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobalShortcutCommand {
    /// `register(accelerator, handler)`.
    Register(String),
    /// `unregister(accelerator)`.
    Unregister(String),
    /// `unregisterAll()`: the calling window's.
    UnregisterAll,
    /// `isRegistered(accelerator)`: by this app, declared or by any page.
    IsRegistered(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceleratorArgs {
    accelerator: String,
}

impl Api for GlobalShortcutCommand {
    type State = Shortcuts;

    const SURFACE: Surface = Surface {
        members: &["register", "unregister", "unregisterAll", "isRegistered"],
        samples: &[
            sample(
                "globalShortcut.register",
                r#"{"accelerator":"Ctrl+Alt+F9"}"#,
                "Millennium.globalShortcut.register('Ctrl+Alt+F9', function () {})",
            ),
            sample(
                "globalShortcut.unregister",
                r#"{"accelerator":"Ctrl+Alt+F9"}"#,
                "Millennium.globalShortcut.unregister('Ctrl+Alt+F9')",
            ),
            sample("globalShortcut.unregisterAll", "{}", "Millennium.globalShortcut.unregisterAll()"),
            sample(
                "globalShortcut.isRegistered",
                r#"{"accelerator":"Ctrl+Alt+F9"}"#,
                "Millennium.globalShortcut.isRegistered('Ctrl+Alt+F9')",
            ),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<Shortcuts, ContextError> {
        let allowed = setup.config.allowlist.global_shortcut.accelerators.as_ref().map(|list| {
            list.iter()
                .filter_map(|text| Accelerator::parse(text).ok())
                .collect()
        });
        Ok(Shortcuts {
            declared: setup.config.shortcuts.clone(),
            allowed,
            registry: Mutex::new(Registry::default()),
        })
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<GlobalShortcutCommand, DecodeError> {
        Ok(match function {
            "register" => GlobalShortcutCommand::Register(parse::<AcceleratorArgs>(cmd, args)?.accelerator),
            "unregister" => GlobalShortcutCommand::Unregister(parse::<AcceleratorArgs>(cmd, args)?.accelerator),
            "unregisterAll" => {
                no_args(cmd, args)?;
                GlobalShortcutCommand::UnregisterAll
            }
            "isRegistered" => GlobalShortcutCommand::IsRegistered(parse::<AcceleratorArgs>(cmd, args)?.accelerator),
            _ => return Err(unknown(cmd)),
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[GlobalShortcutAllowlist::register]
    }

    fn route(&self) -> Route {
        // A grab is a round trip to the X server through global-hotkey's
        // thread (which polls every 50 ms).
        Route::Worker
    }

    fn run(admitted: Admitted<GlobalShortcutCommand>, call: &Call<'_>) -> Result<Output, String> {
        let shortcuts = call.ctx.state(&admitted);
        let owner = Owner::Page {
            window: call.label.to_owned(),
            page: call.page(),
        };
        match admitted.command() {
            GlobalShortcutCommand::Register(text) => {
                let accelerator = page_accelerator(text)?;
                if let Some(allowed) = &shortcuts.allowed
                    && !allowed.contains(&accelerator)
                {
                    return Err(format!(
                        "`{accelerator}` is not in [allowlist.global-shortcut] accelerators"
                    ));
                }
                shortcuts.register(accelerator, text.clone(), owner, call.proxy())?;
                json(accelerator.to_string())
            }
            GlobalShortcutCommand::Unregister(text) => {
                let accelerator = page_accelerator(text)?;
                shortcuts.unregister(accelerator, call.label)?;
                null()
            }
            GlobalShortcutCommand::UnregisterAll => {
                shortcuts.release_window(call.label);
                null()
            }
            GlobalShortcutCommand::IsRegistered(text) => {
                json(shortcuts.is_registered(page_accelerator(text)?))
            }
        }
    }
}

/// An accelerator a page gave: parsed, and more than a plain key.
fn page_accelerator(text: &str) -> Result<Accelerator, String> {
    let accelerator = Accelerator::parse(text).map_err(|e| e.to_string())?;
    if accelerator.is_plain_key() {
        return Err(format!(
            "`{accelerator}` as a global shortcut would take that key from every program: add Ctrl, Alt or Super"
        ));
    }
    Ok(accelerator)
}

/// Who a grab is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// `[[shortcuts]]` entry `index`.
    Declared(usize),
    /// The page `page` of window `window`.
    Page {
        /// The window.
        window: String,
        /// The page ([`crate::events::page`]).
        page: u64,
    },
}

/// What a press of a grabbed combination is for.
#[derive(Debug, Clone)]
pub enum Fired {
    /// A declared shortcut: its action, and the event for `event`.
    Declared {
        /// What to do.
        action: DesktopAction,
        /// The app event, for [`DesktopAction::Event`].
        event: Option<EventName>,
        /// As people read it.
        accelerator: String,
    },
    /// A page's: the event for that page only.
    Page {
        /// The window.
        window: String,
        /// The page that registered it.
        page: u64,
        /// As the page wrote it.
        accelerator: String,
    },
}

/// The app's global shortcuts.
pub struct Shortcuts {
    declared: Vec<ShortcutConfig>,
    /// `[allowlist.global-shortcut] accelerators`, when given.
    allowed: Option<Vec<Accelerator>>,
    registry: Mutex<Registry>,
}

impl std::fmt::Debug for Shortcuts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shortcuts(..)")
    }
}

/// The grabs, by global-hotkey's id.
#[derive(Default)]
struct Registry {
    manager: Option<GlobalHotKeyManager>,
    grabs: HashMap<u32, Grab>,
}

struct Grab {
    accelerator: Accelerator,
    hotkey: HotKey,
    /// As it was written.
    text: String,
    owner: Owner,
}

/// Whether the display is X11, where keys can be grabbed; set once GTK is
/// up ([`crate::platform::open_display`]).
static X11: OnceLock<bool> = OnceLock::new();

/// Records the display server GTK opened.
pub(crate) fn set_display_is_x11(x11: bool) {
    let _ = X11.set(x11);
}

impl Shortcuts {
    /// Grabs the `[[shortcuts]]`; one that cannot be had is said on stderr,
    /// and the app runs without it.
    pub fn start_declared(&self, proxy: &EventLoopProxy<UserEvent>) {
        for (index, shortcut) in self.declared.iter().enumerate() {
            let Ok(accelerator) = Accelerator::parse(&shortcut.accelerator) else {
                continue; // `check` refused it; a packaged app was checked
            };
            if let Err(error) = self.register(accelerator, shortcut.accelerator.clone(), Owner::Declared(index), proxy) {
                eprintln!("millennium: the shortcut {accelerator} is not available: {error}");
            }
        }
    }

    fn register(
        &self,
        accelerator: Accelerator,
        text: String,
        owner: Owner,
        proxy: &EventLoopProxy<UserEvent>,
    ) -> Result<(), String> {
        if !X11.get().copied().unwrap_or(false) {
            return Err("global shortcuts need an X11 session: under Wayland no program may take keys for \
                        itself (give the desktop a shortcut that launches the app instead)"
                .to_owned());
        }
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(grab) = registry.grabs.values().find(|g| g.accelerator == accelerator) {
            return Err(match &grab.owner {
                Owner::Declared(_) => format!("`{accelerator}` is one of the app's [[shortcuts]] already"),
                Owner::Page { window, .. } => format!("`{accelerator}` is registered already (by window `{window}`)"),
            });
        }
        let hotkey: HotKey = accelerator
            .canonical()
            .parse()
            .map_err(|e| format!("`{accelerator}`: {e}"))?;
        if registry.manager.is_none() {
            let manager = GlobalHotKeyManager::new().map_err(|e| format!("cannot grab keys: {e}"))?;
            let proxy = proxy.clone();
            global_hotkey::GlobalHotKeyEvent::set_event_handler(Some(move |event: global_hotkey::GlobalHotKeyEvent| {
                if event.state == global_hotkey::HotKeyState::Pressed {
                    let _ = proxy.send_event(UserEvent::GlobalShortcut(event.id));
                }
            }));
            registry.manager = Some(manager);
        }
        let manager = registry.manager.as_ref().expect("made above");
        manager.register(hotkey).map_err(|error| match error {
            global_hotkey::Error::AlreadyRegistered(_) => {
                format!("`{accelerator}` is taken by another program")
            }
            other => format!("cannot register `{accelerator}`: {other}"),
        })?;
        let page = match &owner {
            Owner::Page { window, page } => Some((window.clone(), *page)),
            Owner::Declared(_) => None,
        };
        registry.grabs.insert(hotkey.id(), Grab { accelerator, hotkey, text, owner });
        // The page may have gone while the grab was made: the loop releases
        // a window's grabs only after its page number changed, so a grab
        // made for an old page is released here.
        if let Some((window, page)) = page
            && crate::events::page::current(&window) != page
        {
            registry.ungrab(hotkey.id());
            return Err("the page changed while the shortcut was registered".to_owned());
        }
        Ok(())
    }

    fn unregister(&self, accelerator: Accelerator, window: &str) -> Result<(), String> {
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((&id, grab)) = registry.grabs.iter().find(|(_, g)| g.accelerator == accelerator) else {
            return Err(format!("`{accelerator}` is not registered"));
        };
        if !matches!(&grab.owner, Owner::Page { window: w, .. } if w == window) {
            return Err(format!("`{accelerator}` was not registered by this window"));
        }
        registry.ungrab(id);
        Ok(())
    }

    fn is_registered(&self, accelerator: Accelerator) -> bool {
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        registry.grabs.values().any(|g| g.accelerator == accelerator)
    }

    /// Window `window` closed or shows another page: its shortcuts go.
    pub fn release_window(&self, window: &str) {
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let ids: Vec<u32> = registry
            .grabs
            .iter()
            .filter(|(_, g)| matches!(&g.owner, Owner::Page { window: w, .. } if w == window))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            registry.ungrab(id);
        }
    }

    /// The app ends: every grab goes (the X server would drop them with
    /// the connection; this says so at once).
    pub fn release_all(&self) {
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let ids: Vec<u32> = registry.grabs.keys().copied().collect();
        for id in ids {
            registry.ungrab(id);
        }
        registry.manager = None;
    }

    /// What the press of grab `id` is for.
    pub fn fired(&self, id: u32) -> Option<Fired> {
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let grab = registry.grabs.get(&id)?;
        Some(match &grab.owner {
            Owner::Declared(index) => {
                let shortcut = self.declared.get(*index)?;
                Fired::Declared {
                    action: shortcut.action(),
                    event: shortcut.event.clone(),
                    accelerator: grab.accelerator.to_string(),
                }
            }
            Owner::Page { window, page } => Fired::Page {
                window: window.clone(),
                page: *page,
                accelerator: grab.text.clone(),
            },
        })
    }
}

impl Registry {
    fn ungrab(&mut self, id: u32) {
        if let Some(grab) = self.grabs.remove(&id)
            && let Some(manager) = &self.manager
            && let Err(error) = manager.unregister(grab.hotkey)
        {
            eprintln!("millennium: cannot release the shortcut {}: {error}", grab.accelerator);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The menu and shortcut libraries read every key the config grammar
    /// knows, in its canonical spelling, as the same key.
    #[test]
    fn every_accelerator_check_accepts_is_one_the_libraries_read_alike() {
        for code in Accelerator::key_codes() {
            let text = format!("Ctrl+Alt+Shift+Super+{code}");
            let canonical = Accelerator::parse(&text).unwrap().canonical();
            let hotkey: HotKey = canonical.parse().unwrap_or_else(|e| panic!("global-hotkey: {canonical}: {e}"));
            let menu: muda::accelerator::Accelerator =
                canonical.parse().unwrap_or_else(|e| panic!("muda: {canonical}: {e:?}"));
            assert_eq!(hotkey.key.to_string(), code, "global-hotkey reads {canonical}");
            assert_eq!(menu.key().to_string(), code, "muda reads {canonical}");
            assert_eq!(hotkey.mods.bits(), menu.modifiers().bits(), "{canonical}");
        }
    }

    #[test]
    fn pages_may_not_grab_plain_keys_or_garbage() {
        assert!(page_accelerator("A").unwrap_err().contains("every program"));
        assert!(page_accelerator("Ctrl+Banana").unwrap_err().contains("`Banana`"));
        assert_eq!(page_accelerator("ctrl+alt+k").unwrap().to_string(), "Ctrl+Alt+K");
    }
}
