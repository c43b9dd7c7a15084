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
      /**
       * With `[app] single-instance = true`, calls `handler` when the app is
       * launched again: the later launch's arguments and working directory
       * (it exits; this copy's main window is shown and focused). Needs no
       * key. Resolves with the function that stops listening.
       */
      onSecondInstance(handler: (launch: SecondInstance) => void): Promise<() => void>;
      /**
       * The files of `[bundle] file-associations` the app was started with
       * ("Open with"), as absolute paths; the main window's fs calls may
       * read and write exactly these, as files picked in the open dialog.
       * Needs `allowlist.app.get-opened-files`.
       */
      getOpenedFiles(): Promise<string[]>;
      /**
       * Calls `handler` with the files a later launch opens (`[app]
       * single-instance`), granted like those above. Heard only with
       * `allowlist.app.get-opened-files`. Resolves with the function that
       * stops listening.
       */
      onFilesOpened(handler: (paths: string[]) => void): Promise<() => void>;
    }
    /** What a later launch handed over. */
    interface SecondInstance {
      /** Its arguments, after the program name. */
      readonly args: string[];
      /** Its working directory (absolute). */
      readonly cwd: string;
    }

