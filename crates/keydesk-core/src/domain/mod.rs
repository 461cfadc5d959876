//! The vocabulary of keydesk: key format, names, IDs and records. Pure logic,
//! no I/O — everything here is testable without a database or a terminal.

pub mod audit;
pub mod base62;
pub mod budget;
pub mod duration;
pub mod hours;
pub mod id;
pub mod name;
pub mod policy;
pub mod prices;
pub mod record;
pub mod secret;
pub mod token_counts;
pub mod tokens;
pub mod usage;

pub use audit::{
    Actor, ActorSource, AuditEntry, AuditEvent, AuditKey, AuditQuery, BreakKind, ChainBreak, ChainHead, ChainReport,
    Interface, InvalidHead, SshClient,
};
pub use duration::DurationError;
pub use id::KeyId;
pub use name::{KeyName, NameError};
pub use policy::{Policy, PolicyError};
pub use record::{KeyRecord, KeyStatus, MAX_AHEAD_DAYS, PreviousSecret, SecretSlot, Verdict, within_reach};
pub use secret::{FormatError, KeyHash, SecretKey};
pub use token_counts::{TokenCounts, TokenDelta, TokenTotals};
pub use tokens::TokenUsage;
pub use usage::{Day, Hour, KeyUsage, Outcome, UsageCounts, UsageDelta, UsageQuery};
