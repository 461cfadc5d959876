//! The exact bytes of an OSC 52 "set clipboard" sequence, wrapped for the
//! multiplexer in the way.
//!
//! OSC 52 is `ESC ] 52 ; c ; <base64 text> <terminator>`, where `c` names the
//! clipboard selection. The terminator here is always BEL (0x07), not ST
//! (`ESC \`):
//! - inside screen's DCS passthrough an inner `ESC \` would end the outer DCS
//!   string early, so BEL is the only terminator that survives there;
//! - one terminator everywhere keeps the encodings comparable byte for byte;
//! - xterm, tmux, kitty, WezTerm, Alacritty, foot, iTerm2 and Windows Terminal
//!   all accept BEL, and some older OSC 52 implementations accept only BEL.
//!
//! An empty payload is the "clear" request: terminals that implement OSC 52
//! empty their clipboard when they receive it.
//!
//! Every buffer that holds the text, in base64 or wrapped, is
//! [`Zeroizing`] and sized exactly before it is filled, so it never
//! reallocates and leaves stray copies behind on the heap.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::strategy::Multiplexer;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
/// `ESC ] 52 ; c ;`: start of an OSC 52 that sets the clipboard selection.
const OSC52_START: &[u8] = b"\x1b]52;c;";
/// DCS start (`ESC P`) followed by tmux's passthrough prefix.
const TMUX_PASSTHROUGH_START: &[u8] = b"\x1bPtmux;";
/// DCS start, as screen needs before each passthrough chunk.
const DCS_START: &[u8] = b"\x1bP";
/// String terminator (ST), ending a DCS string.
const ST: &[u8] = b"\x1b\\";

/// screen keeps at most 767 bytes of one control string (its `MAXSTR` is
/// 768, one byte for the NUL). A longer string makes screen give up on it
/// and print the rest as text, which would put the key on screen. Every DCS
/// body written here stays at or under this smaller, rounder limit.
pub(crate) const SCREEN_DCS_BODY_MAX: usize = 512;

/// The bytes to write to the terminal so `text` lands on the clipboard.
pub(crate) fn set_sequence(text: &[u8], multiplexer: Multiplexer) -> Zeroizing<Vec<u8>> {
    let base64 = encode_base64(text);
    let len = sequence_len(base64.len(), multiplexer);
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    let buffer = out.as_ptr();
    match multiplexer {
        Multiplexer::Absent => push_plain(&mut out, &base64),
        Multiplexer::Tmux => {
            // The plain sequence is what tmux turns into a paste buffer and
            // forwards (with `set-clipboard on`); the passthrough copy reaches
            // the outer terminal directly when `allow-passthrough` is on (or
            // always, before tmux 3.3). tmux drops whichever it may not use.
            push_plain(&mut out, &base64);
            push_tmux_passthrough(&mut out, &base64);
        }
        Multiplexer::Screen => push_screen_chunks(&mut out, &base64),
    }
    debug_assert_eq!(out.len(), len, "sequence length was computed wrongly");
    debug_assert_eq!(out.as_ptr(), buffer, "sequence buffer reallocated");
    out
}

/// The bytes that ask the terminal to empty its clipboard.
///
/// tmux (checked with 3.3a) ignores an OSC 52 with an empty payload: its
/// paste buffer and the outer terminal would keep the key. So through tmux
/// the "clear" sets the clipboard to a single space, which tmux takes as a
/// new paste buffer and forwards (`set-clipboard on`); the passthrough copy
/// carries the same space, so the outer terminal ends up with one value
/// whichever copy arrives last. tmux's older paste buffer with the key stays
/// (see [`ClearOutcome`](super::ClearOutcome)).
pub(crate) fn clear_sequence(multiplexer: Multiplexer) -> Zeroizing<Vec<u8>> {
    match multiplexer {
        Multiplexer::Tmux => set_sequence(b" ", multiplexer),
        Multiplexer::Absent | Multiplexer::Screen => set_sequence(b"", multiplexer),
    }
}

fn encode_base64(text: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = base64::encoded_len(text.len(), true).expect("clipboard text is far below usize::MAX");
    let mut base64 = Zeroizing::new(vec![0; len]);
    let written = STANDARD
        .encode_slice(text, &mut base64[..])
        .expect("buffer sized with encoded_len");
    debug_assert_eq!(written, len);
    base64
}

/// Length of the OSC 52 sequence carrying `base64_len` bytes.
fn plain_len(base64_len: usize) -> usize {
    OSC52_START.len() + base64_len + 1
}

/// Whether the whole OSC 52 fits in a single screen DCS string.
fn fits_one_screen_string(base64_len: usize) -> bool {
    plain_len(base64_len) <= SCREEN_DCS_BODY_MAX
}

/// DCS strings needed when the sequence is split: one for the OSC start,
/// then the base64 followed by BEL, cut into bodies of the maximum size.
fn screen_string_count(base64_len: usize) -> usize {
    if fits_one_screen_string(base64_len) {
        1
    } else {
        1 + (base64_len + 1).div_ceil(SCREEN_DCS_BODY_MAX)
    }
}

fn sequence_len(base64_len: usize, multiplexer: Multiplexer) -> usize {
    let plain = plain_len(base64_len);
    match multiplexer {
        Multiplexer::Absent => plain,
        // Plain, then: DCS start + prefix, plain with its one ESC doubled, ST.
        Multiplexer::Tmux => plain + TMUX_PASSTHROUGH_START.len() + 1 + plain + ST.len(),
        Multiplexer::Screen => screen_string_count(base64_len) * (DCS_START.len() + ST.len()) + plain,
    }
}

/// `ESC ] 52 ; c ; <base64> BEL`
fn push_plain(out: &mut Vec<u8>, base64: &[u8]) {
    out.extend_from_slice(OSC52_START);
    out.extend_from_slice(base64);
    out.push(BEL);
}

/// `ESC P tmux; ESC ESC ] 52 ; c ; <base64> BEL ESC \`
///
/// tmux passes a DCS string starting with `tmux;` to the outer terminal
/// after undoubling every ESC in it. The plain sequence holds exactly one
/// ESC, its first byte (base64 and BEL contain none), so doubling it is
/// writing one extra ESC in front.
fn push_tmux_passthrough(out: &mut Vec<u8>, base64: &[u8]) {
    out.extend_from_slice(TMUX_PASSTHROUGH_START);
    out.push(ESC);
    push_plain(out, base64);
    out.extend_from_slice(ST);
}

/// screen copies the body of each DCS string verbatim to the outer
/// terminal, which therefore sees one continuous OSC 52.
///
/// Short texts (all keys and IDs) fit one string:
/// `ESC P ESC ] 52 ; c ; <base64> BEL ESC \`.
/// A parser that does not tunnel DCS — tmux, or a terminal, reached with a
/// `TERM=screen*` from an older tmux — abandons the DCS at the inner ESC and
/// reads the plain OSC 52 inside, so this one form works for both.
///
/// Longer texts are split: `ESC P ESC ] 52 ; c ; ESC \`, then
/// `ESC P <base64 part> ESC \` …, the last part ending in BEL. The first
/// string holds no text on purpose: a parser that reads it as a plain
/// OSC 52 sees an empty one, which tmux ignores, rather than a truncated
/// piece of the text.
fn push_screen_chunks(out: &mut Vec<u8>, base64: &[u8]) {
    out.extend_from_slice(DCS_START);
    out.extend_from_slice(OSC52_START);
    if fits_one_screen_string(base64.len()) {
        out.extend_from_slice(base64);
        out.push(BEL);
        out.extend_from_slice(ST);
        return;
    }
    out.extend_from_slice(ST);
    // Split `base64 + BEL` into bodies of at most SCREEN_DCS_BODY_MAX bytes.
    let total = base64.len() + 1;
    let mut start = 0;
    while start < total {
        let end = (start + SCREEN_DCS_BODY_MAX).min(total);
        out.extend_from_slice(DCS_START);
        out.extend_from_slice(&base64[start.min(base64.len())..end.min(base64.len())]);
        if end == total {
            out.push(BEL);
        }
        out.extend_from_slice(ST);
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key of the length keydesk issues (41 characters).
    const KEY: &str = "sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv";

    fn b64(text: &str) -> String {
        STANDARD.encode(text)
    }

    fn string(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).expect("sequences are ASCII")
    }

    fn plain(text: &str) -> String {
        format!("\x1b]52;c;{}\x07", b64(text))
    }

    /// The bodies of the DCS strings in `sequence`, checking that each is
    /// terminated and small enough for screen.
    fn dcs_bodies(sequence: &str) -> Vec<&str> {
        let mut bodies = Vec::new();
        let mut rest = sequence;
        while !rest.is_empty() {
            let body_and_rest = rest.strip_prefix("\x1bP").expect("only DCS strings");
            let end = body_and_rest.find("\x1b\\").expect("DCS string terminated");
            let body = &body_and_rest[..end];
            assert!(body.len() <= SCREEN_DCS_BODY_MAX, "DCS body of {} bytes", body.len());
            bodies.push(body);
            rest = &body_and_rest[end + 2..];
        }
        bodies
    }

    /// What screen sends to the outer terminal: the bodies, concatenated.
    fn through_screen(sequence: &str) -> String {
        dcs_bodies(sequence).concat()
    }

    /// What tmux (or any parser that does not tunnel DCS) reads as OSC 52
    /// in a screen sequence: the first `ESC ]` up to BEL or ESC.
    fn first_osc_seen_without_screen(sequence: &str) -> &str {
        let start = sequence.find("\x1b]").expect("an OSC start") + 2;
        let end = sequence[start..].find(['\x07', '\x1b']).expect("terminated") + start;
        &sequence[start..end]
    }

    #[test]
    fn key_is_41_characters() {
        assert_eq!(KEY.len(), 41);
    }

    #[test]
    fn plain_sequence_bytes() {
        let sequence = set_sequence(b"hello", Multiplexer::Absent);
        assert_eq!(&sequence[..], b"\x1b]52;c;aGVsbG8=\x07");
    }

    #[test]
    fn plain_sequence_of_a_key() {
        let sequence = set_sequence(KEY.as_bytes(), Multiplexer::Absent);
        assert_eq!(string(&sequence), plain(KEY));
        assert_eq!(sequence.len(), 7 + 56 + 1);
    }

    #[test]
    fn tmux_sequence_is_plain_then_passthrough() {
        let sequence = set_sequence(b"hello", Multiplexer::Tmux);
        assert_eq!(
            &sequence[..],
            b"\x1b]52;c;aGVsbG8=\x07\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x07\x1b\\"
        );
    }

    #[test]
    fn tmux_sequence_of_a_key() {
        let sequence = string(&set_sequence(KEY.as_bytes(), Multiplexer::Tmux));
        let plain = plain(KEY);
        assert_eq!(sequence, format!("{plain}\x1bPtmux;\x1b{plain}\x1b\\"));
    }

    #[test]
    fn screen_sequence_of_a_short_text_is_one_string() {
        let sequence = set_sequence(b"hello", Multiplexer::Screen);
        assert_eq!(&sequence[..], b"\x1bP\x1b]52;c;aGVsbG8=\x07\x1b\\");
    }

    #[test]
    fn screen_sequence_of_a_key() {
        let sequence = string(&set_sequence(KEY.as_bytes(), Multiplexer::Screen));
        assert_eq!(sequence, format!("\x1bP{}\x1b\\", plain(KEY)));
        // Read without screen (tmux, older-tmux TERM), it is still the key.
        assert_eq!(first_osc_seen_without_screen(&sequence), format!("52;c;{}", b64(KEY)));
    }

    #[test]
    fn screen_one_string_limit_is_exact() {
        // 504 base64 bytes + 8 = 512: one string. 508 + 8 = 516: split.
        let fits = "a".repeat(378);
        let split = "a".repeat(379);
        assert_eq!(b64(&fits).len(), 504);
        assert_eq!(b64(&split).len(), 508);
        let one = string(&set_sequence(fits.as_bytes(), Multiplexer::Screen));
        assert_eq!(dcs_bodies(&one), [plain(&fits)]);
        let two = string(&set_sequence(split.as_bytes(), Multiplexer::Screen));
        assert_eq!(
            dcs_bodies(&two),
            ["\x1b]52;c;".to_owned(), format!("{}\x07", b64(&split))]
        );
    }

    #[test]
    fn screen_sequence_splits_at_body_boundaries() {
        // 384 text bytes make 512 base64 bytes: a full body, then BEL alone.
        let text = "k".repeat(384);
        let encoded = b64(&text);
        assert_eq!(encoded.len(), SCREEN_DCS_BODY_MAX);
        let sequence = string(&set_sequence(text.as_bytes(), Multiplexer::Screen));
        assert_eq!(
            sequence,
            format!("\x1bP\x1b]52;c;\x1b\\\x1bP{encoded}\x1b\\\x1bP\x07\x1b\\")
        );
    }

    #[test]
    fn split_screen_sequence_looks_empty_without_screen() {
        let text = "k".repeat(2000);
        let sequence = string(&set_sequence(text.as_bytes(), Multiplexer::Screen));
        assert_eq!(first_osc_seen_without_screen(&sequence), "52;c;");
    }

    #[test]
    fn ten_kilobytes_through_each_multiplexer() {
        let text: String = (0..10 * 1024).map(|i| char::from(b'!' + (i % 90) as u8)).collect();
        let plain = plain(&text);

        let absent = string(&set_sequence(text.as_bytes(), Multiplexer::Absent));
        assert_eq!(absent, plain);

        let tmux = string(&set_sequence(text.as_bytes(), Multiplexer::Tmux));
        assert_eq!(tmux, format!("{plain}\x1bPtmux;\x1b{plain}\x1b\\"));

        let screen = string(&set_sequence(text.as_bytes(), Multiplexer::Screen));
        let bodies = dcs_bodies(&screen);
        assert_eq!(bodies.len(), 1 + (b64(&text).len() + 1).div_ceil(SCREEN_DCS_BODY_MAX));
        assert_eq!(through_screen(&screen), plain);
    }

    #[test]
    fn clear_sequences_carry_an_empty_selection_or_through_tmux_a_space() {
        assert_eq!(&clear_sequence(Multiplexer::Absent)[..], b"\x1b]52;c;\x07");
        // "IA==" is a single space: tmux ignores an empty selection.
        assert_eq!(
            &clear_sequence(Multiplexer::Tmux)[..],
            b"\x1b]52;c;IA==\x07\x1bPtmux;\x1b\x1b]52;c;IA==\x07\x1b\\"
        );
        assert_eq!(&clear_sequence(Multiplexer::Screen)[..], b"\x1bP\x1b]52;c;\x07\x1b\\");
    }

    #[test]
    fn non_ascii_text_is_carried_as_utf8() {
        let sequence = set_sequence("clé→🔑".as_bytes(), Multiplexer::Absent);
        assert_eq!(string(&sequence), plain("clé→🔑"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const ALL: [Multiplexer; 3] = [Multiplexer::Absent, Multiplexer::Tmux, Multiplexer::Screen];

        proptest! {
            #[test]
            fn length_is_exact(text in proptest::collection::vec(any::<u8>(), 0..3000)) {
                for multiplexer in ALL {
                    // set_sequence also debug-asserts that its buffer never moved.
                    let sequence = set_sequence(&text, multiplexer);
                    let base64_len = base64::encoded_len(text.len(), true).unwrap();
                    prop_assert_eq!(sequence.len(), sequence_len(base64_len, multiplexer));
                }
            }

            #[test]
            fn screen_strings_reassemble_to_the_plain_sequence(
                text in proptest::collection::vec(any::<u8>(), 0..3000),
            ) {
                let plain = string(&set_sequence(&text, Multiplexer::Absent));
                let screen = string(&set_sequence(&text, Multiplexer::Screen));
                prop_assert_eq!(through_screen(&screen), plain);
            }
        }
    }
}
