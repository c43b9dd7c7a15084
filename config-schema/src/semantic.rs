//! Rules the schema cannot express: across fields (unique labels, min <= max),
//! against the file system (frontend dir, window pages, icon), and on the
//! mini-languages inside strings (semver, globs, regexes, URLs, CSP, keys).

use std::collections::HashSet;
use std::path::Path;

use crate::base_dir::BaseDirectory;
use crate::csp;
use crate::diagnostic::{Diagnostic, Stage};
use crate::model::{
    Config, Csp, ENDPOINT_VARIABLES, FsScope, HookCommand, ShellArg, ShellArgs, ShellOpen,
    SidecarArg,
};
use crate::source::{SourceMap, escape};

mod desktop;

/// Runs every rule. `base_dir` is the directory of the `millennium.toml`.
/// `pages_on_disk` is false when a dev server serves the pages, so the
/// frontend directory and window pages need not exist.
pub fn check(
    config: &Config,
    base_dir: &Path,
    map: &SourceMap,
    pages_on_disk: bool,
) -> Vec<Diagnostic> {
    let mut checker = Checker {
        map,
        out: Vec::new(),
    };
    checker.app(config, base_dir, pages_on_disk);
    checker.windows(config, base_dir, pages_on_disk);
    checker.allowlist(config);
    checker.security(config);
    checker.updater(config);
    checker.bundle(config, base_dir);
    checker.sidecars(config, base_dir);
    checker.desktop(config, base_dir, pages_on_disk);
    if let Some(cli) = &config.cli {
        checker.cli(cli, "/cli", 0);
    }
    checker.out
}

struct Checker<'a> {
    map: &'a SourceMap,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Records a problem at `pointer` (pointing at the value when `on_value`).
    fn report(&mut self, pointer: &str, message: String, label: &str, hint: Option<String>) {
        let mut diagnostic = Diagnostic::new(Stage::Semantic, self.map.display(pointer), message)
            .with_span(self.map.value_span(pointer))
            .with_label(label);
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.out.push(diagnostic);
    }

    /// `[app] before-*-command`: a command line, run inside the app.
    fn hook(&mut self, key: &str, hook: &HookCommand, base_dir: &Path, example: &str) {
        let cwd = hook.cwd();
        if hook.script().trim().is_empty() {
            self.report(
                &format!("/app/{key}"),
                format!("{key} is empty"),
                "empty",
                Some(format!("e.g. `{example}`")),
            );
        }
        if Path::new(cwd).is_absolute() || leaves_app_dir(base_dir, cwd) {
            self.report(
                &format!("/app/{key}/cwd"),
                format!("the directory `{cwd}` is not inside the app's directory"),
                "outside the app",
                Some(format!("write it relative to {}", display_dir(base_dir))),
            );
        } else if !cwd.is_empty() && !base_dir.join(cwd).is_dir() {
            self.report(
                &format!("/app/{key}/cwd"),
                format!("the directory `{cwd}` does not exist"),
                "no such directory",
                Some(format!("it is relative to {}", display_dir(base_dir))),
            );
        }
    }

    fn app(&mut self, config: &Config, base_dir: &Path, pages_on_disk: bool) {
        let app = &config.app;
        if let Err(error) = semver::Version::parse(&app.version) {
            self.report(
                "/app/version",
                format!("`{}` is not a semantic version: {error}", app.version),
                "not semver",
                Some("use MAJOR.MINOR.PATCH, e.g. `1.0.0` or `0.2.0-beta.1`".to_owned()),
            );
        }
        let frontend = base_dir.join(&app.frontend);
        if Path::new(&app.frontend).is_absolute() {
            self.report(
                "/app/frontend",
                "the frontend directory must be relative to millennium.toml".to_owned(),
                "absolute path",
                Some(format!("write it relative to {}", display_dir(base_dir))),
            );
        } else if leaves_app_dir(base_dir, &app.frontend) {
            // A hostile repository's toml could otherwise pack, serve or
            // watch the developer's home directory.
            self.report(
                "/app/frontend",
                format!(
                    "the frontend directory `{}` is outside the app's directory",
                    app.frontend
                ),
                "outside the app",
                Some(format!(
                    "put the frontend inside {} (everything in it is packed into the app)",
                    display_dir(base_dir)
                )),
            );
        } else if pages_on_disk && !frontend.is_dir() {
            let what = if frontend.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            self.report(
                "/app/frontend",
                format!("frontend directory `{}` {what}", app.frontend),
                what,
                Some(format!(
                    "create it next to millennium.toml (in {}) or build your frontend first",
                    display_dir(base_dir)
                )),
            );
        }
        if let Some(hook) = &app.before_build_command {
            self.hook("before-build-command", hook, base_dir, "npm run build");
        }
        if let Some(hook) = &app.before_dev_command {
            self.hook("before-dev-command", hook, base_dir, "npm run dev");
        }
        if let Some(dev_url) = &app.dev_url {
            match url::Url::parse(dev_url) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
                Ok(url) => self.report(
                    "/app/dev-url",
                    format!(
                        "dev-url must be an http:// or https:// URL, not `{}:`",
                        url.scheme()
                    ),
                    "unsupported scheme",
                    Some("e.g. `http://127.0.0.1:5173`".to_owned()),
                ),
                Err(error) => self.report(
                    "/app/dev-url",
                    format!("`{dev_url}` is not a URL: {error}"),
                    "invalid URL",
                    Some("e.g. `http://127.0.0.1:5173`".to_owned()),
                ),
            }
        }
    }

    fn windows(&mut self, config: &Config, base_dir: &Path, pages_on_disk: bool) {
        let frontend = base_dir.join(&config.app.frontend);
        // A frontend outside the app is reported on `app.frontend` already.
        let pages_on_disk = pages_on_disk && !leaves_app_dir(base_dir, &config.app.frontend);
        let mut labels: HashSet<&str> = HashSet::new();
        for (index, window) in config.windows.iter().enumerate() {
            let at = |key: &str| format!("/windows/{index}/{key}");
            if !labels.insert(&window.label) {
                self.report(
                    &at("label"),
                    format!("window label `{}` is used twice", window.label),
                    "duplicate label",
                    Some("every window needs its own label".to_owned()),
                );
            }
            self.window_url(
                &window.url,
                &at("url"),
                pages_on_disk.then_some(frontend.as_path()),
            );
            for (axis, min, max, size) in [
                ("width", window.min_width, window.max_width, window.width),
                (
                    "height",
                    window.min_height,
                    window.max_height,
                    window.height,
                ),
            ] {
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    self.report(
                        &at(&format!("min-{axis}")),
                        format!("min-{axis} ({min}) is larger than max-{axis} ({max})"),
                        "larger than the maximum",
                        None,
                    );
                    continue;
                }
                let default = if self.map.get(&at(axis)).is_none() {
                    " (the default)"
                } else {
                    ""
                };
                let problem = match (min, max) {
                    (Some(min), _) if size < min => Some(format!(
                        "{axis} {size}{default} is smaller than min-{axis} {min}"
                    )),
                    (_, Some(max)) if size > max => Some(format!(
                        "{axis} {size}{default} is larger than max-{axis} {max}"
                    )),
                    _ => None,
                };
                if let Some(message) = problem {
                    self.report(
                        &at(axis),
                        message,
                        "out of bounds",
                        Some(format!("set `{axis}` between min-{axis} and max-{axis}")),
                    );
                }
            }
            match (window.x, window.y) {
                (Some(_), None) | (None, Some(_)) => {
                    let given = if window.x.is_some() { "x" } else { "y" };
                    self.report(
                        &at(given),
                        "give both `x` and `y`, or neither".to_owned(),
                        "only one coordinate",
                        None,
                    );
                }
                (Some(_), Some(_)) if window.center => self.report(
                    &at("center"),
                    "`center = true` conflicts with `x`/`y`".to_owned(),
                    "conflicts with x/y",
                    Some("remove `center` or the position".to_owned()),
                ),
                _ => {}
            }
        }
    }

    /// `frontend` is `None` when a dev server serves the pages.
    fn window_url(&mut self, url: &str, pointer: &str, frontend: Option<&Path>) {
        if url.contains("://") {
            self.remote_url(url, pointer, "window url");
            return;
        }
        let path = url.split(['?', '#']).next().unwrap_or_default();
        if path.starts_with('/') || path.split('/').any(|part| part == "..") {
            self.report(
                pointer,
                format!("window url `{url}` must be a path inside the frontend directory"),
                "leaves the frontend directory",
                Some("write it relative to the frontend directory, e.g. `index.html`".to_owned()),
            );
            return;
        }
        let Some(frontend) = frontend.filter(|dir| dir.is_dir()) else {
            return; // served by a dev server, or already reported on `app.frontend`
        };
        let target = frontend.join(path);
        let page = if path.is_empty() || path.ends_with('/') || target.is_dir() {
            target.join("index.html")
        } else {
            target
        };
        if !page.is_file() {
            self.report(
                pointer,
                format!("window url `{url}`: {} does not exist", page.display()),
                "no such page",
                Some(
                    "create the page or fix the path; it is relative to the frontend directory"
                        .to_owned(),
                ),
            );
        }
    }

    fn remote_url(&mut self, text: &str, pointer: &str, what: &str) {
        self.remote_url_as(text, text, pointer, what);
    }

    /// Checks `text` but names `shown` (the URL as written, before placeholders
    /// were substituted) in messages.
    fn remote_url_as(&mut self, text: &str, shown: &str, pointer: &str, what: &str) {
        let text_shown = shown;
        match url::Url::parse(text) {
            Ok(url) if url.scheme() == "https" => {}
            Ok(url) if url.scheme() == "http" && is_loopback(&url) => {}
            Ok(url) => self.report(
                pointer,
                format!("{what} `{text_shown}` must use https://"),
                "not https",
                Some(if url.scheme() == "http" {
                    "plain http is only allowed for 127.0.0.1, ::1 and localhost".to_owned()
                } else {
                    format!("the `{}:` scheme is not supported here", url.scheme())
                }),
            ),
            Err(error) => self.report(
                pointer,
                format!("{what} `{text_shown}` is not a URL: {error}"),
                "invalid URL",
                None,
            ),
        }
    }

    fn allowlist(&mut self, config: &Config) {
        let allowlist = &config.allowlist;
        let scope_pointer = |scope: &FsScope, list: &str, index: usize| match scope {
            FsScope::Allow(_) => format!("/allowlist/fs/scope/{index}"),
            FsScope::Rules(_) => format!("/allowlist/fs/scope/{list}/{index}"),
        };
        for (list, globs) in [
            ("allow", allowlist.fs.scope.allow()),
            ("deny", allowlist.fs.scope.deny()),
        ] {
            for (index, glob) in globs.iter().enumerate() {
                let pointer = scope_pointer(&allowlist.fs.scope, list, index);
                self.fs_glob(glob, &pointer);
            }
        }
        for (index, glob) in allowlist.http.scope.iter().enumerate() {
            self.url_glob(glob, &format!("/allowlist/http/scope/{index}"));
        }
        if let ShellOpen::Pattern(pattern) = &allowlist.shell.open {
            self.regex(pattern, "/allowlist/shell/open");
        }
        let mut names: HashSet<&str> = HashSet::new();
        for (index, command) in allowlist.shell.scope.iter().enumerate() {
            if !names.insert(&command.name) {
                self.report(
                    &format!("/allowlist/shell/scope/{index}/name"),
                    format!("shell command name `{}` is used twice", command.name),
                    "duplicate name",
                    None,
                );
            }
            if command.cmd.contains('/') && !command.cmd.starts_with('/') {
                self.report(
                    &format!("/allowlist/shell/scope/{index}/cmd"),
                    format!(
                        "shell command `{}` runs the relative path `{}`, which depends on the directory the app is started from",
                        command.name, command.cmd
                    ),
                    "relative path",
                    Some("write a program name looked up in PATH, or an absolute path".to_owned()),
                );
            }
            for (env_index, name) in command.env.iter().enumerate() {
                if name.0.starts_with("LD_") {
                    self.report(
                        &format!("/allowlist/shell/scope/{index}/env/{env_index}"),
                        format!(
                            "`{}` may not be set by a page: the dynamic loader's variables load code into the program",
                            name.0
                        ),
                        "loads code",
                        None,
                    );
                }
            }
            if let Some(cwd) = &command.cwd {
                let pointer = format!("/allowlist/shell/scope/{index}/cwd");
                match BaseDirectory::split(cwd) {
                    Ok(Some(_)) => {}
                    Ok(None) if cwd.starts_with('/') => {}
                    Ok(None) => self.report(
                        &pointer,
                        format!("shell command `{}`: cwd `{cwd}` is relative", command.name),
                        "relative path",
                        Some("start it with a base directory such as `$APPDATA/` or write an absolute path".to_owned()),
                    ),
                    Err(name) => self.report(
                        &pointer,
                        format!("shell command `{}`: unknown base directory `${name}`", command.name),
                        "unknown variable",
                        None,
                    ),
                }
            }
            if let ShellArgs::List(args) = &command.args {
                for (arg_index, arg) in args.iter().enumerate() {
                    if let ShellArg::Validated(validator) = arg {
                        let pointer =
                            format!("/allowlist/shell/scope/{index}/args/{arg_index}/validator");
                        self.regex(&validator.validator, &pointer);
                    }
                }
            }
        }
    }

    fn fs_glob(&mut self, glob: &str, pointer: &str) {
        let expanded = match BaseDirectory::split(glob) {
            Ok(Some((_, rest))) => format!("/base{rest}"),
            Ok(None) if glob.starts_with('/') => glob.to_owned(),
            Ok(None) => {
                let hint = if glob.starts_with('~') {
                    "use `$HOME` instead of `~`".to_owned()
                } else {
                    "start it with a base directory such as `$APPDATA/` or write an absolute path"
                        .to_owned()
                };
                self.report(
                    pointer,
                    format!("scope path `{glob}` is relative"),
                    "relative path",
                    Some(hint),
                );
                return;
            }
            Err(name) => {
                let names = BaseDirectory::ALL.iter().map(|d| d.variable());
                let hint = crate::validate::nearest(&name, names).map_or_else(
                    || format!("known variables: {}", variable_list()),
                    |near| format!("did you mean `${near}`?"),
                );
                self.report(
                    pointer,
                    format!("unknown variable `${name}` in scope path"),
                    "unknown variable",
                    Some(hint),
                );
                return;
            }
        };
        if expanded.split('/').any(|part| part == "..") {
            self.report(
                pointer,
                format!("scope path `{glob}` contains `..`"),
                "contains ..",
                Some("write the directory you mean directly; paths are matched after `..` is resolved".to_owned()),
            );
            return;
        }
        let parts = expanded.split('/');
        let problem = parts
            .filter(|part| !part.is_empty() && *part != "." && *part != "**")
            .find_map(|part| crate::patterns::GlobPart::new(part).err());
        if let Some(problem) = problem {
            self.report(
                pointer,
                format!("invalid glob `{glob}`: {problem}"),
                "invalid glob",
                None,
            );
        }
    }

    fn url_glob(&mut self, glob: &str, pointer: &str) {
        let Some((scheme, rest)) = glob.split_once("://") else {
            self.report(
                pointer,
                format!("URL pattern `{glob}` has no scheme"),
                "missing scheme",
                Some("write the full URL, e.g. `https://api.example.com/**`".to_owned()),
            );
            return;
        };
        if !matches!(scheme, "http" | "https") {
            self.report(
                pointer,
                format!("URL pattern `{glob}` must start with http:// or https://"),
                "unsupported scheme",
                None,
            );
            return;
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() {
            self.report(
                pointer,
                format!("URL pattern `{glob}` has no host"),
                "missing host",
                None,
            );
            return;
        }
        // The host compiles it with this same matcher.
        if let Some(reason) = crate::url_glob::UrlGlobs::problem(glob) {
            self.report(
                pointer,
                format!("invalid URL pattern `{glob}`: {reason}"),
                "invalid glob",
                None,
            );
        }
    }

    fn regex(&mut self, pattern: &str, pointer: &str) {
        if let Err(detail) = crate::patterns::full_match(pattern) {
            self.report(
                pointer,
                format!("invalid regular expression: {detail}"),
                "invalid regex",
                None,
            );
        }
    }

    fn security(&mut self, config: &Config) {
        let security = &config.security;
        if let Some(policy) = &security.csp {
            let directives: Vec<(String, Vec<String>)> = match policy {
                Csp::Policy(text) => csp::parse_policy(text),
                Csp::Directives(map) => map
                    .iter()
                    .map(|(name, sources)| {
                        (
                            name.clone(),
                            sources.sources().into_iter().map(str::to_owned).collect(),
                        )
                    })
                    .collect(),
            };
            for problem in csp::check(&directives) {
                if problem.unsafe_script && security.dangerous_allow_unsafe_scripts {
                    continue;
                }
                let pointer = match policy {
                    Csp::Directives(_) if !problem.directive.is_empty() => {
                        format!("/security/csp/{}", escape(&problem.directive))
                    }
                    _ => "/security/csp".to_owned(),
                };
                self.report(&pointer, problem.message, "here", problem.hint);
            }
        }
        for (index, glob) in security.allowed_navigation.iter().enumerate() {
            self.url_glob(glob, &format!("/security/allowed-navigation/{index}"));
        }
        let labels: HashSet<&str> = config.windows.iter().map(|w| w.label.as_str()).collect();
        for (index, access) in security
            .dangerous_remote_domain_ipc_access
            .iter()
            .enumerate()
        {
            if access.host_and_port().is_none() {
                let hint = if access.domain.contains("://") {
                    "give only the host name, e.g. `app.example.com`, without a scheme"
                } else {
                    "a host name looks like `app.example.com`, with `:8080` when the port is not the default"
                };
                self.report(
                    &format!("/security/dangerous-remote-domain-ipc-access/{index}/domain"),
                    format!("`{}` is not a host name", access.domain),
                    "invalid domain",
                    Some(hint.to_owned()),
                );
            }
            for (window_index, label) in access.windows.iter().enumerate() {
                if !labels.contains(label.as_str()) {
                    self.report(
                        &format!("/security/dangerous-remote-domain-ipc-access/{index}/windows/{window_index}"),
                        format!("no window is labelled `{label}`"),
                        "unknown window",
                        Some(format!("declared labels: {}", sorted(&labels))),
                    );
                }
            }
            let granted: HashSet<&str> = config
                .allowlist
                .sidecar
                .scope
                .iter()
                .map(|g| g.name.as_str())
                .collect();
            for (sidecar_index, name) in access.sidecars.iter().enumerate() {
                if !granted.contains(name.as_str()) {
                    self.report(
                        &format!("/security/dangerous-remote-domain-ipc-access/{index}/sidecars/{sidecar_index}"),
                        format!("sidecar `{name}` is not in `[allowlist.sidecar] scope`, so no page may call it"),
                        "not granted",
                        Some(format!("granted sidecars: {}", sorted(&granted))),
                    );
                }
            }
        }
    }

    fn updater(&mut self, config: &Config) {
        let updater = &config.updater;
        if updater.active && updater.endpoints.is_empty() {
            self.report(
                "/updater",
                "the updater is active but has no endpoints".to_owned(),
                "no endpoints",
                Some("add `endpoints = [\"https://releases.example.com/{{target}}/{{arch}}/latest.json\"]`".to_owned()),
            );
        }
        if updater.active && updater.pubkeys.is_empty() {
            self.report(
                "/updater",
                "the updater is active but trusts no public key".to_owned(),
                "no pubkeys",
                Some("run `millennium keygen` and add the public key to `pubkeys`".to_owned()),
            );
        }
        for (index, endpoint) in updater.endpoints.iter().enumerate() {
            let pointer = format!("/updater/endpoints/{index}");
            let mut substituted = endpoint.clone();
            let mut rest = endpoint.as_str();
            let mut bad_variable = false;
            while let Some(start) = rest.find("{{") {
                let Some(len) = rest[start..].find("}}") else {
                    break;
                };
                let name = &rest[start + 2..start + len];
                if !ENDPOINT_VARIABLES.contains(&name) {
                    let hint = crate::validate::nearest(name, ENDPOINT_VARIABLES.iter().copied())
                        .map_or_else(
                            || "known: {{target}}, {{arch}}, {{current_version}}".to_owned(),
                            |n| format!("did you mean `{{{{{n}}}}}`?"),
                        );
                    self.report(
                        &pointer,
                        format!("unknown placeholder `{{{{{name}}}}}` in endpoint"),
                        "unknown placeholder",
                        Some(hint),
                    );
                    bad_variable = true;
                }
                substituted = substituted.replace(&format!("{{{{{name}}}}}"), "x");
                rest = &rest[start + len + 2..];
            }
            if !bad_variable {
                self.remote_url_as(&substituted, endpoint, &pointer, "endpoint");
            }
        }
        let mut seen = HashSet::new();
        for (index, key) in updater.pubkeys.iter().enumerate() {
            let pointer = format!("/updater/pubkeys/{index}");
            let line = key.trim();
            if let Err(error) = minisign_verify::PublicKey::from_base64(line) {
                let hint = if line.starts_with("untrusted comment:") {
                    "give only the second line of the .pub file (it starts with `RW`)"
                } else {
                    "paste the key line printed by `millennium keygen` (it starts with `RW`)"
                };
                self.report(
                    &pointer,
                    format!("public key does not decode: {error}"),
                    "not a minisign public key",
                    Some(hint.to_owned()),
                );
            } else if !seen.insert(line) {
                self.report(
                    &pointer,
                    "this public key is listed twice".to_owned(),
                    "duplicate key",
                    None,
                );
            }
        }
    }

    fn bundle(&mut self, config: &Config, base_dir: &Path) {
        let bundle = &config.bundle;
        let mut schemes = HashSet::new();
        for (index, scheme) in bundle.url_schemes.iter().enumerate() {
            let pointer = format!("/bundle/url-schemes/{index}");
            const TAKEN: &[&str] = &[
                "http",
                "https",
                "file",
                "ftp",
                "data",
                "about",
                "javascript",
                "blob",
                "ws",
                "wss",
                "mailto",
                "millennium",
            ];
            if TAKEN.contains(&scheme.0.as_str()) {
                self.report(
                    &pointer,
                    format!(
                        "`{}` is the browser's or the desktop's, not an app's own scheme",
                        scheme.0
                    ),
                    "reserved",
                    Some("choose a scheme of the app's own, e.g. its name".to_owned()),
                );
            } else if !schemes.insert(scheme.0.as_str()) {
                self.report(
                    &pointer,
                    format!("`{}` is listed twice", scheme.0),
                    "duplicate",
                    None,
                );
            }
        }
        let mut extensions = HashSet::new();
        for (index, association) in bundle.file_associations.iter().enumerate() {
            for (ext_index, extension) in association.extensions.iter().enumerate() {
                if !extensions.insert(extension.0.to_ascii_lowercase()) {
                    self.report(
                        &format!("/bundle/file-associations/{index}/extensions/{ext_index}"),
                        format!("`.{}` is associated twice", extension.0),
                        "duplicate",
                        None,
                    );
                }
            }
        }
        if let Some(icon) = &bundle.icon {
            let path = base_dir.join(icon);
            let mut magic = [0u8; 8];
            let read = std::fs::File::open(&path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic));
            match read {
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => self.report(
                    "/bundle/icon",
                    format!("icon `{icon}` does not exist"),
                    "no such file",
                    Some(format!("the path is relative to {}", display_dir(base_dir))),
                ),
                Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.report(
                        "/bundle/icon",
                        format!("icon `{icon}` is neither a PNG nor an SVG file"),
                        "not a PNG or SVG",
                        None,
                    );
                }
                Err(error) => self.report(
                    "/bundle/icon",
                    format!("cannot read icon `{icon}`: {error}"),
                    "unreadable",
                    None,
                ),
                Ok(()) if &magic != b"\x89PNG\r\n\x1a\n" && !looks_like_svg(icon, &magic) => self
                    .report(
                        "/bundle/icon",
                        format!("icon `{icon}` is neither a PNG nor an SVG file"),
                        "not a PNG or SVG",
                        Some("convert it, e.g. `convert icon.jpg icon.png`".to_owned()),
                    ),
                Ok(()) => {}
            }
        }
        if let Some(homepage) = &bundle.homepage {
            self.remote_url(homepage, "/bundle/homepage", "homepage");
        }
    }
}

impl Checker<'_> {
    /// `[[sidecars]]` and the grants that name them: unique names, packed
    /// files that exist inside the app and can run, no loader variables,
    /// grants of declared sidecars to declared windows.
    fn sidecars(&mut self, config: &Config, base_dir: &Path) {
        let mut names: HashSet<&str> = HashSet::new();
        for (index, sidecar) in config.sidecars.iter().enumerate() {
            let at = |key: &str| format!("/sidecars/{index}/{key}");
            if !names.insert(&sidecar.name) {
                self.report(
                    &at("name"),
                    format!("sidecar name `{}` is used twice", sidecar.name),
                    "duplicate name",
                    Some("every sidecar needs its own name".to_owned()),
                );
            }
            if sidecar.command_is_file() {
                self.sidecar_file(base_dir, &sidecar.command, &at("command"), true);
            }
            for (arg_index, arg) in sidecar.args.iter().enumerate() {
                if let SidecarArg::File(file) = arg {
                    let pointer = format!("/sidecars/{index}/args/{arg_index}/file");
                    self.sidecar_file(base_dir, &file.file, &pointer, false);
                }
            }
            for (env_index, name) in sidecar.env.iter().enumerate() {
                if name.0.starts_with("LD_") {
                    self.report(
                        &format!("/sidecars/{index}/env/{env_index}"),
                        format!(
                            "`{}` may not reach a sidecar: the dynamic loader's variables load code into it",
                            name.0
                        ),
                        "loads code",
                        None,
                    );
                }
            }
        }
        let labels: HashSet<&str> = config.windows.iter().map(|w| w.label.as_str()).collect();
        for (index, grant) in config.allowlist.sidecar.scope.iter().enumerate() {
            let at = |key: &str| format!("/allowlist/sidecar/scope/{index}/{key}");
            if !names.contains(grant.name.as_str()) {
                self.report(
                    &at("name"),
                    format!("no `[[sidecars]]` entry is named `{}`", grant.name),
                    "unknown sidecar",
                    Some(format!("declared sidecars: {}", sorted(&names))),
                );
            }
            for (method_index, method) in grant.methods.iter().enumerate() {
                if method.0.starts_with("rpc.") || method.0.starts_with("$/") {
                    self.report(
                        &format!("/allowlist/sidecar/scope/{index}/methods/{method_index}"),
                        format!(
                            "`{}` is a name the protocol reserves (`rpc.*` and `$/*`), not a method pages may call",
                            method.0
                        ),
                        "reserved",
                        None,
                    );
                }
            }
            for (window_index, label) in grant.windows.iter().flatten().enumerate() {
                if !labels.contains(label.as_str()) {
                    self.report(
                        &format!("/allowlist/sidecar/scope/{index}/windows/{window_index}"),
                        format!("no window is labelled `{label}`"),
                        "unknown window",
                        Some(format!("window labels: {}", sorted(&labels))),
                    );
                }
            }
        }
    }

    /// `[cli]` at `pointer` (a subcommand at depth `depth`): what clap
    /// would refuse (or panic on) is said here, at build time.
    fn cli(&mut self, cli: &crate::model::CliConfig, pointer: &str, depth: usize) {
        let mut names = HashSet::new();
        let mut shorts = HashSet::new();
        let mut indices = Vec::new();
        for (index, arg) in cli.args.iter().enumerate() {
            let at = |key: &str| format!("{pointer}/args/{index}/{key}");
            if !names.insert(arg.name.as_str()) {
                self.report(
                    &at("name"),
                    format!("two arguments are named `{}`", arg.name),
                    "duplicate",
                    None,
                );
            }
            if matches!(arg.name.as_str(), "help" | "version") {
                self.report(
                    &at("name"),
                    format!("`--{}` is built in", arg.name),
                    "reserved",
                    Some("every app has `--help` and `--version`; choose another name".to_owned()),
                );
            }
            if let Some(short) = &arg.short {
                if matches!(short.as_str(), "h" | "V") {
                    self.report(
                        &at("short"),
                        format!("`-{short}` is built in (`--help`, `--version`)"),
                        "reserved",
                        None,
                    );
                } else if !shorts.insert(short.as_str()) {
                    self.report(
                        &at("short"),
                        format!("two arguments have the short form `-{short}`"),
                        "duplicate",
                        None,
                    );
                }
            }
            if let Some(position) = arg.index {
                indices.push((position, index));
                if arg.short.is_some() {
                    self.report(
                        &at("short"),
                        "a positional argument (`index`) has no short form".to_owned(),
                        "positional",
                        None,
                    );
                }
            }
            let takes_value = arg.takes_value || arg.index.is_some();
            if !takes_value
                && (!arg.possible_values.is_empty()
                    || arg.min_values.is_some()
                    || arg.max_values.is_some())
            {
                self.report(
                    &at("name"),
                    format!("`{}` is a flag: `possible-values`, `min-values` and `max-values` need `takes-value = true`", arg.name),
                    "flag",
                    None,
                );
            }
            if let (Some(min), Some(max)) = (arg.min_values, arg.max_values)
                && min > max
            {
                self.report(
                    &at("min-values"),
                    format!("`min-values` ({min}) is more than `max-values` ({max})"),
                    "more than the most",
                    None,
                );
            }
            if arg.max_values == Some(0) {
                self.report(
                    &at("max-values"),
                    "`max-values` must be at least 1".to_owned(),
                    "zero",
                    None,
                );
            }
        }
        indices.sort_unstable();
        for (expected, (position, index)) in indices.iter().enumerate() {
            if *position != expected + 1 {
                self.report(
                    &format!("{pointer}/args/{index}/index"),
                    format!("positional arguments are numbered 1, 2, 3... without gaps or twins; expected {}", expected + 1),
                    "out of sequence",
                    None,
                );
                break;
            }
        }
        // A positional that takes any number of values must be the last,
        // and a required one cannot follow an optional one.
        let last = indices.len();
        let mut optional_before = false;
        for (n, (_, index)) in indices.iter().enumerate() {
            let arg = &cli.args[*index];
            if arg.multiple && n + 1 < last {
                self.report(
                    &format!("{pointer}/args/{index}/multiple"),
                    "only the last positional argument may take several values".to_owned(),
                    "not last",
                    None,
                );
            }
            if arg.required && optional_before {
                self.report(
                    &format!("{pointer}/args/{index}/required"),
                    "a required positional argument cannot follow an optional one".to_owned(),
                    "after an optional one",
                    None,
                );
            }
            optional_before |= !arg.required;
        }
        if depth >= 8 && !cli.subcommands.is_empty() {
            self.report(
                &format!("{pointer}/subcommands"),
                "subcommands nest at most 8 deep".to_owned(),
                "too deep",
                None,
            );
            return;
        }
        for (name, sub) in &cli.subcommands {
            let sub_pointer = format!("{pointer}/subcommands/{name}");
            let valid = name.len() <= 64
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid || name == "help" {
                self.report(
                    &sub_pointer,
                    format!("`{name}` cannot name a subcommand"),
                    "invalid name",
                    Some("a subcommand name is lower-case letters, digits and `-`, starting with a letter, and not `help`".to_owned()),
                );
            }
            self.cli(sub, &sub_pointer, depth + 1);
        }
    }

    /// A file a sidecar needs from the app's directory: inside it, a
    /// regular file, and (for the `command`) executable.
    fn sidecar_file(&mut self, base_dir: &Path, file: &str, pointer: &str, executable: bool) {
        if Path::new(file).is_absolute() || leaves_app_dir(base_dir, file) {
            self.report(
                pointer,
                format!("`{file}` is outside the app's directory"),
                "outside the app",
                Some(format!(
                    "put the sidecar's files inside {} (they are packed into the app)",
                    display_dir(base_dir)
                )),
            );
            return;
        }
        let path = base_dir.join(file);
        let meta = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta,
            Ok(_) => {
                return self.report(
                    pointer,
                    format!("`{file}` is not a regular file"),
                    "not a file",
                    None,
                );
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return self.report(
                    pointer,
                    format!("`{file}` does not exist"),
                    "missing file",
                    Some(format!("paths are relative to {}", display_dir(base_dir))),
                );
            }
            Err(error) => {
                return self.report(
                    pointer,
                    format!("`{file}` cannot be read: {}", error.kind()),
                    "unreadable",
                    None,
                );
            }
        };
        use std::os::unix::fs::PermissionsExt;
        if executable && meta.permissions().mode() & 0o111 == 0 {
            self.report(
                pointer,
                format!("`{file}` is not executable"),
                "not executable",
                Some(format!(
                    "run `chmod +x {file}`, or run it with its interpreter: `command = \"python3\"`, \
                     `args = [{{ file = \"{file}\" }}]`"
                )),
            );
        }
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn display_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        dir.display().to_string()
    }
}

fn variable_list() -> String {
    BaseDirectory::ALL
        .iter()
        .map(|d| format!("${}", d.variable()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sorted(labels: &HashSet<&str>) -> String {
    let mut labels: Vec<&str> = labels.iter().copied().collect();
    labels.sort_unstable();
    labels.join(", ")
}

/// Whether `frontend` (relative) names a directory outside `base_dir`: by
/// `..` in the text, or through a symlink that leads out.
fn leaves_app_dir(base_dir: &Path, frontend: &str) -> bool {
    let lexical = Path::new(frontend)
        .components()
        .try_fold(0usize, |depth, part| match part {
            std::path::Component::ParentDir => depth.checked_sub(1),
            std::path::Component::Normal(_) => Some(depth + 1),
            _ => Some(depth),
        });
    if lexical.is_none() {
        return true;
    }
    match (
        base_dir.canonicalize(),
        base_dir.join(frontend).canonicalize(),
    ) {
        (Ok(base), Ok(dir)) => !dir.starts_with(base),
        // Not there (yet): the lexical check is all there is.
        _ => false,
    }
}

/// An SVG (or gzipped SVGZ) by its name or its first bytes; `millennium
/// build` reads it in full.
fn looks_like_svg(name: &str, magic: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".svg")
        || lower.ends_with(".svgz")
        || magic.starts_with(b"<")
        || magic.starts_with(b"\xef\xbb\xbf<")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (security review): `frontend = ".."` packed, served and
    /// watched the directory above the app (a hostile repository's toml
    /// could reach the developer's home).
    #[test]
    fn a_frontend_outside_the_app_directory_is_refused() {
        let base = std::env::temp_dir().join(format!("millennium-leaves-{}", std::process::id()));
        let app = base.join("app");
        std::fs::create_dir_all(app.join("dist")).unwrap();
        std::fs::create_dir_all(base.join("elsewhere")).unwrap();
        let _ = std::fs::remove_file(app.join("linked"));
        std::os::unix::fs::symlink(base.join("elsewhere"), app.join("linked")).unwrap();
        for outside in [
            "..",
            "../app",
            "dist/../..",
            "../elsewhere",
            "linked",
            "./../x",
        ] {
            assert!(leaves_app_dir(&app, outside), "{outside}");
        }
        for inside in [".", "dist", "./dist", "dist/../dist", "not-yet-built"] {
            assert!(!leaves_app_dir(&app, inside), "{inside}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }
}
