//! Releases refused before anything is installed: tampered bytes, an
//! unknown key, an old signature, a downgrade, another app's or target's
//! signature.

use super::*;

#[test]
fn binary_tampered_after_signing_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("tampered");
    let key = fixture.key_a.public.clone();
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    // One byte of the host part changed; the payload at the end stays valid,
    // and the manifest's size and sha256 describe the modified file, so only
    // the signature can tell.
    let mut tampered = v2.bytes.to_vec();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x5a;
    let manifest = fixture.manifest_for("2.0.0", &v2.signature, &tampered);
    fixture
        .server
        .serve(ok_json(manifest), ok_file(&Arc::new(tampered)));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "tampered binary",
        &attempt,
        &["update refused", "not valid under any key"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn signature_by_an_unknown_key_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("unknown-key");
    let key_c = keygen(&fixture.scratch, "c");
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key_c.public], &key_c);
    fixture
        .server
        .serve(ok_json(v2.latest.clone()), ok_file(&v2.bytes));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "unknown key",
        &attempt,
        &["update refused", "not valid under any key"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn old_v1_signature_served_under_version_3_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("replay");
    // v1's own bytes and genuine signature, announced as 3.0.0.
    let manifest = fixture.manifest_for("3.0.0", &v1.signature, &v1.bytes);
    fixture.server.serve(ok_json(manifest), ok_file(&v1.bytes));

    let driven = launch(&installed);
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "old v1 signature under 3.0.0",
        &attempt,
        &["update refused", "version 1.0.0"],
        &installed,
        &v1.bytes,
    );
}

#[test]
fn properly_signed_downgrade_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("downgrade");
    let key = fixture.key_a.public.clone();
    let old = fixture.release("v0.9", "0.9.0", IDENTIFIER, &[&key], &fixture.key_a);
    fixture
        .server
        .serve(ok_json(old.latest.clone()), ok_file(&old.bytes));

    let driven = launch(&installed);
    let check = check_update(&driven).unwrap_or_else(|e| {
        panic!("downgrade: checkUpdate() must resolve {{shouldUpdate: false}}, it rejected: {e}")
    });
    assert_eq!(
        check["shouldUpdate"],
        json!(false),
        "downgrade: checkUpdate() must not offer 0.9.0 to 1.0.0: {check}"
    );
    fixture.server.clear_requests();
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "downgrade",
        &attempt,
        &["no update available"],
        &installed,
        &v1.bytes,
    );
    fixture.server.assert_nothing_downloaded("downgrade");
}

#[test]
fn signature_for_another_app_or_another_target_is_refused() {
    require_gui!();
    let _gui = gui_lock();
    let (fixture, v1, installed) = setup("other");
    let key = fixture.key_a.public.clone();
    // Another app, same key, genuine 2.0.0 signature (`millennium sign`
    // refuses --app that differs from the payload, so it is built as such).
    let other_app = fixture.release(
        "other-app",
        "2.0.0",
        "dev.millennium.otherapp",
        &[&key],
        &fixture.key_a,
    );
    // Our v2, signed for linux-aarch64, served as this machine's platform.
    let v2 = fixture.release("v2", "2.0.0", IDENTIFIER, &[&key], &fixture.key_a);
    let copy = fixture.scratch.0.join("v2-other-target");
    std::fs::copy(&v2.exe, &copy).expect("copy v2");
    let other_target_signature = fixture.sign_for_target(&copy, &fixture.key_a, "linux-aarch64");
    assert!(
        other_target_signature.contains("target=linux-aarch64"),
        "{other_target_signature}"
    );

    let driven = launch(&installed);

    fixture.server.serve(
        ok_json(fixture.manifest_for("2.0.0", &other_app.signature, &other_app.bytes)),
        ok_file(&other_app.bytes),
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "signature for another app",
        &attempt,
        &["update refused", "app `"],
        &installed,
        &v1.bytes,
    );

    fixture.server.serve(
        ok_json(fixture.manifest_for("2.0.0", &other_target_signature, &v2.bytes)),
        ok_file(&v2.bytes),
    );
    let attempt = attempt_install(&driven, Duration::from_secs(60));
    assert_refused_unverified(
        "signature for another target",
        &attempt,
        &["update refused", "target `linux-aarch64`"],
        &installed,
        &v1.bytes,
    );
}
