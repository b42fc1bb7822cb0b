//! Any bytes -> `bindery_model::svg_problem`; what it accepts is re-checked by an independent
//! reading of its allow-list.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bindery_fuzz::svg(data));
