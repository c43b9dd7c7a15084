//! Any bytes after a small plain ELF image through the payload reader: it
//! must answer (a payload, none, or an error), never panic, and a payload it
//! accepts must only hand out in-bounds file slices.
//!
//! Run: `cd host/fuzz && cargo +nightly fuzz run payload_find -- -max_total_time=60`

#![no_main]

use libfuzzer_sys::fuzz_target;
use millennium_host::payload::Payload;

fuzz_target!(|data: &[u8]| {
    // An ELF header whose one section header ends the image at byte 128.
    let mut bytes = vec![0u8; 128];
    bytes[..4].copy_from_slice(b"\x7fELF");
    bytes[4] = 2;
    bytes[5] = 1;
    bytes[0x28..0x30].copy_from_slice(&64u64.to_le_bytes());
    bytes[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes());
    bytes[0x3C..0x3E].copy_from_slice(&1u16.to_le_bytes());
    // Half the time, let the input overwrite the ELF header too.
    if data.first().is_some_and(|b| b & 1 == 1) {
        let n = data.len().min(64);
        bytes[..n].copy_from_slice(&data[..n]);
    }
    bytes.extend_from_slice(data);
    if let Ok(Some(payload)) = Payload::find(&bytes) {
        for path in payload.files().keys() {
            let _ = payload.file(path).expect("listed files are readable");
        }
    }
});
