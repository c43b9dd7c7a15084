  var event = Object.freeze({
    listen: function (name, handler) { return addListener(name, handler, false, null); },
    once: function (name, handler) { return addListener(name, handler, true, null); },
    emit: function (name, payload) { return invoke("event.emit", { event: name, payload: payload === undefined ? null : payload }); },
  });

  api.event = event;
