//! Colours and emphasis. With colour off (`NO_COLOR`), every style keeps only
//! modifiers (bold, reversed, underlined, dim), so nothing depends on colour:
//! the selection and focused buttons stay reversed and marked with `>`.

//!
//! The theme also carries the [`Glyphs`] the views draw with, Unicode or
//! ASCII, chosen once at start like the colours.

use ratatui::style::{Color, Modifier, Style};

use super::glyphs::Glyphs;
use crate::display::columns::Tone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
    glyphs: &'static Glyphs,
}

impl Theme {
    /// Colour or not, drawn with Unicode glyphs.
    pub const fn new(color: bool) -> Self {
        Theme {
            color,
            glyphs: &Glyphs::UNICODE,
        }
    }

    /// The same colours, drawn with ASCII only.
    pub const fn ascii(self) -> Self {
        Theme {
            glyphs: &Glyphs::ASCII,
            ..self
        }
    }

    pub fn glyphs(&self) -> &'static Glyphs {
        self.glyphs
    }

    /// Colour unless the `NO_COLOR` environment variable is set to anything
    /// non-empty (<https://no-color.org>).
    pub fn from_env() -> Self {
        Theme::new(std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
    }

    pub fn has_color(&self) -> bool {
        self.color
    }

    fn fg(&self, style: Style, color: Color) -> Style {
        if self.color { style.fg(color) } else { style }
    }

    pub fn text(&self) -> Style {
        Style::new()
    }

    pub fn title(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn header(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Color::Cyan,
        )
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Red)
    }

    pub fn success(&self) -> Style {
        self.fg(Style::new(), Color::Green)
    }

    pub fn warning(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    pub fn flag(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    /// A key's state, one style each so a glance tells them apart. Without
    /// colour the words differ ("expired", "expires in 3d", "rotating, 5h"),
    /// and the two that need action are bold.
    pub fn status(&self, tone: Tone) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match tone {
            Tone::Active => self.fg(Style::new(), Color::Green),
            Tone::ExpiringSoon => self.fg(bold, Color::Yellow),
            Tone::Expired => self.fg(bold, Color::Red),
            Tone::Disabled => self.dim(),
            Tone::Rotating => self.fg(Style::new(), Color::Magenta),
        }
    }

    pub fn hint_key(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => Style::new(),
        }
    }

    pub fn button(&self, focused: bool) -> Style {
        if focused { self.selected() } else { Style::new() }
    }

    pub fn danger_button(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.selected(), Color::Red)
        } else {
            self.fg(Style::new(), Color::Red)
        }
    }

    pub fn secret(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TONES: [Tone; 5] = [
        Tone::Active,
        Tone::ExpiringSoon,
        Tone::Expired,
        Tone::Disabled,
        Tone::Rotating,
    ];

    #[test]
    fn every_key_state_has_its_own_style() {
        let t = Theme::new(true);
        let styles: std::collections::HashSet<_> = TONES.iter().map(|&tone| t.status(tone)).collect();
        assert_eq!(styles.len(), TONES.len(), "{styles:?}");
        assert_ne!(t.status(Tone::Expired), t.status(Tone::ExpiringSoon));
    }

    #[test]
    fn without_colour_no_style_sets_a_colour_and_selection_stays_visible() {
        let t = Theme::new(false);
        for style in [
            t.text(),
            t.title(),
            t.header(),
            t.selected(),
            t.dim(),
            t.error(),
            t.success(),
            t.warning(),
            t.flag(),
            t.hint_key(),
            t.border(true),
            t.button(true),
            t.danger_button(true),
            t.secret(),
        ] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        for tone in TONES {
            assert_eq!((t.status(tone).fg, t.status(tone).bg), (None, None), "{tone:?}");
        }
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        assert!(t.button(true).add_modifier.contains(Modifier::REVERSED));
    }
}
