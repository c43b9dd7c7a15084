  // tray: the [tray] changed at run time.
  api.tray = Object.freeze({
    setIcon: function (path) { return invoke("tray.setIcon", { path: path }); },
    setTooltip: function (text) { return invoke("tray.setTooltip", { text: text === undefined ? null : text }); },
    setTitle: function (text) { return invoke("tray.setTitle", { text: text === undefined ? null : text }); },
    setMenu: function (menu) { return invoke("tray.setMenu", { menu: menu === undefined ? null : menu }); },
  });
