// @ts-check
// The entry module. `./millennium.js` (written by `millennium new`) exports
// each namespace of `window.Millennium`, which the host injects before any
// script runs, with its types from ../millennium.d.ts.
import "./style.css"; // edits to it apply in place (HMR) under `millennium dev`
import { app, os, process } from "./millennium.js";

const about = /** @type {HTMLElement} */ (document.getElementById("about"));
const quit = /** @type {HTMLElement} */ (document.getElementById("quit"));

async function showAbout() {
  const [name, version, platform] = await Promise.all([
    app.getName(),
    app.getVersion(),
    os.platform(), // needs [allowlist.os] info = true
  ]);
  about.textContent = `${name} ${version} is running on ${platform}.`;
}

showAbout().catch((error) => {
  about.textContent = `Millennium API error: ${error.message}`;
});

// Needs [allowlist.process] exit = true.
quit.addEventListener("click", () => process.exit(0));
