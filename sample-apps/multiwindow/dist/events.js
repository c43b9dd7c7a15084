// events.js: the event names both pages use, in one place.
//
// Event names may contain letters, digits and `- / : _ .`; names starting
// with `millennium://` belong to the host. Payloads are any JSON value.
"use strict";

const EVENTS = Object.freeze({
  /** main -> child(ren): `{ text }`. Sent to one window or broadcast to all. */
  message: "multi:message",
  /** child -> main: `{ from, text }`. */
  reply: "multi:reply",
  /** child -> main, once the child listens: `{ label }`. */
  hello: "multi:hello",
  /** child -> main, when the child is being closed: `{ label }`. */
  goodbye: "multi:goodbye",
});

/** The main window's label, from `[[windows]] label` in millennium.toml. */
const MAIN_LABEL = "main";
