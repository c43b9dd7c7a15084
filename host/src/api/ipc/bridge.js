  // ipc: the raw channels every namespace above is built on, still behind
  // the allowlist.
  api.ipc = Object.freeze({ invoke: invoke, invokeBinary: invokeBinary });
