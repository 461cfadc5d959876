//! The API key format: `sk-` + 32 random base62 characters (≈190.5 bits from the
//! OS CSPRNG) + a 6-character base62 CRC32 of everything before it.
//!
//! The checksum follows GitHub's token format: a mistyped, truncated or invented
//! key is rejected offline, before any database access, and secret scanners can
//! recognise real keys with few false positives.

use std::fmt;
use std::ops::Range;

use rand::TryRng;
use rand::rngs::SysRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::base62;

/// What every secret starts with, so scanners and people recognise one.
pub const PREFIX: &str = "sk-";
/// 32 base62 characters carry 32 × log2(62) ≈ 190.5 bits.
pub const RANDOM_LEN: usize = 32;
/// How many base62 characters of checksum end a key: a typo or a truncated
/// key is refused before it is hashed or looked up.
pub const CHECKSUM_LEN: usize = 6;
/// The length of a whole key.
pub const KEY_LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
/// The part of a key after `sk-`: the random characters and the checksum.
pub const BODY_LEN: usize = RANDOM_LEN + CHECKSUM_LEN;
/// How many characters of the random part and of the tail the masked form keeps.
const MASK_VISIBLE: usize = 4;

/// Why a string is not a well-formed key. Deliberately carries no part of the
/// input, so it can be logged or shown without leaking anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// Not [`KEY_LEN`] characters.
    WrongLength,
    /// Not starting with [`PREFIX`].
    MissingPrefix,
    /// Something other than ASCII letters and digits after [`PREFIX`].
    InvalidCharacter,
    /// The checksum at the end does not match the body: a typo or a cut.
    ChecksumMismatch,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::WrongLength => write!(f, "a key is {KEY_LEN} characters long"),
            FormatError::MissingPrefix => write!(f, "a key starts with \"{PREFIX}\""),
            FormatError::InvalidCharacter => write!(f, "a key contains only letters and digits after \"{PREFIX}\""),
            FormatError::ChecksumMismatch => {
                f.write_str("the key's checksum does not match (mistyped or not a keydesk key)")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// A full API key. Zeroised when dropped; `Debug` never shows it and there is
/// no `Display`, so it cannot reach a log line or an error message by accident.
/// Read it only through [`SecretKey::expose`], at the point of use.
pub struct SecretKey(Zeroizing<String>);

impl SecretKey {
    /// Draws a new key from the operating system's CSPRNG.
    ///
    /// # Panics
    /// If the OS random source fails, which leaves no safe way to make a key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new(String::with_capacity(KEY_LEN));
        key.push_str(PREFIX);
        let mut pool = Zeroizing::new([0u8; 64]);
        while key.len() < PREFIX.len() + RANDOM_LEN {
            SysRng
                .try_fill_bytes(pool.as_mut())
                .expect("the operating system's random source failed");
            // Rejection sampling: 248 = 4 × 62, so `b % 62` is uniform for b < 248.
            for &b in pool.iter().filter(|&&b| b < 248) {
                if key.len() == PREFIX.len() + RANDOM_LEN {
                    break;
                }
                key.push(base62::ALPHABET[(b % 62) as usize] as char);
            }
        }
        let checksum = checksum_of(&key);
        key.push_str(&checksum);
        SecretKey(key)
    }

    /// Accepts a key typed or piped in by a user, checking its format and
    /// checksum. The candidate is zeroised whether or not it is accepted.
    pub fn parse(candidate: String) -> Result<Self, FormatError> {
        let candidate = Zeroizing::new(candidate);
        check_format(&candidate)?;
        Ok(SecretKey(candidate))
    }

    /// The full key, for showing it once, copying it, or hashing it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the key, the only form a store keeps.
    pub fn hash(&self) -> KeyHash {
        KeyHash::of(&self.0)
    }

    /// The key with its middle hidden (the prefix, the first and last
    /// characters), to recognise it in a list without revealing it.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// Checks shape and checksum without touching anything else: the cheap first
/// gate of every verification.
pub fn check_format(candidate: &str) -> Result<(), FormatError> {
    if candidate.len() != KEY_LEN {
        return Err(FormatError::WrongLength);
    }
    let Some(rest) = candidate.strip_prefix(PREFIX) else {
        return Err(FormatError::MissingPrefix);
    };
    if !rest.bytes().all(base62::is_base62) {
        return Err(FormatError::InvalidCharacter);
    }
    if !body_checksum_matches(rest.as_bytes()) {
        return Err(FormatError::ChecksumMismatch);
    }
    Ok(())
}

/// Where in `text` a checksum-valid key body (the [`BODY_LEN`] base62
/// characters after `sk-`) occurs, as a byte range; `None` if nowhere. The
/// prefix is not needed: a body alone, or inside other text, still gives the
/// whole secret away. Each window of base62 characters costs one CRC32 of 35
/// bytes, and a random window passes with odds of about 1 in 4 billion.
pub fn find_key_body(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    // Length of the run of base62 bytes ending at `end`. Bytes of multi-byte
    // characters are never base62, so a window is always whole ASCII text.
    let mut run = 0;
    for (end, &b) in bytes.iter().enumerate() {
        run = if base62::is_base62(b) { run + 1 } else { 0 };
        if run >= BODY_LEN {
            let window = end + 1 - BODY_LEN..end + 1;
            if body_checksum_matches(&bytes[window.clone()]) {
                return Some(window);
            }
        }
    }
    None
}

/// Whether the last [`CHECKSUM_LEN`] bytes of a [`BODY_LEN`]-byte base62
/// `body` are the checksum of `sk-` and the rest.
fn body_checksum_matches(body: &[u8]) -> bool {
    let (random, checksum) = body.split_at(RANDOM_LEN);
    let mut crc = crc32fast::Hasher::new();
    crc.update(PREFIX.as_bytes());
    crc.update(random);
    // Encoded on the stack: this runs for every key a service checks.
    let mut expected = [0u8; CHECKSUM_LEN];
    base62::encode_into(crc.finalize() as u64, &mut expected);
    expected == checksum
}

fn checksum_of(signed_part: &str) -> String {
    base62::encode_fixed(crc32fast::hash(signed_part.as_bytes()) as u64, CHECKSUM_LEN)
}

/// The desensitised form shown in lists: `sk-` + first 4 + `****` + last 4.
/// Input that is not a full key is masked entirely rather than partly revealed.
pub fn mask(key: &str) -> String {
    match (key.strip_prefix(PREFIX), key.len() == KEY_LEN) {
        (Some(rest), true) if rest.is_ascii() => {
            let head = &rest[..MASK_VISIBLE];
            let tail = &key[KEY_LEN - MASK_VISIBLE..];
            format!("{PREFIX}{head}****{tail}")
        }
        _ => format!("{PREFIX}****"),
    }
}

/// SHA-256 of the full key: the only thing about a secret that is ever stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyHash(pub [u8; 32]);

impl KeyHash {
    /// The hash of the key text `key` (well-formed or not).
    pub fn of(key: &str) -> Self {
        KeyHash(Sha256::digest(key.as_bytes()).into())
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash(")?;
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let key = SecretKey::generate();
        let s = key.expose();
        assert_eq!(s.len(), KEY_LEN);
        assert!(s.starts_with("sk-"));
        assert!(s[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(check_format(s), Ok(()));
    }

    #[test]
    fn generated_keys_differ() {
        let keys: std::collections::HashSet<String> =
            (0..1000).map(|_| SecretKey::generate().expose().to_owned()).collect();
        assert_eq!(keys.len(), 1000);
    }

    #[test]
    fn random_part_uses_the_whole_alphabet_roughly_evenly() {
        let mut counts = [0usize; 62];
        for _ in 0..2000 {
            let key = SecretKey::generate();
            for b in key.expose()[3..3 + RANDOM_LEN].bytes() {
                counts[base62::ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
        }
        // 64,000 draws over 62 symbols: ~1032 each. A biased `% 62` without
        // rejection would skew the first symbols by about 25%.
        for (i, &c) in counts.iter().enumerate() {
            assert!((850..1220).contains(&c), "symbol {i} drawn {c} times");
        }
    }

    #[test]
    fn checksum_rejects_every_single_character_mutation() {
        for _ in 0..20 {
            let key = SecretKey::generate();
            let original = key.expose().as_bytes().to_vec();
            for pos in 0..original.len() {
                for &replacement in base62::ALPHABET.iter().chain(b"-_ ") {
                    if replacement == original[pos] {
                        continue;
                    }
                    let mut mutated = original.clone();
                    mutated[pos] = replacement;
                    let mutated = String::from_utf8(mutated).unwrap();
                    assert!(check_format(&mutated).is_err(), "accepted mutation at {pos}");
                }
            }
        }
    }

    #[test]
    fn format_errors_say_what_is_wrong() {
        let key = SecretKey::generate();
        let s = key.expose();
        assert_eq!(check_format(&s[..40]), Err(FormatError::WrongLength));
        assert_eq!(check_format(&format!("pk{}", &s[2..])), Err(FormatError::MissingPrefix));
        assert_eq!(
            check_format(&format!("{}!{}", &s[..10], &s[11..])),
            Err(FormatError::InvalidCharacter)
        );
        let bumped = if s.as_bytes()[5] == b'a' { 'b' } else { 'a' };
        let typo = format!("{}{}{}", &s[..5], bumped, &s[6..]);
        assert_eq!(check_format(&typo), Err(FormatError::ChecksumMismatch));
        assert_eq!(check_format(""), Err(FormatError::WrongLength));
        // Multi-byte input of the right byte length must not panic on slicing.
        assert!(check_format(&format!("sk-{}", "é".repeat(19))).is_err());
    }

    #[test]
    fn format_errors_read_in_english() {
        let all = [
            FormatError::WrongLength,
            FormatError::MissingPrefix,
            FormatError::InvalidCharacter,
            FormatError::ChecksumMismatch,
        ];
        let english: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(
            english,
            [
                "a key is 41 characters long",
                "a key starts with \"sk-\"",
                "a key contains only letters and digits after \"sk-\"",
                "the key's checksum does not match (mistyped or not a keydesk key)",
            ]
        );
    }

    #[test]
    fn finds_a_key_body_anywhere_with_or_without_the_prefix() {
        let key = SecretKey::generate();
        let s = key.expose();
        let body = &s[PREFIX.len()..];
        for (text, at) in [
            (s.to_owned(), 3),
            (body.to_owned(), 0),
            (format!("prod-{s}"), 8),
            (format!("{s}x"), 3),
            (format!("x{body}"), 1),
            (format!("键{body}键"), 3),
            (format!("a_{body}_b"), 2),
        ] {
            assert_eq!(find_key_body(&text), Some(at..at + BODY_LEN), "{text}");
        }
    }

    #[test]
    fn finds_no_key_body_in_text_without_a_valid_checksum() {
        let key = SecretKey::generate();
        let s = key.expose();
        assert_eq!(find_key_body(""), None);
        assert_eq!(find_key_body(&"a".repeat(64)), None);
        assert_eq!(find_key_body(&s[..KEY_LEN - 1]), None, "truncated");
        assert_eq!(find_key_body(&format!("{}-{}", &s[..20], &s[20..])), None, "split");
        let bumped = if s.as_bytes()[5] == b'a' { 'b' } else { 'a' };
        assert_eq!(
            find_key_body(&format!("{}{}{}", &s[..5], bumped, &s[6..])),
            None,
            "typo"
        );
    }

    #[test]
    fn parse_accepts_only_valid_keys() {
        let key = SecretKey::generate();
        let parsed = SecretKey::parse(key.expose().to_owned()).unwrap();
        assert_eq!(parsed.hash(), key.hash());
        assert!(SecretKey::parse("sk-nope".into()).is_err());
    }

    #[test]
    fn masked_form_keeps_prefix_first_four_and_last_four() {
        let key = SecretKey::generate();
        let s = key.expose();
        let masked = key.masked();
        assert_eq!(masked, format!("sk-{}****{}", &s[3..7], &s[37..]));
        assert_eq!(masked.len(), 3 + 4 + 4 + 4);
        assert_eq!(mask("sk-short"), "sk-****");
        assert_eq!(mask(&format!("sk-{}", "é".repeat(19))), "sk-****");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SecretKey::generate();
        let debug = format!("{key:?} {:?}", key.hash());
        assert!(!debug.contains(&key.expose()[3..]));
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn hash_is_sha256_of_the_full_key() {
        // Known vector: SHA-256("abc").
        let h = KeyHash::of("abc");
        assert_eq!(h.0[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}
