//! Scale: batches of thousands of documents, scheduled flat, with PDFs in worker processes.

use std::path::Path;

use serde_json::Value;

use crate::support::bindery;

/// `n` distinct small articles (a heading, a paragraph with a link, a list and two code blocks,
/// so the HTML and EPUB writers highlight), spread over a few directories.
fn articles(dir: &Path, n: usize) {
    for i in 0..n {
        let sub = dir.join(format!("d{}", i % 10));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("a{i:05}.md")),
            format!(
                "# Article {i}\n\nSome text (https://example.org/{i}) with *emphasis*.\n\n\
                 - one\n- two {i}\n\n```rust\nfn f() -> u32 {{ {i} }}\n```\n\n\
                 ```python\nx = {i} * 2\n```\n"
            ),
        )
        .unwrap();
    }
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// Each worker runs one job at a time on its own stack, so thousands of documents build on
/// stacks far smaller than the default. With the formats of a document and the code blocks
/// of a page as parallel iterators nested in the documents' loop, a waiting worker ran stolen
/// documents on top of its frame, and this run overflowed its stack and aborted.
#[test]
fn thousands_of_documents_build_on_small_worker_stacks() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let n = 3000;
    articles(input.path(), n);
    let output = bindery()
        .env("BINDERY_WORKER_STACK", SMALL_STACK.to_string())
        .args([
            "build",
            "--no-cache",
            "-q",
            "--to",
            "html,txt,epub",
            "-j",
            "2",
        ])
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = manifest(out.path());
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 3 * n);
    assert_eq!(manifest["failures"].as_array().unwrap().len(), 0);
}

/// The stack each worker gets in that test: enough for one document's job in a debug build.
const SMALL_STACK: usize = 1024 * 1024;

/// A 5000 × 5000 PNG of 16-bit RGB (150 MB decoded) in 150 KB of file: typesetting it needs
/// more memory than the worker limit the test below sets, which the other documents do not.
fn huge_png() -> Vec<u8> {
    use std::io::Write;
    let (width, height) = (5000u32, 5000u32);
    let row = vec![0u8; 1 + width as usize * 6];
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..height {
        encoder.write_all(&row).unwrap();
    }
    let data = encoder.finish().unwrap();
    let chunk = |kind: &[u8], body: &[u8]| {
        let mut out = (body.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(body);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
        out
    };
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[16, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IDAT", &data));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A PDF that runs its worker out of memory aborts that worker (an allocation failure cannot
/// be caught): its document fails with a message naming the limit, every other output and the
/// manifest are written, and the run exits 1. In one process, the abort ended the whole batch
/// and left no manifest.
#[test]
fn a_pdf_that_exhausts_its_worker_fails_alone() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    articles(input.path(), 6);
    std::fs::write(input.path().join("huge.png"), huge_png()).unwrap();
    std::fs::write(
        input.path().join("picture.md"),
        "# A picture\n\n![a large picture](huge.png)\n",
    )
    .unwrap();
    let output = bindery()
        .args(["build", "--no-cache", "--to", "pdf,txt", "-j", "2"])
        .args(["--worker-memory", "300000000"])
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let manifest = manifest(out.path());
    let failures = manifest["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(
        failures[0]["source"].as_str().unwrap(),
        input.path().join("picture.md").to_str().unwrap()
    );
    assert_eq!(failures[0]["format"], "pdf");
    assert!(
        failures[0]["error"]
            .as_str()
            .unwrap()
            .contains("--worker-memory"),
        "{failures:?}"
    );
    // Every other output: six articles in both formats, and the picture's text.
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 13);
    for i in 0..6 {
        let pdf = out.path().join(format!("d{i}/a{i:05}.pdf"));
        assert!(
            std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"),
            "{pdf:?}"
        );
    }
    assert!(!out.path().join("picture.pdf").exists());
}
