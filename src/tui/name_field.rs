//! The key-name field of the create and rename dialogs: its input, its
//! validation and what the line under it says. Drawn by
//! `view::name_field` (an `impl` of the same type there, so that state does
//! not depend on the view).

use crate::domain::{KeyName, KeyRecord, NameError};

use super::input::TextInput;

#[derive(Debug, Clone, Default)]
pub struct NameField {
    pub input: TextInput,
    /// Whether the user has typed or submitted anything yet: until then an
    /// empty name is not an error, the rule is shown instead.
    pub touched: bool,
    /// The name being replaced, when renaming.
    original: Option<String>,
}

/// What the line under the field says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feedback {
    /// Nothing typed yet: the naming rule.
    Rule,
    Invalid(NameError),
    /// Renaming to the current name.
    Unchanged,
    Valid,
    /// Valid, and allowed, but another key already has this name: a warning,
    /// since two keys of one name are easy to confuse.
    Duplicate(String),
}

impl NameField {
    /// An empty field, for a new key.
    pub fn new() -> Self {
        NameField::default()
    }

    /// A field holding `current`, for renaming.
    pub fn renaming(current: &str) -> Self {
        NameField {
            input: TextInput::with_text(current),
            touched: true,
            original: Some(current.to_owned()),
        }
    }

    pub fn validation(&self) -> Result<KeyName, NameError> {
        KeyName::parse(self.input.text())
    }

    /// Whether the (valid) name is the one being replaced.
    pub fn is_unchanged(&self, name: &KeyName) -> bool {
        self.original.as_deref() == Some(name.as_str())
    }

    /// The feedback, given the `others` keys whose names would clash.
    pub fn feedback<'a>(&self, mut others: impl Iterator<Item = &'a KeyRecord>) -> Feedback {
        match self.validation() {
            Err(_) if !self.touched && self.input.is_empty() => Feedback::Rule,
            Err(error) => Feedback::Invalid(error),
            Ok(name) if self.is_unchanged(&name) => Feedback::Unchanged,
            Ok(name) if others.any(|r| r.name == name.as_str()) => Feedback::Duplicate(name.as_str().to_owned()),
            Ok(_) => Feedback::Valid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::{NOW, record};

    fn typed(text: &str) -> NameField {
        let mut field = NameField::new();
        assert!(field.input.insert_str(text), "fits in the field");
        field.touched = true;
        field
    }

    #[test]
    fn the_rule_shows_until_something_is_typed() {
        let none: [KeyRecord; 0] = [];
        assert_eq!(NameField::new().feedback(none.iter()), Feedback::Rule);
        assert!(matches!(
            typed("").feedback(none.iter()),
            Feedback::Invalid(NameError::Empty)
        ));
        assert_eq!(typed("ok-name").feedback(none.iter()), Feedback::Valid);
    }

    #[test]
    fn a_name_another_key_has_is_a_warning_not_an_error() {
        let others = [record(1, "billing", NOW, None)];
        let field = typed("billing");
        assert_eq!(field.feedback(others.iter()), Feedback::Duplicate("billing".to_owned()));
        assert!(field.validation().is_ok(), "a duplicate is still a valid name");
        assert_eq!(typed("Billing").feedback(others.iter()), Feedback::Valid);
    }

    #[test]
    fn renaming_to_the_current_name_is_unchanged_not_a_duplicate() {
        let others = [record(1, "billing", NOW, None)];
        let field = NameField::renaming("billing");
        assert_eq!(field.feedback(others.iter()), Feedback::Unchanged);
    }
}
