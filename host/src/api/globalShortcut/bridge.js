  // globalShortcut: key combinations that reach this page whichever program
  // has the focus (X11). The host says which registered combination was
  // pressed; the handlers stay here, by the name the host gave back.
  var shortcutHandlers = new Map();
  var shortcutListening = null;
  function shortcutListener() {
    if (!shortcutListening) {
      shortcutListening = addListener("millennium://global-shortcut", function (e) {
        var handler = shortcutHandlers.get(e.payload.accelerator);
        if (handler) handler(e.payload.accelerator);
      }, false, null);
    }
    return shortcutListening;
  }
  api.globalShortcut = Object.freeze({
    register: function (accelerator, handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return shortcutListener().then(function () {
        return invoke("globalShortcut.register", { accelerator: accelerator });
      }).then(function () {
        shortcutHandlers.set(accelerator, handler);
      });
    },
    unregister: function (accelerator) {
      return invoke("globalShortcut.unregister", { accelerator: accelerator }).then(function () {
        shortcutHandlers.delete(accelerator);
      });
    },
    unregisterAll: function () {
      return invoke("globalShortcut.unregisterAll").then(function () { shortcutHandlers.clear(); });
    },
    isRegistered: function (accelerator) {
      return invoke("globalShortcut.isRegistered", { accelerator: accelerator });
    },
  });
