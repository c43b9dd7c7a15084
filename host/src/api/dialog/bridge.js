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

  api.dialog = Object.freeze(dialog);
