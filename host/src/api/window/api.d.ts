    // ------------------------------------------------------------- window
    interface Api {
      readonly window: WindowApi;
    }
    /** Cursor names, as in Tauri v1. */
    type CursorIcon =
      | "default" | "crosshair" | "hand" | "arrow" | "move" | "text" | "wait" | "help"
      | "progress" | "notAllowed" | "contextMenu" | "cell" | "verticalText" | "alias"
      | "copy" | "noDrop" | "grab" | "grabbing" | "allScroll" | "zoomIn" | "zoomOut"
      | "eResize" | "nResize" | "neResize" | "nwResize" | "sResize" | "seResize"
      | "swResize" | "wResize" | "ewResize" | "nsResize" | "neswResize" | "nwseResize"
      | "colResize" | "rowResize";

    interface LogicalSizeConstructor {
      new (width: number, height: number): LogicalSize;
    }
    interface LogicalSize {
      readonly type: "Logical";
      width: number;
      height: number;
      toPhysical(scaleFactor: number): PhysicalSize;
    }
    interface PhysicalSizeConstructor {
      new (width: number, height: number): PhysicalSize;
    }
    interface PhysicalSize {
      readonly type: "Physical";
      width: number;
      height: number;
      toLogical(scaleFactor: number): LogicalSize;
    }
    interface LogicalPositionConstructor {
      new (x: number, y: number): LogicalPosition;
    }
    interface LogicalPosition {
      readonly type: "Logical";
      x: number;
      y: number;
      toPhysical(scaleFactor: number): PhysicalPosition;
    }
    interface PhysicalPositionConstructor {
      new (x: number, y: number): PhysicalPosition;
    }
    interface PhysicalPosition {
      readonly type: "Physical";
      x: number;
      y: number;
      toLogical(scaleFactor: number): LogicalPosition;
    }

    type Theme = "light" | "dark";

    /** Options of `new WebviewWindow(label, options)`: the `[[windows]]` fields, in camelCase. */
    interface WindowOptions {
      /** A path inside the frontend (`"settings.html"`) or an `https://` URL (which gets no API). */
      url?: string;
      title?: string;
      width?: number;
      height?: number;
      minWidth?: number;
      minHeight?: number;
      maxWidth?: number;
      maxHeight?: number;
      x?: number;
      y?: number;
      center?: boolean;
      resizable?: boolean;
      maximized?: boolean;
      fullscreen?: boolean;
      decorations?: boolean;
      transparent?: boolean;
      alwaysOnTop?: boolean;
      visible?: boolean;
      focus?: boolean;
      /** `#rrggbb` or `#rrggbbaa`. */
      backgroundColor?: string;
      theme?: Theme;
    }

    interface CloseRequestedEvent {
      event: "millennium://close-requested";
      windowLabel: string;
      /** Keeps the window open. */
      preventDefault(): void;
      isPreventDefault(): boolean;
    }

    /**
     * A window. Getters need no allowlist key; each setter needs
     * `allowlist.window.<kebab-case name>` (e.g. `setTitle` needs `allowlist.window.set-title`).
     */
    interface WebviewWindowConstructor {
      /**
       * Opens a new window (needs `allowlist.window.create`). Listen for
       * `millennium://created` or `millennium://error` on it to learn the outcome.
       */
      new (label: string, options?: WindowOptions): WebviewWindow;
      /**
       * A handle on an existing window; nothing is checked until it is used.
       * Operations on a window other than the caller's need
       * `[allowlist.window] other-windows` besides their own key.
       */
      getByLabel(label: string): WebviewWindow;
    }

    interface WebviewWindow {
      readonly label: string;

      // Getters.
      title(): Promise<string>;
      scaleFactor(): Promise<number>;
      innerSize(): Promise<PhysicalSize>;
      outerSize(): Promise<PhysicalSize>;
      innerPosition(): Promise<PhysicalPosition>;
      outerPosition(): Promise<PhysicalPosition>;
      isFullscreen(): Promise<boolean>;
      isMaximized(): Promise<boolean>;
      isMinimized(): Promise<boolean>;
      isFocused(): Promise<boolean>;
      isDecorated(): Promise<boolean>;
      isResizable(): Promise<boolean>;
      isVisible(): Promise<boolean>;
      theme(): Promise<Theme>;

      // Setters.
      center(): Promise<void>;
      requestUserAttention(): Promise<void>;
      setResizable(resizable: boolean): Promise<void>;
      setTitle(title: string): Promise<void>;
      maximize(): Promise<void>;
      unmaximize(): Promise<void>;
      /** Needs both `allowlist.window.maximize` and `allowlist.window.unmaximize`. */
      toggleMaximize(): Promise<void>;
      minimize(): Promise<void>;
      unminimize(): Promise<void>;
      show(): Promise<void>;
      hide(): Promise<void>;
      close(): Promise<void>;
      setDecorations(decorations: boolean): Promise<void>;
      setAlwaysOnTop(alwaysOnTop: boolean): Promise<void>;
      setSize(size: LogicalSize | PhysicalSize): Promise<void>;
      setMinSize(size: LogicalSize | PhysicalSize | null): Promise<void>;
      setMaxSize(size: LogicalSize | PhysicalSize | null): Promise<void>;
      setPosition(position: LogicalPosition | PhysicalPosition): Promise<void>;
      setFullscreen(fullscreen: boolean): Promise<void>;
      setFocus(): Promise<void>;
      setSkipTaskbar(skip: boolean): Promise<void>;
      setCursorGrab(grab: boolean): Promise<void>;
      /** Needs `allowlist.window.set-cursor-icon`. */
      setCursorIcon(icon: CursorIcon): Promise<void>;
      setCursorVisible(visible: boolean): Promise<void>;
      setCursorPosition(position: LogicalPosition | PhysicalPosition): Promise<void>;
      setIgnoreCursorEvents(ignore: boolean): Promise<void>;
      startDragging(): Promise<void>;
      print(): Promise<void>;

      // Events sent to this window.
      listen<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      once<T = unknown>(event: EventName, handler: EventCallback<T>): Promise<UnlistenFn>;
      /** Sends `event` to this window only. */
      emit(event: EventName, payload?: unknown): Promise<void>;
      /** `millennium://resize`. Only delivered to the window itself. */
      onResized(handler: EventCallback<PhysicalSize>): Promise<UnlistenFn>;
      /** `millennium://move`. Only delivered to the window itself. */
      onMoved(handler: EventCallback<PhysicalPosition>): Promise<UnlistenFn>;
      /** `millennium://focus` / `millennium://blur`. */
      onFocusChanged(handler: EventCallback<boolean>): Promise<UnlistenFn>;
      /** `millennium://theme-changed`. */
      onThemeChanged(handler: EventCallback<Theme>): Promise<UnlistenFn>;
      /**
       * The user asked to close the window. While a handler is registered the
       * host waits for it; the window closes unless it calls `preventDefault()`.
       * Needs `[allowlist.window] intercept-close`.
       */
      onCloseRequested(handler: (event: CloseRequestedEvent) => void | Promise<void>): Promise<UnlistenFn>;
    }

    interface WindowApi {
      WebviewWindow: WebviewWindowConstructor;
      LogicalSize: LogicalSizeConstructor;
      PhysicalSize: PhysicalSizeConstructor;
      LogicalPosition: LogicalPositionConstructor;
      PhysicalPosition: PhysicalPositionConstructor;
      /** This page's window. */
      readonly appWindow: WebviewWindow;
      /** This page's window. */
      getCurrent(): WebviewWindow;
      /** Every open window. */
      getAll(): Promise<WebviewWindow[]>;
    }

