//! Reading from the person or program on standard input: a secret (without
//! echo when it is a terminal) and yes/no confirmations.

use std::io::{self, BufRead, IsTerminal, Read, Write};

use zeroize::Zeroizing;

/// A key is 41 bytes; anything much longer is not a key, and reading it all
/// would let a caller make us buffer unbounded input.
const MAX_SECRET_INPUT: u64 = 4096;

/// Reads one key from stdin. On a terminal, turns echo off, *then* prompts on
/// stderr, so nothing typed or pasted once the prompt is visible can appear on
/// screen. The buffer is zeroised when dropped.
///
/// The input must be exactly one key, optionally followed by one line ending:
/// anything else (a second line, surrounding spaces, bytes that are not UTF-8)
/// yields a string that is not a key, so it verifies as invalid.
pub fn read_secret() -> io::Result<Zeroizing<String>> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        read_secret_with(&mut RealTerminal { stdin: stdin.lock() })
    } else {
        // Sized for the whole limit up front: a growing Vec would leave
        // copies of the input behind in freed memory, out of the zeroiser's
        // reach.
        let mut raw = Zeroizing::new(Vec::with_capacity(MAX_SECRET_INPUT as usize + 1));
        stdin.lock().take(MAX_SECRET_INPUT).read_to_end(&mut raw)?;
        Ok(exactly_one_key(&raw))
    }
}

/// What reading a secret needs from a terminal; a seam so tests can check the
/// order of the steps, which is the whole point.
trait SecretTerminal {
    type EchoOff;
    /// Turns echo off until the returned guard drops; fails rather than read a
    /// secret that would be shown.
    fn hide_input(&mut self) -> io::Result<Self::EchoOff>;
    fn show(&mut self, text: &str) -> io::Result<()>;
    fn read_line(&mut self, into: &mut Vec<u8>) -> io::Result<()>;
}

fn read_secret_with<T: SecretTerminal>(terminal: &mut T) -> io::Result<Zeroizing<String>> {
    let mut raw = Zeroizing::new(Vec::with_capacity(MAX_SECRET_INPUT as usize + 1));
    let echo_off = terminal.hide_input()?;
    terminal.show(&format!("{} ", tr!("cli-secret-prompt")))?;
    let read = terminal.read_line(&mut raw);
    // The Enter that ended the line was not echoed either.
    let shown = terminal.show("\n");
    drop(echo_off);
    read?;
    shown?;
    Ok(exactly_one_key(&raw))
}

/// The key, if `raw` is one line: the text with one trailing `\n` or `\r\n`
/// removed. Anything else becomes an empty string, which no key matches. No
/// lossy conversion: it would make an owned, unzeroised copy of the input.
fn exactly_one_key(raw: &[u8]) -> Zeroizing<String> {
    let line = raw
        .strip_suffix(b"\n")
        .map(|rest| rest.strip_suffix(b"\r").unwrap_or(rest))
        .unwrap_or(raw);
    let key = match std::str::from_utf8(line) {
        Ok(text) if !text.contains(['\n', '\r']) => text,
        _ => "",
    };
    Zeroizing::new(key.to_owned())
}

/// Asks a yes/no question on stderr; only `y` or `yes` (or 是, in any
/// language: a Chinese input method may be on) means yes.
pub fn confirm(question: &str) -> io::Result<bool> {
    eprint!("{} ", tr!("cli-confirm", question = question));
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().take(256).read_line(&mut answer)?;
    Ok(means_yes(&answer))
}

fn means_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "是" | "是的")
}

pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

struct RealTerminal<'a> {
    stdin: io::StdinLock<'a>,
}

impl SecretTerminal for RealTerminal<'_> {
    type EchoOff = echo::EchoOff;

    fn hide_input(&mut self) -> io::Result<echo::EchoOff> {
        echo::EchoOff::on_stdin()
    }

    fn show(&mut self, text: &str) -> io::Result<()> {
        let mut stderr = io::stderr().lock();
        stderr.write_all(text.as_bytes())?;
        stderr.flush()
    }

    fn read_line(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        (&mut self.stdin).take(MAX_SECRET_INPUT).read_until(b'\n', into)?;
        Ok(())
    }
}

#[cfg(unix)]
mod echo {
    //! Echo off on the controlling terminal, restored on every way out: the
    //! guard's drop (return, error, panic unwinding) and, for the signals a
    //! person sends from the keyboard or a dropped SSH connection sends, a
    //! handler that restores it before the signal's default action ends the
    //! process.

    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use signal_hook::low_level;

    pub struct EchoOff {
        saved: libc::termios,
        /// Read by the signal handlers, which stay registered after the guard
        /// drops: signal-hook cannot give a signal its default action back,
        /// so the handlers keep emulating it.
        active: Arc<AtomicBool>,
    }

    impl EchoOff {
        #[allow(unsafe_code)] // termios calls and signal handlers, each justified below
        pub fn on_stdin() -> io::Result<EchoOff> {
            // SAFETY: termios is plain data; tcgetattr fills it or fails.
            let mut saved: libc::termios = unsafe { std::mem::zeroed() };
            // SAFETY: tcgetattr writes into `saved`, a valid termios.
            if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut saved) } != 0 {
                return Err(cannot_hide(io::Error::last_os_error()));
            }
            let active = Arc::new(AtomicBool::new(true));
            for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
                let active = Arc::clone(&active);
                // SAFETY: the handler only loads an atomic, calls tcsetattr
                // (async-signal-safe) and signal-hook's default-action
                // emulation, which is made to be called from a handler.
                let registered = unsafe {
                    low_level::register(signal, move || {
                        if active.load(Ordering::SeqCst) {
                            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
                        }
                        let _ = low_level::emulate_default_handler(signal);
                    })
                };
                registered.map_err(cannot_hide)?;
            }
            // Constructed before the change, so a failure below is undone too.
            let guard = EchoOff { saved, active };
            let mut quiet = saved;
            quiet.c_lflag &= !(libc::ECHO | libc::ECHONL);
            // SAFETY: `quiet` is a copy of what tcgetattr filled.
            if unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) } != 0 {
                return Err(cannot_hide(io::Error::last_os_error()));
            }
            Ok(guard)
        }
    }

    fn cannot_hide(error: io::Error) -> io::Error {
        io::Error::new(error.kind(), tr!("cli-echo-off-failed", error = error.to_string()))
    }

    impl Drop for EchoOff {
        #[allow(unsafe_code)] // tcsetattr, justified below
        fn drop(&mut self) {
            // SAFETY: restores the attributes read in `on_stdin`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
            }
            self.active.store(false, Ordering::SeqCst);
        }
    }
}

#[cfg(not(unix))]
mod echo {
    use std::io;

    pub struct EchoOff;

    impl EchoOff {
        pub fn on_stdin() -> io::Result<EchoOff> {
            Err(io::Error::other(tr!("cli-echo-unsupported")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every step, and what the person sees: text shown while echo is
    /// on would also show anything typed at that moment.
    #[derive(Default)]
    struct Recorder {
        steps: Vec<&'static str>,
        echo_on: bool,
        prompt_seen_with_echo: bool,
        line: &'static [u8],
    }

    impl SecretTerminal for Recorder {
        type EchoOff = ();
        fn hide_input(&mut self) -> io::Result<()> {
            self.steps.push("echo off");
            self.echo_on = false;
            Ok(())
        }
        fn show(&mut self, text: &str) -> io::Result<()> {
            if text.contains("Paste") {
                self.prompt_seen_with_echo = self.echo_on;
            }
            self.steps.push("show");
            Ok(())
        }
        fn read_line(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
            self.steps.push("read");
            into.extend_from_slice(self.line);
            Ok(())
        }
    }

    #[test]
    fn yes_is_y_yes_or_shi_and_anything_else_is_no() {
        for yes in ["y", "Y\n", "yes", " YES \r\n", "是", "是的\n"] {
            assert!(means_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "否", "yess", "不是"] {
            assert!(!means_yes(no), "{no:?}");
        }
    }

    #[test]
    fn echo_is_off_before_the_prompt_is_shown() {
        let mut terminal = Recorder {
            echo_on: true,
            line: b"sk-abc\n",
            ..Recorder::default()
        };
        let key = read_secret_with(&mut terminal).unwrap();
        assert_eq!(terminal.steps, ["echo off", "show", "read", "show"]);
        assert!(
            !terminal.prompt_seen_with_echo,
            "the prompt was shown while echo was on"
        );
        assert_eq!(key.as_str(), "sk-abc");
    }

    #[test]
    fn one_key_with_or_without_one_line_ending_is_accepted() {
        let secret = crate::SecretKey::generate();
        let key = secret.expose();
        for input in [key.to_owned(), format!("{key}\n"), format!("{key}\r\n")] {
            assert_eq!(exactly_one_key(input.as_bytes()).as_str(), key);
        }
    }

    #[test]
    fn anything_beside_the_one_key_makes_the_input_invalid() {
        let secret = crate::SecretKey::generate();
        let key = secret.expose();
        for input in [
            format!("{key}\nGARBAGE\n"),
            format!("{key}\n\n"),
            format!("{key}\n{key}\n"),
            format!(" {key}\n"),
            format!("{key} \n"),
            format!("{key}\r"),
            String::new(),
        ] {
            let read = exactly_one_key(input.as_bytes());
            assert!(
                crate::domain::secret::check_format(&read).is_err(),
                "accepted as a key: {:?}",
                input.replace(key, "<key>")
            );
        }
        let mut not_utf8 = vec![0xff];
        not_utf8.extend_from_slice(key.as_bytes());
        assert_eq!(exactly_one_key(&not_utf8).as_str(), "");
    }
}
