    // ----------------------------------------------------------- deepLink
    interface Api {
      readonly deepLink: DeepLink;
    }
    interface DeepLink {
      /**
       * The URLs of `[bundle] url-schemes` the app was started with (on its
       * command line, as the desktop passes them), or `null`. Needs
       * `allowlist.deep-link.get-current`.
       */
      getCurrent(): Promise<string[] | null>;
      /**
       * Calls `handler` with the URLs a later launch hands over
       * (`[app] single-instance`). Heard only with
       * `allowlist.deep-link.get-current`. Resolves with the function that
       * stops listening.
       */
      onOpenUrl(handler: (urls: string[]) => void): Promise<() => void>;
    }
