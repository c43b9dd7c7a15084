"""Full-text search over the notes: a Millennium sidecar for the Notes app.

It speaks JSON-RPC 2.0, one object per line on stdin and stdout (see the
README's "Sidecars" section), and needs nothing but Python's standard
library. The index is an SQLite FTS5 table in the app's data directory
(MILLENNIUM_DATA_DIR), kept in step with the notes folder beside it:

  sync()                  -> {"indexed": n, "removed": n}   at start
  search({"query": q})    -> [{"name", "snippet"}], best first
  index({"name": n})      notification: re-read one note after a save
  remove({"name": n})     notification: a note was deleted or renamed away

In a snippet, \u0002 and \u0003 mark where each match starts and ends.
"""
import json
import os
import sqlite3
import sys

DATA = os.environ.get("MILLENNIUM_DATA_DIR") or os.getcwd()
NOTES = os.path.join(DATA, "notes")
MAX_RESULTS = 50

db = sqlite3.connect(os.path.join(DATA, "search-index.sqlite3"))
db.executescript(
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS notes
        USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE IF NOT EXISTS seen (name TEXT PRIMARY KEY, mtime_ns INTEGER);
    """
)


class Refused(Exception):
    """An error for the caller, with a JSON-RPC code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def note_path(name):
    """The file of note `name`, refusing anything that is not a plain name."""
    if not isinstance(name, str) or not name.endswith(".md") or name != os.path.basename(name) or name.startswith("."):
        raise Refused(-32602, "not a note name: %r" % (name,))
    return os.path.join(NOTES, name)


def index(name):
    path = note_path(name)
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            body = file.read()
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return remove(name)
    with db:
        db.execute("DELETE FROM notes WHERE name = ?", (name,))
        db.execute("INSERT INTO notes (name, body) VALUES (?, ?)", (name, body))
        db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (name, mtime))


def remove(name):
    note_path(name)
    with db:
        db.execute("DELETE FROM notes WHERE name = ?", (name,))
        db.execute("DELETE FROM seen WHERE name = ?", (name,))


def sync():
    """Indexes what changed on disk since the last run, drops what is gone."""
    on_disk = {}
    if os.path.isdir(NOTES):
        for entry in os.scandir(NOTES):
            if entry.is_file() and entry.name.endswith(".md") and not entry.name.startswith("."):
                on_disk[entry.name] = entry.stat().st_mtime_ns
    seen = dict(db.execute("SELECT name, mtime_ns FROM seen"))
    changed = [name for name, mtime in on_disk.items() if seen.get(name) != mtime]
    gone = [name for name in seen if name not in on_disk]
    for name in changed:
        index(name)
    for name in gone:
        remove(name)
    return {"indexed": len(changed), "removed": len(gone)}


def search(query):
    """Notes whose name or text has every word of `query` (as a prefix)."""
    if not isinstance(query, str):
        raise Refused(-32602, "the query must be a string")
    words = [w for w in query.replace('"', " ").split() if w]
    if not words:
        return []
    match = " AND ".join('"%s"*' % word for word in words)
    rows = db.execute(
        "SELECT name, snippet(notes, 1, char(2), char(3), '…', 10) FROM notes"
        " WHERE notes MATCH ? ORDER BY rank LIMIT ?",
        (match, MAX_RESULTS),
    )
    return [{"name": name, "snippet": snippet} for name, snippet in rows]


def params_of(message):
    params = message.get("params")
    return params if isinstance(params, dict) else {}


def answer(message):
    method, params = message.get("method"), params_of(message)
    if method == "sync":
        return sync()
    if method == "search":
        return search(params.get("query"))
    raise Refused(-32601, "no method %r" % (method,))


def send(message):
    sys.stdout.write(json.dumps(dict(message, jsonrpc="2.0")) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if "id" not in message:  # a notification: nobody waits for an answer
        try:
            if message.get("method") == "index":
                index(params_of(message).get("name"))
            elif message.get("method") == "remove":
                remove(params_of(message).get("name"))
        except (Refused, OSError, sqlite3.Error) as error:
            print("search: %s" % error, file=sys.stderr)
        continue
    try:
        send({"id": message["id"], "result": answer(message)})
    except Refused as error:
        send({"id": message["id"], "error": {"code": error.code, "message": str(error)}})
    except (OSError, sqlite3.Error) as error:
        send({"id": message["id"], "error": {"code": -32000, "message": str(error)}})
