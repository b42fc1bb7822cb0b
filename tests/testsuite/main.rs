//! bindery's integration tests, in one test binary (as cargo and mdBook do): every extra test
//! binary links Typst again, which costs CI minutes and gigabytes of disk.

mod support;

mod agreement;
mod atomic;
mod batch;
mod books;
mod budget;
mod cli;
mod completions;
mod defaults;
mod golden;
mod guide;
mod hostile;
mod init;
mod links;
mod math;
mod mdbook;
mod pathological;
mod raw_html;
mod safety_inputs;
mod safety_output;
mod scale;
mod serve;
mod shard;
mod validators;
mod watch;
