  // menu: clicks on the app's declared menus (no key), their items changed
  // at run time, and context menus built from the page's data.
  api.menu = Object.freeze({
    onClick: function (handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return addListener("millennium://menu", function (e) { handler(e.payload); }, false, null);
    },
    setItem: function (id, changes) {
      var args = { id: id };
      changes = changes || {};
      if (changes.label !== undefined) args.label = changes.label;
      if (changes.enabled !== undefined) args.enabled = changes.enabled;
      if (changes.checked !== undefined) args.checked = changes.checked;
      return invoke("menu.setItem", args);
    },
    popup: function (items, at) {
      var args = { items: items };
      if (at !== undefined && at !== null) args.at = { x: at.x, y: at.y };
      return invoke("menu.popup", args);
    },
  });
