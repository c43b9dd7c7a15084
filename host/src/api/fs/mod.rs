//! `Millennium.fs`: file I/O inside `[allowlist.fs] scope` ([`scope`]),
//! run off the UI thread ([`handler`]). App pages call it over the fetch
//! channel, so bytes travel raw both ways; granted remote pages call it over
//! `postMessage` (text only).

pub mod handler;
pub mod scope;

pub use handler::{FsApi, FsError, MAX_DIR_ENTRIES};
pub use scope::{FsScope, GrantKind, PathError, Protected, ScopeError, canonicalize_lenient};

use millennium_config::BaseDirectory;
use millennium_config::model::{AllowlistKey, FsAllowlist};
use serde::Deserialize;
use serde_json::Value;

use super::{Api, Call, Route, Sample, Setup, Surface, sample};
use crate::context::ContextError;
use crate::ipc::decode::{
    DecodeError, bad, json_fetch_args, parse, query_params, raw_body, unknown,
};
use crate::ipc::{Admitted, Output};

/// A path from the page and the base directory it is relative to (the
/// `dir` option); checked against the fs scope only when the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsPath {
    /// As the page wrote it.
    pub path: String,
    /// `{ dir: BaseDirectory.AppData }`; `None` for an absolute path.
    pub dir: Option<millennium_config::BaseDirectory>,
}

/// One byte range of a file that `readBinaryFile` reads in parts, and the
/// version of the file every part must come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePart {
    /// Where the range starts.
    pub offset: u64,
    /// Most bytes wanted (fewer at the end of the file).
    pub length: u64,
    /// What the first part's answer named the file's version; `None` on
    /// the first part.
    pub version: Option<String>,
}

/// Largest part one `readBinaryFile` request may ask for.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Longest version string a part may carry (one is about 60 bytes).
const MAX_VERSION_LEN: usize = 128;

/// `Millennium.fs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsCommand {
    /// `readTextFile` (`binary: false`, UTF-8 checked) or `readBinaryFile`.
    ReadFile {
        /// The file.
        path: FsPath,
        /// Raw bytes back through the fetch channel.
        binary: bool,
    },
    /// `readBinaryFile` of a large file, one range per request: WebKit
    /// takes a custom-scheme answer 8 KiB at a time and its web process
    /// gathers the pieces in time quadratic in their number, so several
    /// smaller answers in flight are faster than one (ARCHITECTURE.md,
    /// "Bulk bytes").
    ReadPart {
        /// The file.
        path: FsPath,
        /// Which bytes, of which version.
        part: FilePart,
    },
    /// `writeTextFile` and `writeBinaryFile` (atomic).
    WriteFile {
        /// The file.
        path: FsPath,
        /// The new contents.
        contents: Vec<u8>,
    },
    /// `readDir`.
    ReadDir {
        /// The directory.
        path: FsPath,
        /// Descend into subdirectories (that are in the scope).
        recursive: bool,
    },
    /// `createDir`.
    CreateDir {
        /// The directory.
        path: FsPath,
        /// Create missing parents too.
        recursive: bool,
    },
    /// `removeDir`.
    RemoveDir {
        /// The directory.
        path: FsPath,
        /// Remove its contents too.
        recursive: bool,
    },
    /// `removeFile`.
    RemoveFile(FsPath),
    /// `renameFile(old, new)`.
    RenameFile {
        /// Old path.
        from: FsPath,
        /// New path.
        to: FsPath,
    },
    /// `copyFile(source, destination)` (atomic on the destination).
    CopyFile {
        /// Source.
        from: FsPath,
        /// Destination.
        to: FsPath,
    },
    /// `exists`.
    Exists(FsPath),
}

impl Api for FsCommand {
    type State = FsApi;

    const SURFACE: Surface = Surface {
        members: &["BaseDirectory", "Dir", "readTextFile", "readBinaryFile", "writeTextFile", "writeBinaryFile", "readDir", "createDir", "removeDir", "removeFile", "renameFile", "copyFile", "exists"],
        samples: &[
            sample("fs.readTextFile", r#"{"path":"$FILE"}"#, "Millennium.fs.readTextFile($FILE)"),
            sample("fs.readBinaryFile", r#"{"path":"$FILE"}"#, "Millennium.fs.readBinaryFile($FILE)"),
            sample("fs.writeTextFile", r#"{"path":"$NEW","contents":"x"}"#, "Millennium.fs.writeTextFile($NEW, 'x')"),
            Sample {
                cmd: "fs.writeBinaryFile",
                args: "",
                query: Some("path=$NEW"),
                js: "Millennium.fs.writeBinaryFile($NEW, new Uint8Array([1]))",
            },
            sample("fs.readDir", r#"{"path":"$DIR"}"#, "Millennium.fs.readDir($DIR)"),
            sample("fs.createDir", r#"{"path":"$NEW"}"#, "Millennium.fs.createDir($NEW)"),
            sample("fs.removeDir", r#"{"path":"$DIR"}"#, "Millennium.fs.removeDir($DIR)"),
            sample("fs.removeFile", r#"{"path":"$FILE"}"#, "Millennium.fs.removeFile($FILE)"),
            sample("fs.renameFile", r#"{"source":"$FILE","destination":"$NEW"}"#, "Millennium.fs.renameFile($FILE, $NEW)"),
            sample("fs.copyFile", r#"{"source":"$FILE","destination":"$NEW"}"#, "Millennium.fs.copyFile($FILE, $NEW)"),
            sample("fs.exists", r#"{"path":"$FILE"}"#, "Millennium.fs.exists($FILE)"),
        ],
    };

    fn prepare(setup: &Setup<'_>) -> Result<FsApi, ContextError> {
        Ok(FsApi {
            scope: setup.scope.clone(),
            paths: setup.paths.clone(),
        })
    }

    fn decode(cmd: &str, function: &str, args: Value) -> Result<FsCommand, DecodeError> {
        decode_fs(cmd, function, args)
    }

    /// `fs.writeBinaryFile` is the one command whose body is raw bytes,
    /// with its arguments in the query: `?path=<percent-encoded UTF-8>&dir=<n>`
    /// (`dir` optional, a Tauri v1 `BaseDirectory` number). The bytes are
    /// moved out of `body` (left empty), without a copy.
    fn decode_fetch(
        cmd: &str,
        function: &str,
        query: &str,
        body: &mut Vec<u8>,
    ) -> Result<FsCommand, DecodeError> {
        if function != "writeBinaryFile" {
            return decode_fs(cmd, function, json_fetch_args(cmd, query, body)?);
        }
        let contents = raw_body(body)?;
        let mut path = None;
        let mut dir = None;
        for (name, value) in query_params(cmd, query, &["path", "dir"])? {
            match name {
                "path" => path = Some(value),
                _ => dir = Some(value),
            }
        }
        let path = path.ok_or_else(|| bad(cmd, "missing query parameter `path`"))?;
        let dir = match dir {
            None => None,
            Some(text) => {
                let number: u64 = text
                    .parse()
                    .map_err(|_| bad(cmd, "`dir` must be a BaseDirectory number"))?;
                Some(base_directory(cmd, number)?)
            }
        };
        Ok(FsCommand::WriteFile {
            path: fs_path(cmd, path, dir)?,
            contents,
        })
    }

    fn required_keys(&self) -> &'static [AllowlistKey] {
        match self {
            FsCommand::ReadFile { .. } | FsCommand::ReadPart { .. } => &[FsAllowlist::read_file],
            FsCommand::WriteFile { .. } => &[FsAllowlist::write_file],
            FsCommand::ReadDir { .. } => &[FsAllowlist::read_dir],
            FsCommand::CreateDir { .. } => &[FsAllowlist::create_dir],
            FsCommand::RemoveDir { .. } => &[FsAllowlist::remove_dir],
            FsCommand::RemoveFile(_) => &[FsAllowlist::remove_file],
            FsCommand::RenameFile { .. } => &[FsAllowlist::rename_file],
            FsCommand::CopyFile { .. } => &[FsAllowlist::copy_file],
            FsCommand::Exists(_) => &[FsAllowlist::exists],
        }
    }

    fn route(&self) -> Route {
        Route::Worker
    }

    fn fetch_only(&self) -> Option<&'static str> {
        matches!(
            self,
            FsCommand::ReadFile { binary: true, .. } | FsCommand::ReadPart { .. }
        )
        .then_some(
            "readBinaryFile answers through the fetch channel only (use Millennium.fs.readBinaryFile)",
        )
    }

    fn run(admitted: Admitted<FsCommand>, call: &Call<'_>) -> Result<Output, String> {
        call.ctx
            .state(&admitted)
            .handle(admitted.command(), Some(call.label))
            .map_err(|e| e.to_string())
    }
}

/// Tauri v1's `BaseDirectory` numbers (`App` and `Log` are its deprecated
/// aliases of `AppConfig` and `AppLog`).
const BASE_DIR_NUMBERS: &[(u64, BaseDirectory)] = &[
    (1, BaseDirectory::Audio),
    (2, BaseDirectory::Cache),
    (3, BaseDirectory::Config),
    (4, BaseDirectory::Data),
    (5, BaseDirectory::LocalData),
    (6, BaseDirectory::Desktop),
    (7, BaseDirectory::Document),
    (8, BaseDirectory::Download),
    (9, BaseDirectory::Executable),
    (10, BaseDirectory::Font),
    (11, BaseDirectory::Home),
    (12, BaseDirectory::Picture),
    (13, BaseDirectory::Public),
    (14, BaseDirectory::Runtime),
    (15, BaseDirectory::Template),
    (16, BaseDirectory::Video),
    (17, BaseDirectory::Resource),
    (18, BaseDirectory::AppConfig),
    (19, BaseDirectory::AppLog),
    (20, BaseDirectory::Temp),
    (21, BaseDirectory::AppConfig),
    (22, BaseDirectory::AppData),
    (23, BaseDirectory::AppLocalData),
    (24, BaseDirectory::AppCache),
    (25, BaseDirectory::AppLog),
];

fn base_directory(cmd: &str, number: u64) -> Result<BaseDirectory, DecodeError> {
    BASE_DIR_NUMBERS
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, dir)| *dir)
        .ok_or_else(|| {
            bad(
                cmd,
                format!("unknown base directory {number} (use Millennium.fs.BaseDirectory)"),
            )
        })
}

/// Longest path string accepted (the scope refuses longer ones too, with the same limit).
pub const MAX_FS_PATH: usize = 4096;

fn fs_path(cmd: &str, path: String, dir: Option<BaseDirectory>) -> Result<FsPath, DecodeError> {
    if path.is_empty() {
        return Err(bad(cmd, "the path is empty"));
    }
    if path.len() > MAX_FS_PATH {
        return Err(bad(cmd, "the path is longer than 4096 bytes"));
    }
    if path.contains('\0') {
        return Err(bad(cmd, "the path contains a NUL byte"));
    }
    Ok(FsPath { path, dir })
}

fn decode_fs(cmd: &str, function: &str, args: Value) -> Result<FsCommand, DecodeError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct One {
        path: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Binary {
        path: String,
        #[serde(default)]
        dir: Option<u64>,
        #[serde(default)]
        offset: Option<u64>,
        #[serde(default)]
        length: Option<u64>,
        #[serde(default)]
        version: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Deep {
        path: String,
        #[serde(default)]
        dir: Option<u64>,
        #[serde(default)]
        recursive: bool,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Text {
        path: String,
        contents: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Two {
        source: String,
        destination: String,
        #[serde(default)]
        dir: Option<u64>,
    }
    let dir = |n: Option<u64>| n.map(|n| base_directory(cmd, n)).transpose();
    let one = |args| -> Result<FsPath, DecodeError> {
        let a = parse::<One>(cmd, args)?;
        fs_path(cmd, a.path, dir(a.dir)?)
    };
    let deep = |args| -> Result<(FsPath, bool), DecodeError> {
        let a = parse::<Deep>(cmd, args)?;
        Ok((fs_path(cmd, a.path, dir(a.dir)?)?, a.recursive))
    };
    let two = |args| -> Result<(FsPath, FsPath), DecodeError> {
        let a = parse::<Two>(cmd, args)?;
        let d = dir(a.dir)?;
        Ok((fs_path(cmd, a.source, d)?, fs_path(cmd, a.destination, d)?))
    };
    Ok(match function {
        "readTextFile" => FsCommand::ReadFile {
            path: one(args)?,
            binary: false,
        },
        "readBinaryFile" => {
            let a = parse::<Binary>(cmd, args)?;
            let path = fs_path(cmd, a.path, dir(a.dir)?)?;
            match (a.offset, a.length, a.version) {
                (None, None, None) => FsCommand::ReadFile { path, binary: true },
                (offset, Some(length), version) => {
                    if length == 0 || length > MAX_PART_BYTES {
                        return Err(bad(cmd, "`length` must be from 1 to 67108864 bytes"));
                    }
                    if version.as_ref().is_some_and(|v| v.len() > MAX_VERSION_LEN) {
                        return Err(bad(cmd, "`version` is not one this host gave out"));
                    }
                    let offset = offset.unwrap_or(0);
                    let part = FilePart { offset, length, version };
                    FsCommand::ReadPart { path, part }
                }
                (_, None, _) => return Err(bad(cmd, "`offset` and `version` need `length`")),
            }
        }
        "writeTextFile" => {
            let a = parse::<Text>(cmd, args)?;
            FsCommand::WriteFile {
                path: fs_path(cmd, a.path, dir(a.dir)?)?,
                contents: a.contents.into_bytes(),
            }
        }
        "writeBinaryFile" => {
            return Err(bad(
                cmd,
                "the bytes travel as the raw body of a fetch to /__ipc/fs.writeBinaryFile \
                 (use Millennium.fs.writeBinaryFile)",
            ));
        }
        "readDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::ReadDir { path, recursive }
        }
        "createDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::CreateDir { path, recursive }
        }
        "removeDir" => {
            let (path, recursive) = deep(args)?;
            FsCommand::RemoveDir { path, recursive }
        }
        "removeFile" => FsCommand::RemoveFile(one(args)?),
        "exists" => FsCommand::Exists(one(args)?),
        "renameFile" => {
            let (from, to) = two(args)?;
            FsCommand::RenameFile { from, to }
        }
        "copyFile" => {
            let (from, to) = two(args)?;
            FsCommand::CopyFile { from, to }
        }
        _ => return Err(unknown(cmd)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Command;
    use crate::ipc::decode::decode_fetch;
    use crate::ipc::decode::testing::decode as fs;

    fn app(path: &str) -> FsPath {
        FsPath {
            path: path.to_owned(),
            dir: Some(BaseDirectory::AppData),
        }
    }

    #[test]
    fn fs_commands_decode_with_their_keys() {
        let abs = |p: &str| FsPath {
            path: p.to_owned(),
            dir: None,
        };
        let cases: Vec<(&str, &str, FsCommand, &str)> = vec![
            (
                "fs.readTextFile",
                r#"{"path":"a.md","dir":22}"#,
                FsCommand::ReadFile {
                    path: app("a.md"),
                    binary: false,
                },
                "read-file",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"/x"}"#,
                FsCommand::ReadFile {
                    path: abs("/x"),
                    binary: true,
                },
                "read-file",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"/x","offset":8,"length":4,"version":"1:2"}"#,
                FsCommand::ReadPart {
                    path: abs("/x"),
                    part: FilePart {
                        offset: 8,
                        length: 4,
                        version: Some("1:2".to_owned()),
                    },
                },
                "read-file",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a.md","contents":"hé","dir":22}"#,
                FsCommand::WriteFile {
                    path: app("a.md"),
                    contents: "hé".into(),
                },
                "write-file",
            ),
            (
                "fs.readDir",
                r#"{"path":"notes","dir":22,"recursive":true}"#,
                FsCommand::ReadDir {
                    path: app("notes"),
                    recursive: true,
                },
                "read-dir",
            ),
            (
                "fs.createDir",
                r#"{"path":"notes","dir":22}"#,
                FsCommand::CreateDir {
                    path: app("notes"),
                    recursive: false,
                },
                "create-dir",
            ),
            (
                "fs.removeDir",
                r#"{"path":"notes","dir":22,"recursive":true}"#,
                FsCommand::RemoveDir {
                    path: app("notes"),
                    recursive: true,
                },
                "remove-dir",
            ),
            (
                "fs.removeFile",
                r#"{"path":"a","dir":22}"#,
                FsCommand::RemoveFile(app("a")),
                "remove-file",
            ),
            (
                "fs.renameFile",
                r#"{"source":"a","destination":"b","dir":22}"#,
                FsCommand::RenameFile {
                    from: app("a"),
                    to: app("b"),
                },
                "rename-file",
            ),
            (
                "fs.copyFile",
                r#"{"source":"a","destination":"b","dir":22}"#,
                FsCommand::CopyFile {
                    from: app("a"),
                    to: app("b"),
                },
                "copy-file",
            ),
            (
                "fs.exists",
                r#"{"path":"a","dir":18}"#,
                FsCommand::Exists(FsPath {
                    path: "a".into(),
                    dir: Some(BaseDirectory::AppConfig),
                }),
                "exists",
            ),
        ];
        for (cmd, args, expected, key) in cases {
            let command = fs(cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"));
            assert_eq!(command.required_keys(), &[("fs", key)], "{cmd}");
            assert_eq!(command, Command::Fs(expected), "{cmd}");
        }
    }

    #[test]
    fn fs_bad_arguments_are_specific() {
        let long = format!(r#"{{"path":"{}"}}"#, "a".repeat(MAX_FS_PATH + 1));
        let long_version = format!(r#"{{"path":"a","length":4,"version":"{}"}}"#, "9".repeat(129));
        let cases: Vec<(&str, &str, &str)> = vec![
            ("fs.readTextFile", "{}", "missing field `path`"),
            ("fs.readTextFile", r#"{"path":3}"#, "invalid type"),
            ("fs.readTextFile", r#"{"path":""}"#, "empty"),
            ("fs.readTextFile", r#"{"path":"a\u0000b"}"#, "NUL"),
            ("fs.readTextFile", &long, "longer than 4096"),
            (
                "fs.readTextFile",
                r#"{"path":"a","dir":99}"#,
                "unknown base directory 99",
            ),
            (
                "fs.readTextFile",
                r#"{"path":"a","dir":"AppData"}"#,
                "invalid type",
            ),
            ("fs.readTextFile", r#"{"path":"a","dir":-1}"#, "invalid"),
            (
                "fs.readTextFile",
                r#"{"path":"a","bogus":1}"#,
                "unknown field",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a"}"#,
                "missing field `contents`",
            ),
            (
                "fs.writeTextFile",
                r#"{"path":"a","contents":[1,2]}"#,
                "invalid type",
            ),
            (
                "fs.writeBinaryFile",
                r#"{"path":"a","contents":[1]}"#,
                "raw body",
            ),
            (
                "fs.readDir",
                r#"{"path":"a","recursive":"yes"}"#,
                "invalid type",
            ),
            (
                "fs.renameFile",
                r#"{"source":"a"}"#,
                "missing field `destination`",
            ),
            ("fs.copyFile", r#"{"source":"","destination":"b"}"#, "empty"),
            ("fs.readFile", r#"{"path":"a"}"#, "unknown command"),
            (
                "fs.readBinaryFile",
                r#"{"path":"a","length":0}"#,
                "`length` must be from 1 to 67108864 bytes",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"a","length":67108865}"#,
                "`length` must be from 1",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"a","offset":4}"#,
                "`offset` and `version` need `length`",
            ),
            (
                "fs.readBinaryFile",
                r#"{"path":"a","length":4,"offset":-1}"#,
                "invalid value",
            ),
            (
                "fs.readBinaryFile",
                &long_version,
                "not one this host gave out",
            ),
        ];
        for (cmd, args, needle) in cases {
            let error = fs(cmd, args).expect_err(cmd);
            assert!(
                error.contains(needle),
                "{cmd} {args}: `{error}` lacks `{needle}`"
            );
        }
    }

    #[test]
    fn fetch_channel_carries_binary_writes_in_the_query() {
        let mut body = vec![0u8, 255, 10];
        let command = decode_fetch(
            "fs.writeBinaryFile",
            Some("path=n%C3%A9%2Fa%26b.bin&dir=22"),
            &mut body,
        )
        .unwrap();
        assert_eq!(
            command,
            Command::Fs(FsCommand::WriteFile {
                path: app("né/a&b.bin"),
                contents: vec![0, 255, 10]
            })
        );
        assert!(body.is_empty(), "the bytes are moved, not copied");
        let abs = decode_fetch("fs.writeBinaryFile", Some("path=%2Fx"), &mut vec![]).unwrap();
        assert_eq!(abs.required_keys(), &[("fs", "write-file")]);
        let bad = |query: Option<&str>| {
            decode_fetch("fs.writeBinaryFile", query, &mut vec![1])
                .unwrap_err()
                .to_string()
        };
        assert!(bad(None).contains("missing query parameter `path`"));
        assert!(bad(Some("dir=22")).contains("missing query parameter `path`"));
        assert!(bad(Some("path=a&path=b")).contains("repeated"));
        assert!(bad(Some("path=a&x=1")).contains("unknown query parameter `x`"));
        assert!(bad(Some("path=a&dir=AppData")).contains("BaseDirectory number"));
        assert!(bad(Some("path=a&dir=0")).contains("unknown base directory"));
        assert!(bad(Some("path=%FF")).contains("not UTF-8"));
        assert!(bad(Some("path=a%00b")).contains("NUL"));
        assert!(bad(Some("path=")).contains("empty"));
        // Other commands: JSON body, no query.
        let mut json = br#"{"path":"/a"}"#.to_vec();
        assert_eq!(
            decode_fetch("fs.readBinaryFile", None, &mut json).unwrap(),
            Command::Fs(FsCommand::ReadFile {
                path: FsPath {
                    path: "/a".into(),
                    dir: None
                },
                binary: true
            })
        );
        assert!(decode_fetch("fs.readBinaryFile", Some("path=/a"), &mut json).is_err());
        let mut ping = b"raw".to_vec();
        assert_eq!(
            decode_fetch("ping", None, &mut ping).unwrap(),
            Command::Ipc(crate::api::ipc::IpcCommand::Ping {
                echo: Some(b"raw".to_vec())
            })
        );
        assert!(ping.is_empty(), "the echo moves the bytes too");
    }
}
