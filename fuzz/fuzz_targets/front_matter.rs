//! Any text as YAML front matter, TOML front matter and a TOML file -> the Markdown reader's
//! front matter path; run with `-timeout=10` so a slow input is a crash too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bindery_fuzz::front_matter(data));
