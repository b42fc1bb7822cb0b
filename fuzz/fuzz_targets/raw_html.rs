//! Markdown full of raw HTML -> each `--raw-html` policy -> HTML, XHTML and EPUB, checked for
//! script that the safe policies (and the EPUB's own check) must not let through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bindery_fuzz::raw_html(data));
