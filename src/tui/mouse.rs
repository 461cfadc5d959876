//! The mouse: where the last frame drew each clickable thing, and what a
//! click or a turn of the wheel there means.
//!
//! The view records a [`Target`] for every rectangle it draws that a click
//! can act on, while it draws it, into a [`HitMap`]. The event loop keeps the
//! last frame's map and turns a click's cell into the target under it, so a
//! click can only ever hit what is on screen — there is no second copy of the
//! geometry to drift from the drawing. The update function then handles
//! [`Mouse`] events, which are plain data, like keys.

use ratatui::layout::{Position, Rect};

use super::app::{CreateFocus, DeleteFocus, PolicyFocus, SortColumn};
use super::keymap::Action;

/// Something on screen that a click acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A key in the table, by its row in the view (sorted and filtered).
    Row(usize),
    /// A row's `⋯`: select it and open its actions menu.
    RowActions(usize),
    /// A sortable column's header: sort by it, or reverse it.
    Header(SortColumn),
    /// An item of the actions menu, by position.
    MenuItem(usize),
    /// A part of the create dialog: a button, the agreement box, the name.
    CreateField(CreateFocus),
    /// A button of the delete dialog.
    DeleteButton(DeleteFocus),
    /// A key in the clean-up view, by its row there.
    CleanupRow(usize),
    /// A key named in a dialog's line of keys ("Enter save"): a click does
    /// what pressing it does on the screen it is shown on.
    Press(Action),
    /// One of the rotate dialog's grace periods, by position.
    Grace(usize),
    /// The expiry field's `‹` (previous choice) or `›` (next), in the create
    /// and "Set expiry" dialogs.
    ExpiryStep(Action),
    /// The expiry field's date input.
    ExpiryDate,
    /// A part of the policy dialog: a rule's field, or a button.
    PolicyField(PolicyFocus),
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    WheelUp,
    WheelDown,
}

/// A mouse event as the update function sees it: what happened, over what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub target: Option<Target>,
}

/// A mouse event as the terminal reports it, before it is placed on the
/// last frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMouse {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

/// How many rows one notch of the wheel moves.
pub const WHEEL_ROWS: isize = 3;

/// The clickable rectangles of one frame, in drawing order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    regions: Vec<(Rect, Target)>,
}

impl HitMap {
    pub fn add(&mut self, area: Rect, target: Target) {
        if !area.is_empty() {
            self.regions.push((area, target));
        }
    }

    /// Forgets everything: a dialog drawn over the screen makes what is
    /// under it unclickable (it is modal for the keyboard too).
    pub fn clear(&mut self) {
        self.regions.clear();
    }

    /// The target at a cell: the last drawn wins, as it is on top.
    pub fn at(&self, column: u16, row: u16) -> Option<Target> {
        let cell = Position::new(column, row);
        self.regions
            .iter()
            .rev()
            .find(|(area, _)| area.contains(cell))
            .map(|&(_, target)| target)
    }

    /// Places a terminal's mouse event on this frame.
    pub fn resolve(&self, raw: RawMouse) -> Mouse {
        Mouse {
            kind: raw.kind,
            target: self.at(raw.column, raw.row),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_drawn_region_is_the_one_clicked() {
        let mut hits = HitMap::default();
        hits.add(Rect::new(0, 0, 80, 10), Target::Row(0));
        hits.add(Rect::new(10, 2, 20, 3), Target::MenuItem(1));
        assert_eq!(hits.at(15, 3), Some(Target::MenuItem(1)));
        assert_eq!(hits.at(5, 3), Some(Target::Row(0)));
        assert_eq!(hits.at(5, 10), None);
    }

    #[test]
    fn a_cleared_map_hits_nothing_and_empty_regions_are_never_hit() {
        let mut hits = HitMap::default();
        hits.add(Rect::new(0, 0, 0, 5), Target::Row(3));
        assert_eq!(hits.at(0, 0), None);
        hits.add(Rect::new(0, 0, 5, 5), Target::Row(3));
        hits.clear();
        assert_eq!(hits.at(1, 1), None);
    }
}
