    // ---------------------------------------------------------------- app
    interface Api {
      readonly app: App;
    }
    interface App {
      /** `[app] name`. Needs no allowlist key. */
      getName(): Promise<string>;
      /** `[app] version`. Needs no allowlist key. */
      getVersion(): Promise<string>;
      /** The version of the Millennium host. Needs no allowlist key. */
      getMillenniumVersion(): Promise<string>;
      /** Shows every window. Needs `allowlist.app.show`. */
      show(): Promise<void>;
      /** Hides every window. Needs `allowlist.app.hide`. */
      hide(): Promise<void>;
    }

