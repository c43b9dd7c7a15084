    // ---------------------------------------------------------------- cli
    interface Api {
      readonly cli: Cli;
    }
    /** One declared argument as given: `value` is `true`/`false` for a flag,
     * the value (or every value, for `multiple`) for one that takes values,
     * `null` when absent. */
    interface ArgMatch {
      readonly value: string | boolean | string[] | null;
      readonly occurrences: number;
    }
    interface CliMatches {
      /** Every argument `[cli] args` declares, by name. */
      readonly args: Readonly<Record<string, ArgMatch>>;
      /** The subcommand given, with its own matches. */
      readonly subcommand: { readonly name: string; readonly matches: CliMatches } | null;
    }
    interface Cli {
      /** The launch's arguments, as `[cli]` parsed them. Needs `allowlist.cli.get-matches`. */
      getMatches(): Promise<CliMatches>;
    }
