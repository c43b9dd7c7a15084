// Runs under the default CSP: no inline scripts, only files from the app.
const api = window.Millennium;
if (api) {
  api.app.getName().then((name) => {
    document.getElementById("who").textContent = `${name} is served from inside the app.`;
  });
  document.getElementById("quit").addEventListener("click", () => api.process.exit(0));
}
