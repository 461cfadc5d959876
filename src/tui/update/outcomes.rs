//! What the event loop reports back: the clock, loads, the results of the
//! commands the update function asked for, and notices.

use time::OffsetDateTime;

use crate::domain::{KeyRecord, SecretKey};
use crate::tui::app::{App, DeleteDialog, Dialog, ExpiryDialog, RenameDialog, RotateDialog, SecretDialog, StatusKind};
use crate::tui::copy::CopyResult;
use crate::tui::event::Command;

pub(super) fn on_tick(app: &mut App, now: OffsetDateTime) -> Vec<Command> {
    app.set_now(now);
    if let Some(status) = &mut app.status {
        status.ttl = status.ttl.saturating_sub(1);
        if status.ttl == 0 {
            app.status = None;
        }
    }
    Vec::new()
}

pub(super) fn on_loaded(app: &mut App, change_counter: u64, records: Vec<KeyRecord>) -> Vec<Command> {
    app.set_records(change_counter, records);
    app.unreachable = false;
    close_dialog_of_deleted_key(app);
    Vec::new()
}

/// A dialog about a key that another process deleted meanwhile would act on
/// nothing: close it and say why.
fn close_dialog_of_deleted_key(app: &mut App) {
    let record = match &app.dialog {
        Some(Dialog::Rename(RenameDialog { record, .. }) | Dialog::Delete(DeleteDialog { record, .. })) => record,
        Some(Dialog::Rotate(RotateDialog { record, .. }) | Dialog::Expiry(ExpiryDialog { record, .. })) => record,
        Some(Dialog::Actions(menu)) => &menu.record,
        _ => return,
    };
    if app.records.iter().any(|r| r.id == record.id) {
        return;
    }
    let text = format!("the key {} was deleted elsewhere", record.name);
    app.dialog = None;
    app.set_status(StatusKind::Info, text);
}

pub(super) fn on_usage_loaded(
    app: &mut App,
    query: crate::domain::UsageQuery,
    result: Result<Vec<(crate::domain::KeyId, crate::domain::KeyUsage)>, String>,
) -> Vec<Command> {
    match result {
        Ok(usage) => app.set_usage(query, usage),
        Err(message) => app.set_status(StatusKind::Error, format!("could not read usage counts: {message}")),
    }
    Vec::new()
}

pub(super) fn on_load_failed(app: &mut App, message: &str) -> Vec<Command> {
    app.set_status(StatusKind::Error, format!("could not read the keys: {message}"));
    app.unreachable = true;
    Vec::new()
}

pub(super) fn on_created(app: &mut App, result: Result<(SecretKey, KeyRecord), String>) -> Vec<Command> {
    match result {
        Ok((secret, record)) => {
            app.pending_select = Some(record.id.clone());
            app.set_status(StatusKind::Success, format!("created {}", record.name));
            app.dialog = Some(Dialog::Secret(SecretDialog::new(secret, record)));
            vec![Command::Reload]
        }
        Err(message) => {
            if let Some(Dialog::Create(d)) = &mut app.dialog {
                d.error = Some(format!("could not create the key: {message}"));
            }
            app.set_status(StatusKind::Error, format!("could not create the key: {message}"));
            Vec::new()
        }
    }
}

pub(super) fn on_renamed(app: &mut App, result: Result<KeyRecord, String>) -> Vec<Command> {
    match result {
        Ok(record) => {
            app.dialog = None;
            app.set_status(StatusKind::Success, format!("renamed to {}", record.name));
        }
        Err(message) => {
            if let Some(Dialog::Rename(d)) = &mut app.dialog {
                d.error = Some(format!("could not rename: {message}"));
            }
            app.set_status(StatusKind::Error, format!("could not rename: {message}"));
        }
    }
    vec![Command::Reload]
}

pub(super) fn on_deleted(app: &mut App, result: Result<KeyRecord, String>) -> Vec<Command> {
    app.dialog = None;
    match result {
        Ok(record) => app.set_status(StatusKind::Success, format!("deleted {} ({})", record.name, record.id)),
        Err(message) => app.set_status(StatusKind::Error, format!("could not delete: {message}")),
    }
    vec![Command::Reload]
}

pub(super) fn on_notice(app: &mut App, text: String) -> Vec<Command> {
    app.set_status(StatusKind::Info, text);
    Vec::new()
}

pub(super) fn on_copied(app: &mut App, secret: bool, result: CopyResult) -> Vec<Command> {
    if secret && let Some(Dialog::Secret(d)) = &mut app.dialog {
        d.confirm_close = false;
        d.copy_result = Some(result.clone());
    }
    let kind = if result.is_copied() {
        StatusKind::Success
    } else {
        StatusKind::Error
    };
    app.set_status(kind, result.message());
    Vec::new()
}
