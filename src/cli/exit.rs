//! Exit codes, one meaning each, documented in `keydesk --help` and in docs/guide.md (Exit codes).

use std::process::ExitCode;

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Ok = 0,
    /// The key is not valid (verify), no key has that ID, or the key's state
    /// does not allow the change (enabling, rotating or re-expiring an
    /// expired key). Nothing was written. For `doctor`: a finding needs
    /// attention.
    Invalid = 1,
    /// Bad arguments or input: an invalid name, a missing --accept-terms or
    /// --yes. (clap uses 2 for its own usage errors too.)
    Usage = 2,
    /// The database is busy, unreadable, damaged, insecure or not keydesk's.
    Database = 3,
    /// The user answered "no" to a confirmation.
    Declined = 4,
    /// Standard output could not be written (full disk, closed pipe). For
    /// `create` this means the new key was deleted again, since nobody got
    /// its secret; if even that failed, stderr names the key to delete.
    Output = 5,
    /// `serve` cannot listen on its address (in use, not permitted).
    Listen = 6,
    /// `log --check`: the chain's order and links hold, but the seals of
    /// its keyed entries could not be checked: there is no audit key file.
    Unverified = 7,
}

impl Exit {
    pub fn for_store_error(error: &StoreError) -> Exit {
        match error {
            StoreError::NotFound { .. } | StoreError::Refused { .. } => Exit::Invalid,
            _ => Exit::Database,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A command's failure: what to tell the user and which code to exit with.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn declined(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Declined,
            message: message.into(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure {
            exit: Exit::for_store_error(&error),
            message: crate::i18n::words::Worded::worded(&error),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure {
            exit: Exit::Usage,
            message: tr!("cli-cannot-read-input", error = error.to_string()),
        }
    }
}
