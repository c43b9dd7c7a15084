//! Sidecar calls against IPC in the same host session, and what a sidecar's
//! first call costs packaged (its files unpacked) against run from its
//! directory. The sidecar is `tests/fixtures/bench/sidecar.py`.

use std::path::Path;

use super::{BULK_RUNS, Session, TempDir, median, noop_script, package};

/// Calls in flight at once in the throughput measure.
const IN_FLIGHT: usize = 10_000;
/// Bytes a sidecar returns in the binary measure.
const SIDECAR_BYTES: usize = 32 * 1024 * 1024;
/// Starts measured for the first-call rows.
const FIRST_CALL_RUNS: usize = 9;

pub fn sidecar_calls(host: &Path, home: &TempDir) {
    let app = TempDir::new("bench-sidecars");
    let script = millennium_e2e::repo_root().join("tests/fixtures/bench/sidecar.py");
    std::fs::copy(&script, app.0.join("sidecar.py")).expect("copy sidecar.py");
    app.write(
        "millennium.toml",
        r#"[app]
name = "Bench sidecars"
identifier = "dev.millennium.bench-sidecars"
frontend = "dist"

# Debian's own interpreter: a version manager's shim in PATH (pyenv) would
# add its own 150 ms to every start measured here.
[[sidecars]]
name = "bench"
command = "/usr/bin/python3"
args = [{ file = "sidecar.py" }]

[allowlist.sidecar]
call = true
scope = [{ name = "bench", methods = ["noop", "echo", "bytes"] }]
"#,
    );
    app.write(
        "dist/index.html",
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>sidecars</title></head><body>sidecars</body></html>",
    );
    let session = Session::start(host, &[app.0.to_string_lossy().as_ref()], home);
    // Started before anything is timed.
    session.measure("await Millennium.sidecar('bench').call('noop'); return 0;");

    let noop_ipc = session.measure(&noop_script("() => Millennium.ipc.invoke('ipc.ping')"));
    let noop_sidecar = session.measure(&noop_script(
        "() => Millennium.sidecar('bench').call('noop')",
    ));

    // All in flight at once; every reply must be its own call's, in full.
    let in_flight = |call: &str, check: &str| {
        let mut runs = Vec::new();
        for _ in 0..BULK_RUNS {
            runs.push(session.measure(&format!(
                "const t0 = performance.now();
                 const calls = [];
                 for (let i = 0; i < {IN_FLIGHT}; i++) calls.push({call});
                 const replies = await Promise.all(calls);
                 const ms = performance.now() - t0;
                 for (let i = 0; i < {IN_FLIGHT}; i++) {{
                   const reply = replies[i];
                   if (!({check})) throw new Error('reply ' + i + ' is ' + JSON.stringify(reply));
                 }}
                 return ms;"
            )));
        }
        median(&runs)
    };
    let flight_sidecar = in_flight(
        "Millennium.sidecar('bench').call('echo', [i])",
        "Array.isArray(reply) && reply[0] === i",
    );
    let flight_ipc = in_flight("Millennium.ipc.invoke('ipc.ping')", "reply === null");

    let bulk = |call: &str| {
        let mut runs = Vec::new();
        for _ in 0..BULK_RUNS {
            runs.push(session.measure(&format!(
                "const bytes = new Uint8Array({SIDECAR_BYTES});
                 for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
                 const t0 = performance.now();
                 const result = await {call};
                 const ms = performance.now() - t0;
                 const back = result instanceof Uint8Array ? result : new Uint8Array(result);
                 if (back.length !== {SIDECAR_BYTES}) throw new Error('got ' + back.length + ' bytes');
                 for (let i = 0; i < back.length; i += 4093) if (back[i] !== i % 251) throw new Error('byte ' + i);
                 return ms;"
            )));
        }
        median(&runs)
    };
    let bytes_sidecar = bulk(&format!(
        "Millennium.sidecar('bench').call('bytes', [{SIDECAR_BYTES}])"
    ));
    let bytes_echo = bulk("Millennium.ipc.invokeBinary('ping', bytes)");
    drop(session);

    // The first call of a fresh start: bwrap, the interpreter and the
    // script, plus (packaged) unpacking the sidecar's files.
    let millennium = millennium_e2e::target_dir().join("millennium");
    let out = TempDir::new("bench-sidecars-out");
    let exe = package(&millennium, host, &app.0, &out.0, "bench-sidecars");
    let first_call = |binary: &Path, args: &[&str]| {
        let mut runs = Vec::new();
        for _ in 0..FIRST_CALL_RUNS {
            let session = Session::start(binary, args, home);
            runs.push(session.measure(
                "const t0 = performance.now();
                 await Millennium.sidecar('bench').call('noop');
                 return performance.now() - t0;",
            ));
        }
        median(&runs)
    };
    let first_packaged = first_call(&exe, &[]);
    let first_dir = first_call(host, &[app.0.to_string_lossy().as_ref()]);

    println!();
    println!("| sidecar | sidecar | reference | ratio | goal |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| no-op call vs no-op IPC (same session) | {:.3} ms | {:.3} ms | {:.2}x | <= 3x |",
        noop_sidecar,
        noop_ipc,
        noop_sidecar / noop_ipc
    );
    println!(
        "| {IN_FLIGHT} calls in flight ({:.0} calls/s), none lost or crossed, vs as many no-op IPC | {:.0} ms | {:.0} ms | {:.2}x | - |",
        IN_FLIGHT as f64 / (flight_sidecar / 1000.0),
        flight_sidecar,
        flight_ipc,
        flight_sidecar / flight_ipc
    );
    println!(
        "| 32 MiB result vs 32 MiB echo through IPC | {:.1} ms | {:.1} ms | {:.2}x | <= 1.5x |",
        bytes_sidecar,
        bytes_echo,
        bytes_sidecar / bytes_echo
    );
    println!(
        "| first call after start, packaged (unpacks its files) vs run from its directory | {:.1} ms | {:.1} ms | {:.2}x | - |",
        first_packaged,
        first_dir,
        first_packaged / first_dir
    );
}
