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

  api.window = windowApi;
