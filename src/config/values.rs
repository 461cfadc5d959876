//! The syntax of each setting's value, one for all the places a setting can
//! be given: a flag, its environment variable and the config file take the
//! same text and refuse the same mistakes with the same words.

use std::time::Duration;

use crate::i18n::Lang;
use crate::i18n::words::{duration_forms as forms, parse_duration as parse_explained};

/// `--lang`: `en` or `zh-CN`, in their usual spellings.
pub fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| tr!("cli-lang-invalid"))
}

/// The longest `--busy-timeout`: ten minutes.
const MAX_BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// `--busy-timeout`: a duration up to ten minutes; `0s` (do not wait) too.
pub fn parse_busy_timeout(text: &str) -> Result<Duration, String> {
    match parse_explained(text)? {
        timeout if timeout <= MAX_BUSY_TIMEOUT => Ok(timeout),
        _ => Err(tr!("cli-busy-timeout-invalid", forms = forms())),
    }
}

/// The longest clipboard clearing delay. Anything longer is surely a mistake,
/// and a huge one overflowed the timer into "never" without saying so.
pub const MAX_CLEAR_AFTER: Duration = Duration::from_secs(86_400);

/// The spelling of "never clear" for `--clear-clipboard-after`.
pub const CLEAR_NEVER: &str = "off";

/// `--clear-clipboard-after`: a duration up to a day, or `off` for never
/// (kept as zero, which the clipboard's timer reads as never). `0s` is
/// refused as a likely slip; `off` says it on purpose.
pub fn parse_clear_after(input: &str) -> Result<Duration, String> {
    let invalid = || tr!("cli-clear-after-invalid", forms = forms());
    match input {
        CLEAR_NEVER => return Ok(Duration::ZERO),
        // The old spelling of never: the usual "write 0s" would mislead.
        "0" => return Err(invalid()),
        _ => {}
    }
    match parse_explained(input)? {
        delay if delay.is_zero() || delay > MAX_CLEAR_AFTER => Err(invalid()),
        delay => Ok(delay),
    }
}

/// A `--clear-clipboard-after` value as `config show` prints it.
pub fn show_clear_after(delay: Duration) -> String {
    if delay.is_zero() {
        CLEAR_NEVER.to_owned()
    } else {
        crate::domain::duration::format(delay)
    }
}
