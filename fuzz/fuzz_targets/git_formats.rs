//! Arbitrary bytes through the parsers of git's on-disk formats lockstep reads itself:
//! commit and tree objects, the index file, and deltas applied to a base.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lockstep::git::parsers;

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Commit(&'a [u8]),
    Tree(&'a [u8]),
    Index(&'a [u8]),
    Delta { base: &'a [u8], delta: &'a [u8] },
}

fuzz_target!(|input: Input<'_>| {
    match input {
        Input::Commit(bytes) => {
            let _ = parsers::commit(bytes);
        }
        Input::Tree(bytes) => {
            let _ = parsers::tree(bytes);
        }
        Input::Index(bytes) => {
            let _ = parsers::index(bytes);
        }
        Input::Delta { base, delta } => {
            let _ = parsers::delta(base, delta);
        }
    }
});
