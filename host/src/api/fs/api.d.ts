    // ----------------------------------------------------------------- fs
    interface Api {
      /** File system access inside `[allowlist.fs] scope`; each function needs its own `allowlist.fs.*` key. */
      readonly fs: Fs;
    }
    /** Tauri v1's `BaseDirectory` numbers, for the `dir` option (`Millennium.fs.BaseDirectory`). */
    type BaseDirectory =
      | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10
      | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20
      | 21 | 22 | 23 | 24 | 25;
    /** The values of `Millennium.fs.BaseDirectory` (a plain object, so the namespace stays types only). */
    interface BaseDirectories {
      readonly Audio: 1; readonly Cache: 2; readonly Config: 3; readonly Data: 4;
      readonly LocalData: 5; readonly Desktop: 6; readonly Document: 7; readonly Download: 8;
      readonly Executable: 9; readonly Font: 10; readonly Home: 11; readonly Picture: 12;
      readonly Public: 13; readonly Runtime: 14; readonly Template: 15; readonly Video: 16;
      readonly Resource: 17; readonly App: 18; readonly Log: 19; readonly Temp: 20;
      readonly AppConfig: 21; readonly AppData: 22; readonly AppLocalData: 23;
      readonly AppCache: 24; readonly AppLog: 25;
    }
    interface FsOptions {
      /**
       * Resolve `path` against this base directory (`Millennium.fs.BaseDirectory.AppData`);
       * the path must then be relative. Without it, the path must be absolute.
       */
      dir?: BaseDirectory | number;
    }
    interface FsDirOptions extends FsOptions {
      /** readDir: descend into subdirectories; createDir: create parents; removeDir: remove contents. */
      recursive?: boolean;
    }
    interface FileEntry {
      /** Absolute, canonical path. */
      path: string;
      /** File name. */
      name?: string;
      /** With `recursive`: the entries of a subdirectory that is itself in the scope. */
      children?: FileEntry[];
    }
    type BinaryFileContents = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | ArrayLike<number>;
    /**
     * File system access, Tauri v1's `fs` module. Each function needs its key
     * (`allowlist.fs.read-file`, `write-file`, `read-dir`, `copy-file`, `create-dir`,
     * `remove-dir`, `remove-file`, `rename-file`, `exists`); a missing key rejects
     * with an error naming it.
     *
     * Every path must be inside `allowlist.fs.scope`, checked after it is made
     * absolute and its symlinks are resolved (so a symlink leading outside is
     * refused), `deny` winning over `allow`. **The directory itself vs its
     * contents:** `"$APPDATA/notes"` matches only the directory `notes`;
     * `"$APPDATA/notes/**"` matches everything inside it but not `notes` itself.
     * Listing or creating `notes` needs the first; reading and writing the files
     * in it, the second. `*` never crosses a `/`; `**` does.
     *
     * Writes are atomic (temporary file in the same directory, fsync, rename):
     * a failed write leaves the old file as it was. Bytes travel raw, never base64.
     */
    interface Fs {
      readonly BaseDirectory: BaseDirectories;
      /** Alias of `BaseDirectory`, as in Tauri v1. */
      readonly Dir: BaseDirectories;
      /** Needs `allowlist.fs.read-file`. Rejects on invalid UTF-8. */
      readTextFile(path: string, options?: FsOptions): Promise<string>;
      /**
       * Needs `allowlist.fs.read-file`. A file over 4 MiB is read in parts,
       * several at a time; a file that changes while it is read rejects
       * ("the file changed while it was being read") instead of mixing two
       * versions. At most 512 MiB.
       */
      readBinaryFile(path: string, options?: FsOptions): Promise<Uint8Array>;
      /** Needs `allowlist.fs.write-file`. The parent directory must exist. */
      writeTextFile(path: string, contents: string, options?: FsOptions): Promise<void>;
      writeTextFile(file: { path: string; contents: string }, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.write-file`. The parent directory must exist. */
      writeBinaryFile(path: string, contents: BinaryFileContents, options?: FsOptions): Promise<void>;
      writeBinaryFile(file: { path: string; contents: BinaryFileContents }, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.read-dir`. Entries sorted by name; entries a `deny` glob matches are left out. */
      readDir(path: string, options?: FsDirOptions): Promise<FileEntry[]>;
      /** Needs `allowlist.fs.create-dir`. */
      createDir(path: string, options?: FsDirOptions): Promise<void>;
      /** Needs `allowlist.fs.remove-dir`. */
      removeDir(path: string, options?: FsDirOptions): Promise<void>;
      /** Needs `allowlist.fs.remove-file`. */
      removeFile(path: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.rename-file`; both paths must be in the scope. */
      renameFile(oldPath: string, newPath: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.copy-file`; both paths must be in the scope. The destination is written atomically. */
      copyFile(source: string, destination: string, options?: FsOptions): Promise<void>;
      /** Needs `allowlist.fs.exists`. Refused (not `false`) outside the scope. */
      exists(path: string, options?: FsOptions): Promise<boolean>;
    }

