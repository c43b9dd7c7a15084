//! Any bytes through both IPC decoders: they must return, never panic, and
//! a decoded command must have a well-formed allowlist key list.

#![no_main]

use libfuzzer_sys::fuzz_target;
use millennium_host::ipc::decode::{decode_body, decode_message};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((_, command)) = decode_message(text) {
            for (category, name) in command.required_keys() {
                assert!(!category.is_empty() && !name.is_empty());
            }
        }
    }
    // First byte picks a command name from a few real ones, the rest is the body.
    let names = ["app.getName", "process.exit", "window.setSize", "window.create", "event.emit", "path.join", "ping"];
    if let Some((&pick, body)) = data.split_first() {
        let _ = decode_body(names[usize::from(pick) % names.len()], body);
    }
});
