//! The rules of `[menus]`, `[tray]`, `[[shortcuts]]`, `[[windows]] menu`
//! and `close-behavior`, and the accelerators of
//! `[allowlist.global-shortcut]`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{Checker, display_dir};
use crate::accelerator::Accelerator;
use crate::model::{
    CloseBehavior, Config, DesktopAction, EventName, MAX_MENU_DEPTH, MenuItemConfig, MenuItemKind,
};
use crate::source::escape;

/// The most items one menu holds, submenus included.
const MAX_MENU_ITEMS: usize = 1000;

impl Checker<'_> {
    pub(super) fn desktop(&mut self, config: &Config, base_dir: &Path, pages_on_disk: bool) {
        // Accelerators of each menu, for the clash with global shortcuts.
        let mut menu_accelerators: HashMap<&str, HashMap<Accelerator, String>> = HashMap::new();
        for (id, menu) in &config.menus {
            let pointer = format!("/menus/{}", escape(id));
            if id.is_empty()
                || id.len() > 64
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.report(
                    &pointer,
                    format!("`{id}` cannot name a menu"),
                    "bad menu id",
                    Some("a menu id is 1 to 64 letters, digits, `-` or `_`".to_owned()),
                );
            }
            if menu.items.is_empty() {
                self.report(
                    &pointer,
                    format!("menu `{id}` has no items"),
                    "empty menu",
                    Some(format!("add items with `[[menus.{id}.items]]`")),
                );
            }
            let mut walk = MenuWalk::default();
            self.menu_items(&menu.items, &format!("{pointer}/items"), 1, &mut walk);
            if walk.count > MAX_MENU_ITEMS {
                self.report(
                    &pointer,
                    format!(
                        "menu `{id}` holds {} items; a menu holds at most {MAX_MENU_ITEMS}",
                        walk.count
                    ),
                    "too many items",
                    None,
                );
            }
            menu_accelerators.insert(id, walk.accelerators);
        }
        let known = || {
            let names: HashSet<&str> = config.menus.keys().map(String::as_str).collect();
            if names.is_empty() {
                "no [menus] are declared".to_owned()
            } else {
                format!("declared menus: {}", super::sorted(&names))
            }
        };
        for (index, window) in config.windows.iter().enumerate() {
            if let Some(menu) = &window.menu
                && !config.menus.contains_key(menu)
            {
                self.report(
                    &format!("/windows/{index}/menu"),
                    format!(
                        "window `{}` uses menu `{menu}`, which is not declared",
                        window.label
                    ),
                    "no such menu",
                    Some(known()),
                );
            }
        }
        if let Some(tray) = &config.tray {
            if let Some(menu) = &tray.menu
                && !config.menus.contains_key(menu)
            {
                self.report(
                    "/tray/menu",
                    format!("the tray uses menu `{menu}`, which is not declared"),
                    "no such menu",
                    Some(known()),
                );
            }
            self.event_for(
                "/tray",
                tray.click == DesktopAction::Event,
                tray.event.as_ref(),
                "click = \"event\"",
            );
            let frontend = base_dir.join(&config.app.frontend);
            self.tray_icon(&tray.icon, &frontend, pages_on_disk);
        }
        // Global shortcuts: the declared ones, then those pages may register.
        let mut global: HashMap<Accelerator, String> = HashMap::new();
        for (index, shortcut) in config.shortcuts.iter().enumerate() {
            let pointer = format!("/shortcuts/{index}");
            self.event_for(
                &pointer,
                shortcut.action() == DesktopAction::Event,
                shortcut.event.as_ref(),
                "action = \"event\"",
            );
            let Some(accelerator) =
                self.global_accelerator(&shortcut.accelerator, &format!("{pointer}/accelerator"))
            else {
                continue;
            };
            if let Some(first) = global.insert(accelerator, pointer.clone()) {
                self.report(
                    &format!("{pointer}/accelerator"),
                    format!(
                        "the shortcut `{accelerator}` is declared twice (also at {})",
                        self.map.display(&first)
                    ),
                    "duplicate",
                    None,
                );
            }
            // A window's accelerator would never reach it: the global grab takes the key first.
            for window in &config.windows {
                if let Some(item) = window
                    .menu
                    .as_deref()
                    .and_then(|m| menu_accelerators.get(m)?.get(&accelerator))
                {
                    self.report(
                        &format!("{pointer}/accelerator"),
                        format!("`{accelerator}` is both a global shortcut and the accelerator of {item} in window `{}`'s menu", window.label),
                        "clashes with a menu accelerator",
                        Some("a global shortcut takes the key before any window sees it: pick another combination for one of them".to_owned()),
                    );
                }
            }
        }
        if let Some(list) = &config.allowlist.global_shortcut.accelerators {
            let mut seen = HashSet::new();
            for (index, text) in list.iter().enumerate() {
                let pointer = format!("/allowlist/global-shortcut/accelerators/{index}");
                let Some(accelerator) = self.global_accelerator(text, &pointer) else {
                    continue;
                };
                if !seen.insert(accelerator) {
                    self.report(
                        &pointer,
                        format!("`{accelerator}` is listed twice"),
                        "duplicate",
                        None,
                    );
                } else if global.contains_key(&accelerator) {
                    self.report(
                        &pointer,
                        format!("`{accelerator}` is already a declared [[shortcuts]] entry, so no page can register it"),
                        "declared already",
                        None,
                    );
                }
            }
        }
        self.way_back(config);
    }

    /// `event` is given exactly when the action is `event`, and is not one
    /// of the host's own names.
    fn event_for(&mut self, pointer: &str, wanted: bool, event: Option<&EventName>, setting: &str) {
        match (wanted, event) {
            (true, None) => self.report(
                pointer,
                format!("{setting} needs `event`, the name of the app event to emit"),
                "no event",
                Some(
                    "e.g. `event = \"toggle-timer\"`, heard with Millennium.event.listen"
                        .to_owned(),
                ),
            ),
            (false, Some(_)) => self.report(
                &format!("{pointer}/event"),
                format!("`event` is only used with {setting}"),
                "unused",
                Some(format!("add {setting}, or remove `event`")),
            ),
            (true, Some(name)) if name.0.starts_with("millennium:") => self.report(
                &format!("{pointer}/event"),
                format!("`{}` is a name of the host's own events", name.0),
                "reserved",
                Some("app events may not start with `millennium:`".to_owned()),
            ),
            _ => {}
        }
    }

    /// A global shortcut's accelerator: parsed, and more than a plain key.
    fn global_accelerator(&mut self, text: &str, pointer: &str) -> Option<Accelerator> {
        match Accelerator::parse(text) {
            Err(error) => {
                self.report(
                    pointer,
                    error.to_string(),
                    "not an accelerator",
                    Some("e.g. `CmdOrCtrl+Alt+P`".to_owned()),
                );
                None
            }
            Ok(accelerator) if accelerator.is_plain_key() => {
                self.report(
                    pointer,
                    format!("`{accelerator}` as a global shortcut would take that key from every program"),
                    "plain key",
                    Some("add Ctrl, Alt or Super (e.g. `CmdOrCtrl+Alt+P`), or use a function or media key".to_owned()),
                );
                None
            }
            Ok(accelerator) => Some(accelerator),
        }
    }

    fn menu_items(
        &mut self,
        items: &[MenuItemConfig],
        pointer: &str,
        depth: usize,
        walk: &mut MenuWalk,
    ) {
        if depth > MAX_MENU_DEPTH {
            self.report(
                pointer,
                format!("menus nest at most {MAX_MENU_DEPTH} levels deep"),
                "too deep",
                None,
            );
            return;
        }
        for (index, item) in items.iter().enumerate() {
            walk.count += 1;
            let at = format!("{pointer}/{index}");
            let field = |key: &str| format!("{at}/{key}");
            let kind = item.kind();
            let describe = item
                .id
                .as_ref()
                .map(|id| format!("item `{id}`"))
                .or(item.role.map(|r| format!("the `{}` item", r.name())))
                .unwrap_or_else(|| "an item".to_owned());
            let problem = |this: &mut Self, key: &str, message: String, hint: &str| {
                this.report(
                    &field(key),
                    message,
                    "not for this item",
                    Some(hint.to_owned()),
                );
            };
            match (kind, item.role) {
                (MenuItemKind::Separator, _) => {
                    for (present, key) in [
                        (item.id.is_some(), "id"),
                        (item.label.is_some(), "label"),
                        (item.accelerator.is_some(), "accelerator"),
                        (item.role.is_some(), "role"),
                        (!item.items.is_empty(), "items"),
                    ] {
                        if present {
                            problem(
                                self,
                                key,
                                format!("a separator has no `{key}`"),
                                "remove it, or make the item a normal one",
                            );
                        }
                    }
                }
                (MenuItemKind::Submenu, role) => {
                    if role.is_some() {
                        problem(
                            self,
                            "role",
                            "a submenu has no role".to_owned(),
                            "put the role item inside the submenu",
                        );
                    }
                    if item.accelerator.is_some() {
                        problem(
                            self,
                            "accelerator",
                            "a submenu has no accelerator".to_owned(),
                            "give the accelerator to an item inside it",
                        );
                    }
                    if item.label.is_none() {
                        self.report(
                            &at,
                            "a submenu needs a `label`".to_owned(),
                            "no label",
                            Some("e.g. `label = \"&File\"`".to_owned()),
                        );
                    }
                    if item.items.is_empty() {
                        self.report(
                            &at,
                            "a submenu needs `items`".to_owned(),
                            "empty submenu",
                            None,
                        );
                    }
                }
                (MenuItemKind::Normal | MenuItemKind::Check, Some(role)) => {
                    if item.kind == Some(MenuItemKind::Check) {
                        problem(
                            self,
                            "kind",
                            format!("the `{}` role is not a check item", role.name()),
                            "remove `kind`",
                        );
                    }
                    if !item.items.is_empty() {
                        problem(
                            self,
                            "items",
                            "a role item has no `items`".to_owned(),
                            "make a submenu of its own",
                        );
                    }
                }
                (MenuItemKind::Normal | MenuItemKind::Check, None) => {
                    if !item.items.is_empty() {
                        problem(
                            self,
                            "items",
                            format!(
                                "a {} item has no `items`",
                                if kind == MenuItemKind::Check {
                                    "check"
                                } else {
                                    "normal"
                                }
                            ),
                            "remove `kind` to make it a submenu",
                        );
                    }
                    if item.id.is_none() {
                        self.report(
                            &at,
                            "a menu item needs an `id` (what a click reports)".to_owned(),
                            "no id",
                            Some("e.g. `id = \"save\"`, or give it a `role`".to_owned()),
                        );
                    }
                    if item.label.is_none() {
                        self.report(&at, format!("{describe} needs a `label`"), "no label", None);
                    }
                }
            }
            if item.checked && kind != MenuItemKind::Check {
                problem(
                    self,
                    "checked",
                    "only a check item is checked".to_owned(),
                    "add `kind = \"check\"`, or remove `checked`",
                );
            }
            if let Some(id) = &item.id
                && let Some(first) = walk.ids.insert(id.clone(), at.clone())
            {
                self.report(
                    &field("id"),
                    format!(
                        "the id `{id}` is used twice in this menu (also at {})",
                        self.map.display(&first)
                    ),
                    "duplicate id",
                    Some("a click names its item by id: give each its own".to_owned()),
                );
            }
            let accelerator = item
                .accelerator
                .as_deref()
                .or(item.role.and_then(|r| r.default_accelerator()));
            if let Some(text) = accelerator {
                match Accelerator::parse(text) {
                    Err(error) => self.report(
                        &field("accelerator"),
                        error.to_string(),
                        "not an accelerator",
                        Some("e.g. `CmdOrCtrl+S`".to_owned()),
                    ),
                    Ok(parsed) => {
                        if let Some(first) = walk.accelerators.insert(parsed, describe.clone()) {
                            let pointer = if item.accelerator.is_some() {
                                field("accelerator")
                            } else {
                                at.clone()
                            };
                            self.report(
                                &pointer,
                                format!(
                                    "`{parsed}` is the accelerator of both {first} and {describe}"
                                ),
                                "duplicate accelerator",
                                Some("one key combination can start one item only".to_owned()),
                            );
                        }
                    }
                }
            }
            if !item.items.is_empty() && kind == MenuItemKind::Submenu {
                self.menu_items(&item.items, &field("items"), depth + 1, walk);
            }
        }
    }

    fn tray_icon(&mut self, icon: &str, frontend: &Path, pages_on_disk: bool) {
        let pointer = "/tray/icon";
        if icon.starts_with('/') || icon.split('/').any(|part| part == ".." || part.is_empty()) {
            self.report(
                pointer,
                format!("the tray icon `{icon}` must be a path inside the frontend directory"),
                "leaves the frontend directory",
                Some(
                    "write it relative to the frontend directory, e.g. `icons/tray.png`".to_owned(),
                ),
            );
            return;
        }
        if !pages_on_disk || !frontend.is_dir() {
            return; // served by a dev server, or already reported on `app.frontend`
        }
        let path = frontend.join(icon);
        let read = std::fs::File::open(&path).and_then(|file| {
            use std::io::Read;
            let mut bytes = Vec::new();
            file.take(crate::icon::MAX_BYTES as u64 + 1)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        match read {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => self.report(
                pointer,
                format!("the tray icon `{icon}` does not exist"),
                "no such file",
                Some(format!(
                    "the path is relative to the frontend directory {}",
                    display_dir(frontend)
                )),
            ),
            Err(error) => self.report(
                pointer,
                format!("cannot read the tray icon `{icon}`: {error}"),
                "unreadable",
                None,
            ),
            Ok(bytes) => {
                if let Err(error) = crate::icon::png_size(&bytes) {
                    let hint = match error {
                        crate::icon::IconError::NotPng => {
                            "convert it, e.g. `convert icon.svg -resize 64x64 icon.png`"
                        }
                        _ => "scale it down, e.g. `convert icon.png -resize 64x64 tray.png`",
                    };
                    let message = match error {
                        crate::icon::IconError::TooLarge(_) => {
                            format!("the tray icon `{icon}` is larger than 1 MiB")
                        }
                        other => format!("tray icon `{icon}`: {other}"),
                    };
                    self.report(pointer, message, "not a usable icon", Some(hint.to_owned()));
                }
            }
        }
    }

    /// A main window that hides on close needs a way back.
    fn way_back(&mut self, config: &Config) {
        let Some(main) = config.windows.first() else {
            return;
        };
        let shows = |action: DesktopAction| {
            matches!(
                action,
                DesktopAction::ShowMainWindow
                    | DesktopAction::ToggleMainWindow
                    | DesktopAction::Event
            )
        };
        let reachable = config.tray.is_some()
            || config.app.single_instance
            || config.shortcuts.iter().any(|s| shows(s.action()));
        if main.close_behavior == CloseBehavior::Hide && !reachable {
            self.report(
                "/windows/0/close-behavior",
                format!("window `{}` hides when closed, but nothing can show it again", main.label),
                "unreachable once closed",
                Some("add a [tray], a [[shortcuts]] entry, or `[app] single-instance = true` (launching the app again shows it)".to_owned()),
            );
        }
    }
}

/// What one menu's walk collects.
#[derive(Default)]
struct MenuWalk {
    count: usize,
    ids: HashMap<String, String>,
    accelerators: HashMap<Accelerator, String>,
}
