//! The rename dialog's state: the key and its new name, prefilled with the
//! old one.

use crate::domain::{KeyName, KeyRecord, NameError};
use crate::tui::name_field::NameField;

#[derive(Debug, Clone)]
pub struct RenameDialog {
    pub record: KeyRecord,
    pub name: NameField,
    pub error: Option<String>,
    /// The name another key has that the user was warned about: renaming
    /// to it happens on a second Enter, as explicit as `keydesk rename
    /// --allow-duplicate-name`.
    pub duplicate_warned: Option<String>,
}

impl RenameDialog {
    pub fn new(record: KeyRecord) -> Self {
        RenameDialog {
            name: NameField::renaming(&record.name),
            record,
            error: None,
            duplicate_warned: None,
        }
    }

    pub fn validation(&self) -> Result<KeyName, NameError> {
        self.name.validation()
    }
}
