    // ------------------------------------------------------------ updater
    interface Api {
      /** Ask for an update check or install; policy comes only from `[updater]`. `allowlist.updater.check` / `install`. */
      readonly updater: Updater;
    }
    interface UpdateManifest {
      version: string;
      /** `pub_date` (RFC 3339) or null. */
      date: string | null;
      /** Release notes. */
      body: string;
    }
    interface UpdateStatus {
      /** PENDING: download starts; DOWNLOADED: verified; DONE: installed, the new version runs and this app exits in a moment; ERROR; UPTODATE. */
      status: "PENDING" | "DOWNLOADED" | "DONE" | "ERROR" | "UPTODATE";
      error?: string;
    }
    /**
     * Endpoints, keys and version rules come only from `[updater]`. Download progress is the event
     * `millennium://update-download-progress` with `{ chunkLength, contentLength, downloaded }`;
     * with `check-on-start` and `dialog = false`, a found update is announced as
     * `millennium://update-available` with an `UpdateManifest`.
     */
    interface Updater {
      /** Needs `allowlist.updater.check`. */
      checkUpdate(): Promise<{ shouldUpdate: boolean; manifest?: UpdateManifest }>;
      /**
       * Checks, downloads, verifies (signature, signed app/target/version, sha256, payload), installs
       * and starts the new version; resolves once it reported healthy, then this process exits.
       * Rejects (with the installed file untouched) otherwise. Needs `allowlist.updater.install`.
       */
      installUpdate(): Promise<void>;
      onUpdaterEvent(handler: (status: UpdateStatus) => void): Promise<UnlistenFn>;
    }

