//! Sharded and interrupted runs (issue 11): shards run side by side over one input tree, one
//! cache and one output directory make the same files and, merged, the same manifest as one
//! run; a shard killed part-way and run again completes the set; the manifest is a journal
//! while a run goes; `--delete-stale` deletes only what the previous manifest lists; cache
//! entries are keyed on the name a title falls back to (issue 17, item 6).

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::support::{bindery, process};

const FORMATS: &str = "html,txt,epub,pdf";

/// Articles in three folders (some with an image, one without a heading), and a book.
fn corpus(articles: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let png = std::fs::read(root.join("tests/fixtures/images/red.png")).unwrap();
    for i in 0..articles {
        let sub = dir.path().join(format!("part{}", i % 3));
        std::fs::create_dir_all(sub.join("img")).unwrap();
        std::fs::write(sub.join("img/red.png"), &png).unwrap();
        let image = if i % 4 == 0 {
            "![red](img/red.png)\n\n"
        } else {
            ""
        };
        std::fs::write(
            sub.join(format!("article-{i:03}.md")),
            format!(
                "# Article {i}\n\n{image}Text with a link (https://example.org/{i}).\n\n\
                 | a | b |\n|---|--:|\n| {i} | {} |\n\n```rust\nfn f() -> u32 {{ {i} }}\n```\n",
                i * 7
            ),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("untitled.md"), "Only a paragraph.\n").unwrap();
    copy_tree(&root.join("tests/books/tour"), &dir.path().join("tour"));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "expected" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `bindery build INPUT -o OUT` with the shared flags, as a process not yet started.
fn build_command(input: &Path, out: &Path, cache: &Path, extra: &[&str]) -> std::process::Command {
    let mut command = process();
    command
        .arg("build")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["--to", FORMATS, "-q", "--cache-dir"])
        .arg(cache)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1764201600");
    command
}

fn run_ok(mut command: std::process::Command) -> std::process::Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Every file under `dir` (relative path, bytes), sorted, leaving out the shards' manifests.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("manifest.shard-")
            {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    found.sort();
    found
}

fn assert_same_files(expected: &Path, actual: &Path) {
    let (a, b) = (files(expected), files(actual));
    let names = |f: &[(PathBuf, Vec<u8>)]| f.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same files");
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{} differs", path.display());
    }
}

fn merge(dir: &Path) -> std::process::Output {
    bindery()
        .args(["manifest", "merge"])
        .arg(dir)
        .output()
        .unwrap()
}

fn outputs_of(manifest: &Path) -> Vec<String> {
    let value: Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    value["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .collect()
}

/// The reference: one unsharded run.
fn single_run(input: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    run_ok(build_command(input, out.path(), cache.path(), &[]));
    out
}

#[test]
fn four_concurrent_shards_make_what_one_run_makes() {
    let input = corpus(30);
    let single = single_run(input.path());
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let children: Vec<Child> = (0..4)
        .map(|i| {
            build_command(
                input.path(),
                out.path(),
                cache.path(),
                &["--shard", &format!("{i}/4"), "-j", "1"],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    wait_for_success(children);
    // Each shard made some of the outputs, and no output was made by two.
    let mut all = Vec::new();
    for i in 0..4 {
        let shard = outputs_of(&out.path().join(format!("manifest.shard-{i}-of-4.json")));
        assert!(
            !shard.is_empty(),
            "shard {i} built nothing: a poor test corpus"
        );
        all.extend(shard);
    }
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count, "an output made by two shards");
    assert!(!out.path().join("manifest.json").exists());

    let merged = merge(out.path());
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_same_files(single.path(), out.path());
    // 31 articles + the book's text, EPUB and PDF, and its site.
    assert!(outputs_of(&out.path().join("manifest.json")).len() > 31 * 4);
}

/// Reads `--message-format json` events from `child` and kills it (SIGKILL) right after its
/// `n`-th `output-written` event.
fn kill_after_outputs(mut child: Child, n: usize) -> std::process::ExitStatus {
    let stdout = child.stdout.take().unwrap();
    let mut seen = 0;
    for line in BufReader::new(stdout).lines() {
        let event: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if event["reason"] == "output-written" {
            seen += 1;
            if seen == n {
                child.kill().unwrap();
                break;
            }
        }
    }
    assert_eq!(seen, n, "the shard finished before {n} outputs");
    child.wait().unwrap()
}

#[test]
fn a_killed_shard_run_again_completes_the_set() {
    let input = corpus(30);
    let single = single_run(input.path());
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    for i in 0..3 {
        run_ok(build_command(
            input.path(),
            out.path(),
            cache.path(),
            &["--shard", &format!("{i}/4")],
        ));
    }
    let json = ["--shard", "3/4", "-j", "1", "--message-format", "json"];
    let child = build_command(input.path(), out.path(), cache.path(), &json)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = kill_after_outputs(child, 3);
    assert_eq!(status.signal(), Some(9), "killed, not finished: {status:?}");

    // The journal says what the killed shard finished; there is no manifest of it.
    let journal = out.path().join("manifest.shard-3-of-4.partial.jsonl");
    let lines = std::fs::read_to_string(&journal).unwrap();
    let finished: Vec<Value> = lines
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r.get("output").is_some())
        .collect();
    assert!(finished.len() >= 3, "{lines}");
    for record in &finished {
        let path = out.path().join(record["output"]["path"].as_str().unwrap());
        assert!(path.is_file(), "{} is listed but missing", path.display());
    }
    assert!(!out.path().join("manifest.shard-3-of-4.json").exists());
    let refused = merge(out.path());
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("shard 3/4 did not finish"), "{message}");
    assert!(!out.path().join("manifest.json").exists());

    // Run again: what the killed run finished comes from the cache.
    let rerun = run_ok(build_command(input.path(), out.path(), cache.path(), &json));
    let events: Vec<Value> = String::from_utf8(rerun.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cached = events
        .iter()
        .filter(|e| e["reason"] == "output-written" && e["cached"] == Value::Bool(true))
        .count();
    assert!(
        cached >= finished.len(),
        "{cached} outputs from the cache, {} finished before the kill",
        finished.len()
    );
    assert!(!journal.exists(), "the journal is folded and removed");
    let merged = merge(out.path());
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_same_files(single.path(), out.path());
}

#[test]
fn a_shard_index_out_of_range_is_a_usage_error() {
    let input = corpus(2);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("dist");
    // Arguments, environment, and what the error says.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 6] = [
        (&["--shard", "4/4"], &[], "out of range"),
        (&["--shard", "0/0"], &[], "at least 1"),
        (&["--shard", "x"], &[], "INDEX/COUNT"),
        (
            &["--shard", "auto"],
            &[("JOB_COMPLETION_INDEX", "4"), ("BINDERY_SHARD_COUNT", "4")],
            "out of range",
        ),
        (
            &["--shard", "auto"],
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "6"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
            ],
            "step",
        ),
        (&["--shard", "auto"], &[], "JOB_COMPLETION_INDEX"),
    ];
    for (args, env, message) in cases {
        let output = bindery()
            .arg("build")
            .arg(input.path())
            .arg("-o")
            .arg(&target)
            .args(args)
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!target.exists(), "{args:?}: nothing is built");
    }
}

#[test]
fn shard_auto_reads_the_array_job() {
    let input = corpus(12);
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut kubernetes =
        build_command(input.path(), out.path(), cache.path(), &["--shard", "auto"]);
    kubernetes
        .env("JOB_COMPLETION_INDEX", "0")
        .env("BINDERY_SHARD_COUNT", "2");
    run_ok(kubernetes);
    let mut slurm = build_command(input.path(), out.path(), cache.path(), &["--shard", "auto"]);
    slurm
        .env("SLURM_ARRAY_TASK_ID", "6")
        .env("SLURM_ARRAY_TASK_MIN", "5")
        .env("SLURM_ARRAY_TASK_MAX", "6")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .env("SLURM_ARRAY_TASK_STEP", "1");
    run_ok(slurm);
    assert!(out.path().join("manifest.shard-0-of-2.json").is_file());
    assert!(out.path().join("manifest.shard-1-of-2.json").is_file());
    let merged = merge(out.path());
    assert!(merged.status.success());
    assert_same_files(single_run(input.path()).path(), out.path());
}

#[test]
fn merge_refuses_missing_shards_and_shards_run_differently() {
    let input = corpus(6);
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let shard = |i: u32, extra: &[&str]| {
        let mut args = vec!["--shard".to_string(), format!("{i}/3")];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_ok(build_command(input.path(), out.path(), cache.path(), &args));
    };
    shard(0, &[]);
    shard(2, &[]);
    let output = merge(out.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shard 1/3 is missing"), "{stderr}");
    assert!(!out.path().join("manifest.json").exists());

    shard(1, &["--columns", "50"]);
    let output = merge(out.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("different inputs, formats or options"),
        "{stderr}"
    );
    assert!(!out.path().join("manifest.json").exists());

    shard(1, &[]);
    assert!(merge(out.path()).status.success());
    let not_a_dir = bindery()
        .args(["manifest", "merge"])
        .arg(out.path().join("manifest.json"))
        .output()
        .unwrap();
    assert_eq!(not_a_dir.status.code(), Some(2));
}

/// Two processes build the same tree at the same time through one cache: both succeed with
/// the same outputs, and the cache holds only whole entries, which a third run copies.
#[test]
fn two_processes_share_one_cache() {
    let input = corpus(24);
    let cache = tempfile::tempdir().unwrap();
    let outs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let children: Vec<Child> = outs
        .iter()
        .map(|out| {
            build_command(input.path(), out.path(), cache.path(), &["-j", "1"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    wait_for_success(children);
    assert_same_files(outs[0].path(), outs[1].path());
    let mut entries = 0;
    for dir in std::fs::read_dir(cache.path()).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "a temporary file is left: {name}");
            if name.ends_with(".out") {
                entries += 1;
                assert!(path.with_extension("warnings.json").is_file(), "{name}");
            }
        }
    }
    assert!(entries > 24, "{entries} cache entries");
    let third = tempfile::tempdir().unwrap();
    let output = run_ok(build_command(
        input.path(),
        third.path(),
        cache.path(),
        &["--message-format", "json"],
    ));
    let rendered: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["reason"] == "output-written" && e["cached"] == Value::Bool(false))
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    // A book's HTML site is never cached.
    assert!(
        rendered.iter().all(|p| p.contains("/tour/")),
        "rendered again: {rendered:?}"
    );
    assert_same_files(outs[0].path(), third.path());
}

/// Issue 11, `--delete-stale`: a deleted article's outputs go; an output that failed this
/// time, a file the manifest does not list, and anything a tampered manifest names outside
/// the output directory stay.
#[test]
fn delete_stale_removes_only_listed_outputs_this_run_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("keep.md"), "# Keep\n").unwrap();
    std::fs::write(input.join("sub/gone.md"), "# Gone\n").unwrap();
    std::fs::write(input.join("flaky.md"), "# Flaky\n").unwrap();
    let build = |extra: &[&str]| {
        bindery()
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--to", "html,txt", "--no-cache"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(build(&[]).status.success());
    std::fs::write(out.join("mine.txt"), "not bindery's").unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "outside").unwrap();
    // A tampered manifest lists the victim, by `..` and by its absolute path.
    let manifest_path = out.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let sha = bindery_pipeline_sha(b"outside");
    for path in ["../victim.txt".to_string(), victim.display().to_string()] {
        manifest["outputs"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "source": "x.md", "format": "txt", "path": path, "bytes": 7,
                "sha256": sha, "source_sha256": "", "warnings": []
            }));
    }
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();

    std::fs::remove_file(input.join("sub/gone.md")).unwrap();
    std::fs::write(input.join("flaky.md"), "---\ntitle: a: b\n---\n").unwrap();
    let output = build(&["--delete-stale"]);
    assert_eq!(output.status.code(), Some(1), "flaky.md fails");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!out.join("sub/gone.html").exists() && !out.join("sub/gone.txt").exists());
    assert!(!out.join("sub").exists(), "an emptied directory goes too");
    assert!(out.join("keep.html").exists() && out.join("keep.txt").exists());
    assert!(
        out.join("flaky.html").exists() && out.join("flaky.txt").exists(),
        "a document that failed this time keeps its last outputs"
    );
    assert!(out.join("mine.txt").exists());
    assert!(victim.exists());
    assert!(stderr.contains("deleted 2 stale outputs"), "{stderr}");
    assert!(stderr.contains("not a normalised path"), "{stderr}");

    // Without --delete-stale nothing is deleted.
    std::fs::remove_file(input.join("keep.md")).unwrap();
    build(&[]);
    assert!(out.join("keep.html").exists());
}

/// Issue 11: the manifest lists the images copied for each HTML page, and `--delete-stale`
/// removes an image no page of the run shows any more, keeping one another page still shows.
#[test]
fn delete_stale_removes_images_no_page_shows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&input).unwrap();
    let red = std::fs::read("tests/fixtures/images/red.png").unwrap();
    // The same bytes with a different (ignored) trailing chunk make a second, distinct image.
    let mut other = red.clone();
    other.extend_from_slice(b"\0\0\0\0tEXt\0\0\0\0");
    std::fs::write(input.join("red.png"), &red).unwrap();
    std::fs::write(input.join("other.png"), &other).unwrap();
    std::fs::write(input.join("a.md"), "# A\n\n![red](red.png)\n").unwrap();
    std::fs::write(
        input.join("b.md"),
        "# B\n\n![red](red.png) ![other](other.png)\n",
    )
    .unwrap();
    let build = |extra: &[&str]| {
        let output = bindery()
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--to", "html", "--no-cache", "-q"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    build(&[]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let images = |page: &str| -> Vec<String> {
        let entry = manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == page)
            .unwrap_or_else(|| panic!("{page} in {manifest:#}"));
        entry["images"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["path"].as_str().unwrap().into())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (a, b) = (images("a.html"), images("b.html"));
    assert_eq!(a.len(), 1, "{manifest:#}");
    assert_eq!(b.len(), 2, "{manifest:#}");
    assert!(
        b.contains(&a[0]),
        "both pages show the red image: {a:?} {b:?}"
    );
    let only_b = b.iter().find(|p| **p != a[0]).unwrap().clone();
    for image in &b {
        assert!(image.starts_with("images/"), "{image}");
        let bytes = std::fs::read(out.join(image)).unwrap();
        let entry = manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["images"].as_array().into_iter().flatten())
            .find(|i| i["path"] == image.as_str())
            .unwrap();
        assert_eq!(entry["sha256"], bindery_pipeline_sha(&bytes).as_str());
    }

    std::fs::remove_file(input.join("b.md")).unwrap();
    build(&["--delete-stale"]);
    assert!(!out.join("b.html").exists());
    assert!(
        !out.join(&only_b).exists(),
        "no page shows {only_b} any more"
    );
    assert!(out.join(&a[0]).exists(), "a.html still shows {}", a[0]);
}

fn bindery_pipeline_sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Issue 17, item 6: two documents with the same text and no heading, in two trees, share no
/// cache entry (each title comes from its own file name), and a cached warning is reported
/// against the document that used it.
#[test]
fn the_cache_keeps_documents_with_the_same_text_apart() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    // A private-use character no font covers makes the PDF writer warn (a render warning,
    // kept in the cache entry; control characters are now the reader's, never cached).
    let text = "Same words, no heading. \u{E000}\n";
    for (tree, name) in [("one", "alpha"), ("two", "omega"), ("three", "omega")] {
        std::fs::create_dir_all(dir.path().join(tree)).unwrap();
        std::fs::write(dir.path().join(tree).join(format!("{name}.md")), text).unwrap();
    }
    let build = |tree: &str| -> (String, String) {
        let output = bindery()
            .arg("build")
            .arg(dir.path().join(tree))
            .arg("-o")
            .arg(dir.path().join(format!("out-{tree}")))
            .args(["--to", "html,pdf", "--cache-dir"])
            .arg(&cache)
            .output()
            .unwrap();
        assert!(output.status.success());
        let name = if tree == "one" { "alpha" } else { "omega" };
        let html = std::fs::read_to_string(
            dir.path()
                .join(format!("out-{tree}"))
                .join(format!("{name}.html")),
        )
        .unwrap();
        (html, String::from_utf8(output.stderr).unwrap())
    };
    let (alpha, _) = build("one");
    assert!(alpha.contains("<title>alpha</title>"));
    let (omega, _) = build("two");
    assert!(
        omega.contains("<title>omega</title>"),
        "omega got another title"
    );
    // The same name and text in a third tree is a hit, reported as its own.
    let (again, stderr) = build("three");
    assert_eq!(again, omega);
    let three = dir.path().join("three").join("omega.md");
    assert!(
        stderr.contains(&format!(
            "warning: {}:1:1: no available font",
            three.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("two/omega.md"), "{stderr}");
}

/// Waits for every process and asserts that each succeeded, showing the stderr of one that did
/// not.
fn wait_for_success(children: Vec<Child>) {
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
