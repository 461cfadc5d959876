//! The actions menu's state (Enter or `.` on a key): its items, each with
//! the action that also runs it directly from the list, and the selection.

use crate::domain::KeyRecord;
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    EditName,
    ToggleDisabled,
    Rotate,
    SetExpiry,
    Delete,
    CopyId,
    History,
}

impl MenuItem {
    pub const ALL: [MenuItem; 7] = [
        MenuItem::EditName,
        MenuItem::ToggleDisabled,
        MenuItem::Rotate,
        MenuItem::SetExpiry,
        MenuItem::Delete,
        MenuItem::CopyId,
        MenuItem::History,
    ];

    /// The item's label for `record` ("Disable" or "Enable" as it stands).
    pub fn label(self, record: &KeyRecord) -> String {
        match self {
            MenuItem::EditName => tr!("dialog-actions-edit-name"),
            MenuItem::ToggleDisabled if record.disabled_at.is_some() => tr!("dialog-actions-enable"),
            MenuItem::ToggleDisabled => tr!("dialog-actions-disable"),
            MenuItem::Rotate => tr!("dialog-actions-rotate"),
            MenuItem::SetExpiry => tr!("dialog-actions-set-expiry"),
            MenuItem::Delete => tr!("dialog-actions-delete"),
            MenuItem::CopyId => tr!("dialog-actions-copy-id"),
            MenuItem::History => tr!("dialog-actions-history"),
        }
    }

    /// The action that runs the item directly; its key, shown beside the
    /// item, comes from the actions menu's key table.
    pub fn action(self) -> Action {
        match self {
            MenuItem::EditName => Action::EditName,
            MenuItem::ToggleDisabled => Action::ToggleDisabled,
            MenuItem::Rotate => Action::Rotate,
            MenuItem::SetExpiry => Action::SetExpiry,
            MenuItem::Delete => Action::DeleteKey,
            MenuItem::CopyId => Action::CopyId,
            MenuItem::History => Action::History,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ActionsMenu {
    pub record: KeyRecord,
    pub selected: usize,
}
