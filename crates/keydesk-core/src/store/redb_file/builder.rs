//! How a [`Store`] is opened: one builder for every combination of "may it
//! create the file", "how long to wait for a busy one", "who is writing",
//! "what time is it" and "which key seals the audit log", so that adding a
//! setting does not double the number of constructors.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;

use super::{Recorder, RetryPolicy, Store, file, migrate};
use crate::domain::{ActorSource, AuditKey, Interface};
use crate::store::rules::whole_second;
use crate::store::{Clock, StoreError};

/// The settings a [`Store`] is opened with; made by [`Store::builder`],
/// used up by [`StoreBuilder::open`]. Every setting has a default, so a
/// builder names only what differs:
///
/// ```
/// use keydesk_core::Store;
/// use keydesk_core::store::RetryPolicy;
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("keys.redb");
/// # Store::open(&path)?;
/// // A reader that must not create an empty store at a mistyped path, and
/// // waits longer than the default for a busy file.
/// let store = Store::builder(&path)
///     .create_if_missing(false)
///     .retry(RetryPolicy { window: std::time::Duration::from_secs(10), ..RetryPolicy::default() })
///     .open()?;
/// # let _ = store;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `open` is called"]
pub struct StoreBuilder {
    path: PathBuf,
    create_if_missing: bool,
    retry: RetryPolicy,
    clock: Clock,
    actor: ActorSource,
    audit_key: Option<AuditKey>,
}

impl fmt::Debug for StoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreBuilder")
            .field("path", &self.path)
            .field("create_if_missing", &self.create_if_missing)
            .field("retry", &self.retry)
            .field("actor", &self.actor)
            .field("audit_key", &self.audit_key)
            .finish_non_exhaustive()
    }
}

impl StoreBuilder {
    pub(super) fn new(path: PathBuf) -> StoreBuilder {
        StoreBuilder {
            path,
            create_if_missing: true,
            retry: RetryPolicy::default(),
            clock: Arc::new(OffsetDateTime::now_utc),
            actor: ActorSource::Process(Interface::Library),
            audit_key: None,
        }
    }

    /// Whether to create the database (file `0600`, directory `0700`) when
    /// nothing is at the path; on by default. Programs that only read or
    /// verify should turn it off, so that a mistyped path is reported
    /// ([`StoreError::Missing`]) rather than answered with an empty store.
    pub fn create_if_missing(mut self, create: bool) -> StoreBuilder {
        self.create_if_missing = create;
        self
    }

    /// How long each operation waits for a database that another process
    /// holds before reporting it busy.
    pub fn retry(mut self, retry: RetryPolicy) -> StoreBuilder {
        self.retry = retry;
        self
    }

    /// Where "now" comes from, for tests and simulations; the system clock
    /// by default. It also dates the entry of an upgrade done while opening.
    pub fn clock(mut self, clock: Clock) -> StoreBuilder {
        self.clock = clock;
        self
    }

    /// Who the store's changes are recorded as made by, including an
    /// upgrade done while opening. By default the process's
    /// user through [`Interface::Library`]; programs give their own
    /// interface ([`ActorSource::Process`]).
    pub fn actor(mut self, actor: impl Into<ActorSource>) -> StoreBuilder {
        self.actor = actor.into();
        self
    }

    /// Seals the audit entries the store writes with `key` (HMAC-SHA-256),
    /// and checks keyed entries with it; `None` (the default) seals none.
    /// Once a log holds a keyed entry, a store without that key may not
    /// write to it (see [`StoreError::AuditKeyMissing`]). An upgrade done
    /// while opening is written unkeyed: only logs that have never been
    /// keyed are old enough to need one.
    pub fn audit_key(mut self, key: impl Into<Option<AuditKey>>) -> StoreBuilder {
        self.audit_key = key.into();
        self
    }

    /// The store these settings describe, without looking at the file: for
    /// a restore, whose target may be missing or damaged.
    pub(super) fn unopened(self) -> Store {
        Store {
            path: self.path,
            retry: self.retry,
            clock: self.clock,
            actor: Arc::new(Recorder::new(self.actor)),
            audit_off: false,
            audit_key: self.audit_key,
        }
    }

    /// Opens the database, creating it first if allowed and nothing is
    /// there, and upgrading an older schema. A file that is not a keydesk
    /// database, or comes from a newer keydesk, is refused and left
    /// untouched.
    pub fn open(self) -> Result<Store, StoreError> {
        let StoreBuilder {
            path,
            create_if_missing,
            retry,
            clock,
            actor,
            audit_key,
        } = self;
        let actor = Arc::new(Recorder::new(actor));
        if create_if_missing && !file::exists(&path)? {
            let now = whole_second(clock());
            file::create_database(&path, |db| {
                migrate::bring_up_to_date(db, &actor, now).map_err(|fail| fail.into_store_error(&path))
            })?;
        }
        file::check_existing(&path)?;
        let store = Store {
            path,
            retry,
            clock,
            actor,
            audit_off: false,
            audit_key: None,
        };
        store.initialise()?;
        Ok(Store { audit_key, ..store })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::datetime;

    use crate::domain::{Actor, AuditEvent, AuditKey, AuditQuery, Interface, KeyName};
    use crate::store::{KeyStore, Store, StoreError};

    #[test]
    fn a_builder_that_may_not_create_reports_a_missing_file_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.redb");
        let error = Store::builder(&path).create_if_missing(false).open().unwrap_err();
        assert!(matches!(error, StoreError::Missing { .. }), "{error}");
        assert!(!path.exists());
    }

    #[test]
    fn changes_are_dated_by_the_builders_clock_made_by_its_actor_and_sealed_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let at = datetime!(2030-01-02 03:04:05 UTC);
        let actor = Actor {
            user: Some("builder-test".to_owned()),
            ..Actor::from_process(Interface::Cli)
        };
        let store = Store::builder(dir.path().join("keys.redb"))
            .clock(Arc::new(move || at))
            .actor(actor.clone())
            .audit_key(AuditKey::generate())
            .open()
            .unwrap();
        let (_, record) = store.create(&KeyName::parse("after-open").unwrap()).unwrap();
        assert_eq!(record.created_at, at);
        let entries = store.audit_entries(&AuditQuery::default()).unwrap();
        let [created] = entries.as_slice() else {
            panic!("{entries:#?}");
        };
        assert!(matches!(created.event, AuditEvent::Created { .. }));
        assert_eq!((created.at, &created.actor, created.keyed), (at, &actor, true));
        let report = store.check_audit(None).unwrap();
        assert!(report.broken.is_none() && report.seals_checked, "{report:?}");
    }
}
