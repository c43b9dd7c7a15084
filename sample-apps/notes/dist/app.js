// app.js: the Notes app.
//
// Notes are plain Markdown files in `$APPDATA/notes` (on Linux,
// ~/.local/share/dev.millennium.notes/notes). Every file access goes through
// `Millennium.fs` with `{ dir: BaseDirectory.AppData }` and a relative path
// such as "notes/shopping.md"; millennium.toml allows exactly that folder.
// The filter box also searches the notes' text, through the `search`
// sidecar (sidecar/search.py: Python's sqlite3 with FTS5), which the app
// tells about every note it saves, renames or deletes.
//
// The menu bar is declared in millennium.toml ([menus.main]); its clicks
// reach `runCommand` below, by item id, and its accelerators are the app's
// keyboard shortcuts. The page keeps the items' state in step with the
// toolbar through `Millennium.menu.setItem`.
//
// Structure of this file:
//   1. setup and state      4. notes on disk (list, open, save, new, ...)
//   2. small helpers        5. import / export (dialogs)
//   3. rendering the UI     6. events, shortcuts, start-up, test hook
"use strict";

// ------------------------------------------------------------ 1. setup and state

const M = window.Millennium;
if (!M) {
  // Opened in a plain browser: nothing below can work.
  document.body.textContent = "Notes needs Millennium: run it with `millennium dev sample-apps/notes`.";
  throw new Error("window.Millennium is missing");
}
const $ = (id) => document.getElementById(id);

const el = {
  filter: $("filter"),
  list: $("note-list"),
  name: $("note-name"),
  dirtyMark: $("dirty-mark"),
  editor: $("editor"),
  preview: $("preview"),
  empty: $("empty"),
  status: $("status"),
  togglePreview: $("toggle-preview"),
  prompt: $("prompt"),
  promptForm: $("prompt-form"),
  promptLabel: $("prompt-label"),
  promptInput: $("prompt-input"),
  promptError: $("prompt-error"),
};

const APP_NAME = "Notes";
const NOTES_DIR = "notes";          // relative to $APPDATA
const AUTOSAVE_DELAY_MS = 800;      // save this long after the last keystroke
const MAX_NAME_LENGTH = 120;

const search = M.sidecar("search");
const SEARCH_DELAY_MS = 120;        // search this long after the last keystroke in the filter

const state = {
  notes: [],          // file names in the folder, e.g. ["shopping.md", "welcome.md"]
  matches: new Map(), // full-text matches of the filter: file name -> snippet
  current: null,      // file name of the open note, or null
  savedText: "",      // the open note's text as last written to disk
  previewOn: true,
};

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

// ------------------------------------------------------------ 2. small helpers

/** Options for every `Millennium.fs` call on our own notes. */
const inAppData = () => ({ dir: M.fs.BaseDirectory.AppData });

/** "shopping.md" -> "notes/shopping.md" (relative to $APPDATA). */
const notePath = (name) => `${NOTES_DIR}/${name}`;

/** "shopping.md" -> "shopping" (for display in the list). */
const stem = (name) => name.replace(/\.md$/i, "");

/** Whether the open note has changes that are not on disk yet. */
const isDirty = () => state.current !== null && el.editor.value !== state.savedText;

/** Error objects, strings, anything: a readable message. */
const messageOf = (error) => (error && error.message) || String(error);

/**
 * Turns whatever the user typed into a safe file name: no path separators,
 * no control characters, no leading dot (hidden files), `.md` at the end.
 * Throws an Error with a friendly message when nothing usable is left.
 */
function sanitizeName(raw) {
  let name = String(raw == null ? "" : raw)
    .replace(/[\u0000-\u001f\u007f/\\]/g, " ")   // separators and control characters
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\.(md|markdown|txt)$/i, "")         // we add .md ourselves
    .replace(/^[.\s]+/, "")                       // no hidden files, no ".."
    .trim();
  if (name.length > MAX_NAME_LENGTH) name = name.slice(0, MAX_NAME_LENGTH).trim();
  if (name === "") throw new Error("Please enter a name (letters, digits, spaces…)");
  return `${name}.md`;
}

/** `name`, or "name 2.md", "name 3.md"... whichever is not taken yet. */
function uniqueName(name) {
  const taken = new Set(state.notes.map((n) => n.toLowerCase()));
  if (!taken.has(name.toLowerCase())) return name;
  for (let i = 2; ; i++) {
    const candidate = `${stem(name)} ${i}.md`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

// Status bar. Information fades after a few seconds; errors stay until the
// next message, because the user must get a chance to read them.
let statusTimer = 0;
function setStatus(text, kind = "info") {
  clearTimeout(statusTimer);
  el.status.textContent = text;
  el.status.className = `status ${kind}`;
  if (kind === "info" && text) {
    statusTimer = setTimeout(() => setStatus(""), 4000);
  }
}

/** Shows an error in the status bar (and the console, for developers). */
function showError(context, error) {
  console.error(context, error);
  setStatus(`${context}: ${messageOf(error)}`, "error");
}

/** Wraps a UI action so that any failure lands in the status bar, never nowhere. */
const guarded = (context, action) => (...args) =>
  Promise.resolve()
    .then(() => action(...args))
    .catch((error) => showError(context, error));

// ------------------------------------------------------------ 3. rendering the UI

/**
 * A search snippet as DOM nodes: the sidecar marks each match with \u0002
 * and \u0003, which become <mark> elements; all text stays text.
 */
function snippetNode(snippet) {
  const line = document.createElement("span");
  line.className = "snippet";
  const parts = String(snippet).replace(/\s+/g, " ").split(/([\u0002\u0003])/);
  let marked = null;
  for (const part of parts) {
    if (part === "\u0002") marked = document.createElement("mark");
    else if (part === "\u0003") { if (marked) line.append(marked); marked = null; }
    else if (marked) marked.append(part);
    else line.append(part);
  }
  if (marked) line.append(marked);
  return line;
}

/** Rebuilds the sidebar list from `state.notes`, the filter box and the search matches. */
function renderList() {
  const query = el.filter.value.trim().toLowerCase();
  const visible = state.notes.filter((name) =>
    stem(name).toLowerCase().includes(query) || (query && state.matches.has(name)));

  el.list.replaceChildren();
  for (const name of visible) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = stem(name);          // textContent: never HTML
    button.title = name;
    button.dataset.name = name;
    if (query && state.matches.has(name)) button.append(snippetNode(state.matches.get(name)));
    if (name === state.current) {
      button.classList.add("active");
      button.setAttribute("aria-current", "true");
    }
    item.append(button);
    el.list.append(item);
  }
  if (visible.length === 0) {
    const item = document.createElement("li");
    item.className = "list-empty";
    item.textContent = state.notes.length ? "No note matches the filter" : "No notes yet";
    el.list.append(item);
  }
}

/** Renders the editor's text into the preview (kept up to date even when hidden). */
function renderPreview() {
  // Safe: Markdown.render escapes all user text before adding any markup.
  el.preview.innerHTML = Markdown.render(el.editor.value);
}

/** Shows the note name, the unsaved marker and the window title. */
let lastWindowTitle = null;
function renderTitle() {
  const dirty = isDirty();
  el.name.textContent = state.current || "No note open";
  el.dirtyMark.hidden = !dirty;
  const title = state.current ? `${dirty ? "• " : ""}${state.current} — ${APP_NAME}` : APP_NAME;
  document.title = title;
  if (title !== lastWindowTitle) {
    // Only talk to the host when the title actually changes.
    lastWindowTitle = title;
    M.window.getCurrent().setTitle(title)
      .catch((error) => showError("Could not set the window title", error));
  }
}

/** Shows the open note, or the "no note open" placeholder. */
function renderEditor() {
  const open = state.current !== null;
  el.editor.disabled = !open;
  el.empty.hidden = open;
  document.body.classList.toggle("no-note", !open);
  for (const id of ["rename", "export", "delete"]) $(id).disabled = !open;
  renderMenu();
}

// The menu bar shows what the toolbar shows: the items that need an open
// note are off without one, and Preview is ticked while the preview shows.
// An item is sent only when it changes (after a click flips a tick, the
// click handler records the new state in `menuShown`).
const NOTE_ITEMS = ["save", "export", "rename", "delete"];
const menuShown = new Map(); // item id -> the changes last sent, as JSON
let menuBroken = false;
function setMenuItem(id, changes) {
  const sent = JSON.stringify(changes);
  if (!M.menu || menuShown.get(id) === sent) return;
  menuShown.set(id, sent);
  M.menu.setItem(id, changes).then(() => {
    menuBroken = false;
  }, (error) => {
    menuShown.delete(id); // sent again on the next change
    if (!menuBroken) showError("Could not update the menu bar", error);
    menuBroken = true;
  });
}
function renderMenu() {
  const open = state.current !== null;
  for (const id of NOTE_ITEMS) setMenuItem(id, { enabled: open });
  setMenuItem("preview", { checked: state.previewOn });
}

// ------------------------------------------------------------ search (the sidecar)

// Only the answer to the latest query is shown.
let searchTimer = 0;
let searchSeq = 0;
let searchBroken = false;
function scheduleSearch() {
  clearTimeout(searchTimer);
  const query = el.filter.value.trim();
  if (!query) {
    state.matches = new Map();
    renderList();
    return;
  }
  searchTimer = setTimeout(() => runSearch(query), SEARCH_DELAY_MS);
}
async function runSearch(query) {
  const seq = ++searchSeq;
  try {
    const hits = await search.call("search", { query });
    if (seq !== searchSeq) return;
    state.matches = new Map(hits.map((hit) => [hit.name, hit.snippet]));
    searchBroken = false;
  } catch (error) {
    if (seq !== searchSeq) return;
    state.matches = new Map();
    if (!searchBroken) showError("Searching the notes' text failed (names still filter)", error);
    searchBroken = true;
  }
  renderList();
}

/** Tells the search index that note `name` changed on disk (or is gone). */
function reindex(name) {
  search.notify("index", { name }).catch((error) => console.error("search index", error));
}
function unindex(name) {
  search.notify("remove", { name }).catch((error) => console.error("search index", error));
}

function renderAll() {
  renderList();
  renderEditor();
  renderPreview();
  renderTitle();
}

function setPreview(on) {
  state.previewOn = on;
  document.body.classList.toggle("no-preview", !on);
  el.togglePreview.setAttribute("aria-pressed", String(on));
  renderMenu();
}

// A tiny modal prompt for names. `action(value)` runs on submit; if it throws,
// its message is shown in the prompt, which stays open so the user can fix it.
let promptAction = null;
function askForName({ label, initial = "", action }) {
  promptAction = action;
  el.promptLabel.textContent = label;
  el.promptInput.value = initial;
  el.promptError.textContent = "";
  el.prompt.hidden = false;
  el.promptInput.focus();
  el.promptInput.select();
}
function closePrompt() {
  el.prompt.hidden = true;
  promptAction = null;
  el.editor.focus();
}
el.promptForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!promptAction) return;
  try {
    await promptAction(el.promptInput.value);
    closePrompt();
  } catch (error) {
    el.promptError.textContent = messageOf(error);
  }
});
$("prompt-cancel").addEventListener("click", closePrompt);
el.prompt.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closePrompt();
});

// ------------------------------------------------------------ 4. notes on disk

/** Creates $APPDATA/notes on first run (recursive: $APPDATA may not exist yet). */
async function ensureNotesFolder() {
  if (!(await M.fs.exists(NOTES_DIR, inAppData()))) {
    await M.fs.createDir(NOTES_DIR, { ...inAppData(), recursive: true });
  }
}

/** Reads the folder into `state.notes` (alphabetical) and redraws the list. */
async function refreshList() {
  const entries = await M.fs.readDir(NOTES_DIR, inAppData());
  state.notes = entries
    .map((entry) => entry.name)
    .filter((name) => name && /\.md$/i.test(name) && !name.startsWith("."))
    .sort(collator.compare);
  renderList();
  return state.notes;
}

// Saves run one after another, never two at once for the same file.
let saveQueue = Promise.resolve();
let autosaveTimer = 0;

/** Writes the open note if it changed. Resolves once it is on disk. */
function save() {
  clearTimeout(autosaveTimer);
  const run = saveQueue.then(async () => {
    const name = state.current;
    const text = el.editor.value;
    if (name === null || text === state.savedText) return;
    await M.fs.writeTextFile(notePath(name), text, inAppData());
    if (state.current === name) state.savedText = text;
    reindex(name);
    renderTitle();
  });
  saveQueue = run.catch(() => {}); // a failed save must not block the next one
  return run;
}

/** Called on every keystroke: save once the user pauses. */
function scheduleAutosave() {
  clearTimeout(autosaveTimer);
  autosaveTimer = setTimeout(() => {
    save().catch((error) => showError("Autosave failed", error));
  }, AUTOSAVE_DELAY_MS);
}

/** Opens a note by file name, saving the current one first. */
async function openNote(name) {
  if (name === state.current) return;
  await save(); // if this fails the error propagates and we stay on the current note
  const text = await M.fs.readTextFile(notePath(name), inAppData());
  state.current = name;
  state.savedText = text;
  el.editor.value = text;
  el.editor.setSelectionRange(0, 0); // start at the top, not where the last note was
  el.editor.scrollTop = 0;
  el.preview.scrollTop = 0;
  renderAll();
}

/** Creates an empty note called `rawName` and opens it. Returns its file name. */
async function createNote(rawName) {
  const name = sanitizeName(rawName);
  if (await M.fs.exists(notePath(name), inAppData())) {
    throw new Error(`A note called “${stem(name)}” already exists`);
  }
  await save();
  await M.fs.writeTextFile(notePath(name), "", inAppData());
  reindex(name);
  await refreshList();
  await openNote(name);
  setStatus(`Created ${name}`);
  return name;
}

/** Renames the open note. */
async function renameNote(rawName) {
  const from = state.current;
  if (from === null) throw new Error("No note is open");
  const to = sanitizeName(rawName);
  if (to === from) return;
  // Compare case-insensitively so "Shopping" can replace "shopping" but not a different note.
  if (to.toLowerCase() !== from.toLowerCase() && (await M.fs.exists(notePath(to), inAppData()))) {
    throw new Error(`A note called “${stem(to)}” already exists`);
  }
  await save();
  await M.fs.renameFile(notePath(from), notePath(to), inAppData());
  unindex(from);
  reindex(to);
  state.current = to;
  await refreshList();
  renderTitle();
  setStatus(`Renamed ${from} to ${to}`);
}

/** Deletes the open note after asking, then opens a neighbour. */
async function deleteNote() {
  const name = state.current;
  if (name === null) return;
  const yes = await M.dialog.ask(`Delete “${stem(name)}”? This cannot be undone.`, {
    title: "Delete note",
    type: "warning",
  });
  if (!yes) return;
  clearTimeout(autosaveTimer);
  await saveQueue; // let a save in flight finish, so it cannot re-create the file
  await M.fs.removeFile(notePath(name), inAppData());
  unindex(name);

  const index = state.notes.indexOf(name);
  state.current = null;
  state.savedText = "";
  el.editor.value = "";
  await refreshList();
  const next = state.notes[Math.min(index, state.notes.length - 1)];
  if (next) await openNote(next);
  else renderAll();
  setStatus(`Deleted ${name}`);
}

// ------------------------------------------------------------ 5. import / export

/** Import…: pick a file anywhere, copy it into the notes folder, open it. */
async function importNote() {
  const picked = await M.dialog.open({
    title: "Import a Markdown file",
    multiple: false,
    filters: [{ name: "Markdown", extensions: ["md", "markdown", "txt"] }],
  });
  if (!picked) return; // cancelled
  await importFrom(Array.isArray(picked) ? picked[0] : picked);
}

/**
 * Copies the file at `path` into the notes folder and opens it; a note of
 * the same name and text is opened instead of copied again. `path` must be
 * one the user gave: picked in a dialog, or opened with Notes.
 */
async function importFrom(path) {
  // An absolute path without `dir`: allowed because the user chose it.
  const text = await M.fs.readTextFile(path);
  const fileName = path.split(/[\\/]/).pop();
  const same = sanitizeName(fileName);
  if (state.notes.includes(same)) {
    const existing = await M.fs.readTextFile(notePath(same), inAppData());
    if (existing === text) {
      await openNote(same);
      setStatus(`Opened ${same}`);
      return;
    }
  }
  const name = uniqueName(same);
  await save();
  await M.fs.writeTextFile(notePath(name), text, inAppData());
  reindex(name);
  await refreshList();
  await openNote(name);
  setStatus(name === fileName ? `Imported ${name}` : `Imported ${fileName} as ${name}`);
}

// ------------------------------------------------------------ 6. opened from outside

/** "Open with Notes", or `notes a.md`: each file becomes a note; the last one stays open. */
async function openFiles(paths) {
  for (const path of paths) await importFrom(path);
}

/** A `notes://open?name=Groceries` link opens that note. */
async function openLink(url) {
  let link;
  try {
    link = new URL(url);
  } catch {
    throw new Error(`Notes cannot read the link ${url}`);
  }
  const name = link.searchParams.get("name");
  if (link.hostname !== "open" || !name) {
    throw new Error("Notes links look like notes://open?name=Groceries");
  }
  const file = sanitizeName(name);
  await refreshList();
  if (!state.notes.includes(file)) throw new Error(`No note is called “${stem(file)}”`);
  await openNote(file);
  setStatus(`Opened ${file} from a link`);
}

/** What the app was started with (once its notes are listed). */
async function openWhatWasGiven() {
  const files = await M.app.getOpenedFiles();
  if (files.length > 0) await openFiles(files).catch((error) => showError("Could not open the file", error));
  for (const url of (await M.deepLink.getCurrent()) || []) {
    await openLink(url).catch((error) => showError("Could not follow the link", error));
  }
}

/** What later launches hand over (Notes runs once: a second launch comes here). */
function listenForLaterLaunches(ready) {
  M.app.onFilesOpened((paths) => {
    ready.then(() => openFiles(paths)).catch((error) => showError("Could not open the file", error));
  });
  M.deepLink.onOpenUrl((urls) => {
    ready.then(async () => {
      for (const url of urls) await openLink(url);
    }).catch((error) => showError("Could not follow the link", error));
  });
}

/** Export…: write the open note wherever the user chooses. */
async function exportNote() {
  if (state.current === null) throw new Error("Open a note first");
  const path = await M.dialog.save({
    title: "Export note",
    defaultPath: state.current,
    filters: [{ name: "Markdown", extensions: ["md"] }],
  });
  if (!path) return; // cancelled
  await M.fs.writeTextFile(path, el.editor.value);
  setStatus(`Exported to ${path}`);
}

/** About: a native message box (getName/getVersion need no allowlist key). */
async function showAbout() {
  const [name, version] = await Promise.all([M.app.getName(), M.app.getVersion()]);
  await M.dialog.message(
    `${name} ${version}\n\nYour notes are Markdown files in the "notes" folder of ` +
      "this app's data directory (~/.local/share/dev.millennium.notes on Linux).",
    { title: `About ${name}`, type: "info" },
  );
}

// ------------------------------------------------------------ 7. events, shortcuts, start-up

const newNoteAction = guarded("Could not create the note", () =>
  askForName({ label: "Name of the new note", initial: "", action: createNote }));
const renameAction = guarded("Could not rename the note", () => {
  if (state.current === null) return;
  askForName({ label: "New name", initial: stem(state.current), action: renameNote });
});
const saveAction = guarded("Could not save", async () => {
  if (state.current === null) return;
  const wasDirty = isDirty();
  await save();
  setStatus(wasDirty ? `Saved ${state.current}` : `${state.current} is already saved`);
});
const importAction = guarded("Import failed", importNote);
const exportAction = guarded("Export failed", exportNote);
const deleteAction = guarded("Could not delete the note", deleteNote);
const openAction = guarded("Could not open the note", openNote);
const aboutAction = guarded("Could not show the About box", showAbout);

$("new-note").addEventListener("click", newNoteAction);
$("rename").addEventListener("click", renameAction);
$("import").addEventListener("click", importAction);
$("export").addEventListener("click", exportAction);
$("delete").addEventListener("click", deleteAction);
$("about").addEventListener("click", aboutAction);
el.togglePreview.addEventListener("click", () => setPreview(!state.previewOn));

el.list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-name]");
  if (button) openAction(button.dataset.name);
});

el.editor.addEventListener("input", () => {
  renderPreview();
  renderTitle();
  scheduleAutosave();
});

// Filter: type to narrow the list (by name at once, by text through the
// search sidecar), Enter opens the first match, Escape clears.
el.filter.addEventListener("input", () => {
  renderList();
  scheduleSearch();
});
el.filter.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    const first = el.list.querySelector("button[data-name]");
    if (first) openAction(first.dataset.name).then(() => el.editor.focus());
  } else if (event.key === "Escape") {
    el.filter.value = "";
    scheduleSearch();
    el.editor.focus();
  }
});

// Links in the preview must not navigate the app's own window: hand them to
// the desktop's browser. That needs `[allowlist.shell] open = true`, which this
// app leaves off; the status bar then names the missing key.
el.preview.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[href]");
  if (!anchor) return;
  event.preventDefault();
  M.shell.open(anchor.href).catch((error) => showError(`Could not open ${anchor.href}`, error));
});

// Commands, by the id of their item in the menu bar ([menus.main] in
// millennium.toml). The right-click menu of a note reuses rename, delete
// and export; the keyboard shortcuts below name them too.
const COMMANDS = {
  "new-note": newNoteAction,
  "save": saveAction,
  "import": importAction,
  "export": exportAction,
  "rename": renameAction,
  "delete": deleteAction,
  "filter": () => { el.filter.focus(); el.filter.select(); },
  "about": aboutAction,
};

/** Runs command `id`; `checked` is the Preview item's new tick when a menu click gives one. */
function runCommand(id, checked) {
  if (!el.prompt.hidden) {
    // The name prompt is modal. A click may have flipped Preview's tick: put it back.
    renderMenu();
    return;
  }
  if (id === "preview") setPreview(typeof checked === "boolean" ? checked : !state.previewOn);
  else if (COMMANDS[id]) COMMANDS[id]();
}

// The menu bar. Its accelerators are the shortcuts: the window takes the key
// before the page sees it and reports a click here instead. Role items
// (Undo, Copy, Quit, ...) are the host's and report nothing.
let menuBarAnswers = false;
if (M.menu) {
  M.menu.onClick((click) => {
    if (typeof click.checked === "boolean") menuShown.set(click.id, JSON.stringify({ checked: click.checked }));
    runCommand(click.id, click.checked);
  }).then(() => {
    menuBarAnswers = true;
  }, (error) => showError("The menu bar does not answer", error));
}

// Keyboard shortcuts, Ctrl on Linux and Windows, Cmd on macOS: the same
// commands as the menu bar's accelerators. Once the menu bar answers, the
// keys it has never get here, and a key that does (its item is disabled)
// must not run the command anyway: so each command runs once, from one place.
// Without a menu bar (a host without menus) this handler runs them.
const SHORTCUTS = {
  "n": "new-note",
  "s": "save",
  "shift+s": "export",
  "o": "import",
  "p": "preview",
  "f": "filter",
  "delete": "delete",
};
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || !el.prompt.hidden) return;
  const key = (event.shiftKey ? "shift+" : "") + event.key.toLowerCase();
  const id = SHORTCUTS[key];
  if (id) {
    event.preventDefault(); // no browser default (Ctrl+P prints) either way
    if (!menuBarAnswers) runCommand(id);
  }
});

// Right-click on a note in the list: a menu for that note. A choice opens
// the note, then runs the command on it, as the toolbar would. Everywhere
// else the page keeps the default context menu (spelling in the editor).
const NOTE_MENU = [
  { id: "rename", label: "Rename…" },
  { id: "delete", label: "Delete" },
  { kind: "separator" },
  { id: "export", label: "Export…" },
];
const noteMenuAction = guarded("Could not show the note's menu", async (name, button) => {
  button.classList.add("menu-target"); // which note the menu is for
  let chosen;
  try {
    chosen = await M.menu.popup(NOTE_MENU);
  } finally {
    button.classList.remove("menu-target");
  }
  if (!chosen) return; // dismissed
  await openAction(name); // reports its own failure...
  if (state.current === name) runCommand(chosen); // ...and then the note is not open
});
el.list.addEventListener("contextmenu", (event) => {
  const button = event.target.closest("button[data-name]");
  if (!button || !M.menu) return;
  event.preventDefault();
  noteMenuAction(button.dataset.name, button);
});

// Closing the window: save first. If saving fails, keep the window open once
// and say so; a second close discards the changes.
let closeRefusedOnce = false;
M.window.getCurrent().onCloseRequested(async (event) => {
  try {
    await save();
  } catch (error) {
    if (closeRefusedOnce) return;
    closeRefusedOnce = true;
    event.preventDefault();
    showError("Not saved, so the window stays open (close again to discard)", error);
  }
}).catch((error) => showError("Could not watch for the window closing", error));

const WELCOME = [
  "# Welcome to Notes",
  "",
  "Your notes are plain **Markdown** files in the `notes` folder of this",
  "app's data directory, so they stay yours: open them with any editor.",
  "",
  "Notes save themselves when you pause typing. The preview on the right",
  "shows how the Markdown looks.",
  "",
  "## Keyboard shortcuts",
  "",
  "- **Ctrl+N**: new note",
  "- **Ctrl+S**: save now",
  "- **Ctrl+O**: import a Markdown file",
  "- **Ctrl+Shift+S**: export this note",
  "- **Ctrl+P**: show or hide the preview",
  "- **Ctrl+F**: filter the list of notes",
  "- **Ctrl+Delete**: delete this note",
  "",
  "## Markdown in a nutshell",
  "",
  "- `# Heading`, `## Smaller heading`",
  "- *italic*, **bold**, ~~struck~~, `code`",
  "- [a link](https://example.com) or a bare https://example.com",
  "- [x] a task that is done",
  "- [ ] a task that is not",
  "",
  "> A line starting with `>` is a quote.",
  "",
  "```",
  "Three backticks start and end a block of code.",
  "```",
  "",
].join("\n");

/** First start-up step: folder, list, welcome note, open the first note. */
async function start() {
  await ensureNotesFolder();
  await refreshList();
  if (state.notes.length === 0) {
    await M.fs.writeTextFile(notePath("welcome.md"), WELCOME, inAppData());
    await refreshList();
  }
  // The index catches up with notes changed while the app was closed. Notes
  // work without it (a missing python3, say): only text search is lost.
  search.call("sync").catch((error) => showError("Text search is unavailable", error));
  renderAll();
  if (state.notes.length > 0) await openNote(state.notes[0]);
  el.editor.focus();
}

setPreview(true);
renderAll();
const ready = start();
ready.catch((error) => showError("Could not load your notes", error));
listenForLaterLaunches(ready);
ready.then(openWhatWasGiven).catch((error) => showError("Could not open what Notes was given", error));

// ------------------------------------------------------------ test hook
// Used by the end-to-end tests (tests/), which drive the app over WebDriver.
// Names may be given with or without ".md"; names returned include it.
window.notesApp = Object.freeze({
  /** Resolves once the notes folder has been listed for the first time. */
  ready,
  /** Creates and opens a note; resolves to its file name ("foo.md"). */
  newNote: (name) => createNote(name),
  /** Opens an existing note. */
  open: (name) => openNote(sanitizeName(name)),
  /** Replaces the editor's text, as if typed (the note becomes unsaved). */
  setText: async (text) => {
    el.editor.value = String(text);
    el.editor.dispatchEvent(new Event("input"));
  },
  /** Saves the open note now. */
  save: () => save(),
  /** Re-reads the folder; resolves to the note file names, sorted. */
  list: async () => (await refreshList()).slice(),
  /** The open note's file name, or null. */
  current: async () => state.current,
  /** The preview's HTML. */
  previewHtml: async () => el.preview.innerHTML,
  /** Puts `query` in the filter and searches now; resolves to the listed names and snippets. */
  filter: async (query) => {
    el.filter.value = String(query);
    clearTimeout(searchTimer);
    const text = el.filter.value.trim();
    if (text) await runSearch(text);
    else scheduleSearch();
    return [...el.list.querySelectorAll("button[data-name]")].map((b) => ({
      name: b.dataset.name,
      snippet: b.querySelector(".snippet") ? b.querySelector(".snippet").textContent : null,
    }));
  },
});
