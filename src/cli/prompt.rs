//! Reading from the person or program on standard input: a secret (without
//! echo when it is a terminal) and yes/no confirmations.

use std::io::{self, BufRead, IsTerminal, Read, Write};

use zeroize::Zeroizing;

/// A key is 41 bytes; anything much longer is not a key, and reading it all
/// would let a caller make us buffer unbounded input.
const MAX_SECRET_INPUT: u64 = 4096;

/// Reads one key from stdin: the first line, surrounding whitespace removed.
/// On a terminal, prompts on stderr and turns echo off so the key is not left
/// on screen. The buffer is zeroised when dropped.
pub fn read_secret() -> io::Result<Zeroizing<String>> {
    let stdin = io::stdin();
    // Sized for the whole limit up front: a growing Vec would leave copies
    // of the input behind in freed memory, out of the zeroiser's reach.
    let mut raw = Zeroizing::new(Vec::with_capacity(MAX_SECRET_INPUT as usize + 1));
    if stdin.is_terminal() {
        eprint!("Paste the key and press Enter: ");
        io::stderr().flush()?;
        let _echo_off = EchoGuard::disable();
        stdin.lock().take(MAX_SECRET_INPUT).read_until(b'\n', &mut raw)?;
        eprintln!();
    } else {
        stdin.lock().take(MAX_SECRET_INPUT).read_to_end(&mut raw)?;
    }
    // No lossy conversion: it would make an owned, unzeroised copy of the
    // input, and bytes that are not UTF-8 cannot be a key anyway.
    let text = std::str::from_utf8(&raw).unwrap_or("");
    let first_line = text.lines().next().unwrap_or("").trim();
    Ok(Zeroizing::new(first_line.to_owned()))
}

/// Asks a yes/no question on stderr; only `y` or `yes` means yes.
pub fn confirm(question: &str) -> io::Result<bool> {
    eprint!("{question} [y/N] ");
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().take(256).read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Turns terminal echo off for as long as it lives.
struct EchoGuard {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl EchoGuard {
    #[cfg(unix)]
    fn disable() -> Self {
        // SAFETY: termios is plain data; tcgetattr fills it or fails, and we
        // only restore what it filled.
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut term) != 0 {
                return EchoGuard { saved: None };
            }
            let saved = term;
            term.c_lflag &= !libc::ECHO;
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term);
            EchoGuard { saved: Some(saved) }
        }
    }

    #[cfg(not(unix))]
    fn disable() -> Self {
        EchoGuard {}
    }
}

impl Drop for EchoGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.saved {
            // SAFETY: restores the attributes read in `disable`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
            }
        }
    }
}
