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
  // readBinaryFile asks for parts of PART_BYTES, PARTS_IN_FLIGHT at a time:
  // WebKit takes one custom-scheme answer 8 KiB at a time and gathers the
  // pieces in time quadratic in their number, so a large file is faster as
  // several answers. Every part must come from the version of the file the
  // first one named, or the read fails.
  var PART_BYTES = 4 * 1024 * 1024;
  var PARTS_IN_FLIGHT = 8;
  function readPart(path, dir, offset, version) {
    var args = { path: path, offset: offset, length: PART_BYTES };
    if (dir !== undefined && dir !== null) args.dir = dir;
    if (version !== null) args.version = version;
    return fetchIpcResponse("fs.readBinaryFile", "", stringify(args), "application/json")
      .then(function (response) {
        var total = Number(response.headers.get("Millennium-Total-Bytes"));
        var version = response.headers.get("Millennium-Version");
        return response.arrayBuffer().then(function (buffer) {
          return { bytes: new Uint8Array(buffer), total: total, version: version };
        });
      });
  }
  function readBinaryInParts(path, dir) {
    return readPart(path, dir, 0, null).then(function (first) {
      var total = first.total;
      if (!(total >= 0) || first.version === null) {
        throw new ErrorCtor("readBinaryFile: the answer does not say how large the file is");
      }
      if (first.bytes.byteLength >= total) return first.bytes;
      var whole = new Uint8Array(total);
      whole.set(first.bytes, 0);
      var next = first.bytes.byteLength;
      var left = total - next;
      var running = 0;
      var failed = false;
      return new PromiseCtor(function (resolve, reject) {
        function fail(error) {
          if (!failed) { failed = true; reject(error); }
        }
        function fetchAt(offset) {
          var expected = Math.min(PART_BYTES, total - offset);
          running++;
          readPart(path, dir, offset, first.version).then(function (part) {
            running--;
            if (failed) return;
            if (part.bytes.byteLength !== expected) {
              return fail(new ErrorCtor("read `" + path + "`: the file changed while it was being read; read it again"));
            }
            whole.set(part.bytes, offset);
            left -= expected;
            if (left === 0) resolve(whole); else launch();
          }, fail);
        }
        function launch() {
          while (!failed && running < PARTS_IN_FLIGHT && next < total) {
            var offset = next;
            next = Math.min(total, next + PART_BYTES);
            fetchAt(offset);
          }
        }
        launch();
      });
    });
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
