//! Key IDs as typed on the command line, shared by every command that names
//! a key.

use crate::domain::KeyId;

use super::exit::{Exit, Failure};

/// A string that cannot be an ID is not found, without a database round
/// trip. It is not echoed back: it may be a secret pasted in the wrong place.
pub(super) fn parse_id(input: &str) -> Result<KeyId, Failure> {
    KeyId::parse(input).ok_or_else(|| Failure {
        exit: Exit::Invalid,
        message: tr!("cli-no-such-id"),
    })
}
