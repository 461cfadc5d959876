//! The clipboard module through its public API, as the TUI will use it:
//! an environment snapshot in, bytes on a terminal writer out.

// Named so that `cargo test clipboard` selects these tests too.
mod clipboard_public_api {
    use std::time::{Duration, Instant};

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use keydesk::clipboard::{
        ClearOutcome, Clipboard, ClipboardMode, ClipboardSettings, CopyKind, CopyOutcome, Environment, Multiplexer,
        Strategy,
    };

    const KEY: &str = "sk-9fQx2LmT7vR4sY8wZ1aB3cD5eF6gH0jK3KbiRv";

    fn over_ssh(tmux: bool) -> Environment {
        Environment {
            ssh_connection: Some("192.0.2.7 53422 192.0.2.1 22".into()),
            tmux: tmux.then(|| "/tmp/tmux-1000/default,4242,0".into()),
            term: Some("xterm-256color".into()),
            ..Environment::default()
        }
    }

    /// The text carried by the first OSC 52 in `bytes`.
    fn first_osc52_payload(bytes: &[u8]) -> Vec<u8> {
        let text = std::str::from_utf8(bytes).expect("ASCII");
        let start = text.find("\x1b]52;c;").expect("an OSC 52") + 7;
        let end = start + text[start..].find('\x07').expect("BEL-terminated");
        STANDARD.decode(&text[start..end]).expect("valid base64")
    }

    #[test]
    fn over_ssh_the_key_goes_to_the_terminal() {
        let mut clipboard = Clipboard::new(ClipboardSettings::default(), &over_ssh(false));
        assert_eq!(clipboard.strategy(), Strategy::Terminal(Multiplexer::Absent));
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        assert!(!outcome.is_confirmed());
        assert!(outcome.message().contains("if nothing was copied"));
        assert_eq!(first_osc52_payload(&terminal), KEY.as_bytes());
    }

    #[test]
    fn in_tmux_both_forms_carry_the_key() {
        let mut clipboard = Clipboard::new(ClipboardSettings::default(), &over_ssh(true));
        let mut terminal = Vec::new();
        let _ = clipboard.copy(KEY, CopyKind::Secret, Instant::now(), &mut terminal);
        let passthrough = terminal
            .windows(7)
            .position(|w| w == b"\x1bPtmux;")
            .expect("a tmux passthrough");
        assert_eq!(first_osc52_payload(&terminal[..passthrough]), KEY.as_bytes());
        assert_eq!(first_osc52_payload(&terminal[passthrough..]), KEY.as_bytes());
    }

    #[test]
    fn clear_is_sent_when_due_while_running() {
        let settings = ClipboardSettings {
            mode: ClipboardMode::Osc52,
            clear_after: Duration::from_secs(5),
        };
        let mut clipboard = Clipboard::new(settings, &Environment::default());
        let start = Instant::now();
        let mut terminal = Vec::new();
        let outcome = clipboard.copy(KEY, CopyKind::Secret, start, &mut terminal);
        assert!(matches!(
            outcome,
            CopyOutcome::SentToTerminal {
                clears_after: Some(_),
                ..
            }
        ));
        assert_eq!(clipboard.next_clear_at(), Some(start + Duration::from_secs(5)));

        terminal.clear();
        assert_eq!(clipboard.tick(start + Duration::from_secs(4), &mut terminal), None);
        assert_eq!(
            clipboard.tick(start + Duration::from_secs(5), &mut terminal),
            Some(ClearOutcome::SentToTerminal {
                multiplexer: Multiplexer::Absent
            })
        );
        assert_eq!(terminal, b"\x1b]52;c;\x07");
    }

    #[test]
    fn off_writes_nothing() {
        let settings = ClipboardSettings {
            mode: ClipboardMode::Off,
            ..ClipboardSettings::default()
        };
        let mut clipboard = Clipboard::new(settings, &over_ssh(true));
        let mut terminal = Vec::new();
        let outcome = clipboard.copy("key_01HZX", CopyKind::Identifier, Instant::now(), &mut terminal);
        assert_eq!(
            outcome,
            CopyOutcome::Disabled {
                kind: CopyKind::Identifier
            }
        );
        assert!(terminal.is_empty());
    }
}
