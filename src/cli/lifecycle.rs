//! The lifecycle subcommands: `disable`, `enable`, `rotate`, `expire`, and
//! what `verify --explain` says.

use std::io::{self, Write};

use time::{Duration, OffsetDateTime, UtcOffset};

use super::commands::parse_id;
use super::exit::{Exit, Failure};
use super::when;
use crate::KeyStore;
use crate::display::{format_instant, offset_label, sanitize};
use crate::domain::{KeyRecord, SecretKey, SecretSlot, Verdict};

pub fn disable(store: &dyn KeyStore, id: &str) -> Result<(), Failure> {
    let record = store.disable(&parse_id(id)?)?;
    eprintln!(
        "Disabled key {} ({}): it no longer verifies. `keydesk enable {}` undoes this.",
        sanitize(&record.name),
        record.id,
        record.id
    );
    Ok(())
}

pub fn enable(store: &dyn KeyStore, id: &str) -> Result<(), Failure> {
    let record = store.enable(&parse_id(id)?)?;
    eprintln!(
        "Enabled key {} ({}): it verifies again.",
        sanitize(&record.name),
        record.id
    );
    Ok(())
}

/// When a key should expire, as `expire` and `create` were asked.
#[derive(Debug, Clone, Copy)]
pub enum Expiry {
    In(Duration),
    At(OffsetDateTime),
    Never,
}

impl Expiry {
    /// The instant, judged from `now`; a past one is a usage error.
    pub fn instant(self, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, Failure> {
        match self {
            Expiry::Never => Ok(None),
            Expiry::In(duration) => when::after(now, duration).map(Some).map_err(Failure::usage),
            Expiry::At(at) if at <= now => Err(Failure::usage(format!(
                "that expiry is not in the future: use {}",
                when::INSTANT_FORMS
            ))),
            Expiry::At(at) => Ok(Some(at)),
        }
    }
}

pub fn expire(store: &dyn KeyStore, id: &str, expiry: Expiry, offset: UtcOffset) -> Result<(), Failure> {
    let id = parse_id(id)?;
    let at = expiry.instant(OffsetDateTime::now_utc())?;
    let record = store.set_expiry(&id, at)?;
    match record.expires_at {
        Some(at) => eprintln!(
            "Key {} ({}) now expires at {} ({}).",
            sanitize(&record.name),
            record.id,
            format_instant(at, offset),
            offset_label(offset)
        ),
        None => eprintln!("Key {} ({}) now never expires.", sanitize(&record.name), record.id),
    }
    Ok(())
}

pub fn rotate(store: &dyn KeyStore, id: &str, grace: Duration, offset: UtcOffset) -> Result<(), Failure> {
    let (secret, record) = store.rotate(&parse_id(id)?, grace)?;
    deliver_rotated(&mut io::stdout().lock(), &secret, &record, offset)?;
    let until = record.previous.as_ref().map(|p| p.grace_until);
    let old = match until {
        Some(until) if grace.is_positive() => format!(
            "the old secret keeps verifying until {} ({})",
            format_instant(until, offset),
            offset_label(offset)
        ),
        _ => "the old secret no longer verifies".to_owned(),
    };
    eprintln!(
        "Rotated key {} ({}, now {}): {old}. The new secret above is shown only this once: store it now.",
        sanitize(&record.name),
        record.id,
        record.masked
    );
    Ok(())
}

/// Writes a rotation's new secret, alone, to `out`. Unlike `create`, a
/// failure cannot be undone by deleting the key (that would cut off the
/// services using the old secret) nor by ending the old secret's grace: the
/// old secret stays valid, and the message says what that means and what to do.
pub(super) fn deliver_rotated(
    out: &mut impl Write,
    secret: &SecretKey,
    record: &KeyRecord,
    offset: UtcOffset,
) -> Result<(), Failure> {
    let Err(error) = writeln!(out, "{}", secret.expose()).and_then(|()| out.flush()) else {
        return Ok(());
    };
    let old = match &record.previous {
        Some(p) => format!(
            "its old secret ({}) keeps verifying until {} ({}), as before",
            p.masked,
            format_instant(p.grace_until, offset),
            offset_label(offset)
        ),
        None => "its old secret is kept".to_owned(),
    };
    Err(Failure {
        exit: Exit::Output,
        message: format!(
            "THE NEW SECRET WAS NOT DELIVERED: cannot write it to standard output ({error}), and nobody has it. \
             Key {id} was rotated all the same (a rotation cannot be undone); {old}. \
             To get a secret your services can use, rotate again with working output: \
             `keydesk rotate {id} --grace DURATION > FILE`. That ends the old secret's grace at once \
             (only one previous secret is kept), so pick a moment when you can update your services",
            id = record.id
        ),
    })
}

/// `verify --explain`: one line for the operator holding the key. It names
/// the key and why it is refused; it never repeats the secret.
pub fn explain(verdict: &Verdict, record: Option<&KeyRecord>, offset: UtcOffset) -> String {
    let at = |t: OffsetDateTime| format!("{} ({})", format_instant(t, offset), offset_label(offset));
    match verdict {
        Verdict::Valid {
            id,
            slot: SecretSlot::Current,
        } => format!("{id}"),
        Verdict::Valid {
            id,
            slot: SecretSlot::Previous,
        } => match record.and_then(|r| r.previous.as_ref()) {
            Some(p) => format!(
                "{id} (the previous secret of a rotation: valid until {})",
                at(p.grace_until)
            ),
            None => format!("{id} (the previous secret of a rotation)"),
        },
        Verdict::Unknown => "invalid: unknown key (malformed, never created, or deleted)".to_owned(),
        Verdict::Disabled { id, since } => {
            format!(
                "invalid: key {id} is disabled (since {}); `keydesk enable {id}` restores it",
                at(*since)
            )
        }
        Verdict::Expired { id, at: when } => format!("invalid: key {id} expired at {}", at(*when)),
        Verdict::GraceEnded { id, at: when } => format!(
            "invalid: this is the previous secret of key {id}, whose grace ended at {}; use the key's current secret",
            at(*when)
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::testing::Full;
    use time::macros::{datetime, offset};

    use super::*;
    use crate::domain::{KeyHash, KeyId, PreviousSecret};

    fn rotated() -> (SecretKey, KeyRecord) {
        let secret = SecretKey::generate();
        let record = KeyRecord {
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("old"),
                masked: "sk-Old0****Old0".into(),
                grace_until: datetime!(2026-05-02 10:00 UTC),
                last_used: None,
            })),
            ..KeyRecord::new(
                KeyId::generate(),
                "svc".into(),
                secret.hash(),
                secret.masked(),
                datetime!(2026-05-01 10:00 UTC),
            )
        };
        (secret, record)
    }

    #[test]
    fn an_undelivered_rotation_says_so_loudly_keeps_the_old_secret_and_says_what_to_do() {
        let (secret, record) = rotated();
        let failure = deliver_rotated(&mut Full, &secret, &record, offset!(+8)).unwrap_err();
        assert_eq!(failure.exit, Exit::Output);
        let message = failure.message;
        assert!(message.starts_with("THE NEW SECRET WAS NOT DELIVERED"), "{message}");
        assert!(
            message.contains("keeps verifying until 2026-05-02 18:00:00 (UTC+8)"),
            "{message}"
        );
        assert!(
            message.contains(&format!("keydesk rotate {} --grace", record.id)),
            "{message}"
        );
        assert!(
            !message.contains(&secret.expose()[3..12]),
            "the secret is never in a message"
        );
    }

    #[test]
    fn explanations_name_the_reason_and_the_key_but_never_the_secret() {
        let id = KeyId::generate();
        let utc = UtcOffset::UTC;
        let when = datetime!(2026-05-01 10:00 UTC);
        assert!(explain(&Verdict::Unknown, None, utc).contains("unknown"));
        let disabled = explain(
            &Verdict::Disabled {
                id: id.clone(),
                since: when,
            },
            None,
            utc,
        );
        assert!(
            disabled.starts_with(&format!("invalid: key {id} is disabled")),
            "{disabled}"
        );
        let expired = explain(
            &Verdict::Expired {
                id: id.clone(),
                at: when,
            },
            None,
            utc,
        );
        assert!(expired.contains("expired at 2026-05-01 10:00"), "{expired}");
        let ended = explain(
            &Verdict::GraceEnded {
                id: id.clone(),
                at: when,
            },
            None,
            utc,
        );
        assert!(ended.contains("previous secret"), "{ended}");
        assert!(ended.contains("grace ended at 2026-05-01 10:00"), "{ended}");
    }
}
