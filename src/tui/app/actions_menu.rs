//! The actions menu's state (Enter or `.` on a key): its items, each with
//! the action that also runs it directly from the list, and the selection.

use time::OffsetDateTime;

use crate::domain::KeyRecord;
use crate::tui::keymap::{self, Action};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    EditName,
    ToggleDisabled,
    Rotate,
    SetExpiry,
    Policy,
    Delete,
    CopyId,
    History,
}

impl MenuItem {
    pub const ALL: [MenuItem; 8] = [
        MenuItem::EditName,
        MenuItem::ToggleDisabled,
        MenuItem::Rotate,
        MenuItem::SetExpiry,
        MenuItem::Policy,
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
            MenuItem::Policy => tr!("dialog-actions-policy"),
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
            MenuItem::Policy => Action::EditPolicy,
            MenuItem::Delete => Action::DeleteKey,
            MenuItem::CopyId => Action::CopyId,
            MenuItem::History => Action::History,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ActionsMenu {
    pub record: KeyRecord,
    /// What the key's state allows when the menu opened, in menu order:
    /// the items shown, which `selected` and clicks index.
    pub items: Vec<MenuItem>,
    pub selected: usize,
}

impl ActionsMenu {
    /// The menu for `record` at `now`, offering only what its state allows.
    pub fn new(record: KeyRecord, now: OffsetDateTime) -> Self {
        let status = record.status(now);
        let items = MenuItem::ALL
            .into_iter()
            .filter(|item| keymap::allowed(item.action(), status))
            .collect();
        ActionsMenu {
            record,
            items,
            selected: 0,
        }
    }
}
