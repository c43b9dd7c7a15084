// main.js: the main window. Opens child windows, sends them messages and
// shows their replies.
//
//   Open:       new Millennium.window.WebviewWindow(label, { url: "child.html", ... })
//   To one:     Millennium.window.WebviewWindow.getByLabel(label).emit(name, payload)
//   To all:     Millennium.event.emit(name, payload)
//   Listen:     Millennium.event.listen(name, (event) => event.payload)
"use strict";

const { window: windows, event: events } = window.Millennium;
const { WebviewWindow } = windows;
const $ = (id) => document.getElementById(id);

/** Open child windows by label: { label, title }. */
const children = new Map();
/** Every reply received: { from, text }. */
const replies = [];
/** Children we opened and are waiting for: label -> resolve(). */
const waitingForHello = new Map();

// ------------------------------------------------------------------ helpers

let statusTimer = 0;
function setStatus(text, isError = false) {
  clearTimeout(statusTimer);
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
  if (!isError && text) statusTimer = setTimeout(() => setStatus(""), 4000);
}
function showError(context, error) {
  console.error(context, error);
  setStatus(`${context}: ${(error && error.message) || error}`, true);
}

/** Adds a line to the conversation log. `kind` is "sent" or "reply". */
function log(kind, who, text) {
  const item = document.createElement("li");
  item.className = kind;
  const badge = document.createElement("span");
  badge.className = "who";
  badge.textContent = who;
  const body = document.createElement("span");
  body.textContent = text; // textContent: messages are text, never HTML
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  item.append(badge, body, time);
  $("log").append(item);
  item.scrollIntoView({ block: "end" });
}

// ------------------------------------------------------------------ windows

/** Redraws the list of children and the "Send to" choices. */
function renderWindows() {
  const list = $("windows");
  const select = $("target");
  const selected = select.value;
  list.replaceChildren();
  select.replaceChildren();

  for (const { label } of children.values()) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "label";
    name.textContent = label;
    const focus = document.createElement("button");
    focus.type = "button";
    focus.textContent = "Focus";
    focus.addEventListener("click", () =>
      WebviewWindow.getByLabel(label).setFocus().catch((e) => showError(`Could not focus ${label}`, e)));
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", () => closeChild(label));
    item.append(name, focus, close);
    list.append(item);

    const option = document.createElement("option");
    option.value = label;
    option.textContent = label;
    select.append(option);
  }
  if (children.size === 0) {
    const item = document.createElement("li");
    item.className = "placeholder";
    item.textContent = "No other windows yet. Click “Open a window”.";
    list.append(item);
  }
  if (children.has(selected)) select.value = selected;
  const none = children.size === 0;
  $("target").disabled = none;
  $("send").disabled = none;
  $("broadcast").disabled = none;
}

/** The first free label of the form child-N. */
async function nextLabel() {
  const taken = new Set((await windows.getAll()).map((w) => w.label));
  let n = 1;
  while (taken.has(`child-${n}`)) n++;
  return `child-${n}`;
}

/**
 * Opens a child window and resolves to its label once the child listens for
 * messages (it says hello), so a message sent right away is not lost.
 */
async function openChild() {
  const label = await nextLabel();
  const listening = new Promise((resolve, reject) => {
    waitingForHello.set(label, resolve);
    setTimeout(() => reject(new Error(`${label} did not answer within 15 s`)), 15000);
  });
  listening.catch(() => {}); // handled below; avoids an "unhandled rejection" if creation fails

  const child = new WebviewWindow(label, {
    url: "child.html",
    title: label,
    width: 440,
    height: 420,
  });
  // The host reports the outcome of the creation as an event on the new window.
  await new Promise((resolve, reject) => {
    child.once("millennium://created", resolve);
    child.once("millennium://error", (event) => reject(new Error(event.payload)));
  });

  try {
    await listening;
  } finally {
    waitingForHello.delete(label);
  }
  return label;
}

async function closeChild(label) {
  try {
    await WebviewWindow.getByLabel(label).close();
    children.delete(label);
    renderWindows();
    setStatus(`Closed ${label}`);
  } catch (error) {
    showError(`Could not close ${label}`, error);
  }
}

// ------------------------------------------------------------------ messages

/** Sends `text` to the window `label` only. */
async function sendTo(label, text) {
  await WebviewWindow.getByLabel(label).emit(EVENTS.message, { text });
  log("sent", `→ ${label}`, text);
}

/** Sends `text` to every window (this one too, which simply does not listen). */
async function broadcast(text) {
  await events.emit(EVENTS.message, { text });
  log("sent", "→ all", text);
}

// ------------------------------------------------------------------ wiring

$("open").addEventListener("click", async () => {
  $("open").disabled = true;
  try {
    const label = await openChild();
    setStatus(`Opened ${label}`);
  } catch (error) {
    showError("Could not open a window", error);
  } finally {
    $("open").disabled = false;
  }
});

$("compose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("message").value.trim();
  if (!text || !$("target").value) return;
  try {
    await sendTo($("target").value, text);
    $("message").value = "";
  } catch (error) {
    showError("Could not send", error);
  }
});

$("broadcast").addEventListener("click", async () => {
  const text = $("message").value.trim();
  if (!text) return $("message").focus();
  try {
    await broadcast(text);
    $("message").value = "";
  } catch (error) {
    showError("Could not broadcast", error);
  }
});

/** Starts listening, and picks up children that are already open (after a reload). */
async function start() {
  await events.listen(EVENTS.hello, ({ payload }) => {
    children.set(payload.label, { label: payload.label });
    renderWindows();
    const resolve = waitingForHello.get(payload.label);
    if (resolve) resolve();
  });
  await events.listen(EVENTS.goodbye, ({ payload }) => {
    children.delete(payload.label);
    renderWindows();
    setStatus(`${payload.label} was closed`);
  });
  await events.listen(EVENTS.reply, ({ payload }) => {
    replies.push({ from: payload.from, text: payload.text });
    log("reply", `← ${payload.from}`, payload.text);
  });

  for (const w of await windows.getAll()) {
    if (w.label !== MAIN_LABEL) children.set(w.label, { label: w.label });
  }
  renderWindows();
}

const ready = start();
ready.catch((error) => showError("Could not start", error));

// Used by the end-to-end tests (tests/), which drive the app over WebDriver.
window.multiApp = Object.freeze({
  /** Resolves once the main window listens for replies. */
  ready,
  /** Opens a child window; resolves to its label once it listens. */
  openChild,
  /** Sends `text` to one child. */
  sendTo,
  /** Sends `text` to every window. */
  broadcast,
  /** Every reply received so far: [{ from, text }]. */
  replies: () => replies.map((r) => ({ ...r })),
});
