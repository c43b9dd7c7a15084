// Type declarations for `window.Millennium`, the API the Millennium host
// injects into the app's own pages (origin `millennium://localhost`).
//
// Every function returns a promise. A call the allowlist does not enable
// rejects with an Error whose message names the key to turn on, e.g.
// "allowlist.process.exit is not enabled in millennium.toml".
// Pages of any other origin (remote URLs, iframes) get no `Millennium`, except
// remote pages granted by `[security] dangerous-remote-domain-ipc-access` in
// the windows it lists: they get `Millennium` with `enable-millennium-api`,
// otherwise only `__MILLENNIUM_IPC__` (the same allowlist applies).

export {};

declare global {
  interface Window {
    readonly Millennium: Millennium.Api;
    /** Only in granted remote pages without `enable-millennium-api`. */
    readonly __MILLENNIUM_IPC__?: {
      invoke<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
    };
  }
  var Millennium: Millennium.Api;

  namespace Millennium {
    // Every namespace adds its member to `Api` in its own section below
    // (generated from host/src/api/<namespace>/api.d.ts: edit those, then
    // `make dts`).
