//! App icons from one source: an SVG (drawn at every size by resvg) or a
//! square PNG (scaled down with a Lanczos filter by `image`). `millennium
//! icon` writes the set to a directory; `millennium build` makes the same
//! set for the `.deb` and `.rpm` (the hicolor theme's sizes) and the window
//! icon it bakes into the executable, so `[bundle] icon` may be an SVG or
//! a large PNG.
//!
//! A PNG is never scaled up: sizes above the source's are left out (the
//! desktop scales the largest one), with a warning below [`GOOD_SIDE`]. A
//! source that is not square is refused: stretching or cropping it would
//! be a guess.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use image::{ImageFormat, RgbaImage};

/// The hicolor sizes written, in pixels a side.
pub const SIZES: [u32; 7] = [16, 32, 48, 64, 128, 256, 512];

/// The window icon's side (or the source's, when smaller).
pub const WINDOW_SIDE: u32 = 256;

/// A PNG smaller than this gets a warning: the larger sizes are missing.
pub const GOOD_SIDE: u32 = 512;

/// The smallest usable source.
pub const MIN_SIDE: u32 = 16;

/// The largest source file read.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// The largest PNG decoded, a side (checked from its header first).
pub const MAX_PNG_SIDE: u32 = 8192;

/// Why a source cannot be an icon.
#[derive(Debug, thiserror::Error)]
pub enum IconError {
    /// Reading the file failed.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Larger than [`MAX_BYTES`].
    #[error("{} is {len} bytes; an icon source is at most 32 MiB", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: u64,
    },
    /// Neither an SVG nor a PNG.
    #[error("{} is neither an SVG nor a PNG image", .0.display())]
    Format(PathBuf),
    /// Not square.
    #[error("{} is {width}x{height}; an icon must be square (pad it to a square canvas first)", path.display())]
    NotSquare {
        /// The file.
        path: PathBuf,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// Smaller than [`MIN_SIDE`] or larger than [`MAX_PNG_SIDE`].
    #[error("{} is {side}x{side}; an icon source is 16 to 8192 pixels a side (512 or an SVG is best)", path.display())]
    Side {
        /// The file.
        path: PathBuf,
        /// Its side.
        side: u32,
    },
    /// The decoder or renderer refused it.
    #[error("{} cannot be read as {kind}: {reason}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// `SVG` or `PNG`.
        kind: &'static str,
        /// The decoder's words.
        reason: String,
    },
}

/// A loaded source.
pub enum Source {
    /// Vector: any size.
    Svg(Box<resvg::usvg::Tree>),
    /// Raster, square, `side` pixels.
    Png(RgbaImage),
}

/// A source and what was noticed while loading it.
pub struct Loaded {
    /// The image.
    pub source: Source,
    /// Things worth telling the author (the icon is still usable).
    pub warnings: Vec<String>,
}

impl Loaded {
    /// The sizes of [`SIZES`] this source can give without scaling up.
    pub fn sizes(&self) -> Vec<u32> {
        match &self.source {
            Source::Svg(_) => SIZES.to_vec(),
            Source::Png(image) => SIZES.into_iter().filter(|&s| s <= image.width()).collect(),
        }
    }

    /// The window icon's side.
    pub fn window_side(&self) -> u32 {
        match &self.source {
            Source::Svg(_) => WINDOW_SIDE,
            Source::Png(image) => image.width().min(WINDOW_SIDE),
        }
    }

    /// The icon at `side` pixels, as a PNG file.
    pub fn png(&self, side: u32) -> Vec<u8> {
        let image = match &self.source {
            Source::Svg(tree) => render_svg(tree, side),
            Source::Png(image) if image.width() == side => image.clone(),
            Source::Png(image) => {
                image::imageops::resize(image, side, side, image::imageops::FilterType::Lanczos3)
            }
        };
        let mut bytes = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Png)
            // Encoding an in-memory RGBA image to memory cannot fail.
            .expect("PNG encoding of an RGBA image");
        bytes
    }
}

/// Whether `bytes` look like an SVG (or gzipped SVGZ) document.
fn is_svg(path: &Path, bytes: &[u8]) -> bool {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("svg" | "svgz")) {
        return true;
    }
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_string();
    let start = start.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<?xml") || start.starts_with("<svg")
}

/// Reads and checks the source at `path`.
pub fn load(path: &Path) -> Result<Loaded, IconError> {
    let read = |source| IconError::Read {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read)?.len();
    if len > MAX_BYTES {
        return Err(IconError::TooLarge {
            path: path.to_owned(),
            len,
        });
    }
    let bytes = std::fs::read(path).map_err(read)?;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        load_png(path, &bytes)
    } else if is_svg(path, &bytes) {
        load_svg(path, &bytes)
    } else {
        Err(IconError::Format(path.to_owned()))
    }
}

fn load_png(path: &Path, bytes: &[u8]) -> Result<Loaded, IconError> {
    let decode = |reason: String| IconError::Decode {
        path: path.to_owned(),
        kind: "PNG",
        reason,
    };
    // The header's size, before anything is decoded: a small file may
    // claim gigapixels.
    let (width, height) = match bytes.get(16..24) {
        Some(dims) if bytes.get(12..16) == Some(b"IHDR") => (
            u32::from_be_bytes([dims[0], dims[1], dims[2], dims[3]]),
            u32::from_be_bytes([dims[4], dims[5], dims[6], dims[7]]),
        ),
        _ => return Err(decode("truncated header".to_owned())),
    };
    if width != height {
        return Err(IconError::NotSquare {
            path: path.to_owned(),
            width,
            height,
        });
    }
    if !(MIN_SIDE..=MAX_PNG_SIDE).contains(&width) {
        return Err(IconError::Side {
            path: path.to_owned(),
            side: width,
        });
    }
    let image = image::load_from_memory_with_format(bytes, ImageFormat::Png)
        .map_err(|e| decode(e.to_string()))?
        .into_rgba8();
    let mut warnings = Vec::new();
    if width < GOOD_SIDE {
        warnings.push(format!(
            "{} is {width}x{width}: sizes above {width} are left out (the desktop scales it up, blurred); a 512x512 PNG or an SVG gives every size",
            path.display()
        ));
    }
    Ok(Loaded {
        source: Source::Png(image),
        warnings,
    })
}

fn load_svg(path: &Path, bytes: &[u8]) -> Result<Loaded, IconError> {
    let options = resvg::usvg::Options {
        // Nothing outside the file is read.
        resources_dir: None,
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_data(bytes, &options).map_err(|e| IconError::Decode {
        path: path.to_owned(),
        kind: "SVG",
        reason: e.to_string(),
    })?;
    let size = tree.size();
    let (width, height) = (size.width(), size.height());
    if (width - height).abs() > width.max(height) * 0.001 {
        return Err(IconError::NotSquare {
            path: path.to_owned(),
            width: width.round() as u32,
            height: height.round() as u32,
        });
    }
    let mut warnings = Vec::new();
    if String::from_utf8_lossy(bytes).contains("<text") {
        warnings.push(format!(
            "{} has text, which is not drawn; convert the text to paths (Inkscape: Path > Object to Path)",
            path.display()
        ));
    }
    Ok(Loaded {
        source: Source::Svg(Box::new(tree)),
        warnings,
    })
}

fn render_svg(tree: &resvg::usvg::Tree, side: u32) -> RgbaImage {
    let mut pixmap = resvg::tiny_skia::Pixmap::new(side, side)
        // SIZES are all non-zero and small.
        .expect("a pixmap of an icon size");
    let size = tree.size();
    let scale = side as f32 / size.width().max(size.height());
    resvg::render(
        tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    RgbaImage::from_raw(side, side, pixmap.take_demultiplied())
        .expect("the pixmap holds side x side RGBA pixels")
}

/// `millennium icon SOURCE [--out-dir DIR]`: writes `DIR/<N>x<N>.png` for
/// every size the source gives and `DIR/icon.png`, the window icon (and
/// what `[bundle] icon` can point to).
pub fn run(source: &Path, out_dir: &Path) -> anyhow::Result<ExitCode> {
    let loaded = load(source)?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut written = Vec::new();
    for side in loaded.sizes() {
        written.push((out_dir.join(format!("{side}x{side}.png")), loaded.png(side)));
    }
    written.push((out_dir.join("icon.png"), loaded.png(loaded.window_side())));
    for (path, bytes) in &written {
        crate::atomic::write_atomically(path, 0o644, |out| {
            std::io::Write::write_all(out, bytes)
                .with_context(|| format!("cannot write {}", path.display()))
        })?;
    }
    eprintln!(
        "wrote {} icons to {} ({}; icon.png is the {side}x{side} window icon)",
        written.len(),
        out_dir.display(),
        loaded
            .sizes()
            .iter()
            .map(|s| format!("{s}x{s}"))
            .collect::<Vec<_>>()
            .join(", "),
        side = loaded.window_side()
    );
    eprintln!(
        "next: set `[bundle] icon = \"{}\"` in millennium.toml (the build makes every size from it)",
        source.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("millennium-icon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 255]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#2a6"/></svg>"##;

    #[test]
    fn an_svg_gives_every_size_drawn_not_scaled() {
        let loaded = load(&temp("a.svg", SVG.as_bytes())).unwrap();
        assert_eq!(loaded.sizes(), SIZES);
        assert!(loaded.warnings.is_empty());
        let big = image::load_from_memory(&loaded.png(512))
            .unwrap()
            .into_rgba8();
        assert_eq!(big.dimensions(), (512, 512));
        // The centre is the circle's colour, a corner is transparent.
        assert_eq!(big.get_pixel(256, 256).0, [0x22, 0xaa, 0x66, 255]);
        assert_eq!(big.get_pixel(0, 0).0[3], 0);
    }

    #[test]
    fn a_small_png_is_never_scaled_up_and_says_so() {
        let loaded = load(&temp("small.png", &png(64, 64))).unwrap();
        assert_eq!(loaded.sizes(), [16, 32, 48, 64]);
        assert_eq!(loaded.window_side(), 64);
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].contains("sizes above 64 are left out"));
        let scaled = image::load_from_memory(&loaded.png(16)).unwrap();
        assert_eq!((scaled.width(), scaled.height()), (16, 16));
    }

    #[test]
    fn non_square_tiny_and_other_files_are_refused() {
        let error = load(&temp("wide.png", &png(64, 32))).err().unwrap();
        assert!(
            error
                .to_string()
                .contains("is 64x32; an icon must be square"),
            "{error}"
        );
        let wide_svg = SVG.replace("0 0 10 10", "0 0 20 10");
        let error = load(&temp("wide.svg", wide_svg.as_bytes())).err().unwrap();
        assert!(error.to_string().contains("is 20x10"), "{error}");
        let error = load(&temp("tiny.png", &png(8, 8))).err().unwrap();
        assert!(error.to_string().contains("is 8x8"), "{error}");
        let error = load(&temp("x.gif", b"GIF89a")).err().unwrap();
        assert!(
            error.to_string().contains("neither an SVG nor a PNG"),
            "{error}"
        );
        let error = load(&temp("broken.svg", b"<svg")).err().unwrap();
        assert!(
            error.to_string().contains("cannot be read as SVG"),
            "{error}"
        );
    }

    #[test]
    fn a_png_claiming_gigapixels_is_refused_before_decoding() {
        let mut bytes = png(16, 16);
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let error = load(&temp("bomb.png", &bytes)).err().unwrap();
        assert!(error.to_string().contains("100000x100000"), "{error}");
    }
}
