//! Tokens a model server reported for one answer: the unit an AI service is
//! billed and limited in. Pure vocabulary, no I/O: `keydesk serve` reads
//! these out of the answers it relays and hands them to the
//! [`Verifier`](crate::Verifier), which keeps them with the key's request
//! counts.

use std::fmt;

/// The longest model name kept (in bytes, cut at a character boundary): an
/// answer names its model, and a name longer than any real one must not make
/// a key's usage grow without bound.
pub const MAX_MODEL_NAME_BYTES: usize = 128;

/// What one relayed answer reported about its tokens.
///
/// `input` counts every input token, cached ones included (OpenAI's
/// `prompt_tokens` already does; for Anthropic it is `input_tokens` +
/// `cache_creation_input_tokens` + `cache_read_input_tokens`), so limits and
/// prices see one figure; `cache_read` and `cache_creation` say how many of
/// them were cached, where the answer said.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// The model the answer named (not the one the request asked for), cut
    /// to [`MAX_MODEL_NAME_BYTES`]; `None` when the answer named none.
    pub model: Option<String>,
    /// Input (prompt) tokens, cached ones included.
    pub input: u64,
    /// Output (completion) tokens.
    pub output: u64,
    /// Of `input`, read from a prompt cache.
    pub cache_read: u64,
    /// Of `input`, written to a prompt cache (Anthropic).
    pub cache_creation: u64,
    /// Whether the answer reported usage at all. `false`: a request whose
    /// tokens are unknown (a stream without a usage chunk, an answer of an
    /// API keydesk does not read); the token figures are then zero.
    pub known: bool,
    /// Whether the answer was read to its end. `false`: the stream was cut
    /// short (client gone, upstream reset) and the figures are what was seen.
    pub complete: bool,
}

impl TokenUsage {
    /// Input and output together: what `--tpm` and token budgets count.
    pub fn total(&self) -> u64 {
        self.input.saturating_add(self.output)
    }

    /// `name` cut to [`MAX_MODEL_NAME_BYTES`] at a character boundary.
    pub fn bounded_model(name: &str) -> String {
        let mut end = name.len().min(MAX_MODEL_NAME_BYTES);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name[..end].to_owned()
    }
}

// Counts and a model name are not secrets, but Debug is written out to
// keep it one line in logs.
impl fmt::Debug for TokenUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenUsage {{ model: {:?}, input: {}, output: {}, cache_read: {}, cache_creation: {}, known: {}, complete: {} }}",
            self.model, self.input, self.output, self.cache_read, self.cache_creation, self.known, self.complete
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_model_name_is_cut_at_a_character_boundary() {
        let name = "模".repeat(60); // 180 bytes, 3 per character
        let cut = TokenUsage::bounded_model(&name);
        assert_eq!(cut.len(), 126);
        assert!(cut.chars().all(|c| c == '模'));
        assert_eq!(TokenUsage::bounded_model("gpt-4o-mini"), "gpt-4o-mini");
    }

    #[test]
    fn the_total_is_input_and_output_and_saturates() {
        let usage = TokenUsage {
            input: 12,
            output: 30,
            ..TokenUsage::default()
        };
        assert_eq!(usage.total(), 42);
        let huge = TokenUsage {
            input: u64::MAX,
            output: 1,
            ..TokenUsage::default()
        };
        assert_eq!(huge.total(), u64::MAX);
    }
}
