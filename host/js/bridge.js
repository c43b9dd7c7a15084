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

  // dialog: Tauri v1's names. The host shows GTK dialogs modal to this
  // window and settles the promise when the user answers; picked paths join
  // the fs scope for the rest of the run.
  function messageArgs(message, options) {
    var args = { message: message };
    if (typeof options === "string") {
      args.title = options;
    } else if (options !== null && typeof options === "object") {
      ["title", "type", "okLabel", "cancelLabel"].forEach(function (name) {
        if (options[name] !== undefined) args[name] = options[name];
      });
    }
    return args;
  }
  var dialog = {
    open: function (options) { return invoke("dialog.open", options === undefined ? {} : options); },
    save: function (options) { return invoke("dialog.save", options === undefined ? {} : options); },
    message: function (message, options) { return invoke("dialog.message", messageArgs(message, options)); },
    ask: function (message, options) { return invoke("dialog.ask", messageArgs(message, options)); },
    confirm: function (message, options) { return invoke("dialog.confirm", messageArgs(message, options)); },
  };

  // shell: Tauri v1's Command, Child and open(). A spawned child's output
  // arrives as events on a channel the page picks before the call, so no
  // line is lost; only commands named in `[allowlist.shell] scope` run.
  function Emitter() { this._handlers = {}; }
  Emitter.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push({ f: handler, once: false });
    return this;
  };
  Emitter.prototype.once = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push({ f: handler, once: true });
    return this;
  };
  Emitter.prototype.off = function (name, handler) {
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) { return h.f !== handler; });
    return this;
  };
  Emitter.prototype.removeAllListeners = function (name) {
    if (name === undefined) this._handlers = {}; else delete this._handlers[name];
    return this;
  };
  Emitter.prototype.emit = function (name, value) {
    var handlers = this._handlers[name] || [];
    this._handlers[name] = handlers.filter(function (h) { return !h.once; });
    handlers.forEach(function (h) {
      try { h.f(value); } catch (error) { setTimeout(function () { throw error; }); }
    });
    return handlers.length > 0;
  };
  function Child(pid) { this.pid = pid; }
  Child.prototype.write = function (data) {
    var buffer = typeof data === "string" ? data : new TextDecoder().decode(data);
    return invoke("shell.stdinWrite", { pid: this.pid, buffer: buffer });
  };
  Child.prototype.kill = function () { return invoke("shell.killChild", { pid: this.pid }); };
  function Command(program, args, options) {
    Emitter.call(this);
    this.program = program;
    this.args = args === undefined ? [] : typeof args === "string" ? [args] : args;
    this.options = options || {};
    this.stdout = new Emitter();
    this.stderr = new Emitter();
  }
  Command.prototype = Object.create(Emitter.prototype);
  Command.prototype.constructor = Command;
  Command.prototype._args = function () {
    var options = {};
    if (this.options.cwd !== undefined) options.cwd = this.options.cwd;
    if (this.options.env !== undefined) options.env = this.options.env;
    return { program: this.program, args: this.args, options: options };
  };
  Command.prototype.execute = function () { return invoke("shell.execute", this._args()); };
  Command.prototype.spawn = function () {
    var self = this;
    var channel = Math.floor(Math.random() * 9007199254740991);
    var args = this._args();
    args.channel = channel;
    var unlisten = null;
    return addListener("millennium://shell/" + channel, function (event) {
      var message = event.payload || {};
      switch (message.event) {
        case "Stdout": self.stdout.emit("data", message.payload); break;
        case "Stderr": self.stderr.emit("data", message.payload); break;
        case "Error": self.emit("error", message.payload); break;
        case "Terminated":
          if (unlisten) unlisten();
          self.emit("close", message.payload);
          break;
      }
    }, false, null).then(function (stop) {
      unlisten = stop;
      return invoke("shell.spawn", args).then(function (pid) { return new Child(pid); }, function (error) {
        stop();
        throw error;
      });
    });
  };
  var shell = {
    Command: Command,
    Child: Child,
    EventEmitter: Emitter,
    open: function (path, openWith) {
      var args = { path: path };
      if (openWith !== undefined) args.with = openWith;
      return invoke("shell.open", args);
    },
  };

  // http: Tauri v1's fetch, getClient, Body and ResponseType. Requests go
  // through the fetch channel (raw bytes both ways); the host answers with
  // a 4-byte length, JSON metadata, then the body as received.
  var ResponseType = Object.freeze({ JSON: 1, Text: 2, Binary: 3 });
  var Body = Object.freeze({
    json: function (data) { return { type: "Json", payload: data }; },
    text: function (value) { return { type: "Text", payload: value }; },
    form: function (data) {
      var record = {};
      if (data instanceof FormData) {
        data.forEach(function (value, key) { record[key] = String(value); });
      } else {
        Object.keys(data || {}).forEach(function (key) { record[key] = String(data[key]); });
      }
      return { type: "Form", payload: record };
    },
    bytes: function (bytes) { return { type: "Bytes", payload: bytes }; },
  });
  function httpRequest(options) {
    if (!APP_PAGE) {
      return PromiseCtor.reject(new ErrorCtor("Millennium.http needs the fetch channel, which only app pages have"));
    }
    options = options || {};
    var args = { method: (options.method || "GET").toUpperCase(), url: options.url };
    ["query", "headers", "timeout", "responseType"].forEach(function (name) {
      if (options[name] !== undefined) args[name] = options[name];
    });
    var raw = null;
    var body = options.body;
    if (body !== undefined && body !== null) {
      if (body.type === "Bytes") {
        try { raw = toBytes(body.payload); } catch (error) { return PromiseCtor.reject(error); }
        args.body = { type: "Bytes" };
      } else {
        args.body = body;
      }
    }
    var responseType = options.responseType === undefined ? ResponseType.JSON : options.responseType;
    return fetchIpc("http.request", "args=" + encodeURIComponent(stringify(args)), raw,
      "application/octet-stream").then(function (frame) {
      var view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      var length = view.getUint32(0);
      var meta = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + length)));
      var bytes = frame.subarray(4 + length);
      var headers = {};
      var rawHeaders = {};
      meta.headers.forEach(function (pair) {
        var name = pair[0].toLowerCase();
        headers[name] = headers[name] === undefined ? pair[1] : headers[name] + ", " + pair[1];
        (rawHeaders[name] = rawHeaders[name] || []).push(pair[1]);
      });
      var data;
      if (responseType === ResponseType.Binary) {
        data = bytes;
      } else {
        var text = new TextDecoder().decode(bytes);
        if (responseType === ResponseType.Text) {
          data = text;
        } else {
          try {
            data = JSON.parse(text);
          } catch (error) {
            throw new ErrorCtor("the response of " + meta.url + " (status " + meta.status +
              ") is not JSON: " + error.message + "; ask for ResponseType.Text or Binary");
          }
        }
      }
      return { url: meta.url, status: meta.status, ok: meta.status >= 200 && meta.status < 300,
        headers: headers, rawHeaders: rawHeaders, data: data };
    });
  }
  function Client() {}
  Client.prototype.request = function (options) { return httpRequest(options); };
  Client.prototype.drop = function () { return PromiseCtor.resolve(); };
  ["get", "delete"].forEach(function (method) {
    Client.prototype[method] = function (url, options) {
      return httpRequest(Object.assign({}, options, { method: method.toUpperCase(), url: url }));
    };
  });
  ["post", "put", "patch"].forEach(function (method) {
    Client.prototype[method] = function (url, body, options) {
      return httpRequest(Object.assign({}, options, { method: method.toUpperCase(), url: url, body: body }));
    };
  });
  var http = {
    Body: Body,
    ResponseType: ResponseType,
    Client: Client,
    getClient: function (options) {
      if (options !== undefined && Object.keys(options).length > 0) {
        return PromiseCtor.reject(new ErrorCtor("getClient options are not supported: give `timeout` to each request"));
      }
      return PromiseCtor.resolve(new Client());
    },
    fetch: function (url, options) {
      return httpRequest(Object.assign({}, options, { url: url }));
    },
  };

  // updater: Tauri v1's names. Where updates come from, which keys count
  // and which versions are acceptable is `[updater]` only; the page may ask.
  var updater = {
    checkUpdate: function () { return invoke("updater.checkUpdate"); },
    installUpdate: function () { return invoke("updater.installUpdate"); },
    onUpdaterEvent: function (handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return addListener("millennium://update-status", function (event) { handler(event.payload); }, false, null);
    },
  };

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
    dialog: Object.freeze(dialog),
    shell: Object.freeze(shell),
    http: Object.freeze(http),
    updater: Object.freeze(updater),
    ipc: Object.freeze({ invoke: invoke, invokeBinary: invokeBinary }),
  };
  Object.defineProperty(window, "Millennium", { value: Object.freeze(api), enumerable: true });

  if (FREEZE_PROTOTYPE) {
    Object.freeze(Object.prototype);
  }
})();
