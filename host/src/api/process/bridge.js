  api.process = Object.freeze({
    exit: function (code) { return invoke("process.exit", { code: code === undefined ? 0 : code }); },
    relaunch: function () { return invoke("process.relaunch"); },
  });
