//! keydesk: manage the API keys of an AI service from the terminal.

pub mod clipboard;
