  var os = { EOL: "\n" };
  ["platform", "version", "type", "arch", "tempdir", "locale"].forEach(function (name) {
    os[name] = function () { return invoke("os." + name); };
  });

  api.os = Object.freeze(os);
