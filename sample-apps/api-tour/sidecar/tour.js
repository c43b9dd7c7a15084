// A sidecar for the API tour, in Node with nothing but its standard library:
// JSON-RPC 2.0, one object per line on stdin and stdout.
//   add([a, b, ...])  -> the sum
//   info()            -> Node's version and this process's pid
//   shout(params)     notification: answered by a notification "echoed"
"use strict";
const readline = require("node:readline");

const send = (message) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
const methods = {
  add: (params) => {
    if (!Array.isArray(params) || !params.every((n) => typeof n === "number")) {
      throw Object.assign(new Error("add takes an array of numbers"), { code: -32602 });
    }
    return params.reduce((sum, n) => sum + n, 0);
  },
  info: () => ({ node: process.version, pid: process.pid }),
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let message;
  try { message = JSON.parse(line); } catch { return; }
  if (message.id === undefined) {
    if (message.method === "shout") send({ method: "echoed", params: message.params });
    return;
  }
  const method = methods[message.method];
  try {
    if (!method) throw Object.assign(new Error(`no method ${message.method}`), { code: -32601 });
    send({ id: message.id, result: method(message.params) });
  } catch (error) {
    send({ id: message.id, error: { code: error.code || -32000, message: error.message } });
  }
});
