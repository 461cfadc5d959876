//! Key IDs: `ak-` + 16 random lowercase alphanumerics (≈82 bits). Random, not
//! derived from the secret, so an ID reveals nothing and can be shared freely.

use std::fmt;

use rand::RngExt;

/// What every key ID starts with, so an ID is never mistaken for a secret (`sk-`).
pub const PREFIX: &str = "ak-";
/// How many random characters follow the prefix.
pub const RANDOM_LEN: usize = 16;
const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A key's public, permanent name in the store: `ak-` and 16 random
/// lowercase alphanumerics. Safe to log, show and share; it does not change
/// when the key is renamed or rotated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// A new random ID (callers check it against the store's existing IDs).
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut id = String::with_capacity(PREFIX.len() + RANDOM_LEN);
        id.push_str(PREFIX);
        for _ in 0..RANDOM_LEN {
            id.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
        }
        KeyId(id)
    }

    /// Accepts an ID typed by a user (surrounding whitespace ignored). Returns
    /// `None` for anything that cannot be an ID, so lookups can say "not found"
    /// without a database round trip.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        let rest = input.strip_prefix(PREFIX)?;
        let well_formed =
            rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        well_formed.then(|| KeyId(input.to_owned()))
    }

    /// Wraps an ID read back from the store, where it was validated on write
    /// (other backends: [`crate::store::backend::key_id_from_stored`]).
    pub(crate) fn from_stored(id: &str) -> Self {
        KeyId(id.to_owned())
    }

    /// The ID as text (`ak-…`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_well_formed_and_distinct() {
        let ids: std::collections::HashSet<KeyId> = (0..1000).map(|_| KeyId::generate()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert_eq!(KeyId::parse(id.as_str()).as_ref(), Some(id));
        }
    }

    #[test]
    fn parse_refuses_what_cannot_be_an_id() {
        for bad in [
            "",
            "ak-",
            "ak-ABCDEFGHIJKLMNOP",
            "sk-0123456789abcdef",
            "ak-0123456789abcde",
            "ak-0123456789abcdef0",
        ] {
            assert_eq!(KeyId::parse(bad), None, "{bad}");
        }
        assert!(KeyId::parse(" ak-0123456789abcdef\n").is_some());
    }
}
