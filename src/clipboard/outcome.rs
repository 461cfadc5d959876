//! What a copy or a clear did, in words the UI can show as is.
//!
//! OSC 52 cannot be confirmed — the terminal never answers — so outcomes keep
//! "confirmed" and "sent, hopefully" apart, and every unconfirmed or failed
//! outcome tells the user how to copy by hand.

use std::fmt;
use std::time::Duration;

use super::CopyKind;
use super::strategy::Multiplexer;
use super::system::SystemClipboardError;

/// The result of [`Clipboard::copy`](super::Clipboard::copy).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "the user should be told what happened to the copy"]
pub enum CopyOutcome {
    /// The system clipboard accepted the text.
    SystemClipboard {
        /// What was copied.
        kind: CopyKind,
        /// When the copy will be cleared, if it will.
        clears_after: Option<Duration>,
        /// The copy may vanish when keydesk exits (X11: the app serves it).
        ends_with_app: bool,
    },
    /// An OSC 52 sequence was written to the terminal; whether the terminal
    /// (or tmux, or screen) honoured it cannot be known.
    SentToTerminal {
        /// What was copied.
        kind: CopyKind,
        /// How the sequence was wrapped.
        multiplexer: Multiplexer,
        /// When a clear will be sent, if keydesk is still running then.
        clears_after: Option<Duration>,
        /// Set when this is the fallback after the system clipboard failed.
        system_error: Option<SystemClipboardError>,
    },
    /// `--clipboard off`: nothing was copied, on purpose.
    Disabled {
        /// What was not copied.
        kind: CopyKind,
    },
    /// Nothing could be copied.
    Failed {
        /// What was not copied.
        kind: CopyKind,
        /// Why, for the message.
        reason: String,
    },
}

impl CopyOutcome {
    /// The gist in one line that fits an 80-column status bar: where the
    /// copy went and, when that cannot be confirmed, the way to copy by hand.
    /// [`CopyOutcome::message`] has the whole story.
    pub fn brief(&self) -> String {
        match self {
            CopyOutcome::SystemClipboard { kind, .. } => tr!("clipboard-copied", kind = kind.tag()),
            CopyOutcome::SentToTerminal { kind, multiplexer, .. } => {
                let route = match multiplexer {
                    Multiplexer::Tmux => tr!("clipboard-brief-route-tmux"),
                    Multiplexer::Screen => tr!("clipboard-brief-route-screen"),
                    Multiplexer::Absent => tr!("clipboard-brief-route-terminal"),
                };
                tr!("clipboard-brief-sent", kind = kind.tag(), route = route)
            }
            CopyOutcome::Disabled { kind } => tr!("clipboard-brief-off", kind = kind.tag()),
            CopyOutcome::Failed { kind, .. } => tr!("clipboard-brief-failed", kind = kind.tag()),
        }
    }

    /// True only when the clipboard is known to hold the text.
    pub fn is_confirmed(&self) -> bool {
        matches!(self, CopyOutcome::SystemClipboard { .. })
    }

    /// The whole story, honest about what is known: where the copy went, its
    /// caveats, and how to copy by hand. [`CopyOutcome::brief`] is the
    /// one-line form.
    pub fn message(&self) -> String {
        match self {
            CopyOutcome::SystemClipboard {
                kind,
                clears_after,
                ends_with_app,
            } => {
                let kind = kind.tag();
                match (clears_after, ends_with_app) {
                    (None, false) => tr!("clipboard-copied", kind = kind),
                    (Some(delay), false) => tr!("clipboard-copied-clears", kind = kind, delay = human_delay(*delay)),
                    (None, true) => tr!("clipboard-copied-ends-with-app", kind = kind),
                    (Some(delay), true) => tr!(
                        "clipboard-copied-clears-ends-with-app",
                        kind = kind,
                        delay = human_delay(*delay)
                    ),
                }
            }
            CopyOutcome::SentToTerminal {
                kind,
                multiplexer,
                clears_after,
                system_error,
            } => {
                let route = match multiplexer {
                    Multiplexer::Tmux => tr!("clipboard-route-tmux"),
                    Multiplexer::Screen => tr!("clipboard-route-screen"),
                    Multiplexer::Absent => tr!("clipboard-route-terminal"),
                };
                let sent = if system_error.is_some() {
                    tr!("clipboard-sent-fallback", kind = kind.tag(), route = route)
                } else {
                    tr!("clipboard-sent", kind = kind.tag(), route = route)
                };
                match clears_after {
                    Some(delay) => sent + &tr!("clipboard-sent-clears", delay = human_delay(*delay)),
                    None => sent,
                }
            }
            CopyOutcome::Disabled { kind } => tr!("clipboard-off", kind = kind.tag()),
            CopyOutcome::Failed { kind, reason } => {
                tr!("clipboard-failed", kind = kind.tag(), reason = reason.as_str())
            }
        }
    }
}

impl fmt::Display for CopyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The result of a scheduled clear, from [`Clipboard::tick`](super::Clipboard::tick).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "the user may want to know the secret left the clipboard"]
pub enum ClearOutcome {
    /// The system clipboard still held the secret and was emptied.
    Cleared,
    /// The system clipboard holds something else now; it was left alone.
    LeftAlone,
    /// An empty OSC 52 selection was sent; the terminal cannot confirm it.
    SentToTerminal {
        /// How the sequence was wrapped.
        multiplexer: Multiplexer,
    },
    /// The clear could not be done.
    Failed {
        /// Why, for the message.
        reason: String,
    },
}

impl ClearOutcome {
    /// One line for the status bar.
    pub fn message(&self) -> String {
        match self {
            ClearOutcome::Cleared => tr!("clipboard-cleared"),
            ClearOutcome::LeftAlone => tr!("clipboard-left-alone"),
            ClearOutcome::SentToTerminal { multiplexer } => match multiplexer {
                // Checked with tmux 3.3a: the clear through tmux sets a single
                // space (tmux drops an empty OSC 52), which becomes tmux's
                // newest paste buffer; the key stays in the one before it.
                Multiplexer::Tmux => tr!("clipboard-cleared-tmux"),
                _ => tr!("clipboard-cleared-terminal"),
            },
            ClearOutcome::Failed { reason } => tr!("clipboard-clear-failed", reason = reason.as_str()),
        }
    }
}

impl fmt::Display for ClearOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// "30 s", "2 min", "90 s": short, exact, and readable in a status bar.
fn human_delay(delay: Duration) -> String {
    let seconds = delay.as_secs();
    if seconds >= 60 && seconds.is_multiple_of(60) {
        tr!("clipboard-delay-minutes", count = seconds / 60)
    } else if seconds == 0 {
        tr!("clipboard-delay-milliseconds", count = delay.as_millis() as u64)
    } else {
        tr!("clipboard-delay-seconds", count = seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_naturally() {
        assert_eq!(human_delay(Duration::from_secs(30)), "30 s");
        assert_eq!(human_delay(Duration::from_secs(90)), "90 s");
        assert_eq!(human_delay(Duration::from_secs(120)), "2 min");
        assert_eq!(human_delay(Duration::from_millis(500)), "500 ms");
    }

    #[test]
    fn system_copy_message_mentions_clearing_and_lifetime() {
        let outcome = CopyOutcome::SystemClipboard {
            kind: CopyKind::Secret,
            clears_after: Some(Duration::from_secs(30)),
            ends_with_app: true,
        };
        assert!(outcome.is_confirmed());
        assert_eq!(
            outcome.message(),
            "Copied the key to the clipboard (cleared in 30 s; it may not outlive keydesk)."
        );
        let id = CopyOutcome::SystemClipboard {
            kind: CopyKind::Identifier,
            clears_after: None,
            ends_with_app: false,
        };
        assert_eq!(id.message(), "Copied the ID to the clipboard.");
    }

    #[test]
    fn terminal_copy_message_is_honest() {
        let outcome = CopyOutcome::SentToTerminal {
            kind: CopyKind::Secret,
            multiplexer: Multiplexer::Absent,
            clears_after: None,
            system_error: None,
        };
        assert!(!outcome.is_confirmed());
        assert_eq!(
            outcome.message(),
            "Sent the key to your terminal's clipboard (OSC 52) — \
             if nothing was copied, select the key on screen."
        );
    }

    #[test]
    fn tmux_message_names_the_option_it_needs() {
        let outcome = CopyOutcome::SentToTerminal {
            kind: CopyKind::Identifier,
            multiplexer: Multiplexer::Tmux,
            clears_after: None,
            system_error: None,
        };
        assert!(outcome.message().contains("set-clipboard on"));
        assert!(outcome.message().contains("select the ID on screen"));
    }

    #[test]
    fn fallback_message_says_the_system_clipboard_was_missing() {
        let outcome = CopyOutcome::SentToTerminal {
            kind: CopyKind::Secret,
            multiplexer: Multiplexer::Absent,
            clears_after: Some(Duration::from_secs(30)),
            system_error: Some(SystemClipboardError::new("no X server")),
        };
        let message = outcome.message();
        assert!(message.starts_with("No system clipboard, so sent the key"), "{message}");
        assert!(message.ends_with("It is cleared in 30 s if keydesk is still running."));
    }

    #[test]
    fn disabled_and_failed_say_how_to_copy_by_hand() {
        let off = CopyOutcome::Disabled { kind: CopyKind::Secret };
        assert!(off.message().contains("--clipboard off"));
        assert!(off.message().contains("select the key on screen"));
        let failed = CopyOutcome::Failed {
            kind: CopyKind::Secret,
            reason: "broken pipe".to_owned(),
        };
        assert_eq!(
            failed.message(),
            "Could not copy the key: broken pipe. Select it on screen and copy it with your terminal."
        );
    }

    #[test]
    fn messages_come_in_chinese_with_the_words_for_a_key_or_an_id() {
        use crate::i18n::{Lang, with_lang};
        let secret = CopyOutcome::SystemClipboard {
            kind: CopyKind::Secret,
            clears_after: Some(Duration::from_secs(30)),
            ends_with_app: true,
        };
        let id = CopyOutcome::SentToTerminal {
            kind: CopyKind::Identifier,
            multiplexer: Multiplexer::Absent,
            clears_after: None,
            system_error: None,
        };
        with_lang(Lang::ZhCn, || {
            assert_eq!(
                secret.message(),
                "已将密钥复制到剪贴板（30 秒后清除；keydesk 退出后可能随之消失）。"
            );
            assert_eq!(
                id.message(),
                "已将 ID 发送到终端的剪贴板（OSC 52）——如果没有复制成功，请在屏幕上选中 ID。"
            );
            assert_eq!(human_delay(Duration::from_secs(120)), "2 分钟");
        });
    }

    #[test]
    fn clear_messages() {
        assert_eq!(ClearOutcome::Cleared.to_string(), "Cleared the key from the clipboard.");
        assert!(ClearOutcome::LeftAlone.message().contains("left alone"));
        let tmux = ClearOutcome::SentToTerminal {
            multiplexer: Multiplexer::Tmux,
        };
        assert!(tmux.message().contains("paste buffer"));
    }
}

#[cfg(test)]
mod brief_tests {
    use super::*;
    use crate::clipboard::CopyKind;

    #[test]
    fn every_brief_fits_an_80_column_status_bar() {
        for lang in crate::i18n::Lang::ALL {
            crate::i18n::with_lang(lang, briefs_fit_78_columns);
        }
    }

    fn briefs_fit_78_columns() {
        use unicode_width::UnicodeWidthStr;
        for kind in [CopyKind::Secret, CopyKind::Identifier] {
            let mut outcomes = vec![
                CopyOutcome::SystemClipboard {
                    kind,
                    clears_after: Some(Duration::from_secs(30)),
                    ends_with_app: true,
                },
                CopyOutcome::Disabled { kind },
                CopyOutcome::Failed {
                    kind,
                    reason: "no display".into(),
                },
            ];
            for multiplexer in [Multiplexer::Tmux, Multiplexer::Screen, Multiplexer::Absent] {
                outcomes.push(CopyOutcome::SentToTerminal {
                    kind,
                    multiplexer,
                    clears_after: None,
                    system_error: None,
                });
            }
            for outcome in outcomes {
                let brief = outcome.brief();
                // One leading space in the status bar, one spare column; a
                // Chinese character takes two.
                assert!(brief.width() <= 78, "{} columns: {brief}", brief.width());
            }
        }
    }
}
