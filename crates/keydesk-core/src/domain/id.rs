//! Key IDs: `ak-` + 16 random lowercase alphanumerics (≈82 bits). Random, not
//! derived from the secret, so an ID reveals nothing and can be shared freely.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use rand::RngExt;

/// What every key ID starts with, so an ID is never mistaken for a secret (`sk-`).
pub const PREFIX: &str = "ak-";
/// How many random characters follow the prefix.
pub const RANDOM_LEN: usize = 16;
const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The longest ID kept inline, without an allocation: every ID keydesk
/// makes (19 bytes) fits; longer ones (written by other tools into a
/// database) go on the heap.
const INLINE: usize = 23;

/// A key's public, permanent name in the store: `ak-` and 16 random
/// lowercase alphanumerics. Safe to log, show and share; it does not change
/// when the key is renamed or rotated.
///
/// Held inline, not as a `String`: `Verifier::verify` returns one per
/// accepted key, and an allocation and a free were a noticeable part of a
/// whole verification. Compared, hashed and ordered as its text.
#[derive(Clone)]
pub struct KeyId(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl KeyId {
    /// A new random ID (callers check it against the store's existing IDs).
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut id = String::with_capacity(PREFIX.len() + RANDOM_LEN);
        id.push_str(PREFIX);
        for _ in 0..RANDOM_LEN {
            id.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
        }
        KeyId::of(&id)
    }

    fn of(text: &str) -> Self {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            KeyId(Repr::Inline {
                len: text.len() as u8,
                bytes,
            })
        } else {
            KeyId(Repr::Heap(text.into()))
        }
    }

    /// Accepts an ID typed by a user (surrounding whitespace ignored). Returns
    /// `None` for anything that cannot be an ID, so lookups can say "not found"
    /// without a database round trip.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        let rest = input.strip_prefix(PREFIX)?;
        let well_formed =
            rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        well_formed.then(|| KeyId::of(input))
    }

    /// Wraps an ID read back from the store, where it was validated on write
    /// (other backends: [`crate::store::backend::key_id_from_stored`]).
    pub(crate) fn from_stored(id: &str) -> Self {
        KeyId::of(id)
    }

    /// The ID as text (`ak-…`).
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).expect("copied whole from a str")
            }
            Repr::Heap(text) => text,
        }
    }
}

impl PartialEq for KeyId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for KeyId {}

impl Hash for KeyId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for KeyId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    fn a_long_stored_id_is_kept_whole_and_compares_as_its_text() {
        let long = KeyId::from_stored("imported-key-with-a-long-identifier");
        assert_eq!(long.as_str(), "imported-key-with-a-long-identifier");
        let short = KeyId::from_stored("ak-0123456789abcdef");
        assert_eq!(short.as_str(), "ak-0123456789abcdef");
        assert!(short < long, "ordered as text, whatever the representation");
        assert_eq!(short, KeyId::parse("ak-0123456789abcdef").unwrap());
        assert_eq!(format!("{short:?}"), "KeyId(\"ak-0123456789abcdef\")");
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
