//! The delete dialog's state: the key and which button has the focus, with
//! "Disable instead" offered only while the key is enabled and not expired.

use crate::domain::KeyRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteFocus {
    Cancel,
    /// "Disable instead", offered while the key is enabled.
    Disable,
    Delete,
}

#[derive(Debug, Clone)]
pub struct DeleteDialog {
    pub record: KeyRecord,
    pub focus: DeleteFocus,
    /// The key had expired when the dialog opened: disabling it would change
    /// nothing (an expired key is refused for good), so it is not offered.
    pub expired: bool,
}

impl DeleteDialog {
    /// The buttons, left to right: "Disable instead" only for an enabled,
    /// unexpired key.
    pub fn buttons(&self) -> &'static [DeleteFocus] {
        if self.record.disabled_at.is_some() || self.expired {
            &[DeleteFocus::Cancel, DeleteFocus::Delete]
        } else {
            &[DeleteFocus::Cancel, DeleteFocus::Disable, DeleteFocus::Delete]
        }
    }

    /// Moves the focus by `delta` buttons, wrapping.
    pub fn step(&mut self, delta: isize) {
        let buttons = self.buttons();
        let i = buttons.iter().position(|&b| b == self.focus).unwrap_or(0);
        let next = (i as isize + delta).rem_euclid(buttons.len() as isize) as usize;
        self.focus = buttons[next];
    }
}
