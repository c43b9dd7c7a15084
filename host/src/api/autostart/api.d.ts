    // ---------------------------------------------------------- autostart
    interface Api {
      readonly autostart: Autostart;
    }
    interface Autostart {
      /**
       * Starts the app when the user logs in: writes
       * `~/.config/autostart/<identifier>.desktop`, which runs the app as
       * it is installed, with `--autostart`. Needs `allowlist.autostart.enable`.
       */
      enable(): Promise<void>;
      /** Removes that entry. Needs `allowlist.autostart.disable`. */
      disable(): Promise<void>;
      /** Whether the entry exists. Needs `allowlist.autostart.is-enabled`. */
      isEnabled(): Promise<boolean>;
      /** Whether this run was started by that entry. Needs `allowlist.autostart.is-enabled`. */
      wasLaunchedAtLogin(): Promise<boolean>;
    }
