    // ---------------------------------------------------------------- tray
    interface Api {
      readonly tray: Tray;
    }
    interface Tray {
      /**
       * Shows `path`, a PNG of the frontend directory (at most 1 MiB and
       * 1024x1024), as the tray icon. Needs `allowlist.tray.set-icon`.
       */
      setIcon(path: string): Promise<void>;
      /** The text shown on hover; `null` for the app's name. Needs `allowlist.tray.set-tooltip`. */
      setTooltip(text: string | null): Promise<void>;
      /** The text beside the icon (panels that show one); `null` for none. Needs `allowlist.tray.set-title`. */
      setTitle(text: string | null): Promise<void>;
      /**
       * Shows menu `menu` of `[menus]` (after the click action), or only
       * the click action with `null`. Needs `allowlist.tray.set-menu`.
       */
      setMenu(menu: string | null): Promise<void>;
    }
