//! The create dialog's state: the name, the expiry, the agreement box, and
//! the order Tab moves the focus in.

use crate::domain::{KeyName, NameError};
use crate::tui::lifecycle_fields::ExpiryField;
use crate::tui::name_field::NameField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateFocus {
    Name,
    Agreement,
    /// The expiry choice (←/→).
    Expiry,
    /// The expiry's date input, when "On a date" is chosen.
    Date,
    Ok,
    Cancel,
}

impl CreateFocus {
    /// The expiry comes after the agreement, so "name, Tab, Space, Enter"
    /// still makes a key (that never expires), as before there was a choice.
    const ORDER: [CreateFocus; 6] = [
        CreateFocus::Name,
        CreateFocus::Agreement,
        CreateFocus::Expiry,
        CreateFocus::Date,
        CreateFocus::Ok,
        CreateFocus::Cancel,
    ];

    /// The next stop; the date input is one only when `date` is in use.
    pub fn next(self, date: bool) -> Self {
        self.step(1, date)
    }

    pub fn prev(self, date: bool) -> Self {
        self.step(Self::ORDER.len() - 1, date)
    }

    fn step(self, by: usize, date: bool) -> Self {
        let i = Self::ORDER.iter().position(|&f| f == self).unwrap_or(0);
        let next = Self::ORDER[(i + by) % Self::ORDER.len()];
        if next == CreateFocus::Date && !date {
            next.step(by, date)
        } else {
            next
        }
    }
}

#[derive(Debug, Clone)]
pub struct CreateDialog {
    pub name: NameField,
    pub expiry: ExpiryField,
    pub agreed: bool,
    pub focus: CreateFocus,
    /// Why the last OK was refused, or why creating failed.
    pub error: Option<String>,
    /// The name another key has that OK was refused for, asking for OK
    /// again: as explicit as `keydesk create --allow-duplicate-name`.
    pub duplicate_warned: Option<String>,
}

impl Default for CreateDialog {
    fn default() -> Self {
        CreateDialog {
            name: NameField::new(),
            expiry: ExpiryField::default(),
            agreed: false,
            focus: CreateFocus::Name,
            error: None,
            duplicate_warned: None,
        }
    }
}

impl CreateDialog {
    pub fn validation(&self) -> Result<KeyName, NameError> {
        self.name.validation()
    }
}
