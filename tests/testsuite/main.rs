//! bindery's integration tests, in one test binary (as cargo and mdBook do): every extra test
//! binary links Typst again, which costs CI minutes and gigabytes of disk.

mod support;

mod atomic;
mod batch;
mod books;
mod budget;
mod cli;
mod golden;
mod guide;
mod hostile;
mod math;
mod pathological;
mod raw_html;
mod safety_inputs;
mod safety_output;
mod scale;
mod shard;
mod validators;
