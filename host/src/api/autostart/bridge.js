  // autostart: an XDG autostart entry that starts the app at login.
  api.autostart = Object.freeze({
    enable: function () { return invoke("autostart.enable"); },
    disable: function () { return invoke("autostart.disable"); },
    isEnabled: function () { return invoke("autostart.isEnabled"); },
    wasLaunchedAtLogin: function () { return invoke("autostart.wasLaunchedAtLogin"); },
  });
