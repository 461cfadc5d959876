//! Line breaks for pages in Chinese. troff breaks lines only at spaces and
//! hyphens, and justifies by widening spaces; a sentence of Chinese has
//! neither, so man(1) would print it past the right margin and warn ("can't
//! break line", "cannot adjust line"). This marks a break point (`\:`,
//! zero width) between Chinese characters and sets such a page ragged-right
//! (`.ad l`), as Chinese text is set on a terminal anyway. The English pages
//! that list the global options are such pages too: `--lang`'s help names
//! 简体中文.
//!
//! No break is marked before closing punctuation or after opening
//! punctuation, so no line starts with `，` or `）` and none ends with `（`.

/// `page` with break points between Chinese characters, and left-adjusted
/// after its `.TH` line; a page without any is returned as it is.
pub(super) fn for_cjk(page: String) -> String {
    if !page.chars().any(is_cjk) {
        return page;
    }
    let mut marked = String::with_capacity(page.len() * 2);
    let mut chars = page.chars().peekable();
    while let Some(c) = chars.next() {
        marked.push(c);
        if let Some(&next) = chars.peek()
            && may_break_between(c, next)
        {
            marked.push_str("\\:");
        }
    }
    left_adjusted(marked)
}

/// Adds `.ad l` after the `.TH` line (the man macros set nothing after it
/// that would undo it).
fn left_adjusted(page: String) -> String {
    let Some(title) = page.find("\n.TH ") else {
        return page;
    };
    let Some(end) = page[title + 1..].find('\n').map(|at| title + 1 + at + 1) else {
        return page;
    };
    format!("{}.ad l\n{}", &page[..end], &page[end..])
}

fn may_break_between(c: char, next: char) -> bool {
    (is_cjk(c) || is_cjk(next))
        && !c.is_whitespace()
        && !next.is_whitespace()
        && !OPENING.contains(c)
        && !CLOSING.contains(next)
        // Never inside an escape: `\` starts one, and `\:` itself is one.
        && c != '\\'
}

/// Punctuation a line may not end with.
const OPENING: &str = "（「『“‘《【〔([{";
/// Punctuation a line may not start with.
const CLOSING: &str = "，。、；：）」』”’》】〕！？)]},.;:!?";

/// CJK characters and punctuation: the scripts' blocks, the CJK symbols
/// and the full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_chinese_is_left_as_it_is() {
        let page = "x\n.TH keydesk 1\n.SH NAME\nkeydesk \\- keys\n".to_owned();
        assert_eq!(for_cjk(page.clone()), page);
    }

    #[test]
    fn chinese_gets_break_points_but_not_around_punctuation() {
        let page = "x\n.TH keydesk 1\n密钥（文件）存放，在此 a 处\n".to_owned();
        assert_eq!(
            for_cjk(page),
            "x\n.TH keydesk 1\n.ad l\n密\\:钥\\:（文\\:件）\\:存\\:放，\\:在\\:此 a 处\n"
        );
    }

    #[test]
    fn no_break_point_splits_an_escape() {
        let page = "x\n.TH k 1\n\\fB选项\\fR中\n".to_owned();
        assert_eq!(for_cjk(page), "x\n.TH k 1\n.ad l\n\\fB\\:选\\:项\\:\\fR\\:中\n");
    }
}
