    // ------------------------------------------------------- notification
    interface Api {
      /** Desktop notifications (freedesktop D-Bus service); `allowlist.notification.send`. */
      readonly notification: Notification;
    }
    /**
     * `Millennium.notification`, through the desktop's notification service
     * (`org.freedesktop.Notifications` on the D-Bus session bus). Every
     * function needs `allowlist.notification.send`.
     */
    interface Notification {
      /** Whether a notification service answers (Linux has no permission to grant). */
      isPermissionGranted(): Promise<boolean>;
      /** `"granted"` when a notification service answers, `"denied"` otherwise. */
      requestPermission(): Promise<"granted" | "denied" | "default">;
      /**
       * A string is the title. Unlike Tauri v1 (which returns nothing) this
       * returns a promise: it rejects with a clear error, within a few
       * seconds, when no notification service is available.
       */
      sendNotification(options: string | { title: string; body?: string; icon?: string }): Promise<void>;
    }

