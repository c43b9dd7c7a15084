    // ------------------------------------------------------ globalShortcut
    interface Api {
      readonly globalShortcut: GlobalShortcut;
    }
    /**
     * A key combination such as `"CmdOrCtrl+Alt+R"`: modifiers (`Ctrl`,
     * `Alt`, `Shift`, `Super`, `CmdOrCtrl`) and one key (`A`-`Z`, `0`-`9`,
     * `F1`-`F24`, `Space`, `Enter`, `Up`, ...), joined by `+`.
     */
    type Accelerator = string;
    interface GlobalShortcut {
      /**
       * Calls `handler` whenever `accelerator` is pressed, whichever program
       * has the focus, while this page shows. Needs
       * `allowlist.global-shortcut.register` (and the accelerator in its
       * `accelerators`, when that list is given). Rejects when the
       * combination is malformed or a plain key, registered already, taken
       * by another program, or the session is Wayland (where no program may
       * take keys for itself).
       */
      register(accelerator: Accelerator, handler: (accelerator: Accelerator) => void): Promise<void>;
      /** Releases a combination this window registered. */
      unregister(accelerator: Accelerator): Promise<void>;
      /** Releases every combination this window registered. */
      unregisterAll(): Promise<void>;
      /** Whether this app holds `accelerator` (declared or registered by any page). */
      isRegistered(accelerator: Accelerator): Promise<boolean>;
    }
