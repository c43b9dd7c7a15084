//! A server that misbehaves: bodies longer than declared or endless, a
//! stall, a broken manifest, a truncated download.

use super::*;

#[test]
fn body_larger_than_declared_or_endless_is_refused_at_the_cap() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("oversized");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let driven = launch(&installed);

    // The manifest declares the real size; the body is 1 MiB longer (its
    // Content-Length says so): the valid prefix must not be accepted.
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Extra {
            body: v2.bytes.clone(),
            extra: 1024 * 1024,
        },
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "body 1 MiB larger than declared",
        &attempt,
        &["update refused", "larger than"],
        &installed,
        &v1.bytes,
    );

    // No Content-Length, and the body never ends.
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Endless {
            body: v2.bytes.clone(),
        },
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "endless body",
        &attempt,
        &["update refused", "larger than"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn server_stalling_mid_body_times_out_and_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("stall");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Stall {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(40));
    assert_refused_unverified(
        "stalled body",
        &attempt,
        &["update refused", "stalled"],
        &installed,
        &v1.bytes,
    );
    assert!(
        attempt.elapsed < Duration::from_secs(15),
        "stalled body: with stall-timeout-secs = 2 the refusal must come within 15 s, \
         it took {:.1?}",
        attempt.elapsed
    );
}

#[test]
fn manifest_500_html_or_truncated_json_is_a_clear_error_and_no_update() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("bad-manifest");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let driven = launch(&installed);

    let truncated = v2.latest[..v2.latest.len() / 2].to_vec();
    let cases: [(&str, Reply, &str); 3] = [
        (
            "manifest answered 500",
            Reply::Body {
                status: 500,
                content_type: "text/plain",
                body: Arc::new(b"internal error".to_vec()),
            },
            "500",
        ),
        (
            "HTML instead of JSON",
            Reply::Body {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: Arc::new(
                    b"<!doctype html><html><head><title>Welcome</title></head><body>Login</body></html>"
                        .to_vec(),
                ),
            },
            "not a valid update manifest",
        ),
        (
            "truncated JSON",
            ok_json(truncated),
            "not a valid update manifest",
        ),
    ];
    for (row, manifest, needle) in cases {
        fixture.server.serve(manifest, ok_file(&v2.bytes));
        fixture.server.clear_requests();
        match check_update(&driven) {
            Err(message) => assert!(
                message.contains(needle),
                "{row}: checkUpdate() must reject with a message containing {needle:?}, got {message:?}"
            ),
            Ok(value) => panic!("{row}: checkUpdate() must reject, it resolved {value}"),
        }
        let attempt = attempt_install(&driven, Duration::from_secs(60));
        assert_refused_unverified(row, &attempt, &[needle], &installed, &v1.bytes);
        fixture.server.assert_nothing_downloaded(row);
    }
}

#[test]
fn truncated_download_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("truncated");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture.server.serve(
        ok_json(v2.latest.clone()),
        Reply::Truncated {
            body: v2.bytes.clone(),
        },
    );

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "truncated download",
        &attempt,
        &["update refused", "ended after"],
        &installed,
        &v1.bytes,
    );
}
