    // ------------------------------------------------------------ process
    interface Api {
      readonly process: Process;
    }
    interface Process {
      /** Exits the app with `code` (default 0). Needs `allowlist.process.exit`. */
      exit(code?: number): Promise<void>;
      /** Starts the app again and exits this instance. Needs `allowlist.process.relaunch`. */
      relaunch(): Promise<void>;
    }

