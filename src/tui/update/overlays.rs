//! The help and agreement overlays: scrolling within range, and closing.

use crate::tui::app::{App, Overlay};
use crate::tui::event::Command;
use crate::tui::keymap::Action;
use crate::tui::layout;

pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Command> {
    let (max, page) = match app.overlay {
        Some(Overlay::Help { screen, .. }) => layout::help_scroll_limits(app.terminal_size, screen),
        Some(Overlay::Agreement { .. }) => layout::agreement_scroll_limits(app.terminal_size),
        None => return Vec::new(),
    };
    let Some(Overlay::Help { scroll, .. } | Overlay::Agreement { scroll }) = &mut app.overlay else {
        return Vec::new();
    };
    match action {
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::MoveDown => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::PageDown => *scroll = scroll.saturating_add(page),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = max,
        Action::Close | Action::Help => {
            app.overlay = None;
            return Vec::new();
        }
        _ => {}
    }
    *scroll = (*scroll).min(max);
    Vec::new()
}
