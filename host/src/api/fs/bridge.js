  // fs: Tauri v1's names and arguments. Every call does file I/O, so app
  // pages use the fetch channel, whose requests the host answers on a worker
  // thread (granted remote pages have postMessage only; the host runs their
  // fs calls on a worker thread too, but cannot move raw bytes that way).
  // writeBinaryFile sends the bytes as the raw body and its path and `dir`
  // in the query string; readBinaryFile gets raw bytes back.
  var BaseDirectory = Object.freeze({
    Audio: 1, Cache: 2, Config: 3, Data: 4, LocalData: 5, Desktop: 6, Document: 7, Download: 8,
    Executable: 9, Font: 10, Home: 11, Picture: 12, Public: 13, Runtime: 14, Template: 15,
    Video: 16, Resource: 17, App: 18, Log: 19, Temp: 20, AppConfig: 21, AppData: 22,
    AppLocalData: 23, AppCache: 24, AppLog: 25,
  });
  function fsCall(name, args, options) {
    var dir = options && options.dir;
    if (dir !== undefined && dir !== null) args.dir = dir;
    if (!APP_PAGE) return invoke("fs." + name, args);
    return fetchIpc("fs." + name, "", stringify(args), "application/json");
  }
  // readBinaryFile reads in parts (core's readInParts), each from the
  // version of the file the first one named, or the read fails.
  function readBinaryInParts(path, dir) {
    return readInParts(function (offset, version) {
      var args = { path: path };
      if (dir !== undefined && dir !== null) args.dir = dir;
      if (version !== null) args.version = version;
      return fetchPart("fs.readBinaryFile", args, offset);
    }, "readBinaryFile", "read `" + path + "`: the file changed while it was being read; read it again");
  }
  function fileArgs(path, contents, options) {
    // writeTextFile(path, contents, options) or writeTextFile({ path, contents }, options).
    if (path !== null && typeof path === "object") {
      return { path: path.path, contents: path.contents, options: contents };
    }
    return { path: path, contents: contents, options: options };
  }
  var fs = {
    BaseDirectory: BaseDirectory,
    Dir: BaseDirectory,
    readTextFile: function (path, options) { return fsCall("readTextFile", { path: path }, options); },
    readBinaryFile: function (path, options) {
      if (!APP_PAGE) {
        return PromiseCtor.reject(new ErrorCtor("readBinaryFile needs the fetch channel, which only app pages have"));
      }
      if (typeof path !== "string") {
        return PromiseCtor.reject(new TypeError("readBinaryFile: the path must be a string"));
      }
      return readBinaryInParts(path, options && options.dir);
    },
    writeTextFile: function (path, contents, options) {
      var a = fileArgs(path, contents, options);
      return fsCall("writeTextFile", { path: a.path, contents: a.contents }, a.options);
    },
    writeBinaryFile: function (path, contents, options) {
      var a = fileArgs(path, contents, options);
      if (!APP_PAGE) {
        return PromiseCtor.reject(new ErrorCtor("writeBinaryFile needs the fetch channel, which only app pages have"));
      }
      if (typeof a.path !== "string") {
        return PromiseCtor.reject(new TypeError("writeBinaryFile: the path must be a string"));
      }
      var body;
      try { body = toBytes(a.contents); } catch (error) { return PromiseCtor.reject(error); }
      var query = "path=" + encodeURIComponent(a.path);
      var dir = a.options && a.options.dir;
      if (dir !== undefined && dir !== null) query += "&dir=" + encodeURIComponent(String(dir));
      return fetchIpc("fs.writeBinaryFile", query, body, "application/octet-stream");
    },
    readDir: function (path, options) {
      return fsCall("readDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    createDir: function (path, options) {
      return fsCall("createDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    removeDir: function (path, options) {
      return fsCall("removeDir", { path: path, recursive: !!(options && options.recursive) }, options);
    },
    removeFile: function (path, options) { return fsCall("removeFile", { path: path }, options); },
    renameFile: function (oldPath, newPath, options) {
      return fsCall("renameFile", { source: oldPath, destination: newPath }, options);
    },
    copyFile: function (source, destination, options) {
      return fsCall("copyFile", { source: source, destination: destination }, options);
    },
    exists: function (path, options) { return fsCall("exists", { path: path }, options); },
  };

  api.fs = Object.freeze(fs);
