//! What every test shares: the bindery command, run hermetically.
//!
//! Every run a test starts gets a cache, home and config directory of its own, made fresh for
//! that run: a warm `~/.cache/bindery` on the developer's machine once made a fresh clone's
//! golden test fail, because the run copied another document's output from the user's cache.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A directory no other run uses, under cargo's temporary directory for integration tests.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("testsuite-home")
        .join(format!("{}-{n}", std::process::id()));
    // A leftover from an earlier process with the same id is not this run's.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary home for the run");
    dir
}

/// The environment of a hermetic run: `XDG_CACHE_HOME`, `XDG_CONFIG_HOME` and `HOME` in a
/// fresh directory.
fn hermetic_env() -> [(&'static str, PathBuf); 3] {
    let home = fresh_dir();
    [
        ("XDG_CACHE_HOME", home.join("cache")),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("HOME", home),
    ]
}

/// The binary under test: this build's, or the one `BINDERY_TEST_BIN` names, so that a
/// regression test can be shown failing against an older build (`BINDERY_TEST_BIN=/path/to/
/// old/bindery cargo test --test testsuite safety_`).
fn binary() -> PathBuf {
    std::env::var_os("BINDERY_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("bindery"))
}

/// `bindery` for `assert_cmd`, with a cache and config of its own.
pub fn bindery() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(binary());
    command.envs(hermetic_env());
    command
}

/// `bindery` as a plain process (for tests that read its output as it runs), hermetic too.
pub fn process() -> std::process::Command {
    let mut command = std::process::Command::new(binary());
    command.envs(hermetic_env());
    command
}

/// `sh -c SCRIPT` with `bindery` (this build's) first on `PATH`, hermetic like [`bindery`]:
/// for running the guide's examples as a reader would type them, pipes and all.
pub fn shell(script: &str) -> std::process::Command {
    let bin = fresh_dir().join("bin");
    std::fs::create_dir_all(&bin).expect("a bin directory for the run");
    std::os::unix::fs::symlink(binary(), bin.join("bindery")).expect("bindery on PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&path));
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .envs(hermetic_env())
        .env("PATH", std::env::join_paths(paths).expect("a PATH"));
    command
}
