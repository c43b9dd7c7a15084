//! `make bench`, second part: one update of a packaged app from a server on
//! 127.0.0.1, step by step: check (manifest), download, verify (signature,
//! signed comment, sha256, payload), swap (write beside, fsync, keep the
//! previous file, rename). Prints the median of each step over a few runs
//! and its share of the total; never asserts a time.
//!
//! Uses the release binaries (`cargo build --release --workspace --bins`):
//! `millennium` to make keys and sign, `millennium-host` as the app's base.

use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use millennium_config::model::UpdaterConfig;
use millennium_e2e::Scratch;
use millennium_host::updater::{Updater, install};

#[path = "../tests/e2e/support/mod.rs"]
mod support;

use support::http_server::{HttpServer, reply, reply_shared, respond};

const RUNS: usize = 7;
/// Incompressible frontend bytes added to the app, on top of the host.
const ASSET_BYTES: usize = 10 * 1024 * 1024;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; this is not a test.
    }
    let bins = millennium_e2e::target_dir();
    let cli = bins.join("millennium");
    let host = bins.join("millennium-host");
    for binary in [&cli, &host] {
        assert!(
            binary.is_file(),
            "{} is missing: run `cargo build --release --workspace --bins` first",
            binary.display()
        );
    }
    let scratch = Scratch::new("bench-update");
    let keys = scratch.path("keys");
    run(Command::new(&cli)
        .args(["keygen", "--unencrypted", "--name", "bench", "-o"])
        .arg(&keys));
    let pubkey = std::fs::read_to_string(keys.join("bench.pub"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("RW"))
        .expect("a public key line")
        .to_owned();

    // The server learns its files after they are built; the port comes first.
    let files: ServedFiles = Arc::default();
    let server = serve(files.clone());
    let port = server.port;
    let base = format!("http://127.0.0.1:{port}");
    let mut noise = vec![0u8; ASSET_BYTES];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for byte in noise.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    let build = |version: &str, out: &str| {
        let app = scratch.path(&format!("app-{version}"));
        std::fs::create_dir_all(app.join("dist")).unwrap();
        std::fs::write(app.join("dist/blob.bin"), &noise).unwrap();
        std::fs::write(
            app.join("dist/index.html"),
            "<!doctype html><title>update bench</title>",
        )
        .unwrap();
        std::fs::write(
            app.join("millennium.toml"),
            format!(
                "[app]\nname = \"Upbench\"\nidentifier = \"dev.millennium.upbench\"\nversion = \"{version}\"\n\n[updater]\nactive = true\nendpoints = [\"{base}/latest.json\"]\npubkeys = [\"{pubkey}\"]\ncheck-on-start = false\n"
            ),
        )
        .unwrap();
        let out = scratch.path(out);
        run(Command::new(&cli)
            .arg("build")
            .arg(&app)
            .arg("-o")
            .arg(&out)
            .arg("--host")
            .arg(&host)
            .arg("--key")
            .arg(keys.join("bench.key"))
            .arg("--base-url")
            .arg(&base));
        out
    };
    let v1 = build("1.0.0", "v1");
    let v2 = build("2.0.0", "v2");
    let v2_exe = std::fs::read(v2.join("upbench")).unwrap();
    let manifest = std::fs::read(v2.join("latest.json")).unwrap();
    assert!(
        files
            .set((Arc::new(manifest), Arc::new(v2_exe.clone())))
            .is_ok(),
        "the files are served once"
    );

    let installed_dir = scratch.path("installed");
    std::fs::create_dir_all(&installed_dir).unwrap();
    let installed = installed_dir.join("upbench");
    let config = UpdaterConfig {
        active: true,
        endpoints: vec![format!("{base}/latest.json")],
        pubkeys: vec![pubkey],
        check_on_start: false,
        ..UpdaterConfig::default()
    };
    let updater = Updater::new(&config, "dev.millennium.upbench", "1.0.0", &installed).unwrap();
    let (mut check, mut download, mut verify, mut swap) = (vec![], vec![], vec![], vec![]);
    for run in 0..=RUNS {
        std::fs::copy(v1.join("upbench"), &installed).unwrap();
        let _ = std::fs::remove_file(installed_dir.join(".upbench.previous"));
        let t = Instant::now();
        let update = updater.check().unwrap().expect("2.0.0 is newer");
        let t_check = t.elapsed();
        let t = Instant::now();
        let bytes = updater.download(&update, &mut |_| {}).unwrap();
        let t_download = t.elapsed();
        let t = Instant::now();
        updater.verify(&update, &bytes).unwrap();
        let t_verify = t.elapsed();
        let t = Instant::now();
        install::swap(&installed, &installed_dir, &bytes).unwrap();
        let t_swap = t.elapsed();
        assert_eq!(std::fs::read(&installed).unwrap(), v2_exe);
        if run == 0 {
            continue; // warm-up
        }
        check.push(t_check);
        download.push(t_download);
        verify.push(t_verify);
        swap.push(t_swap);
    }
    let steps = [
        ("check (manifest)", median(&mut check)),
        ("download", median(&mut download)),
        (
            "verify (signature, comment, sha256, payload)",
            median(&mut verify),
        ),
        (
            "swap (write, fsync, keep previous, rename)",
            median(&mut swap),
        ),
    ];
    let total: Duration = steps.iter().map(|(_, d)| *d).sum();
    println!();
    println!(
        "update of a {:.1} MiB app from 127.0.0.1 (release host, median of {RUNS})",
        v2_exe.len() as f64 / (1024.0 * 1024.0)
    );
    println!();
    println!("| step | time | share |");
    println!("|---|---:|---:|");
    for (step, time) in steps {
        println!(
            "| {step} | {:.1} ms | {:.0}% |",
            time.as_secs_f64() * 1000.0,
            100.0 * time.as_secs_f64() / total.as_secs_f64()
        );
    }
    println!("| total | {:.1} ms | 100% |", total.as_secs_f64() * 1000.0);
}

fn run(command: &mut Command) {
    let output = command.output().expect("run millennium");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The manifest and the executable, set once they are built.
type ServedFiles = Arc<OnceLock<(Arc<Vec<u8>>, Arc<Vec<u8>>)>>;

/// Serves `/latest.json` and anything else as the executable, once `files`
/// (manifest, executable) are set.
fn serve(files: ServedFiles) -> HttpServer {
    HttpServer::start(move |request| {
        let Some((manifest, executable)) = files.get() else {
            return respond(request, reply(503, "text/plain", "not yet"));
        };
        let body = if request.url() == "/latest.json" {
            manifest
        } else {
            executable
        };
        respond(request, reply_shared(200, "application/octet-stream", body));
    })
}
