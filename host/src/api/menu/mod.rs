//! `Millennium.menu`: clicks on the declared menus (`onClick`, no key),
//! their items changed at run time (`setItem`), and context menus a page
//! builds from data (`popup`). The menus themselves are [`crate::desktop`].

use millennium_config::model::{AllowlistKey, MenuAllowlist, MenuItemConfig};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, LoopCall, Route, Setup, Surface, null, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, bad, parse, unknown};
use crate::ipc::{Admitted, Output};

/// `Millennium.menu`.
#[derive(Debug, Clone, PartialEq)]
pub enum MenuCommand {
    /// `setItem(id, changes)`.
    SetItem {
        /// The declared item.
        id: String,
        /// A new label.
        label: Option<String>,
        /// Whether it can be clicked.
        enabled: Option<bool>,
        /// A check item's state.
        checked: Option<bool>,
    },
    /// `popup(items, at)`.
    Popup {
        /// The items, checked by [`crate::desktop::popup_items`].
        items: Vec<MenuItemConfig>,
        /// Where, in the page's CSS pixels; at the pointer when `None`.
        at: Option<(f64, f64)>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetItemArgs {
    id: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    checked: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct At {
    x: f64,
    y: f64,
}

impl Api for MenuCommand {
    type State = ();

    const SURFACE: Surface = Surface {
        members: &["onClick", "setItem", "popup"],
        samples: &[
            sample(
                "menu.setItem",
                r#"{"id":"x","label":"X"}"#,
                "Millennium.menu.setItem('x', { label: 'X' })",
            ),
            sample(
                "menu.popup",
                r#"{"items":[{"id":"x","label":"X"}]}"#,
                "Millennium.menu.popup([{ id: 'x', label: 'X' }])",
            ),
        ],
    };

    fn prepare(_: &Setup<'_>) -> Result<(), ContextError> {
        Ok(())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<MenuCommand, DecodeError> {
        match function {
            "setItem" => {
                let args: SetItemArgs = parse(cmd, args)?;
                if args.label.as_ref().is_some_and(|l| l.is_empty() || l.chars().count() > 200) {
                    return Err(bad(cmd, "a label is 1 to 200 characters"));
                }
                Ok(MenuCommand::SetItem {
                    id: args.id,
                    label: args.label,
                    enabled: args.enabled,
                    checked: args.checked,
                })
            }
            "popup" => {
                let Value::Object(mut args) = args else {
                    return Err(bad(cmd, "expected an object"));
                };
                let items = args.remove("items").ok_or_else(|| bad(cmd, "`items` is missing"))?;
                let at = match args.remove("at") {
                    None | Some(Value::Null) => None,
                    Some(at) => {
                        let At { x, y } = serde_json::from_value(at)
                            .map_err(|e| bad(cmd, format!("`at` must be {{ x, y }}: {e}")))?;
                        if !(x.is_finite() && y.is_finite()) || x.abs() > 65536.0 || y.abs() > 65536.0 {
                            return Err(bad(cmd, "`at` is outside the window"));
                        }
                        Some((x, y))
                    }
                };
                if let Some(extra) = args.keys().next() {
                    return Err(bad(cmd, format!("unknown argument `{extra}`")));
                }
                let items = crate::desktop::popup_items(items).map_err(|e| bad(cmd, e))?;
                Ok(MenuCommand::Popup { items, at })
            }
            _ => Err(unknown(cmd)),
        }
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            MenuCommand::SetItem { .. } => &[MenuAllowlist::set_item],
            MenuCommand::Popup { .. } => &[MenuAllowlist::popup],
        }
    }

    fn route(&self) -> Route {
        // GTK menus live on the UI thread.
        Route::EventLoop
    }

    fn run_in_loop(admitted: Admitted<MenuCommand>, call: &mut LoopCall<'_>) -> Option<Result<Output, String>> {
        match admitted.into_command() {
            MenuCommand::SetItem {
                id,
                label,
                enabled,
                checked,
            } => Some(
                call.windows
                    .desktop
                    .set_item(&id, label.as_deref(), enabled, checked)
                    .and_then(|()| null()),
            ),
            MenuCommand::Popup { items, at } => {
                let label = call.label.to_owned();
                let reply = call.defer();
                call.windows.popup(&label, &items, at, reply);
                None
            }
        }
    }
}
