//! `[tray]`: a status-notifier item (tray-icon over libayatana-appindicator,
//! opened at run time) with the app's icon, tooltip, title and menu.
//!
//! Linux status areas open an item's menu on every click, so the tray's
//! `click` action is the menu's first item. The icon file tray-icon hands
//! to the panel is written to the user's private runtime directory (or the
//! app's cache), never a shared `/tmp` directory another user could fill.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use millennium_config::model::{Config, DesktopAction, TrayConfig};

use super::{Act, Desktop, Place};

/// The running tray.
pub struct Tray {
    icon: tray_icon::TrayIcon,
    /// The declared menu it shows, if any.
    menu: Option<String>,
    _menu: muda::Menu,
}

/// Said once per run: why the tray is not seen.
static SAID: AtomicBool = AtomicBool::new(false);

fn say_once(why: &str) {
    if !SAID.swap(true, Ordering::SeqCst) {
        eprintln!("millennium: the tray icon is not shown: {why}");
    }
}

/// Whether libappindicator can be opened (tray-icon panics when it cannot).
fn library_present() -> bool {
    const NAMES: [&std::ffi::CStr; 4] = [
        c"libayatana-appindicator3.so.1",
        c"libappindicator3.so.1",
        c"libayatana-appindicator3.so",
        c"libappindicator3.so",
    ];
    NAMES.iter().any(|name| {
        // SAFETY: a NUL-terminated name; the handle is closed again at once
        // (tray-icon opens the library itself).
        unsafe {
            let handle = libc::dlopen(name.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
            if handle.is_null() {
                false
            } else {
                libc::dlclose(handle);
                true
            }
        }
    })
}

/// Whether a status-notifier watcher (a panel that shows tray items) is
/// on the session bus.
fn watcher_present() -> Result<(), String> {
    use gio::prelude::*;
    let bus = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE)
        .map_err(|e| format!("there is no session bus ({e})"))?;
    let reply = bus
        .call_sync(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            Some(&("org.kde.StatusNotifierWatcher",).to_variant()),
            Some(gtk::glib::VariantTy::new("(b)").expect("a type")),
            gio::DBusCallFlags::NONE,
            2000,
            gio::Cancellable::NONE,
        )
        .map_err(|e| format!("the session bus does not answer ({e})"))?;
    match reply.get::<(bool,)>() {
        Some((true,)) => Ok(()),
        _ => Err(
            "no status-notifier host is on the session bus (the desktop shows no tray icons, \
                  or needs an extension for them, e.g. GNOME's AppIndicator support); it appears \
                  if one starts"
                .to_owned(),
        ),
    }
}

/// A tray icon from the PNG `bytes`: checked from its header, then decoded
/// by GDK's loader.
pub fn icon_from_png(bytes: &[u8]) -> Result<tray_icon::Icon, String> {
    let (rgba, width, height) = rgba_from_png(bytes)?;
    tray_icon::Icon::from_rgba(rgba, width, height).map_err(|e| e.to_string())
}

/// A window icon from the PNG `bytes` (the payload's, or `[bundle] icon`).
pub fn window_icon_from_png(bytes: &[u8]) -> Result<tao::window::Icon, String> {
    let (rgba, width, height) = rgba_from_png(bytes)?;
    tao::window::Icon::from_rgba(rgba, width, height).map_err(|e| e.to_string())
}

/// The PNG `bytes` as 8-bit RGBA rows: checked from the header (at most
/// 1 MiB and 1024 pixels a side), then decoded by GDK's loader, which
/// every GTK process has already.
fn rgba_from_png(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    use gtk::gdk_pixbuf::Pixbuf;
    millennium_config::icon::png_size(bytes).map_err(|e| e.to_string())?;
    let stream = gio::MemoryInputStream::from_bytes(&gtk::glib::Bytes::from(bytes));
    let pixbuf = Pixbuf::from_stream(&stream, gio::Cancellable::NONE)
        .map_err(|e| format!("the icon cannot be read as an image: {e}"))?;
    let pixbuf = if pixbuf.has_alpha() {
        pixbuf
    } else {
        pixbuf
            .add_alpha(false, 0, 0, 0)
            .map_err(|e| format!("the icon cannot be converted: {e}"))?
    };
    if pixbuf.bits_per_sample() != 8 || pixbuf.n_channels() != 4 {
        return Err(
            "the icon's pixel format is not supported (8-bit RGBA after loading)".to_owned(),
        );
    }
    let (width, height) = (pixbuf.width() as usize, pixbuf.height() as usize);
    let stride = pixbuf.rowstride() as usize;
    let pixels = pixbuf.read_pixel_bytes();
    let mut rgba = Vec::with_capacity(width * height * 4);
    for row in 0..height {
        let start = row * stride;
        let line = pixels
            .get(start..start + width * 4)
            .ok_or("the decoded icon is shorter than its size")?;
        rgba.extend_from_slice(line);
    }
    Ok((rgba, width as u32, height as u32))
}

/// Where tray-icon writes the icon file for the panel.
fn icon_dir(config: &Config, cache: Option<PathBuf>) -> Option<PathBuf> {
    let base = crate::instance::private_runtime_dir().or(cache)?;
    Some(base.join(format!("{}-tray", config.app.identifier)))
}

impl Desktop {
    /// Shows the `[tray]`. What keeps it from being seen is said once on
    /// stderr; the app runs on either way.
    pub fn start_tray(
        &mut self,
        config: &Config,
        icon: Result<Vec<u8>, String>,
        cache: Option<PathBuf>,
    ) {
        let Some(tray) = &config.tray else { return };
        if !library_present() {
            return say_once(
                "libayatana-appindicator3 is not installed (Debian and Ubuntu: libayatana-appindicator3-1; \
                 Fedora: libayatana-appindicator-gtk3)",
            );
        }
        if let Err(why) = watcher_present() {
            // The item still registers when a watcher appears later.
            say_once(&why);
        }
        let icon = match icon.and_then(|bytes| icon_from_png(&bytes)) {
            Ok(icon) => icon,
            Err(error) => return say_once(&format!("its icon `{}`: {error}", tray.icon)),
        };
        let menu = match self.tray_menu(config, tray, tray.menu.as_deref()) {
            Ok(menu) => menu,
            Err(error) => return say_once(&format!("its menu: {error}")),
        };
        let mut builder = tray_icon::TrayIconBuilder::new()
            .with_id(&config.app.identifier)
            .with_icon(icon)
            .with_menu(Box::new(menu.clone()));
        if let Some(dir) = icon_dir(config, cache) {
            builder = builder.with_temp_dir_path(dir);
        }
        if let Some(title) = &tray.title {
            builder = builder.with_title(title);
        }
        match builder.build() {
            Ok(icon) => {
                let running = Tray {
                    icon,
                    menu: tray.menu.clone(),
                    _menu: menu,
                };
                running.set_tooltip(tray.tooltip.as_deref().unwrap_or(&config.app.name));
                self.tray = Some(running);
            }
            Err(error) => say_once(&format!("{error}")),
        }
    }

    /// The tray's menu: the click action first, then menu `menu`.
    fn tray_menu(
        &mut self,
        config: &Config,
        tray: &TrayConfig,
        menu: Option<&str>,
    ) -> Result<muda::Menu, String> {
        let built = muda::Menu::new();
        let name = &config.app.name;
        let label = tray.click_label.clone().or_else(|| match tray.click {
            DesktopAction::ShowMainWindow => Some(format!("Show {name}")),
            DesktopAction::ToggleMainWindow => Some(format!("Show or Hide {name}")),
            DesktopAction::Event => Some(format!("Open {name}")),
            DesktopAction::None => None,
        });
        let items = match menu {
            Some(id) => {
                &config
                    .menus
                    .get(id)
                    .ok_or_else(|| format!("no menu `{id}` is declared in [menus]"))?
                    .items
            }
            None => &Vec::new(),
        };
        if let Some(label) = label.filter(|_| tray.click != DesktopAction::None) {
            let item = self.host_item(&label, Place::Tray, Act::TrayClick);
            built.append(&item).map_err(|e| e.to_string())?;
            if !items.is_empty() {
                built
                    .append(&muda::PredefinedMenuItem::separator())
                    .map_err(|e| e.to_string())?;
            }
        }
        for item in self.build(items, &Place::Tray, menu.unwrap_or_default())? {
            built.append(item.as_ref()).map_err(|e| e.to_string())?;
        }
        Ok(built)
    }

    fn running_tray(&mut self) -> Result<&mut Tray, String> {
        self.tray
            .as_mut()
            .ok_or_else(|| "the app has no tray icon (no [tray] in millennium.toml, or it could not be shown: see the app's output)".to_owned())
    }

    /// `tray.setIcon`.
    pub fn set_tray_icon(&mut self, bytes: &[u8]) -> Result<(), String> {
        let icon = icon_from_png(bytes)?;
        self.running_tray()?
            .icon
            .set_icon(Some(icon))
            .map_err(|e| e.to_string())
    }

    /// `tray.setTooltip`.
    pub fn set_tray_tooltip(&mut self, text: &str) -> Result<(), String> {
        self.running_tray()?.set_tooltip(text);
        Ok(())
    }

    /// `tray.setTitle`.
    pub fn set_tray_title(&mut self, text: Option<&str>) -> Result<(), String> {
        self.running_tray()?.icon.set_title(text);
        Ok(())
    }

    /// `tray.setMenu`: menu `menu` (or none) after the click action.
    pub fn set_tray_menu(&mut self, config: &Config, menu: Option<&str>) -> Result<(), String> {
        let tray_config = config.tray.as_ref().ok_or("the app has no [tray]")?;
        self.running_tray()?;
        if let Some(id) = menu
            && !config.menus.contains_key(id)
        {
            return Err(format!("no menu `{id}` is declared in [menus]"));
        }
        self.forget(&Place::Tray);
        let built = self.tray_menu(config, tray_config, menu)?;
        let tray = self.running_tray()?;
        tray.icon.set_menu(Some(Box::new(built.clone())));
        tray.menu = menu.map(str::to_owned);
        tray._menu = built;
        Ok(())
    }

    /// The declared menu the tray shows.
    pub fn tray_menu_id(&self) -> Option<&str> {
        self.tray.as_ref().and_then(|t| t.menu.as_deref())
    }
}

impl Tray {
    /// The item's title, which panels show on hover (libayatana has no
    /// tooltip of its own, and tray-icon leaves the title unset).
    fn set_tooltip(&self, text: &str) {
        use libappindicator_sys::AppIndicator as Raw;
        // `libappindicator::AppIndicator` holds the raw pointer and nothing
        // else: with the same size, it is that pointer.
        const _: () = assert!(
            std::mem::size_of::<libappindicator::AppIndicator>() == std::mem::size_of::<*mut Raw>()
        );
        let Ok(text) = std::ffi::CString::new(text.replace('\0', " ")) else {
            return;
        };
        // SAFETY: `app_indicator` points at the live indicator of this
        // tray; its only field is read, not written; the call runs on the
        // GTK thread that owns it.
        unsafe {
            let indicator = self.icon.app_indicator();
            let raw = *(indicator as *const *mut Raw);
            libappindicator_sys::app_indicator_set_title(raw, text.as_ptr());
        }
    }
}
