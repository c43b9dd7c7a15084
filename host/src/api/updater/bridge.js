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

  api.updater = Object.freeze(updater);
