//! The packaged-app payload: the only module that writes or reads it.
//!
//! A packaged app is the unmodified `millennium-host` executable with a
//! payload and a fixed-size trailer appended. The host finds the payload by
//! reading the end of its own (memory-mapped) file and serves assets
//! straight from the mapping, without copying.
//!
//! Binary format, version 1. Integers are little-endian; offsets marked
//! "rel." count from `payload_start`.
//!
//! ```text
//! offset                         contents
//! 0                              millennium-host, byte for byte (an ELF file)
//! payload_start                  file bytes, back to back, in index order
//! payload_start + config_offset  config: the validated `Config` as JSON (UTF-8)
//! payload_start + index_offset   index: u32 entry count, then per entry:
//!                                  u16 path length, path (UTF-8, relative,
//!                                      '/'-separated, no empty/./.. segment)
//!                                  u8  MIME length, MIME type (ASCII)
//!                                  u64 data offset (rel.), u64 data length
//!                                entries are sorted by path, paths unique
//! len - 96                       trailer (TRAILER_LEN bytes):
//!                                  0  [u8; 8]  MAGIC   "MLNMPAY\0"
//!                                  8  u32      format version (1)
//!                                 12  u32      flags (0; reserved)
//!                                 16  u64      payload_start
//!                                 24  u64      config_offset (rel.)
//!                                 32  u64      config_len
//!                                 40  u64      index_offset (rel.)
//!                                 48  u64      index_len
//!                                 56  [u8; 32] SHA-256 of payload_start..len-96
//!                                 88  [u8; 8]  END_MAGIC "\0YAPMNLM"
//! ```
//!
//! Paths under [`SIDECAR_DIR`] (a first segment no URL path can produce: it
//! starts with a control character) are the files `[[sidecars]]` need,
//! never served as assets.
//!
//! "No payload" (a plain host) and "damaged payload" are told apart with the
//! ELF headers: anything after the end of the ELF image must be a valid
//! payload starting exactly there, so a truncated or corrupted app is an
//! error, never a silent fallback to running files from disk.
//!
//! The writer is deterministic: the same config and files give the same
//! bytes (entries are sorted, nothing depends on time or the machine).
//! Files are stored uncompressed so they can be served from the mapping.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use millennium_config::Config;
use sha2::{Digest, Sha256};

use crate::assets::{AssetPath, AssetSource, Entry, SourceError};

/// Trailer size in bytes.
pub const TRAILER_LEN: usize = 96;
/// The trailer's first eight bytes.
pub const MAGIC: [u8; 8] = *b"MLNMPAY\0";
/// The trailer's last eight bytes.
pub const END_MAGIC: [u8; 8] = *b"\0YAPMNLM";
/// The format version this module writes and reads.
pub const VERSION: u32 = 1;
/// The first path segment of the sidecars' files in the index. An asset
/// path cannot hold a control character, so no request reaches them.
pub const SIDECAR_DIR: &str = "\u{1}sidecars";

/// The window icon's path in the index (a PNG the packager made from
/// `[bundle] icon`); like [`SIDECAR_DIR`], out of every request's reach.
pub const WINDOW_ICON: &str = "\u{1}window-icon.png";

/// A sidecar file's path in the app's directory, when `index_path` is one.
fn sidecar_path(index_path: &str) -> Option<&str> {
    index_path.strip_prefix(SIDECAR_DIR)?.strip_prefix('/')
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// The executable is shorter than its own ELF headers say.
    #[error("the executable is truncated: {len} bytes, but its ELF image ends at {elf_end}")]
    TruncatedExecutable {
        /// File length.
        len: u64,
        /// Where the ELF image ends.
        elf_end: u64,
    },
    /// Bytes follow the ELF image but they are not a whole payload.
    #[error("the app's payload is damaged or truncated: {0}")]
    Damaged(String),
    /// A payload written by an incompatible packager.
    #[error(
        "the app's payload has format version {found}; this runtime reads version {VERSION}: \
         it was packaged by an incompatible millennium, so package it again with the one \
         this runtime came with"
    )]
    UnsupportedVersion {
        /// The version in the trailer.
        found: u32,
    },
    /// The bytes do not hash to the recorded digest.
    #[error("the app's payload is corrupted: its SHA-256 does not match the recorded digest")]
    DigestMismatch,
    /// Not an ELF executable at all.
    #[error("not an ELF executable")]
    NotElf,
    /// Reading or mapping the executable failed.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The executable.
        path: String,
        /// The OS error.
        #[source]
        error: std::io::Error,
    },
}

/// One file in the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Its MIME type, decided at build time.
    pub mime: String,
    /// Offset of its bytes from the start of the whole executable.
    start: usize,
    /// Length in bytes.
    len: usize,
}

/// A payload found in an executable's bytes.
#[derive(Debug)]
pub struct Payload<'a> {
    bytes: &'a [u8],
    config: Config,
    files: BTreeMap<String, FileEntry>,
}

impl<'a> Payload<'a> {
    /// Finds and checks the payload in a whole executable. `Ok(None)` when
    /// the executable ends with its ELF image (a plain host).
    pub fn find(bytes: &'a [u8]) -> Result<Option<Payload<'a>>, PayloadError> {
        let Some(located) = locate(bytes)? else {
            return Ok(None);
        };
        let damaged = |why: &str| PayloadError::Damaged(why.to_owned());
        let config: Config = serde_json::from_slice(located.config)
            .map_err(|e| damaged(&format!("the config does not parse: {e}")))?;
        Ok(Some(Payload {
            bytes,
            config,
            files: located.files,
        }))
    }

    /// The app's config, validated when the app was built.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The sidecars' files, by their path in the app's directory.
    pub fn sidecar_files(&self) -> BTreeMap<String, &'a [u8]> {
        self.files
            .keys()
            .filter_map(|path| Some((sidecar_path(path)?.to_owned(), self.file(path)?)))
            .collect()
    }

    /// The window icon the packager baked in, if any.
    pub fn window_icon(&self) -> Option<&'a [u8]> {
        self.file(WINDOW_ICON)
    }

    /// Every file, by path.
    pub fn files(&self) -> &BTreeMap<String, FileEntry> {
        &self.files
    }

    /// A file's bytes, borrowed from the executable.
    pub fn file(&self, path: &str) -> Option<&'a [u8]> {
        self.files
            .get(path)
            .map(|entry| &self.bytes[entry.start..entry.start + entry.len])
    }
}

/// A payload whose structure and digest are checked, its config still text.
struct Located<'a> {
    config: &'a [u8],
    files: BTreeMap<String, FileEntry>,
}

/// Everything [`Payload::find`] checks but the config's contents.
fn locate(bytes: &[u8]) -> Result<Option<Located<'_>>, PayloadError> {
    let len = bytes.len() as u64;
    let elf_end = elf_end(bytes)?;
    if elf_end > len {
        return Err(PayloadError::TruncatedExecutable { len, elf_end });
    }
    if elf_end == len {
        return Ok(None);
    }
    let damaged = |why: &str| PayloadError::Damaged(why.to_owned());
    if bytes.len() - (elf_end as usize) < TRAILER_LEN {
        return Err(damaged("too short for a trailer"));
    }
    let trailer_start = bytes.len() - TRAILER_LEN;
    let trailer = &bytes[trailer_start..];
    if trailer[..8] != MAGIC || trailer[88..] != END_MAGIC {
        return Err(damaged("no trailer at the end of the file"));
    }
    let version = u32_at(trailer, 8);
    if version != VERSION {
        return Err(PayloadError::UnsupportedVersion { found: version });
    }
    if u32_at(trailer, 12) != 0 {
        return Err(damaged("unknown flags in the trailer"));
    }
    let payload_start = u64_at(trailer, 16);
    if payload_start != elf_end {
        return Err(damaged(
            "the payload does not start where the executable ends",
        ));
    }
    let region = |offset: u64, length: u64| -> Result<std::ops::Range<usize>, PayloadError> {
        let start = payload_start
            .checked_add(offset)
            .ok_or_else(|| damaged("offset overflow"))?;
        let end = start
            .checked_add(length)
            .ok_or_else(|| damaged("length overflow"))?;
        if end > trailer_start as u64 {
            return Err(damaged("a section runs past the trailer"));
        }
        Ok(start as usize..end as usize)
    };
    let config_range = region(u64_at(trailer, 24), u64_at(trailer, 32))?;
    let index_range = region(u64_at(trailer, 40), u64_at(trailer, 48))?;
    let digest: [u8; 32] = Sha256::digest(&bytes[payload_start as usize..trailer_start]).into();
    if digest[..] != trailer[56..88] {
        return Err(PayloadError::DigestMismatch);
    }
    let files = parse_index(&bytes[index_range], payload_start, trailer_start as u64)
        .map_err(|why| damaged(&why))?;
    Ok(Some(Located {
        config: &bytes[config_range],
        files,
    }))
}

/// The app identifier and version of a whole payload, checked like
/// [`Payload::find`] but reading only `app.identifier` and `app.version` of
/// its config: the updater asks this of a download, which a later
/// packager may have written with config keys this runtime does not know.
pub fn identity(bytes: &[u8]) -> Result<Option<(String, String)>, PayloadError> {
    #[derive(serde::Deserialize)]
    struct Identity {
        app: AppIdentity,
    }
    #[derive(serde::Deserialize)]
    struct AppIdentity {
        identifier: String,
        version: String,
    }
    let Some(located) = locate(bytes)? else {
        return Ok(None);
    };
    let identity: Identity = serde_json::from_slice(located.config).map_err(|e| {
        PayloadError::Damaged(format!("the config does not name the app and version: {e}"))
    })?;
    Ok(Some((identity.app.identifier, identity.app.version)))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn parse_index(
    index: &[u8],
    payload_start: u64,
    data_end: u64,
) -> Result<BTreeMap<String, FileEntry>, String> {
    let mut cursor = Cursor {
        bytes: index,
        at: 0,
    };
    let count = cursor.u32()?;
    let mut files = BTreeMap::new();
    let mut previous: Option<String> = None;
    for _ in 0..count {
        let path_len = cursor.u16()? as usize;
        let path = std::str::from_utf8(cursor.take(path_len)?)
            .map_err(|_| "a path is not UTF-8".to_owned())?
            .to_owned();
        if !is_clean_path(&path) {
            return Err(format!("invalid path {path:?} in the index"));
        }
        if previous.as_ref().is_some_and(|p| p >= &path) {
            return Err("the index is not sorted or has duplicates".to_owned());
        }
        let mime_len = cursor.u8()? as usize;
        let mime = std::str::from_utf8(cursor.take(mime_len)?)
            .ok()
            .filter(|m| m.is_ascii())
            .ok_or_else(|| "a MIME type is not ASCII".to_owned())?
            .to_owned();
        let offset = cursor.u64()?;
        let len = cursor.u64()?;
        let start = payload_start.checked_add(offset).ok_or("offset overflow")?;
        let end = start.checked_add(len).ok_or("length overflow")?;
        if end > data_end {
            return Err(format!("{path} runs past the payload"));
        }
        previous = Some(path.clone());
        files.insert(
            path,
            FileEntry {
                mime,
                start: start as usize,
                len: len as usize,
            },
        );
    }
    if cursor.at != index.len() {
        return Err("trailing bytes after the index".to_owned());
    }
    Ok(files)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or("the index is truncated")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

/// A relative path with '/' separators and no empty, `.` or `..` segment.
pub fn is_clean_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= u16::MAX as usize
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\0', '\\']))
}

/// Where the ELF image in `bytes` ends: the furthest byte any header,
/// segment or (non-NOBITS) section covers.
pub fn elf_end(bytes: &[u8]) -> Result<u64, PayloadError> {
    if bytes.len() < 64 || bytes[..4] != *b"\x7fELF" || bytes[4] != 2 || bytes[5] != 1 {
        return Err(PayloadError::NotElf); // 64-bit little-endian only: what we build for
    }
    let read16 = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as u64;
    let field = |at: usize, len: usize| at.checked_add(len).and_then(|end| bytes.get(at..end));
    let read32 =
        |at: usize| field(at, 4).map(|b| u32::from_le_bytes(b.try_into().expect("4")) as u64);
    let read64 = |at: usize| field(at, 8).map(|b| u64::from_le_bytes(b.try_into().expect("8")));
    let (phoff, shoff) = (read64(0x20).unwrap_or(0), read64(0x28).unwrap_or(0));
    let (phentsize, phnum) = (read16(0x36), read16(0x38));
    let (shentsize, shnum) = (read16(0x3A), read16(0x3C));
    let mut end = 64u64
        .max(phoff.saturating_add(phentsize * phnum))
        .max(shoff.saturating_add(shentsize * shnum));
    // Offsets come from the file: checked arithmetic, so a hostile header
    // is an answer (the image "ends" past the file), never an overflow.
    // Each header is read whole (64 bytes at most), so fields past its
    // start cannot overflow once the header's start fits.
    let header_at = |table: u64, i: u64, size: u64| {
        table
            .checked_add(i * size)
            .and_then(|at| usize::try_from(at).ok())
            .filter(|at| at.checked_add(64).is_some())
    };
    for i in 0..phnum {
        let Some(at) = header_at(phoff, i, phentsize) else {
            break;
        };
        if let (Some(offset), Some(filesz)) = (read64(at + 8), read64(at + 32)) {
            end = end.max(offset.saturating_add(filesz));
        }
    }
    const SHT_NOBITS: u64 = 8;
    for i in 0..shnum {
        let Some(at) = header_at(shoff, i, shentsize) else {
            break;
        };
        if let (Some(kind), Some(offset), Some(size)) =
            (read32(at + 4), read64(at + 24), read64(at + 32))
            && kind != SHT_NOBITS
        {
            end = end.max(offset.saturating_add(size));
        }
    }
    // Headers that point beyond the file make `end` exceed its length,
    // which the caller reports as truncation.
    Ok(end)
}

/// A file to put in a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Clean relative path (see [`is_clean_path`]).
    pub path: String,
    /// MIME type.
    pub mime: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Sizes of what [`write()`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Bytes of the host part.
    pub host: u64,
    /// Bytes after it (payload and trailer).
    pub payload: u64,
}

/// Writes `host` followed by a payload of `config` and `files` to `out`.
/// `host` must be a plain host (no payload of its own).
pub fn write(
    host: &[u8],
    config: &Config,
    files: &[InputFile],
    out: &mut impl Write,
) -> Result<Written, String> {
    let config_json =
        serde_json::to_vec(config).map_err(|e| format!("cannot serialise the config: {e}"))?;
    write_json(host, &config_json, files, out)
}

/// [`write()`] with the config already JSON.
fn write_json(
    host: &[u8],
    config_json: &[u8],
    files: &[InputFile],
    out: &mut impl Write,
) -> Result<Written, String> {
    match Payload::find(host) {
        Ok(None) => {}
        Ok(Some(_)) => return Err("the host executable already carries a payload".to_owned()),
        Err(error) => return Err(format!("the host executable is not usable: {error}")),
    }
    let mut sorted: Vec<&InputFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for pair in sorted.windows(2) {
        if pair[0].path == pair[1].path {
            return Err(format!("{} is listed twice", pair[0].path));
        }
    }
    let mut index = Vec::new();
    index.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    let mut offset = 0u64;
    for file in &sorted {
        if !is_clean_path(&file.path) {
            return Err(format!("invalid path {:?}", file.path));
        }
        if file.mime.len() > u8::MAX as usize || !file.mime.is_ascii() {
            return Err(format!("invalid MIME type for {}", file.path));
        }
        index.extend_from_slice(&(file.path.len() as u16).to_le_bytes());
        index.extend_from_slice(file.path.as_bytes());
        index.push(file.mime.len() as u8);
        index.extend_from_slice(file.mime.as_bytes());
        index.extend_from_slice(&offset.to_le_bytes());
        index.extend_from_slice(&(file.bytes.len() as u64).to_le_bytes());
        offset += file.bytes.len() as u64;
    }
    let config_offset = offset;
    let index_offset = config_offset + config_json.len() as u64;

    let io = |e: std::io::Error| format!("cannot write: {e}");
    let mut hasher = Sha256::new();
    out.write_all(host).map_err(io)?;
    for file in &sorted {
        hasher.update(&file.bytes);
        out.write_all(&file.bytes).map_err(io)?;
    }
    hasher.update(config_json);
    out.write_all(config_json).map_err(io)?;
    hasher.update(&index);
    out.write_all(&index).map_err(io)?;

    let mut trailer = Vec::with_capacity(TRAILER_LEN);
    trailer.extend_from_slice(&MAGIC);
    trailer.extend_from_slice(&VERSION.to_le_bytes());
    trailer.extend_from_slice(&0u32.to_le_bytes());
    trailer.extend_from_slice(&(host.len() as u64).to_le_bytes());
    trailer.extend_from_slice(&config_offset.to_le_bytes());
    trailer.extend_from_slice(&(config_json.len() as u64).to_le_bytes());
    trailer.extend_from_slice(&index_offset.to_le_bytes());
    trailer.extend_from_slice(&(index.len() as u64).to_le_bytes());
    trailer.extend_from_slice(&hasher.finalize());
    trailer.extend_from_slice(&END_MAGIC);
    debug_assert_eq!(trailer.len(), TRAILER_LEN);
    out.write_all(&trailer).map_err(io)?;
    Ok(Written {
        host: host.len() as u64,
        payload: index_offset + index.len() as u64 + TRAILER_LEN as u64,
    })
}

/// The running executable, memory-mapped for the life of the process.
pub fn current_exe() -> Result<&'static [u8], PayloadError> {
    let path = std::env::current_exe().map_err(|error| PayloadError::Io {
        path: "the running executable".to_owned(),
        error,
    })?;
    map_file(&path)
}

/// Maps `path` read-only for the life of the process. The updater replaces
/// executables by renaming a new file over them, which leaves this mapping
/// (the old inode) intact.
pub fn map_file(path: &Path) -> Result<&'static [u8], PayloadError> {
    let io = |error| PayloadError::Io {
        path: path.display().to_string(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // SAFETY: the mapping is read-only and private to this process. Files
    // are replaced by rename, not rewritten in place; a file truncated
    // underneath us would be a SIGBUS, the same as for the executable's own
    // code pages, which the kernel maps from the same file.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    Ok(Box::leak(Box::new(map)))
}

/// Assets served from a payload, borrowed from the mapped executable.
#[derive(Debug)]
pub struct PayloadSource {
    files: BTreeMap<String, &'static [u8]>,
}

impl PayloadSource {
    /// Serves the files of `payload`, except the sidecars' and the window
    /// icon.
    pub fn new(payload: &Payload<'static>) -> PayloadSource {
        let files = payload
            .files()
            .keys()
            .filter(|path| sidecar_path(path).is_none() && *path != WINDOW_ICON)
            .filter_map(|path| Some((path.clone(), payload.file(path)?)))
            .collect();
        PayloadSource { files }
    }
}

impl AssetSource for PayloadSource {
    fn entry(&self, path: &AssetPath) -> Result<Entry, SourceError> {
        if path.is_root() {
            return Ok(Entry::Directory);
        }
        let key = path.segments().join("/");
        if let Some(bytes) = self.files.get(&key) {
            return Ok(Entry::File(Cow::Borrowed(bytes)));
        }
        let prefix = format!("{key}/");
        let is_dir = self
            .files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix));
        Ok(if is_dir {
            Entry::Directory
        } else {
            Entry::Missing
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small stand-in for millennium-host: an ELF header whose one
    /// section header sits at byte 1000, so the image ends at 1064.
    fn plain_host() -> Vec<u8> {
        let mut elf = vec![0u8; 1064];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2; // 64-bit
        elf[5] = 1; // little-endian
        elf[0x28..0x30].copy_from_slice(&1000u64.to_le_bytes()); // e_shoff
        elf[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
        elf[0x3C..0x3E].copy_from_slice(&1u16.to_le_bytes()); // e_shnum
        elf
    }

    #[test]
    fn the_real_test_executable_is_a_plain_host() {
        let exe = current_exe().unwrap();
        assert!(Payload::find(exe).unwrap().is_none());
        assert_eq!(elf_end(exe).unwrap(), exe.len() as u64);
    }

    fn config() -> Config {
        let dir = std::env::temp_dir().join(format!("millennium-payload-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(dir.join("dist/index.html"), "x").unwrap();
        millennium_config::load_str(
            "[app]\nname = \"P\"\nidentifier = \"com.example.p\"\n",
            &dir,
        )
        .unwrap()
    }

    fn files() -> Vec<InputFile> {
        let file = |path: &str, mime: &str, bytes: &[u8]| InputFile {
            path: path.into(),
            mime: mime.into(),
            bytes: bytes.to_vec(),
        };
        vec![
            file("index.html", "text/html", b"<!doctype html><p>hi</p>"),
            file("js/app.js", "text/javascript", b"console.log(1)"),
            file("img/empty.bin", "application/octet-stream", b""),
        ]
    }

    fn packaged() -> Vec<u8> {
        let mut out = Vec::new();
        write(&plain_host(), &config(), &files(), &mut out).unwrap();
        out
    }

    #[test]
    fn a_plain_host_has_no_payload() {
        assert!(Payload::find(&plain_host()).unwrap().is_none());
    }

    #[test]
    fn round_trip_keeps_config_files_and_mime_types() {
        let bytes = packaged();
        let payload = Payload::find(&bytes).unwrap().expect("a payload");
        assert_eq!(payload.config(), &config());
        assert_eq!(
            payload.file("index.html"),
            Some(&b"<!doctype html><p>hi</p>"[..])
        );
        assert_eq!(payload.file("js/app.js"), Some(&b"console.log(1)"[..]));
        assert_eq!(payload.file("img/empty.bin"), Some(&b""[..]));
        assert_eq!(payload.files()["js/app.js"].mime, "text/javascript");
        assert_eq!(payload.file("missing"), None);
    }

    #[test]
    fn output_is_deterministic_whatever_the_input_order() {
        let mut reversed = files();
        reversed.reverse();
        let mut other = Vec::new();
        write(&plain_host(), &config(), &reversed, &mut other).unwrap();
        assert!(other == packaged(), "same inputs must give the same bytes");
    }

    #[test]
    fn every_truncation_is_an_error_not_a_plain_host() {
        let bytes = packaged();
        let host_len = plain_host().len();
        for cut in (host_len + 1..bytes.len()).chain([host_len - 1, host_len / 2]) {
            match Payload::find(&bytes[..cut]) {
                Err(_) => {}
                Ok(found) => panic!("cut at {cut} of {} gave {:?}", bytes.len(), found.is_some()),
            }
        }
    }

    #[test]
    fn every_flipped_payload_byte_is_detected() {
        let bytes = packaged();
        let host_len = plain_host().len();
        for at in host_len..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5a;
            assert!(
                Payload::find(&damaged).is_err(),
                "flip at {at} went unnoticed"
            );
        }
    }

    /// An app packaged by a millennium with another payload format gets a
    /// clear error that says what to do, not "damaged".
    /// The updater asks a download only for its app and version, so an
    /// update packaged with config keys this runtime does not know (a
    /// later version's) is still recognised; `find` keeps refusing it.
    #[test]
    fn a_download_with_config_keys_this_version_does_not_know_is_still_identified() {
        let mut json: serde_json::Value = serde_json::to_value(config()).unwrap();
        json["sidecars-of-the-future"] = serde_json::json!([{"name": "x"}]);
        let mut bytes = Vec::new();
        write_json(
            &plain_host(),
            json.to_string().as_bytes(),
            &files(),
            &mut bytes,
        )
        .unwrap();
        assert_eq!(
            identity(&bytes).unwrap(),
            Some(("com.example.p".to_owned(), "0.1.0".to_owned()))
        );
        assert!(matches!(
            Payload::find(&bytes),
            Err(PayloadError::Damaged(_))
        ));
        // Damage is still damage.
        let at = bytes.len() - TRAILER_LEN - 3;
        bytes[at] ^= 1;
        assert!(matches!(
            identity(&bytes),
            Err(PayloadError::DigestMismatch)
        ));
        assert_eq!(identity(&plain_host()).unwrap(), None);
    }

    /// The sidecars' files are in the payload but no asset path reaches
    /// them.
    #[test]
    fn sidecar_files_are_packed_but_never_served() {
        let mut all = files();
        all.push(InputFile {
            path: format!("{SIDECAR_DIR}/sidecar/search.py"),
            mime: "application/octet-stream".into(),
            bytes: b"print()".to_vec(),
        });
        let mut bytes = Vec::new();
        write(&plain_host(), &config(), &all, &mut bytes).unwrap();
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let payload = Payload::find(bytes).unwrap().unwrap();
        let sidecars = payload.sidecar_files();
        assert_eq!(sidecars.len(), 1);
        assert_eq!(sidecars["sidecar/search.py"], b"print()");
        let source = PayloadSource::new(&payload);
        for raw in [
            "%01sidecars/sidecar/search.py",
            "\u{1}sidecars/sidecar/search.py",
            "sidecar/search.py",
        ] {
            let entry = AssetPath::parse(raw).map(|path| source.entry(&path).unwrap());
            assert!(!matches!(entry, Ok(Entry::File(_))), "{raw:?} was served");
        }
        assert!(matches!(
            source
                .entry(&AssetPath::parse("index.html").unwrap())
                .unwrap(),
            Entry::File(_)
        ));
    }

    #[test]
    fn a_payload_from_an_incompatible_packager_is_refused_clearly() {
        let mut bytes = packaged();
        let version_at = bytes.len() - TRAILER_LEN + 8;
        bytes[version_at..version_at + 4].copy_from_slice(&(VERSION + 1).to_le_bytes());
        let error = Payload::find(&bytes).unwrap_err();
        assert!(
            matches!(error, PayloadError::UnsupportedVersion { found } if found == VERSION + 1)
        );
        let message = error.to_string();
        assert!(
            message.contains(&format!("format version {}", VERSION + 1)),
            "{message}"
        );
        assert!(message.contains("package it again"), "{message}");
    }

    #[test]
    fn a_host_with_a_payload_cannot_be_packaged_again() {
        let mut out = Vec::new();
        let error = write(&packaged(), &config(), &files(), &mut out).unwrap_err();
        assert!(error.contains("already carries a payload"), "{error}");
    }

    #[test]
    fn unclean_paths_are_refused_by_the_writer() {
        for bad in ["", "/abs", "a//b", "a/../b", "./a", "a\\b", "nul\0"] {
            let input = vec![InputFile {
                path: bad.into(),
                mime: "text/plain".into(),
                bytes: vec![],
            }];
            assert!(
                write(&plain_host(), &config(), &input, &mut Vec::new()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hostile_elf_headers_are_an_error_not_a_panic() {
        let mut elf = plain_host();
        elf[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
        assert!(Payload::find(&elf).is_err());
        let mut elf = plain_host();
        elf[0x20..0x28].copy_from_slice(&(u64::MAX - 10).to_le_bytes()); // e_phoff
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3A].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(Payload::find(&elf).is_err());
    }

    #[test]
    fn not_an_elf_file() {
        assert!(matches!(
            Payload::find(b"#!/bin/sh\necho hi\n"),
            Err(PayloadError::NotElf)
        ));
    }

    #[test]
    fn payload_source_serves_files_and_directories() {
        let bytes: &'static [u8] = Box::leak(packaged().into_boxed_slice());
        let payload = Payload::find(bytes).unwrap().unwrap();
        let source = PayloadSource::new(&payload);
        let entry = |raw: &str| source.entry(&AssetPath::parse(raw).unwrap()).unwrap();
        assert!(matches!(entry("/"), Entry::Directory));
        assert!(matches!(entry("/js"), Entry::Directory));
        assert!(matches!(entry("/j"), Entry::Missing));
        assert!(matches!(entry("/nope.html"), Entry::Missing));
        match entry("/js/app.js") {
            Entry::File(Cow::Borrowed(data)) => assert_eq!(data, b"console.log(1)"),
            _ => panic!("expected a borrowed file"),
        }
    }
}
