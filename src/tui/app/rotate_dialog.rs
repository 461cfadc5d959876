//! The rotate dialog's state: the key, the grace period chosen for its old
//! secret, and whether it is asking before ending a grace already running.

use crate::domain::KeyRecord;
use crate::tui::lifecycle_fields::DEFAULT_GRACE;

/// Rotating a key: the grace period for its old secret, and whether the
/// dialog is asking before it ends a grace already running.
#[derive(Debug, Clone)]
pub struct RotateDialog {
    pub record: KeyRecord,
    /// Index into [`crate::tui::lifecycle_fields::GRACES`].
    pub grace: usize,
    pub confirm: bool,
}

impl RotateDialog {
    pub fn new(record: KeyRecord) -> Self {
        RotateDialog {
            record,
            grace: DEFAULT_GRACE,
            confirm: false,
        }
    }
}
