//! Deterministic `.tar.gz` members: entries sorted, parent directories
//! listed before their contents, paths spelled `./usr/...` as dpkg-deb
//! writes them, owner root:root (0:0), one fixed mtime, and a gzip header
//! with mtime 0 and OS "Unix", so the same inputs give the same bytes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use flate2::{Compression, GzBuilder};

use super::DebError;

/// Where an entry's bytes come from.
pub enum Contents {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file on disk of a known size, streamed.
    File(PathBuf, u64),
}

impl Contents {
    /// Length in bytes.
    pub fn byte_len(&self) -> u64 {
        match self {
            Contents::Bytes(bytes) => bytes.len() as u64,
            Contents::File(_, len) => *len,
        }
    }
}

/// A file in the archive.
pub struct FileEntry {
    /// Path without the leading `./`, e.g. `usr/bin/notes`.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Its contents.
    pub contents: Contents,
}

/// Writes `files` (and every directory above them, mode 0755) as a gzip'd
/// tar archive.
pub fn tar_gz(files: &[FileEntry], mtime: u64) -> Result<Vec<u8>, DebError> {
    // Keys end in `/` for directories; a directory is a prefix of its
    // entries, so sorted order lists it first.
    let mut entries: BTreeMap<String, Option<&FileEntry>> = BTreeMap::new();
    entries.insert(String::new(), None);
    for file in files {
        let mut dir = String::new();
        let mut parts = file.path.split('/').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                break;
            }
            dir.push_str(part);
            dir.push('/');
            entries.insert(dir.clone(), None);
        }
        entries.insert(file.path.clone(), Some(file));
    }
    let encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(3)
        .write(Vec::new(), Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for (path, file) in entries {
        let mut header = tar::Header::new_ustar();
        set_name(&mut header, &format!("./{path}"))?;
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        header
            .set_username("root")
            .and_then(|()| header.set_groupname("root"))
            .map_err(|source| archive_error(&path, source))?;
        match file {
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                header.set_cksum();
                builder
                    .append(&header, std::io::empty())
                    .map_err(|source| archive_error(&path, source))?;
            }
            Some(file) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(file.mode);
                header.set_size(file.contents.byte_len());
                header.set_cksum();
                match &file.contents {
                    Contents::Bytes(bytes) => builder.append(&header, bytes.as_slice()),
                    Contents::File(source, len) => {
                        let reader = std::fs::File::open(source).map_err(|error| DebError::Io {
                            path: source.clone(),
                            source: error,
                        })?;
                        // `take` keeps the archive consistent with the
                        // header even if the file grew meanwhile.
                        builder.append(&header, reader.take(*len))
                    }
                }
                .map_err(|source| archive_error(&path, source))?;
            }
        }
    }
    let encoder = builder
        .into_inner()
        .map_err(|source| archive_error("", source))?;
    let mut encoder = encoder;
    encoder
        .flush()
        .map_err(|source| archive_error("", source))?;
    encoder.finish().map_err(|source| archive_error("", source))
}

fn archive_error(path: &str, source: std::io::Error) -> DebError {
    DebError::Archive {
        path: path.to_owned(),
        source,
    }
}

/// Stores `name` in the ustar `name` field, or split over `prefix` and
/// `name` when longer than 100 bytes. The tar crate's own `set_path` drops
/// the `./` that dpkg-deb writes, hence the raw bytes.
fn set_name(header: &mut tar::Header, name: &str) -> Result<(), DebError> {
    // A directory's trailing `/` is optional; dropping it helps a long one fit.
    let name = if name.len() > 100 {
        name.trim_end_matches('/')
    } else {
        name
    };
    let bytes = name.as_bytes();
    let ustar = header
        .as_ustar_mut()
        .ok_or_else(|| DebError::PathTooLong(name.to_owned()))?;
    if bytes.len() <= 100 {
        ustar.name[..bytes.len()].copy_from_slice(bytes);
        return Ok(());
    }
    // Split at a `/` so that the prefix fits 155 bytes and the rest 100.
    let split = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| {
            b == b'/' && i > 0 && i <= 155 && (1..=100).contains(&(bytes.len() - i - 1))
        })
        .map(|(i, _)| i)
        .next_back()
        .ok_or_else(|| DebError::PathTooLong(name.to_owned()))?;
    ustar.prefix[..split].copy_from_slice(&bytes[..split]);
    let rest = &bytes[split + 1..];
    ustar.name[..rest.len()].copy_from_slice(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn list(archive: &[u8]) -> Vec<(String, u32, u64, Vec<u8>)> {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
        tar.entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let header = entry.header().clone();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                let name = String::from_utf8(header.path_bytes().into_owned()).unwrap();
                (name, header.mode().unwrap(), header.mtime().unwrap(), data)
            })
            .collect()
    }

    #[test]
    fn entries_are_sorted_with_directories_first_and_dot_paths() {
        let long = format!("usr/share/{}/{}/x.desktop", "d".repeat(60), "e".repeat(60));
        let files = [
            FileEntry {
                path: "usr/share/b.txt".to_owned(),
                mode: 0o644,
                contents: Contents::Bytes(b"b".to_vec()),
            },
            FileEntry {
                path: "usr/bin/app".to_owned(),
                mode: 0o755,
                contents: Contents::Bytes(b"#!".to_vec()),
            },
            FileEntry {
                path: long.clone(),
                mode: 0o644,
                contents: Contents::Bytes(Vec::new()),
            },
        ];
        let archive = tar_gz(&files, 42).unwrap();
        assert_eq!(&archive[..2], b"\x1f\x8b");
        assert_eq!(&archive[4..8], &[0, 0, 0, 0], "gzip mtime");
        let names: Vec<_> = list(&archive).into_iter().map(|(n, ..)| n).collect();
        let long_parent = format!("./usr/share/{}/", "d".repeat(60));
        let long_dir = format!("./usr/share/{}/{}", "d".repeat(60), "e".repeat(60));
        let long_file = format!("./{long}");
        assert_eq!(
            names,
            [
                "./",
                "./usr/",
                "./usr/bin/",
                "./usr/bin/app",
                "./usr/share/",
                "./usr/share/b.txt",
                long_parent.as_str(),
                long_dir.as_str(),
                long_file.as_str(),
            ]
        );
        let entries = list(&archive);
        assert_eq!(entries[3].1, 0o755);
        assert_eq!(entries[3].3, b"#!");
        assert!(entries.iter().all(|e| e.2 == 42));
        assert_eq!(archive, tar_gz(&files, 42).unwrap(), "not deterministic");
    }
}
