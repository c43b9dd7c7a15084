    // ------------------------------------------------------------- dialog
    interface Api {
      /** Native dialogs modal to this window; `allowlist.dialog.open` / `save` / `message` / `ask` / `confirm`. */
      readonly dialog: Dialog;
    }
    interface DialogFilter {
      /** Shown in the filter menu, e.g. "Markdown". */
      name: string;
      /** Extensions without the dot (`"md"`), matched ignoring case; `"*"` for any file. */
      extensions: string[];
    }
    interface OpenDialogOptions {
      title?: string;
      filters?: DialogFilter[];
      /** A directory to start in, or a file to preselect (absolute). */
      defaultPath?: string;
      /** Pick several; the promise then resolves with an array. */
      multiple?: boolean;
      /** Pick directories instead of files. */
      directory?: boolean;
      /** With `directory`: the fs scope gets everything inside the picked directory, not only its direct children. */
      recursive?: boolean;
    }
    interface SaveDialogOptions {
      title?: string;
      filters?: DialogFilter[];
      /** A directory to start in, a file name to suggest, or an absolute path for both. */
      defaultPath?: string;
    }
    interface MessageDialogOptions {
      /** Window title; the app's name by default. */
      title?: string;
      type?: "info" | "warning" | "error";
      /** Label of the OK / Yes button. */
      okLabel?: string;
    }
    interface ConfirmDialogOptions extends MessageDialogOptions {
      /** Label of the Cancel / No button. */
      cancelLabel?: string;
    }
    /**
     * Paths the user picks join the fs scope until the app exits: a file
     * exactly, a directory with its direct children (or all of its contents
     * with `recursive`). `deny` globs of the scope still win.
     */
    interface Dialog {
      /** `null` when cancelled; an array with `multiple`. Needs `allowlist.dialog.open`. */
      open(options?: OpenDialogOptions): Promise<string | string[] | null>;
      /** The chosen path (it may not exist yet), or `null`. Needs `allowlist.dialog.save`. */
      save(options?: SaveDialogOptions): Promise<string | null>;
      /** An OK box. `options` may be the title. Needs `allowlist.dialog.message`. */
      message(message: string, options?: string | MessageDialogOptions): Promise<void>;
      /** Yes/No; `true` for Yes. Needs `allowlist.dialog.ask`. */
      ask(message: string, options?: string | ConfirmDialogOptions): Promise<boolean>;
      /** OK/Cancel; `true` for OK. Needs `allowlist.dialog.confirm`. */
      confirm(message: string, options?: string | ConfirmDialogOptions): Promise<boolean>;
    }

