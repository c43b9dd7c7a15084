    // ---------------------------------------------------------- clipboard
    interface Api {
      /** Plain-text clipboard; `allowlist.clipboard.read-text` / `write-text`. */
      readonly clipboard: Clipboard;
    }
    /**
     * `Millennium.clipboard` (X11). Text written here stays pastable in
     * other apps while this app runs (the host keeps owning the clipboard).
     */
    interface Clipboard {
      /** Needs `allowlist.clipboard.write-text`. */
      writeText(text: string): Promise<void>;
      /** Needs `allowlist.clipboard.read-text`. `null` when the clipboard holds no text. */
      readText(): Promise<string | null>;
    }

