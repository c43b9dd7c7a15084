  Object.defineProperty(window, "Millennium", { value: Object.freeze(api), enumerable: true });

  // After an update: the new version is healthy once this bridge is up.
  if (REPORT_READY) {
    post(stringify({ id: 0, key: KEY, cmd: "ipc.ready", args: {} }));
  }

  if (FREEZE_PROTOTYPE) {
    Object.freeze(Object.prototype);
  }
})();
