//! The state of the dialog that shows a new or rotated key's secret, the one
//! time it is ever shown: the secret itself (zeroised with the dialog), the
//! copy's outcome, and whether closing without a copy is being asked about.

use crate::domain::{KeyRecord, SecretKey};
use crate::tui::copy::CopyResult;

#[derive(Debug)]
pub struct SecretDialog {
    /// Zeroised when the dialog is dropped.
    pub secret: SecretKey,
    pub record: KeyRecord,
    /// A rotation's new secret, rather than a new key's.
    pub rotated: bool,
    /// What the last copy attempt reported, shown in full in the dialog: a
    /// copy through the terminal cannot be confirmed, so its caveat must be
    /// readable where the user is looking.
    pub copy_result: Option<CopyResult>,
    pub confirm_close: bool,
}

impl SecretDialog {
    pub fn new(secret: SecretKey, record: KeyRecord) -> Self {
        SecretDialog {
            secret,
            record,
            rotated: false,
            copy_result: None,
            confirm_close: false,
        }
    }

    /// The new secret of a rotated key.
    pub fn rotated(secret: SecretKey, record: KeyRecord) -> Self {
        SecretDialog {
            rotated: true,
            ..SecretDialog::new(secret, record)
        }
    }

    /// Whether a copy went out; closing asks first when it did not.
    pub fn copied(&self) -> bool {
        self.copy_result.as_ref().is_some_and(CopyResult::is_copied)
    }
}
