    // ---------------------------------------------------------------- ipc
    interface Api {
      /** Low-level IPC, used by the namespaces above. Still behind the allowlist. */
      readonly ipc: Ipc;
    }
    interface Ipc {
      /** Calls a command by name (`"namespace.function"`) with JSON arguments. */
      invoke<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
      /** Sends raw bytes to a command over the binary channel (no base64). */
      invokeBinary(cmd: string, bytes: BufferSource | Blob): Promise<Uint8Array | unknown>;
    }

