  // cli: what [cli] made of the command line, Tauri v1's shape.
  api.cli = Object.freeze({
    getMatches: function () { return invoke("cli.getMatches"); },
  });
