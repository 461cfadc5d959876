//! What the log screen and the storage worker say to each other about a
//! search of the audit log: the request for a page, the page that answers
//! it, and the one rule of what an entry matches. It is its own module, below
//! both the app state and the worker (and the events that carry its types),
//! so that none of them has to reach up into another for it.

use crate::domain::{AuditEntry, KeyId};

/// What the log screen asks the storage worker for: the next page of a
/// search, entries older than `before_seq` that match `needle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub key: Option<KeyId>,
    pub before_seq: Option<u64>,
    /// Lowercased; empty: every entry.
    pub needle: String,
    /// Which search this page is for.
    pub search: u64,
}

/// The worker's answer: the matches in the entries it looked at, and where
/// the next page starts (`None`: it reached the oldest entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    pub matches: Vec<AuditEntry>,
    pub next_before: Option<u64>,
}

/// Whether `entry` matches the lowercased `needle`: case-insensitively on
/// the name (old and new), key ID, action and who made it.
pub fn entry_matches(entry: &AuditEntry, needle: &str) -> bool {
    needle.is_empty() || log_text(entry).to_lowercase().contains(needle)
}

/// What the log filter searches in an entry.
fn log_text(entry: &AuditEntry) -> String {
    let actor = &entry.actor;
    let ssh = actor.ssh_client.as_ref().map(|c| c.to_string());
    let from = match &entry.event {
        crate::domain::AuditEvent::Renamed { from } => Some(from.as_str()),
        _ => None,
    };
    // The action as shown (in the user's language) and as `log --json` names it.
    let shown = crate::display::audit_action(&entry.event);
    [
        Some(entry.event.action()),
        Some(shown.as_str()),
        entry.key.as_ref().map(|k| k.as_str()),
        entry.name.as_deref(),
        from,
        actor.user.as_deref(),
        actor.sudo_user.as_deref(),
        ssh.as_deref(),
        Some(actor.interface.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}
