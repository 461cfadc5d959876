//! Clearing a copied secret after a delay, as password managers do.
//!
//! This is a plain timer with no thread: the app's event loop calls
//! [`Clipboard::tick`](super::Clipboard::tick) with the current time and the
//! timer says when a clear is due. Time is passed in, so tests need no
//! sleeping.

use std::fmt;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::strategy::Multiplexer;

/// What was copied, kept as a SHA-256 digest instead of the text.
///
/// The clear must only happen if the clipboard still holds the secret, so
/// something has to be compared. A digest is enough for that comparison and,
/// unlike a (zeroizing) copy, it is not a secret: it cannot be pasted, and
/// an API key has far too much entropy to be recovered from it. The timer
/// may wait a long time, and nothing worth stealing waits with it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub(crate) fn of(text: &str) -> Self {
        Self(Sha256::digest(text.as_bytes()).into())
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        *self == Self::of(text)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprint(..)")
    }
}

/// Where the secret went, which decides how it is cleared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClearTarget {
    /// The system clipboard: read it back and clear it only if it still
    /// holds the text with this fingerprint.
    System(Fingerprint),
    /// The terminal, through OSC 52: it cannot be read back, so an empty
    /// selection is sent, wrapped for this multiplexer.
    Terminal(Multiplexer),
}

/// At most one pending clear: a new copy replaces the clipboard content, so
/// it also replaces (or cancels) the clear of the previous one.
#[derive(Debug, Default)]
pub(crate) struct ClearTimer {
    pending: Option<(Instant, ClearTarget)>,
}

impl ClearTimer {
    /// Schedules `target` to be cleared `delay` after `now`, replacing any
    /// pending clear. A zero delay means "never" and only cancels.
    pub(crate) fn arm(&mut self, now: Instant, delay: Duration, target: ClearTarget) {
        self.pending = match now.checked_add(delay) {
            Some(due) if !delay.is_zero() => Some((due, target)),
            // Zero, or so long it cannot be represented: never.
            _ => None,
        };
    }

    /// Forgets any pending clear.
    pub(crate) fn disarm(&mut self) {
        self.pending = None;
    }

    /// When the pending clear is due, for the event loop's poll timeout.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.pending.as_ref().map(|(due, _)| *due)
    }

    /// Hands out the pending clear whether or not it is due (on the way out).
    pub(crate) fn take(&mut self) -> Option<ClearTarget> {
        self.pending.take().map(|(_, target)| target)
    }

    /// Hands out the pending clear once `now` has reached its deadline.
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<ClearTarget> {
        match &self.pending {
            Some((due, _)) if now >= *due => self.pending.take().map(|(_, target)| target),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAY: Duration = Duration::from_secs(30);

    fn terminal() -> ClearTarget {
        ClearTarget::Terminal(Multiplexer::Absent)
    }

    #[test]
    fn fires_at_the_deadline_not_before() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        assert_eq!(timer.deadline(), Some(start + DELAY));
        assert_eq!(timer.take_due(start), None);
        assert_eq!(timer.take_due(start + DELAY - Duration::from_millis(1)), None);
        assert_eq!(timer.take_due(start + DELAY), Some(terminal()));
    }

    #[test]
    fn fires_late_ticks_too_but_only_once() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        assert_eq!(timer.take_due(start + DELAY * 10), Some(terminal()));
        assert_eq!(timer.take_due(start + DELAY * 11), None);
        assert_eq!(timer.deadline(), None);
    }

    #[test]
    fn zero_delay_never_fires() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, Duration::ZERO, terminal());
        assert_eq!(timer.deadline(), None);
        assert_eq!(timer.take_due(start + Duration::from_secs(86_400)), None);
    }

    #[test]
    fn zero_delay_cancels_a_pending_clear() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        timer.arm(start, Duration::ZERO, terminal());
        assert_eq!(timer.take_due(start + DELAY), None);
    }

    #[test]
    fn unrepresentable_delay_never_fires() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, Duration::MAX, terminal());
        assert_eq!(timer.deadline(), None);
    }

    #[test]
    fn a_new_copy_replaces_the_pending_clear() {
        let start = Instant::now();
        let later = start + Duration::from_secs(20);
        let system = ClearTarget::System(Fingerprint::of("second"));
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        timer.arm(later, DELAY, system.clone());
        assert_eq!(timer.take_due(start + DELAY), None);
        assert_eq!(timer.take_due(later + DELAY), Some(system));
    }

    #[test]
    fn take_hands_out_a_pending_clear_before_it_is_due_and_only_once() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        assert_eq!(timer.take(), Some(terminal()));
        assert_eq!(timer.take(), None);
        assert_eq!(timer.take_due(start + DELAY), None);
    }

    #[test]
    fn disarm_cancels() {
        let start = Instant::now();
        let mut timer = ClearTimer::default();
        timer.arm(start, DELAY, terminal());
        timer.disarm();
        assert_eq!(timer.take_due(start + DELAY), None);
    }

    #[test]
    fn fingerprint_matches_only_the_same_text() {
        // A key in the real format, and the same key with its last letter's case changed.
        let fingerprint = Fingerprint::of("sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv");
        assert!(fingerprint.matches("sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv"));
        assert!(!fingerprint.matches("sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRV"));
        assert!(!fingerprint.matches(""));
    }

    #[test]
    fn fingerprint_debug_shows_nothing() {
        assert_eq!(
            format!("{:?}", Fingerprint::of("sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv")),
            "Fingerprint(..)"
        );
    }
}
