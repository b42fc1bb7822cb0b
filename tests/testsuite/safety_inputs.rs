//! Which files bindery reads and which it writes beside its outputs (issue 17, items 1, 2, 4,
//! 5 and 9): documents stay inside their tree, nothing blocks or grows without bound, and
//! copied images get names bindery chooses.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bindery, process};

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A valid 1x1 RGBA PNG (compressed pixel data and correct checksums), so Typst can decode it.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A PNG signature and IHDR only: the header claims `width` x `height` at `depth` bits of
/// colour type `color`; `tag` makes otherwise equal headers different files.
fn png_header(width: u32, height: u32, depth: u8, color: u8, tag: u8) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[depth, color, 0, 0, 0]);
    png.extend_from_slice(&[0, 0, 0, tag]);
    png
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// The `src` of every `<img>` in an HTML page.
fn image_sources(html: &str) -> Vec<String> {
    html.split("<img")
        .skip(1)
        .filter_map(|tag| {
            let start = tag.find("src=\"")? + 5;
            let end = tag[start..].find('"')? + start;
            Some(tag[start..end].to_string())
        })
        .collect()
}

/// Runs `command` to completion, or kills it after `limit` and fails: a hang must fail the
/// test, not the test run.
fn run_with_guard(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("bindery did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn an_article_that_links_out_of_the_tree_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&dir.path().join("secret.md"), "TOP-SECRET-TOKEN\n");
    write(&input.join("good.md"), "# Good\n");
    std::os::unix::fs::symlink(dir.path().join("secret.md"), input.join("leak.md")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", input.join("env.md")).unwrap();
    // A link that stays inside the tree is still followed.
    std::os::unix::fs::symlink(input.join("good.md"), input.join("alias.md")).unwrap();
    let out = dir.path().join("out");
    let output = bindery()
        .env("MY_TOKEN", "secret-from-the-environment")
        .args(["build", "--no-cache", "-t", "txt", "-o"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(listing(&out), ["alias.txt", "good.txt", "manifest.json"]);
    for name in ["leak.md", "env.md"] {
        assert!(
            err.contains(name) && err.contains("outside the input directory"),
            "{err}"
        );
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("TOP-SECRET") && !manifest.contains("secret-from-the"));

    // Named on the command line, the link is refused too (a shell glob names it).
    let output = bindery()
        .args(["build", "--no-cache", "-t", "txt", "-o"])
        .arg(dir.path().join("out2"))
        .arg(input.join("leak.md"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join("out2/leak.txt").exists());
}

#[test]
fn a_root_that_does_not_exist_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("in/a.md"), "![x](x.png)\n");
    let output = bindery()
        .args(["build", "--no-cache", "--root"])
        .arg(dir.path().join("no-such-dir"))
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg(dir.path().join("in"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("is not a directory"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn root_confines_a_books_images_and_cover() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    write(
        &book.join("bindery.toml"),
        "title = \"B\"\ncover = \"cover.png\"\nchapters = [\"a.md\"]\n",
    );
    write(
        &book.join("a.md"),
        "# A\n\n![dot](dot.png) ![art](art/inside.png)\n",
    );
    write(&book.join("dot.png"), PNG_1X1);
    write(&book.join("cover.png"), PNG_1X1);
    write(&book.join("art/inside.png"), png_header(2, 2, 8, 2, 0));
    let out = dir.path().join("out");
    let output = bindery()
        .args(["build", "--no-cache", "-t", "html,epub", "--root"])
        .arg(book.join("art"))
        .arg("-o")
        .arg(&out)
        .arg(&book)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    for url in ["dot.png", "cover.png"] {
        assert!(
            err.contains(&format!(
                "image `{url}` not included: it is outside the root"
            )),
            "{err}"
        );
    }
    assert!(!err.contains("art/inside.png"), "{err}");
    let images: Vec<_> = listing(&out.join("book"))
        .into_iter()
        .filter(|f| f.starts_with("images/"))
        .collect();
    assert_eq!(images.len(), 1, "{images:?}");
}

#[test]
fn percent_encoded_image_names_are_decoded_then_confined() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&dir.path().join("outside.png"), PNG_1X1);
    write(&input.join("dot.png"), PNG_1X1);
    std::fs::create_dir_all(input.join("sub")).unwrap();
    write(
        &input.join("doc.md"),
        "![up](%2e%2e/outside.png) ![in](sub/%2e%2e/dot.png) ![up2](sub%2f..%2f..%2foutside.png)\n",
    );
    let out = dir.path().join("out");
    let output = bindery()
        // --verbose: every warning, not one per kind and document.
        .args(["build", "--verbose", "--no-cache", "-t", "html", "-o"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(err.contains("image `%2e%2e/outside.png` not included: it is outside the root"));
    assert!(err.contains("image `sub%2f..%2f..%2foutside.png` not included"));
    let files = listing(&out);
    assert!(files.iter().all(|f| !f.contains('%')), "{files:?}");
    let html = std::fs::read_to_string(out.join("doc.html")).unwrap();
    let sources = image_sources(&html);
    assert_eq!(sources.len(), 1, "{html}");
    assert_eq!(std::fs::read(out.join(&sources[0])).unwrap(), PNG_1X1);
}

#[test]
fn copied_images_get_names_bindery_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    // A GIF header in front of a script page, named like a page.
    write(
        &input.join("x.html"),
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00<script>alert(document.domain)</script>",
    );
    write(&input.join("gif.md"), "# Gif\n\n![g](x.html)\n");
    // An image named like the document's own page, and like another document's page.
    write(&input.join("self.html"), PNG_1X1);
    write(&input.join("self.md"), "# Self\n\n![x](self.html)\n");
    write(&input.join("b.html"), png_header(3, 3, 8, 2, 1));
    write(&input.join("a.md"), "# A\n\n![x](b.html)\n");
    write(&input.join("b.md"), "# B page\n");
    // Bytes that are not an image are not copied at all.
    write(&input.join("notes.png"), "just some text");
    write(&input.join("text.md"), "# Text\n\n![notes](notes.png)\n");
    let out = dir.path().join("out");
    let output = bindery()
        .args(["build", "--no-cache", "-j", "2", "-t", "html", "-o"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    let files = listing(&out);
    let pages: Vec<_> = files.iter().filter(|f| !f.starts_with("images/")).collect();
    assert_eq!(
        pages,
        [
            "a.html",
            "b.html",
            "gif.html",
            "manifest.json",
            "self.html",
            "text.html"
        ]
    );
    for (page, title) in [
        ("self.html", "Self"),
        ("b.html", "B page"),
        ("gif.html", "Gif"),
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(
            html.contains(&format!("<title>{title}</title>")),
            "{page}: {html}"
        );
    }
    let images: Vec<_> = files.iter().filter(|f| f.starts_with("images/")).collect();
    assert_eq!(images.len(), 3, "{images:?}");
    for (page, extension, bytes) in [
        (
            "gif.html",
            ".gif",
            std::fs::read(input.join("x.html")).unwrap(),
        ),
        ("self.html", ".png", PNG_1X1.to_vec()),
        ("a.html", ".png", png_header(3, 3, 8, 2, 1)),
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let sources = image_sources(&html);
        assert_eq!(sources.len(), 1, "{page}: {html}");
        let name = &sources[0];
        assert!(
            name.starts_with("images/") && name.ends_with(extension),
            "{name}"
        );
        let stem = &name["images/".len()..name.len() - extension.len()];
        assert_eq!(stem.len(), 32, "{name}");
        assert!(stem.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
        assert_eq!(std::fs::read(out.join(name)).unwrap(), bytes, "{name}");
    }
    assert!(
        err.contains("image `notes.png` not included: its bytes are not a PNG"),
        "{err}"
    );
    let text = std::fs::read_to_string(out.join("text.html")).unwrap();
    assert!(image_sources(&text).is_empty() && text.contains("notes"));
}

#[test]
fn two_trees_with_different_images_of_one_name_keep_both_at_any_job_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    write(&one.join("img.png"), png_header(5, 5, 8, 2, 1));
    write(&two.join("img.png"), png_header(5, 5, 8, 2, 2));
    write(&one.join("first.md"), "![one](img.png)\n");
    write(&two.join("second.md"), "![two](img.png)\n");
    let mut listings = Vec::new();
    for jobs in ["1", "4"] {
        let out = dir.path().join(format!("out-{jobs}"));
        let output = bindery()
            .args(["build", "--no-cache", "-t", "html", "-j", jobs, "-o"])
            .arg(&out)
            .arg(&one)
            .arg(&two)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        for (page, tree) in [("first.html", &one), ("second.html", &two)] {
            let html = std::fs::read_to_string(out.join(page)).unwrap();
            let sources = image_sources(&html);
            assert_eq!(
                std::fs::read(out.join(&sources[0])).unwrap(),
                std::fs::read(tree.join("img.png")).unwrap()
            );
        }
        let files = listing(&out);
        assert_eq!(files.iter().filter(|f| f.starts_with("images/")).count(), 2);
        listings.push(files);
    }
    assert_eq!(listings[0], listings[1]);
}

/// The eight SVG bypasses of the old checks, through HTML copying, HTML embedding and EPUB.
#[test]
fn hostile_svg_is_refused_by_every_output() {
    let svg = |body: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">{body}</svg>"
        )
    };
    let hostile = [
        "<s:svg xmlns:s=\"http://www.w3.org/2000/svg\"><s:script>alert(1)</s:script></s:svg>"
            .to_string(),
        svg("<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>"),
        svg("<a href\n=\"javascript:alert(1)\"><rect width=\"9\" height=\"9\"/></a>"),
        svg("<image xlink:href\t=\"https://evil.example/x.png\"/>"),
        svg("<rect fill=\"url(#g)\" stroke=\"url(https://evil.example/p)\"/>"),
        svg("<style>@import \"https://evil.example/x.css\";</style>"),
        svg("<a href=\"#a\"><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a>"),
        svg(
            "<foreignObject><iframe xmlns=\"http://www.w3.org/1999/xhtml\" srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"/></foreignObject>",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut doc = String::from("# SVG\n\n![fine](fine.svg)\n\n");
    write(&input.join("fine.svg"), svg("<circle r=\"4\"/>"));
    for (i, text) in hostile.iter().enumerate() {
        write(&input.join(format!("evil{i}.svg")), text);
        doc.push_str(&format!("![evil {i}](evil{i}.svg)\n\n"));
    }
    write(&input.join("svg.md"), doc);
    for (args, check) in [
        (&["-t", "html"][..], "copy"),
        (&["-t", "html", "--embed-resources"][..], "embed"),
        (&["-t", "epub"][..], "epub"),
    ] {
        let out = dir.path().join(format!("out-{check}"));
        let output = bindery()
            // --verbose: every warning, not one per kind and document.
            .args(["build", "--verbose", "--no-cache", "-o"])
            .arg(&out)
            .args(args)
            .arg(&input)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert!(output.status.success(), "{err}");
        for i in 0..hostile.len() {
            assert!(
                err.contains(&format!(
                    "image `evil{i}.svg` not included: SVG that is not inert"
                )),
                "{check}: evil{i}.svg: {err}"
            );
        }
        match check {
            "copy" => {
                let svgs: Vec<_> = listing(&out)
                    .into_iter()
                    .filter(|f| f.ends_with(".svg"))
                    .collect();
                assert_eq!(svgs.len(), 1, "{svgs:?}");
                let copied = std::fs::read_to_string(out.join(&svgs[0])).unwrap();
                assert!(copied.contains("<circle"));
            }
            "embed" => {
                let html = std::fs::read_to_string(out.join("svg.html")).unwrap();
                assert_eq!(html.matches("data:image/svg+xml").count(), 1);
            }
            _ => {
                let file = std::fs::File::open(out.join("svg.epub")).unwrap();
                let mut zip = zip::ZipArchive::new(file).unwrap();
                let svgs = (0..zip.len())
                    .filter(|&i| zip.by_index(i).unwrap().name().ends_with(".svg"))
                    .count();
                assert_eq!(svgs, 1);
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_markdown_is_skipped_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.md"), "# A\n");
    let status = Command::new("mkfifo")
        .arg(input.join("b.md"))
        .status()
        .unwrap();
    assert!(status.success());
    // And a book whose chapter is a FIFO: the book fails, nothing hangs.
    let book = input.join("book");
    write(&book.join("bindery.toml"), "chapters = [\"c.md\"]\n");
    assert!(
        Command::new("mkfifo")
            .arg(book.join("c.md"))
            .status()
            .unwrap()
            .success()
    );
    let mut command = process();
    command
        .args(["build", "--no-cache", "-t", "txt", "-o"])
        .arg(dir.path().join("out"))
        .arg(&input);
    let output = run_with_guard(command, Duration::from_secs(120));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("b.md") && err.contains("skipped: not a regular file"),
        "{err}"
    );
    assert!(
        err.contains("c.md") && err.contains("not a regular file"),
        "{err}"
    );
    assert!(dir.path().join("out/a.txt").exists());
}

#[test]
fn book_configuration_files_have_the_input_limit() {
    let dir = tempfile::tempdir().unwrap();
    let padding = format!("# {}\n", "x".repeat(3000));
    let toml = dir.path().join("toml");
    write(
        &toml.join("bindery.toml"),
        format!("{padding}chapters = [\"a.md\"]\n"),
    );
    write(&toml.join("a.md"), "# A\n");
    let summary = dir.path().join("summary");
    write(&summary.join("bindery.toml"), "title = \"S\"\n");
    write(
        &summary.join("SUMMARY.md"),
        format!("<!-- {padding} -->\n- [A](a.md)\n"),
    );
    write(&summary.join("a.md"), "# A\n");
    for (book, file) in [(&toml, "bindery.toml"), (&summary, "SUMMARY.md")] {
        let output = bindery()
            .args([
                "build",
                "--no-cache",
                "-t",
                "txt",
                "--max-input",
                "2000",
                "-o",
            ])
            .arg(dir.path().join("out"))
            .arg(book)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(
            err.contains(file) && err.contains("is over the input limit of 2000 bytes"),
            "{err}"
        );
    }
}

#[test]
fn a_book_is_bounded_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let repeated = dir.path().join("repeated");
    let list = vec!["\"a.md\""; 300].join(", ");
    write(
        &repeated.join("bindery.toml"),
        format!("title = \"R\"\nchapters = [{list}]\n"),
    );
    write(
        &repeated.join("a.md"),
        format!("# A\n\n{}\n", "text ".repeat(100)),
    );
    let output = bindery()
        .args(["build", "--no-cache", "-t", "txt", "-o"])
        .arg(dir.path().join("out"))
        .arg(&repeated)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("bindery.toml:2:1: chapter `a.md` is listed more than once"),
        "{err}"
    );
    assert!(!dir.path().join("out/repeated.txt").exists());

    // Distinct chapters, each under the limit, together over it.
    let big = dir.path().join("big");
    write(
        &big.join("bindery.toml"),
        "title = \"B\"\nchapters = [\"a.md\", \"b.md\", \"c.md\"]\n",
    );
    for name in ["a.md", "b.md", "c.md"] {
        write(
            &big.join(name),
            format!("# {name}\n\n{}\n", "word ".repeat(150)),
        );
    }
    let output = bindery()
        .args([
            "build",
            "--no-cache",
            "-t",
            "txt",
            "--max-input",
            "1500",
            "-o",
        ])
        .arg(dir.path().join("out"))
        .arg(&big)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is over the input limit of 1500 bytes"),
        "{err}"
    );
}

/// As root (CI) permissions cannot make a directory unreadable; a path longer than the
/// system allows can: `read_dir` on it fails with "File name too long".
#[cfg(unix)]
#[test]
fn an_unreadable_directory_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("good.md"), "# Good\n");
    // Twenty nested folders with short names, renamed to long ones from the deepest up, so
    // that no single call ever names a path longer than the system allows.
    let mut chain = input.clone();
    for _ in 0..20 {
        chain.push("a");
    }
    std::fs::create_dir_all(&chain).unwrap();
    write(&chain.join("deep.md"), "# Deep\n");
    let long = "d".repeat(250);
    for _ in 0..20 {
        let renamed = chain.with_file_name(&long);
        std::fs::rename(&chain, &renamed).unwrap();
        chain.pop();
    }
    let output = bindery()
        .args(["build", "--no-cache", "-t", "txt", "-o"])
        .arg(dir.path().join("out"))
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("too long"), "{err}");
    assert!(dir.path().join("out/good.txt").exists(), "{err}");
}

#[test]
fn a_chapter_named_index_keeps_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    write(
        &book.join("bindery.toml"),
        "title = \"Indexed\"\nchapters = [\"index.md\", \"b.md\"]\n",
    );
    write(
        &book.join("index.md"),
        "# Welcome\n\nThe index chapter's own text.\n",
    );
    write(
        &book.join("b.md"),
        "# Second\n\nSee [the start](index.md).\n",
    );
    let out = dir.path().join("out");
    let output = bindery()
        .args(["build", "--no-cache", "-t", "html", "-o"])
        .arg(&out)
        .arg(&book)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let site = out.join("book");
    let contents = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(contents.contains("Contents"), "{contents}");
    assert!(contents.contains("href=\"index-2.html\""), "{contents}");
    let chapter = std::fs::read_to_string(site.join("index-2.html")).unwrap();
    assert!(chapter.contains("The index chapter"), "{chapter}");
    let second = std::fs::read_to_string(site.join("b.html")).unwrap();
    assert!(second.contains("index-2.html#welcome"), "{second}");
}

#[test]
fn an_output_directory_given_with_dot_dot_gets_its_images() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    write(&work.join("in/doc.md"), "![dot](dot.png)\n");
    write(&work.join("in/dot.png"), PNG_1X1);
    let output = bindery()
        .current_dir(&work)
        .args(["build", "--no-cache", "-t", "html", "-o", "../site", "in"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let site = dir.path().join("site");
    let html = std::fs::read_to_string(site.join("doc.html")).unwrap();
    let sources = image_sources(&html);
    assert_eq!(sources.len(), 1);
    assert_eq!(std::fs::read(site.join(&sources[0])).unwrap(), PNG_1X1);

    // `convert -o ../x.html` as well.
    let output = bindery()
        .current_dir(work.join("in"))
        .args(["convert", "doc.md", "-o", "../../single/doc.html"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.path().join("single").join(&sources[0])).unwrap(),
        PNG_1X1
    );
}

#[test]
fn one_undecodable_image_is_dropped_alone_from_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("good.png"), PNG_1X1);
    // A header that promises pixels and no image data: Typst cannot decode it.
    write(&input.join("bad.png"), png_header(4, 4, 8, 2, 0));
    write(
        &input.join("doc.md"),
        "# Images\n\n![good one](good.png)\n\n![bad one](bad.png)\n",
    );
    let out = dir.path().join("out");
    let output = bindery()
        .args([
            "build",
            "--no-cache",
            "-t",
            "pdf",
            "--no-system-fonts",
            "-o",
        ])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.contains("every image"), "{err}");
    assert_eq!(err.matches("cannot be decoded").count(), 1, "{err}");
    let text = Command::new("pdftotext")
        .arg(out.join("doc.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("[bad one]"), "{text}");
    assert!(!text.contains("[good one]"), "{text}");
}

/// 26 distinct 6324 x 6324 16-bit PNGs each pass the 40-megapixel cap; decoded they are
/// 6.2 GB. They are refused from their headers, before anything is decoded.
#[test]
fn images_are_limited_by_their_decoded_size() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut doc = String::from("# Many\n\n");
    for i in 0..26u8 {
        write(
            &input.join(format!("p{i}.png")),
            png_header(6324, 6324, 16, 2, i),
        );
        doc.push_str(&format!("![p{i}](p{i}.png)\n"));
    }
    write(&input.join("many.md"), doc);
    write(&input.join("one.md"), "![rgba](rgba.png)\n");
    write(&input.join("rgba.png"), png_header(6324, 6324, 16, 6, 0));
    let out = dir.path().join("out");
    let mut command = process();
    command
        .args([
            "build",
            // Every warning, not one per kind and document.
            "--verbose",
            "--no-cache",
            "-t",
            "html,pdf",
            "--no-system-fonts",
            "-o",
        ])
        .arg(&out)
        .arg(&input);
    let output = run_with_guard(command, Duration::from_secs(120));
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    // 229 MiB each: two fit in 512 MiB, the other 24 are refused (once per document).
    assert_eq!(
        err.matches("the document's images would take").count(),
        24,
        "{err}"
    );
    assert!(
        err.contains("image `rgba.png` not included: 6324x6324 pixels decode to 306 MiB, over the limit of 256 MiB per image"),
        "{err}"
    );
}

/// Front matter nested 100,000 deep is refused by a pre-scan that stops at the first level too
/// deep; libyaml alone spent 18.7 s (release build) on it before the depth check could run.
#[test]
fn deeply_nested_yaml_front_matter_is_refused_fast() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.md");
    let depth = 100_000;
    write(
        &path,
        format!(
            "---\nx: {}{}\n---\nbody\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    let mut command = process();
    command.args(["convert", "-t", "txt"]).arg(&path);
    let started = Instant::now();
    let output = run_with_guard(command, Duration::from_secs(300));
    let elapsed = started.elapsed();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("deeper than 16 levels"), "{err}");
    // Generous for a loaded debug machine; the unbounded parse took tens of seconds here.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}
