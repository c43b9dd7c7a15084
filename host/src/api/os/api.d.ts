    // ----------------------------------------------------------------- os
    interface Api {
      readonly os: Os;
    }
    /** Needs `allowlist.os.info`. */
    interface Os {
      /** The end-of-line marker of the platform. */
      readonly EOL: "\n" | "\r\n";
      platform(): Promise<"linux" | "darwin" | "win32" | string>;
      version(): Promise<string>;
      type(): Promise<"Linux" | "Darwin" | "Windows_NT">;
      arch(): Promise<"x86_64" | "aarch64" | string>;
      tempdir(): Promise<string>;
      /** BCP-47 tag such as `en-US`, or `null`. */
      locale(): Promise<string | null>;
    }

