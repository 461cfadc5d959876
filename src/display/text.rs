//! Text measured in terminal columns, for the CLI's tables and the TUI's
//! labels: a Chinese character takes two, so `format!("{:<24}")` (which
//! counts characters) would push every later column out of line.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` followed by spaces up to `width` columns (nothing added when it is
/// already as wide or wider).
pub fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// Spaces up to `width` columns, then `text`: numbers aligned to the right.
pub fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
}

/// The longest start of `text` that fits in `width` columns; a wide
/// character that would straddle the edge is left out whole.
pub fn truncate(text: &str, width: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= width
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_wide_characters_as_two_columns() {
        assert_eq!(pad("名称", 6), "名称  ");
        assert_eq!(pad("name", 6), "name  ");
        assert_eq!(pad_left("合计", 6), "  合计");
        assert_eq!(pad("toolong", 3), "toolong");
    }

    #[test]
    fn truncation_never_cuts_a_character_in_half() {
        assert_eq!(truncate("生产环境密钥", 5), "生产");
        assert_eq!(truncate("生产环境密钥", 6), "生产环");
        assert_eq!(truncate("prod-键", 6), "prod-");
        assert_eq!(truncate("short", 24), "short");
    }
}
