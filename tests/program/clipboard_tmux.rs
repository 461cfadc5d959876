//! Copying over SSH, for real: keydesk runs inside a private tmux server with
//! `set-clipboard on`, as it would in a tmux session on a remote host, and the
//! key it copies must arrive in tmux's paste buffer.

use crate::common;
use common::BIN;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::find_secret;

/// A tmux server on a private socket in the test's temporary directory (so
/// no stale socket is left behind), killed when dropped.
struct TmuxServer {
    socket: std::path::PathBuf,
}

impl TmuxServer {
    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "kd"]).stdout).into_owned()
    }

    fn send(&self, keys: &[&str]) {
        for key in keys {
            assert!(self.tmux(&["send-keys", "-t", "kd", key]).status.success());
        }
    }

    fn wait_for(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if found(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn start(dir: &Path) -> TmuxServer {
    let server = TmuxServer {
        socket: dir.join("tmux.sock"),
    };
    let db = dir.join("keys.redb");
    keydesk::Store::open(&db).unwrap();
    // Looks like an SSH session without X forwarding: `auto` must choose OSC 52.
    let command = format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY SSH_CONNECTION='192.0.2.1 50000 192.0.2.2 22' KEYDESK_LANG=en XDG_CONFIG_HOME='{}' KEYDESK_DB='{}' '{BIN}'",
        common::NO_CONFIG_HOME,
        db.display()
    );
    let started = server.tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "kd",
        "-x",
        "80",
        "-y",
        "24",
        &command,
    ]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    assert!(
        server
            .tmux(&["set-option", "-g", "set-clipboard", "on"])
            .status
            .success()
    );
    server
}

/// Creates a key named `name` in the TUI and presses `c`; returns the key as
/// shown on screen once the copy was sent.
fn create_and_copy(server: &TmuxServer, name: &str) -> String {
    server.wait_for("the empty list", |s| s.contains("press n"));
    server.send(&["n"]);
    server.wait_for("the create dialog", |s| s.contains("I have agreed"));
    server.send(&["-l", name]);
    server.send(&["Tab", "Space", "Enter"]);
    let screen = server.wait_for("the new key", |s| find_secret(s).is_some());
    let shown = find_secret(&screen).unwrap();
    server.send(&["c"]);
    server.wait_for("the copy outcome", |s| s.contains("OSC 52"));
    shown
}

#[test]
fn a_copied_key_reaches_tmux_s_clipboard() {
    if !tmux_available() {
        common::skip("tmux is not installed, so copying through tmux cannot be tested");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let shown = create_and_copy(&server, "ssh-copy-test");
    let deadline = Instant::now() + Duration::from_secs(10);
    let buffer = loop {
        let out = server.tmux(&["show-buffer"]);
        if out.status.success() || Instant::now() > deadline {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        buffer, shown,
        "tmux's paste buffer must hold exactly the key shown on screen"
    );

    // Nothing of the escape sequence leaked onto the screen.
    let screen = server.screen();
    assert!(!screen.contains("]52;"), "{screen}");
    server.send(&["Enter", "q"]);
}

#[test]
fn quitting_replaces_the_key_in_tmux_s_newest_paste_buffer() {
    if !tmux_available() {
        common::skip("tmux is not installed, so clearing through tmux cannot be tested");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    // Keeps the server (and its paste buffers) after keydesk exits.
    assert!(
        server
            .tmux(&["set-option", "-g", "remain-on-exit", "on"])
            .status
            .success()
    );
    let shown = create_and_copy(&server, "tmux-clear-test");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.tmux(&["show-buffer"]).stdout != shown.as_bytes() {
        assert!(Instant::now() < deadline, "the key never reached tmux's paste buffer");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Quitting long before the 30 s clear: the clear is sent on the way out.
    server.send(&["Enter", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let newest = loop {
        let out = server.tmux(&["show-buffer"]).stdout;
        if out != shown.as_bytes() || Instant::now() > deadline {
            break String::from_utf8_lossy(&out).into_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        newest, " ",
        "tmux ignores an empty OSC 52, so the clear sets a single space"
    );
    // What stays behind, as docs/guide.md says (Copying the key): the key in an older buffer.
    let buffers =
        String::from_utf8_lossy(&server.tmux(&["list-buffers", "-F", "#{buffer_sample}"]).stdout).into_owned();
    assert_eq!(buffers.lines().collect::<Vec<_>>(), [" ", shown.as_str()], "{buffers}");
}
