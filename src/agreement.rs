//! The API key agreement a user accepts before a key is made, shipped in
//! `assets/` so it can be reviewed and changed without touching code.

pub const TEXT: &str = include_str!("../assets/agreement.txt");
