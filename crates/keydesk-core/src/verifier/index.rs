//! The in-memory index a [`Verifier`](super::Verifier) answers from: secret
//! digest → entry, behind a lock kept in several copies so that verifying
//! threads do not share one lock word.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, RwLock};

use super::entries::{COUNT_MASK, Entry, EntryId, LENGTH_BITS, LONG_ID, NEVER, NO_END, clamp_u32};
pub(super) use super::table::Digest;
use super::table::Table;
use crate::domain::KeyId;
use crate::store::IndexEntry;

/// How many copies of the index lock there are. Verifying threads are spread
/// over them, so up to this many threads never write to a shared lock word
/// (with a single lock, two threads on two cores verifying the same key were
/// measured slower together than one alone: the lock's cache line bounced
/// between the cores on every call).
pub(super) const SHARDS: usize = 16;

/// One copy of the index lock, on cache lines of its own.
#[derive(Default)]
#[repr(align(128))]
pub(super) struct Shard(pub(super) RwLock<Arc<Index>>);

/// The shard this thread reads the index through: assigned round-robin on
/// first use, then fixed for the thread's life.
pub(super) fn thread_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Relaxed) % SHARDS;
    }
    SHARD.with(|shard| *shard)
}

/// The in-memory index: SHA-256 of the secret → key.
#[derive(Default)]
pub(super) struct Index {
    pub(super) map: Table,
    /// IDs too long to be kept inside their entry (never keydesk's own).
    pub(super) long_ids: Vec<KeyId>,
}

impl Index {
    /// Builds an index from the store's, carrying over which keys already had
    /// a use noted this minute so a reload does not re-note them (their
    /// counts stay in the old index until it is drained).
    pub(super) fn build(entries: Vec<IndexEntry>, previous: &Index) -> Index {
        let mut map = Table::with_capacity(entries.len());
        let mut long_ids = Vec::new();
        for IndexEntry {
            hash,
            id,
            not_after,
            slot,
            disabled,
        } in entries
        {
            let digest = Digest(hash.0);
            let noted = previous
                .map
                .get(&digest)
                .filter(|old| previous.id_str(old) == id.as_str())
                .map_or(u64::from(NEVER) << 32, |old| old.state.load(Relaxed) & !COUNT_MASK);
            let not_after = not_after.map_or(NO_END, |at| clamp_u32(at.unix_timestamp()).min(NO_END - 1));
            map.insert(
                digest,
                Entry {
                    id: EntryId::new(&id, slot, disabled, &mut long_ids),
                    state: AtomicU64::new(noted),
                    not_after,
                },
            );
        }
        Index { map, long_ids }
    }

    pub(super) fn id_str<'a>(&'a self, entry: &'a Entry) -> &'a str {
        let EntryId { tag, bytes } = &entry.id;
        match tag & LENGTH_BITS {
            LONG_ID => {
                let at = u32::from_ne_bytes(bytes[..4].try_into().expect("four bytes"));
                self.long_ids[at as usize].as_str()
            }
            length => std::str::from_utf8(&bytes[..usize::from(length)]).expect("copied from a str"),
        }
    }

    pub(super) fn id_of(&self, entry: &Entry) -> KeyId {
        KeyId::from_stored(self.id_str(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{KeyHash, SecretSlot};
    use crate::verifier::entries::INLINE_ID;

    #[test]
    fn digests_are_equal_only_in_all_their_bytes() {
        let base = Digest([9; 32]);
        for at in 0..32 {
            let mut other = base;
            other.0[at] ^= 1;
            assert!(other != base, "byte {at}");
        }
        assert!(base == Digest([9; 32]));
    }

    #[test]
    fn ids_of_any_length_round_trip_with_their_flags() {
        let ids = [
            KeyId::generate(),
            KeyId::from_stored(""),
            KeyId::from_stored(&"x".repeat(INLINE_ID)),
            KeyId::from_stored(&"x".repeat(INLINE_ID + 1)),
            KeyId::from_stored(&"键".repeat(20)),
        ];
        let entries: Vec<IndexEntry> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| IndexEntry {
                hash: KeyHash::of(&i.to_string()),
                id: id.clone(),
                slot: if i % 2 == 0 {
                    SecretSlot::Current
                } else {
                    SecretSlot::Previous
                },
                not_after: None,
                disabled: i % 3 == 0,
            })
            .collect();
        let index = Index::build(entries.clone(), &Index::default());
        for e in entries {
            let entry = index.map.get(&Digest(e.hash.0)).unwrap();
            assert_eq!(index.id_of(entry), e.id);
            assert_eq!((entry.id.slot(), entry.id.disabled()), (e.slot, e.disabled));
        }
    }
}
