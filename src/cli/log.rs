//! `keydesk log`: the audit log, newest first, as a table or stable JSON;
//! `keydesk log --check`, which walks the chain (checking seals with the
//! audit key when there is one, and an entry exported earlier with
//! `--expect`); and `keydesk log --head`, which prints that entry to keep.

use std::fmt::Write as _;
use std::path::Path;

use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use super::exit::{Exit, Failure};
use super::key_id::parse_id;
use super::output::{escape_for_terminal, rfc3339, write_stdout};
use crate::KeyStore;
use crate::display::text::pad;
use crate::display::{AUDIT_ACTIONS, audit_action, sanitize};
use crate::domain::{Actor, AuditEntry, AuditEvent, AuditQuery, ChainBreak, ChainHead};

/// What `keydesk log` was asked for.
pub struct LogRequest<'a> {
    pub key: Option<&'a str>,
    pub since: Option<time::Duration>,
    pub json: bool,
}

pub fn show(store: &dyn KeyStore, request: LogRequest<'_>, offset: UtcOffset) -> Result<(), Failure> {
    let query = AuditQuery {
        key: request.key.map(parse_id).transpose()?,
        since: request.since.map(|d| OffsetDateTime::now_utc() - d),
        ..AuditQuery::default()
    };
    let entries = store.audit_entries(&query)?;
    let out = if request.json {
        json(&entries)
    } else {
        table(&entries, offset)
    };
    write_stdout(&out)
}

/// Exit 0 when the chain is intact; 1 naming the first bad entry; 7 when it
/// is intact as far as it could be checked, but keyed entries' seals could
/// not be, for want of the key file at `key_file`.
pub fn check(store: &dyn KeyStore, expect: Option<ChainHead>, key_file: Option<&Path>) -> Result<Exit, Failure> {
    let report = store.check_audit(expect)?;
    if let Some(found) = report.broken {
        return Err(tampered(found));
    }
    let mut out = tr!("cli-log-intact", count = report.entries) + "\n";
    match report.keyed_from {
        Some(1) => out += &tr!("cli-log-keyed-from-start"),
        Some(first) => out += &tr!("cli-log-keyed-from", first = first, before = first - 1),
        None if report.entries > 0 => out += &tr!("cli-log-not-keyed"),
        None => {}
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if let Some(expect) = expect {
        out += &(tr!("cli-log-expected-found", seq = expect.seq) + "\n");
    }
    let exit = match report.seals_checked {
        true => Exit::Ok,
        false => {
            let path = key_file.map_or_else(String::new, |p| p.display().to_string());
            out += &(tr!("cli-log-seals-not-checked", path = path) + "\n");
            Exit::Unverified
        }
    };
    write_stdout(&out)?;
    Ok(exit)
}

/// `log --head`: the newest entry as `SEQ:DIGEST`, once the chain up to it
/// checks (a head exported from a broken log would vouch for the break).
pub fn head(store: &dyn KeyStore) -> Result<(), Failure> {
    let report = store.check_audit(None)?;
    if let Some(found) = report.broken {
        return Err(tampered(found));
    }
    let head = report.head.ok_or_else(|| Failure {
        exit: Exit::Invalid,
        message: tr!("cli-log-no-head"),
    })?;
    write_stdout(&format!("{head}\n"))
}

fn tampered(found: ChainBreak) -> Failure {
    Failure {
        exit: Exit::Invalid,
        message: tr!("cli-log-tampered", found = crate::i18n::words::Worded::worded(&found)),
    }
}

fn table(entries: &[AuditEntry], offset: UtcOffset) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let mut out = String::new();
    let action_width = AUDIT_ACTIONS
        .iter()
        .map(|event| audit_action(event).width())
        .max()
        .unwrap_or(0);
    for entry in entries {
        let at = entry.at.to_offset(offset).format(&format).unwrap_or_default();
        let key = entry.key.as_ref().map_or("-", |k| k.as_str());
        let _ = writeln!(
            out,
            "#{} {at} {} {key} {}  {}",
            entry.seq,
            pad(&audit_action(&entry.event), action_width),
            what(entry, offset),
            tr!("cli-log-by", actor = actor_line(&entry.actor))
        );
    }
    if out.is_empty() {
        out.push_str(&tr!("cli-log-empty"));
        out.push('\n');
    }
    out
}

/// The entry's details: the name (sanitised: it comes from the file) and what changed.
fn what(entry: &AuditEntry, offset: UtcOffset) -> String {
    let name = sanitize(entry.name.as_deref().unwrap_or("")).into_owned();
    let when = |t: OffsetDateTime| {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        t.to_offset(offset).format(&format).unwrap_or_default()
    };
    let policy = |text: &str| match text {
        "" => tr!("cli-log-policy-none"),
        text => sanitize(text).into_owned(),
    };
    match &entry.event {
        AuditEvent::Created {
            expires_at,
            policy: created,
        } if !created.is_empty() => {
            let detail = match expires_at {
                Some(at) => tr!("cli-log-expires", name = name, at = when(*at)),
                None => name,
            };
            tr!("cli-log-with-policy", detail = detail, policy = policy(created))
        }
        AuditEvent::Created {
            expires_at: Some(at), ..
        }
        | AuditEvent::ExpiryChanged { expires_at: Some(at) } => {
            tr!("cli-log-expires", name = name, at = when(*at))
        }
        AuditEvent::Renamed { from } => format!("{} -> {name}", sanitize(from)),
        AuditEvent::Rotated { grace_until } => tr!("cli-log-old-secret-until", name = name, at = when(*grace_until)),
        AuditEvent::ExpiryChanged { expires_at: None } => tr!("cli-log-never-expires", name = name),
        AuditEvent::PolicyChanged { from, to } => {
            tr!(
                "cli-log-policy-changed",
                name = name,
                from = policy(from),
                to = policy(to)
            )
        }
        AuditEvent::SchemaUpgraded { from, to } => {
            tr!("cli-log-schema", from = from.to_string(), to = to.to_string())
        }
        _ => name,
    }
}

fn actor_line(actor: &Actor) -> String {
    let mut line = sanitize(actor.user.as_deref().unwrap_or("?")).into_owned();
    if let Some(uid) = actor.uid {
        let _ = write!(line, "({uid})");
    }
    if let Some(sudo) = &actor.sudo_user {
        let _ = write!(line, " {}", tr!("cli-log-sudo", user = sanitize(sudo)));
    }
    if let Some(ssh) = &actor.ssh_client {
        let _ = write!(line, " ssh {}", sanitize(&ssh.to_string()));
    }
    let _ = write!(line, " {} {}", actor.interface, sanitize(&actor.version));
    line
}

/// One entry in `log --json`. A stable interface: fields are only ever added.
/// Every field is always present (`null` when it does not apply).
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    seq: u64,
    /// RFC 3339, UTC.
    time: String,
    /// create, rename, delete, disable, enable, rotate, expire, policy, upgrade.
    action: &'static str,
    key_id: Option<&'a str>,
    /// The key's name at the time (the new name for a rename).
    name: Option<&'a str>,
    /// For a rename: the name before.
    previous_name: Option<&'a str>,
    masked_key: Option<&'a str>,
    /// For create and expire: the expiry set (RFC 3339 UTC, `null`: never).
    expires_at: Option<String>,
    /// For create and policy: the key's policy after, in its text form
    /// (`""`: no rules).
    policy: Option<&'a str>,
    /// For policy: the key's policy before, in its text form.
    previous_policy: Option<&'a str>,
    /// For rotate: when the old secret stops verifying.
    grace_until: Option<String>,
    /// For upgrade: the schema versions.
    schema_from: Option<u64>,
    schema_to: Option<u64>,
    actor: JsonActor<'a>,
    /// The previous entry's seal (hex): SHA-256 of its encoding, or
    /// HMAC-SHA-256 under the audit key; zeros for the first.
    previous_hash: String,
    /// Whether this entry is sealed with the audit key.
    keyed: bool,
}

#[derive(serde::Serialize)]
struct JsonActor<'a> {
    user: Option<&'a str>,
    uid: Option<u32>,
    sudo_user: Option<&'a str>,
    ssh_client_address: Option<&'a str>,
    ssh_client_port: Option<u16>,
    interface: &'static str,
    version: &'a str,
}

fn json(entries: &[AuditEntry]) -> String {
    let items: Vec<JsonEntry> = entries.iter().map(json_entry).collect();
    // Plain strings and numbers: cannot fail. Escaped like `list --json`:
    // a name from the file may hold a C1 control or a bidi override.
    escape_for_terminal(&serde_json::to_string_pretty(&items).expect("JSON of plain values")) + "\n"
}

fn json_entry(e: &AuditEntry) -> JsonEntry<'_> {
    let (mut expires_at, mut grace_until, mut previous_name, mut schema) = (None, None, None, (None, None));
    let (mut policy, mut previous_policy) = (None, None);
    match &e.event {
        AuditEvent::Created {
            expires_at: at,
            policy: p,
        } => {
            expires_at = at.map(rfc3339);
            policy = Some(p.as_str());
        }
        AuditEvent::ExpiryChanged { expires_at: at } => expires_at = at.map(rfc3339),
        AuditEvent::PolicyChanged { from, to } => (previous_policy, policy) = (Some(from.as_str()), Some(to.as_str())),
        AuditEvent::Rotated { grace_until: at } => grace_until = Some(rfc3339(*at)),
        AuditEvent::Renamed { from } => previous_name = Some(from.as_str()),
        AuditEvent::SchemaUpgraded { from, to } => schema = (Some(*from), Some(*to)),
        AuditEvent::Deleted | AuditEvent::Disabled | AuditEvent::Enabled => {}
    }
    let a = &e.actor;
    JsonEntry {
        seq: e.seq,
        time: rfc3339(e.at),
        action: e.event.action(),
        key_id: e.key.as_ref().map(|k| k.as_str()),
        name: e.name.as_deref(),
        previous_name,
        masked_key: e.masked.as_deref(),
        expires_at,
        policy,
        previous_policy,
        grace_until,
        schema_from: schema.0,
        schema_to: schema.1,
        actor: JsonActor {
            user: a.user.as_deref(),
            uid: a.uid,
            sudo_user: a.sudo_user.as_deref(),
            ssh_client_address: a.ssh_client.as_ref().map(|c| c.address.as_str()),
            ssh_client_port: a.ssh_client.as_ref().map(|c| c.port),
            interface: a.interface.as_str(),
            version: &a.version,
        },
        previous_hash: e.previous_hash.iter().map(|b| format!("{b:02x}")).collect(),
        keyed: e.keyed,
    }
}
