//! A program running in a pseudo-terminal, for tests that need a real
//! terminal: keys in, bytes out.

#![allow(dead_code)] // each test (and the process benchmark) uses a different part

use std::io::{Read, Write};
use std::sync::mpsc::{self, Receiver};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct PtyProcess {
    /// Kept for resizing; dropping it hangs up the terminal.
    master: Box<dyn MasterPty + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    /// The program's output in chunks as written; disconnected once the
    /// program's side of the terminal is closed.
    pub output: Receiver<Vec<u8>>,
}

impl PtyProcess {
    pub fn spawn(command: CommandBuilder, cols: u16, rows: u16) -> PtyProcess {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pty.slave.spawn_command(command).expect("spawn in the pty");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        PtyProcess {
            master: pty.master,
            child,
            writer,
            output,
        }
    }

    /// Types `input` as if at the keyboard.
    pub fn send(&mut self, input: &str) {
        self.writer.write_all(input.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Whether the terminal echoes what is typed, as set by the program on
    /// its side (the line discipline's settings are shared by both ends).
    #[cfg(unix)]
    #[allow(unsafe_code)]
    pub fn echo_enabled(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("the master side has a file descriptor");
        // SAFETY: termios is plain data that tcgetattr fills.
        let mut term: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: tcgetattr fills `term` for the terminal `fd`, open as long as `self`.
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut term) }, 0, "tcgetattr on the pty");
        term.c_lflag & libc::ECHO != 0
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }
}

impl Drop for PtyProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
