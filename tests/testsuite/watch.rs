//! `bindery watch`: a change rebuilds, the cache makes only the changed document render again,
//! and a failing document keeps its last good outputs. Every wait is bounded.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// The longest a build may take to follow a change (debounce, plan, render) on a loaded
/// 2-core machine.
const WAIT: Duration = Duration::from_secs(60);

/// Kills the watcher when the test ends, passed or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The JSON events of one build, up to its `build-finished`.
fn next_build(events: &Receiver<serde_json::Value>) -> Vec<serde_json::Value> {
    let mut build = Vec::new();
    loop {
        let event = events
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no build finished within {WAIT:?} ({e}); got {build:?}"));
        let finished = event["reason"] == "build-finished";
        build.push(event);
        if finished {
            return build;
        }
    }
}

fn written(build: &[serde_json::Value], source: &str) -> Option<bool> {
    build
        .iter()
        .find(|e| e["reason"] == "output-written" && e["source"] == source)
        .map(|e| e["cached"].as_bool().unwrap())
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_change_rebuilds_only_its_document_and_a_failure_keeps_the_last_good_output() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    write(&content.join("a.md"), "# A\n\nFirst.\n");
    write(&content.join("b.md"), "# B\n\nUnchanged.\n");
    let mut child = crate::support::process()
        .args(["watch", "--to", "txt", "--message-format", "json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Child(child);
    let (tx, events) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                break;
            }
        }
    });

    let first = next_build(&events);
    assert_eq!(written(&first, "content/a.md"), Some(false), "{first:?}");
    assert_eq!(written(&first, "content/b.md"), Some(false), "{first:?}");
    let a_txt = dir.path().join("dist/a.txt");
    assert!(std::fs::read_to_string(&a_txt).unwrap().contains("First."));
    // The watcher is set up before the first build; give inotify a moment all the same.
    std::thread::sleep(Duration::from_millis(300));

    write(&content.join("a.md"), "# A\n\nSecond.\n");
    let second = next_build(&events);
    assert_eq!(written(&second, "content/a.md"), Some(false), "{second:?}");
    assert_eq!(
        written(&second, "content/b.md"),
        Some(true),
        "b.md was rendered again"
    );
    assert!(std::fs::read_to_string(&a_txt).unwrap().contains("Second."));

    write(&content.join("a.md"), "---\ntitle: [broken\n---\n# A\n");
    let third = next_build(&events);
    let failure = third
        .iter()
        .find(|e| e["reason"] == "failure")
        .unwrap_or_else(|| panic!("the broken front matter was not reported: {third:?}"));
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .starts_with("content/a.md:3:1:"),
        "{failure}"
    );
    assert!(
        std::fs::read_to_string(&a_txt).unwrap().contains("Second."),
        "the last good output was lost"
    );
    // The build's own reads and writes are not changes: no further build starts.
    let more = events.recv_timeout(Duration::from_secs(2));
    assert!(more.is_err(), "a build started with no change: {more:?}");
    drop(child);
}
