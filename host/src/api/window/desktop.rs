//! What the app's menus, tray and global shortcuts do to its windows and
//! pages: clicks reported to the right page, the standard roles carried
//! out, the main window shown or hidden.

use gtk::prelude::*;
use millennium_config::model::{DesktopAction, MenuRole};
use serde_json::{Value, json};
use tao::event_loop::ControlFlow;
use tao::platform::unix::WindowExtUnix;
use wry::WebViewExtUnix;

use super::windows::{Audience, Windows};
use crate::api::Deferred;
use crate::api::globalShortcut::Fired;
use crate::desktop::{Act, MENU_EVENT, Place};

impl Windows {
    /// Opens the `[tray]`, once the windows are there.
    pub fn start_tray(&mut self) {
        let ctx = self.ctx().clone();
        let Some(tray) = &ctx.config.tray else { return };
        let icon = crate::api::tray::frontend_file(&ctx, &tray.icon);
        let cache = ctx.paths.base_dir(millennium_config::BaseDirectory::AppCache);
        self.desktop.start_tray(&ctx.config, icon, cache);
    }

    /// Menu item `muda_id` was clicked.
    pub fn menu_clicked(&mut self, muda_id: &str, control_flow: &mut ControlFlow) {
        let Some(click) = self.desktop.clicked(muda_id) else {
            return;
        };
        match click.act {
            Act::Nothing => {}
            Act::Report => {
                let Some(id) = click.id else { return };
                let mut payload = json!({ "id": id, "menu": click.menu });
                if let Some(checked) = click.checked {
                    payload["checked"] = json!(checked);
                }
                match &click.place {
                    Place::Window(label) => {
                        payload["source"] = json!("window");
                        self.emit_to(label, MENU_EVENT, payload, Some(label), Audience::Any, None);
                    }
                    Place::Tray => {
                        payload["source"] = json!("tray");
                        let labels: Vec<String> = self.labels().cloned().collect();
                        for label in labels {
                            self.emit_to(&label, MENU_EVENT, payload.clone(), None, Audience::Any, None);
                        }
                    }
                    // The popup's promise answers (`Desktop::clicked` noted it).
                    Place::Popup(_) => {}
                }
            }
            Act::TrayClick => {
                let action = self.ctx().config.tray.as_ref().map(|t| (t.click, t.event.clone()));
                if let Some((action, event)) = action {
                    self.run_action(action, event.map(|e| e.0).as_deref(), json!({ "source": "tray" }));
                }
            }
            Act::Role(role) => {
                let label = match &click.place {
                    Place::Window(label) => Some(label.clone()),
                    Place::Popup(_) => self.popup_window.clone(),
                    Place::Tray => self.main_label(),
                };
                if let Some(label) = label {
                    self.run_role(role, &label, control_flow);
                }
            }
        }
    }

    /// The first `[[windows]]`, while it is open.
    fn main_label(&self) -> Option<String> {
        let main = self.ctx().config.windows.first()?.label.clone();
        self.contains(&main).then_some(main)
    }

    /// A tray click or a declared shortcut.
    fn run_action(&mut self, action: DesktopAction, event: Option<&str>, payload: Value) {
        match action {
            DesktopAction::None => {}
            DesktopAction::Event => {
                if let Some(event) = event {
                    self.broadcast_to(None, event, payload, Audience::Event(event));
                }
            }
            DesktopAction::ShowMainWindow | DesktopAction::ToggleMainWindow => {
                let Some(window) = self.main_label().and_then(|l| self.window(&l)) else {
                    return;
                };
                let hide = action == DesktopAction::ToggleMainWindow
                    && window.is_visible()
                    && !window.is_minimized();
                if hide {
                    window.set_visible(false);
                } else {
                    window.set_visible(true);
                    window.set_minimized(false);
                    window.set_focus();
                }
            }
        }
    }

    /// A standard menu item, on window `label`.
    fn run_role(&mut self, role: MenuRole, label: &str, control_flow: &mut ControlFlow) {
        let command = match role {
            MenuRole::Copy => "Copy",
            MenuRole::Cut => "Cut",
            MenuRole::Paste => "Paste",
            MenuRole::SelectAll => "SelectAll",
            MenuRole::Undo => "Undo",
            MenuRole::Redo => "Redo",
            MenuRole::Quit => return self.quit(control_flow),
            MenuRole::CloseWindow => return self.request_close(label, control_flow),
            MenuRole::Minimize => {
                self.window(label).inspect(|w| w.set_minimized(true));
                return;
            }
            MenuRole::Fullscreen => {
                if let Some(window) = self.window(label) {
                    let on = window.fullscreen().is_none();
                    window.set_fullscreen(on.then_some(tao::window::Fullscreen::Borderless(None)));
                }
                return;
            }
            MenuRole::About => return self.about(label),
        };
        if let Some(entry) = self.open.get(label) {
            webkit2gtk::WebViewExt::execute_editing_command(&entry.webview.webview(), command);
        }
    }

    /// The about box: the app's name, version and description.
    fn about(&self, label: &str) {
        let app = &self.ctx().config.app;
        let dialog = gtk::AboutDialog::builder()
            .program_name(&app.name)
            .version(&app.version)
            .modal(true)
            .title(format!("About {}", app.name))
            .build();
        if let Some(description) = &app.description {
            dialog.set_comments(Some(description));
        }
        if let Some(window) = self.window(label) {
            dialog.set_transient_for(Some(window.gtk_window()));
        }
        dialog.connect_response(|dialog, _| dialog.close());
        dialog.show();
    }

    /// `Millennium.menu.popup` from window `label`.
    pub fn popup(
        &mut self,
        label: &str,
        items: &[millennium_config::model::MenuItemConfig],
        at: Option<(f64, f64)>,
        reply: Deferred,
    ) {
        let Some(entry) = self.open.get(label) else {
            return reply.settle(Err(format!("no window labelled `{label}`")));
        };
        let page: gtk::Widget = entry.webview.webview().upcast();
        self.popup_window = Some(label.to_owned());
        let proxy = self.proxy().clone();
        let entry = self.open.get(label).expect("looked up above");
        self.desktop.popup(items, at, &entry.window, &page, &proxy, reply);
    }

    /// A grabbed key combination was pressed.
    pub fn global_shortcut(&mut self, id: u32) {
        match self.ctx().shortcuts().fired(id) {
            Some(Fired::Declared {
                action,
                event,
                accelerator,
            }) => {
                let payload = json!({ "source": "shortcut", "accelerator": accelerator });
                self.run_action(action, event.map(|e| e.0).as_deref(), payload);
            }
            Some(Fired::Page {
                window,
                page,
                accelerator,
            }) => {
                let payload = json!({ "accelerator": accelerator });
                let event = crate::api::globalShortcut::EVENT;
                self.emit_to(&window, event, payload, None, Audience::Any, Some(page));
            }
            None => {}
        }
    }
}
