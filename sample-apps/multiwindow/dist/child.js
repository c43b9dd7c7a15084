// child.js: a child window. Shows the messages the main window sends (to it
// alone, or to everyone) and replies to the main window.
"use strict";

const { window: windows, event: events } = window.Millennium;
const me = windows.getCurrent();                         // this window
const main = windows.WebviewWindow.getByLabel(MAIN_LABEL); // the main window
const $ = (id) => document.getElementById(id);

/** Texts received so far, oldest first. */
const received = [];

function showError(context, error) {
  console.error(context, error);
  $("status").textContent = `${context}: ${(error && error.message) || error}`;
  $("status").classList.add("error");
}

/** Adds a received message to the list. */
function show(text, direct) {
  const list = $("received");
  list.querySelector(".placeholder")?.remove();
  const item = document.createElement("li");
  item.className = direct ? "direct" : "broadcast";
  const badge = document.createElement("span");
  badge.className = "who";
  badge.textContent = direct ? "to me" : "to all";
  const body = document.createElement("span");
  body.textContent = text;
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  item.append(badge, body, time);
  list.append(item);
  item.scrollIntoView({ block: "end" });
}

/** Sends a reply to the main window only. */
async function reply(text) {
  await main.emit(EVENTS.reply, { from: me.label, text: String(text) });
}

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  try {
    await reply(text);
    $("reply").value = "";
    $("status").textContent = "Reply sent";
    $("status").classList.remove("error");
  } catch (error) {
    showError("Could not reply", error);
  }
});

async function start() {
  $("me").textContent = me.label;
  document.title = me.label;

  // `event.listen` hears both kinds: a message sent to this window (its
  // `windowLabel` is our label) and a broadcast (`windowLabel` is null).
  await events.listen(EVENTS.message, (event) => {
    const text = String(event.payload && event.payload.text);
    received.push(text);
    show(text, event.windowLabel !== null);
    const count = received.length;
    me.setTitle(`${me.label} (${count} message${count === 1 ? "" : "s"})`)
      .catch((error) => showError("Could not set the title", error));
  });

  // Tell the main window when we close, so its list stays right. The host
  // waits for this handler before it closes the window.
  await me.onCloseRequested(() =>
    main.emit(EVENTS.goodbye, { label: me.label }).catch(() => { /* main already gone */ }));

  // Last: we listen now, so the main window may start sending.
  await main.emit(EVENTS.hello, { label: me.label });
}

const ready = start();
ready.catch((error) => showError("Could not start", error));

// Used by the end-to-end tests (tests/), which drive the app over WebDriver.
window.childApp = Object.freeze({
  /** Resolves once this window listens and has said hello to the main window. */
  ready,
  /** Texts received so far, oldest first. */
  received: () => received.slice(),
  /** Sends `text` to the main window. */
  reply,
});
