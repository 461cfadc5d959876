//! The "Set expiry" dialog's state: the key, the expiry choice, and whether
//! the choice or its date input has the focus.

use crate::domain::KeyRecord;
use crate::tui::lifecycle_fields::ExpiryField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryFocus {
    Choice,
    Date,
}

/// Setting a key's expiry.
#[derive(Debug, Clone)]
pub struct ExpiryDialog {
    pub record: KeyRecord,
    pub field: ExpiryField,
    pub focus: ExpiryFocus,
    pub error: Option<String>,
}

impl ExpiryDialog {
    pub fn new(record: KeyRecord) -> Self {
        ExpiryDialog {
            record,
            field: ExpiryField::default(),
            focus: ExpiryFocus::Choice,
            error: None,
        }
    }
}
