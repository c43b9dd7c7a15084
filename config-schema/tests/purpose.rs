//! A Vite-style app has no built frontend directory while its dev server
//! runs: `millennium dev` must start anyway, while `check` and packaging
//! still insist on the directory.

use millennium_config::{Purpose, load_str_for};

const DEV_URL_APP: &str = "[app]\nname = \"Vite\"\nidentifier = \"com.example.vite\"\n\
                           dev-url = \"http://127.0.0.1:5173\"\n\n[[windows]]\nurl = \"settings.html\"\n";

fn empty_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("millennium-purpose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn dev_server_purpose_does_not_need_the_frontend_dir() {
    let dir = empty_dir();
    assert!(load_str_for(DEV_URL_APP, &dir, Purpose::DevServer).is_ok());
    let errors = load_str_for(DEV_URL_APP, &dir, Purpose::Frontend).unwrap_err();
    assert!(
        errors[0]
            .message
            .contains("frontend directory `dist` does not exist"),
        "{errors:?}"
    );
}

#[test]
fn dev_server_purpose_without_a_dev_url_still_needs_the_frontend_dir() {
    let text = DEV_URL_APP.replace("dev-url = \"http://127.0.0.1:5173\"\n", "");
    let errors = load_str_for(&text, &empty_dir(), Purpose::DevServer).unwrap_err();
    assert!(errors[0].message.contains("does not exist"), "{errors:?}");
}

#[test]
fn dev_server_purpose_keeps_every_other_rule() {
    let text = DEV_URL_APP.replace("url = \"settings.html\"", "url = \"../escape.html\"");
    let errors = load_str_for(&text, &empty_dir(), Purpose::DevServer).unwrap_err();
    assert!(
        errors[0]
            .message
            .contains("must be a path inside the frontend directory"),
        "{errors:?}"
    );
}
