  // notification: Tauri v1's names, on a worker thread. With no
  // notification service, a call rejects within a few seconds (Tauri v1's
  // sendNotification returns nothing; here it returns a promise, which
  // callers may ignore).
  var notification = {
    isPermissionGranted: function () { return invoke("notification.isPermissionGranted"); },
    requestPermission: function () { return invoke("notification.requestPermission"); },
    sendNotification: function (options) {
      var args = options !== null && typeof options === "object"
        ? { title: options.title, body: options.body, icon: options.icon }
        : { title: options };
      return invoke("notification.sendNotification", args);
    },
  };

  api.notification = Object.freeze(notification);
