// cards.js: what each card of the tour does. Copy any `run` function into
// your own app: each is a small, complete example of one API.
//
// A card: { id, title, api, about, input?, actions: [action, ...] }
// An action: { label, keys, run }
//   keys: the millennium.toml keys the call needs, each [key, onInThisApp].
//         `onInThisApp` only documents this app's toml (so the chip can say
//         "on" or "off"); the host alone decides, from the toml.
//   run:  an async function; what it returns is shown as JSON, what it
//         throws is shown in red.
"use strict";

const M = window.Millennium;
const AppData = () => ({ dir: M.fs.BaseDirectory.AppData });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The value of a card's input box (see `input` below). */
const inputValue = (id) => document.getElementById(id).value.trim();

const CARDS = [
  {
    id: "app",
    title: "App",
    api: "Millennium.app",
    about: "Who the app is; show or hide all of its windows.",
    actions: [
      {
        label: "getName(), getVersion(), getMillenniumVersion()",
        keys: [],
        run: async () => ({
          name: await M.app.getName(),
          version: await M.app.getVersion(),
          millennium: await M.app.getMillenniumVersion(),
        }),
      },
      {
        label: "hide(), then show() 1.5 s later",
        keys: [["allowlist.app.hide", false], ["allowlist.app.show", true]],
        run: async () => {
          await M.app.hide(); // refused here: hide is off
          await sleep(1500);
          await M.app.show();
          return "hidden, then shown again";
        },
      },
    ],
  },
  {
    id: "os",
    title: "Operating system",
    api: "Millennium.os",
    about: "Platform, version, architecture and locale.",
    actions: [
      {
        label: "platform(), type(), version(), arch(), locale()",
        keys: [["allowlist.os.info", true]],
        run: async () => ({
          platform: await M.os.platform(),
          type: await M.os.type(),
          version: await M.os.version(),
          arch: await M.os.arch(),
          locale: await M.os.locale(),
          EOL: M.os.EOL,
        }),
      },
      {
        label: "tempdir()",
        keys: [["allowlist.os.info", true]],
        run: () => M.os.tempdir(),
      },
    ],
  },
  {
    id: "path",
    title: "Paths",
    api: "Millennium.path",
    about: "The app's own directories ($APPDATA, ...) and path helpers.",
    actions: [
      {
        label: "appDataDir(), appConfigDir(), homeDir()",
        keys: [["allowlist.path.resolve", true]],
        run: async () => ({
          appDataDir: await M.path.appDataDir(),
          appConfigDir: await M.path.appConfigDir(),
          homeDir: await M.path.homeDir(),
        }),
      },
      {
        label: "join(), basename(), extname(), dirname()",
        keys: [["allowlist.path.resolve", true]],
        run: async () => {
          const file = await M.path.join(await M.path.appDataDir(), "tour", "hello.txt");
          return {
            file,
            basename: await M.path.basename(file),
            extname: await M.path.extname(file),
            dirname: await M.path.dirname(file),
          };
        },
      },
    ],
  },
  {
    id: "event",
    title: "Events",
    api: "Millennium.event",
    about: "Messages between windows (and from the host). No key needed.",
    actions: [
      {
        label: "emit() to every window, and hear it back",
        keys: [],
        run: async () => {
          const started = performance.now();
          const heard = new Promise((resolve) => {
            M.event.once("tour:ping", (event) => resolve(event));
          });
          await M.event.emit("tour:ping", { sent: new Date().toISOString() });
          const event = await heard;
          return { event: event.event, windowLabel: event.windowLabel, payload: event.payload,
            roundTripMs: Math.round((performance.now() - started) * 10) / 10 };
        },
      },
      {
        label: "appWindow.emit(): to this window only",
        keys: [],
        run: async () => {
          const me = M.window.getCurrent();
          const heard = new Promise((resolve) => me.once("tour:direct", resolve));
          await me.emit("tour:direct", "just for me");
          const event = await heard;
          return { windowLabel: event.windowLabel, payload: event.payload };
        },
      },
    ],
  },
  {
    id: "window",
    title: "Window",
    api: "Millennium.window",
    about: "Getters need no key; each setter needs its own.",
    actions: [
      {
        label: "label, title(), innerSize(), scaleFactor(), theme()",
        keys: [],
        run: async () => {
          const me = M.window.getCurrent();
          const size = await me.innerSize();
          return {
            label: me.label,
            title: await me.title(),
            innerSize: { width: size.width, height: size.height },
            scaleFactor: await me.scaleFactor(),
            theme: await me.theme(),
            allWindows: (await M.window.getAll()).map((w) => w.label),
          };
        },
      },
      {
        label: "setTitle(…)",
        keys: [["allowlist.window.set-title", true]],
        run: async () => {
          const title = `API tour (${new Date().toLocaleTimeString()})`;
          await M.window.getCurrent().setTitle(title);
          return { title: await M.window.getCurrent().title() };
        },
      },
    ],
  },
  {
    id: "fs",
    title: "File system",
    api: "Millennium.fs",
    about: "Files, limited to the scope: here $APPDATA/tour and what is inside it.",
    actions: [
      {
        label: "exists, createDir, writeTextFile, readTextFile, readDir",
        keys: [["allowlist.fs.exists", true], ["allowlist.fs.create-dir", true],
          ["allowlist.fs.write-file", true], ["allowlist.fs.read-file", true],
          ["allowlist.fs.read-dir", true]],
        run: async () => {
          if (!(await M.fs.exists("tour", AppData()))) {
            await M.fs.createDir("tour", { ...AppData(), recursive: true });
          }
          const written = `Written by the API tour at ${new Date().toISOString()}`;
          await M.fs.writeTextFile("tour/hello.txt", written, AppData());
          const read = await M.fs.readTextFile("tour/hello.txt", AppData());
          const entries = await M.fs.readDir("tour", AppData());
          return { read, sameAsWritten: read === written, files: entries.map((e) => e.name) };
        },
      },
      {
        label: "readTextFile('/etc/hostname'): outside the scope",
        keys: [["allowlist.fs.read-file", true]],
        run: () => M.fs.readTextFile("/etc/hostname"),
      },
    ],
  },
  {
    id: "dialog",
    title: "Dialogs",
    api: "Millennium.dialog",
    about: "Native pickers and message boxes. Picked paths join the fs scope.",
    actions: [
      {
        label: "open(): pick a file",
        keys: [["allowlist.dialog.open", true]],
        run: async () => {
          const picked = await M.dialog.open({ title: "Pick any file", multiple: false });
          return { picked }; // null when cancelled
        },
      },
      {
        label: "message(…)",
        keys: [["allowlist.dialog.message", true]],
        run: async () => {
          await M.dialog.message("Hello from the API tour.", { title: "API tour", type: "info" });
          return "closed";
        },
      },
      {
        label: "ask(…)",
        keys: [["allowlist.dialog.ask", false]],
        run: async () => ({ answer: await M.dialog.ask("Do you like this tour?", { title: "API tour" }) }),
      },
    ],
  },
  {
    id: "shell",
    title: "Shell",
    api: "Millennium.shell",
    about: "Only the commands named in the scope, with validated arguments.",
    actions: [
      {
        label: "Command('echo-hello', ['hello', 'world']).execute()",
        keys: [["allowlist.shell.execute", true]],
        run: () => new M.shell.Command("echo-hello", ["hello", "world"]).execute(),
      },
      {
        label: "…['hello', 'world; ls'] (fails the validator)",
        keys: [["allowlist.shell.execute", true]],
        run: () => new M.shell.Command("echo-hello", ["hello", "world; ls"]).execute(),
      },
      {
        label: "open('https://example.com')",
        keys: [["allowlist.shell.open", true]],
        run: async () => {
          await M.shell.open("https://example.com");
          return "handed to the desktop's browser";
        },
      },
    ],
  },
  {
    id: "http",
    title: "HTTP",
    api: "Millennium.http",
    about: "Requests made by the host (no CORS), so limited to the scope: http://127.0.0.1:*/**.",
    input: { id: "http-url", label: "URL", value: "http://127.0.0.1:8000/" },
    actions: [
      {
        label: "fetch(URL above) as text",
        keys: [["allowlist.http.request", true]],
        run: async () => {
          const response = await M.http.fetch(inputValue("http-url"), {
            method: "GET",
            timeout: 10,
            responseType: M.http.ResponseType.Text,
          });
          const text = String(response.data);
          return { status: response.status, ok: response.ok, headers: response.headers,
            data: text.length > 400 ? `${text.slice(0, 400)}…` : text };
        },
      },
      {
        label: "fetch('https://example.com/'): outside the scope",
        keys: [["allowlist.http.request", true]],
        run: () => M.http.fetch("https://example.com/", { method: "GET", timeout: 10 }),
      },
    ],
  },
  {
    id: "clipboard",
    title: "Clipboard",
    api: "Millennium.clipboard",
    about: "Plain text, to and from other apps.",
    actions: [
      {
        label: "writeText(…), then readText()",
        keys: [["allowlist.clipboard.write-text", true], ["allowlist.clipboard.read-text", true]],
        run: async () => {
          const text = `Copied by the API tour at ${new Date().toLocaleTimeString()}`;
          await M.clipboard.writeText(text);
          return { wrote: text, readBack: await M.clipboard.readText() };
        },
      },
      {
        label: "readText()",
        keys: [["allowlist.clipboard.read-text", true]],
        run: async () => ({ clipboard: await M.clipboard.readText() }),
      },
    ],
  },
  {
    id: "sidecar",
    title: "Sidecar",
    api: "Millennium.sidecar",
    about: "A backend in any language: here sidecar/tour.js, a Node script the host starts, speaks JSON-RPC 2.0 to, and ends with the app.",
    actions: [
      {
        label: "sidecar('tour').call('add', [2, 3, 4]) and call('info')",
        keys: [["allowlist.sidecar.call", true]],
        run: async () => {
          const tour = M.sidecar("tour");
          return { sum: await tour.call("add", [2, 3, 4]), info: await tour.call("info") };
        },
      },
      {
        label: "notify('shout', …), then hear its 'echoed'",
        keys: [["allowlist.sidecar.notify", true]],
        run: async () => {
          const tour = M.sidecar("tour");
          let heard;
          const echoed = new Promise((resolve) => { heard = resolve; });
          const stop = await tour.on("echoed", heard);
          await tour.notify("shout", { at: new Date().toLocaleTimeString() });
          const params = await echoed;
          stop();
          return { heard: params };
        },
      },
      {
        label: "call('exit'): a method the grant leaves out",
        keys: [["allowlist.sidecar.call", true]],
        run: () => M.sidecar("tour").call("exit"),
      },
    ],
  },
  {
    id: "notification",
    title: "Notifications",
    api: "Millennium.notification",
    about: "Desktop notifications, through the desktop's notification service.",
    actions: [
      {
        label: "isPermissionGranted()",
        keys: [["allowlist.notification.send", true]],
        run: async () => ({ granted: await M.notification.isPermissionGranted() }),
      },
      {
        label: "sendNotification({ title, body })",
        keys: [["allowlist.notification.send", true]],
        run: async () => {
          await M.notification.sendNotification({ title: "API tour", body: "Hello from Millennium!" });
          return "sent";
        },
      },
    ],
  },
  {
    id: "launch",
    title: "Launch",
    api: "Millennium.cli, Millennium.deepLink, Millennium.autostart",
    about:
      "What the app was started with ([cli] arguments, tour:// links), and starting it at login. " +
      "Try: api-tour --verbose tour://hello",
    actions: [
      {
        label: "cli.getMatches(), deepLink.getCurrent()",
        keys: [["allowlist.cli.get-matches", true], ["allowlist.deep-link.get-current", true]],
        run: async () => ({
          matches: await M.cli.getMatches(),
          links: await M.deepLink.getCurrent(),
        }),
      },
      {
        label: "autostart.isEnabled(), wasLaunchedAtLogin()",
        keys: [["allowlist.autostart.is-enabled", true]],
        run: async () => ({
          enabled: await M.autostart.isEnabled(),
          atLogin: await M.autostart.wasLaunchedAtLogin(),
        }),
      },
      {
        label: "autostart.enable()",
        keys: [["allowlist.autostart.enable", false]],
        run: async () => {
          await M.autostart.enable(); // refused here: enable is off
          return "starts at login";
        },
      },
    ],
  },
  {
    id: "process",
    title: "Process",
    api: "Millennium.process",
    about: "Exit or relaunch the app. Both are off here, so both buttons are refused.",
    actions: [
      {
        label: "exit(0)",
        keys: [["allowlist.process.exit", false]],
        run: async () => {
          await M.process.exit(0);
          return "exiting";
        },
      },
      {
        label: "relaunch()",
        keys: [["allowlist.process.relaunch", false]],
        run: async () => {
          await M.process.relaunch();
          return "relaunching";
        },
      },
    ],
  },
];
