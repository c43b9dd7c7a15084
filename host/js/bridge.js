// window.Millennium: injected by the host as an initialisation script into the
// main frame of every window. The host replaces the __NAME__ placeholders with
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
    var grants = __REMOTE__.filter(function (g) {
      return g.schemes.indexOf(window.location.protocol) >= 0 && window.location.hostname === g.domain;
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
  function fetchIpc(cmd, query, body, contentType) {
    var url = IPC_PREFIX + encodeURIComponent(String(cmd)) + (query ? "?" + query : "");
    return fetchRaw(url, {
      method: "POST",
      headers: { "Millennium-Invoke-Key": KEY, "Content-Type": contentType },
      body: body,
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new ErrorCtor(text); });
      }
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

  var event = Object.freeze({
    listen: function (name, handler) { return addListener(name, handler, false, null); },
    once: function (name, handler) { return addListener(name, handler, true, null); },
    emit: function (name, payload) { return invoke("event.emit", { event: name, payload: payload === undefined ? null : payload }); },
  });

  function LogicalSize(width, height) { this.type = "Logical"; this.width = width; this.height = height; }
  LogicalSize.prototype.toPhysical = function (scale) { return new PhysicalSize(this.width * scale, this.height * scale); };
  function PhysicalSize(width, height) { this.type = "Physical"; this.width = width; this.height = height; }
  PhysicalSize.prototype.toLogical = function (scale) { return new LogicalSize(this.width / scale, this.height / scale); };
  function LogicalPosition(x, y) { this.type = "Logical"; this.x = x; this.y = y; }
  LogicalPosition.prototype.toPhysical = function (scale) { return new PhysicalPosition(this.x * scale, this.y * scale); };
  function PhysicalPosition(x, y) { this.type = "Physical"; this.x = x; this.y = y; }
  PhysicalPosition.prototype.toLogical = function (scale) { return new LogicalPosition(this.x / scale, this.y / scale); };

  function plainSize(s) { return { type: s.type, width: s.width, height: s.height }; }
  function plainPosition(p) { return { type: p.type, x: p.x, y: p.y }; }

  function WebviewWindow(label, options) {
    this.label = label;
    if (options === INTERNAL) return;
    var self = this;
    invoke("window.create", { label: label, options: options || {} }).then(
      function () { dispatch("millennium://created", null, self.label); },
      function (error) { dispatch("millennium://error", String(error && error.message || error), self.label); }
    );
  }
  var INTERNAL = {};
  WebviewWindow.getByLabel = function (label) { return new WebviewWindow(label, INTERNAL); };

  var proto = WebviewWindow.prototype;
  function call(name, args) {
    var full = Object.assign({ label: this.label }, args || {});
    return invoke("window." + name, full);
  }
  function simple(name) { return function () { return call.call(this, name); }; }
  function withValue(name, map) {
    return function (value) { return call.call(this, name, { value: map ? map(value) : value }); };
  }
  [
    "center", "requestUserAttention", "maximize", "unmaximize", "toggleMaximize", "minimize",
    "unminimize", "show", "hide", "close", "setFocus", "startDragging", "print", "title",
    "scaleFactor", "isFullscreen", "isMaximized", "isMinimized", "isFocused", "isDecorated",
    "isResizable", "isVisible", "theme",
  ].forEach(function (name) { proto[name] = simple(name); });
  ["setResizable", "setTitle", "setDecorations", "setAlwaysOnTop", "setFullscreen", "setSkipTaskbar",
    "setCursorGrab", "setCursorIcon", "setCursorVisible", "setIgnoreCursorEvents"].forEach(function (name) {
    proto[name] = withValue(name);
  });
  proto.setSize = withValue("setSize", plainSize);
  proto.setMinSize = withValue("setMinSize", function (s) { return s ? plainSize(s) : null; });
  proto.setMaxSize = withValue("setMaxSize", function (s) { return s ? plainSize(s) : null; });
  proto.setPosition = withValue("setPosition", plainPosition);
  proto.setCursorPosition = withValue("setCursorPosition", plainPosition);
  function sizeGetter(name) {
    return function () {
      return call.call(this, name).then(function (s) { return new PhysicalSize(s.width, s.height); });
    };
  }
  function positionGetter(name) {
    return function () {
      return call.call(this, name).then(function (p) { return new PhysicalPosition(p.x, p.y); });
    };
  }
  proto.innerSize = sizeGetter("innerSize");
  proto.outerSize = sizeGetter("outerSize");
  proto.innerPosition = positionGetter("innerPosition");
  proto.outerPosition = positionGetter("outerPosition");
  proto.listen = function (name, handler) { return addListener(name, handler, false, this.label); };
  proto.once = function (name, handler) { return addListener(name, handler, true, this.label); };
  proto.emit = function (name, payload) {
    return invoke("event.emit", { event: name, payload: payload === undefined ? null : payload, target: this.label });
  };
  function windowEvent(name, map) {
    return function (handler) {
      return this.listen(name, function (e) { handler(map ? Object.assign({}, e, { payload: map(e.payload) }) : e); });
    };
  }
  proto.onResized = windowEvent("millennium://resize", function (p) { return new PhysicalSize(p.width, p.height); });
  proto.onMoved = windowEvent("millennium://move", function (p) { return new PhysicalPosition(p.x, p.y); });
  proto.onThemeChanged = windowEvent("millennium://theme-changed");
  proto.onFocusChanged = function (handler) {
    var label = this.label;
    var a = addListener("millennium://focus", function (e) { handler(Object.assign({}, e, { payload: true })); }, false, label);
    var b = addListener("millennium://blur", function (e) { handler(Object.assign({}, e, { payload: false })); }, false, label);
    return PromiseCtor.all([a, b]).then(function (fns) { return function () { fns[0](); fns[1](); }; });
  };
  // Close requests: every handler of a window sees the same event; the
  // window closes only when none of them called preventDefault(). The host
  // waits for the page while at least one handler is registered.
  var closeHandlers = new Map();
  proto.onCloseRequested = function (handler) {
    if (typeof handler !== "function") {
      return PromiseCtor.reject(new TypeError("the handler must be a function"));
    }
    var self = this;
    var label = this.label;
    var handlers = closeHandlers.get(label);
    var first = !handlers;
    if (first) {
      handlers = new Map();
      closeHandlers.set(label, handlers);
    }
    var id = nextListener++;
    handlers.set(id, handler);
    var ready = PromiseCtor.resolve();
    if (first) {
      ready = addListener("millennium://close-requested", function () {
        var prevented = false;
        var closeEvent = { event: "millennium://close-requested", windowLabel: label,
          preventDefault: function () { prevented = true; }, isPreventDefault: function () { return prevented; } };
        var results = [];
        handlers.forEach(function (h) {
          try { results.push(h(closeEvent)); } catch (error) { setTimeout(function () { throw error; }); }
        });
        PromiseCtor.all(results).then(function () {
          if (!prevented) return call.call(self, "confirmClose");
        });
      }, false, label).then(function (unlisten) {
        handlers.unlisten = unlisten;
        return call.call(self, "interceptClose", { value: true });
      });
    }
    return ready.then(function () {
      return function () {
        if (!handlers.delete(id) || handlers.size > 0) return;
        closeHandlers.delete(label);
        if (handlers.unlisten) handlers.unlisten();
        call.call(self, "interceptClose", { value: false });
      };
    });
  };
  Object.freeze(proto);

  var current = WebviewWindow.getByLabel(LABEL);
  var windowApi = Object.freeze({
    WebviewWindow: WebviewWindow,
    LogicalSize: LogicalSize,
    PhysicalSize: PhysicalSize,
    LogicalPosition: LogicalPosition,
    PhysicalPosition: PhysicalPosition,
    appWindow: current,
    getCurrent: function () { return current; },
    getAll: function () {
      return invoke("window.labels").then(function (labels) {
        return labels.map(function (label) { return WebviewWindow.getByLabel(label); });
      });
    },
  });

  var path = { sep: "/", delimiter: ":" };
  ["audioDir", "cacheDir", "configDir", "dataDir", "localDataDir", "desktopDir", "documentDir",
    "downloadDir", "executableDir", "fontDir", "homeDir", "pictureDir", "publicDir", "runtimeDir",
    "templateDir", "videoDir", "resourceDir", "tempDir", "appConfigDir", "appDataDir",
    "appLocalDataDir", "appCacheDir", "appLogDir"].forEach(function (name) {
    path[name] = function () { return invoke("path." + name); };
  });
  path.resolve = function () { return invoke("path.resolve", { paths: Array.prototype.slice.call(arguments) }); };
  path.join = function () { return invoke("path.join", { paths: Array.prototype.slice.call(arguments) }); };
  ["normalize", "dirname", "extname", "isAbsolute"].forEach(function (name) {
    path[name] = function (p) { return invoke("path." + name, { path: p }); };
  });
  path.basename = function (p, ext) { return invoke("path.basename", { path: p, ext: ext === undefined ? null : ext }); };

  var os = { EOL: "\n" };
  ["platform", "version", "type", "arch", "tempdir", "locale"].forEach(function (name) {
    os[name] = function () { return invoke("os." + name); };
  });

  // fs: Tauri v1's names and arguments. Every call does file I/O, so app
  // pages use the fetch channel, whose requests the host answers on a worker
  // thread (granted remote pages have postMessage only; the host runs their
  // fs calls on a worker thread too, but cannot move raw bytes that way).
  // writeBinaryFile sends the bytes as the raw body and its path and `dir`
  // in the query string; readBinaryFile gets raw bytes back.
  var BaseDirectory = Object.freeze({
    Audio: 1, Cache: 2, Config: 3, Data: 4, LocalData: 5, Desktop: 6, Document: 7, Download: 8,
    Executable: 9, Font: 10, Home: 11, Picture: 12, Public: 13, Runtime: 14, Template: 15,
    Video: 16, Resource: 17, App: 18, Log: 19, Temp: 20, AppConfig: 21, AppData: 22,
    AppLocalData: 23, AppCache: 24, AppLog: 25,
  });
  var APP_PAGE = window.location.origin === ORIGIN;
  function fsCall(name, args, options) {
    var dir = options && options.dir;
    if (dir !== undefined && dir !== null) args.dir = dir;
    if (!APP_PAGE) return invoke("fs." + name, args);
    return fetchIpc("fs." + name, "", stringify(args), "application/json");
  }
  function fileArgs(path, contents, options) {
    // writeTextFile(path, contents, options) or writeTextFile({ path, contents }, options).
    if (path !== null && typeof path === "object") {
      return { path: path.path, contents: path.contents, options: contents };
    }
    return { path: path, contents: contents, options: options };
  }
  function toBytes(contents) {
    if (contents instanceof ArrayBuffer || ArrayBuffer.isView(contents) || contents instanceof Blob) {
      return contents;
    }
    if (contents && typeof contents.length === "number") return new Uint8Array(contents);
    throw new TypeError("writeBinaryFile contents must be a Uint8Array, an ArrayBuffer or an array of bytes");
  }
  var fs = {
    BaseDirectory: BaseDirectory,
    Dir: BaseDirectory,
    readTextFile: function (path, options) { return fsCall("readTextFile", { path: path }, options); },
    readBinaryFile: function (path, options) {
      if (!APP_PAGE) {
        return PromiseCtor.reject(new ErrorCtor("readBinaryFile needs the fetch channel, which only app pages have"));
      }
      return fsCall("readBinaryFile", { path: path }, options);
    },
    writeTextFile: function (path, contents, options) {
      var a = fileArgs(path, contents, options);
      return fsCall("writeTextFile", { path: a.path, contents: a.contents }, a.options);
    },
    writeBinaryFile: function (path, contents, options) {
      var a = fileArgs(path, contents, options);
      if (!APP_PAGE) {
        return PromiseCtor.reject(new ErrorCtor("writeBinaryFile needs the fetch channel, which only app pages have"));
      }
      if (typeof a.path !== "string") {
        return PromiseCtor.reject(new TypeError("writeBinaryFile: the path must be a string"));
      }
      var body;
      try { body = toBytes(a.contents); } catch (error) { return PromiseCtor.reject(error); }
      var query = "path=" + encodeURIComponent(a.path);
      var dir = a.options && a.options.dir;
      if (dir !== undefined && dir !== null) query += "&dir=" + encodeURIComponent(String(dir));
      return fetchIpc("fs.writeBinaryFile", query, body, "application/octet-stream");
    },
    readDir: function (path, options) {
      return fsCall("readDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    createDir: function (path, options) {
      return fsCall("createDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    removeDir: function (path, options) {
      return fsCall("removeDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    removeFile: function (path, options) { return fsCall("removeFile", { path: path }, options); },
    renameFile: function (oldPath, newPath, options) {
      return fsCall("renameFile", { source: oldPath, destination: newPath }, options);
    },
    copyFile: function (source, destination, options) {
      return fsCall("copyFile", { source: source, destination: destination }, options);
    },
    exists: function (path, options) { return fsCall("exists", { path: path }, options); },
  };

  // clipboard and notification: Tauri v1's names. The host runs both on a
  // worker thread; a notification with no notification service rejects
  // within a few seconds (Tauri v1's sendNotification returns nothing; here
  // it returns a promise, which callers may ignore).
  var clipboard = {
    readText: function () { return invoke("clipboard.readText"); },
    writeText: function (text) { return invoke("clipboard.writeText", { text: text }); },
  };
  var notification = {
    isPermissionGranted: function () { return invoke("notification.isPermissionGranted"); },
    requestPermission: function () { return invoke("notification.requestPermission"); },
    sendNotification: function (options) {
      var args = options !== null && typeof options === "object"
        ? { title: options.title, body: options.body, icon: options.icon }
        : { title: options };
      return invoke("notification.sendNotification", args);
    },
  };

  // Namespaces a later version implements: every call rejects clearly.
  function notYet(namespace) {
    return new Proxy({}, {
      get: function (_target, name) {
        if (typeof name !== "string" || name === "then") return undefined;
        return function () {
          return PromiseCtor.reject(new ErrorCtor("Millennium." + namespace + "." + name + " is not available in this version of Millennium"));
        };
      },
    });
  }

  var api = {
    app: Object.freeze({
      getName: function () { return invoke("app.getName"); },
      getVersion: function () { return invoke("app.getVersion"); },
      getMillenniumVersion: function () { return invoke("app.getMillenniumVersion"); },
      show: function () { return invoke("app.show"); },
      hide: function () { return invoke("app.hide"); },
    }),
    process: Object.freeze({
      exit: function (code) { return invoke("process.exit", { code: code === undefined ? 0 : code }); },
      relaunch: function () { return invoke("process.relaunch"); },
    }),
    event: event,
    window: windowApi,
    os: Object.freeze(os),
    path: Object.freeze(path),
    fs: Object.freeze(fs),
    clipboard: Object.freeze(clipboard),
    notification: Object.freeze(notification),
    ipc: Object.freeze({ invoke: invoke, invokeBinary: invokeBinary }),
  };
  ["dialog", "shell", "http", "updater"].forEach(function (ns) {
    api[ns] = notYet(ns);
  });
  Object.defineProperty(window, "Millennium", { value: Object.freeze(api), enumerable: true });

  if (FREEZE_PROTOTYPE) {
    Object.freeze(Object.prototype);
  }
})();
