//! keydesk-core's errors in the reader's language. Core keeps its errors as
//! data (with plain English `Display`, for library users and logs) and
//! knows nothing of Fluent; the front-ends — the TUI, the command line,
//! `keydesk serve` — show a person [`Worded::worded`] instead, which says
//! the same in the current language ([`crate::set`], [`crate::with_lang`]).
//! The variables (paths, versions, the OS's or a server's own words) are
//! shown as they are.

use std::path::Path;
use std::time::Duration;

use keydesk_core::domain::audit::{BreakKind, ChainBreak, InvalidHead};
use keydesk_core::domain::name::{self, CharKind, NameError};
use keydesk_core::domain::policy::{PolicyError, Problem, Rule};
use keydesk_core::domain::secret::{self, FormatError};
use keydesk_core::domain::{DurationError, duration};
use keydesk_core::hardening::{Refusal, Untrusted};
use keydesk_core::store::designation::{self, UNPARSABLE};
use keydesk_core::store::{
    CertificateProblem, Change, Damage, DecodeError, FileKind, Malformation, RecordProblem, Refused, ServerProblem,
    StoreError, StoredItem, Unreached, UrlProblem, deadline_seconds, rfc3339,
};

/// A core error (or part of one) as a person reads it, in the current
/// language.
pub trait Worded {
    /// What `self` says, in the current language.
    fn worded(&self) -> String;
}

/// What the name rule is, in the current language, for hints next to an
/// input field and the "enter a name" error.
pub fn name_rule() -> String {
    crate::tr!("domain-name-rule", min = name::MIN_CHARS, max = name::MAX_CHARS)
}

/// The accepted duration forms, in the reader's language, for every message
/// about a duration.
pub fn duration_forms() -> String {
    crate::tr!("cli-duration-forms")
}

/// [`duration::parse`] for the front-ends (the command line, `serve`, the
/// config file): the error in words that name the accepted forms, and for
/// a bare number the spelling probably meant.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    duration::parse(input).map_err(|error| duration_error(error, input))
}

/// `error`, made reading `input`, in words.
pub fn duration_error(error: DurationError, input: &str) -> String {
    let (input, forms) = (echoed(input), duration_forms());
    match error {
        DurationError::BareNumber => crate::tr!("cli-duration-bare", input = input, forms = forms),
        DurationError::Overflow => crate::tr!("cli-duration-too-long", input = input, forms = forms),
        _ => crate::tr!("cli-duration-invalid", input = input, forms = forms),
    }
}

/// An argument as echoed in an error: only a short, printable one. A long one
/// may be a secret pasted in the wrong place, and is not repeated at all.
pub fn echoed(input: &str) -> String {
    let short = input.len() <= 25 && input.chars().all(|c| c.is_ascii_graphic());
    if short {
        input.to_owned()
    } else {
        crate::tr!("cli-not-shown")
    }
}

/// A database path or URL as messages show it ([`designation::shown`]:
/// never a password), with the word for what cannot be parsed in the
/// current language.
pub fn shown(text: &str) -> String {
    place(&designation::shown(text))
}

/// A place already shown by [`designation::shown`] (a store error's
/// `location`), its English word for what cannot be parsed put in the
/// current language.
pub fn place(shown: &str) -> String {
    match shown.strip_suffix(UNPARSABLE).filter(|head| head.ends_with('…')) {
        Some(head) => format!("{head}{}", crate::tr!("error-db-unparsable")),
        None => shown.to_owned(),
    }
}

fn path_shown(path: &Path) -> String {
    shown(&path.display().to_string())
}

impl Worded for StoreError {
    fn worded(&self) -> String {
        use StoreError as E;
        match self {
            E::Busy { path, waited } => crate::tr!(
                "error-store-busy",
                path = path_shown(path),
                seconds = format!("{:.1}", waited.as_secs_f32())
            ),
            E::NotADatabase { path } => crate::tr!("error-store-not-a-database", path = path_shown(path)),
            E::ForeignDatabase { path } => crate::tr!("error-store-foreign-database", path = path_shown(path)),
            E::NewerSchema { path, found, supported } => crate::tr!(
                "error-store-newer-schema",
                path = path_shown(path),
                found = *found,
                supported = *supported
            ),
            E::NeedsUpgrade { path, found, current } => crate::tr!(
                "error-store-needs-upgrade",
                path = path_shown(path),
                found = *found,
                current = *current
            ),
            E::Missing { path } => crate::tr!("error-store-missing", path = path_shown(path)),
            E::NotAFile { path, kind } => {
                crate::tr!("error-store-not-a-file", path = path_shown(path), kind = kind.worded())
            }
            E::EmptyFile { path } => crate::tr!("error-store-empty-file", path = path_shown(path)),
            E::Insecure { path, reason } => {
                crate::tr!(
                    "error-store-insecure",
                    path = path_shown(path),
                    reason = reason.worded()
                )
            }
            E::NotFound { id } => crate::tr!("error-store-not-found", id = id.as_str()),
            E::Refused { reason } => reason.worded(),
            E::Corrupt { path, detail } => {
                crate::tr!("error-store-corrupt", path = path_shown(path), detail = detail.worded())
            }
            E::Io { path, source } => {
                crate::tr!("error-store-io", path = path_shown(path), reason = source.to_string())
            }
            E::EarlierWriteFailed { path } => crate::tr!(
                "error-store-io",
                path = path_shown(path),
                reason = crate::tr!("error-store-previous-io")
            ),
            E::Database { path, detail } => {
                crate::tr!(
                    "error-store-database",
                    path = path_shown(path),
                    reason = detail.as_str()
                )
            }
            E::RootCertificates { path, problem } => crate::tr!(
                "error-store-io",
                path = path_shown(path),
                reason = crate::tr!("error-pg-root-certificates", problem = problem.worded())
            ),
            _ => server_worded(self),
        }
    }
}

/// The PostgreSQL errors, the audit key's and the last few.
fn server_worded(error: &StoreError) -> String {
    use StoreError as E;
    match error {
        E::Unreachable { location, detail } => {
            crate::tr!(
                "error-pg-unreachable",
                location = place(location),
                detail = detail.worded()
            )
        }
        E::Server { location, detail } => {
            crate::tr!("error-pg-server", location = place(location), detail = detail.worded())
        }
        E::NotInitialised { location } => crate::tr!("error-pg-not-initialised", location = place(location)),
        E::NewerServerSchema {
            location,
            found,
            supported,
        } => crate::tr!(
            "error-pg-newer-schema",
            location = place(location),
            found = *found,
            supported = *supported,
        ),
        E::NoDataDir => crate::tr!("error-store-no-data-dir"),
        E::AuditKeyMissing { location, seq } => {
            crate::tr!("error-audit-key-missing", location = place(location), seq = *seq)
        }
        E::AuditKeyMismatch { location, seq } => {
            crate::tr!("error-audit-key-mismatch", location = place(location), seq = *seq)
        }
        // A variant newer than these words: its English.
        other => other.to_string(),
    }
}

impl Worded for FileKind {
    fn worded(&self) -> String {
        match self {
            FileKind::CharDevice => crate::tr!("error-store-kind-char-device"),
            FileKind::BlockDevice => crate::tr!("error-store-kind-block-device"),
            FileKind::Fifo => crate::tr!("error-store-kind-fifo"),
            FileKind::Socket => crate::tr!("error-store-kind-socket"),
            FileKind::Directory => crate::tr!("error-store-kind-directory"),
            _ => crate::tr!("error-store-kind-other"),
        }
    }
}

impl Worded for Refused {
    fn worded(&self) -> String {
        match self {
            Refused::Expired { id, at, change } => {
                let (id, at) = (id.as_str(), rfc3339(*at));
                match change {
                    Change::NewExpiry => crate::tr!("error-refused-expired-new-expiry", id = id, at = at),
                    Change::Enable => crate::tr!("error-refused-expired-enable", id = id, at = at),
                    _ => crate::tr!("error-refused-expired-rotate", id = id, at = at),
                }
            }
            Refused::PastExpiry { id, at, now } => {
                let (at, now) = (rfc3339(*at), rfc3339(*now));
                match id {
                    Some(id) => crate::tr!("error-refused-past-expiry", id = id.as_str(), at = at, now = now),
                    None => crate::tr!("error-refused-past-expiry-new-key", at = at, now = now),
                }
            }
            Refused::NegativeGrace => crate::tr!("error-refused-negative-grace"),
            Refused::GraceTooLong => crate::tr!("error-refused-grace-too-long"),
            Refused::ForeignAuditLog { count } => crate::tr!("error-pg-import-foreign-audit-log", count = *count),
            other => other.to_string(),
        }
    }
}

impl Worded for Damage {
    fn worded(&self) -> String {
        match self {
            Damage::Engine(detail) => detail.clone(),
            Damage::Record(error) => error.worded(),
            Damage::Structure { reason } => {
                let reason = reason
                    .clone()
                    .unwrap_or_else(|| crate::tr!("error-store-unreadable-structure"));
                crate::tr!("error-store-restore-from-backup", reason = reason)
            }
            other => other.to_string(),
        }
    }
}

impl Worded for DecodeError {
    fn worded(&self) -> String {
        match self {
            DecodeError::Empty { id } => crate::tr!("error-record-empty", id = id.as_str()),
            DecodeError::UnknownVersion { id, version } => {
                crate::tr!("error-record-unknown-version", id = id.as_str(), version = *version)
            }
            DecodeError::Malformed { record, reason } => {
                crate::tr!("error-record-malformed", id = record.worded(), reason = reason.worded())
            }
            other => other.to_string(),
        }
    }
}

impl Worded for StoredItem {
    fn worded(&self) -> String {
        match self {
            StoredItem::AuditEntry(seq) => crate::tr!("error-audit-entry", seq = *seq),
            other => other.to_string(),
        }
    }
}

impl Worded for Malformation {
    fn worded(&self) -> String {
        match self {
            Malformation::Encoding(words) => words.clone(),
            Malformation::Timestamp(words) => crate::tr!("error-record-bad-timestamp", reason = words.as_str()),
            Malformation::Changed => crate::tr!("error-audit-entry-changed"),
            Malformation::IndexDisagrees => crate::tr!("error-audit-index-disagrees"),
            Malformation::Policy(error) => crate::tr!("error-record-bad-policy", reason = error.to_string()),
            other => other.to_string(),
        }
    }
}

impl Worded for Unreached {
    fn worded(&self) -> String {
        match self {
            Unreached::Client(words) => words.clone(),
            Unreached::ConnectTimedOut(limit) => {
                crate::tr!("error-pg-connect-timed-out", seconds = deadline_seconds(*limit))
            }
            Unreached::CallTimedOut(limit) => crate::tr!("error-pg-call-timed-out", seconds = deadline_seconds(*limit)),
            Unreached::Closed => crate::tr!("error-pg-connection-closed"),
            other => other.to_string(),
        }
    }
}

impl Worded for ServerProblem {
    fn worded(&self) -> String {
        match self {
            ServerProblem::InvalidUrl(problem) => crate::tr!("error-pg-invalid-url", reason = problem.worded()),
            ServerProblem::RecordDamaged { id, problem } => {
                crate::tr!("error-pg-record-damaged", id = id.as_str(), reason = problem.worded())
            }
            ServerProblem::AuditEntryChanged { seq } => crate::tr!("error-pg-audit-entry-changed", seq = *seq),
            // The server's own words, and any newer problem's English.
            other => other.to_string(),
        }
    }
}

impl Worded for UrlProblem {
    fn worded(&self) -> String {
        match self {
            UrlProblem::Ambiguous => crate::tr!("error-pg-url-ambiguous"),
            other => other.to_string(),
        }
    }
}

impl Worded for RecordProblem {
    fn worded(&self) -> String {
        match self {
            RecordProblem::TimeOutOfRange => crate::tr!("error-pg-record-time-out-of-range"),
            RecordProblem::BadHash => crate::tr!("error-pg-record-bad-hash"),
            RecordProblem::BadPolicy(error) => crate::tr!("error-record-bad-policy", reason = error.to_string()),
            other => other.to_string(),
        }
    }
}

impl Worded for CertificateProblem {
    fn worded(&self) -> String {
        match self {
            CertificateProblem::Unreadable(error) => error.to_string(),
            CertificateProblem::NotPem => crate::tr!("error-pg-root-certificates-not-pem"),
            CertificateProblem::NoCertificate => crate::tr!("error-pg-root-certificates-none"),
            CertificateProblem::Unusable(words) => {
                crate::tr!("error-pg-root-certificate-unusable", reason = words.as_str())
            }
            other => other.to_string(),
        }
    }
}

impl Worded for Untrusted {
    fn worded(&self) -> String {
        match self {
            Untrusted::Owner { owner, me } => crate::tr!("error-store-insecure-owner", owner = *owner, me = *me),
            // Octal, as chmod takes it: text, not a number to format.
            Untrusted::Writable { mode, path } => crate::tr!(
                "error-store-insecure-writable",
                mode = format!("{mode:o}"),
                path = path.display().to_string()
            ),
            Untrusted::Readable { mode, path } => crate::tr!(
                "error-file-not-private",
                mode = format!("{mode:o}"),
                path = path.display().to_string()
            ),
            other => other.to_string(),
        }
    }
}

impl Worded for Refusal {
    fn worded(&self) -> String {
        match self {
            Refusal::NotAFile(kind) => crate::tr!("error-file-not-regular", kind = kind.worded()),
            Refusal::Untrusted(reason) => reason.worded(),
            Refusal::TooLarge => crate::tr!("error-file-too-large"),
            other => other.to_string(),
        }
    }
}

impl Worded for NameError {
    fn worded(&self) -> String {
        match self {
            NameError::Empty => crate::tr!("error-name-empty", rule = name_rule()),
            NameError::TooShort { count } => crate::tr!("error-name-too-short", count = *count, min = name::MIN_CHARS),
            NameError::TooLong { count } => crate::tr!("error-name-too-long", count = *count, max = name::MAX_CHARS),
            NameError::InvalidCharacter { character, position } => crate::tr!(
                "error-name-invalid-character",
                character = describe(*character),
                position = *position
            ),
            NameError::LookAlikeRadical { character, position } => crate::tr!(
                "error-name-look-alike-radical",
                character = describe(*character),
                position = *position,
                advice = radical_advice(*character),
            ),
            NameError::LooksLikeSecret => crate::tr!("error-name-looks-like-secret"),
            NameError::LooksLikeKey => {
                crate::tr!(
                    "error-name-looks-like-key",
                    prefix = secret::PREFIX,
                    min = name::KEY_LIKE_RUN
                )
            }
            other => other.to_string(),
        }
    }
}

/// What to type instead of a radical.
fn radical_advice(radical: char) -> String {
    match name::radical_stands_for(radical) {
        Some(c) => crate::tr!(
            "error-name-radical-type-instead",
            character = c.to_string(),
            code = name::code_point(c)
        ),
        None => crate::tr!("error-name-radical-type-itself"),
    }
}

/// A refused character, described so that it is safe to print.
fn describe(c: char) -> String {
    let code = name::code_point(c);
    match name::char_kind(c) {
        CharKind::Space => crate::tr!("error-name-char-space"),
        CharKind::FullWidthSpace => crate::tr!("error-name-char-full-width-space", code = code),
        CharKind::Control => crate::tr!("error-name-char-control", code = code),
        CharKind::Invisible => crate::tr!("error-name-char-invisible", code = code),
        CharKind::SpaceLike => crate::tr!("error-name-char-space-like", code = code),
        _ => crate::tr!("error-name-char-other", character = c.to_string(), code = code),
    }
}

impl Worded for FormatError {
    fn worded(&self) -> String {
        match self {
            FormatError::WrongLength => crate::tr!("error-key-wrong-length", length = secret::KEY_LEN),
            FormatError::MissingPrefix => crate::tr!("error-key-missing-prefix", prefix = secret::PREFIX),
            FormatError::InvalidCharacter => crate::tr!("error-key-invalid-character", prefix = secret::PREFIX),
            FormatError::ChecksumMismatch => crate::tr!("error-key-checksum-mismatch"),
            other => other.to_string(),
        }
    }
}

impl Worded for ChainBreak {
    fn worded(&self) -> String {
        let seq = self.seq;
        match self.kind {
            BreakKind::Changed => crate::tr!("domain-audit-entry-changed", seq = seq),
            BreakKind::Removed => crate::tr!("domain-audit-entry-removed", seq = seq),
            BreakKind::Inserted => crate::tr!(
                "domain-audit-entry-inserted",
                seq = seq,
                previous = seq.saturating_sub(1)
            ),
            BreakKind::Unindexed => crate::tr!("domain-audit-entry-unindexed", seq = seq),
            BreakKind::Unsealed => crate::tr!("domain-audit-entry-unsealed", seq = seq),
            BreakKind::Unexpected => crate::tr!("domain-audit-entry-unexpected", seq = seq),
            _ => self.to_string(),
        }
    }
}

impl Worded for InvalidHead {
    fn worded(&self) -> String {
        crate::tr!("domain-audit-head-invalid", head = self.head.as_str())
    }
}

impl Worded for PolicyError {
    fn worded(&self) -> String {
        let rule = self.rule.map_or("policy", Rule::name);
        let part = policy_part(&self.part);
        match &self.problem {
            Problem::Empty => crate::tr!("error-policy-empty", rule = rule),
            Problem::NotANumber => crate::tr!("error-policy-not-a-number", rule = rule, part = part),
            Problem::Zero => crate::tr!("error-policy-zero", rule = rule),
            // All digits (nothing else is too large), shown bare as `Display` does.
            Problem::TooLarge { max } => {
                crate::tr!(
                    "error-policy-too-large",
                    rule = rule,
                    part = self.part.as_str(),
                    max = *max
                )
            }
            Problem::Method => crate::tr!("error-policy-method", rule = rule, part = part),
            Problem::Glob(why) => crate::tr!("error-policy-glob", rule = rule, part = part, why = *why),
            Problem::Separator => crate::tr!("error-policy-separator", rule = rule, part = part),
            Problem::Cidr => crate::tr!("error-policy-cidr", rule = rule, part = part),
            Problem::UnknownRule => crate::tr!("error-policy-unknown-rule", part = part),
            Problem::Repeated => crate::tr!("error-policy-repeated", rule = rule),
            Problem::Period => crate::tr!("error-policy-period", rule = rule, part = part),
            Problem::Amount => crate::tr!("error-policy-amount", rule = rule, part = part),
            _ => self.to_string(),
        }
    }
}

/// The bad part of a rule's value as an error shows it: quoted as core's
/// `Display` does, when it is short and printable and not possibly a secret
/// pasted in the wrong place; otherwise not repeated at all (as [`echoed`]
/// does for arguments), which is where the words differ from `Display`.
fn policy_part(part: &str) -> String {
    let printable = part
        .chars()
        .all(|c| !c.is_control() && (c == ' ' || !c.is_whitespace()) && !name::is_invisible_format(c));
    let secret_like = part.to_ascii_lowercase().contains(secret::PREFIX);
    if part.chars().count() <= 64 && printable && !secret_like {
        format!("{part:?}")
    } else {
        crate::tr!("cli-not-shown")
    }
}

#[cfg(test)]
mod tests;
