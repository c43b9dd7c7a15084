// window.Millennium: injected by the host as an initialisation script into the
// main frame of every window. This is its core (origin check, keys, the two
// IPC channels, listeners); each API's part follows from
// host/src/api/<namespace>/bridge.js, in registry order, then js/end.js. The host replaces the __NAME__ placeholders with
// JSON literals before injection. Pages of any other origin stop at the first
// checks below and never see an invoke key or the API, except the remote
// pages this window grants (`[security] dangerous-remote-domain-ipc-access`):
// they get their grant's own key, and the API or only window.__MILLENNIUM_IPC__.
(function () {
  "use strict";
  var ORIGIN = __ORIGIN__;
  if (window.top !== window || window.Millennium || window.__MILLENNIUM_IPC__) {
    return;
  }
  var KEY;
  var API = true;
  if (window.location.origin === ORIGIN) {
    KEY = __KEY__;
  } else {
    var here = window.location;
    var defaultPort = here.protocol === "https:" ? 443 : 80;
    var port = here.port ? Number(here.port) : defaultPort;
    var grants = __REMOTE__.filter(function (g) {
      return g.schemes.indexOf(here.protocol) >= 0 && here.hostname === g.domain &&
        port === (g.port === null ? defaultPort : g.port);
    });
    if (grants.length === 0) {
      return;
    }
    KEY = grants[0].key;
    API = grants[0].api;
  }
  var LABEL = __LABEL__;
  var CALLBACK = __CALLBACK__;
  var FREEZE_PROTOTYPE = __FREEZE_PROTOTYPE__;
  var REPORT_READY = __REPORT_READY__;
  var IPC_PREFIX = ORIGIN + "/__ipc/";

  // Captured now, before any page script can replace them.
  var post = window.ipc.postMessage;
  var fetchRaw = window.fetch.bind(window);
  var stringify = JSON.stringify;
  var PromiseCtor = Promise;
  var ErrorCtor = Error;

  var pending = new Map();
  var nextId = 1;
  var listeners = new Map();
  var nextListener = 1;

  function invoke(cmd, args) {
    return new PromiseCtor(function (resolve, reject) {
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject });
      try {
        post(stringify({ id: id, key: KEY, cmd: String(cmd), args: args === undefined ? {} : args }));
      } catch (error) {
        pending.delete(id);
        reject(error);
      }
    });
  }

  // Bulk bytes: a fetch to the custom protocol with a raw body, no base64.
  // `query` (already encoded) carries the arguments of a raw-body command.
  // The answer, once it is known to be a success; a refusal rejects with
  // the host's message.
  function fetchIpcResponse(cmd, query, body, contentType) {
    var url = IPC_PREFIX + encodeURIComponent(String(cmd)) + (query ? "?" + query : "");
    return fetchRaw(url, {
      method: "POST",
      headers: { "Millennium-Invoke-Key": KEY, "Content-Type": contentType },
      body: body,
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new ErrorCtor(text); });
      }
      return response;
    });
  }
  function fetchIpc(cmd, query, body, contentType) {
    return fetchIpcResponse(cmd, query, body, contentType).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === 0) {
        return response.json();
      }
      return response.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
    });
  }
  function invokeBinary(cmd, bytes) {
    return fetchIpc(cmd, "", bytes, "application/octet-stream");
  }

  function dispatch(event, payload, windowLabel) {
    var handlers = listeners.get(event);
    if (!handlers) return;
    handlers.forEach(function (entry, id) {
      if (entry.windowLabel !== null && entry.windowLabel !== windowLabel) return;
      if (entry.once) handlers.delete(id);
      try {
        entry.handler({ event: event, windowLabel: windowLabel, payload: payload, id: id });
      } catch (error) {
        setTimeout(function () { throw error; });
      }
    });
  }

  // The host calls this with replies and events (through evaluate_script).
  function receive(message) {
    if (message.kind === "reply") {
      var call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.value);
      else call.reject(new ErrorCtor(message.error));
    } else if (message.kind === "event") {
      dispatch(message.event, message.payload, message.windowLabel);
    }
  }
  Object.defineProperty(window, CALLBACK, { value: receive });

  if (!API) {
    // A granted remote page without `enable-millennium-api`: the raw channel only.
    Object.defineProperty(window, "__MILLENNIUM_IPC__", {
      value: Object.freeze({ invoke: function (cmd, args) { return invoke(cmd, args); } }),
    });
    if (FREEZE_PROTOTYPE) {
      Object.freeze(Object.prototype);
    }
    return;
  }

  function addListener(event, handler, once, windowLabel) {
    if (typeof handler !== "function") {
      return PromiseCtor.reject(new TypeError("the handler must be a function"));
    }
    var id = nextListener++;
    if (!listeners.has(event)) listeners.set(event, new Map());
    listeners.get(event).set(id, { handler: handler, once: once, windowLabel: windowLabel });
    return PromiseCtor.resolve(function unlisten() {
      var handlers = listeners.get(event);
      if (handlers) handlers.delete(id);
    });
  }

  // Shared by the namespaces below.
  var api = {};
  var APP_PAGE = window.location.origin === ORIGIN;
  // Bytes for a raw body (fs.writeBinaryFile, http Body.bytes).
  function toBytes(contents) {
    if (contents instanceof ArrayBuffer || ArrayBuffer.isView(contents) || contents instanceof Blob) {
      return contents;
    }
    if (contents && typeof contents.length === "number") return new Uint8Array(contents);
    throw new TypeError("writeBinaryFile contents must be a Uint8Array, an ArrayBuffer or an array of bytes");
  }
