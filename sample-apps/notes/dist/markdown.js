// markdown.js: a small, safe Markdown renderer (no dependencies).
//
// Markdown.render(text) returns an HTML string that is safe to assign to
// `element.innerHTML`, because of one rule kept everywhere below:
//
//   Every piece of the user's text is HTML-escaped BEFORE any markup is added.
//
// Our own tags (<strong>, <a>, ...) are only ever wrapped around text that is
// already escaped, so a note containing `<script>` or `<img onerror=...>`
// shows up as those characters, never as HTML. Links are limited to
// http:, https: and mailto: targets (no `javascript:` or `data:` URLs).
//
// Supported: # headings, **bold**, *italic*, ~~strike~~, `inline code`,
// fenced code blocks (``` or ~~~), - / * / + and 1. lists (nested by
// indentation, `- [ ]` task items), > blockquotes, --- rules, [links](url),
// bare https:// links, paragraphs, and line breaks (two trailing spaces).
(function () {
  "use strict";

  // ------------------------------------------------------------ escaping

  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  /** Escapes the five characters that matter in HTML text and attributes. */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
  }

  /** Link targets we accept. Tested on the escaped URL: escaping keeps the scheme intact. */
  const SAFE_URL = /^(https?:\/\/|mailto:)/i;

  // ------------------------------------------------------------- inline

  // Text inside code spans and links must not be formatted again, so finished
  // pieces are "stashed" and replaced by a placeholder \u0000<n>\u0000 until the
  // end. render() strips NUL characters from the input, so user text can never
  // forge a placeholder.
  const PLACEHOLDER = /\u0000(\d+)\u0000/g;

  /** Bold, italic and strike-through, on already-escaped text. */
  function emphasis(s) {
    return s
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, "$1<strong>$2</strong>")
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>")
      .replace(/\*(?=[^\s*])([^*]*?[^\s*])\*/g, "<em>$1</em>")
      .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, "$1<em>$2</em>");
  }

  /** Builds a link; `url` and `labelHtml` are already escaped. */
  function link(url, labelHtml) {
    return `<a href="${url}" rel="noopener noreferrer">${labelHtml}</a>`;
  }

  /** Characters that end a sentence rather than a bare URL ("see https://x.org."). */
  const URL_TRAILER = /(?:[.,:;!?)\]]|&gt;|&lt;|&quot;|&#39;)+$/;

  /** Renders one block's worth of inline Markdown. `text` is raw user text. */
  function inline(text) {
    const stash = [];
    const keep = (html) => `\u0000${stash.push(html) - 1}\u0000`;

    let s = escapeHtml(text); // 1. Escape first: from here on `s` is safe HTML.

    // 2. `code`: its content stays literal.
    s = s.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${code}</code>`));

    // 3. [label](url): only for safe schemes; anything else stays plain text.
    s = s.replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (whole, label, url) =>
      SAFE_URL.test(url) ? keep(link(url, emphasis(label))) : whole);

    // 4. Bare http(s) URLs become links too (minus trailing punctuation).
    s = s.replace(/(^|[\s(])(https?:\/\/(?:(?!&quot;|&lt;|&gt;)[^\s\u0000])+)/g, (_, before, url) => {
      const trailer = (url.match(URL_TRAILER) || [""])[0];
      const href = url.slice(0, url.length - trailer.length);
      return href.length > "https://".length ? before + keep(link(href, href)) + trailer : _;
    });

    // 5. Emphasis on what is left, then put the stashed pieces back
    //    (a link label may itself contain a stashed code span, hence the loop).
    s = emphasis(s);
    while (s.includes("\u0000")) {
      s = s.replace(PLACEHOLDER, (_, i) => stash[Number(i)]);
    }
    // 6. Two trailing spaces (or a backslash) before a newline: a hard line break.
    return s.replace(/(?: {2,}|\\)\n/g, "<br>\n");
  }

  // ------------------------------------------------------------- blocks

  const BLANK = /^\s*$/;
  const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
  const HEADING = /^\s{0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
  const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
  const QUOTE = /^\s{0,3}>/;
  const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const TASK = /^\[([ xX])\]\s+(.*)$/;

  /** Whether `line` starts a block other than a paragraph (and so ends one). */
  function startsBlock(line) {
    return FENCE.test(line) || HEADING.test(line) || RULE.test(line) ||
      QUOTE.test(line) || LIST_ITEM.test(line);
  }

  const indentOf = (line) => line.match(/^\s*/)[0].length;

  /** Renders a list starting at lines[start]; returns [html, next line index]. */
  function renderList(lines, start) {
    const first = lines[start].match(LIST_ITEM);
    const ordered = /\d/.test(first[2]);
    const baseIndent = first[1].length;
    const items = []; // { text, sub: [lines] }
    let i = start;
    let lastWasBlank = false;

    while (i < lines.length) {
      const line = lines[i];
      const m = line.match(LIST_ITEM);
      if (m && m[1].length <= baseIndent + 1 && /\d/.test(m[2]) === ordered) {
        // A new item of this list.
        items.push({ text: m[3], sub: [], contentIndent: m[1].length + m[2].length + 1 });
        lastWasBlank = false;
      } else if (BLANK.test(line)) {
        // A blank line continues the list only if more of it follows.
        const next = lines[i + 1];
        if (next === undefined || (indentOf(next) <= baseIndent && !LIST_ITEM.test(next))) break;
        lastWasBlank = true;
      } else if (indentOf(line) > baseIndent) {
        // Indented: belongs to the current item (nested list, code, more text).
        const item = items[items.length - 1];
        const cut = Math.min(indentOf(line), item.contentIndent);
        item.sub.push(line.slice(cut));
      } else if (!lastWasBlank && !startsBlock(line)) {
        // "Lazy" continuation of the item's text.
        items[items.length - 1].sub.push(line.trim());
      } else {
        break;
      }
      i++;
    }

    const tag = ordered ? "ol" : "ul";
    const startNumber = parseInt(first[2], 10);
    const startAttr = ordered && startNumber !== 1 ? ` start="${startNumber}"` : "";
    const body = items.map((item) => {
      // Plain continuation lines join the item's own text; the rest are sub-blocks.
      let text = item.text;
      const sub = item.sub.slice();
      while (sub.length && !BLANK.test(sub[0]) && !startsBlock(sub[0])) {
        text += "\n" + sub.shift().trim();
      }
      const task = text.match(TASK);
      const head = task
        ? `<input type="checkbox" disabled${task[1] === " " ? "" : " checked"}> ${inline(task[2])}`
        : inline(text);
      const rest = sub.some((l) => !BLANK.test(l)) ? renderBlocks(sub) : "";
      return `<li${task ? ' class="task"' : ""}>${head}${rest}</li>`;
    });
    return [`<${tag}${startAttr}>\n${body.join("\n")}\n</${tag}>`, i];
  }

  /** Renders an array of lines as a sequence of blocks. */
  function renderBlocks(lines) {
    const out = [];
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      let m;

      if (BLANK.test(line)) {
        i++;
      } else if ((m = line.match(FENCE))) {
        // Fenced code: everything up to the closing fence, escaped, verbatim.
        const fence = m[1];
        const body = [];
        for (i++; i < lines.length && !lines[i].trim().startsWith(fence); i++) {
          body.push(lines[i]);
        }
        i++; // the closing fence (or the end of the note)
        const lang = m[2] ? ` class="language-${escapeHtml(m[2])}"` : "";
        out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      } else if ((m = line.match(HEADING))) {
        const level = m[1].length;
        out.push(`<h${level}>${inline(m[2] || "")}</h${level}>`);
        i++;
      } else if (RULE.test(line)) {
        out.push("<hr>");
        i++;
      } else if (QUOTE.test(line)) {
        // Blockquote: strip one ">" level and render what is inside as blocks.
        const inner = [];
        for (; i < lines.length && QUOTE.test(lines[i]); i++) {
          inner.push(lines[i].replace(/^\s{0,3}>\s?/, ""));
        }
        out.push(`<blockquote>\n${renderBlocks(inner)}\n</blockquote>`);
      } else if (LIST_ITEM.test(line)) {
        const [html, next] = renderList(lines, i);
        out.push(html);
        i = next;
      } else {
        // Paragraph: consecutive lines up to a blank line or another block.
        const para = [];
        for (; i < lines.length && !BLANK.test(lines[i]) && (para.length === 0 || !startsBlock(lines[i])); i++) {
          para.push(lines[i].replace(/^\s+/, ""));
        }
        out.push(`<p>${inline(para.join("\n"))}</p>`);
      }
    }
    return out.join("\n");
  }

  /** Markdown text in, safe HTML string out. */
  function render(markdown) {
    const text = String(markdown == null ? "" : markdown)
      .replace(/\u0000/g, "") // placeholders use NUL: keep the user from forging them
      .replace(/\r\n?/g, "\n")
      .replace(/\t/g, "    ");
    return renderBlocks(text.split("\n"));
  }

  globalThis.Markdown = Object.freeze({ render, escapeHtml });
})();
