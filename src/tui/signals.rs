//! Signals from outside, turned into wake-ups of the event loop, so they are
//! handled there like any input: with the terminal in a known state and the
//! clipboard at hand.
//!
//! - `SIGTERM`, `SIGINT`, `SIGHUP`, `SIGQUIT`: the loop clears pending
//!   clipboard copies, restores the terminal and exits with 128 + the signal
//!   number (143 for `SIGTERM`), as a shell reports a process killed by it.
//!   Should the loop not get there (it never blocks for long, but a terminal
//!   that stopped reading can block a write), the same signal sent again
//!   terminates at once.
//! - `SIGTSTP` (`kill -TSTP`; Ctrl-Z arrives as a key in raw mode): the loop
//!   restores the terminal and stops the process with [`stop_self`].
//! - `SIGCONT`: the loop re-enters the TUI's terminal mode and redraws, also
//!   after a plain `SIGSTOP` (the shell may have reset the terminal meanwhile).

#[cfg(unix)]
pub use unix::*;

#[cfg(not(unix))]
pub use other::*;

#[cfg(unix)]
mod unix {
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc::Sender;

    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGSTOP, SIGTERM, SIGTSTP};
    use signal_hook::iterator::{Handle, Signals};

    use super::super::event::Wake;

    /// Signals that end keydesk.
    pub const TERMINATING: [i32; 4] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT];
    pub use signal_hook::consts::{SIGCONT as CONTINUE, SIGTSTP as SUSPEND};

    /// Forwards signals to the loop until the returned handle is closed.
    pub fn forward(wake: Sender<Wake>) -> io::Result<Handle> {
        let pending = Arc::new(AtomicBool::new(false));
        for signal in TERMINATING {
            // Order matters: the conditional shutdown sees the flag as it was
            // before this delivery, so only a second signal terminates.
            signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&pending))?;
            signal_hook::flag::register(signal, Arc::clone(&pending))?;
        }
        let mut signals = Signals::new(TERMINATING.iter().copied().chain([SIGTSTP, SIGCONT]))?;
        let handle = signals.handle();
        std::thread::Builder::new()
            .name("keydesk-signals".to_owned())
            .spawn(move || {
                for signal in signals.forever() {
                    if wake.send(Wake::Signal(signal)).is_err() {
                        return;
                    }
                }
            })?;
        Ok(handle)
    }

    /// Stops the process as `SIGTSTP` would have; returns once it is continued.
    /// (`SIGSTOP` cannot be caught, so no handler of ours gets in the way.)
    pub fn stop_self() {
        let _ = signal_hook::low_level::raise(SIGSTOP);
    }
}

/// Without Unix signals there is nothing to forward.
#[cfg(not(unix))]
mod other {
    use std::io;
    use std::sync::mpsc::Sender;

    use super::super::event::Wake;

    pub const SUSPEND: i32 = -1;
    pub const CONTINUE: i32 = -2;

    pub struct Handle;

    impl Handle {
        pub fn close(&self) {}
    }

    pub fn forward(_wake: Sender<Wake>) -> io::Result<Handle> {
        Ok(Handle)
    }

    pub fn stop_self() {}
}
