//! What the event loop reports back: the clock, loads, the results of the
//! commands the update function asked for, and notices.

use time::OffsetDateTime;

use crate::domain::{KeyRecord, SecretKey};
use crate::tui::app::{App, DeleteDialog, Dialog, ExpiryDialog, RenameDialog, RotateDialog, SecretDialog, StatusKind};
use crate::tui::copy::CopyResult;
use crate::tui::event::{Command, Job};

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
        Some(Dialog::Disable(d)) => &d.record,
        _ => return,
    };
    if app.records.iter().any(|r| r.id == record.id) {
        return;
    }
    let text = tr!("dialog-deleted-elsewhere", name = record.name.as_str());
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
        Err(message) => app.set_status(StatusKind::Error, tr!("dialog-could-not-read-usage", message = message)),
    }
    Vec::new()
}

pub(super) fn on_load_failed(app: &mut App, message: &str) -> Vec<Command> {
    app.set_status(StatusKind::Error, tr!("dialog-could-not-read-keys", message = message));
    app.unreachable = true;
    Vec::new()
}

pub(super) fn on_created(app: &mut App, result: Result<(SecretKey, KeyRecord), String>) -> Vec<Command> {
    match result {
        Ok((secret, record)) => {
            app.pending_select = Some(record.id.clone());
            app.set_status(StatusKind::Success, tr!("dialog-created", name = record.name.as_str()));
            app.dialog = Some(Dialog::Secret(SecretDialog::new(secret, record)));
            vec![Command::Store(Job::Refresh)]
        }
        Err(message) => {
            let text = tr!("dialog-could-not-create", message = message);
            if let Some(Dialog::Create(d)) = &mut app.dialog {
                d.error = Some(text.clone());
            }
            app.set_status(StatusKind::Error, text);
            Vec::new()
        }
    }
}

pub(super) fn on_renamed(app: &mut App, result: Result<KeyRecord, String>) -> Vec<Command> {
    match result {
        Ok(record) => {
            app.dialog = None;
            app.set_status(StatusKind::Success, tr!("dialog-renamed", name = record.name.as_str()));
        }
        Err(message) => {
            let text = tr!("dialog-could-not-rename", message = message);
            if let Some(Dialog::Rename(d)) = &mut app.dialog {
                d.error = Some(text.clone());
            }
            app.set_status(StatusKind::Error, text);
        }
    }
    vec![Command::Store(Job::Refresh)]
}

pub(super) fn on_deleted(app: &mut App, result: Result<KeyRecord, String>) -> Vec<Command> {
    app.dialog = None;
    match result {
        Ok(record) => app.set_status(
            StatusKind::Success,
            tr!(
                "dialog-deleted",
                name = record.name.as_str(),
                id = record.id.to_string()
            ),
        ),
        Err(message) => app.set_status(StatusKind::Error, tr!("dialog-could-not-delete", message = message)),
    }
    vec![Command::Store(Job::Refresh)]
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
