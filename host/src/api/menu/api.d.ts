    // ---------------------------------------------------------------- menu
    interface Api {
      readonly menu: Menu;
    }
    /** A click on an item of the app's `[menus]`. */
    interface MenuClick {
      /** The item's `id`. */
      id: string;
      /** The `[menus.<id>]` it belongs to. */
      menu: string;
      /** A window's menu bar (heard by that window's page) or the tray's menu (heard by every window). */
      source: "window" | "tray";
      /** For a check item: its state after the click. */
      checked?: boolean;
    }
    /** An item of a context menu a page shows. Items are data: ids, labels and the edit roles only. */
    type PopupItem =
      | { id: string; label: string; enabled?: boolean; kind?: "normal" }
      | { id: string; label: string; kind: "check"; checked?: boolean; enabled?: boolean }
      | { kind: "separator" }
      | { label: string; items: PopupItem[]; enabled?: boolean; kind?: "submenu" }
      | { role: "copy" | "cut" | "paste" | "select-all" | "undo" | "redo"; label?: string; enabled?: boolean };
    interface Menu {
      /**
       * Calls `handler` for every click on an item of the app's menus
       * (roles excepted). Needs no key. Resolves with the function that
       * stops listening.
       */
      onClick(handler: (click: MenuClick) => void): Promise<() => void>;
      /**
       * Changes item `id` wherever the declared menus show it (every
       * window's menu bar, the tray's menu). Needs `allowlist.menu.set-item`.
       */
      setItem(id: string, changes: { label?: string; enabled?: boolean; checked?: boolean }): Promise<void>;
      /**
       * Shows a context menu over this window, at the pointer or at `at`
       * (CSS pixels of the page), and resolves with the `id` clicked, or
       * `null` when it is dismissed. At most 1000 items, 8 levels deep.
       * Needs `allowlist.menu.popup`.
       */
      popup(items: PopupItem[], at?: { x: number; y: number }): Promise<string | null>;
    }
