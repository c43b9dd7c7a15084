// tour.js: builds the cards described in cards.js and runs their actions.
"use strict";

/** JSON for display: byte arrays summarised, undefined made visible. */
function pretty(value) {
  if (value === undefined) return "(done, no value returned)";
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
    return v;
  }, 2);
}

/** Any thrown value as a message. */
const messageOf = (error) => (error && error.message) || String(error);

/** Creates an element with a class and (text-only) content. */
function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // textContent: results are never HTML
  return node;
}

/** The result box of each card, by card id. */
const outputs = new Map();

/** Builds one card. */
function renderCard(card) {
  const section = make("section", "card");
  section.id = `card-${card.id}`;

  const head = make("header", "card-head");
  head.append(make("h2", "", card.title), make("code", "api", card.api));
  section.append(head, make("p", "about", card.about));

  if (card.input) {
    const label = make("label", "input");
    label.append(make("span", "", card.input.label));
    const input = make("input");
    input.id = card.input.id;
    input.type = "text";
    input.value = card.input.value;
    input.spellcheck = false;
    label.append(input);
    section.append(label);
  }

  const actions = make("div", "actions");
  card.actions.forEach((action, index) => {
    const row = make("div", "action");
    const button = make("button", "", action.label);
    button.type = "button";
    button.addEventListener("click", () => run(card.id, index));
    row.append(button);

    const keys = make("div", "keys");
    if (action.keys.length === 0) keys.append(make("span", "key none", "no key needed"));
    for (const [key, on] of action.keys) {
      const chip = make("span", `key ${on ? "on" : "off"}`, key);
      chip.title = on ? "on in this app's millennium.toml" : "off in this app's millennium.toml: expect a refusal";
      keys.append(chip);
    }
    row.append(keys);
    actions.append(row);
  });
  section.append(actions);

  const output = make("pre", "output empty", "Press a button to see the result.");
  output.setAttribute("aria-live", "polite");
  outputs.set(card.id, output);
  section.append(output);
  return section;
}

/**
 * Runs action `index` of card `cardId`, shows the outcome in the card and
 * resolves to { ok: true, value } or { ok: false, error } (it never rejects).
 */
async function run(cardId, index) {
  const card = CARDS.find((c) => c.id === cardId);
  const action = card && card.actions[index];
  if (!action) return { ok: false, error: `no action ${index} on card "${cardId}"` };

  const output = outputs.get(cardId);
  output.className = "output running";
  output.textContent = `${action.label}…`;
  const started = performance.now();
  let outcome;
  try {
    outcome = { ok: true, value: await action.run() };
  } catch (error) {
    console.error(`${cardId}[${index}]`, error);
    outcome = { ok: false, error: messageOf(error) };
  }
  const ms = Math.round(performance.now() - started);
  output.className = `output ${outcome.ok ? "ok" : "error"}`;
  output.replaceChildren(
    make("span", "status", `${outcome.ok ? "✓" : "✗ refused or failed"} · ${action.label} · ${ms} ms`),
    make("span", "body", outcome.ok ? pretty(outcome.value) : outcome.error),
  );
  return outcome;
}

document.getElementById("cards").append(...CARDS.map(renderCard));

// Used by the end-to-end tests (tests/), which drive the app over WebDriver:
// `await tour.run("fs", 0)` presses the first button of the fs card.
window.tour = Object.freeze({
  /** Card ids, in page order. */
  cards: CARDS.map((c) => c.id),
  /** Presses a button; resolves to { ok: true, value } or { ok: false, error }. */
  run,
});
