    // -------------------------------------------------------------- shell
    interface Api {
      /** `open()` (`allowlist.shell.open`) and the commands of `[allowlist.shell] scope` (`allowlist.shell.execute`). */
      readonly shell: Shell;
    }
    interface ChildProcess {
      /** Exit code; `null` when a signal ended it. */
      code: number | null;
      /** The signal that ended it, or `null`. */
      signal: number | null;
      /** Output as UTF-8 (invalid bytes replaced by U+FFFD). At most 64 MiB per stream. */
      stdout: string;
      stderr: string;
    }
    interface ShellEmitter<E extends Record<string, unknown>> {
      on<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      once<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      off<K extends keyof E>(event: K, handler: (arg: E[K]) => void): this;
      removeAllListeners(event?: keyof E): this;
    }
    interface Child {
      readonly pid: number;
      /** Writes to the child's stdin. */
      write(data: string | Uint8Array): Promise<void>;
      /** Ends the child (SIGKILL). Only children this app spawned. */
      kill(): Promise<void>;
    }
    interface CommandOptions {
      /**
       * Working directory: the one the scope entry fixes with `cwd`, or an
       * existing directory inside `[allowlist.fs] scope` (no symlink in it).
       */
      cwd?: string;
      /** Extra environment variables, only those the scope entry lists in `env`. */
      env?: Record<string, string>;
    }
    interface Command extends ShellEmitter<{ close: { code: number | null; signal: number | null }; error: string }> {
      /** One event per line, without the newline. */
      readonly stdout: ShellEmitter<{ data: string }>;
      readonly stderr: ShellEmitter<{ data: string }>;
      /** Runs to completion. */
      execute(): Promise<ChildProcess>;
      /** Starts it; output arrives as `stdout`/`stderr` `data` events, then `close`. */
      spawn(): Promise<Child>;
    }
    interface Shell {
      /**
       * `name` is an entry of `[allowlist.shell] scope`, never a program path; `args` must fit that
       * entry's `args` (fixed strings and `{ validator }` regexes, matched in full).
       */
      Command: new (name: string, args?: string | string[], options?: CommandOptions) => Command;
      /** A handle on a spawned child by pid (`spawn()` resolves with one). */
      Child: new (pid: number) => Child;
      /** The event emitter `Command`, `stdout` and `stderr` are built on. */
      EventEmitter: new () => ShellEmitter<Record<string, unknown>>;
      /** Opens a URL or path with the desktop's handler; it must match `[allowlist.shell] open` in full. */
      open(path: string, openWith?: "firefox" | "google chrome" | "chromium" | "xdg-open" | "gio" | "gnome-open" | "kde-open" | "wslview"): Promise<void>;
    }

