//! Hostile documents build in one batch beside good ones: nothing outside the root is read,
//! no script survives, bombs and deep nesting are contained, and every good output is written.

use std::path::Path;

fn png_header(width: u32, height: u32) -> Vec<u8> {
    // A PNG signature and IHDR claiming a huge image; no pixel data is needed to be refused.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&[0, 0, 0, 0]);
    png
}

/// The start tags of an HTML page (text between `<` + letter and the next `>`).
fn tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = after.find('>').map_or(after.len(), |e| e + 1);
            tags.push(&rest[i..i + 1 + end]);
        }
        rest = after;
    }
    tags
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn hostile_documents_build_beside_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("secret.txt");
    write(&outside, "TOP-SECRET-CONTENT");
    let root = dir.path().join("site");
    write(
        &root.join("good.md"),
        "# Good\n\nA *good* article with ![a dot](img/dot.png).\n",
    );
    write(&root.join("img/dot.png"), png_header(1, 1));
    std::fs::create_dir_all(root.join("sub")).unwrap();
    write(
        &root.join("traversal.md"),
        "# Traversal\n\n![up](../secret.txt) ![abs](/etc/hostname) ![deep](../../../../etc/passwd)\n\n\
         ![inside](sub/../img/dot.png)\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("img/escape.png")).unwrap();
    write(
        &root.join("symlink.md"),
        "# Symlink\n\n![escape](img/escape.png)\n",
    );
    write(&root.join("bomb.md"), "# Bomb\n\n![bomb](img/bomb.png)\n");
    write(&root.join("img/bomb.png"), png_header(100_000, 100_000));
    write(
        &root.join("script.md"),
        "# Script\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) \
         <img src=x onerror=alert(1)> [y](JaVaScRiPt:alert(2))\n\n\
         ![svg](img/evil.svg)\n",
    );
    write(
        &root.join("img/evil.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    );
    write(&root.join("deep-quotes.md"), "> ".repeat(10_000) + "deep\n");
    write(&root.join("deep-list.md"), "- ".repeat(10_000) + "x\n");

    let out = dir.path().join("out");
    let output = crate::support::bindery()
        .arg("build")
        .arg(&root)
        .arg("-o")
        .arg(&out)
        // --verbose: every warning, not one per kind and document.
        .args(["--verbose", "--no-cache", "--to", "html,txt,json,epub,pdf"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "hostile input is warned about, not fatal: {stderr}"
    );

    for name in [
        "good",
        "traversal",
        "symlink",
        "bomb",
        "script",
        "deep-quotes",
        "deep-list",
    ] {
        for ext in ["epub", "pdf"] {
            let bytes = std::fs::read(out.join(format!("{name}.{ext}")))
                .unwrap_or_else(|_| panic!("{name}.{ext} missing"));
            assert!(!String::from_utf8_lossy(&bytes).contains("TOP-SECRET"));
        }
        for ext in ["html", "txt", "json"] {
            let path = out.join(format!("{name}.{ext}"));
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{name}.{ext} missing"));
            assert!(
                !text.contains("TOP-SECRET"),
                "{name}.{ext} leaked a file outside the root"
            );
            let lower = text.to_lowercase();
            assert!(
                !lower.contains("javascript:"),
                "{name}.{ext} kept a javascript: URL"
            );
            if ext == "html" {
                for tag in tags(&lower) {
                    assert!(
                        !tag.starts_with("<script"),
                        "{name}.html has a script element"
                    );
                    assert!(
                        !tag.contains(" on"),
                        "{name}.html has an event handler: {tag}"
                    );
                }
            }
        }
    }
    // Only the good image (also reached through `sub/..` inside the root) was copied, once,
    // under the name bindery gives it; nothing keeps the name it was written with.
    let copied: Vec<_> = std::fs::read_dir(out.join("images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert_eq!(std::fs::read(&copied[0]).unwrap(), png_header(1, 1));
    for refused in ["img", "secret.txt"] {
        assert!(!out.join(refused).exists(), "{refused} was copied");
    }
    for expected in [
        "traversal.md:3:1: image `../secret.txt` not included",
        "image `/etc/hostname` not included: absolute paths are not read",
        "symlink.md:3:1: image `img/escape.png` not included: it is outside the root",
        "bomb.md:3:1: image `img/bomb.png` not included: 100000x100000 pixels",
        "image `img/evil.svg` not included: SVG that is not inert: its `svg` element has a `onload` attribute",
        "deep-quotes.md:1:63: nesting deeper than 32 levels was flattened",
        "dropped a javascript: link",
    ] {
        assert!(
            stderr.contains(expected),
            "missing warning `{expected}` in:\n{stderr}"
        );
    }
    let html = std::fs::read_to_string(out.join("deep-quotes.html")).unwrap();
    assert!(html.contains("deep"));
    assert_eq!(html.matches("<blockquote>").count(), 32);
}

/// `--max-input` bounds what is read, not only what is parsed: an endless stream on stdin is cut
/// off one byte past the limit, and a file over it is refused from its size.
#[test]
fn input_past_the_limit_is_never_read_whole() {
    use std::io::Write;
    use std::process::Stdio;

    let mut child = crate::support::process()
        .args(["convert", "-", "--to", "txt", "--max-input", "100000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Like `yes | bindery convert -`: stops only when bindery closes the pipe (or at 1 GiB,
    // which would mean it is reading everything).
    let writer = std::thread::spawn(move || {
        let chunk = "an endless paragraph of words\n".repeat(2000);
        let mut written = 0usize;
        while written < 1 << 30 {
            if stdin.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            written += chunk.len();
        }
        written
    });
    let output = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("<stdin>: the stream goes on past the input limit of 100000 bytes"),
        "{stderr}"
    );
    assert!(written < 1 << 30, "bindery read all {written} bytes");

    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.md");
    write(&big, "x".repeat(100_001));
    let output = crate::support::bindery()
        .arg("convert")
        .arg(&big)
        .args(["--to", "txt", "--max-input", "100000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("100001 bytes is over the input limit of 100000 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("--max-input"), "{stderr}");
}
