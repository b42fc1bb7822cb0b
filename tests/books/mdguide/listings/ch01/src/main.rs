use std::env;

// ANCHOR: setup
fn setup() -> Vec<String> {
    env::args().collect()
}
// ANCHOR_END: setup

// ANCHOR: main
fn main() {
    let args = setup();
    println!("{} arguments", args.len());
}
// ANCHOR_END: main
