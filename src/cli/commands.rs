//! One function per subcommand. Each returns what to print or a [`Failure`];
//! `super::run` does the printing of errors and the exit code.

use std::borrow::Cow;
use std::io::{self, Write};

use time::{OffsetDateTime, UtcOffset};
use unicode_width::UnicodeWidthStr;

use super::exit::Failure;
use super::prompt;
use crate::display::columns::{Clock, Column};
use crate::display::sanitize;
use crate::domain::{KeyId, KeyName, KeyRecord};
use crate::{Store, agreement};

pub fn verify(store: &Store, quiet: bool) -> Result<bool, Failure> {
    let candidate = prompt::read_secret()?;
    let verified = store.verify(&candidate)?;
    if !quiet {
        match &verified {
            Some(id) => println!("{id}"),
            None => println!("invalid"),
        }
    }
    Ok(verified.is_some())
}

pub fn list(store: &Store, json: bool, offset: UtcOffset) -> Result<(), Failure> {
    let mut records = store.list()?;
    records.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let out = if json {
        list_json(&records)
    } else {
        list_table(&records, offset)
    };
    write_stdout(&out)
}

/// One key in `list --json`. The shape is a stable interface: fields are only
/// ever added, never renamed or removed.
#[derive(serde::Serialize)]
struct JsonKey<'a> {
    id: &'a str,
    name: &'a str,
    masked_key: &'a str,
    /// RFC 3339, UTC.
    created_at: String,
    /// RFC 3339, UTC; `null` when never used.
    last_used: Option<String>,
}

fn list_json(records: &[KeyRecord]) -> String {
    let rfc3339 = |t: OffsetDateTime| {
        t.to_offset(UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let items: Vec<JsonKey> = records
        .iter()
        .map(|r| JsonKey {
            id: r.id.as_str(),
            name: &r.name,
            masked_key: &r.masked,
            created_at: rfc3339(r.created_at),
            last_used: r.last_used.map(rfc3339),
        })
        .collect();
    let text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    let mut safe = escape_for_terminal(&text);
    safe.push('\n');
    safe
}

/// serde_json escapes only characters below U+0020; a name written into the
/// database by something else could still carry a C1 control (U+009B starts
/// an escape sequence on 8-bit terminals) or a bidi override. Those can only
/// occur inside JSON strings (a raw newline here is structural, since
/// serde_json escapes those inside strings), so `\uXXXX` keeps the JSON valid
/// and the same.
fn escape_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == '\n' || crate::display::is_safe(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn list_table(records: &[KeyRecord], offset: UtcOffset) -> String {
    let clock = Clock {
        now: OffsetDateTime::now_utc(),
        offset,
    };
    let header = Column::LIST.map(|c| c.header(offset));
    let rows: Vec<[Cow<str>; 5]> = records.iter().map(|r| Column::LIST.map(|c| c.cell(r, clock))).collect();
    let mut widths = header.clone().map(|h| h.width());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                // Pad by display width, so CJK names keep the columns aligned.
                line.push_str(&" ".repeat(width - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if records.is_empty() {
        out.push_str("(no keys yet: create one with `keydesk create --name NAME --accept-terms`)\n");
    }
    out
}

pub fn create(store: &Store, name: &str, accept_terms: bool) -> Result<(), Failure> {
    let name = parse_name(name)?;
    if !accept_terms {
        return Err(Failure::usage(
            "creating a key requires agreeing to the agreement: read it with `keydesk agreement`, then pass --accept-terms",
        ));
    }
    let (secret, record) = store.create(&name)?;
    // The secret alone on stdout, so `KEY=$(keydesk create …)` captures just it.
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", secret.expose())
        .and_then(|()| stdout.flush())
        .map_err(write_failure)?;
    eprintln!(
        "Created key {} (ID {}, {}). The secret above is shown only this once: store it now.",
        sanitize(&record.name),
        record.id,
        record.masked
    );
    Ok(())
}

pub fn rename(store: &Store, id: &str, new_name: &str) -> Result<(), Failure> {
    let name = parse_name(new_name)?;
    let id = parse_id(id)?;
    let record = store.rename(&id, &name)?;
    eprintln!("Renamed key {} to {}.", record.id, sanitize(&record.name));
    Ok(())
}

pub fn delete(store: &Store, id: &str, yes: bool) -> Result<(), Failure> {
    let id = parse_id(id)?;
    if !yes {
        if !prompt::stdin_is_terminal() {
            return Err(Failure::usage(
                "refusing to delete without confirmation: stdin is not a terminal, pass --yes",
            ));
        }
        let record = store
            .get(&id)?
            .ok_or_else(|| crate::StoreError::NotFound { id: id.to_string() })?;
        let question = format!(
            "Delete key {} ({}, {})? Applications or scripts using it will no longer be able to call the service.",
            sanitize(&record.name),
            record.id,
            record.masked
        );
        if !prompt::confirm(&question)? {
            return Err(Failure::declined("not deleted"));
        }
    }
    let record = store.delete(&id)?;
    eprintln!("Deleted key {} ({}).", sanitize(&record.name), record.id);
    Ok(())
}

pub fn agreement() -> Result<(), Failure> {
    write_stdout(agreement::TEXT)
}

fn parse_name(input: &str) -> Result<KeyName, Failure> {
    KeyName::parse(input).map_err(|e| Failure::usage(format!("invalid name: {e}")))
}

/// A string that cannot be an ID is not found, without a database round
/// trip. It is not echoed back: it may be a secret pasted in the wrong place.
fn parse_id(input: &str) -> Result<KeyId, Failure> {
    KeyId::parse(input).ok_or_else(|| Failure {
        exit: super::exit::Exit::Invalid,
        message: "no key with that ID: IDs look like ak-0123456789abcdef (see `keydesk list`)".to_owned(),
    })
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(write_failure)
}

fn write_failure(error: io::Error) -> Failure {
    Failure::usage(format!("cannot write output: {error}"))
}
