  // app: the name and versions need no key; show and hide do.
  api.app = Object.freeze({
    getName: function () { return invoke("app.getName"); },
    getVersion: function () { return invoke("app.getVersion"); },
    getMillenniumVersion: function () { return invoke("app.getMillenniumVersion"); },
    show: function () { return invoke("app.show"); },
    hide: function () { return invoke("app.hide"); },
  });
