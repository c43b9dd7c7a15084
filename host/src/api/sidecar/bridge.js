  // sidecar: JSON-RPC 2.0 to the app's [[sidecars]]. The host answers a
  // call with { result } or { error: { code, message, data } }; an error
  // becomes a rejection with those fields. A binary result is answered as
  // { bytes: { token, length } } (app pages take the bytes in parts through
  // the fetch channel) or { base64 } (remote pages). Notifications from the
  // sidecar arrive as the event "millennium://sidecar/<name>" ({ method,
  // params }).
  function takeBytes(name, held) {
    return readInParts(function (offset) {
      return fetchPart("sidecar.take", { token: String(held.token) }, offset);
    }, "sidecar `" + name + "`", "sidecar `" + name + "`: a part of its binary result went missing");
  }
  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function SidecarError(error) {
    var e = new ErrorCtor(String(error.message));
    e.name = "SidecarError";
    e.code = error.code;
    e.data = error.data;
    return e;
  }
  function sidecarMessage(name, method, params) {
    var args = { sidecar: String(name), method: String(method) };
    if (params !== undefined && params !== null) args.params = params;
    return args;
  }
  function sidecar(name) {
    var event = "millennium://sidecar/" + String(name);
    return Object.freeze({
      call: function (method, params) {
        return invoke("sidecar.call", sidecarMessage(name, method, params)).then(function (answer) {
          if (!answer) return undefined;
          if (answer.error) throw SidecarError(answer.error);
          if (answer.bytes) return takeBytes(name, answer.bytes);
          if (typeof answer.base64 === "string") return fromBase64(answer.base64);
          return answer.result;
        });
      },
      notify: function (method, params) {
        return invoke("sidecar.notify", sidecarMessage(name, method, params));
      },
      on: function (method, handler) {
        if (typeof handler !== "function") {
          return PromiseCtor.reject(new TypeError("the handler must be a function"));
        }
        return addListener(event, function (e) {
          if (e.payload && e.payload.method === method) handler(e.payload.params);
        }, false, null);
      },
    });
  }

  api.sidecar = sidecar;
