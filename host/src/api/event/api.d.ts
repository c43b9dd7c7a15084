    // -------------------------------------------------------------- event
    interface Api {
      readonly event: EventApi;
    }
    /** Letters, digits, `-`, `/`, `:`, `_`, `.`; names starting `millennium://` are the host's. */
    type EventName = string;

    interface Event<T> {
      /** The event's name. */
      event: EventName;
      /** The window the event was sent to, or `null` for a broadcast. */
      windowLabel: string | null;
      /** The listener's id. */
      id: number;
      /** What the sender passed (JSON). */
      payload: T;
    }

    type EventCallback<T> = (event: Event<T>) => void;
    type UnlistenFn = () => void;

    /** Events between windows and from the host. Needs no allowlist key. */
    interface EventApi {
      /** Calls `handler` for every `event` sent to any window or broadcast. */
      listen<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Like `listen`, for the first occurrence only. */
      once<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Sends `event` to every window (including this one). */
      emit(event: EventName, payload?: unknown): Promise<void>;
    }

