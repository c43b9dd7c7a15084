// Vite, set up for Millennium. `millennium dev` starts `npm run dev` (the
// toml's before-dev-command) and opens the app once `dev-url` answers;
// `millennium build` runs `npm run build` (before-build-command) and packs
// what it writes into `frontend`.
import { defineConfig } from "vite";

// Keep equal to the port of `dev-url` in millennium.toml.
const port = 5173;

export default defineConfig({
  // The built pages are served as millennium://localhost/: relative asset
  // URLs work there, as from any directory.
  base: "./",
  // Keep millennium's own messages on screen.
  clearScreen: false,
  server: {
    host: "127.0.0.1",
    port,
    // Another server on the port would answer dev-url in Vite's place.
    strictPort: true,
    // The page's origin is millennium://localhost, so the HMR client cannot
    // guess where the server is: name it. `millennium dev` allows the
    // dev-url's origin (http and ws) in connect-src.
    hmr: { host: "127.0.0.1", port },
  },
  build: {
    // `[app] frontend` in millennium.toml.
    outDir: "dist",
  },
});
