  // app: the name and versions need no key; show and hide do.
  api.app = Object.freeze({
    getName: function () { return invoke("app.getName"); },
    getVersion: function () { return invoke("app.getVersion"); },
    getMillenniumVersion: function () { return invoke("app.getMillenniumVersion"); },
    show: function () { return invoke("app.show"); },
    hide: function () { return invoke("app.hide"); },
    getOpenedFiles: function () { return invoke("app.getOpenedFiles"); },
    onFilesOpened: function (handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return addListener("millennium://files-opened", function (e) { handler(e.payload.paths); }, false, null);
    },
    // [app] single-instance: a later launch's { args, cwd }.
    onSecondInstance: function (handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return addListener("millennium://second-instance", function (e) { handler(e.payload); }, false, null);
    },
  });
