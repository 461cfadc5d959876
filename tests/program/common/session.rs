//! The binary in a pseudo-terminal with its screen read back through a
//! terminal emulator (`vt100`), for the runtime tests: signals, suspend,
//! a busy database, floods of keys. Every wait polls for a condition with a
//! generous deadline; nothing depends on how fast the machine is.

use std::num::NonZeroU16;
use std::path::Path;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use super::pty::PtyProcess;

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Session {
    pub process: PtyProcess,
    pub parser: vt100::Parser,
    /// Everything the program wrote.
    pub raw: Vec<u8>,
}

impl Session {
    /// keydesk on `db`, copying through OSC 52 (checkable in the output),
    /// with `args` added.
    pub fn start(db: &Path, args: &[&str]) -> Session {
        Session::start_sized(db, args, 80, 24)
    }

    pub fn start_sized(db: &Path, args: &[&str], cols: u16, rows: u16) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_keydesk"));
        cmd.args(["--utc-offset", "+08:00", "--clipboard", "osc52"]);
        cmd.args(args);
        cmd.env("KEYDESK_DB", db);
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", super::NO_CONFIG_HOME);
        cmd.env("KEYDESK_LANG", "en");
        // A UTF-8 locale, whatever the machine's: keydesk draws ASCII only
        // in any other, and the tests read its Unicode glyphs.
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_CTYPE");
        cmd.env_remove("NO_COLOR");
        Session::spawn(cmd, cols, rows)
    }

    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Session {
        Session {
            process: PtyProcess::spawn(cmd, cols, rows),
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.process.child.process_id().expect("a child pid") as i32
    }

    pub fn send(&mut self, input: &str) {
        self.process.send(input);
    }

    /// Feeds whatever output arrives within `wait` to the emulator; false
    /// once the program's side of the pty is closed.
    pub fn pump(&mut self, wait: Duration) -> bool {
        match self.process.output.recv_timeout(wait) {
            Ok(bytes) => {
                self.feed(&bytes);
                while let Ok(bytes) = self.process.output.try_recv() {
                    self.feed(&bytes);
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.parser.process(bytes);
        self.raw.extend_from_slice(bytes);
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until `ready` holds for the session; panics with the screen
    /// after the deadline.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !ready(self) {
            if Instant::now() > deadline {
                let tail = &self.raw[self.raw.len().saturating_sub(1500)..];
                panic!(
                    "timed out waiting for {what}; the screen shows:\n{}\nlast output: {:?}",
                    self.screen(),
                    String::from_utf8_lossy(tail)
                );
            }
            self.pump(Duration::from_millis(50));
        }
    }

    /// Waits until the screen's text satisfies `ready`, and returns it.
    pub fn wait_for_screen(&mut self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        self.wait_until(what, |s| ready(&s.screen()));
        self.screen()
    }

    /// Resizes the terminal, as a window manager would.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.process.resize(cols, rows);
        self.parser.set_size(nz(rows), nz(cols));
    }

    /// Waits for a successful exit, and checks the terminal was put back:
    /// alternate screen left, bracketed paste and mouse reporting off,
    /// cursor shown.
    pub fn expect_clean_exit(mut self) {
        assert_eq!(self.wait_exit(), 0, "exit status");
        assert!(restored(&self.raw), "exit sequences missing");
        let screen = self.parser.screen();
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.bracketed_paste(), "bracketed paste still on");
        assert!(!screen.hide_cursor(), "cursor still hidden");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse still reported"
        );
    }

    /// The screen's row `row` (0 = top).
    pub fn row(&self, row: u16) -> String {
        let cols = self.parser.screen().size().1.get();
        self.parser.screen().rows(0, cols).nth(row as usize).unwrap_or_default()
    }

    /// The first row that contains `text` (empty if none does).
    pub fn row_with(&self, text: &str) -> String {
        let cols = self.parser.screen().size().1.get();
        self.parser
            .screen()
            .rows(0, cols)
            .find(|row| row.contains(text))
            .unwrap_or_default()
    }

    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.screen().contains(text));
        self.screen()
    }

    pub fn wait_gone(&mut self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to go"), |s| !s.screen().contains(text));
        self.screen()
    }

    /// Waits until the output (from byte `from` on) contains `needle`.
    pub fn wait_for_bytes(&mut self, what: &str, from: usize, needle: &[u8]) {
        self.wait_until(what, |s| contains(&s.raw[from.min(s.raw.len())..], needle));
    }

    /// Waits for the program to exit; returns its exit code, having read
    /// all it wrote.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.process.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "keydesk did not exit:\n{}", self.screen());
            self.pump(Duration::from_millis(50));
        };
        let drain_deadline = Instant::now() + TIMEOUT;
        while self.pump(Duration::from_millis(100)) && Instant::now() < drain_deadline {
            if self.process.output.try_recv().is_err() && restored(&self.raw) {
                break;
            }
        }
        status.exit_code()
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether the output last left the alternate screen and then showed the
/// cursor, after last entering it.
pub fn restored(raw: &[u8]) -> bool {
    let last = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
    let left = last(b"\x1b[?1049l");
    left > last(b"\x1b[?1049h") && last(b"\x1b[?25h") > left
}

/// The process state letter `ps` reports (`T` when stopped).
pub fn process_state(pid: i32) -> String {
    let out = std::process::Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .output()
        .expect("ps runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[allow(unsafe_code)]
pub fn signal(pid: i32, signal: i32) {
    // SAFETY: kill(2) with a pid of our own child and a valid signal number.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill({pid}, {signal})");
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}
