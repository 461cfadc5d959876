//! The index's entries, bit-packed: a key ID kept inline with its flags,
//! and the use counter and minute last noted in one atomic word, so that an
//! entry and its digest fill one cache line.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::domain::{KeyId, Outcome, SecretSlot};

/// `noted` of a key whose use has not been noted since this process started.
pub(super) const NEVER: u32 = 0;
/// `not_after` of a secret that never stops verifying by time alone.
pub(super) const NO_END: u32 = u32::MAX;

/// 64 bytes with its digest: a hit reads one cache line of the map's bucket
/// array (plus its control byte), not a separate allocation for the ID. The
/// times are 32-bit Unix seconds to fit (good until 2106; a later end is
/// kept as 2106, which only ever refuses a key too early, never too late).
pub(super) struct Entry {
    /// High half: Unix seconds of the last use noted for Last Used, or
    /// [`NEVER`]. Low half: presentations counted since the last drain
    /// (accepted, or refused as disabled for a disabled key's entry). One
    /// word, so counting a use and checking the minute is one atomic add.
    pub(super) state: AtomicU64,
    /// Unix seconds from which this secret is refused, or [`NO_END`].
    pub(super) not_after: u32,
    pub(super) id: EntryId,
}

/// The low half of [`Entry::state`].
pub(super) const COUNT_MASK: u64 = u32::MAX as u64;
/// A count that reaches this is moved out of the entry at once, long before
/// its 32 bits could overflow into the noted minute.
pub(super) const SPILL_AT: u32 = 1 << 31;

impl Entry {
    /// An empty table slot's entry.
    pub(super) fn vacant() -> Entry {
        Entry {
            state: AtomicU64::new(0),
            not_after: 0,
            id: EntryId {
                tag: 0,
                bytes: [0; INLINE_ID],
            },
        }
    }

    /// Takes the count out, leaving the noted minute as it is.
    pub(super) fn take_count(&self) -> u32 {
        let mut current = self.state.load(Relaxed);
        loop {
            match self
                .state
                .compare_exchange_weak(current, current & !COUNT_MASK, Relaxed, Relaxed)
            {
                Ok(_) => return (current & COUNT_MASK) as u32,
                Err(actual) => current = actual,
            }
        }
    }

    /// What the entry's count counts.
    pub(super) fn counted_outcome(&self) -> Outcome {
        Outcome::of(self.id.slot(), self.id.disabled(), false)
    }
}

/// How long an ID can be and still be stored inline. keydesk's own IDs are
/// 19 bytes; longer ones (a file written by something else) are kept in
/// [`Index::long_ids`].
pub(super) const INLINE_ID: usize = 19;
/// `EntryId::tag` bits: the length (or [`LONG_ID`]), and two flags.
pub(super) const LENGTH_BITS: u8 = 0x1f;
pub(super) const LONG_ID: u8 = 0x1f;
pub(super) const PREVIOUS: u8 = 0x20;
pub(super) const DISABLED: u8 = 0x40;

/// A key ID kept inside the map entry, with which of the key's secrets this
/// is and whether the key is disabled. Turning it back into a [`KeyId`]
/// costs one small allocation but no cache miss.
pub(super) struct EntryId {
    pub(super) tag: u8,
    /// The ID's bytes, or for a long one its position in `long_ids`.
    pub(super) bytes: [u8; INLINE_ID],
}

impl EntryId {
    pub(super) fn new(id: &KeyId, slot: SecretSlot, disabled: bool, long_ids: &mut Vec<KeyId>) -> EntryId {
        let flags = if slot == SecretSlot::Previous { PREVIOUS } else { 0 } | if disabled { DISABLED } else { 0 };
        let mut bytes = [0; INLINE_ID];
        let text = id.as_str();
        let length = if text.len() <= INLINE_ID {
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            text.len() as u8
        } else {
            let at = u32::try_from(long_ids.len()).expect("fewer than 4 billion keys");
            bytes[..4].copy_from_slice(&at.to_ne_bytes());
            long_ids.push(id.clone());
            LONG_ID
        };
        EntryId {
            tag: length | flags,
            bytes,
        }
    }

    pub(super) fn slot(&self) -> SecretSlot {
        if self.tag & PREVIOUS != 0 {
            SecretSlot::Previous
        } else {
            SecretSlot::Current
        }
    }

    pub(super) fn disabled(&self) -> bool {
        self.tag & DISABLED != 0
    }
}

/// Unix seconds as the index keeps them: before 1970 is 1970, after 2106 is 2106.
pub(super) fn clamp_u32(unix: i64) -> u32 {
    unix.clamp(0, i64::from(u32::MAX)) as u32
}
