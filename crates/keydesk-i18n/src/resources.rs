//! The Fluent files of each language, built into the binary. Each part of
//! keydesk has its own file, in the same place for every language.

use super::Lang;

/// A file's name (for error messages) and its text.
pub type File = (&'static str, &'static str);

macro_rules! files {
    ($lang:literal: $($name:literal),+ $(,)?) => {
        &[$((concat!($lang, "/", $name), include_str!(concat!("../locales/", $lang, "/", $name)))),+]
    };
}

const EN: &[File] =
    files!("en": "common.ftl", "tui-main.ftl", "tui-dialogs.ftl", "cli.ftl", "errors.ftl", "policy.ftl", "doctor.ftl");
const ZH_CN: &[File] = files!("zh-CN": "common.ftl", "tui-main.ftl", "tui-dialogs.ftl", "cli.ftl", "errors.ftl", "policy.ftl", "doctor.ftl");

pub fn files(lang: Lang) -> &'static [File] {
    match lang {
        Lang::En => EN,
        Lang::ZhCn => ZH_CN,
    }
}
