/// <reference path="../millennium.d.ts" />
// @ts-check
// `window.Millennium` is injected by the host before this file runs; the
// reference above gives editors completion and type checks for it.

const about = /** @type {HTMLElement} */ (document.getElementById("about"));
const quit = /** @type {HTMLElement} */ (document.getElementById("quit"));

async function showAbout() {
  const api = window.Millennium;
  const [name, version, platform] = await Promise.all([
    api.app.getName(),
    api.app.getVersion(),
    api.os.platform(), // needs [allowlist.os] info = true
  ]);
  about.textContent = `${name} ${version} is running on ${platform}.`;
}

showAbout().catch((error) => {
  about.textContent = `Millennium API error: ${error.message}`;
});

// Needs [allowlist.process] exit = true.
quit.addEventListener("click", () => window.Millennium.process.exit(0));
