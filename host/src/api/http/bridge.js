  // http: Tauri v1's fetch, getClient, Body and ResponseType. Requests go
  // through the fetch channel (raw bytes both ways); the host answers with
  // a 4-byte length, JSON metadata, then the body as received.
  var ResponseType = Object.freeze({ JSON: 1, Text: 2, Binary: 3 });
  var Body = Object.freeze({
    json: function (data) { return { type: "Json", payload: data }; },
    text: function (value) { return { type: "Text", payload: value }; },
    form: function (data) {
      var record = {};
      if (data instanceof FormData) {
        data.forEach(function (value, key) { record[key] = String(value); });
      } else {
        Object.keys(data || {}).forEach(function (key) { record[key] = String(data[key]); });
      }
      return { type: "Form", payload: record };
    },
    bytes: function (bytes) { return { type: "Bytes", payload: bytes }; },
  });
  function httpRequest(options) {
    if (!APP_PAGE) {
      return PromiseCtor.reject(new ErrorCtor("Millennium.http needs the fetch channel, which only app pages have"));
    }
    options = options || {};
    var args = { method: (options.method || "GET").toUpperCase(), url: options.url };
    ["query", "headers", "timeout", "responseType"].forEach(function (name) {
      if (options[name] !== undefined) args[name] = options[name];
    });
    var raw = null;
    var body = options.body;
    if (body !== undefined && body !== null) {
      if (body.type === "Bytes") {
        try { raw = toBytes(body.payload); } catch (error) { return PromiseCtor.reject(error); }
        args.body = { type: "Bytes" };
      } else {
        args.body = body;
      }
    }
    var responseType = options.responseType === undefined ? ResponseType.JSON : options.responseType;
    return fetchIpc("http.request", "args=" + encodeURIComponent(stringify(args)), raw,
      "application/octet-stream").then(function (frame) {
      var view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      var length = view.getUint32(0);
      var meta = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + length)));
      var bytes = frame.subarray(4 + length);
      var headers = {};
      var rawHeaders = {};
      meta.headers.forEach(function (pair) {
        var name = pair[0].toLowerCase();
        headers[name] = headers[name] === undefined ? pair[1] : headers[name] + ", " + pair[1];
        (rawHeaders[name] = rawHeaders[name] || []).push(pair[1]);
      });
      var data;
      if (responseType === ResponseType.Binary) {
        data = bytes;
      } else {
        var text = new TextDecoder().decode(bytes);
        if (responseType === ResponseType.Text) {
          data = text;
        } else {
          try {
            data = JSON.parse(text);
          } catch (error) {
            throw new ErrorCtor("the response of " + meta.url + " (status " + meta.status +
              ") is not JSON: " + error.message + "; ask for ResponseType.Text or Binary");
          }
        }
      }
      return { url: meta.url, status: meta.status, ok: meta.status >= 200 && meta.status < 300,
        headers: headers, rawHeaders: rawHeaders, data: data };
    });
  }
  function Client() {}
  Client.prototype.request = function (options) { return httpRequest(options); };
  Client.prototype.drop = function () { return PromiseCtor.resolve(); };
  ["get", "delete"].forEach(function (method) {
    Client.prototype[method] = function (url, options) {
      return httpRequest(Object.assign({}, options, { method: method.toUpperCase(), url: url }));
    };
  });
  ["post", "put", "patch"].forEach(function (method) {
    Client.prototype[method] = function (url, body, options) {
      return httpRequest(Object.assign({}, options, { method: method.toUpperCase(), url: url, body: body }));
    };
  });
  var http = {
    Body: Body,
    ResponseType: ResponseType,
    Client: Client,
    getClient: function (options) {
      if (options !== undefined && Object.keys(options).length > 0) {
        return PromiseCtor.reject(new ErrorCtor("getClient options are not supported: give `timeout` to each request"));
      }
      return PromiseCtor.resolve(new Client());
    },
    fetch: function (url, options) {
      return httpRequest(Object.assign({}, options, { url: url }));
    },
  };

  api.http = Object.freeze(http);
