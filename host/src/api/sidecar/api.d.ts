    // ---------------------------------------------------------- sidecar
    interface Api {
      /**
       * The app's sidecar `name` (`[[sidecars]]`), as far as
       * `[allowlist.sidecar] scope` grants it to this window.
       */
      readonly sidecar: (name: string) => Sidecar;
    }
    /** A JSON-RPC error answered by a sidecar. */
    interface SidecarError extends Error {
      readonly name: "SidecarError";
      /** The JSON-RPC error code. */
      readonly code: number;
      /** The error's `data`, or `null`. */
      readonly data: unknown;
    }
    /** One sidecar: JSON-RPC 2.0 over its standard input and output. */
    interface Sidecar {
      /**
       * Request `method`; resolves with the sidecar's `result` (a
       * `Uint8Array` when it answered with raw bytes, `{"$bytes": N}`),
       * rejects with a `SidecarError` for its `error`, or an `Error` when it
       * cannot be reached or stops first. Needs `allowlist.sidecar.call`.
       */
      call<T = unknown>(method: string, params?: unknown[] | Record<string, unknown>): Promise<T>;
      /** Notification `method`, never answered. Needs `allowlist.sidecar.notify`. */
      notify(method: string, params?: unknown[] | Record<string, unknown>): Promise<void>;
      /**
       * Calls `handler` with the params of each notification `method` the
       * sidecar sends; `"$/exited"` when it stops (`{ reason, restarting }`),
       * `"$/dropped"` when more than 1,000 a second were dropped (`{ count }`).
       * Resolves with the function that stops listening.
       */
      on(method: string, handler: (params: unknown) => void): Promise<() => void>;
    }
