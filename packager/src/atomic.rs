//! The packager's outputs (the executable, `.deb`, `.minisig`,
//! `latest.json`, key files) are written through the workspace's one atomic
//! write, [`millennium_host::atomic_file`]: a temporary sibling created with
//! its final mode, fsynced, renamed into place, the directory fsynced. A
//! failure leaves nothing behind and the old file as it was.

use std::fs::File;
use std::path::Path;

use anyhow::Context;
use millennium_host::atomic_file::Staged;

/// Writes `path` with permission bits `mode` from what `write` writes.
pub fn write_atomically(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut staged = Staged::new(path, "tmp", Some(mode))
        .with_context(|| format!("cannot write to {}", dir.display()))?;
    write(staged.file())?;
    staged
        .commit()
        .with_context(|| format!("cannot create {}", path.display()))
}
