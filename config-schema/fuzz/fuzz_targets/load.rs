//! Feeds arbitrary bytes through the whole config pipeline (syntax, schema,
//! types, semantic rules) and the diagnostic renderer. Any panic is a bug.
//!
//! Run: `cd config-schema/fuzz && cargo +nightly fuzz run load -- -max_total_time=60`
//! Seed corpus: `tests/fixtures/config/{valid,invalid}`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(diagnostics) = millennium_config::load_str(text, std::path::Path::new(".")) {
        let source = millennium_config::SourceFile { name: "fuzz.toml".into(), text: text.into() };
        let _ = millennium_config::render(&source, &diagnostics, millennium_config::Format::Human, false);
        let _ = millennium_config::render(&source, &diagnostics, millennium_config::Format::Short, false);
    }
});
