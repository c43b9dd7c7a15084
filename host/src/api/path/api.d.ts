    // --------------------------------------------------------------- path
    interface Api {
      readonly path: PathApi;
    }
    /** Needs `allowlist.path.resolve`. Base directories match the `$VARIABLES` of fs scopes. */
    interface PathApi {
      readonly sep: "/" | "\\";
      readonly delimiter: ":" | ";";
      /** `$AUDIO` */ audioDir(): Promise<string>;
      /** `$CACHE` */ cacheDir(): Promise<string>;
      /** `$CONFIG` */ configDir(): Promise<string>;
      /** `$DATA` */ dataDir(): Promise<string>;
      /** `$LOCALDATA` */ localDataDir(): Promise<string>;
      /** `$DESKTOP` */ desktopDir(): Promise<string>;
      /** `$DOCUMENT` */ documentDir(): Promise<string>;
      /** `$DOWNLOAD` */ downloadDir(): Promise<string>;
      /** `$EXE` */ executableDir(): Promise<string>;
      /** `$FONT` */ fontDir(): Promise<string>;
      /** `$HOME` */ homeDir(): Promise<string>;
      /** `$PICTURE` */ pictureDir(): Promise<string>;
      /** `$PUBLIC` */ publicDir(): Promise<string>;
      /** `$RUNTIME` */ runtimeDir(): Promise<string>;
      /** `$TEMPLATE` */ templateDir(): Promise<string>;
      /** `$VIDEO` */ videoDir(): Promise<string>;
      /** `$RESOURCE` */ resourceDir(): Promise<string>;
      /** `$TEMP` */ tempDir(): Promise<string>;
      /** `$APPCONFIG` */ appConfigDir(): Promise<string>;
      /** `$APPDATA` */ appDataDir(): Promise<string>;
      /** `$APPLOCALDATA` */ appLocalDataDir(): Promise<string>;
      /** `$APPCACHE` */ appCacheDir(): Promise<string>;
      /** `$APPLOG` */ appLogDir(): Promise<string>;
      resolve(...paths: string[]): Promise<string>;
      normalize(path: string): Promise<string>;
      join(...paths: string[]): Promise<string>;
      dirname(path: string): Promise<string>;
      extname(path: string): Promise<string>;
      basename(path: string, ext?: string): Promise<string>;
      isAbsolute(path: string): Promise<boolean>;
    }

