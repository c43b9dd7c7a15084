//! `make bench`, third part: what `[app] single-instance` costs a first
//! launch (taking the lock and listening), and what a later launch takes to
//! hand its arguments over and be answered, in-process against a copy that
//! listens. Medians of many rounds; never asserts a time.

use std::time::Instant;

use millennium_host::instance::{Claim, Forwarded, claim};

const ROUNDS: usize = 200;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes; this is not a test.
    }
    let runtime =
        std::env::temp_dir().join(format!("millennium-bench-launch-{}", std::process::id()));
    std::fs::create_dir_all(&runtime).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    // SAFETY: set before any thread is started.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", &runtime) };
    let forwarded = Forwarded {
        args: vec!["--theme".to_owned(), "dark".to_owned(), "a.md".to_owned()],
        cwd: "/".to_owned(),
    };

    // A first launch: claim, then let go (the lock goes with the file).
    let mut first = Vec::new();
    for i in 0..ROUNDS {
        let identifier = format!("dev.millennium.bench{i}");
        let start = Instant::now();
        let claimed = claim(&identifier, &forwarded).expect("claim");
        first.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(matches!(claimed, Claim::First(_)));
    }

    // Later launches against one copy that listens.
    let Claim::First(listening) = claim("dev.millennium.bench-listen", &forwarded).expect("claim")
    else {
        panic!("the lock is taken");
    };
    let (got, received) = std::sync::mpsc::channel();
    listening.listen(move |f| {
        let _ = got.send(f);
    });
    let mut later = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let handed = claim("dev.millennium.bench-listen", &forwarded).expect("hand over");
        later.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(matches!(handed, Claim::Handed));
        assert_eq!(received.recv().unwrap(), forwarded);
    }
    let _ = std::fs::remove_dir_all(&runtime);
    println!();
    println!("| single instance | median | goal |");
    println!("|---|---:|---|");
    println!(
        "| first launch: take the lock and listen | {:.3} ms | < 5 ms |",
        median(&mut first)
    );
    println!(
        "| later launch: hand over and be answered | {:.3} ms | - |",
        median(&mut later)
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
