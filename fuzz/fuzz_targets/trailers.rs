//! Arbitrary commit messages and trailer names through the waiver parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockstep::waiver::Waivers;

fuzz_target!(|input: (&str, &str)| {
    let (message, trailer) = input;
    let waivers = Waivers::from_message(message, trailer);
    let _ = waivers.covers("payments-api");
    let _ = Waivers::from_message(message, "Lockstep-Skip").covers("all");
    let _ = Waivers::from_list(message).covers("payments-api");
});
