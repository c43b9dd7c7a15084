  // shell: Tauri v1's Command, Child and open(). A spawned child's output
  // arrives as events on a channel the page picks before the call, so no
  // line is lost; only commands named in `[allowlist.shell] scope` run.
  function Emitter() { this._handlers = {}; }
  Emitter.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push({ f: handler, once: false });
    return this;
  };
  Emitter.prototype.once = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push({ f: handler, once: true });
    return this;
  };
  Emitter.prototype.off = function (name, handler) {
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) { return h.f !== handler; });
    return this;
  };
  Emitter.prototype.removeAllListeners = function (name) {
    if (name === undefined) this._handlers = {}; else delete this._handlers[name];
    return this;
  };
  Emitter.prototype.emit = function (name, value) {
    var handlers = this._handlers[name] || [];
    this._handlers[name] = handlers.filter(function (h) { return !h.once; });
    handlers.forEach(function (h) {
      try { h.f(value); } catch (error) { setTimeout(function () { throw error; }); }
    });
    return handlers.length > 0;
  };
  function Child(pid) { this.pid = pid; }
  Child.prototype.write = function (data) {
    var buffer = typeof data === "string" ? data : new TextDecoder().decode(data);
    return invoke("shell.stdinWrite", { pid: this.pid, buffer: buffer });
  };
  Child.prototype.kill = function () { return invoke("shell.killChild", { pid: this.pid }); };
  function Command(program, args, options) {
    Emitter.call(this);
    this.program = program;
    this.args = args === undefined ? [] : typeof args === "string" ? [args] : args;
    this.options = options || {};
    this.stdout = new Emitter();
    this.stderr = new Emitter();
  }
  Command.prototype = Object.create(Emitter.prototype);
  Command.prototype.constructor = Command;
  Command.prototype._args = function () {
    var options = {};
    if (this.options.cwd !== undefined) options.cwd = this.options.cwd;
    if (this.options.env !== undefined) options.env = this.options.env;
    return { program: this.program, args: this.args, options: options };
  };
  Command.prototype.execute = function () { return invoke("shell.execute", this._args()); };
  Command.prototype.spawn = function () {
    var self = this;
    var channel = Math.floor(Math.random() * 9007199254740991);
    var args = this._args();
    args.channel = channel;
    var unlisten = null;
    return addListener("millennium://shell/" + channel, function (event) {
      var message = event.payload || {};
      switch (message.event) {
        case "Stdout": self.stdout.emit("data", message.payload); break;
        case "Stderr": self.stderr.emit("data", message.payload); break;
        case "Error": self.emit("error", message.payload); break;
        case "Terminated":
          if (unlisten) unlisten();
          self.emit("close", message.payload);
          break;
      }
    }, false, null).then(function (stop) {
      unlisten = stop;
      return invoke("shell.spawn", args).then(function (pid) { return new Child(pid); }, function (error) {
        stop();
        throw error;
      });
    });
  };
  var shell = {
    Command: Command,
    Child: Child,
    EventEmitter: Emitter,
    open: function (path, openWith) {
      var args = { path: path };
      if (openWith !== undefined) args.with = openWith;
      return invoke("shell.open", args);
    },
  };

  api.shell = Object.freeze(shell);
