  Object.defineProperty(window, "Millennium", { value: Object.freeze(api), enumerable: true });

  if (FREEZE_PROTOTYPE) {
    Object.freeze(Object.prototype);
  }
})();
