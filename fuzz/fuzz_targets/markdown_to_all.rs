//! Markdown bytes -> bindery's reader (both dialects) -> HTML, text, EPUB and PDF.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bindery_fuzz::markdown_to_all(data));
