//! The `ar` archive a `.deb` is: the global header `!<arch>\n`, then per
//! member a 60-byte header (name 16, mtime 12, uid 6, gid 6, octal mode 8,
//! size 10, all space-padded ASCII, then the magic "`\n") and the data,
//! padded with `\n` to an even offset. dpkg reads the common (System V / GNU)
//! dialect; names here are short, so no name table is needed.

/// The archive's first eight bytes.
pub const MAGIC: &[u8; 8] = b"!<arch>\n";

/// One member: a name of at most 16 bytes and its contents.
pub struct Member<'a> {
    /// File name (`debian-binary`, `control.tar.gz`, ...).
    pub name: &'static str,
    /// Contents.
    pub data: &'a [u8],
}

/// Writes the archive. Every member has mode 0644, owner 0:0 and `mtime`.
pub fn write(members: &[Member<'_>], mtime: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(MAGIC);
    for member in members {
        debug_assert!(member.name.len() <= 16 && member.name.is_ascii());
        let header = format!(
            "{:<16}{:<12}{:<6}{:<6}{:<8o}{:<10}`\n",
            member.name,
            mtime,
            0,
            0,
            0o100644,
            member.data.len()
        );
        debug_assert_eq!(header.len(), 60);
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(member.data);
        if member.data.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_has_headers_data_and_padding() {
        let mut out = Vec::new();
        write(
            &[
                Member {
                    name: "debian-binary",
                    data: b"2.0\n",
                },
                Member {
                    name: "odd",
                    data: b"abc",
                },
                Member {
                    name: "last",
                    data: b"z",
                },
            ],
            1700000000,
            &mut out,
        );
        assert_eq!(&out[..8], b"!<arch>\n");
        let first = &out[8..68];
        assert_eq!(
            std::str::from_utf8(first).unwrap(),
            "debian-binary   1700000000  0     0     100644  4         `\n"
        );
        assert_eq!(&out[68..72], b"2.0\n");
        // The odd member is padded to an even offset before the next header.
        assert_eq!(&out[72..88], b"odd             ");
        assert_eq!(&out[120..130], b"3         ");
        assert_eq!(&out[132..136], b"abc\n");
        assert_eq!(&out[136..140], b"last");
        assert_eq!(out.len(), 136 + 60 + 2);
        assert_eq!(out.len() % 2, 0);
    }
}
