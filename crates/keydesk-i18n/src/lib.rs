//! The languages keydesk speaks: English and Simplified Chinese, with every
//! message in Fluent files under `locales/` (one folder per language, one file
//! per part of the program), built into the binary.
//!
//! Code asks for a message by its id with [`tr!`](crate::tr):
//!
//! ```
//! # use keydesk_i18n::tr;
//! let title = tr!("i18n-test-plain");
//! let line = tr!("i18n-test-args", name = "ci-runner", count = 3);
//! ```
//!
//! The language is chosen once per process by the front-end ([`set`]); the
//! library on its own speaks English. Tests render both languages in one
//! process with [`with_lang`], which overrides it for the calling thread only.
//!
//! Machine output never goes through here: `--json`, exit codes, HTTP
//! responses and metric names are the same in every language.
//!
//! keydesk-core's errors are data with plain English `Display`; [`words`]
//! says them in the current language for the front-ends.
//!
//! Two tests keep the files honest (`tests.rs`): every message and attribute
//! exists in both languages with the same variables, and every id the code
//! names exists.

#![deny(missing_docs)]

mod ascii;
mod resources;

use std::cell::Cell;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use ascii::to_ascii;
pub use fluent_bundle::FluentArgs as Args;

/// A language keydesk has messages for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English: the default, and every message's fallback.
    #[default]
    En,
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
}

impl Lang {
    /// Every language, in the order `--lang`'s help lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The tag people write (`--lang`, the config file) and `config show`
    /// prints.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// `--lang` or the config's `lang`: `en`, `zh-CN` and their usual
    /// spellings (`en-US`, `zh`, `zh_CN`, `zh-Hans`), in any case.
    pub fn parse(text: &str) -> Option<Lang> {
        let tag = text.trim().to_ascii_lowercase().replace('_', "-");
        match tag.as_str() {
            "en" | "en-us" | "en-gb" | "english" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh-sg" | "chinese" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// A POSIX locale name (`zh_CN.UTF-8`, `en_US`, `C`, `zh_CN.GB18030@x`):
    /// Simplified Chinese for `zh` in mainland China or Singapore (or with no
    /// region), English for anything else, since English is the fallback of
    /// every message.
    pub fn from_locale(locale: &str) -> Lang {
        let name = locale.split(['.', '@']).next().unwrap_or("");
        let mut parts = name.split(['_', '-']);
        let language = parts.next().unwrap_or("").to_ascii_lowercase();
        let region = parts.next().map(str::to_ascii_uppercase);
        match (language.as_str(), region.as_deref()) {
            ("zh", None | Some("CN" | "SG" | "HANS")) => Lang::ZhCn,
            _ => Lang::En,
        }
    }

    fn index(self) -> u8 {
        match self {
            Lang::En => 0,
            Lang::ZhCn => 1,
        }
    }

    fn from_index(index: u8) -> Lang {
        if index == 1 { Lang::ZhCn } else { Lang::En }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The language the locale environment asks for, and the variable that
/// decided it: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and
/// not empty, as POSIX orders them. `None` when none is set.
pub fn from_environment(var: impl Fn(&str) -> Option<String>) -> Option<(Lang, &'static str)> {
    ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(|name| {
        let value = var(name).filter(|value| !value.is_empty())?;
        Some((Lang::from_locale(&value), name))
    })
}

/// Whether the locale environment says the terminal decodes UTF-8, and the
/// variable that decided it: the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is
/// set and not empty (POSIX's order for the character set), UTF-8 when its
/// codeset is `UTF-8` or `utf8` in any case. `None` when none is set: the
/// POSIX locale, whose character set is ASCII.
pub fn utf8_from_environment(var: impl Fn(&str) -> Option<String>) -> Option<(bool, &'static str)> {
    ["LC_ALL", "LC_CTYPE", "LANG"].into_iter().find_map(|name| {
        let value = var(name).filter(|value| !value.is_empty())?;
        Some((locale_is_utf8(&value), name))
    })
}

/// Whether a locale name (`en_US.UTF-8`, `C.utf8`, `C`, `de_DE.ISO-8859-1`,
/// `sr_RS.UTF-8@latin`) names UTF-8 as its character set.
fn locale_is_utf8(locale: &str) -> bool {
    let codeset = locale
        .split('@')
        .next()
        .unwrap_or("")
        .split_once('.')
        .map_or("", |(_, codeset)| codeset);
    codeset.eq_ignore_ascii_case("utf-8") || codeset.eq_ignore_ascii_case("utf8")
}

static PROCESS_LANG: AtomicU8 = AtomicU8::new(0);
static PROCESS_ASCII: AtomicBool = AtomicBool::new(false);

thread_local! {
    static THREAD_LANG: Cell<Option<Lang>> = const { Cell::new(None) };
    static THREAD_ASCII: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Makes every message of the process ASCII only ([`to_ascii`]), for a
/// screen whose terminal decodes nothing else (see
/// [`utf8_from_environment`]). Set once at start, like the language.
///
pub fn set_ascii(ascii: bool) {
    PROCESS_ASCII.store(ascii, Ordering::Relaxed);
}

/// Whether messages are ASCII only on this thread.
pub fn ascii() -> bool {
    THREAD_ASCII
        .with(Cell::get)
        .unwrap_or_else(|| PROCESS_ASCII.load(Ordering::Relaxed))
}

/// Runs `f` with this thread's messages ASCII only (or not), then restores
/// what was there (also when `f` panics); for tests, as [`with_lang`].
pub fn with_ascii<R>(ascii: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<bool>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_ASCII.with(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(THREAD_ASCII.with(|cell| cell.replace(Some(ascii))));
    f()
}

/// Sets the language of the whole process (every thread without a
/// [`with_lang`] override).
pub fn set(lang: Lang) {
    PROCESS_LANG.store(lang.index(), Ordering::Relaxed);
}

/// The language messages are made in on this thread.
pub fn current() -> Lang {
    THREAD_LANG
        .with(Cell::get)
        .unwrap_or_else(|| Lang::from_index(PROCESS_LANG.load(Ordering::Relaxed)))
}

/// Runs `f` with this thread's messages in `lang`, then restores what was
/// there (also when `f` panics).
pub fn with_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_LANG.with(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(THREAD_LANG.with(|cell| cell.replace(Some(lang))));
    f()
}

/// The message `id` in the current language, its variables filled in from
/// `args`. A message missing from a language falls back to English, and one
/// missing from English shows its id, so nothing is ever blank; the tests
/// make sure neither happens.
pub fn message(id: &str, args: Option<&FluentArgs>) -> String {
    format(current(), id, None, args)
}

/// An attribute of a message (`id.attribute` in Fluent), e.g. a button's
/// short label beside its help line.
pub fn attribute(id: &str, attribute: &str, args: Option<&FluentArgs>) -> String {
    format(current(), id, Some(attribute), args)
}

fn format(lang: Lang, id: &str, attribute: Option<&str>, args: Option<&FluentArgs>) -> String {
    for lang in [lang, Lang::En] {
        let bundle = bundle(lang);
        let Some(message) = bundle.get_message(id) else {
            continue;
        };
        let pattern = match attribute {
            Some(name) => message.get_attribute(name).map(|attribute| attribute.value()),
            None => message.value(),
        };
        if let Some(pattern) = pattern {
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            return match ascii() {
                true => to_ascii(&text).into_owned(),
                false => text.into_owned(),
            };
        }
    }
    match attribute {
        Some(name) => format!("{id}.{name}"),
        None => id.to_owned(),
    }
}

/// Whether `id` is a message of `lang` (for code that offers a message only
/// where one exists, e.g. optional help).
pub fn has_message(lang: Lang, id: &str) -> bool {
    bundle(lang).has_message(id)
}

/// A language's messages, parsed the first time one is asked for: a process
/// that prints nothing for people (`verify` in a script) parses none.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] = [OnceLock::new(), OnceLock::new()];
    BUNDLES[usize::from(lang.index())].get_or_init(|| build(lang))
}

fn build(lang: Lang) -> FluentBundle<FluentResource> {
    let tag = lang.tag().parse().expect("a language tag keydesk names is valid");
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Fluent wraps each placeable in Unicode isolation marks for
    // right-to-left text; a terminal would print them as stray cells.
    bundle.set_use_isolating(false);
    for (file, source) in resources::files(lang) {
        let resource = FluentResource::try_new((*source).to_owned())
            .unwrap_or_else(|(_, errors)| panic!("{file} does not parse: {errors:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("{file} repeats a message: {errors:?}"));
    }
    bundle
}

/// Turns a value into a Fluent argument: text as it is, numbers as numbers
/// (so plural rules apply to them).
pub fn arg<'a>(value: impl Into<FluentValue<'a>>) -> FluentValue<'a> {
    value.into()
}

/// The message with this id in the current language.
///
/// `tr!("id")` or `tr!("id", name = value, …)`: each value may be anything
/// Fluent takes as an argument (text, numbers). `tr!("id.attribute", …)`
/// names an attribute of the message.
#[macro_export]
macro_rules! tr {
    ($id:literal) => {
        $crate::lookup($id, None)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::Args::new();
        $( args.set(stringify!($name), $crate::arg($value)); )+
        $crate::lookup($id, Some(&args))
    }};
}

/// What [`tr!`](crate::tr) calls: `id` or `id.attribute`.
#[doc(hidden)]
pub fn lookup(id: &str, args: Option<&FluentArgs>) -> String {
    match id.split_once('.') {
        Some((id, name)) => attribute(id, name, args),
        None => message(id, args),
    }
}

/// A message named in a `const` table (the keymap's hints and help), looked
/// up when it is shown: `Msg("id").text()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Msg(pub &'static str);

impl Msg {
    /// The message in the current language.
    pub fn text(self) -> String {
        lookup(self.0, None)
    }
}

// Last, so that `tr!` above is in scope there.
#[cfg(test)]
mod tests;
pub mod words;
