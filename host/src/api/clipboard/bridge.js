  // clipboard: Tauri v1's names. The host runs it on a worker thread.
  var clipboard = {
    readText: function () { return invoke("clipboard.readText"); },
    writeText: function (text) { return invoke("clipboard.writeText", { text: text }); },
  };
  api.clipboard = Object.freeze(clipboard);
