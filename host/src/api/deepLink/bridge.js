  // deepLink: the URLs of the app's own schemes it was opened with, and
  // those later launches hand over.
  api.deepLink = Object.freeze({
    getCurrent: function () { return invoke("deepLink.getCurrent"); },
    onOpenUrl: function (handler) {
      if (typeof handler !== "function") {
        return PromiseCtor.reject(new TypeError("the handler must be a function"));
      }
      return addListener("millennium://deep-link", function (e) { handler(e.payload.urls); }, false, null);
    },
  });
