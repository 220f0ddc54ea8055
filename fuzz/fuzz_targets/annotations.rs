//! Arbitrary file contents through the `LINT.IfChange` / `LINT.ThenChange` parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockstep::config::AnnotationSettings;

fuzz_target!(|input: (&str, &[u8])| {
    let (path, bytes) = input;
    let _ = lockstep::annotations::parse(path, bytes, &AnnotationSettings::default());
});
