//! JSON model bytes -> `bindery_model::from_json` -> HTML, text, EPUB and PDF.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bindery_fuzz::json_to_all(data));
