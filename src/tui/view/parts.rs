//! A dialog's rows as one list of parts, each its number of rows and how it
//! draws them. The dialog's height is the sum of its parts, so the height a
//! dialog asks for and the rows it draws cannot disagree, as they could
//! while each dialog added its height up by hand beside the code drawing it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::Rows;
use crate::tui::mouse::{HitMap, Target};

/// Draws a part into the rows it was given (cut short where the dialog
/// ends, so possibly none); returns where the cursor goes, if there.
type Draw<'a> = Box<dyn FnOnce(&mut Buffer, Rect, &mut HitMap) -> Option<Position> + 'a>;

/// The parts of a dialog, top to bottom.
#[derive(Default)]
pub struct Parts<'a> {
    parts: Vec<(u16, Draw<'a>)>,
}

impl<'a> Parts<'a> {
    pub fn new() -> Self {
        Parts::default()
    }

    /// `height` rows, drawn by `draw`.
    pub fn rows(&mut self, height: u16, draw: impl FnOnce(&mut Buffer, Rect, &mut HitMap) -> Option<Position> + 'a) {
        self.parts.push((height, Box::new(draw)));
    }

    /// One line of text.
    pub fn line(&mut self, line: Line<'a>) {
        self.rows(1, move |buf, row, _| {
            if !row.is_empty() {
                line.render(row, buf);
            }
            None
        });
    }

    /// An empty row, between groups.
    pub fn blank(&mut self) {
        self.rows(1, |_, _, _| None);
    }

    /// The parts `add` adds, as one click target: a click on any of their
    /// rows goes to `target`.
    pub fn clickable(&mut self, target: Target, add: impl FnOnce(&mut Self)) {
        let first = self.parts.len();
        add(self);
        for (_, draw) in &mut self.parts[first..] {
            let inner: Draw<'a> = std::mem::replace(draw, Box::new(|_, _, _| None));
            *draw = Box::new(move |buf, rows, hits| {
                hits.add(rows, target);
                inner(buf, rows, hits)
            });
        }
    }

    /// Rows all the parts take.
    pub fn height(&self) -> u16 {
        self.parts.iter().map(|&(height, _)| height).sum()
    }

    /// Draws the parts one under the other from the top of `area`; the rows
    /// past its bottom are dropped. Returns the cursor of the first part
    /// that places it.
    pub fn draw(self, buf: &mut Buffer, area: Rect, hits: &mut HitMap) -> Option<Position> {
        let mut rows = Rows::new(area);
        let mut cursor = None;
        for (height, draw) in self.parts {
            let placed = draw(buf, rows.take(height), hits);
            cursor = cursor.or(placed);
        }
        cursor
    }
}
