//! Writing to stdout: what every command prints goes through here, so a
//! closed pipe is one clear failure and text from the database reaches the
//! terminal without control characters.

use std::io::{self, Write};

use time::{OffsetDateTime, UtcOffset};

use super::exit::{Exit, Failure};

/// The widest name `usage` and `cleanup` show, in columns; longer ones are cut.
pub const NAME_WIDTH: usize = 24;
/// An ID is 19 columns (`ak-` and 16 characters).
pub const ID_WIDTH: usize = 20;

/// An instant as RFC 3339 in UTC, the form of every `--json` time.
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.checked_to_offset(UtcOffset::UTC)
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// serde_json escapes only characters below U+0020; a name written into the
/// database by something else could still carry a C1 control (U+009B starts
/// an escape sequence on 8-bit terminals) or a bidi override. Those can only
/// occur inside JSON strings (a raw newline here is structural, since
/// serde_json escapes those inside strings), so `\uXXXX` keeps the JSON valid
/// and the same.
pub(super) fn escape_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == '\n' || crate::display::is_safe(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

pub(super) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(write_failure)
}

fn write_failure(error: io::Error) -> Failure {
    Failure {
        exit: Exit::Output,
        message: tr!("cli-cannot-write-output", error = error.to_string()),
    }
}
