// app.js: Tray Timer, a Pomodoro timer that lives in the tray.
//
// While the timer runs, time is kept as a deadline (`state.endsAt`, a
// Date.now() value), and while it is paused as the milliseconds left. Each
// tick works out what is left from the deadline, so a late tick (a hidden
// window, a suspended laptop) never makes the clock drift.
//
// What the desktop shows (the tray icon, the text beside it, its tooltip,
// the tray menu's Start/Pause item) is worked out from `state` in render()
// and sent only when it changes. Any Millennium call may fail: the desktop
// may have no status area, a key may be off in millennium.toml. A failure is
// shown in the status line and the timer keeps going.
//
// Opened in a plain browser (no window.Millennium) the page still runs, as a
// preview: the desktop parts are skipped.
//
// Structure of this file:
//   1. setup and state    3. the clock     5. the desktop (tray, menu, ...)
//   2. small helpers      4. rendering     6. events and start-up
"use strict";

// ------------------------------------------------------------ 1. setup and state

const M = window.Millennium || null;   // null in a plain browser
const $ = (id) => document.getElementById(id);

const el = {
  phase: $("phase"),
  ring: $("ring-arc"),
  time: $("time"),
  state: $("state"),
  start: $("start"),
  reset: $("reset"),
  dots: $("dots"),
  done: $("done"),
  shortcutError: $("shortcut-error"),
  status: $("status"),
};

const WORK_MS = 25 * 60 * 1000;
const BREAK_MS = 5 * 60 * 1000;
// The shortcut this page registers. It must also be listed in
// `[allowlist.global-shortcut] accelerators`, or registering is refused.
const RESET_SHORTCUT = "CmdOrCtrl+Alt+R";
const STORAGE_KEY = "tray-timer.today";   // local storage: today's count
const RING_LENGTH = 2 * Math.PI * 88;     // the ring's circumference (r = 88 in index.html)

const state = {
  phase: "work",        // "work" or "break"
  run: "idle",          // "idle", "running" or "paused"
  endsAt: 0,            // while running: the Date.now() at which the period ends
  leftMs: WORK_MS,      // while idle or paused: the time left
  today: loadToday(),   // { day: "2025-01-31", count: 3 }: pomodoros finished today
};

// ------------------------------------------------------------ 2. small helpers

/** Error objects, strings, anything: a readable message. */
const messageOf = (error) => (error && error.message) || String(error);

/** The length of the current period. */
const periodMs = () => (state.phase === "work" ? WORK_MS : BREAK_MS);

/** The time left in the current period, in milliseconds. */
const timeLeft = () =>
  state.run === "running" ? Math.max(0, state.endsAt - Date.now()) : state.leftMs;

/**
 * 1_499_200 -> "25:00". Rounded up to whole seconds, so a period starts at
 * "25:00" and shows "0:00" only once it is over.
 */
function clock(ms) {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Today's date in local time, "2025-01-31": the count starts again each day. */
function localDay() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Today's count from local storage (the webview keeps it between runs). */
function loadToday() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
    if (saved && saved.day === localDay() && Number.isInteger(saved.count)) return saved;
  } catch {
    // No storage (a private window) or garbage in it: start from zero.
  }
  return { day: localDay(), count: 0 };
}

/** Pomodoros finished today (zero again after midnight). */
function countToday() {
  if (state.today.day !== localDay()) state.today = { day: localDay(), count: 0 };
  return state.today.count;
}

function addPomodoro() {
  state.today = { day: localDay(), count: countToday() + 1 };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state.today));
  } catch {
    // Not kept: the count still shows until the app ends.
  }
}

// Status line. Problems with the desktop are kept by what failed, so one that
// goes away (the tray appears, a call succeeds again) clears its own message.
// Without problems, the line shows the latest note.
const problems = new Map();   // what failed -> "what failed: why"
let note = "";

function report(context, error) {
  const message = `${context}: ${messageOf(error)}`;
  if (problems.get(context) === message) return;   // said already (ticks repeat calls)
  console.error(context, error);
  problems.delete(context);                        // re-added last: the newest shows
  problems.set(context, message);
  renderStatus();
}
function resolved(context) {
  if (problems.delete(context)) renderStatus();
}
function setNote(text) {
  note = text;
  renderStatus();
}

/**
 * Runs `call()`, a Millennium call, and resolves to whether it worked; a
 * rejection (or an API this host lacks) is reported under `context`. In a
 * plain browser nothing runs and it resolves to false.
 */
function desktop(context, call) {
  if (!M) return Promise.resolve(false);
  return Promise.resolve()
    .then(call)
    .then(() => { resolved(context); return true; },
          (error) => { report(context, error); return false; });
}

// ------------------------------------------------------------ 3. the clock

let tickTimer = 0;

/** Start, or resume after a pause. */
function start() {
  if (state.run === "running") return;
  state.endsAt = Date.now() + state.leftMs;
  state.run = "running";
  tick();
}

function pause() {
  if (state.run !== "running") return;
  clearTimeout(tickTimer);
  state.leftMs = timeLeft();
  state.run = "paused";
  render();
}

/** The Start/Pause button, the tray's first item and Ctrl+Alt+P. */
function toggle() {
  if (state.run === "running") pause();
  else start();
}

/** Back to a fresh work period, stopped (also from a break). */
function reset() {
  clearTimeout(tickTimer);
  state.phase = "work";
  state.run = "idle";
  state.leftMs = WORK_MS;
  render();
}

/**
 * Redraws, then sleeps until the shown second changes. Timers are only a
 * wake-up call: what is left always comes from the deadline.
 */
function tick() {
  clearTimeout(tickTimer);
  if (state.run !== "running") return;
  const left = timeLeft();
  if (left <= 0) {
    finishPeriod();
    return;
  }
  render();
  tickTimer = setTimeout(tick, (left % 1000 || 1000) + 20);
}

/** Work ends: count it, say so, start the break. A break ends: ready for work. */
function finishPeriod() {
  clearTimeout(tickTimer);
  if (state.phase === "work") {
    addPomodoro();
    state.phase = "break";
    // The break starts now, even when the laptop slept through the end of work.
    state.endsAt = Date.now() + BREAK_MS;
    state.run = "running";
    const count = countToday();
    notify("Time for a break", `${count} ${count === 1 ? "pomodoro" : "pomodoros"} done today. ` +
      `Back to work in ${clock(BREAK_MS)}.`);
    tick();
  } else {
    state.phase = "work";
    state.run = "idle";
    state.leftMs = WORK_MS;
    notify("Break is over", "Start the next pomodoro when you are ready.");
    render();
  }
}

// ------------------------------------------------------------ 4. rendering

const PHASE_NAME = { work: "Work", break: "Break" };
const START_LABEL = { idle: "Start", running: "Pause", paused: "Resume" };

/** The small line under the time. */
function stateText() {
  if (state.run === "paused") return "Paused";
  if (state.run === "idle") return "Ready";
  return state.phase === "work" ? "Focus" : "Rest your eyes";
}

function render() {
  const left = timeLeft();
  const time = clock(left);
  // The colours come from these attributes (style.css).
  document.body.dataset.phase = state.phase;
  document.body.dataset.run = state.run;

  el.phase.textContent = PHASE_NAME[state.phase];
  el.time.textContent = time;
  el.state.textContent = stateText();
  el.start.textContent = START_LABEL[state.run];
  el.reset.disabled = state.run === "idle";
  // The arc is the time left: full at the start, gone at the end.
  el.ring.setAttribute("stroke-dashoffset", String(RING_LENGTH * (1 - left / periodMs())));
  document.title = state.run === "idle" ? "Tray Timer" : `${time} · ${PHASE_NAME[state.phase]} — Tray Timer`;
  renderToday();
  showOnDesktop(time);
}

let dotsShown = -1;
function renderToday() {
  const count = countToday();
  if (count === dotsShown) return;
  dotsShown = count;
  el.done.textContent = count === 0 ? "No pomodoros yet today"
    : `${count} ${count === 1 ? "pomodoro" : "pomodoros"} today`;
  const dots = [];
  for (let i = 0; i < Math.min(count, 12); i++) {
    const dot = document.createElement("span");
    dot.className = "dot";
    dots.push(dot);
  }
  el.dots.replaceChildren(...dots);
}

function renderStatus() {
  const messages = [...problems.values()];
  const latest = messages[messages.length - 1];
  el.status.textContent = latest || note;
  el.status.title = messages.join("\n");   // every problem, on hover
  el.status.classList.toggle("error", Boolean(latest));
}

// ------------------------------------------------------------ 5. the desktop

// What the desktop was last sent. Null: not sent yet, so the first render
// sends everything (after a reload in `millennium dev` too, when the tray
// still shows the previous page's state).
const shown = { icon: null, title: null, tooltip: null, startLabel: null, resetEnabled: null };

/**
 * Sends `value` with `send(value)` if it differs from what was last sent.
 * A failed send is forgotten, so the next render tries again: the message
 * clears itself once the tray answers.
 */
function sync(key, value, context, send) {
  if (!M || shown[key] === value) return;
  shown[key] = value;
  desktop(context, () => send(value)).then((ok) => {
    if (!ok && shown[key] === value) shown[key] = null;
  });
}

/** The tray icon for the current state (PNGs in dist/icons). */
function trayIcon() {
  if (state.run === "idle") return "icons/idle.png";
  if (state.run === "paused") return "icons/paused.png";
  return state.phase === "work" ? "icons/running.png" : "icons/break.png";
}

/** "Work — 24:59 left", "Break — paused, 3:12 left". */
function trayTooltip(time) {
  if (state.run === "idle") return "Tray Timer — ready";
  const paused = state.run === "paused" ? "paused, " : "";
  return `${PHASE_NAME[state.phase]} — ${paused}${time} left`;
}

function showOnDesktop(time) {
  sync("icon", trayIcon(), "Could not change the tray icon", (icon) => M.tray.setIcon(icon));
  sync("title", time, "Could not show the time in the tray", (title) => M.tray.setTitle(title));
  sync("tooltip", trayTooltip(time), "Could not set the tray tooltip", (text) => M.tray.setTooltip(text));
  sync("startLabel", START_LABEL[state.run], "Could not update the tray menu",
    (label) => M.menu.setItem("start", { label }));
  sync("resetEnabled", state.run !== "idle", "Could not update the tray menu's Reset",
    (enabled) => M.menu.setItem("reset", { enabled }));
}

/** A desktop notification, and the same words in the status line. */
function notify(title, body) {
  setNote(`${title}. ${body}`);
  desktop("Could not send a notification", () => M.notification.sendNotification({ title, body }));
}

/**
 * Ctrl+Alt+R, registered by the page (Ctrl+Alt+P is declared in
 * millennium.toml instead). It fails on Wayland and when another program
 * holds the keys; the line under the shortcuts then says so.
 */
async function registerResetShortcut() {
  if (!M) return;
  try {
    // Held while this page shows: a reload registers it afresh.
    await M.globalShortcut.register(RESET_SHORTCUT, () => reset());
    el.shortcutError.hidden = true;
  } catch (error) {
    console.error("global shortcut", error);
    el.shortcutError.textContent =
      `Ctrl+Alt+R does not work here: ${messageOf(error)}. Reset with the button or the tray menu.`;
    el.shortcutError.hidden = false;
  }
}

// ------------------------------------------------------------ 6. events and start-up

el.start.addEventListener("click", toggle);
el.reset.addEventListener("click", reset);

// Back in view: redraw at once rather than at the next tick.
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) tick();
});

el.ring.setAttribute("stroke-dasharray", String(RING_LENGTH));
render();

if (M) {
  // The tray menu's items (the Quit role is the host's: it sends no click).
  desktop("Could not listen to the tray menu", () => M.menu.onClick((click) => {
    if (click.id === "start") toggle();
    else if (click.id === "reset") reset();
  }));
  // Ctrl+Alt+P, the [[shortcuts]] entry of millennium.toml, emits this event.
  desktop("Could not listen for Ctrl+Alt+P", () => M.event.listen("toggle-timer", () => toggle()));
  registerResetShortcut();
} else {
  setNote("Browser preview: the tray, the shortcuts and notifications need " +
    "Millennium (millennium dev sample-apps/tray-timer).");
}
