//! The question before disabling a key that is in use: disabling is
//! reversible, but every application using the key is refused from that
//! moment, so a key used lately is not taken offline by one keystroke.

use time::{Duration, OffsetDateTime};

use crate::domain::KeyRecord;

/// A key used (by either secret that still verifies) this recently is asked
/// about before it is disabled.
pub const ASK_IF_USED_WITHIN: Duration = Duration::days(7);

#[derive(Debug, Clone)]
pub struct DisableDialog {
    pub record: KeyRecord,
    /// The latest use that made it ask, shown as "used 2m ago".
    pub used_at: OffsetDateTime,
}

impl DisableDialog {
    /// The question for `record`, if disabling it at `now` deserves one.
    pub fn ask(record: &KeyRecord, now: OffsetDateTime) -> Option<DisableDialog> {
        let used_at = latest_live_use(record, now)?;
        (now - used_at <= ASK_IF_USED_WITHIN).then(|| DisableDialog {
            record: record.clone(),
            used_at,
        })
    }
}

/// The latest use of a secret that disabling would stop: the current one,
/// and the previous one while its grace runs (after it, it is refused anyway).
fn latest_live_use(record: &KeyRecord, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let previous = record.grace_running(now).and_then(|p| p.last_used);
    [record.last_used, previous].into_iter().flatten().max()
}
