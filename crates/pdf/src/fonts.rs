//! Fonts and the other process-wide state a render needs: loaded once, shared by every render.

use std::fmt::Write as _;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};

use crate::Options;

/// The family of the bundled body face (`fonts/NotoSerif-*.ttf`).
pub(crate) const SERIF_FAMILY: &str = "Noto Serif";
/// The family of the bundled monospace face (`fonts/DejaVuSansMono*.ttf`).
pub(crate) const MONO_FAMILY: &str = "DejaVu Sans Mono";

/// The family of the bundled OpenType math face (`fonts/STIXMath-Regular.otf`).
pub(crate) const MATH_FAMILY: &str = "STIX Math";

/// The bundled fonts, compiled in so output does not depend on the machine.
const BUNDLED: [&[u8]; 7] = [
    include_bytes!("../../../fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSerif-Italic.ttf"),
    include_bytes!("../../../fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../../../fonts/NotoSerif-BoldItalic.ttf"),
    include_bytes!("../../../fonts/DejaVuSansMono.ttf"),
    include_bytes!("../../../fonts/DejaVuSansMono-Bold.ttf"),
    include_bytes!("../../../fonts/STIXMath-Regular.otf"),
];

/// How many renders run between two evictions of Typst's memo caches: often enough that a
/// batch of thousands of documents stays bounded, rarely enough that a watch-style rebuild of
/// one document still hits the cache.
const EVICT_EVERY: usize = 30;

/// Everything a render borrows from the process: Typst's standard library, the font book and the
/// fonts themselves. Build it once with [`Resources::new`] and share it (it is `Send + Sync`)
/// between every document and thread.
pub struct Resources {
    pub(crate) library: LazyHash<Library>,
    pub(crate) book: LazyHash<FontBook>,
    /// Parallel to the book's indices.
    slots: Vec<FontSlot>,
    renders: AtomicUsize,
    /// Each font file read from disk with its size and modification time, for output caches.
    fingerprint: String,
}

/// One face in the book. Bundled faces are ready at once; faces found on disk are parsed in
/// [`Resources::new`] for their metadata and their bytes are kept only once a document uses them,
/// so a machine with hundreds of megabytes of CJK fonts does not hold them all in memory.
struct FontSlot {
    source: FontSource,
    index: u32,
    info: FontInfo,
    font: OnceLock<Option<Font>>,
}

enum FontSource {
    Bundled,
    File(PathBuf),
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resources")
            .field("fonts", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl Resources {
    /// Loads the bundled fonts, then the fonts in `options.font_dirs`, then (unless
    /// `options.system_fonts` is off) the system's fonts. This is the only place that reads
    /// font directories.
    pub fn new(options: &Options) -> Self {
        let mut slots = Vec::new();
        for data in BUNDLED {
            for font in Font::iter(typst::foundations::Bytes::new(data)) {
                slots.push(FontSlot {
                    source: FontSource::Bundled,
                    index: font.index(),
                    info: font.info().clone(),
                    font: OnceLock::from(Some(font)),
                });
            }
        }
        let mut files = Vec::new();
        for dir in &options.font_dirs {
            collect_font_files(dir, 0, &mut files);
        }
        if options.system_fonts {
            let mut system = Vec::new();
            for dir in system_font_dirs() {
                collect_font_files(&dir, 0, &mut system);
            }
            // Directory order differs between file systems; sorted paths make the book, and so
            // the fallback choice, the same on every run.
            system.sort();
            files.extend(system);
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut fingerprint = String::new();
        for path in files {
            let Ok(canonical) = path.canonicalize() else {
                continue;
            };
            if !seen.insert(canonical) {
                continue;
            }
            if let Ok(meta) = std::fs::metadata(&path) {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let _ = writeln!(
                    fingerprint,
                    "{}\t{}\t{modified}",
                    path.display(),
                    meta.len()
                );
            }
            let Some(data) = read_metadata_tables(&path, SMALL_FILE) else {
                continue;
            };
            let count = typst_font_count(&data);
            for index in 0..count {
                if let Some(info) = FontInfo::new(&data, index) {
                    slots.push(FontSlot {
                        source: FontSource::File(path.clone()),
                        index,
                        info,
                        font: OnceLock::new(),
                    });
                }
            }
        }
        let book = FontBook::from_infos(slots.iter().map(|slot| slot.info.clone()));
        Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            slots,
            renders: AtomicUsize::new(0),
            fingerprint,
        }
    }

    /// Every font file found on disk (`--font-dir`, then the system's), one per line with its
    /// size and modification time: what an output cache must key PDF outputs on, since adding,
    /// replacing or removing a font can change which glyphs a PDF draws. Bundled fonts are
    /// part of the binary and not listed.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The face at `index` in the book, reading its file the first time a document needs it.
    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| match &slot.source {
                FontSource::Bundled => None,
                FontSource::File(path) => {
                    let data = std::fs::read(path).ok()?;
                    Font::new(typst::foundations::Bytes::new(data), slot.index)
                }
            })
            .clone()
    }

    /// The metadata of every face, in book order (for coverage checks).
    pub(crate) fn infos(&self) -> impl Iterator<Item = &FontInfo> {
        self.slots.iter().map(|slot| &slot.info)
    }

    /// Whether a family is in the book, so the font list names only families that exist
    /// (Typst warns about unknown ones).
    pub(crate) fn has_family(&self, family: &str) -> bool {
        // The book keys families in lower case.
        self.book.contains_family(&family.to_lowercase())
    }

    /// Counts a render and evicts Typst's memo caches every [`EVICT_EVERY`] renders, so a long
    /// batch does not grow memory without bound.
    pub(crate) fn count_render(&self) {
        let n = self.renders.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(EVICT_EVERY) {
            // Entries unused since the previous eviction go: a batch keeps what it reuses.
            comemo::evict(1);
        }
    }
}

/// Tables a face's metadata ([`FontInfo`]) is read from, or that parsing a face requires.
const METADATA_TABLES: [&[u8; 4]; 10] = [
    b"head", b"hhea", b"maxp", b"cmap", b"name", b"OS/2", b"post", b"fvar", b"avar", b"MATH",
];

/// Tables at most this long are read whatever they are (they cost nothing to read).
const SMALL_TABLE: u64 = 64 * 1024;

/// Files at most this long are read whole (by [`Resources::new`]).
const SMALL_FILE: u64 = 128 * 1024;

/// A font file as [`FontInfo`] needs it: the file's length, with its headers, the
/// [`METADATA_TABLES`] and every small table at their offsets and zeros elsewhere. A machine's
/// fonts can come to hundreds of megabytes (CJK families above all), nearly all outlines and
/// layout tables; reading them whole made every process start read all of it. The zeros are
/// never written, so they take no memory. Files of at most `small_file` bytes are read whole.
/// `None` when the file cannot be read.
fn read_metadata_tables(path: &Path, small_file: u64) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len <= small_file {
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        return Some(data);
    }
    let mut data = vec![0; usize::try_from(len).ok()?];
    let fill = |file: &mut std::fs::File, data: &mut [u8], offset: u64, length: u64| {
        let end = offset.checked_add(length)?.min(len);
        let range = usize::try_from(offset).ok()?..usize::try_from(end).ok()?;
        file.seek(SeekFrom::Start(offset)).ok()?;
        file.read_exact(data.get_mut(range)?).ok()
    };
    // A collection's header lists where each face's table directory is.
    fill(&mut file, &mut data, 0, 12)?;
    let faces: Vec<u64> = if &data[0..4] == b"ttcf" {
        let count = u64::from(typst_font_count(&data));
        fill(&mut file, &mut data, 12, 4 * count)?;
        (0..count as usize)
            .filter_map(|n| be_u32(&data, 12 + 4 * n).map(u64::from))
            .collect()
    } else {
        vec![0]
    };
    for face in faces {
        // The table directory: 12 bytes, then 16 per table (tag, checksum, offset, length).
        fill(&mut file, &mut data, face, 12)?;
        let offset = usize::try_from(face).ok()?;
        let tables = u64::from(be_u16(&data, offset + 4)?);
        fill(&mut file, &mut data, face + 12, 16 * tables)?;
        for n in 0..tables as usize {
            let record = offset + 12 + 16 * n;
            let Some(tag) = data.get(record..record + 4) else {
                break;
            };
            let wanted = METADATA_TABLES.iter().any(|t| t.as_slice() == tag);
            let (Some(start), Some(length)) =
                (be_u32(&data, record + 8), be_u32(&data, record + 12))
            else {
                break;
            };
            if wanted || u64::from(length) <= SMALL_TABLE {
                // A table that does not fit the file is left to the parser to reject.
                let _ = fill(&mut file, &mut data, start.into(), length.into());
            }
        }
    }
    Some(data)
}

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Number of faces in a font file or collection.
fn typst_font_count(data: &[u8]) -> u32 {
    // A collection starts with `ttcf` and its face count at byte 8; a single font has one face.
    if data.len() >= 12 && &data[0..4] == b"ttcf" {
        u32::from_be_bytes([data[8], data[9], data[10], data[11]]).min(256)
    } else {
        1
    }
}

/// The directories fonts are installed in on this platform.
fn system_font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if cfg!(target_os = "windows") {
        let windir = std::env::var_os("WINDIR").map_or_else(|| "C:\\Windows".into(), PathBuf::from);
        dirs.push(windir.join("Fonts"));
        if let Some(local) = std::env::var_os("LOCALAPPDATA") {
            dirs.push(PathBuf::from(local).join("Microsoft\\Windows\\Fonts"));
        }
    } else if cfg!(target_os = "macos") {
        dirs.push("/Library/Fonts".into());
        dirs.push("/System/Library/Fonts".into());
        dirs.push("/Network/Library/Fonts".into());
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join("Library/Fonts"));
        }
    } else {
        dirs.push("/usr/share/fonts".into());
        dirs.push("/usr/local/share/fonts".into());
        if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
            dirs.push(PathBuf::from(data).join("fonts"));
        } else if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(&home).join(".local/share/fonts"));
        }
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".fonts"));
        }
    }
    dirs
}

/// Font files under `dir`, sorted within each directory. Symlinked directories are followed to a
/// bounded depth, which also ends symlink loops.
fn collect_font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 12 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect_font_files(&path, depth + 1, out);
        } else if meta.is_file() && is_font_file(&path) {
            out.push(path);
        }
    }
}

fn is_font_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "ttf" | "otf" | "ttc" | "otc"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_from_the_tables_read_matches_the_whole_file() {
        let mut files = Vec::new();
        collect_font_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts"),
            0,
            &mut files,
        );
        assert!(files.len() >= 6, "the bundled fonts are missing");
        let mut system = Vec::new();
        for dir in system_font_dirs() {
            collect_font_files(&dir, 0, &mut system);
        }
        // The largest files (CJK collections) are where skipping tables matters.
        system.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map_or(0, |m| m.len())));
        files.extend(system.into_iter().take(30));
        for path in &files {
            let whole = std::fs::read(path).unwrap();
            // Every file through the sparse path, whatever its size.
            let sparse = read_metadata_tables(path, 0).unwrap();
            assert_eq!(sparse.len(), whole.len());
            for index in 0..typst_font_count(&whole) {
                assert_eq!(
                    FontInfo::new(&sparse, index),
                    FontInfo::new(&whole, index),
                    "{} face {index}",
                    path.display()
                );
            }
        }
    }
}
