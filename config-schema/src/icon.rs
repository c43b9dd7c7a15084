//! What a tray icon may be: a PNG of at most [`MAX_BYTES`] and
//! [`MAX_SIDE`] pixels a side, read from its header before anything decodes
//! it (so a small file that would inflate to gigabytes is refused too).
//! `check` and the host ask the same function.

/// The largest icon file.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The largest width or height.
pub const MAX_SIDE: u32 = 1024;

/// Why bytes are not a usable icon.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IconError {
    /// Larger than [`MAX_BYTES`].
    #[error("the icon is {0} bytes; an icon is at most 1 MiB")]
    TooLarge(usize),
    /// No PNG signature or header.
    #[error("the icon is not a PNG image")]
    NotPng,
    /// Wider or taller than [`MAX_SIDE`], or empty.
    #[error("the icon is {0}x{1} pixels; an icon is 1 to 1024 pixels a side (32 to 64 looks best)")]
    BadSize(u32, u32),
}

/// The width and height of the PNG `bytes`, from its header.
pub fn png_size(bytes: &[u8]) -> Result<(u32, u32), IconError> {
    if bytes.len() > MAX_BYTES {
        return Err(IconError::TooLarge(bytes.len()));
    }
    // Signature, then the IHDR chunk: length 13, "IHDR", width, height.
    let header = bytes.get(..24).ok_or(IconError::NotPng)?;
    if &header[..8] != b"\x89PNG\r\n\x1a\n" || &header[12..16] != b"IHDR" {
        return Err(IconError::NotPng);
    }
    let width = u32::from_be_bytes([header[16], header[17], header[18], header[19]]);
    let height = u32::from_be_bytes([header[20], header[21], header[22], header[23]]);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(IconError::BadSize(width, height));
    }
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes
    }

    #[test]
    fn only_small_pngs_are_icons() {
        assert_eq!(png_size(&header(64, 32)), Ok((64, 32)));
        assert_eq!(
            png_size(&header(30000, 30000)),
            Err(IconError::BadSize(30000, 30000))
        );
        assert_eq!(png_size(&header(0, 5)), Err(IconError::BadSize(0, 5)));
        assert_eq!(
            png_size(b"GIF89a........................"),
            Err(IconError::NotPng)
        );
        assert_eq!(png_size(b"\x89PNG"), Err(IconError::NotPng));
        let mut big = header(16, 16);
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(png_size(&big), Err(IconError::TooLarge(MAX_BYTES + 1)));
    }
}
