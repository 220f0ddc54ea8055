//! Rule packs shipped in the top-level `rules/` folder, embedded in the binary and used as
//! `extends = ["builtin:NAME"]`.

/// Every built-in pack by name.
pub const PACKS: &[(&str, &str)] = &[("changelog", include_str!("../../rules/changelog.toml"))];

pub fn pack(name: &str) -> Option<&'static str> {
    PACKS
        .iter()
        .find(|(pack, _)| *pack == name)
        .map(|(_, text)| *text)
}
