//! Judging the place keydesk runs in: the clipboard route a copy would take
//! here, and the terminal (present, its locale, colours, mouse). None of it
//! stops keydesk working (a key can be selected on screen; the subcommands
//! need no terminal), so the worst is information
//! ([`Check::is_surroundings`]).

use super::facts::{Surroundings, TmuxOptions};
use super::finding::{Check, Finding};
use crate::clipboard::{ClipboardMode, Multiplexer, Strategy};

pub fn clipboard(s: &Surroundings) -> Finding {
    let env = &s.environment;
    match Strategy::choose(s.clipboard.value, env) {
        Strategy::Off => Finding::info(
            Check::Clipboard,
            tr!("doctor-clip-off", source = s.clipboard.source.to_string()),
            tr!("doctor-clip-use-auto"),
        ),
        Strategy::SystemOnly if env.has_display() => Finding::ok(Check::Clipboard, tr!("doctor-clip-system")),
        Strategy::SystemOnly => Finding::info(
            Check::Clipboard,
            tr!("doctor-clip-system-no-display"),
            tr!("doctor-clip-use-auto"),
        ),
        Strategy::SystemThenTerminal(_) => Finding::ok(Check::Clipboard, tr!("doctor-clip-desktop")),
        Strategy::Terminal(Multiplexer::Tmux) => tmux_route(s.tmux.as_ref()),
        Strategy::Terminal(Multiplexer::Screen) => Finding::ok(Check::Clipboard, tr!("doctor-clip-screen")),
        Strategy::Terminal(Multiplexer::Absent) if env.in_ssh_session() => {
            Finding::ok(Check::Clipboard, tr!("doctor-clip-ssh"))
        }
        Strategy::Terminal(Multiplexer::Absent) if s.clipboard.value == ClipboardMode::Osc52 => {
            Finding::ok(Check::Clipboard, tr!("doctor-clip-osc52"))
        }
        Strategy::Terminal(Multiplexer::Absent) => {
            Finding::info(Check::Clipboard, tr!("doctor-clip-none"), tr!("doctor-clip-none-fix"))
        }
    }
}

/// tmux passes an application's OSC 52 on to the terminal only with
/// `set-clipboard on`; `external` (its default) and `off` keep it.
fn tmux_route(tmux: Option<&Result<TmuxOptions, String>>) -> Finding {
    match tmux {
        Some(Ok(options)) if options.set_clipboard == "on" => Finding::ok(Check::Clipboard, tr!("doctor-clip-tmux-on")),
        Some(Ok(options)) => Finding::info(
            Check::Clipboard,
            tr!("doctor-clip-tmux-off", value = options.set_clipboard.clone()),
            tr!("doctor-clip-tmux-fix"),
        ),
        Some(Err(error)) => Finding::info(
            Check::Clipboard,
            tr!("doctor-clip-tmux-unknown", error = error.clone()),
            tr!("doctor-clip-tmux-fix"),
        ),
        None => Finding::info(
            Check::Clipboard,
            tr!("doctor-clip-tmux-unknown", error = "-"),
            tr!("doctor-clip-tmux-fix"),
        ),
    }
}

pub fn terminal(s: &Surroundings) -> Vec<Finding> {
    vec![present(s), locale(s), colours(s), mouse(s)]
}

fn present(s: &Surroundings) -> Finding {
    let term = s.environment.term.clone().unwrap_or_default();
    if !(s.stdin_terminal && s.stdout_terminal) {
        return Finding::info(Check::Terminal, tr!("doctor-term-none"), tr!("doctor-term-none-fix"));
    }
    if term == "dumb" {
        return Finding::info(Check::Terminal, tr!("doctor-term-dumb"), tr!("doctor-term-dumb-fix"));
    }
    Finding::ok(Check::Terminal, tr!("doctor-term-present", term = term))
}

fn locale(s: &Surroundings) -> Finding {
    match &s.locale {
        None => Finding::info(
            Check::TerminalLocale,
            tr!("doctor-locale-unset"),
            tr!("doctor-locale-fix"),
        ),
        Some(locale) if !locale.utf8 => Finding::info(
            Check::TerminalLocale,
            tr!(
                "doctor-locale-not-utf8",
                variable = locale.variable,
                value = locale.value.clone()
            ),
            tr!("doctor-locale-fix"),
        ),
        Some(locale) => Finding::ok(
            Check::TerminalLocale,
            tr!(
                "doctor-locale-utf8",
                variable = locale.variable,
                value = locale.value.clone()
            ),
        ),
    }
}

fn colours(s: &Surroundings) -> Finding {
    if !s.color.value {
        return Finding::info(
            Check::TerminalColours,
            tr!("doctor-colour-off", source = s.color.source.to_string()),
            tr!("doctor-colour-off-fix"),
        );
    }
    let term = s.environment.term.as_deref().unwrap_or_default();
    let message = match s.colorterm.as_deref() {
        Some("truecolor" | "24bit") => tr!("doctor-colour-24bit"),
        _ if term.contains("256color") => tr!("doctor-colour-256"),
        _ => tr!("doctor-colour-basic"),
    };
    Finding::ok(Check::TerminalColours, message)
}

/// Inside tmux the mouse reaches keydesk only with tmux's `mouse on`.
fn mouse(s: &Surroundings) -> Finding {
    if !s.mouse.value {
        return Finding::info(
            Check::TerminalMouse,
            tr!("doctor-mouse-off", source = s.mouse.source.to_string()),
            tr!("doctor-mouse-off-fix"),
        );
    }
    match &s.tmux {
        Some(Ok(options)) if options.mouse != "on" => Finding::info(
            Check::TerminalMouse,
            tr!("doctor-mouse-tmux-off"),
            tr!("doctor-mouse-tmux-fix"),
        ),
        _ => Finding::ok(Check::TerminalMouse, tr!("doctor-mouse-on")),
    }
}
