//! The policy dialog's state: one text field per rule, prefilled with the
//! key's values in the form `keydesk limit` takes (`60`, `GET,POST`), the
//! focus, and what saving said. An empty field is no rule. Each field is
//! read by `Policy::set`, the CLI's own reader, so the dialog accepts and
//! refuses exactly what `keydesk limit` does.

use crate::domain::KeyRecord;
use crate::domain::policy::{Policy, PolicyError, Rule};
use crate::tui::input::TextInput;

/// Where the focus is: a rule's field (by its place in [`Rule::ALL`]) or a
/// button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFocus {
    Field(usize),
    Save,
    Cancel,
}

impl PolicyFocus {
    /// The stops in Tab order: every field, then the buttons.
    fn stops() -> impl Iterator<Item = PolicyFocus> {
        (0..Rule::ALL.len())
            .map(PolicyFocus::Field)
            .chain([PolicyFocus::Save, PolicyFocus::Cancel])
    }

    /// The next stop (`step` 1) or the previous (`-1`), wrapping around.
    pub fn step(self, step: isize) -> PolicyFocus {
        let stops: Vec<PolicyFocus> = Self::stops().collect();
        let at = stops.iter().position(|&s| s == self).unwrap_or(0) as isize;
        let count = stops.len() as isize;
        stops[(at + step).rem_euclid(count) as usize]
    }
}

#[derive(Debug, Clone)]
pub struct PolicyDialog {
    pub record: KeyRecord,
    /// One per rule, in [`Rule::ALL`] order.
    pub fields: Vec<TextInput>,
    pub focus: PolicyFocus,
    /// Why the last save was refused, until the next edit.
    pub error: Option<String>,
}

impl PolicyDialog {
    pub fn new(record: KeyRecord) -> Self {
        let fields = Rule::ALL
            .into_iter()
            .map(|rule| TextInput::with_text(&record.policy.value(rule).unwrap_or_default()))
            .collect();
        PolicyDialog {
            record,
            fields,
            focus: PolicyFocus::Field(0),
            error: None,
        }
    }

    /// The field with the focus, if a field has it.
    pub fn focused_field(&mut self) -> Option<&mut TextInput> {
        match self.focus {
            PolicyFocus::Field(at) => self.fields.get_mut(at),
            _ => None,
        }
    }

    /// What field `at` says: `Ok(None)` when empty (no rule), the rule's
    /// value read into a policy of its own otherwise, or why it cannot be.
    pub fn field(&self, at: usize) -> Result<Option<Policy>, PolicyError> {
        let (rule, text) = (Rule::ALL[at], self.fields[at].text().trim());
        if text.is_empty() {
            return Ok(None);
        }
        let mut policy = Policy::default();
        policy.set(rule, text)?;
        Ok(Some(policy))
    }

    /// The policy the fields say, or the first field's error (with its place).
    pub fn policy(&self) -> Result<Policy, (usize, PolicyError)> {
        let mut policy = Policy::default();
        for (at, rule) in Rule::ALL.into_iter().enumerate() {
            let text = self.fields[at].text().trim();
            if !text.is_empty() {
                policy.set(rule, text).map_err(|error| (at, error))?;
            }
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::testing::{NOW, record};

    fn dialog(policy: &str) -> PolicyDialog {
        let mut r = record(1, "svc", NOW, None);
        r.policy = Policy::parse(policy).unwrap();
        PolicyDialog::new(r)
    }

    #[test]
    fn fields_start_with_the_key_s_values_and_read_back_the_same_policy() {
        let d = dialog("rpm=60 methods=GET,POST ips=10.0.0.0/8");
        let texts: Vec<&str> = d.fields.iter().map(TextInput::text).collect();
        assert_eq!(
            texts,
            ["", "60", "", "", "", "", "", "", "GET,POST", "", "", "10.0.0.0/8"]
        );
        assert_eq!(
            d.policy().unwrap().to_string(),
            "rpm=60 methods=GET,POST ips=10.0.0.0/8"
        );
    }

    #[test]
    fn a_bad_field_is_named_with_the_cli_s_error() {
        let mut d = dialog("");
        d.fields[11] = TextInput::with_text("10.0.0.0/8,300.0.0.1");
        let (at, error) = d.policy().unwrap_err();
        assert_eq!(at, 11);
        assert_eq!(
            error.to_string(),
            "ips: \"300.0.0.1\" is not an IP address or CIDR block"
        );
        assert!(d.field(11).is_err());
        d.fields[11] = TextInput::with_text("");
        d.fields[6] = TextInput::with_text("5000/year");
        let (at, error) = d.policy().unwrap_err();
        assert_eq!(
            (at, error.to_string()),
            (
                6,
                "token-budget: \"year\" is not a period (day, week or month)".to_owned()
            )
        );
        d.fields[6] = TextInput::with_text("5000000/month");
        d.fields[4] = TextInput::with_text("20000");
        assert_eq!(d.policy().unwrap().to_string(), "tpm=20000 token-budget=5000000/month");
        assert_eq!(d.field(0), Ok(None), "empty: no rule");
    }

    #[test]
    fn the_focus_visits_every_field_then_the_buttons_and_wraps() {
        let mut focus = PolicyFocus::Field(0);
        for _ in 0..Rule::ALL.len() {
            focus = focus.step(1);
        }
        assert_eq!(focus, PolicyFocus::Save);
        assert_eq!(focus.step(1), PolicyFocus::Cancel);
        assert_eq!(focus.step(1).step(1), PolicyFocus::Field(0));
        assert_eq!(PolicyFocus::Field(0).step(-1), PolicyFocus::Cancel);
    }
}
