//! The API key agreement a user accepts before a key is made, shipped in
//! `assets/` (one file per language) so it can be reviewed and changed
//! without touching code.

use crate::i18n::{self, Lang};

const ENGLISH: &str = include_str!("../assets/agreement.txt");
const CHINESE: &str = include_str!("../assets/agreement.zh-CN.txt");

/// The agreement in the current language.
pub fn text() -> &'static str {
    in_lang(i18n::current())
}

/// The agreement in `lang`.
pub fn in_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ENGLISH,
        Lang::ZhCn => CHINESE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two texts are the same agreement: the same numbered points, in
    /// the same order.
    #[test]
    fn both_languages_have_the_same_numbered_points() {
        let points = |text: &str| -> Vec<String> {
            text.lines()
                .filter_map(|line| line.split_once(". ").map(|(n, _)| n.to_owned()))
                .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
                .collect()
        };
        assert_eq!(points(ENGLISH), ["1", "2", "3", "4", "5", "6"]);
        assert_eq!(points(ENGLISH), points(CHINESE));
    }
}
