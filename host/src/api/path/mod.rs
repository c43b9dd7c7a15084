//! `Millennium.path`: the base directories behind `$APPDATA`-style variables,
//! and lexical path helpers (no file system access, like Node's `path`).

use std::path::{Component, Path, PathBuf};

use millennium_config::BaseDirectory;
use millennium_config::model::{AllowlistKey, PathAllowlist};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, Call, Route, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{DecodeError, parse};
use crate::ipc::{Admitted, Output};

/// `Millennium.path`.
#[derive(Debug, Clone, PartialEq)]
pub enum PathCommand {
    /// `appDataDir()`, `homeDir()`, ...: one base directory.
    BaseDir(BaseDirectory),
    /// `resolve(...paths)`: absolute, normalised.
    Resolve(Vec<String>),
    /// `normalize(path)`.
    Normalize(String),
    /// `join(...paths)`.
    Join(Vec<String>),
    /// `dirname(path)`.
    Dirname(String),
    /// `extname(path)`.
    Extname(String),
    /// `basename(path, ext?)`.
    Basename(String, Option<String>),
    /// `isAbsolute(path)`.
    IsAbsolute(String),
}

impl Api for PathCommand {
    type State = PathContext;

    const SURFACE: Surface = Surface {
        members: &["sep", "delimiter", "appDataDir", "appLogDir", "homeDir", "resourceDir", "resolve", "normalize", "join", "dirname", "extname", "basename", "isAbsolute"],
        samples: &[
            sample("path.audioDir", "{}", "Millennium.path.audioDir()"),
            sample("path.cacheDir", "{}", "Millennium.path.cacheDir()"),
            sample("path.configDir", "{}", "Millennium.path.configDir()"),
            sample("path.dataDir", "{}", "Millennium.path.dataDir()"),
            sample("path.localDataDir", "{}", "Millennium.path.localDataDir()"),
            sample("path.desktopDir", "{}", "Millennium.path.desktopDir()"),
            sample("path.documentDir", "{}", "Millennium.path.documentDir()"),
            sample("path.downloadDir", "{}", "Millennium.path.downloadDir()"),
            sample("path.executableDir", "{}", "Millennium.path.executableDir()"),
            sample("path.fontDir", "{}", "Millennium.path.fontDir()"),
            sample("path.homeDir", "{}", "Millennium.path.homeDir()"),
            sample("path.pictureDir", "{}", "Millennium.path.pictureDir()"),
            sample("path.publicDir", "{}", "Millennium.path.publicDir()"),
            sample("path.runtimeDir", "{}", "Millennium.path.runtimeDir()"),
            sample("path.templateDir", "{}", "Millennium.path.templateDir()"),
            sample("path.videoDir", "{}", "Millennium.path.videoDir()"),
            sample("path.resourceDir", "{}", "Millennium.path.resourceDir()"),
            sample("path.tempDir", "{}", "Millennium.path.tempDir()"),
            sample("path.appConfigDir", "{}", "Millennium.path.appConfigDir()"),
            sample("path.appDataDir", "{}", "Millennium.path.appDataDir()"),
            sample("path.appLocalDataDir", "{}", "Millennium.path.appLocalDataDir()"),
            sample("path.appCacheDir", "{}", "Millennium.path.appCacheDir()"),
            sample("path.appLogDir", "{}", "Millennium.path.appLogDir()"),
            sample("path.resolve", r#"{"paths":["/a","b"]}"#, "Millennium.path.resolve('/a', 'b')"),
            sample("path.join", r#"{"paths":["a","b"]}"#, "Millennium.path.join('a', 'b')"),
            sample("path.normalize", r#"{"path":"/a/../b"}"#, "Millennium.path.normalize('/a/../b')"),
            sample("path.dirname", r#"{"path":"/a/b"}"#, "Millennium.path.dirname('/a/b')"),
            sample("path.extname", r#"{"path":"a.md"}"#, "Millennium.path.extname('a.md')"),
            sample("path.basename", r#"{"path":"/a/b.md","ext":".md"}"#, "Millennium.path.basename('/a/b.md', '.md')"),
            sample("path.isAbsolute", r#"{"path":"/a"}"#, "Millennium.path.isAbsolute('/a')"),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<PathContext, ContextError> {
        Ok(setup.paths.clone())
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<PathCommand, DecodeError> {
        decode_path(cmd, function, args)
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        &[PathAllowlist::resolve]
    }

    fn route(&self) -> Route {
        Route::Inline
    }

    fn run(admitted: Admitted<PathCommand>, call: &Call<'_>) -> Result<Output, String> {
        let paths = call.ctx.state(&admitted);
        paths.handle(admitted.command()).map(Output::Json)
    }
}

/// Base directory functions, named as in Tauri v1's `path` module.
const BASE_DIR_FUNCTIONS: &[(&str, BaseDirectory)] = &[
    ("audioDir", BaseDirectory::Audio),
    ("cacheDir", BaseDirectory::Cache),
    ("configDir", BaseDirectory::Config),
    ("dataDir", BaseDirectory::Data),
    ("localDataDir", BaseDirectory::LocalData),
    ("desktopDir", BaseDirectory::Desktop),
    ("documentDir", BaseDirectory::Document),
    ("downloadDir", BaseDirectory::Download),
    ("executableDir", BaseDirectory::Executable),
    ("fontDir", BaseDirectory::Font),
    ("homeDir", BaseDirectory::Home),
    ("pictureDir", BaseDirectory::Picture),
    ("publicDir", BaseDirectory::Public),
    ("runtimeDir", BaseDirectory::Runtime),
    ("templateDir", BaseDirectory::Template),
    ("videoDir", BaseDirectory::Video),
    ("resourceDir", BaseDirectory::Resource),
    ("tempDir", BaseDirectory::Temp),
    ("appConfigDir", BaseDirectory::AppConfig),
    ("appDataDir", BaseDirectory::AppData),
    ("appLocalDataDir", BaseDirectory::AppLocalData),
    ("appCacheDir", BaseDirectory::AppCache),
    ("appLogDir", BaseDirectory::AppLog),
];

fn decode_path(cmd: &str, function: &str, args: Value) -> Result<PathCommand, DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct One {
        path: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Many {
        paths: Vec<String>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Base {
        path: String,
        #[serde(default)]
        ext: Option<String>,
    }
    if let Some((_, dir)) = BASE_DIR_FUNCTIONS.iter().find(|(f, _)| *f == function) {
        return Ok(PathCommand::BaseDir(*dir));
    }
    Ok(match function {
        "resolve" => PathCommand::Resolve(parse::<Many>(cmd, args)?.paths),
        "join" => PathCommand::Join(parse::<Many>(cmd, args)?.paths),
        "normalize" => PathCommand::Normalize(parse::<One>(cmd, args)?.path),
        "dirname" => PathCommand::Dirname(parse::<One>(cmd, args)?.path),
        "extname" => PathCommand::Extname(parse::<One>(cmd, args)?.path),
        "isAbsolute" => PathCommand::IsAbsolute(parse::<One>(cmd, args)?.path),
        "basename" => {
            let a = parse::<Base>(cmd, args)?;
            PathCommand::Basename(a.path, a.ext)
        }
        _ => return Err(crate::ipc::decode::unknown(cmd)),
    })
}


/// What the base directories depend on besides the user's environment.
#[derive(Debug, Clone)]
pub struct PathContext {
    /// `[app] identifier`, naming the app's own directories.
    pub identifier: String,
    /// The app's resources (`$RESOURCE`): its directory in the generic host.
    pub resource_dir: PathBuf,
}

impl PathContext {
    /// Where a base directory is on this machine, if it has one: absolute,
    /// with the symlinks in the part that exists resolved, since the fs API
    /// follows no symlink in a path a page gives it.
    pub fn base_dir(&self, dir: BaseDirectory) -> Option<PathBuf> {
        let found = self.raw_base_dir(dir)?;
        Some(crate::api::fs::canonicalize_lenient(&found.to_string_lossy(), None).unwrap_or(found))
    }

    fn raw_base_dir(&self, dir: BaseDirectory) -> Option<PathBuf> {
        let app = |base: Option<PathBuf>| base.map(|b| b.join(&self.identifier));
        match dir {
            BaseDirectory::Audio => dirs::audio_dir(),
            BaseDirectory::Cache => dirs::cache_dir(),
            BaseDirectory::Config => dirs::config_dir(),
            BaseDirectory::Data => dirs::data_dir(),
            BaseDirectory::LocalData => dirs::data_local_dir(),
            BaseDirectory::Desktop => dirs::desktop_dir(),
            BaseDirectory::Document => dirs::document_dir(),
            BaseDirectory::Download => dirs::download_dir(),
            BaseDirectory::Executable => dirs::executable_dir(),
            BaseDirectory::Font => dirs::font_dir(),
            BaseDirectory::Home => dirs::home_dir(),
            BaseDirectory::Picture => dirs::picture_dir(),
            BaseDirectory::Public => dirs::public_dir(),
            BaseDirectory::Runtime => dirs::runtime_dir(),
            BaseDirectory::Template => dirs::template_dir(),
            BaseDirectory::Video => dirs::video_dir(),
            BaseDirectory::Resource => Some(self.resource_dir.clone()),
            BaseDirectory::Temp => Some(std::env::temp_dir()),
            BaseDirectory::AppConfig => app(dirs::config_dir()),
            BaseDirectory::AppData => app(dirs::data_dir()),
            BaseDirectory::AppLocalData => app(dirs::data_local_dir()),
            BaseDirectory::AppCache => app(dirs::cache_dir()),
            BaseDirectory::AppLog => app(dirs::data_dir()).map(|d| d.join("logs")),
        }
    }

    /// The webview's profile (cookies, local storage, cache), which no fs
    /// scope can reach.
    pub fn webview_profile(&self) -> Option<PathBuf> {
        dirs::data_local_dir().map(|d| d.join(&self.identifier).join("webview"))
    }

    /// Answers one `path` command.
    pub fn handle(&self, command: &PathCommand) -> Result<Value, String> {
        Ok(match command {
            PathCommand::BaseDir(dir) => match self.base_dir(*dir) {
                Some(path) => json!(path),
                None => {
                    return Err(format!(
                        "${} has no directory on this system",
                        dir.variable()
                    ));
                }
            },
            PathCommand::Resolve(paths) => {
                let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
                let mut joined = cwd;
                for p in paths {
                    joined.push(p);
                }
                json!(normalize(&joined))
            }
            PathCommand::Join(paths) => {
                // Node's join concatenates with `/` (an absolute part after
                // the first does not reset it), then normalises; a leading
                // `/` of the first part is kept.
                let parts: Vec<&str> = paths
                    .iter()
                    .map(String::as_str)
                    .filter(|p| !p.is_empty())
                    .collect();
                if parts.is_empty() {
                    json!(".")
                } else {
                    json!(normalize(Path::new(&parts.join("/"))))
                }
            }
            PathCommand::Normalize(p) => json!(normalize(Path::new(p))),
            PathCommand::Dirname(p) => json!(
                Path::new(p)
                    .parent()
                    .map_or_else(|| ".".to_owned(), |d| d.display().to_string())
            ),
            PathCommand::Extname(p) => json!(
                Path::new(p)
                    .extension()
                    .map(|e| format!(".{}", e.to_string_lossy()))
                    .unwrap_or_default()
            ),
            PathCommand::Basename(p, ext) => {
                let name = Path::new(p)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let name = match ext {
                    Some(ext) if name.len() > ext.len() => {
                        name.strip_suffix(ext.as_str()).unwrap_or(&name).to_owned()
                    }
                    _ => name,
                };
                json!(name)
            }
            PathCommand::IsAbsolute(p) => json!(Path::new(p).is_absolute()),
        })
    }
}

/// `path` with `.` dropped and `..` resolved by name against the part
/// before it (at the root it stays the root; a relative path keeps the
/// leading `..` it cannot resolve). Nothing on disk is looked at: the fs
/// scope decides on this form too.
pub fn lexically_normal(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Resolves `.` and `..` lexically; `..` above the root stays at the root,
/// above a relative start it is kept.
pub fn normalize(path: &Path) -> String {
    let text = lexically_normal(path).display().to_string();
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PathContext {
        PathContext {
            identifier: "com.example.notes".to_owned(),
            resource_dir: PathBuf::from("/opt/notes"),
        }
    }

    #[test]
    fn every_base_directory_is_covered_and_app_dirs_use_the_identifier() {
        let ctx = ctx();
        for dir in BaseDirectory::ALL {
            // Some (e.g. $RUNTIME, $PUBLIC) may be absent on a bare system;
            // those present must be absolute.
            if let Some(path) = ctx.base_dir(*dir) {
                assert!(path.is_absolute(), "{dir:?}: {}", path.display());
            }
        }
        if let Some(data) = dirs::data_dir() {
            assert_eq!(
                ctx.base_dir(BaseDirectory::AppData),
                Some(data.join("com.example.notes"))
            );
            assert_eq!(
                ctx.base_dir(BaseDirectory::AppLog),
                Some(data.join("com.example.notes/logs"))
            );
        }
        assert_eq!(
            ctx.base_dir(BaseDirectory::Resource),
            Some(PathBuf::from("/opt/notes"))
        );
    }

    #[test]
    fn lexical_helpers_follow_node() {
        let ctx = ctx();
        let run = |c: PathCommand| ctx.handle(&c).unwrap();
        assert_eq!(
            run(PathCommand::Normalize("/a/./b/../c".into())),
            json!("/a/c")
        );
        assert_eq!(run(PathCommand::Normalize("/../x".into())), json!("/x"));
        assert_eq!(run(PathCommand::Normalize("../x".into())), json!("../x"));
        assert_eq!(
            run(PathCommand::Join(vec![
                "a".into(),
                "/b".into(),
                "../c".into()
            ])),
            json!("a/c")
        );
        assert_eq!(run(PathCommand::Dirname("/a/b.txt".into())), json!("/a"));
        assert_eq!(run(PathCommand::Join(vec![])), json!("."));
        assert_eq!(
            run(PathCommand::Extname("/a/b.tar.gz".into())),
            json!(".gz")
        );
        assert_eq!(
            run(PathCommand::Basename(
                "/a/b.txt".into(),
                Some(".txt".into())
            )),
            json!("b")
        );
        assert_eq!(run(PathCommand::IsAbsolute("a/b".into())), json!(false));
        let resolved = run(PathCommand::Resolve(vec!["x".into()]));
        assert!(resolved.as_str().unwrap().starts_with('/'));
    }

    #[test]
    fn join_keeps_the_leading_slash_of_an_absolute_first_part() {
        let paths = ctx();
        let join = |parts: &[&str]| {
            paths
                .handle(&PathCommand::Join(
                    parts.iter().map(|p| (*p).to_owned()).collect(),
                ))
                .unwrap()
        };
        assert_eq!(
            join(&["/tmp/x", "tour", "hello.txt"]),
            json!("/tmp/x/tour/hello.txt")
        );
        assert_eq!(join(&["/tmp", "/x"]), json!("/tmp/x"));
        assert_eq!(join(&["/", "a"]), json!("/a"));
        assert_eq!(join(&["a", "", "b/"]), json!("a/b"));
    }
}
