//! Rule packs shipped in the top-level `rules/` folder, embedded in the binary and used as
//! `extends = ["builtin:NAME"]`.

/// Every built-in pack by name.
pub const PACKS: &[(&str, &str)] = &[
    ("changelog", include_str!("../../rules/changelog.toml")),
    ("migrations", include_str!("../../rules/migrations.toml")),
    ("node", include_str!("../../rules/node.toml")),
    ("openapi", include_str!("../../rules/openapi.toml")),
    ("protobuf", include_str!("../../rules/protobuf.toml")),
    ("rust", include_str!("../../rules/rust.toml")),
    ("terraform", include_str!("../../rules/terraform.toml")),
];

pub fn pack(name: &str) -> Option<&'static str> {
    PACKS
        .iter()
        .find(|(pack, _)| *pack == name)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::PACKS;
    use crate::config::{ConfigFiles, load};
    use crate::rules::RuleSet;

    struct Extends(String);

    impl ConfigFiles for Extends {
        fn read(&self, path: &str) -> std::io::Result<Option<String>> {
            Ok((path == "lockstep.toml").then(|| self.0.clone()))
        }
        fn describe(&self) -> String {
            "test".to_owned()
        }
    }

    #[test]
    fn every_pack_loads_compiles_and_is_documented() {
        for (name, text) in PACKS {
            assert!(
                text.starts_with(&format!("# builtin:{name} — ")),
                "{name} header"
            );
            assert!(text.contains("Override:"), "{name} says how to override");
            let root = Extends(format!("version = 1\nextends = [\"builtin:{name}\"]\n"));
            let config = load(&root, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(!config.rules.is_empty(), "{name} has rules");
            RuleSet::compile(config).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }
}
