//! Key names, exactly as the product's console allows them: 2 to 64 characters,
//! each a Chinese character (Unicode Han script), an ASCII letter, a digit,
//! `_` or `-`. Counting is in characters, not bytes, so `生产` is two.
//!
//! Names are normalised to NFC before anything else (see [`KeyName::parse`]),
//! and radicals that merely look like Chinese characters are refused, so two
//! names that look the same are the same string.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};
use zeroize::Zeroizing;

use super::secret;

/// The fewest characters a name may have (after normalisation).
pub const MIN_CHARS: usize = 2;
/// The most characters a name may have (after normalisation).
pub const MAX_CHARS: usize = 64;

/// What the rule is, in English, for hints next to an input field.
pub const RULE: &str = "2–64 characters: Chinese characters, letters, digits, _ or -";

/// A validated key name, in NFC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyName(String);

/// Why a name was refused. The messages say exactly what is wrong and never
/// reproduce an invisible or control character raw (it is shown as `U+XXXX`).
/// Positions count characters of the normalised name, which is what the user
/// sees (`a` + combining accent shows, and is counted, as one `á`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing but spaces, or nothing at all.
    Empty,
    /// Fewer than [`MIN_CHARS`] characters.
    TooShort {
        /// How many characters the name has.
        count: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    TooLong {
        /// How many characters the name has.
        count: usize,
    },
    /// A character names may not hold (see [`is_allowed`]).
    InvalidCharacter {
        /// The character (describe it with [`char_kind`] before showing it).
        character: char,
        /// Where it is, counting characters from 1.
        position: usize,
    },
    /// Kangxi radicals and the CJK Radicals Supplement render like ordinary
    /// Chinese characters (⼀ and 一) but are different code points, so two
    /// names that look identical would be different names.
    LookAlikeRadical {
        /// The radical.
        character: char,
        /// Where it is, counting characters from 1.
        position: usize,
    },
    /// A pasted secret, alone or inside other text, would otherwise be a valid
    /// name, and names are stored and shown in clear.
    LooksLikeSecret,
    /// `sk-` and a long run of letters and digits: most of a secret (a key
    /// cut short, or with a typo that breaks its checksum) still gives most
    /// of its entropy away, and names travel further than keys do (lists,
    /// the audit log, a header to the upstream).
    LooksLikeKey,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALLOWED: &str = "use Chinese characters, letters, digits, _ or -";
        match self {
            NameError::Empty => write!(f, "enter a name ({RULE})"),
            NameError::TooShort { count } => write!(
                f,
                "name is too short: {count} {}, at least {MIN_CHARS} needed",
                if *count == 1 { "character" } else { "characters" }
            ),
            NameError::TooLong { count } => {
                write!(f, "name is too long: {count} characters, at most {MAX_CHARS} allowed")
            }
            NameError::InvalidCharacter { character, position } => {
                write!(
                    f,
                    "{} at position {position} is not allowed — {ALLOWED}",
                    describe(*character)
                )
            }
            NameError::LookAlikeRadical { character, position } => {
                let advice = match radical_stands_for(*character) {
                    Some(c) => format!("type {c} ({}) instead", code_point(c)),
                    None => "type the Chinese character itself".to_owned(),
                };
                write!(
                    f,
                    "{} at position {position} is a radical that looks like a Chinese character but is a \
                     different one, so the name would not match what it looks like — {advice}",
                    describe(*character)
                )
            }
            NameError::LooksLikeSecret => f.write_str("this name contains an API key: never put a secret in a name"),
            NameError::LooksLikeKey => write!(
                f,
                "this name looks like an API key ({} followed by {KEY_LIKE_RUN} or more letters or digits): never \
                 put a secret in a name",
                secret::PREFIX
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// How many letters or digits after `sk-` make a name look like a key.
pub const KEY_LIKE_RUN: usize = 12;

impl KeyName {
    /// Validates `input` as typed, after normalising it to NFC: nothing is
    /// trimmed, so a leading or trailing space is reported rather than
    /// silently changed.
    ///
    /// NFC rather than NFKC: NFC only merges canonically equivalent spellings
    /// of the same text (a CJK compatibility ideograph such as U+F900 and its
    /// unified twin U+8C48, which render identically), so the stored name is
    /// what the user saw. NFKC would also fold characters the rule refuses
    /// into ones it allows (`ｆｕｌｌ` to `full`, `①` to `1`, `ﬁ` to `fi`),
    /// silently storing something else than was typed; those are reported
    /// instead. Kangxi radicals, which NFKC would fold too, are refused with
    /// their own message for the same reason.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        // Zeroised: the input may be a secret pasted into the wrong field.
        let mut name = Zeroizing::new(input.nfc().collect::<String>());
        // Character problems are reported first: "space at position 3" is more
        // useful than "too long" when both apply.
        for (index, character) in name.chars().enumerate() {
            let position = index + 1;
            if is_radical(character) {
                return Err(NameError::LookAlikeRadical { character, position });
            }
            if !is_allowed(character) {
                return Err(NameError::InvalidCharacter { character, position });
            }
        }
        if secret::find_key_body(&name).is_some() {
            return Err(NameError::LooksLikeSecret);
        }
        if looks_like_key(&name) {
            return Err(NameError::LooksLikeKey);
        }
        match name.chars().count() {
            0 => Err(NameError::Empty),
            count if count < MIN_CHARS => Err(NameError::TooShort { count }),
            count if count > MAX_CHARS => Err(NameError::TooLong { count }),
            _ => Ok(KeyName(std::mem::take(&mut *name))),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `name` has `sk-` (in any case) followed by [`KEY_LIKE_RUN`] or
/// more ASCII letters or digits, where the `sk-` starts the name or follows
/// something other than a letter or digit: `prod-sk-IzTy…` is a pasted key,
/// while `task-summarization` merely ends a word in `sk`.
fn looks_like_key(name: &str) -> bool {
    let bytes = name.as_bytes();
    let prefix = secret::PREFIX.as_bytes();
    (0..bytes.len()).any(|at| {
        let starts_word = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        starts_word
            && bytes[at..].len() >= prefix.len()
            && bytes[at..at + prefix.len()].eq_ignore_ascii_case(prefix)
            && bytes[at + prefix.len()..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count()
                >= KEY_LIKE_RUN
    })
}

/// Whether one character may appear in a (normalised) name.
pub fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || (c.script() == Script::Han && !is_radical(c))
}

/// CJK Radicals Supplement and Kangxi Radicals: Han script, but look-alikes
/// of ordinary characters rather than characters of their own.
fn is_radical(c: char) -> bool {
    // CJK Radicals Supplement (U+2E80–U+2EFF), then Kangxi Radicals (U+2F00–U+2FDF).
    matches!(c as u32, 0x2E80..=0x2FDF)
}

/// What to type instead of a radical: the character it stands for, when
/// Unicode records one (all Kangxi radicals, two supplement ones).
pub fn radical_stands_for(radical: char) -> Option<char> {
    let mut folded = std::iter::once(radical).nfkc();
    match (folded.next(), folded.next()) {
        (Some(c), None) if c != radical && is_allowed(c) => Some(c),
        _ => None,
    }
}

/// What a refused character is, for a description that is safe to print
/// (an invisible or control character is named by its code point only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CharKind {
    /// The ASCII space.
    Space,
    /// U+3000, the ideographic (full-width) space.
    FullWidthSpace,
    /// A control character.
    Control,
    /// A format character that draws nothing (zero-width, direction marks).
    Invisible,
    /// Any other white space.
    SpaceLike,
    /// A visible character, safe to show itself.
    Other,
}

/// What `c` is, for saying why it was refused without printing it raw.
pub fn char_kind(c: char) -> CharKind {
    match c {
        ' ' => CharKind::Space,
        '\u{3000}' => CharKind::FullWidthSpace,
        c if c.is_control() => CharKind::Control,
        c if is_invisible(c) => CharKind::Invisible,
        c if c.is_whitespace() => CharKind::SpaceLike,
        _ => CharKind::Other,
    }
}

/// A description of a refused character that is safe to print, in English.
fn describe(c: char) -> String {
    let code = code_point(c);
    match char_kind(c) {
        CharKind::Space => "a space".to_owned(),
        CharKind::FullWidthSpace => format!("a full-width space ({code})"),
        CharKind::Control => format!("a control character ({code})"),
        CharKind::Invisible => format!("an invisible character ({code})"),
        CharKind::SpaceLike => format!("a space character ({code})"),
        CharKind::Other => format!("'{c}' ({code})"),
    }
}

/// `U+XXXX`, as Unicode charts name a character.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Zero-width, bidi-control, line/paragraph-separator, variation-selector,
/// tag and other format characters: invisible, or able to reorder text, when
/// printed. The one list of them; display code uses it to sanitise output.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Invisible when printed on its own: a format character, or a combining mark.
fn is_invisible(c: char) -> bool {
    is_invisible_format(c) || unicode_script::UnicodeScript::script(&c) == Script::Inherited
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_product_examples() {
        for ok in [
            "ab",
            "生产-gateway_01",
            "测试",
            "A-1",
            "prod_key",
            &"x".repeat(64),
            &"键".repeat(64),
        ] {
            assert_eq!(
                KeyName::parse(ok).map(|n| n.as_str().to_owned()),
                Ok(ok.to_owned()),
                "{ok}"
            );
        }
    }

    #[test]
    fn refuses_with_a_precise_reason() {
        let cases: &[(&str, NameError)] = &[
            ("", NameError::Empty),
            ("a", NameError::TooShort { count: 1 }),
            ("生", NameError::TooShort { count: 1 }),
            (&"x".repeat(65), NameError::TooLong { count: 65 }),
            (&"键".repeat(65), NameError::TooLong { count: 65 }),
            (
                " ab",
                NameError::InvalidCharacter {
                    character: ' ',
                    position: 1,
                },
            ),
            (
                "ab ",
                NameError::InvalidCharacter {
                    character: ' ',
                    position: 3,
                },
            ),
            (
                "a.b",
                NameError::InvalidCharacter {
                    character: '.',
                    position: 2,
                },
            ),
            (
                "café",
                NameError::InvalidCharacter {
                    character: 'é',
                    position: 4,
                },
            ),
            (
                "ab\u{200B}",
                NameError::InvalidCharacter {
                    character: '\u{200B}',
                    position: 3,
                },
            ),
            (
                "\u{202E}ab",
                NameError::InvalidCharacter {
                    character: '\u{202E}',
                    position: 1,
                },
            ),
            (
                "ab\u{1b}[31m",
                NameError::InvalidCharacter {
                    character: '\u{1b}',
                    position: 3,
                },
            ),
            (
                "ab😀",
                NameError::InvalidCharacter {
                    character: '😀',
                    position: 3,
                },
            ),
            (
                "ｆｕｌｌ",
                NameError::InvalidCharacter {
                    character: 'ｆ',
                    position: 1,
                },
            ),
            (
                "한국",
                NameError::InvalidCharacter {
                    character: '한',
                    position: 1,
                },
            ),
            (
                "にほん",
                NameError::InvalidCharacter {
                    character: 'に',
                    position: 1,
                },
            ),
            (
                "ab\u{3000}",
                NameError::InvalidCharacter {
                    character: '\u{3000}',
                    position: 3,
                },
            ),
            (
                // Composed by NFC into the `á` the user sees.
                "a\u{301}b",
                NameError::InvalidCharacter {
                    character: 'á',
                    position: 1,
                },
            ),
            (
                "ab\u{302}\u{301}",
                NameError::InvalidCharacter {
                    character: '\u{302}',
                    position: 3,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(KeyName::parse(input).as_ref(), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn a_pasted_secret_is_refused_without_being_echoed() {
        let secret = super::super::SecretKey::generate();
        let error = KeyName::parse(secret.expose()).unwrap_err();
        assert_eq!(error, NameError::LooksLikeSecret);
        assert!(!error.to_string().contains(&secret.expose()[3..]));
        // Key-like names that are not real keys (no valid checksum) are fine.
        assert!(KeyName::parse("sk-my-service").is_ok());
    }

    #[test]
    fn most_of_a_secret_is_refused_in_any_case() {
        let secret = super::super::SecretKey::generate();
        let key = secret.expose();
        for name in [
            key[..30].to_owned(),
            key[..15].to_owned(),
            key[..15].to_uppercase(),
            format!("Sk-{}", &key[3..15]),
            format!("prod-{}", &key[..20]),
            format!("prod_{}_1", &key[..20]),
            format!("生产{}", &key[..20]),
        ] {
            let error = KeyName::parse(&name).unwrap_err();
            assert_eq!(error, NameError::LooksLikeKey, "{name}");
            assert!(!error.to_string().contains(&key[3..10]), "{error}");
        }
    }

    #[test]
    fn names_with_sk_that_are_not_key_like_are_fine() {
        for name in [
            "sk-my-service",
            "sk-abcdefghijk",       // 11 after the prefix
            "sk-abcdefghijk-lmnop", // the run is cut by a separator
            "task-summarization",   // "sk-" ends a word, it does not start one
            "desk-assistant1234",
            "sk_abcdefghijklmnop", // not the prefix
        ] {
            assert!(KeyName::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_secret_anywhere_in_a_name_is_refused_without_being_echoed() {
        let secret = super::super::SecretKey::generate();
        let key = secret.expose();
        let body = &key[3..];
        for name in [
            format!("prod-{key}"),
            format!("{key}x"),
            body.to_owned(),
            format!("x{body}"),
            format!("生产{body}"),
            format!("{body}_1"),
        ] {
            let error = KeyName::parse(&name).unwrap_err();
            assert_eq!(error, NameError::LooksLikeSecret, "{name}");
            assert!(!error.to_string().contains(&body[..8]), "{error}");
        }
        // Almost a key is not one: a typo breaks the checksum.
        let bumped = if body.as_bytes()[0] == b'a' { 'b' } else { 'a' };
        assert!(KeyName::parse(&format!("x{bumped}{}", &body[1..])).is_ok());
    }

    #[test]
    fn radicals_are_refused_as_look_alikes() {
        let error = KeyName::parse("生产\u{2F00}").unwrap_err();
        assert_eq!(
            error,
            NameError::LookAlikeRadical {
                character: '\u{2F00}',
                position: 3
            }
        );
        let message = error.to_string();
        assert!(message.contains("looks like a Chinese character"), "{message}");
        assert!(message.contains("type 一 (U+4E00) instead"), "{message}");
        // A supplement radical with no recorded equivalent still gets advice.
        let message = KeyName::parse("a\u{2E80}").unwrap_err().to_string();
        assert!(message.contains("(U+2E80) at position 2 is a radical"), "{message}");
        assert!(message.contains("type the Chinese character itself"), "{message}");
        for radical in ['\u{2E80}', '\u{2E9F}', '\u{2EF3}', '\u{2F00}', '\u{2FD5}'] {
            assert!(!is_allowed(radical), "U+{:04X}", radical as u32);
            assert!(matches!(
                KeyName::parse(&format!("ab{radical}")),
                Err(NameError::LookAlikeRadical { .. })
            ));
        }
    }

    #[test]
    fn names_are_stored_in_nfc() {
        // CJK compatibility ideographs become their unified twins, in both
        // blocks; they look the same, so they must compare the same.
        let parsed = KeyName::parse("\u{F900}\u{FA0A}-\u{2F800}").unwrap();
        assert_eq!(parsed.as_str(), "\u{8C48}\u{898B}-\u{4E3D}");
        assert_eq!(parsed, KeyName::parse("\u{8C48}\u{898B}-\u{4E3D}").unwrap());
        // The Kelvin sign is canonically the letter K.
        assert_eq!(KeyName::parse("\u{212A}ey").unwrap().as_str(), "Key");
        // NFKC-only foldings are not applied: full-width letters are refused.
        assert!(KeyName::parse("ｆｕｌｌ").is_err());
    }

    #[test]
    fn messages_are_specific_and_printable() {
        let msg = |s: &str| KeyName::parse(s).unwrap_err().to_string();
        assert_eq!(msg("a"), "name is too short: 1 character, at least 2 needed");
        assert!(msg("a b").starts_with("a space at position 2 is not allowed"));
        assert!(msg("ab\u{1b}").contains("control character (U+001B)"));
        assert!(msg("ab\u{200B}").contains("invisible character (U+200B)"));
        assert!(msg("ab\u{202E}").contains("invisible character (U+202E)"));
        for s in ["ab\u{1b}", "ab\u{202E}", "ab\u{200B}", "ab\u{7}"] {
            assert!(!msg(s).chars().any(|c| c.is_control() || is_invisible(c)), "{s:?}");
        }
    }

    #[test]
    fn every_refusal_reads_in_english_as_it_always_has() {
        let msg = |s: &str| KeyName::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg(""),
            "enter a name (2–64 characters: Chinese characters, letters, digits, _ or -)"
        );
        assert_eq!(
            msg(&"x".repeat(65)),
            "name is too long: 65 characters, at most 64 allowed"
        );
        assert_eq!(
            msg("a.b"),
            "'.' (U+002E) at position 2 is not allowed — use Chinese characters, letters, digits, _ or -"
        );
        assert_eq!(
            msg("ab\u{3000}"),
            "a full-width space (U+3000) at position 3 is not allowed — use Chinese characters, letters, digits, _ or -"
        );
        assert!(msg("ab\u{2028}").starts_with("an invisible character (U+2028) at position 3"));
        assert!(msg("ab\u{A0}").starts_with("a space character (U+00A0) at position 3"));
        assert_eq!(
            msg("生产\u{2F00}"),
            "'\u{2F00}' (U+2F00) at position 3 is a radical that looks like a Chinese character but is a \
             different one, so the name would not match what it looks like — type 一 (U+4E00) instead"
        );
        assert_eq!(
            NameError::LooksLikeSecret.to_string(),
            "this name contains an API key: never put a secret in a name"
        );
        assert_eq!(
            NameError::LooksLikeKey.to_string(),
            "this name looks like an API key (sk- followed by 12 or more letters or digits): never put a secret in a name"
        );
    }

    /// The key-like rule, over characters rather than bytes: a word (a run
    /// of ASCII letters and digits, or the start) boundary, `sk-` in any
    /// case, then at least 12 ASCII letters or digits.
    fn oracle_key_like(chars: &[char]) -> bool {
        chars.windows(3).enumerate().any(|(at, window)| {
            let prefix: String = window.iter().collect::<String>().to_lowercase();
            let boundary = at == 0 || !chars[at - 1].is_ascii_alphanumeric();
            let run = chars[at + 3..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            boundary && prefix == "sk-" && run >= KEY_LIKE_RUN
        })
    }

    /// An oracle written from the Unicode blocks rather than the script table, so
    /// the property test compares two independent descriptions of "Chinese".
    fn oracle_allows(c: char) -> bool {
        let u = c as u32;
        c.is_ascii_alphanumeric()
            || c == '_'
            || c == '-'
            || matches!(u,
                // Not the radicals (U+2E80–U+2FDF): Han script, but look-alikes.
                0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
                | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFA6D | 0xFA70..=0xFAD9
                | 0x16FE2 | 0x16FE3 | 0x16FF0 | 0x16FF1
                | 0x20000..=0x2A6DF | 0x2A700..=0x2EE5D | 0x2F800..=0x2FA1D
                | 0x30000..=0x323AF)
    }

    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>(),
            proptest::char::range('\u{4E00}', '\u{9FFF}'),
            proptest::char::range('\u{3400}', '\u{4DBF}'),
            proptest::char::range('a', 'z'),
            proptest::char::range('0', '9'),
            Just('_'),
            Just('-'),
            Just(' '),
            Just('\u{200B}'),
            Just('\u{202E}'),
            proptest::char::range('\u{3000}', '\u{303F}'),
            proptest::char::range('\u{2E80}', '\u{2FDF}'),
            proptest::char::range('\u{F900}', '\u{FAFF}'),
        ]
    }

    /// Planes where each Unicode release adds ideographs (extensions B–J, Tangut
    /// neighbours); there the script table is authoritative and the block list
    /// below would go stale.
    fn in_growing_ideograph_planes(c: char) -> bool {
        matches!(c as u32, 0x16FE0..=0x16FFF | 0x20000..=0x3FFFF)
    }

    #[test]
    fn script_table_and_block_oracle_agree_on_every_code_point() {
        let disagreements: Vec<String> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| !in_growing_ideograph_planes(c) && is_allowed(c) != oracle_allows(c))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(disagreements.is_empty(), "disagreements: {disagreements:?}");
        // In the growing planes, only Han may be accepted, and the long-stable
        // Extension B block must be.
        assert!(('\u{20000}'..='\u{2A6DF}').all(is_allowed));
        assert!(
            ('\u{20000}'..='\u{3FFFF}')
                .filter(|&c| is_allowed(c))
                .all(|c| c.script() == Script::Han)
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_strings(s in any::<String>()) {
            let _ = KeyName::parse(&s);
        }

        #[test]
        fn accepts_exactly_the_allowed_set(chars in proptest::collection::vec(interesting_char(), 0..80)) {
            let s: String = chars.iter().collect();
            prop_assume!(!chars.iter().any(|&c| in_growing_ideograph_planes(c)));
            // Names are judged after NFC, which only merges spellings of the same text.
            let chars: Vec<char> = s.nfc().collect();
            let expected = chars.iter().all(|&c| oracle_allows(c))
                && (MIN_CHARS..=MAX_CHARS).contains(&chars.len())
                && !oracle_key_like(&chars);
            let parsed = KeyName::parse(&s);
            prop_assert_eq!(parsed.is_ok(), expected, "{:?} -> {:?}", s, parsed);
            if let Err(NameError::InvalidCharacter { character, position }) = parsed {
                prop_assert_eq!(chars[position - 1], character);
                prop_assert!(!oracle_allows(character));
                prop_assert!(chars[..position - 1].iter().all(|&c| oracle_allows(c)));
            }
            if let Err(NameError::LookAlikeRadical { character, position }) = parsed {
                prop_assert_eq!(chars[position - 1], character);
                prop_assert!(chars[..position - 1].iter().all(|&c| oracle_allows(c)));
            }
        }

        #[test]
        fn single_chars_agree_with_the_oracle(c in any::<char>()) {
            prop_assume!(!in_growing_ideograph_planes(c));
            prop_assert_eq!(is_allowed(c), oracle_allows(c), "U+{:04X}", c as u32);
        }
    }
}
