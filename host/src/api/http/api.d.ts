    // --------------------------------------------------------------- http
    interface Api {
      /** HTTP from the host, to URLs in `[allowlist.http] scope` only; `allowlist.http.request`. */
      readonly http: Http;
    }
    interface HttpBody { type: "Json" | "Text" | "Form" | "Bytes"; payload: unknown }
    interface HttpOptions {
      method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" | "CONNECT" | "TRACE" | string;
      headers?: Record<string, string>;
      /** Added to the URL's query string. */
      query?: Record<string, string>;
      body?: HttpBody;
      /** Whole request, in seconds (default 30). */
      timeout?: number | { secs: number; nanos: number };
      /** How to read the body; JSON by default. */
      responseType?: 1 | 2 | 3;
    }
    interface HttpResponse<T> {
      /** The final URL, after redirects (each of which must be in the scope too). */
      url: string;
      status: number;
      /** `status` is 2xx. Other statuses resolve too; only network errors reject. */
      ok: boolean;
      /** Lower-case names; repeated headers joined with ", ". */
      headers: Record<string, string>;
      rawHeaders: Record<string, string[]>;
      /** Parsed JSON, a string, or a Uint8Array (ResponseType.Binary). */
      data: T;
    }
    interface Client {
      request<T = unknown>(options: HttpOptions & { url: string }): Promise<HttpResponse<T>>;
      get<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      post<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      put<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      patch<T = unknown>(url: string, body?: HttpBody, options?: HttpOptions): Promise<HttpResponse<T>>;
      delete<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      drop(): Promise<void>;
    }
    /**
     * Requests are made by the host, so the page's CORS does not apply; every URL (and every
     * redirect) must match a glob of `[allowlist.http] scope`. Responses are capped at 256 MiB.
     */
    interface Http {
      readonly Body: {
        json(data: unknown): HttpBody;
        text(value: string): HttpBody;
        form(data: Record<string, string> | FormData): HttpBody;
        bytes(bytes: Uint8Array | ArrayBuffer | number[]): HttpBody;
      };
      readonly ResponseType: { readonly JSON: 1; readonly Text: 2; readonly Binary: 3 };
      /** What `getClient()` resolves with. */
      Client: new () => Client;
      fetch<T = unknown>(url: string, options?: HttpOptions): Promise<HttpResponse<T>>;
      getClient(): Promise<Client>;
    }

