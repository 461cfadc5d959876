//! Base62 (`0-9A-Za-z`): the alphabet of secrets and checksums. Chosen because it
//! survives double-click selection, URLs and shell quoting without escaping.

/// The 62 characters, in the order of their values (`0` is 0, `z` is 61).
pub const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Whether `b` is one of the 62 alphabet bytes.
pub fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Encodes `value` as exactly `width` base62 digits, most significant first,
/// zero-padded. `width` must be large enough for `value`.
pub fn encode_fixed(value: u64, width: usize) -> String {
    let mut digits = vec![b'0'; width];
    encode_into(value, &mut digits);
    String::from_utf8(digits).expect("alphabet is ASCII")
}

/// [`encode_fixed`] into a caller's buffer (its length is the width), so hot
/// paths such as checksum validation need no allocation.
pub fn encode_into(mut value: u64, digits: &mut [u8]) {
    for slot in digits.iter_mut().rev() {
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    debug_assert_eq!(value, 0, "value does not fit in {} base62 digits", digits.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_with_padding_and_full_range() {
        assert_eq!(encode_fixed(0, 6), "000000");
        assert_eq!(encode_fixed(61, 2), "0z");
        assert_eq!(encode_fixed(62, 2), "10");
        assert_eq!(encode_fixed(u32::MAX as u64, 6), "4gfFC3");
    }

    #[test]
    fn alphabet_matches_predicate() {
        for b in 0..=255u8 {
            assert_eq!(is_base62(b), ALPHABET.contains(&b), "byte {b}");
        }
    }
}
