//! Deciding how a copy travels to the user's clipboard.
//!
//! The decision is a pure function of [`ClipboardMode`] and an [`Environment`]
//! snapshot, so every setup (desktop, SSH, tmux, screen…) can be tested without
//! touching the real process environment.

use super::ClipboardMode;

/// The environment variables that decide how a copy can reach the user.
///
/// Captured once by [`Environment::from_process`]; tests build it by hand.
/// Empty values count as unset, as shells often leave `DISPLAY=` behind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// `DISPLAY`: an X11 server (or XWayland) where a clipboard can be owned.
    pub display: Option<String>,
    /// `WAYLAND_DISPLAY`: a Wayland compositor.
    pub wayland_display: Option<String>,
    /// `SSH_CONNECTION`, set by sshd for the remote session.
    pub ssh_connection: Option<String>,
    /// `SSH_CLIENT`, the older form of `SSH_CONNECTION`.
    pub ssh_client: Option<String>,
    /// `SSH_TTY`, set by sshd when it allocated a terminal.
    pub ssh_tty: Option<String>,
    /// `TMUX`, set inside a tmux pane.
    pub tmux: Option<String>,
    /// `STY`, set inside a GNU screen window.
    pub sty: Option<String>,
    /// `TERM`, the terminal type the application talks to.
    pub term: Option<String>,
    /// Whether the platform has a clipboard that needs no display variable
    /// (macOS, Windows). Not an environment variable, but part of the same
    /// decision, so it lives in the snapshot.
    pub native_clipboard: bool,
}

impl Environment {
    /// Reads the relevant variables from the running process.
    ///
    /// This is the only place the module looks at `std::env`.
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        Self {
            display: var("DISPLAY"),
            wayland_display: var("WAYLAND_DISPLAY"),
            ssh_connection: var("SSH_CONNECTION"),
            ssh_client: var("SSH_CLIENT"),
            ssh_tty: var("SSH_TTY"),
            tmux: var("TMUX"),
            sty: var("STY"),
            term: var("TERM"),
            native_clipboard: cfg!(any(target_os = "macos", windows)),
        }
    }

    /// True inside an SSH session: the system clipboard here is the server's,
    /// not the user's, even when X11 forwarding provides a `DISPLAY`.
    pub fn in_ssh_session(&self) -> bool {
        is_set(&self.ssh_connection) || is_set(&self.ssh_client) || is_set(&self.ssh_tty)
    }

    /// True when a system clipboard can exist on this machine.
    pub fn has_display(&self) -> bool {
        self.native_clipboard || is_set(&self.display) || is_set(&self.wayland_display)
    }

    /// The terminal multiplexer between us and the user's terminal, as far as
    /// the environment can tell.
    pub fn multiplexer(&self) -> Multiplexer {
        if is_set(&self.tmux) {
            Multiplexer::Tmux
        } else if is_set(&self.sty) || self.term_is_screen() {
            Multiplexer::Screen
        } else {
            Multiplexer::Absent
        }
    }

    fn term_is_screen(&self) -> bool {
        self.term.as_deref().is_some_and(|t| t.starts_with("screen"))
    }
}

fn is_set(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty())
}

/// What sits between keydesk and the user's terminal emulator; it decides
/// how an OSC 52 sequence must be wrapped to get through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplexer {
    /// Nothing known: the sequence goes to the terminal as is.
    Absent,
    /// tmux (`$TMUX` set). tmux keeps an application's OSC 52 in a paste
    /// buffer and forwards it only with `set-clipboard on`.
    Tmux,
    /// GNU screen: `$STY` set, or `TERM=screen*` without `$TMUX` (as seen
    /// over SSH from inside screen). screen ignores OSC 52, so the sequence
    /// is tunnelled to the outer terminal in DCS passthrough strings. That
    /// `TERM` may also come from an older tmux, whose default it was; the
    /// screen encoding is chosen to work there too for short texts.
    Screen,
}

/// How [`Clipboard`](super::Clipboard) delivers copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Local desktop: the system clipboard, falling back to OSC 52 through
    /// the given multiplexer when the system clipboard fails.
    SystemThenTerminal(Multiplexer),
    /// `--clipboard system`: the system clipboard only, failures reported.
    SystemOnly,
    /// SSH, no display, or `--clipboard osc52`: an OSC 52 sequence written to
    /// the terminal, wrapped for the given multiplexer.
    Terminal(Multiplexer),
    /// `--clipboard off`: never copy.
    Off,
}

impl Strategy {
    /// Picks the delivery for `mode` in `env`.
    ///
    /// In `auto`, SSH wins over a forwarded `DISPLAY`: that display belongs
    /// to the user's machine only in name, and copying there would silently
    /// miss the clipboard the user pastes from.
    pub fn choose(mode: ClipboardMode, env: &Environment) -> Self {
        match mode {
            ClipboardMode::Off => Strategy::Off,
            ClipboardMode::System => Strategy::SystemOnly,
            ClipboardMode::Osc52 => Strategy::Terminal(env.multiplexer()),
            ClipboardMode::Auto => {
                if !env.in_ssh_session() && env.has_display() {
                    Strategy::SystemThenTerminal(env.multiplexer())
                } else {
                    Strategy::Terminal(env.multiplexer())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn x11_desktop() -> Environment {
        Environment {
            display: s(":0"),
            term: s("xterm-256color"),
            ..Environment::default()
        }
    }

    fn ssh(env: Environment) -> Environment {
        Environment {
            ssh_connection: s("192.0.2.7 53422 192.0.2.1 22"),
            ssh_client: s("192.0.2.7 53422 22"),
            ssh_tty: s("/dev/pts/3"),
            ..env
        }
    }

    fn auto(env: &Environment) -> Strategy {
        Strategy::choose(ClipboardMode::Auto, env)
    }

    #[test]
    fn x11_desktop_uses_the_system_clipboard() {
        assert_eq!(auto(&x11_desktop()), Strategy::SystemThenTerminal(Multiplexer::Absent));
    }

    #[test]
    fn wayland_desktop_uses_the_system_clipboard() {
        let env = Environment {
            wayland_display: s("wayland-0"),
            term: s("foot"),
            ..Environment::default()
        };
        assert_eq!(auto(&env), Strategy::SystemThenTerminal(Multiplexer::Absent));
    }

    #[test]
    fn macos_and_windows_need_no_display_variable() {
        let env = Environment {
            native_clipboard: true,
            term: s("xterm-256color"),
            ..Environment::default()
        };
        assert_eq!(auto(&env), Strategy::SystemThenTerminal(Multiplexer::Absent));
    }

    #[test]
    fn ssh_with_x11_forwarding_still_uses_osc52() {
        let env = ssh(Environment {
            display: s("localhost:10.0"),
            ..x11_desktop()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Absent));
    }

    #[test]
    fn ssh_without_display_uses_osc52() {
        let env = ssh(Environment {
            term: s("xterm-256color"),
            ..Environment::default()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Absent));
    }

    #[test]
    fn any_one_ssh_variable_counts_as_ssh() {
        for env in [
            Environment {
                ssh_connection: s("a b c d"),
                ..x11_desktop()
            },
            Environment {
                ssh_client: s("a b c"),
                ..x11_desktop()
            },
            Environment {
                ssh_tty: s("/dev/pts/0"),
                ..x11_desktop()
            },
        ] {
            assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Absent), "{env:?}");
        }
    }

    #[test]
    fn no_display_uses_osc52() {
        let env = Environment {
            term: s("linux"),
            ..Environment::default()
        };
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Absent));
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = Environment {
            display: s(""),
            wayland_display: s(""),
            ssh_connection: s(""),
            tmux: s(""),
            sty: s(""),
            ..Environment::default()
        };
        assert!(!env.has_display());
        assert!(!env.in_ssh_session());
        assert_eq!(env.multiplexer(), Multiplexer::Absent);
    }

    #[test]
    fn tmux_over_ssh_wraps_for_tmux() {
        let env = ssh(Environment {
            tmux: s("/tmp/tmux-1000/default,4242,0"),
            term: s("tmux-256color"),
            ..Environment::default()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Tmux));
    }

    #[test]
    fn tmux_on_a_desktop_keeps_tmux_for_the_fallback() {
        let env = Environment {
            tmux: s("/tmp/tmux-1000/default,4242,0"),
            term: s("screen-256color"),
            ..x11_desktop()
        };
        assert_eq!(auto(&env), Strategy::SystemThenTerminal(Multiplexer::Tmux));
    }

    #[test]
    fn screen_session_wraps_for_screen() {
        let env = ssh(Environment {
            sty: s("12345.pts-0.host"),
            term: s("screen.xterm-256color"),
            ..Environment::default()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Screen));
    }

    #[test]
    fn screen_term_without_sty_wraps_for_screen() {
        let env = ssh(Environment {
            term: s("screen-256color"),
            ..Environment::default()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Screen));
    }

    #[test]
    fn tmux_term_without_tmux_variable_needs_no_wrapping() {
        // SSH from inside a local tmux: the remote side sees only TERM, and
        // the local tmux takes a plain OSC 52.
        let env = ssh(Environment {
            term: s("tmux-256color"),
            ..Environment::default()
        });
        assert_eq!(auto(&env), Strategy::Terminal(Multiplexer::Absent));
    }

    #[test]
    fn tmux_wins_over_screen_variables() {
        let env = Environment {
            tmux: s("/tmp/tmux-1000/default,1,0"),
            sty: s("1.pts-0.host"),
            term: s("screen"),
            ..Environment::default()
        };
        assert_eq!(env.multiplexer(), Multiplexer::Tmux);
    }

    #[test]
    fn forced_modes_ignore_the_environment_choice() {
        let desktop = x11_desktop();
        let remote = ssh(Environment {
            tmux: s("/tmp/tmux-1000/default,1,0"),
            ..Environment::default()
        });
        for env in [&desktop, &remote] {
            assert_eq!(Strategy::choose(ClipboardMode::Off, env), Strategy::Off);
            assert_eq!(Strategy::choose(ClipboardMode::System, env), Strategy::SystemOnly);
        }
        assert_eq!(
            Strategy::choose(ClipboardMode::Osc52, &desktop),
            Strategy::Terminal(Multiplexer::Absent)
        );
        assert_eq!(
            Strategy::choose(ClipboardMode::Osc52, &remote),
            Strategy::Terminal(Multiplexer::Tmux)
        );
    }

    #[test]
    fn from_process_reads_without_panicking() {
        // Only checks the constructor runs; the values depend on the machine.
        let env = Environment::from_process();
        assert_eq!(env.native_clipboard, cfg!(any(target_os = "macos", windows)));
    }
}
