//! Arbitrary bytes as `lockstep.toml`: loading and compiling never panic; the result is
//! a rule set or diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lockstep::config::{ConfigFiles, ConfigSource, load};
use lockstep::rules::RuleSet;

/// No other files: every `extends` of a repository path finds nothing.
struct NoFiles;

impl ConfigFiles for NoFiles {
    fn read(&self, _path: &str) -> std::io::Result<Option<String>> {
        Ok(None)
    }

    fn describe(&self) -> String {
        "the fuzzer".to_owned()
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = ConfigSource::new("lockstep.toml", text.as_ref());
    if let Ok(config) = load(&NoFiles, Some(source)) {
        let _ = RuleSet::compile(config);
    }
});
