//! The audit log screen: newest first, two lines per entry — what happened,
//! then who did it and from where — so every entry's actor is visible at
//! 80 columns; a "loading…" row at the end while the next page is on its
//! way. Everything from the file is sanitised before it is drawn.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Glyphs, Theme, format_time, offset_label, status_bar};
use crate::display::{AUDIT_ACTIONS, audit_action as action_label, sanitize};
use crate::domain::{Actor, AuditEntry, AuditEvent};
use crate::tui::app::{App, LogScreen};
use crate::tui::layout;

pub fn render(frame: &mut Frame, area: Rect, app: &App, log: &LogScreen, theme: &Theme) {
    Clear.render(area, frame.buffer_mut());
    let [title, body, filter, status, hints] = layout::log_areas(area);
    render_title(frame.buffer_mut(), title, app, log, theme);
    render_entries(frame.buffer_mut(), body, app, log, theme);
    render_filter(frame, filter, log, theme);
    status_bar::render_status(frame.buffer_mut(), status, app, theme);
    status_bar::render_hints(frame.buffer_mut(), hints, app, theme);
    if log.opened
        && let Some(entry) = log.entry(log.selected)
    {
        render_opened(frame.buffer_mut(), area, entry, app, theme);
    }
}

fn render_title(buf: &mut Buffer, area: Rect, app: &App, log: &LogScreen, theme: &Theme) {
    let whose = match &log.key {
        Some((id, name)) => tr!(
            "tui-log-one-key",
            name = sanitize(name).into_owned(),
            id = id.to_string()
        ),
        None => tr!("tui-log-all-keys"),
    };
    // Entries are numbered without gaps, so the newest one's number is the
    // length of the whole log; otherwise: what was found so far.
    let rows = log.rows().len();
    let count = match log.rows().first() {
        _ if !log.started() => tr!("tui-log-reading"),
        Some(newest) if log.key.is_none() && log.filter.is_empty() => tr!("tui-log-entries", count = newest.seq),
        _ if log.complete && log.filter.is_empty() => tr!("tui-log-entries", count = rows),
        _ if log.complete => tr!("tui-log-found", count = rows),
        _ if log.filter.is_empty() => tr!("tui-log-entries-so-far", count = rows),
        _ => tr!("tui-log-found-so-far", count = rows),
    };
    // The time zone first: a long name may push the rest off the line.
    let details = tr!(
        "tui-log-title-details",
        offset = offset_label(app.utc_offset),
        whose = whose,
        count = count
    );
    let title = format!(" {}", tr!("tui-log-title"));
    // Cut with the ellipsis, never silently mid-ID.
    let room = (area.width as usize).saturating_sub(title.width() + 1);
    Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(theme.glyphs().fit(&details, room).into_owned()),
    ])
    .render(area, buf);
}

fn render_entries(buf: &mut Buffer, area: Rect, app: &App, log: &LogScreen, theme: &Theme) {
    if let Some(error) = &log.error {
        let text = tr!("tui-log-cannot-read", error = sanitize(error).into_owned());
        Line::styled(format!(" {text}"), theme.error()).render(area, buf);
        return;
    }
    if log.complete && log.rows().is_empty() {
        Line::styled(format!(" {}", tr!("tui-log-no-entries")), theme.dim()).render(area, buf);
        return;
    }
    let per_page = layout::log_entries_per_page(app.terminal_size);
    let rows = log.rows().len();
    // The "loading…" row follows the last entry; keep it in view when the
    // last entry is selected.
    let tail = usize::from(!log.complete);
    let last_selected = log.selected + 1 >= rows;
    let first = (log.selected + 1 + if last_selected { tail } else { 0 }).saturating_sub(per_page);
    // Entry numbers right-aligned: the newest (the first row) is the widest.
    let seq_width = log.rows().first().map_or(1, |e| e.seq.to_string().len());
    let fit = |text: &str| theme.glyphs().fit(text, area.width as usize).into_owned();
    for (slot, row) in (first..rows + tail).take(per_page).enumerate() {
        let y = area.y + 2 * slot as u16;
        let Some(entry) = log.entry(row) else {
            Line::styled(loading_line(log), theme.dim()).render(Rect::new(area.x, y, area.width, 1), buf);
            break;
        };
        let style = if row == log.selected {
            theme.selected()
        } else {
            theme.text()
        };
        let what = Rect::new(area.x, y, area.width, 1);
        let who = Rect::new(area.x, y + 1, area.width, 1);
        buf.set_style(Rect::new(area.x, y, area.width, 2), style);
        Line::styled(fit(&what_line(entry, seq_width, app, theme.glyphs())), style).render(what, buf);
        let by = tr!("tui-log-by", actor = actor_line(&entry.actor));
        Line::styled(fit(&format!("      {by}")), style).render(who, buf);
    }
}

/// The row after the last entry while the search goes on.
fn loading_line(log: &LogScreen) -> String {
    let text = match log.searched_down_to() {
        // The entry number as text: it is an ID, not a quantity.
        Some(seq) if !log.filter.is_empty() => tr!("tui-log-searching-before", seq = seq.to_string()),
        _ if !log.filter.is_empty() => tr!("tui-log-searching"),
        _ => tr!("tui-list-loading"),
    };
    format!(" {text}")
}

/// "#12 2026-05-01 10:00:00 rename  ak-… billing → billing-prod", the entry
/// number right-aligned in `seq_width` digits.
fn what_line(entry: &AuditEntry, seq_width: usize, app: &App, glyphs: &Glyphs) -> String {
    let at = format_time(entry.at, app.utc_offset);
    let key = entry.key.as_ref().map_or("-", |k| k.as_str());
    let detail = detail_text(entry, app, glyphs);
    // The action column as wide as the widest action word of the language,
    // padded by display width (`{:<7}` would count characters).
    let action = action_label(&entry.event);
    let pad = " ".repeat(action_width().saturating_sub(action.width()));
    let seq = format!("#{}", entry.seq);
    format!(
        " {seq:>width$} {at} {action}{pad} {key} {detail}",
        width = seq_width + 1
    )
}

/// What the entry says beyond its action: the name, and what changed.
fn detail_text(entry: &AuditEntry, app: &App, glyphs: &Glyphs) -> String {
    let name = glyphs.text(entry.name.as_deref().unwrap_or("")).into_owned();
    let policy = |text: &str| match text {
        "" => tr!("tui-log-policy-none"),
        text => glyphs.text(text).into_owned(),
    };
    match &entry.event {
        AuditEvent::Renamed { from } => format!("{} {} {name}", glyphs.text(from), glyphs.to),
        AuditEvent::Created {
            expires_at,
            policy: created,
        } if !created.is_empty() => {
            let detail = match expires_at {
                Some(t) => tr!(
                    "tui-log-detail-expires",
                    name = name,
                    at = format_time(*t, app.utc_offset)
                ),
                None => name,
            };
            tr!("tui-log-detail-with-policy", detail = detail, policy = policy(created))
        }
        AuditEvent::Created {
            expires_at: Some(t), ..
        }
        | AuditEvent::ExpiryChanged { expires_at: Some(t) } => {
            tr!(
                "tui-log-detail-expires",
                name = name,
                at = format_time(*t, app.utc_offset)
            )
        }
        AuditEvent::ExpiryChanged { expires_at: None } => tr!("tui-log-detail-never-expires", name = name),
        AuditEvent::PolicyChanged { from, to } => {
            tr!(
                "tui-log-detail-policy",
                name = name,
                from = policy(from),
                to = policy(to)
            )
        }
        AuditEvent::Rotated { grace_until } => tr!(
            "tui-log-detail-rotated",
            name = name,
            at = format_time(*grace_until, app.utc_offset)
        ),
        AuditEvent::SchemaUpgraded { from, to } => {
            tr!("tui-log-detail-upgraded", from = from.to_string(), to = to.to_string())
        }
        _ => name,
    }
}

/// The selected entry whole, over the log: every field on its own line,
/// wrapped under its label, so nothing cut from the list is lost.
fn render_opened(buf: &mut Buffer, area: Rect, entry: &AuditEntry, app: &App, theme: &Theme) {
    let glyphs = theme.glyphs();
    let name = glyphs.text(entry.name.as_deref().unwrap_or("-")).into_owned();
    let fields = [
        (tr!("tui-log-field-entry"), format!("#{}", entry.seq)),
        (tr!("tui-log-field-time"), format_time(entry.at, app.utc_offset)),
        (tr!("tui-log-field-action"), action_label(&entry.event).to_string()),
        (
            tr!("tui-log-field-key"),
            entry.key.as_ref().map_or("-".into(), |k| k.to_string()),
        ),
        (tr!("tui-log-field-name"), name),
        (tr!("tui-log-field-detail"), detail_text(entry, app, glyphs)),
        (tr!("tui-log-field-by"), actor_line(&entry.actor)),
    ];
    // Wide enough to cover the list's cut line ends on a small terminal.
    let width = area.width.saturating_sub(2).min(80);
    // Label column, two borders and the padding either side.
    let text_width = (width as usize).saturating_sub(LABEL_WIDTH + 4);
    let mut lines = Vec::new();
    for (label, value) in &fields {
        for (i, part) in super::wrap(value, text_width).into_iter().enumerate() {
            let label = if i == 0 { label.as_str() } else { "" };
            lines.push(super::detail_line(label, part, theme));
        }
    }
    lines.push(Line::raw(""));
    lines.push(super::dialog_hints(
        crate::tui::keymap::Screen::LogEntry,
        |_| None,
        theme,
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let inner = super::dialog(buf, area, width, height, &tr!("tui-screen-log-entry"), theme);
    let mut rows = super::Rows::new(inner);
    for line in lines {
        rows.line(buf, line);
    }
}

/// Columns of [`super::detail_line`]'s label.
const LABEL_WIDTH: usize = 13;

/// The widest action word, in columns.
fn action_width() -> usize {
    AUDIT_ACTIONS
        .iter()
        .map(|event| action_label(event).width())
        .max()
        .unwrap_or(0)
}

/// "alice(1001) sudo from bob, ssh 203.0.113.7:52114, tui 0.1.0".
fn actor_line(actor: &Actor) -> String {
    let mut parts = vec![format!(
        "{}{}",
        sanitize(actor.user.as_deref().unwrap_or("?")),
        actor.uid.map(|u| format!("({u})")).unwrap_or_default()
    )];
    if let Some(sudo) = &actor.sudo_user {
        parts.push(tr!("tui-log-sudo-from", user = sanitize(sudo).into_owned()));
    }
    if let Some(ssh) = &actor.ssh_client {
        parts.push(format!("ssh {}", sanitize(&ssh.to_string())));
    }
    parts.push(format!("{} {}", actor.interface, sanitize(&actor.version)));
    parts.join(&tr!("tui-log-actor-separator"))
}

fn render_filter(frame: &mut Frame, area: Rect, log: &LogScreen, theme: &Theme) {
    if !log.filtering && log.filter.is_empty() {
        return;
    }
    let label = Span::styled(format!(" {}", tr!("tui-filter-label")), theme.hint_key());
    let width = label.width() as u16;
    label.render(area, frame.buffer_mut());
    let input = Rect {
        x: area.x + width,
        width: area.width.saturating_sub(width).min(40),
        ..area
    };
    let cursor = log.filter.render_line(input, frame.buffer_mut(), theme.text());
    if log.filtering {
        frame.set_cursor_position(Position::new(input.x + cursor, area.y));
    }
}
