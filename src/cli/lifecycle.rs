//! The lifecycle subcommands: `disable`, `enable`, `rotate`, `expire`, and
//! what `verify --explain` says.

use std::io::{self, Write};

use time::{Duration, OffsetDateTime, UtcOffset};

use super::exit::{Exit, Failure};
use super::key_id::parse_id;
use super::when;
use crate::KeyStore;
use crate::display::{format_instant, offset_label, sanitize};
use crate::domain::policy::{Policy, Rule};
use crate::domain::{KeyRecord, SecretKey, SecretSlot, Verdict};

pub fn disable(store: &dyn KeyStore, id: &str) -> Result<(), Failure> {
    let record = store.disable(&parse_id(id)?)?;
    eprintln!(
        "{}",
        tr!(
            "cli-disabled",
            name = sanitize(&record.name),
            id = record.id.to_string()
        )
    );
    Ok(())
}

pub fn enable(store: &dyn KeyStore, id: &str) -> Result<(), Failure> {
    let record = store.enable(&parse_id(id)?)?;
    eprintln!(
        "{}",
        tr!("cli-enabled", name = sanitize(&record.name), id = record.id.to_string())
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
            Expiry::At(at) if at <= now => Err(Failure::usage(tr!(
                "cli-expiry-not-future",
                forms = when::instant_forms()
            ))),
            Expiry::At(at) => Ok(Some(at)),
        }
    }
}

pub fn expire(store: &dyn KeyStore, id: &str, expiry: Expiry, offset: UtcOffset) -> Result<(), Failure> {
    let id = parse_id(id)?;
    let at = expiry.instant(OffsetDateTime::now_utc())?;
    let record = store.set_expiry(&id, at)?;
    let (name, id) = (sanitize(&record.name), record.id.to_string());
    let said = match record.expires_at {
        Some(at) => tr!(
            "cli-expires-at",
            name = name,
            id = id,
            at = format_instant(at, offset),
            zone = offset_label(offset)
        ),
        None => tr!("cli-never-expires", name = name, id = id),
    };
    eprintln!("{said}");
    Ok(())
}

pub fn rotate(store: &dyn KeyStore, id: &str, grace: Duration, offset: UtcOffset) -> Result<(), Failure> {
    let (secret, record) = store.rotate(&parse_id(id)?, grace)?;
    deliver_rotated(&mut io::stdout().lock(), &secret, &record, offset)?;
    let until = record.previous.as_ref().map(|p| p.grace_until);
    let old = match until {
        Some(until) if grace.is_positive() => tr!(
            "cli-rotated-old-until",
            at = format_instant(until, offset),
            zone = offset_label(offset)
        ),
        _ => tr!("cli-rotated-old-stopped"),
    };
    eprintln!(
        "{}",
        tr!(
            "cli-rotated",
            name = sanitize(&record.name),
            id = record.id.to_string(),
            masked = record.masked.as_str(),
            old = old
        )
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
        Some(p) => tr!(
            "cli-rotate-undelivered-old-until",
            masked = p.masked.as_str(),
            at = format_instant(p.grace_until, offset),
            zone = offset_label(offset)
        ),
        None => tr!("cli-rotate-undelivered-old-kept"),
    };
    Err(Failure {
        exit: Exit::Output,
        message: tr!(
            "cli-rotate-undelivered",
            error = error.to_string(),
            id = record.id.to_string(),
            old = old
        ),
    })
}

/// `verify --explain`: one line for the operator holding the key. It names
/// the key and why it is refused; it never repeats the secret.
pub fn explain(verdict: &Verdict, record: Option<&KeyRecord>, offset: UtcOffset) -> String {
    let at = |t: OffsetDateTime| {
        tr!(
            "cli-time-in-zone",
            at = format_instant(t, offset),
            zone = offset_label(offset)
        )
    };
    match verdict {
        Verdict::Valid {
            id,
            slot: SecretSlot::Current,
        } => format!("{id}"),
        Verdict::Valid {
            id,
            slot: SecretSlot::Previous,
        } => match record.and_then(|r| r.previous.as_ref()) {
            Some(p) => tr!(
                "cli-explain-previous-until",
                id = id.to_string(),
                at = at(p.grace_until)
            ),
            None => tr!("cli-explain-previous", id = id.to_string()),
        },
        Verdict::Unknown => tr!("cli-explain-unknown"),
        Verdict::Disabled { id, since } => tr!("cli-explain-disabled", id = id.to_string(), since = at(*since)),
        Verdict::Expired { id, at: when } => tr!("cli-explain-expired", id = id.to_string(), at = at(*when)),
        Verdict::GraceEnded { id, at: when } => {
            tr!("cli-explain-grace-ended", id = id.to_string(), at = at(*when))
        }
    }
}

/// `verify --explain`'s lines after the verdict for a key with rules: each
/// rule, what it allows and what a gateway refuses because of it. `verify`
/// sees no request and counts none, so it judges none of them: for a rate
/// it can only say that a gateway counts it.
pub fn explain_rules(policy: &Policy) -> String {
    if policy.is_empty() {
        return String::new();
    }
    let mut out = tr!("cli-explain-rules") + "\n";
    for (rule, meaning) in crate::display::policy::meanings(policy) {
        let consequence = match rule {
            Rule::Rps | Rule::Rpm | Rule::Rph | Rule::Rpd => tr!("cli-explain-rate", rule = rule.name()),
            Rule::MaxParallel => tr!("cli-explain-parallel"),
            Rule::Tpm => tr!("cli-explain-tpm"),
            Rule::TokenBudget | Rule::SpendLimit => tr!("cli-explain-budget"),
            Rule::Methods => tr!("cli-explain-methods"),
            Rule::Paths => tr!("cli-explain-paths"),
            Rule::Models => tr!("cli-explain-models"),
            Rule::Ips => tr!("cli-explain-ips"),
        };
        let name = rule.name();
        let width = crate::display::policy::NAME_WIDTH;
        let line = tr!("cli-explain-rule", meaning = meaning, consequence = consequence);
        out.push_str(&format!("  {name:<width$}  {line}\n"));
    }
    out
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

    #[test]
    fn explained_rules_name_each_rule_and_say_verify_counts_no_rate() {
        assert_eq!(explain_rules(&Policy::default()), "");
        let policy = Policy::parse("rpm=60 methods=GET,POST models=gpt-4o*").unwrap();
        let text = explain_rules(&policy);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].contains("verify itself neither enforces nor counts"), "{text}");
        assert!(
            lines[1].starts_with("  rpm           60 requests per minute: a gateway refuses requests over it")
                && lines[1].contains("whether the key is under its rpm limit now"),
            "{text}"
        );
        assert_eq!(
            lines[2],
            "  methods       GET, POST: a request with another method is refused"
        );
        assert!(
            lines[3].starts_with("  models        gpt-4o*: a request for another model"),
            "{text}"
        );
        let chinese = crate::i18n::with_lang(crate::i18n::Lang::ZhCn, || explain_rules(&policy));
        assert!(chinese.contains("每分钟 60 次请求：超出时网关拒绝请求"), "{chinese}");
    }
}
