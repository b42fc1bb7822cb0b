//! Batch behaviour: manifest, JSON messages, cache hits and invalidation, determinism across
//! runs and thread counts.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::bindery;

/// `n` small articles with links, a list, a table and code, in a fresh directory.
fn corpus(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let sub = dir.path().join(format!("part{}", i % 3));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("article-{i:03}.md")),
            format!(
                "# Article {i}\n\nText with a link (https://example.org/{i}) and *emphasis*.\n\n\
                 - one\n- two\n\n| a | b |\n|---|--:|\n| {i} | {} |\n\n```rust\nfn f() -> u32 {{ {i} }}\n```\n",
                i * 7
            ),
        )
        .unwrap();
    }
    dir
}

fn build(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let output = bindery()
        .arg("build")
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn manifest_lists_every_output_in_a_stable_order() {
    let input = corpus(5);
    let out = tempfile::tempdir().unwrap();
    build(
        input.path(),
        out.path(),
        &["--no-cache", "--to", "txt,html"],
    );
    let m = manifest(out.path());
    let outputs = m["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 10);
    let keys: Vec<(String, String)> = outputs
        .iter()
        .map(|o| {
            (
                o["source"].as_str().unwrap().to_string(),
                o["format"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by source, then format");
    let first = &outputs[0];
    let path = out.path().join(first["path"].as_str().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(first["bytes"].as_u64().unwrap(), bytes.len() as u64);
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(first["source_sha256"].as_str().unwrap().len(), 64);
    assert!(first["warnings"].as_array().unwrap().is_empty());
    assert!(m["failures"].as_array().unwrap().is_empty());
}

#[test]
fn failures_are_recorded_in_the_manifest() {
    let input = corpus(2);
    std::fs::write(input.path().join("broken.md"), "---\ntitle: a: b\n---\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    bindery()
        .arg("build")
        .arg(input.path())
        .arg("-o")
        .arg(out.path())
        .args(["-q", "--no-cache", "--to", "html,txt"])
        .assert()
        .code(1);
    let m = manifest(out.path());
    let failures = m["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("broken.md")
    );
    assert!(
        failures[0]["error"]
            .as_str()
            .unwrap()
            .contains("broken.md:2:")
    );
    assert_eq!(m["outputs"].as_array().unwrap().len(), 4);
}

#[test]
fn json_messages_report_each_output_and_the_end() {
    let input = corpus(3);
    let out = tempfile::tempdir().unwrap();
    let output = build(
        input.path(),
        out.path(),
        &["--no-cache", "--message-format", "json", "--to", "html"],
    );
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let reasons: Vec<&str> = lines
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.first(), Some(&"build-planned"));
    assert_eq!(reasons.last(), Some(&"build-finished"));
    assert_eq!(
        reasons.iter().filter(|r| **r == "output-written").count(),
        3
    );
    let written = lines
        .iter()
        .find(|l| l["reason"] == "output-written")
        .unwrap();
    assert!(written["render_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(written["cached"], Value::Bool(false));
    assert_eq!(lines.last().unwrap()["success"], Value::Bool(true));
}

#[test]
fn cache_hits_and_invalidation() {
    let input = corpus(6);
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec![
            "--to",
            "html,txt",
            "--message-format",
            "json",
            "--cache-dir",
            cache.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let output = build(input.path(), out.path(), &args);
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|l| l["reason"] == "output-written")
            .collect()
    };
    let rendered = |events: &[Value]| -> Vec<String> {
        let mut r: Vec<String> = events
            .iter()
            .filter(|e| e["cached"] == Value::Bool(false))
            .map(|e| {
                format!(
                    "{}:{}",
                    e["source"].as_str().unwrap(),
                    e["format"].as_str().unwrap()
                )
            })
            .collect();
        r.sort();
        r
    };
    let first = run(&[]);
    assert_eq!(
        rendered(&first).len(),
        12,
        "a cold cache renders everything"
    );
    let before = manifest(out.path());
    let second = run(&[]);
    assert!(
        rendered(&second).is_empty(),
        "nothing changed, nothing rendered: {:?}",
        rendered(&second)
    );
    assert_eq!(
        manifest(out.path()),
        before,
        "a cached run writes the same manifest"
    );

    let edited = input.path().join("part1/article-001.md");
    std::fs::write(&edited, "# Edited\n\nNew text.\n").unwrap();
    let third = run(&[]);
    let again = rendered(&third);
    assert_eq!(
        again.len(),
        2,
        "only the edited source's outputs: {again:?}"
    );
    assert!(again.iter().all(|r| r.contains("article-001.md")));

    // Each format is keyed on its own options: the wrap width re-renders the text outputs
    // only, and a PDF option none of these.
    let fourth = run(&["--columns", "60"]);
    let again = rendered(&fourth);
    assert_eq!(again.len(), 6, "only the text outputs: {again:?}");
    assert!(again.iter().all(|r| r.ends_with(":txt")), "{again:?}");
    let fifth = run(&["--columns", "60", "--paper", "letter"]);
    assert!(
        rendered(&fifth).is_empty(),
        "a PDF option re-renders no HTML or text: {:?}",
        rendered(&fifth)
    );
    let sixth = run(&["--columns", "60", "--toc"]);
    let again = rendered(&sixth);
    assert_eq!(again.len(), 6, "--toc shapes HTML, not text: {again:?}");
    assert!(again.iter().all(|r| r.ends_with(":html")), "{again:?}");
}

/// After a run the cache holds at most `--cache-limit` bytes, and what it kept still hits.
#[test]
fn the_cache_is_pruned_to_its_limit() {
    let input = corpus(6);
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let cache_bytes = || -> u64 {
        let mut total = 0;
        for shard in std::fs::read_dir(cache.path()).unwrap().flatten() {
            for file in std::fs::read_dir(shard.path()).unwrap().flatten() {
                total += file.metadata().unwrap().len();
            }
        }
        total
    };
    let run = |limit: &str| -> usize {
        let args = [
            "--to",
            "html,txt",
            "--message-format",
            "json",
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "--cache-limit",
            limit,
        ];
        let output = build(input.path(), out.path(), &args);
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|e| e["reason"] == "output-written" && e["cached"] == Value::Bool(true))
            .count()
    };
    assert_eq!(run("100000000"), 0);
    let full = cache_bytes();
    assert_eq!(run("100000000"), 12, "under the limit everything stays");
    let limit = full / 2;
    run(&limit.to_string());
    let kept = cache_bytes();
    assert!(kept <= limit / 5 * 4, "{kept} bytes kept, limit {limit}");
    assert!(kept > 0, "pruning stops at 80 % of the limit");
    let hits = run("100000000");
    assert!(hits > 0 && hits < 12, "{hits} of 12 outputs still cached");
}

/// PDF outputs depend on the fonts on disk, not only on the `--font-dir` path: replacing a font
/// file there re-renders the PDFs and nothing else.
#[test]
fn a_changed_font_file_re_renders_the_pdfs() {
    let input = tempfile::tempdir().unwrap();
    std::fs::write(input.path().join("a.md"), "# A\n\nText.\n").unwrap();
    let fonts = tempfile::tempdir().unwrap();
    let font = fonts.path().join("extra.ttf");
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    std::fs::copy(bundled.join("DejaVuSansMono.ttf"), &font).unwrap();
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fresh = || -> Vec<String> {
        let args = [
            "--to",
            "pdf,txt",
            "--message-format",
            "json",
            "--no-system-fonts",
            "--font-dir",
            fonts.path().to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
        ];
        let output = build(input.path(), out.path(), &args);
        assert!(output.status.success());
        let mut rendered: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|e| e["reason"] == "output-written" && e["cached"] == Value::Bool(false))
            .map(|e| e["format"].as_str().unwrap().to_string())
            .collect();
        rendered.sort();
        rendered
    };
    assert_eq!(fresh(), ["pdf", "txt"], "a cold cache renders both");
    assert!(fresh().is_empty(), "nothing changed, nothing rendered");
    std::fs::copy(bundled.join("NotoSerif-Bold.ttf"), &font).unwrap();
    assert_eq!(fresh(), ["pdf"], "a replaced font re-renders the PDF only");
    std::fs::remove_file(&font).unwrap();
    assert_eq!(fresh(), ["pdf"], "a removed font re-renders the PDF only");
}

#[test]
fn outputs_are_identical_across_runs_and_thread_counts() {
    let input = corpus(200);
    let one = tempfile::tempdir().unwrap();
    let four = tempfile::tempdir().unwrap();
    let again = tempfile::tempdir().unwrap();
    build(
        input.path(),
        one.path(),
        &["--no-cache", "--jobs", "1", "--to", "html,txt,json"],
    );
    build(
        input.path(),
        four.path(),
        &["--no-cache", "--jobs", "4", "--to", "html,txt,json"],
    );
    build(
        input.path(),
        again.path(),
        &["--no-cache", "--jobs", "4", "--to", "html,txt,json"],
    );
    let a = all_files(one.path());
    assert_eq!(a.len(), 601, "600 outputs and the manifest");
    assert!(a == all_files(four.path()), "--jobs 1 and --jobs 4 differ");
    assert!(a == all_files(again.path()), "two runs differ");
}

#[test]
fn every_format_is_byte_identical_across_runs_and_thread_counts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let inputs = [root.join("content"), root.join("tests/fixtures")];
    let runs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (run, jobs) in runs.iter().zip(["1", "4", "4"]) {
        let output = bindery()
            .arg("build")
            .args(&inputs)
            .arg("-o")
            .arg(run.path())
            .args([
                "-q",
                "--no-cache",
                "--to",
                "html,txt,epub,pdf,json",
                "--jobs",
                jobs,
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let first = all_files(runs[0].path());
    let pdfs = first
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "pdf"))
        .count();
    let epubs = first
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "epub"))
        .count();
    assert!(pdfs >= 20 && epubs >= 20, "{pdfs} PDFs, {epubs} EPUBs");
    for other in &runs[1..] {
        let files = all_files(other.path());
        assert_eq!(files.len(), first.len());
        for ((path, a), (_, b)) in first.iter().zip(&files) {
            assert!(a == b, "{} differs between runs", path.display());
        }
    }
}
