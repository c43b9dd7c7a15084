//! Any bytes through the IPC decoders (postMessage text, fetch-channel name
//! + query + raw body): they must return, never panic, and a decoded
//! command must have a well-formed allowlist key list.

#![no_main]

use libfuzzer_sys::fuzz_target;
use millennium_host::ipc::decode::{decode_fetch, decode_message};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((_, command)) = decode_message(text) {
            for key in command.required_keys() {
                assert!(!key.category.is_empty() && !key.command.is_empty());
            }
        }
    }
    // First byte picks a command name from real ones (including the raw-body
    // ones), the bytes up to the first NUL are the query, the rest the body.
    let names = [
        "app.getName",
        "process.exit",
        "window.setSize",
        "window.create",
        "event.emit",
        "path.join",
        "ping",
        "fs.writeBinaryFile",
        "fs.readTextFile",
        "http.request",
        "shell.execute",
        "shell.spawn",
        "dialog.open",
        "dialog.ask",
    ];
    if let Some((&pick, rest)) = data.split_first() {
        let (query, body) = match rest.iter().position(|b| *b == 0) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (&rest[..0], rest),
        };
        let query = std::str::from_utf8(query).ok().filter(|q| !q.is_empty());
        let mut body = body.to_vec();
        if let Ok(command) = decode_fetch(names[usize::from(pick) % names.len()], query, &mut body) {
            for key in command.required_keys() {
                assert!(!key.category.is_empty() && !key.command.is_empty());
            }
        }
    }
});
