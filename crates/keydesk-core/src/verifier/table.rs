//! The index's hash table: open addressing with linear probing, one cache
//! line per slot (a digest and its entry), at most four fifths full.
//!
//! Why not `HashMap`: a lookup there reads a control-byte array and then the
//! bucket, and a 64-byte bucket aligned to 8 may straddle two lines — up to
//! three cache misses for a key that was not used lately, which at 100k keys
//! cost more than the SHA-256 itself. Here a lookup starts at the slot the
//! digest's first word names and usually ends there or on the next lines,
//! which the processor fetches along.
//!
//! Why so full: the table's size decides whether it stays in the last-level
//! cache. Half full, 100k keys take 16 MiB, past that cache on the machines
//! keydesk was measured on, and a random line then costs several times what
//! it costs in an 8 MiB table. Linear probing stays short at this load (about
//! three slots for a key that is there, on adjacent lines).
//!
//! A digest of all zeros marks an empty slot. No stored key can have it (that
//! would be a SHA-256 preimage of zero), so a record that claims it is left
//! out: no candidate could ever match it.

use super::entries::Entry;

/// A SHA-256 digest as the table's key. Digests are already uniformly
/// distributed, so hashing one again is wasted work: its first eight bytes
/// choose its slot.
///
/// This cannot be used to flood the table: its contents are the stored keys'
/// digests, which clients do not choose, and a client who ground out inputs
/// whose digests share a slot would only slow down its own lookups, which
/// still compare all 32 bytes before accepting anything.
#[derive(Clone, Copy)]
pub(super) struct Digest(pub(super) [u8; 32]);

impl Digest {
    /// The empty slot's mark (see the module documentation).
    pub(super) const EMPTY: Digest = Digest([0; 32]);

    pub(super) fn first_word(&self) -> u64 {
        self.word(0)
    }

    #[inline]
    fn word(&self, n: usize) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.0[n * 8..n * 8 + 8]);
        u64::from_ne_bytes(word)
    }
}

impl PartialEq for Digest {
    /// Four word compares, inlined, rather than a call to `memcmp`.
    #[inline]
    fn eq(&self, other: &Digest) -> bool {
        (0..4).fold(0, |diff, n| diff | (self.word(n) ^ other.word(n))) == 0
    }
}

impl Eq for Digest {}

/// The most a table is filled: 4/5 (numerator, denominator).
const MAX_LOAD: (usize, usize) = (4, 5);

/// A digest and its entry on one 64-byte line.
#[repr(C, align(64))]
struct Slot {
    digest: Digest,
    entry: Entry,
}

/// Digest → entry, built once per index load and never resized.
pub(super) struct Table {
    slots: Box<[Slot]>,
    /// `slots.len() - 1`; the length is a power of two.
    mask: usize,
    len: usize,
}

impl Default for Table {
    fn default() -> Table {
        Table::with_capacity(0)
    }
}

impl Table {
    /// A table for up to `keys` entries, at most [`MAX_LOAD`] full.
    pub(super) fn with_capacity(keys: usize) -> Table {
        let count = keys
            .saturating_mul(MAX_LOAD.1)
            .div_ceil(MAX_LOAD.0)
            .max(8)
            .next_power_of_two();
        let mut slots: Vec<Slot> = Vec::with_capacity(count);
        // Before the first write: the pages are not there yet, so the
        // kernel can back them with huge pages as they are touched.
        advise_huge_pages(slots.as_ptr().cast(), count * size_of::<Slot>());
        slots.extend((0..count).map(|_| Slot {
            digest: Digest::EMPTY,
            entry: Entry::vacant(),
        }));
        Table {
            slots: slots.into_boxed_slice(),
            mask: count - 1,
            len: 0,
        }
    }

    /// Adds `entry` under `digest`, replacing an entry already there. Panics
    /// past the capacity given (the index is built from a known count).
    pub(super) fn insert(&mut self, digest: Digest, entry: Entry) {
        if digest == Digest::EMPTY {
            return;
        }
        let capacity = self.slots.len() * MAX_LOAD.0 / MAX_LOAD.1;
        let mut at = digest.first_word() as usize & self.mask;
        loop {
            let slot = &mut self.slots[at];
            if slot.digest == digest {
                slot.entry = entry;
                return;
            }
            if slot.digest == Digest::EMPTY {
                assert!(self.len < capacity, "the table was built for fewer keys");
                *slot = Slot { digest, entry };
                self.len += 1;
                return;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The entry for `digest`, comparing all 32 bytes.
    #[inline]
    pub(super) fn get(&self, digest: &Digest) -> Option<&Entry> {
        let mut at = digest.first_word() as usize & self.mask;
        loop {
            let slot = &self.slots[at];
            if slot.digest == *digest {
                // An all-zero candidate digest meets an empty slot here: never a key.
                return (*digest != Digest::EMPTY).then_some(&slot.entry);
            }
            if slot.digest == Digest::EMPTY {
                return None;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// How many entries there are.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Every entry, in no particular order.
    pub(super) fn values(&self) -> impl Iterator<Item = &Entry> {
        self.slots
            .iter()
            .filter(|slot| slot.digest != Digest::EMPTY)
            .map(|slot| &slot.entry)
    }
}

/// Asks the kernel to back a large table with 2 MiB pages: a lookup in a
/// table of many megabytes otherwise misses the TLB as well as the cache.
/// Advice only: where it is not taken (transparent huge pages off, another
/// system) nothing changes but the speed.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // madvise, justified below
fn advise_huge_pages(start: *const u8, bytes: usize) {
    const HUGE: usize = 2 << 20;
    let from = (start as usize).next_multiple_of(HUGE);
    let to = (start as usize + bytes) / HUGE * HUGE;
    if to > from {
        // SAFETY: MADV_HUGEPAGE changes how the kernel backs the pages, never
        // their contents or validity; the range lies inside one allocation
        // this table owns, and a failure is harmless advice not taken.
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *const u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(first: u64, rest: u8) -> Digest {
        let mut bytes = [rest; 32];
        bytes[..8].copy_from_slice(&first.to_ne_bytes());
        Digest(bytes)
    }

    #[test]
    fn a_slot_is_one_cache_line() {
        assert_eq!((size_of::<Slot>(), align_of::<Slot>()), (64, 64));
    }

    #[test]
    fn colliding_digests_are_found_by_all_their_bytes() {
        let mut table = Table::with_capacity(4);
        // Same first word (same home slot), different last bytes.
        for (n, d) in [digest(7, 1), digest(7, 2), digest(7 + 8, 3)].into_iter().enumerate() {
            let mut entry = Entry::vacant();
            entry.not_after = n as u32;
            table.insert(d, entry);
        }
        assert_eq!(table.len(), 3);
        assert_eq!(table.get(&digest(7, 2)).map(|e| e.not_after), Some(1));
        assert_eq!(table.get(&digest(15, 3)).map(|e| e.not_after), Some(2));
        assert!(table.get(&digest(7, 4)).is_none());
        assert!(table.get(&Digest::EMPTY).is_none());
        assert_eq!(table.values().count(), 3);
    }

    #[test]
    fn the_zero_digest_is_never_stored_and_inserting_twice_replaces() {
        let mut table = Table::with_capacity(1);
        table.insert(Digest::EMPTY, Entry::vacant());
        assert_eq!(table.len(), 0);
        let mut entry = Entry::vacant();
        entry.not_after = 5;
        table.insert(digest(1, 1), Entry::vacant());
        table.insert(digest(1, 1), entry);
        assert_eq!(
            (table.len(), table.get(&digest(1, 1)).map(|e| e.not_after)),
            (1, Some(5))
        );
    }

    #[test]
    fn a_full_half_wraps_around_the_end() {
        let mut table = Table::with_capacity(6); // 8 slots, 6 of them used
        for n in 0..6u8 {
            table.insert(digest(7, n + 1), Entry::vacant());
        }
        for n in 0..6u8 {
            assert!(table.get(&digest(7, n + 1)).is_some());
        }
    }

    #[test]
    fn a_table_holds_the_keys_it_was_built_for_whatever_their_number() {
        for keys in 0..300u64 {
            let mut table = Table::with_capacity(keys as usize);
            for n in 0..keys {
                table.insert(digest(n.wrapping_mul(0x9e37_79b9_7f4a_7c15), 1), Entry::vacant());
            }
            assert_eq!(table.len(), keys as usize);
            assert!(table.len() * MAX_LOAD.1 <= table.slots.len() * MAX_LOAD.0);
        }
    }
}
