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

  // Large binary answers come in parts of PART_BYTES, PARTS_IN_FLIGHT at a
  // time: WebKit takes one custom-scheme answer 8 KiB at a time and gathers
  // the pieces in time quadratic in their number, so a large whole is
  // faster as several answers. `args` of `cmd` get `offset` and `length`;
  // each answer names the whole's size and version in headers.
  var PART_BYTES = 4 * 1024 * 1024;
  var PARTS_IN_FLIGHT = 8;
  function fetchPart(cmd, args, offset) {
    args.offset = offset;
    args.length = PART_BYTES;
    return fetchIpcResponse(cmd, "", stringify(args), "application/json").then(function (response) {
      var total = Number(response.headers.get("Millennium-Total-Bytes"));
      var version = response.headers.get("Millennium-Version");
      return response.arrayBuffer().then(function (buffer) {
        return { bytes: new Uint8Array(buffer), total: total, version: version };
      });
    });
  }
  // The whole, from `part(offset, version)` (version null for the first);
  // every part must have the size the first one implies, or the read
  // fails with `changed`.
  function readInParts(part, what, changed) {
    return part(0, null).then(function (first) {
      var total = first.total;
      if (!(total >= 0) || first.version === null) {
        throw new ErrorCtor(what + ": the answer does not say how large the whole is");
      }
      if (first.bytes.byteLength >= total) return first.bytes;
      var whole = new Uint8Array(total);
      whole.set(first.bytes, 0);
      var next = first.bytes.byteLength;
      var left = total - next;
      var running = 0;
      var failed = false;
      return new PromiseCtor(function (resolve, reject) {
        function fail(error) {
          if (!failed) { failed = true; reject(error); }
        }
        function fetchAt(offset) {
          var expected = Math.min(PART_BYTES, total - offset);
          running++;
          part(offset, first.version).then(function (got) {
            running--;
            if (failed) return;
            if (got.bytes.byteLength !== expected) return fail(new ErrorCtor(changed));
            whole.set(got.bytes, offset);
            left -= expected;
            if (left === 0) resolve(whole); else launch();
          }, fail);
        }
        function launch() {
          while (!failed && running < PARTS_IN_FLIGHT && next < total) {
            var offset = next;
            next = Math.min(total, next + PART_BYTES);
            fetchAt(offset);
          }
        }
        launch();
      });
    });
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
