//! The TUI on a terminal whose locale is not UTF-8, as on a minimal server
//! where `LANG`, `LC_ALL` and `LC_CTYPE` are unset: it must write ASCII only,
//! since a multiplexer such as GNU screen decodes by the locale and turns
//! every byte above 127 into garbage. Once in a pseudo-terminal, reading
//! every byte keydesk wrote, and once through the real GNU screen, reading
//! back what screen itself shows. Every wait polls with a generous deadline.

use crate::common;
use common::terminal::ESC;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::session::Session;
use common::{BIN, NO_CONFIG_HOME, database_with_keys};
use portable_pty::CommandBuilder;

/// keydesk on `db` in the POSIX locale: `LANG` as given (`None`: unset),
/// `LC_ALL`, `LC_CTYPE` and every language setting removed.
fn in_locale(db: &Path, lang: Option<&str>, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(["--utc-offset", "+08:00", "--clipboard", "osc52"]);
    cmd.args(args);
    cmd.env("KEYDESK_DB", db);
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_CONFIG_HOME", NO_CONFIG_HOME);
    for name in ["KEYDESK_LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANG", "NO_COLOR"] {
        cmd.env_remove(name);
    }
    if let Some(lang) = lang {
        cmd.env("LANG", lang);
    }
    cmd
}

fn assert_all_ascii(tui: &Session) {
    let stray: Vec<_> = tui
        .raw
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii())
        .take(8)
        .collect();
    assert!(
        stray.is_empty(),
        "bytes above 127 written (offset, byte): {stray:?}\n{}",
        tui.screen()
    );
}

#[test]
fn with_lang_c_the_screen_and_the_create_dialog_are_ascii_and_whole() {
    let (_dir, db) = database_with_keys(&["生产-gateway_01"]);
    let mut tui = Session::spawn(in_locale(&db, Some("C"), &[]), 80, 24);
    tui.wait_for("keydesk | keys.redb | 1 key");
    // The row, once drawn (the header comes first in a frame).
    let screen = tui.wait_for("gateway_01");
    assert!(tui.row_with("gateway_01").contains("??-gateway_01"), "{screen}");
    tui.send("n");
    tui.wait_for("+ Create API key -");
    tui.send("ascii-key");
    // A character outside ASCII typed into the name shows as `?`.
    tui.send("键");
    let screen = tui.wait_for_screen("the typed name, valid", |s| {
        s.contains("|ascii-key? ") && s.contains("+ valid name")
    });
    for part in [
        "| > Name",
        "[ ] I have agreed",
        "Ctrl-O read the agreement",
        "< Never >",
        "[ OK ]   [ Cancel ]",
    ] {
        assert!(screen.contains(part), "{part:?} missing:\n{screen}");
    }
    let title = tui.row_with("Create API key");
    assert!(title.trim_end().ends_with('+'), "top border: {title:?}");
    let below_title = screen.lines().skip_while(|l| !l.contains("Create API key")).skip(1);
    let bottom = below_title.map(str::trim).find(|l| !l.starts_with('|'));
    let whole = bottom.is_some_and(|l| l.starts_with("+---") && l.ends_with("-+"));
    assert!(whole, "bottom: {bottom:?}\n{screen}");
    assert!(tui.row(23).contains("Tab next"), "hints:\n{screen}");
    assert_all_ascii(&tui);
    tui.send(ESC);
    tui.wait_gone("Create API key");
    tui.send("q");
    // Leaving the screen too.
    assert_eq!(tui.wait_exit(), 0);
    assert_all_ascii(&tui);
}

#[test]
fn chinese_with_no_locale_falls_back_to_english_and_says_why() {
    let (_dir, db) = database_with_keys(&["alpha"]);
    let mut tui = Session::spawn(in_locale(&db, None, &["--lang", "zh-CN"]), 80, 24);
    tui.wait_for("keydesk | keys.redb | 1 key");
    tui.wait_for("Chinese needs a UTF-8 terminal");
    assert_all_ascii(&tui);
    tui.send("q");
    tui.expect_clean_exit();
}

#[test]
fn ascii_flag_and_unicode_setting_override_the_locale() {
    let (dir, db) = database_with_keys(&["alpha"]);
    let mut forced = Session::spawn(in_locale(&db, Some("C.UTF-8"), &["--ascii"]), 80, 24);
    forced.wait_for("keydesk | keys.redb | 1 key");
    assert_all_ascii(&forced);
    forced.send("q");
    forced.expect_clean_exit();

    let config = dir.path().join("config.toml");
    std::fs::write(&config, "unicode = true\n").unwrap();
    let config = config.to_str().unwrap();
    let mut unicode = Session::spawn(in_locale(&db, Some("C"), &["--config", config]), 80, 24);
    unicode.wait_for("keydesk · keys.redb · 1 key");
    unicode.send("q");
    unicode.expect_clean_exit();
}

/// How long GNU screen may take to start keydesk and show what was asked, on
/// a loaded machine.
const SCREEN_DEADLINE: Duration = Duration::from_secs(60);

/// A GNU screen session running keydesk, detached (`-D -m`: screen stays in
/// the foreground as this child and ends with keydesk); ended when dropped.
struct GnuScreen {
    name: String,
    dir: tempfile::TempDir,
    child: Child,
}

impl GnuScreen {
    fn start(db: &Path) -> GnuScreen {
        let dir = tempfile::tempdir().unwrap();
        let sockets = dir.path().join("sockets");
        std::fs::create_dir(&sockets).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sockets, std::fs::Permissions::from_mode(0o700)).unwrap();
        let name = format!("keydesk-ascii-{}", std::process::id());
        let mut command = Command::new("screen");
        command
            .args([
                "-D",
                "-m",
                "-S",
                &name,
                BIN,
                "--utc-offset",
                "+08:00",
                "--clipboard",
                "osc52",
            ])
            .env("SCREENDIR", &sockets)
            .env("KEYDESK_DB", db)
            .env("TERM", "xterm")
            .env("XDG_CONFIG_HOME", NO_CONFIG_HOME)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // The POSIX locale: what a minimal server image has.
        for name in [
            "KEYDESK_LANG",
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "LANG",
            "NO_COLOR",
            "STY",
        ] {
            command.env_remove(name);
        }
        let child = command.spawn().expect("GNU screen starts");
        GnuScreen { name, dir, child }
    }

    /// `screen -X`: a command to the session; false when it is not (yet)
    /// there to take it.
    fn command(&self, args: &[&str]) -> bool {
        Command::new("screen")
            .args(["-S", &self.name, "-X"])
            .args(args)
            .env("SCREENDIR", self.dir.path().join("sockets"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn type_keys(&self, keys: &str) {
        assert!(self.command(&["stuff", keys]), "screen took the keys {keys:?}");
    }

    /// What screen shows now, through its own `hardcopy`: screen's
    /// decoding, not keydesk's output.
    fn hardcopy(&self) -> Option<Vec<u8>> {
        let file: PathBuf = self.dir.path().join("hardcopy.txt");
        let _ = std::fs::remove_file(&file);
        if !self.command(&["hardcopy", file.to_str().unwrap()]) {
            return None;
        }
        std::fs::read(&file).ok()
    }

    /// Polls the hardcopy until `ready` holds; panics with the last one
    /// after the deadline.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + SCREEN_DEADLINE;
        let mut last = String::new();
        loop {
            if let Some(bytes) = self.hardcopy() {
                last = String::from_utf8_lossy(&bytes).into_owned();
                if ready(&last) {
                    return last;
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen shows:\n{last}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for GnuScreen {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.command(&["quit"]);
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn screen_is_installed() -> bool {
    Command::new("screen").arg("-v").output().is_ok()
}

#[test]
fn through_gnu_screen_in_the_posix_locale_the_create_dialog_is_intact() {
    if !screen_is_installed() {
        eprintln!("SKIPPED: GNU screen is not installed (Debian package `screen`; CI installs it)");
        return;
    }
    let (_dir, db) = database_with_keys(&["ci-runner"]);
    let screen = GnuScreen::start(&db);
    let shown = screen.wait_for("the key list", |s| {
        s.contains("keydesk | keys.redb | 1 key") && s.contains("ci-runner")
    });
    assert!(shown.is_ascii(), "{shown}");
    screen.type_keys("n");
    let shown = screen.wait_for("the create dialog", |s| s.contains("Tab next"));
    let lines: Vec<&str> = shown.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("+ Create API key -"))
        .unwrap_or_else(|| panic!("no top border:\n{shown}"));
    let bottom = (lines.iter().skip(top + 1))
        .position(|l| l.trim().starts_with("+---"))
        .map(|i| top + 1 + i)
        .unwrap_or_else(|| panic!("no bottom border:\n{shown}"));
    for line in &lines[top + 1..bottom] {
        let line = line.trim();
        assert!(
            line.starts_with('|') && line.ends_with('|'),
            "a side border is broken: {line:?}\n{shown}"
        );
    }
    let dialog = lines[top..=bottom].join("\n");
    for part in [
        "| > Name",
        "[ ] I have agreed to the agreement",
        "< Never >",
        "[ OK ]   [ Cancel ]",
    ] {
        assert!(dialog.contains(part), "{part:?} missing:\n{shown}");
    }
    assert!(shown.is_ascii(), "{shown}");
    screen.type_keys(ESC);
    screen.wait_for("the dialog to close", |s| !s.contains("Create API key"));
    screen.type_keys("q");
    let deadline = Instant::now() + SCREEN_DEADLINE;
    let mut screen = screen;
    while screen.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "screen did not end with keydesk");
        std::thread::sleep(Duration::from_millis(100));
    }
}
