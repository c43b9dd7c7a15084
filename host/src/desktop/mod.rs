//! The app on the desktop besides its pages: the menu bars of its windows,
//! the context menus pages pop up, and the tray ([`tray`]). All of it is
//! GTK (through muda and tray-icon) and lives on the event loop's thread.
//!
//! Every menu item made here gets a fresh muda id and a [`Target`]: where
//! the item lives ([`Place`]), which declared item it is, and what a click
//! does. A click reaches the loop as [`UserEvent::Menu`] with that id and
//! nothing else, so nothing a page wrote (its items are data) can name an
//! action: a page's context menu has ids, labels and the edit roles only.

pub mod tray;

use std::collections::HashMap;

use millennium_config::accelerator::Accelerator;
use millennium_config::model::{MenuItemConfig, MenuItemKind, MenuRole};
use muda::IsMenuItem;
use tao::platform::unix::WindowExtUnix;
use tao::window::Window;

use crate::api::Deferred;
use crate::events::UserEvent;

/// The event a click reaches pages by (`{ id, menu, source, checked? }`).
pub const MENU_EVENT: &str = "millennium://menu";

/// Where a menu item lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The menu bar of window `label`.
    Window(String),
    /// The tray's menu.
    Tray,
    /// The context menu `token` a page popped up.
    Popup(u64),
}

/// A made item.
struct Target {
    place: Place,
    /// The declared menu (empty for a popup).
    menu: String,
    /// The item's id in the config or the page's items.
    id: Option<String>,
    /// What a click does.
    act: Act,
    handle: Handle,
}

/// What a click on an item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Tell the page (`onClick`, or the popup's promise).
    Report,
    /// A standard item the host carries out.
    Role(MenuRole),
    /// The tray's `click` action.
    TrayClick,
    /// Nothing (a submenu).
    Nothing,
}

#[derive(Clone)]
enum Handle {
    Item(muda::MenuItem),
    Check(muda::CheckMenuItem),
    Submenu(muda::Submenu),
}

/// A click, as the loop carries it out.
#[derive(Debug, Clone)]
pub struct Click {
    /// Where the item lives.
    pub place: Place,
    /// Its declared menu.
    pub menu: String,
    /// Its id.
    pub id: Option<String>,
    /// What to do.
    pub act: Act,
    /// A check item's state after the click.
    pub checked: Option<bool>,
}

/// A context menu on screen, and the promise its answer settles.
struct Popup {
    token: u64,
    reply: Deferred,
    chosen: Option<String>,
    /// Kept alive while it shows.
    _menu: muda::Menu,
    _gtk: gtk::Menu,
}

/// The menus, popups and tray of the running app.
#[derive(Default)]
pub struct Desktop {
    next: u64,
    targets: HashMap<String, Target>,
    bars: HashMap<String, muda::Menu>,
    pub(crate) tray: Option<tray::Tray>,
    popup: Option<Popup>,
}

/// muda's click events join the loop. Set once per process.
pub fn forward_clicks(proxy: &tao::event_loop::EventLoopProxy<UserEvent>) {
    let proxy = proxy.clone();
    muda::MenuEvent::set_event_handler(Some(move |event: muda::MenuEvent| {
        let _ = proxy.send_event(UserEvent::Menu(event.id.0));
    }));
}

impl Desktop {
    fn fresh_id(&mut self) -> String {
        self.next += 1;
        format!("m{}", self.next)
    }

    /// Builds `items` into muda items living at `place`.
    pub(crate) fn build(
        &mut self,
        items: &[MenuItemConfig],
        place: &Place,
        menu: &str,
    ) -> Result<Vec<Box<dyn IsMenuItem>>, String> {
        let mut built: Vec<Box<dyn IsMenuItem>> = Vec::with_capacity(items.len());
        for item in items {
            let kind = item.kind();
            if kind == MenuItemKind::Separator {
                built.push(Box::new(muda::PredefinedMenuItem::separator()));
                continue;
            }
            let muda_id = self.fresh_id();
            let label = item
                .label
                .clone()
                .or_else(|| item.role.map(|r| r.default_label().to_owned()))
                .unwrap_or_default();
            let accelerator = match item
                .accelerator
                .as_deref()
                .or_else(|| item.role.and_then(MenuRole::default_accelerator))
            {
                Some(text) => Some(muda_accelerator(text)?),
                None => None,
            };
            let (handle, act, boxed): (Handle, Act, Box<dyn IsMenuItem>) = if kind
                == MenuItemKind::Submenu
            {
                let submenu = muda::Submenu::with_id(muda_id.as_str(), &label, item.enabled);
                for child in self.build(&item.items, place, menu)? {
                    submenu.append(child.as_ref()).map_err(|e| e.to_string())?;
                }
                (
                    Handle::Submenu(submenu.clone()),
                    Act::Nothing,
                    Box::new(submenu),
                )
            } else if let Some(role) = item.role {
                let entry =
                    muda::MenuItem::with_id(muda_id.as_str(), &label, item.enabled, accelerator);
                (
                    Handle::Item(entry.clone()),
                    Act::Role(role),
                    Box::new(entry),
                )
            } else if kind == MenuItemKind::Check {
                let entry = muda::CheckMenuItem::with_id(
                    muda_id.as_str(),
                    &label,
                    item.enabled,
                    item.checked,
                    accelerator,
                );
                (Handle::Check(entry.clone()), Act::Report, Box::new(entry))
            } else {
                let entry =
                    muda::MenuItem::with_id(muda_id.as_str(), &label, item.enabled, accelerator);
                (Handle::Item(entry.clone()), Act::Report, Box::new(entry))
            };
            self.targets.insert(
                muda_id,
                Target {
                    place: place.clone(),
                    menu: menu.to_owned(),
                    id: item.id.clone(),
                    act,
                    handle,
                },
            );
            built.push(boxed);
        }
        Ok(built)
    }

    /// One more item, of the host's own (the tray's click action).
    pub(crate) fn host_item(&mut self, label: &str, place: Place, act: Act) -> muda::MenuItem {
        let muda_id = self.fresh_id();
        let entry = muda::MenuItem::with_id(muda_id.as_str(), label, true, None);
        self.targets.insert(
            muda_id,
            Target {
                place,
                menu: String::new(),
                id: None,
                act,
                handle: Handle::Item(entry.clone()),
            },
        );
        entry
    }

    /// Gives window `label` the declared menu `menu` as its menu bar.
    pub fn attach_bar(
        &mut self,
        label: &str,
        menu: &str,
        items: &[MenuItemConfig],
        window: &Window,
    ) -> Result<(), String> {
        let bar = muda::Menu::new();
        for item in self.build(items, &Place::Window(label.to_owned()), menu)? {
            bar.append(item.as_ref()).map_err(|e| e.to_string())?;
        }
        bar.init_for_gtk_window(window.gtk_window(), window.default_vbox())
            .map_err(|e| format!("cannot add the menu bar: {e}"))?;
        self.bars.insert(label.to_owned(), bar);
        Ok(())
    }

    /// The items of `place` are gone (its window closed, its popup ended,
    /// the tray changed menus).
    pub fn forget(&mut self, place: &Place) {
        self.targets.retain(|_, t| t.place != *place);
        if let Place::Window(label) = place {
            self.bars.remove(label);
        }
    }

    /// What a click on muda item `muda_id` is, after it happened: a check
    /// item's other copies (in other windows' bars, the tray) follow it.
    pub fn clicked(&mut self, muda_id: &str) -> Option<Click> {
        let target = self.targets.get(muda_id)?;
        let checked = match &target.handle {
            Handle::Check(item) => Some(item.is_checked()),
            _ => None,
        };
        let click = Click {
            place: target.place.clone(),
            menu: target.menu.clone(),
            id: target.id.clone(),
            act: target.act,
            checked,
        };
        if let (Some(state), Some(id)) = (checked, &click.id) {
            for other in self.targets.values() {
                if let Handle::Check(item) = &other.handle
                    && other.id.as_ref() == Some(id)
                    && other.menu == click.menu
                    && !matches!(other.place, Place::Popup(_))
                {
                    item.set_checked(state);
                }
            }
        }
        if let (Place::Popup(token), Some(popup)) = (&click.place, &mut self.popup)
            && popup.token == *token
        {
            popup.chosen = click.id.clone();
        }
        Some(click)
    }

    /// `Millennium.menu.setItem`: item `id` of every declared menu (every
    /// window's bar and the tray's), changed as asked.
    pub fn set_item(
        &self,
        id: &str,
        label: Option<&str>,
        enabled: Option<bool>,
        checked: Option<bool>,
    ) -> Result<(), String> {
        let mut found = false;
        for target in self.targets.values() {
            if target.id.as_deref() != Some(id) || matches!(target.place, Place::Popup(_)) {
                continue;
            }
            found = true;
            match &target.handle {
                Handle::Item(item) => {
                    if checked.is_some() {
                        return Err(format!("menu item `{id}` is not a check item"));
                    }
                    label.inspect(|l| item.set_text(l));
                    enabled.inspect(|e| item.set_enabled(*e));
                }
                Handle::Check(item) => {
                    label.inspect(|l| item.set_text(l));
                    enabled.inspect(|e| item.set_enabled(*e));
                    checked.inspect(|c| item.set_checked(*c));
                }
                Handle::Submenu(item) => {
                    if checked.is_some() {
                        return Err(format!("menu item `{id}` is a submenu, not a check item"));
                    }
                    label.inspect(|l| item.set_text(l));
                    enabled.inspect(|e| item.set_enabled(*e));
                }
            }
        }
        if found {
            Ok(())
        } else {
            Err(format!(
                "no menu item `{id}` is shown: it must be declared in [menus] and used by a window or the tray"
            ))
        }
    }

    /// `Millennium.menu.popup`: shows `items` over `window` (at `at`, in
    /// the page's CSS pixels, or at the pointer); `reply` settles with the
    /// id clicked, or `null`, once the menu closes.
    pub fn popup(
        &mut self,
        items: &[MenuItemConfig],
        at: Option<(f64, f64)>,
        window: &Window,
        page: &gtk::Widget,
        proxy: &tao::event_loop::EventLoopProxy<UserEvent>,
        reply: Deferred,
    ) {
        use gtk::prelude::*;
        use muda::ContextMenu;
        // One at a time: showing another closes the first, which answers null.
        self.next += 1;
        let token = self.next;
        let place = Place::Popup(token);
        let menu = muda::Menu::new();
        let built = match self.build(items, &place, "") {
            Ok(built) => built,
            Err(error) => return reply.settle(Err(error)),
        };
        for item in built {
            if let Err(error) = menu.append(item.as_ref()) {
                self.forget(&place);
                return reply.settle(Err(error.to_string()));
            }
        }
        let gtk_menu = menu.gtk_context_menu();
        let toplevel = window.gtk_window();
        let Some(gdk_window) = toplevel.window() else {
            self.forget(&place);
            return reply.settle(Err("the window is not shown".to_owned()));
        };
        let seat = gdk_window.display().default_seat();
        let pointer = seat.as_ref().and_then(|s| s.pointer());
        let (x, y) = match at {
            Some((x, y)) => page
                .translate_coordinates(toplevel, x as i32, y as i32)
                .unwrap_or((x as i32, y as i32)),
            None => pointer
                .as_ref()
                .map(|p| {
                    let (_, x, y, _) = gdk_window.device_position(p);
                    (x, y)
                })
                .unwrap_or((0, 0)),
        };
        // GTK shows a menu only for an input event: one like a right click now.
        let mut event = gtk::gdk::Event::new(gtk::gdk::EventType::ButtonPress);
        event.set_device(pointer.as_ref());
        {
            use gtk::glib::translate::ToGlibPtr;
            let raw: *mut gtk::gdk::ffi::GdkEvent = event.to_glib_none().0;
            // SAFETY: `raw` is the button event made above, alive for this
            // block; without a time GTK closes the menu at once.
            unsafe {
                (*raw).button.time = (gtk::glib::monotonic_time() / 1000) as u32;
            }
        }
        gtk_menu.set_property("attach-widget", toplevel);
        let closed = proxy.clone();
        gtk_menu.connect_deactivate(move |_| {
            // After the activated item's own signal, so a click is counted first.
            let closed = closed.clone();
            gtk::glib::idle_add_local_once(move || {
                let _ = closed.send_event(UserEvent::PopupClosed(token));
            });
        });
        if let Some(previous) = self.popup.take() {
            self.forget(&Place::Popup(previous.token));
            previous.reply.settle(crate::api::json(None::<String>));
        }
        gtk_menu.popup_at_rect(
            &gdk_window,
            &gtk::gdk::Rectangle::new(x, y, 1, 1),
            gtk::gdk::Gravity::NorthWest,
            gtk::gdk::Gravity::NorthWest,
            Some(&event),
        );
        self.popup = Some(Popup {
            token,
            reply,
            chosen: None,
            _menu: menu,
            _gtk: gtk_menu,
        });
    }

    /// Popup `token` closed: its promise settles with what was clicked.
    pub fn popup_closed(&mut self, token: u64) {
        if self.popup.as_ref().is_some_and(|p| p.token == token) {
            let popup = self.popup.take().expect("checked");
            self.forget(&Place::Popup(token));
            popup.reply.settle(crate::api::json(popup.chosen));
        }
    }
}

/// muda's accelerator for `text`, through the config's grammar (so the
/// host accepts exactly what `check` does).
fn muda_accelerator(text: &str) -> Result<muda::accelerator::Accelerator, String> {
    let parsed = Accelerator::parse(text).map_err(|e| e.to_string())?;
    parsed
        .canonical()
        .parse()
        .map_err(|e| format!("accelerator `{parsed}`: {e:?}"))
}

/// What a page may put in a context menu: [`MenuItemConfig`]s of ids,
/// labels, check boxes, separators, submenus and the edit roles, at most
/// [`MAX_POPUP_ITEMS`] in all and [`millennium_config::model::MAX_MENU_DEPTH`] deep.
pub fn popup_items(value: serde_json::Value) -> Result<Vec<MenuItemConfig>, String> {
    let mut count = 0;
    shape(&value, 1, &mut count)?;
    let items: Vec<MenuItemConfig> = serde_json::from_value(value)
        .map_err(|e| format!("a context menu item is malformed: {e}"))?;
    check_popup(&items)?;
    Ok(items)
}

/// The most items a page's context menu holds.
pub const MAX_POPUP_ITEMS: usize = 1000;

/// Counts and depth, before anything is decoded.
fn shape(value: &serde_json::Value, depth: usize, count: &mut usize) -> Result<(), String> {
    use millennium_config::model::MAX_MENU_DEPTH;
    let serde_json::Value::Array(items) = value else {
        return Err("the items must be an array".to_owned());
    };
    if depth > MAX_MENU_DEPTH {
        return Err(format!(
            "a context menu nests at most {MAX_MENU_DEPTH} levels deep"
        ));
    }
    *count += items.len();
    if *count > MAX_POPUP_ITEMS {
        return Err(format!(
            "a context menu holds at most {MAX_POPUP_ITEMS} items"
        ));
    }
    for item in items {
        if let Some(children) = item.get("items") {
            shape(children, depth + 1, count)?;
        }
    }
    Ok(())
}

fn check_popup(items: &[MenuItemConfig]) -> Result<(), String> {
    for item in items {
        let what = item
            .id
            .as_deref()
            .map(|id| format!("item `{id}`"))
            .unwrap_or_else(|| "an item".to_owned());
        if item.accelerator.is_some() {
            return Err(format!("{what}: a context menu item has no accelerator"));
        }
        if let Some(role) = item.role
            && !role.is_edit()
        {
            return Err(format!(
                "{what}: a page's context menu may use the roles copy, cut, paste, select-all, undo and redo, not `{}`",
                role.name()
            ));
        }
        if item.label.as_ref().is_some_and(|l| l.chars().count() > 200) {
            return Err(format!("{what}: a label is at most 200 characters"));
        }
        if item
            .id
            .as_ref()
            .is_some_and(|id| id.is_empty() || id.len() > 128)
        {
            return Err("an item id is 1 to 128 characters".to_owned());
        }
        match item.kind() {
            MenuItemKind::Separator => {}
            MenuItemKind::Submenu => {
                if item.label.is_none() || item.items.is_empty() {
                    return Err(format!("{what}: a submenu needs a label and items"));
                }
                check_popup(&item.items)?;
            }
            MenuItemKind::Normal | MenuItemKind::Check => {
                if !item.items.is_empty() {
                    return Err(format!("{what}: only a submenu has items"));
                }
                if item.role.is_none() && (item.id.is_none() || item.label.is_none()) {
                    return Err(format!(
                        "{what}: an item needs an `id` and a `label` (or an edit `role`)"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Bad input: a menu tree 1,000 deep or 100,000 items wide from the
    /// page is refused with a clear error, before it is decoded.
    #[test]
    fn a_page_cannot_pop_up_a_menu_too_deep_or_too_wide() {
        let mut deep = json!([{ "id": "leaf", "label": "Leaf" }]);
        for _ in 0..1000 {
            deep = json!([{ "label": "More", "items": deep }]);
        }
        assert!(popup_items(deep).unwrap_err().contains("at most 8 levels"));
        let wide: Vec<_> = (0..100_000)
            .map(|i| json!({ "id": format!("i{i}"), "label": "x" }))
            .collect();
        assert!(
            popup_items(json!(wide))
                .unwrap_err()
                .contains("at most 1000 items")
        );
    }

    #[test]
    fn a_page_s_items_are_data() {
        let ok = popup_items(json!([
            { "id": "rename", "label": "Rename" },
            { "kind": "separator" },
            { "id": "pin", "label": "Pinned", "kind": "check", "checked": true },
            { "label": "More", "items": [{ "role": "copy" }] },
        ]))
        .unwrap();
        assert_eq!(ok.len(), 4);
        for (bad, why) in [
            (json!([{ "role": "quit" }]), "not `quit`"),
            (
                json!([{ "id": "x", "label": "X", "accelerator": "Ctrl+Q" }]),
                "no accelerator",
            ),
            (json!([{ "label": "no id" }]), "needs an `id`"),
            (
                json!([{ "id": "x", "label": "X", "onclick": "alert(1)" }]),
                "malformed",
            ),
            (json!({ "id": "x" }), "must be an array"),
            (
                json!([{ "id": "x", "label": "x".repeat(201) }]),
                "200 characters",
            ),
        ] {
            let error = popup_items(bad.clone()).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }
}
