  var path = { sep: "/", delimiter: ":" };
  ["audioDir", "cacheDir", "configDir", "dataDir", "localDataDir", "desktopDir", "documentDir",
    "downloadDir", "executableDir", "fontDir", "homeDir", "pictureDir", "publicDir", "runtimeDir",
    "templateDir", "videoDir", "resourceDir", "tempDir", "appConfigDir", "appDataDir",
    "appLocalDataDir", "appCacheDir", "appLogDir"].forEach(function (name) {
    path[name] = function () { return invoke("path." + name); };
  });
  path.resolve = function () { return invoke("path.resolve", { paths: Array.prototype.slice.call(arguments) }); };
  path.join = function () { return invoke("path.join", { paths: Array.prototype.slice.call(arguments) }); };
  ["normalize", "dirname", "extname", "isAbsolute"].forEach(function (name) {
    path[name] = function (p) { return invoke("path." + name, { path: p }); };
  });
  path.basename = function (p, ext) { return invoke("path.basename", { path: p, ext: ext === undefined ? null : ext }); };

  api.path = Object.freeze(path);
