//! The bytes between keydesk and its terminal, named once: what a user's
//! key presses send, and the sequences the TUI writes.

/// Keys, as a terminal sends them.
pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const CTRL_C: &str = "\x03";
pub const CTRL_U: &str = "\x15";
pub const CTRL_Z: &str = "\x1a";
/// Bracketed paste: what a terminal puts around pasted text.
pub const PASTE_START: &str = "\x1b[200~";
pub const PASTE_END: &str = "\x1b[201~";

/// What the TUI writes on entering and leaving the screen.
pub const ENTER_ALTERNATE_SCREEN: &str = "\x1b[?1049h";
pub const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";
pub const DISABLE_BRACKETED_PASTE: &str = "\x1b[?2004l";
pub const SHOW_CURSOR: &str = "\x1b[?25h";
