//! The shared state of a [`Verifier`](super::Verifier) and its background
//! thread: polling the store, reloading the index, and writing Last Used and
//! usage counts in batches.

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::entries::{COUNT_MASK, Entry, clamp_u32};
use super::index::{Digest, Index, SHARDS, Shard};
use super::{FLUSH_BATCH, Settings, lock, read, write};
use crate::domain::policy::Reason;
use crate::domain::record::LAST_USED_GRANULARITY_SECS;
use crate::domain::{Hour, KeyHash, KeyId, Outcome, TokenCounts, TokenDelta, TokenUsage, UsageCounts, UsageDelta};
use crate::store::{KeyStore, SecretUse, StoreError, Waited};

/// How long the background thread spends writing Last Used per poll at most,
/// so a large flush never delays noticing a deleted key by more than this.
const FLUSH_SLICE: Duration = Duration::from_millis(100);
/// How long a stop may wait for a store's change signal to time out.
const STOP_LATENCY: Duration = Duration::from_millis(100);

/// A key's bucket of one hour and model, of drained tokens.
pub(super) type HourModel = (KeyId, Hour, Option<String>);

/// One key's token tallies, by the model its answers named (few per key).
type ModelTallies = Vec<(Option<String>, TokenCounts)>;

/// What the verifier thread and the public methods share.
pub(super) struct Shared {
    pub(super) store: Box<dyn KeyStore>,
    pub(super) settings: Settings,
    /// The current index, once per shard. Replaced whole on reload; readers
    /// hold their shard's read lock only for a lookup.
    pub(super) index: [Shard; SHARDS],
    /// Unix seconds, refreshed every poll: verifications read this instead of
    /// the system clock, which can be a syscall on some virtual machines.
    pub(super) now: AtomicI64,
    /// Secret (its digest) → its key and the time of its latest noted use,
    /// waiting to be flushed.
    pub(super) pending: Mutex<HashMap<[u8; 32], (KeyId, i64)>>,
    /// Usage counts taken out of the index entries (or counted outside them),
    /// by key and hour, waiting to be flushed.
    pub(super) counts: Mutex<HashMap<(KeyId, Hour), UsageCounts>>,
    /// Requests that verified and were then refused by their key's policy
    /// ([`Verifier::count_refusal`](super::Verifier::count_refusal)), not
    /// yet drained. Drained before the entries' counts (see [`Shared::drain`]).
    pub(super) refusals: Mutex<HashMap<(KeyId, Reason), u32>>,
    /// Tokens reported for answers ([`Verifier::count_tokens`](super::Verifier::count_tokens)),
    /// by key and the model the answer named, not yet drained. By key, then
    /// a short list of models: an answer's model is looked up by reference,
    /// so counting one allocates nothing once its key and model are there.
    pub(super) tokens: Mutex<HashMap<KeyId, ModelTallies>>,
    /// Tokens taken out of `tokens` by a drain, by key, hour and model,
    /// waiting to be flushed (with the request counts, in the same batches).
    pub(super) token_counts: Mutex<HashMap<HourModel, TokenCounts>>,
    /// The hour the entries' counters are counting for; changed (after
    /// draining them) only under the `io` lock, when a poll sees a new hour.
    pub(super) counting_hour: AtomicU32,
    /// Serialises store I/O (refresh, flush) between the thread and callers.
    /// Held while the store is called, so [`Verifier::health`] never takes
    /// it: it reads [`Progress`] instead.
    pub(super) io: Mutex<IoState>,
    pub(super) progress: Progress,
    pub(super) background: Mutex<BackgroundErrors>,
    pub(super) stop: Mutex<bool>,
    pub(super) wake: Condvar,
}

pub(super) struct Flushed {
    /// Records whose Last Used changed.
    pub(super) changed: usize,
    /// False when the time budget ran out with uses left to write.
    pub(super) finished: bool,
}

pub(super) struct IoState {
    /// The change counter the in-memory index is current with.
    pub(super) seen_counter: Option<u64>,
}

/// What [`Verifier::health`] reports of the store I/O, in atomics written
/// after each successful refresh, so that reading them never waits for a
/// store call in progress.
pub(super) struct Progress {
    /// The monotonic clock's zero for `checked_at`.
    pub(super) epoch: Instant,
    /// Nanoseconds from `epoch` to the last time the index was confirmed
    /// current: advanced only by a refresh that succeeded.
    pub(super) checked_at: AtomicU64,
    pub(super) change_counter: AtomicU64,
    pub(super) reloads: AtomicU64,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            epoch: Instant::now(),
            checked_at: AtomicU64::new(0),
            change_counter: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
        }
    }
}

impl Progress {
    /// Notes that the index is current with `counter` now.
    pub(super) fn confirmed(&self, counter: u64) {
        self.change_counter.store(counter, Relaxed);
        let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.checked_at.fetch_max(nanos, Relaxed);
    }

    pub(super) fn checked_ago(&self) -> Duration {
        let checked_at = Duration::from_nanos(self.checked_at.load(Relaxed));
        self.epoch.elapsed().saturating_sub(checked_at)
    }
}

#[derive(Default, Clone)]
pub(super) struct BackgroundErrors {
    pub(super) refresh: Option<Arc<StoreError>>,
    pub(super) flush: Option<Arc<StoreError>>,
}

impl Shared {
    /// The background thread: poll every interval, flush every flush interval
    /// for at most [`FLUSH_SLICE`] per poll, and keep flushing on every poll
    /// while a flush is unfinished or failed.
    pub(super) fn run(&self) {
        let mut next_flush = Instant::now() + self.settings.flush_interval;
        let mut unfinished = false;
        loop {
            if self.wait_for_change() {
                return;
            }
            let refreshed = self.refresh();
            lock(&self.background).refresh = refreshed.err().map(Arc::new);

            let retrying = lock(&self.background).flush.is_some();
            if unfinished || retrying || Instant::now() >= next_flush {
                if !unfinished {
                    next_flush = Instant::now() + self.settings.flush_interval;
                }
                let flushed = self.flush(Some(FLUSH_SLICE));
                unfinished = flushed.as_ref().is_ok_and(|f| !f.finished);
                lock(&self.background).flush = flushed.err().map(Arc::new);
            }
        }
    }

    /// Waits for the next poll: for a change the store signals (PostgreSQL's
    /// `NOTIFY`), at most one poll interval, or else the interval itself.
    /// Returns whether to stop.
    pub(super) fn wait_for_change(&self) -> bool {
        let seen = lock(&self.io).seen_counter.unwrap_or(0);
        let deadline = Instant::now() + self.settings.poll_interval;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if *lock(&self.stop) || left.is_zero() {
                return *lock(&self.stop);
            }
            // In slices, so a stop is not held up by a long wait.
            match self.store.wait_for_change(seen, left.min(STOP_LATENCY)) {
                Ok(Waited::Changed) => return *lock(&self.stop),
                Ok(Waited::TimedOut) => continue,
                Ok(Waited::Unsupported) | Err(_) => {
                    let stop = lock(&self.stop);
                    let (stop, _) = self
                        .wake
                        .wait_timeout_while(stop, left, |stop| !*stop)
                        .unwrap_or_else(PoisonError::into_inner);
                    return *stop;
                }
            }
        }
    }

    pub(super) fn refresh(&self) -> Result<bool, StoreError> {
        let now = self.settings.unix_now();
        self.now.store(now, Relaxed);
        let mut io = lock(&self.io);
        let hour = Hour::of_unix(now);
        if hour.0 != self.counting_hour.load(Relaxed) {
            // Uses counted until this poll belong to the hour that ended.
            self.drain(&read(&self.index[0].0));
            self.counting_hour.store(hour.0, Relaxed);
        }
        let counter = self.store.change_counter()?;
        if io.seen_counter == Some(counter) {
            self.progress.confirmed(counter);
            return Ok(false);
        }
        let (counter, entries) = self.store.load_hash_index()?;
        let previous = read(&self.index[0].0).clone();
        let index = Arc::new(Index::build(entries, &previous));
        let replaced: Vec<Arc<Index>> = self
            .index
            .iter()
            .map(|shard| std::mem::replace(&mut *write(&shard.0), index.clone()))
            .collect();
        // Every shard's lock has been taken since: no verification still
        // counts into the old index, so what it counted can be taken whole.
        self.drain(&previous);
        io.seen_counter = Some(counter);
        self.progress.reloads.fetch_add(1, Relaxed);
        self.progress.confirmed(counter);
        drop(io);
        // The old index is freed here, on this thread, outside every lock.
        drop((previous, replaced));
        Ok(true)
    }

    /// Writes noted uses and counts in batches; with a `budget`, stops
    /// starting new batches once it is spent and puts the rest back for the
    /// next call.
    pub(super) fn flush(&self, budget: Option<Duration>) -> Result<Flushed, StoreError> {
        let started = Instant::now();
        let mut io = lock(&self.io);
        self.drain(&read(&self.index[0].0));
        let noted = std::mem::take(&mut *lock(&self.pending));
        let counted = std::mem::take(&mut *lock(&self.counts));
        let tallied = std::mem::take(&mut *lock(&self.token_counts));
        if noted.is_empty() && counted.is_empty() && tallied.is_empty() {
            return Ok(Flushed {
                changed: 0,
                finished: true,
            });
        }
        let mut uses: Vec<SecretUse> = noted
            .into_iter()
            .filter_map(|(hash, (id, at))| {
                Some(SecretUse {
                    id,
                    hash: KeyHash(hash),
                    at: OffsetDateTime::from_unix_timestamp(at).ok()?,
                })
            })
            .collect();
        let mut counts: Vec<UsageDelta> = counted
            .into_iter()
            .map(|((id, hour), counts)| UsageDelta { id, hour, counts })
            .collect();
        let mut tokens: Vec<TokenDelta> = tallied
            .into_iter()
            .map(|((id, hour, model), counts)| TokenDelta {
                id,
                hour,
                model,
                counts,
            })
            .collect();
        // In ID order, each batch reads and writes neighbouring pages.
        uses.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        counts.sort_unstable_by(|a, b| (&a.id, a.hour).cmp(&(&b.id, b.hour)));
        tokens.sort_unstable_by(|a, b| (&a.id, a.hour, &a.model).cmp(&(&b.id, b.hour, &b.model)));
        let batches = [uses.len(), counts.len(), tokens.len()]
            .map(|n| n.div_ceil(FLUSH_BATCH))
            .into_iter()
            .max()
            .unwrap_or(0);
        let part = |list_len: usize, done: usize| (done * FLUSH_BATCH).min(list_len);
        let (mut changed, mut writes, mut finished) = (0, 0u64, true);
        for done in 0..batches {
            let from = (
                part(uses.len(), done),
                part(counts.len(), done),
                part(tokens.len(), done),
            );
            // At least one batch per call, so flushing always progresses.
            if done > 0 && budget.is_some_and(|budget| started.elapsed() >= budget) {
                self.requeue(&uses[from.0..], &counts[from.1..], &tokens[from.2..]);
                finished = false;
                break;
            }
            let to = (
                part(uses.len(), done + 1),
                part(counts.len(), done + 1),
                part(tokens.len(), done + 1),
            );
            let written =
                self.store
                    .record_usage_and_tokens(&uses[from.0..to.0], &counts[from.1..to.1], &tokens[from.2..to.2]);
            match written {
                Ok(n) => {
                    changed += n;
                    writes += u64::from(n > 0 || to.1 > from.1 || to.2 > from.2);
                }
                Err(e) => {
                    self.requeue(&uses[from.0..], &counts[from.1..], &tokens[from.2..]);
                    return Err(e);
                }
            }
        }
        // Our own writes move the change counter too. When nobody else wrote
        // meanwhile, the index is still current: skip the pointless reload.
        if writes > 0
            && let (Some(seen), Ok(now)) = (io.seen_counter, self.store.change_counter())
            && now == seen.wrapping_add(writes)
        {
            io.seen_counter = Some(now);
            self.progress.confirmed(now);
        }
        Ok(Flushed { changed, finished })
    }

    /// Puts uses and counts that could not be written back to be flushed again.
    pub(super) fn requeue(&self, uses: &[SecretUse], counts: &[UsageDelta], tokens: &[TokenDelta]) {
        let mut pending = lock(&self.pending);
        for SecretUse { id, hash, at } in uses {
            let at = at.unix_timestamp();
            match pending.entry(hash.0) {
                MapEntry::Occupied(mut e) => e.get_mut().1 = e.get().1.max(at),
                MapEntry::Vacant(e) => {
                    e.insert((id.clone(), at));
                }
            }
        }
        drop(pending);
        let mut pending = lock(&self.counts);
        for UsageDelta { id, hour, counts } in counts {
            *pending.entry((id.clone(), *hour)).or_default() += *counts;
        }
        drop(pending);
        let mut pending = lock(&self.token_counts);
        for TokenDelta {
            id,
            hour,
            model,
            counts,
        } in tokens
        {
            *pending.entry((id.clone(), *hour, model.clone())).or_default() += *counts;
        }
    }

    /// Notes an accepted use at `now` (Unix seconds) for Last Used, at most
    /// once per secret per minute. `before` is the entry's state just before
    /// this use was counted. The common case (already noted this minute)
    /// writes no shared memory beyond the count.
    pub(super) fn note_use(&self, index: &Index, entry: &Entry, digest: &Digest, before: u64, now: i64) {
        let now = clamp_u32(now);
        let noted = (before >> 32) as u32;
        // Saturates to 0 when the clock moved back: not due either.
        if i64::from(now.saturating_sub(noted)) < LAST_USED_GRANULARITY_SECS {
            return;
        }
        // Exactly one thread wins the minute for this secret; the count in
        // the low half may move meanwhile and is kept as it is.
        let mut current = entry.state.load(Relaxed);
        loop {
            if (current >> 32) as u32 != noted {
                return;
            }
            let next = (u64::from(now) << 32) | (current & COUNT_MASK);
            match entry.state.compare_exchange_weak(current, next, Relaxed, Relaxed) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let id = index.id_of(entry);
        let mut pending = lock(&self.pending);
        let at = &mut pending.entry(digest.0).or_insert((id, i64::from(now))).1;
        *at = (*at).max(i64::from(now));
    }

    /// Counts a refusal of a secret past its end, at its own hour. Rare (a
    /// client still using an expired key), so it takes the counts' mutex.
    pub(super) fn note_ended(&self, index: &Index, entry: &Entry, outcome: Outcome, now: i64) {
        let key = (index.id_of(entry), Hour::of_unix(now));
        lock(&self.counts).entry(key).or_default().count(outcome, 1);
    }

    /// Takes an entry's count out before its 32 bits can overflow (two
    /// billion uses of one secret between two flushes).
    pub(super) fn spill(&self, index: &Index, entry: &Entry) {
        let taken = entry.take_count();
        let key = (index.id_of(entry), Hour(self.counting_hour.load(Relaxed)));
        lock(&self.counts)
            .entry(key)
            .or_default()
            .count(entry.counted_outcome(), taken);
    }

    /// Counts a request of `id` refused by its policy for `reason`.
    pub(super) fn note_refusal(&self, id: &KeyId, reason: Reason) {
        let mut refusals = lock(&self.refusals);
        let n = refusals.entry((id.clone(), reason)).or_default();
        *n = n.saturating_add(1);
    }

    /// Adds one answer's tokens to its key's tally for the model it named.
    pub(super) fn note_tokens(&self, id: &KeyId, usage: &TokenUsage) {
        let mut tokens = lock(&self.tokens);
        let models = match tokens.get_mut(id) {
            Some(models) => models,
            None => tokens.entry(id.clone()).or_default(),
        };
        match models.iter_mut().find(|(model, _)| *model == usage.model) {
            Some((_, counts)) => counts.count(usage),
            None => {
                let mut counts = TokenCounts::default();
                counts.count(usage);
                models.push((usage.model.clone(), counts));
            }
        }
    }

    /// Moves the token tallies into the pending token counts, for `hour`.
    /// Exact: an answer noted concurrently is in the map taken now or in
    /// the next one, never both (one mutex guards the tally).
    fn drain_tokens(&self, hour: Hour) {
        let tallied = std::mem::take(&mut *lock(&self.tokens));
        if tallied.is_empty() {
            return;
        }
        let mut pending = lock(&self.token_counts);
        for (id, models) in tallied {
            for (model, counts) in models {
                *pending.entry((id.clone(), hour, model)).or_default() += counts;
            }
        }
    }

    /// Moves the policy refusals, then every entry's count, into the pending
    /// counts, for the hour being counted. Exact: a use counted concurrently
    /// lands either in what is taken now or in the entry for the next drain,
    /// never in both.
    ///
    /// Refusals first: a refusal's request was counted as accepted in its
    /// entry before [`Shared::note_refusal`] took the refusals' mutex, and
    /// this takes the same mutex before reading the entries, so every
    /// refusal taken here has its acceptance taken here or by an earlier
    /// drain — in the same batch or an earlier one, never a later one. The
    /// store takes the acceptance back from the bucket
    /// ([`UsageCounts::added_to`]), so the bucket ends up exact.
    pub(super) fn drain(&self, index: &Index) {
        let hour = Hour(self.counting_hour.load(Relaxed));
        self.drain_tokens(hour);
        let refused = std::mem::take(&mut *lock(&self.refusals));
        let mut taken = Vec::new();
        for entry in index.map.values() {
            if entry.state.load(Relaxed) & COUNT_MASK != 0 {
                let n = entry.take_count();
                if n > 0 {
                    taken.push((index.id_of(entry), entry.counted_outcome(), n));
                }
            }
        }
        if taken.is_empty() && refused.is_empty() {
            return;
        }
        let refused = refused
            .into_iter()
            .map(|((id, reason), n)| (id, Outcome::RefusedByPolicy(reason), n));
        let mut counts = lock(&self.counts);
        for (id, outcome, n) in taken.into_iter().chain(refused) {
            counts.entry((id, hour)).or_default().count(outcome, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::verifier::Verifier;

    #[test]
    fn a_budgeted_flush_writes_at_least_a_batch_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("keys.redb")).unwrap();
        let names: Vec<_> = (0..FLUSH_BATCH * 2 + 500)
            .map(|i| crate::KeyName::parse(&format!("k{i}")).unwrap())
            .collect();
        let secrets = store.create_many(&names).unwrap();
        let verifier = Verifier::new(store.clone()).unwrap();
        for (secret, _) in &secrets {
            verifier.verify(secret.expose()).unwrap();
        }
        let flushed = verifier.shared.flush(Some(Duration::ZERO)).unwrap();
        assert_eq!(flushed.changed, FLUSH_BATCH);
        assert!(!flushed.finished);
        assert_eq!(verifier.health().pending_uses, FLUSH_BATCH + 500);
        assert_eq!(verifier.flush().unwrap(), FLUSH_BATCH + 500);
        assert_eq!(verifier.health().pending_uses, 0);
        assert!(store.list().unwrap().iter().all(|r| r.last_used.is_some()));
    }
}
