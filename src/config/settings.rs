//! What keydesk runs with: every setting once, as a plain value that knows
//! where it came from. Each place that can set something is a [`Layer`]
//! (the config file, the environment, the command line); a layer says
//! nothing where it is silent, and the highest layer that speaks wins over
//! the defaults. The source travels with the value, so `config show` says
//! where each came from without asking the parser afterwards.
//!
//! Nothing here knows the command-line parser: the program turns what it
//! parsed into a layer, so a renamed flag cannot silently lose its source.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use time::UtcOffset;

use super::file::{FileSettings, FromFile};
use crate::clipboard::ClipboardMode;
use crate::i18n::Lang;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File { line: usize },
    Environment(&'static str),
    CommandLine,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Source::Default => tr!("config-source-default"),
            Source::File { line } => tr!("config-source-file", line = *line),
            Source::Environment(name) => tr!("config-source-environment", name = *name),
            Source::CommandLine => tr!("config-source-command-line"),
        };
        f.write_str(&text)
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn new(value: T, source: Source) -> Setting<T> {
        Setting { value, source }
    }

    fn default(value: T) -> Setting<T> {
        Setting::new(value, Source::Default)
    }

    fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        Setting::new(f(self.value), self.source)
    }
}

impl<T> From<FromFile<T>> for Setting<T> {
    fn from(from_file: FromFile<T>) -> Setting<T> {
        Setting::new(from_file.value, Source::File { line: from_file.line })
    }
}

/// What one place (the file, the environment, the command line) sets;
/// `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    pub db: Option<Setting<PathBuf>>,
    pub db_password_file: Option<Setting<PathBuf>>,
    pub utc_offset: Option<Setting<UtcOffset>>,
    pub busy_timeout: Option<Setting<Duration>>,
    pub clipboard: Option<Setting<ClipboardMode>>,
    pub clear_clipboard_after: Option<Setting<Duration>>,
    pub color: Option<Setting<bool>>,
    pub mouse: Option<Setting<bool>>,
    pub unicode: Option<Setting<bool>>,
    pub lang: Option<Setting<Lang>>,
    pub audit_key_file: Option<Setting<PathBuf>>,
}

impl Layer {
    /// This layer where it speaks, else `below`.
    pub fn over(self, below: Layer) -> Layer {
        Layer {
            db: self.db.or(below.db),
            db_password_file: self.db_password_file.or(below.db_password_file),
            utc_offset: self.utc_offset.or(below.utc_offset),
            busy_timeout: self.busy_timeout.or(below.busy_timeout),
            clipboard: self.clipboard.or(below.clipboard),
            clear_clipboard_after: self.clear_clipboard_after.or(below.clear_clipboard_after),
            color: self.color.or(below.color),
            mouse: self.mouse.or(below.mouse),
            unicode: self.unicode.or(below.unicode),
            lang: self.lang.or(below.lang),
            audit_key_file: self.audit_key_file.or(below.audit_key_file),
        }
    }

    /// What the environment says that the command-line parser does not
    /// read: `NO_COLOR` (set and not empty) turns colour off.
    pub fn from_environment(var: impl Fn(&str) -> Option<String>) -> Layer {
        let no_color = var("NO_COLOR").is_some_and(|value| !value.is_empty());
        Layer {
            color: no_color.then(|| Setting::new(false, Source::Environment("NO_COLOR"))),
            ..Layer::default()
        }
    }
}

impl From<FileSettings> for Layer {
    fn from(file: FileSettings) -> Layer {
        Layer {
            db: file.db.map(Setting::from),
            db_password_file: None,
            utc_offset: file.utc_offset.map(Setting::from),
            busy_timeout: file.busy_timeout.map(Setting::from),
            clipboard: file.clipboard.map(Setting::from),
            clear_clipboard_after: file.clear_clipboard_after.map(Setting::from),
            color: file.color.map(Setting::from),
            mouse: file.mouse.map(Setting::from),
            unicode: file.unicode.map(Setting::from),
            lang: file.lang.map(Setting::from),
            audit_key_file: file.audit_key_file.map(Setting::from),
        }
    }
}

/// `--busy-timeout`'s default, as its help shows it.
pub const DEFAULT_BUSY_TIMEOUT: &str = "2s";
/// `--clear-clipboard-after`'s default, as its help shows it.
pub const DEFAULT_CLEAR_CLIPBOARD_AFTER: &str = "30s";

/// Every setting keydesk runs with, each with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The config file looked for (it may not exist).
    pub path: PathBuf,
    pub exists: bool,
    /// The database: a file's path or a server's URL; `None` is the
    /// default file in the user's data folder.
    pub db: Setting<Option<PathBuf>>,
    /// The file holding the PostgreSQL password.
    pub db_password_file: Setting<Option<PathBuf>>,
    /// The offset times are shown in; `None` is the system's local one.
    pub utc_offset: Setting<Option<UtcOffset>>,
    /// How long to wait for a database another process holds.
    pub busy_timeout: Setting<Duration>,
    /// How the TUI copies.
    pub clipboard: Setting<ClipboardMode>,
    /// When the TUI clears what it copied; zero is never.
    pub clear_clipboard_after: Setting<Duration>,
    /// Whether the TUI may use colour.
    pub color: Setting<bool>,
    /// Whether the TUI takes the mouse.
    pub mouse: Setting<bool>,
    /// Whether the TUI draws with Unicode (else ASCII only).
    pub unicode: Setting<bool>,
    /// The language of screens and messages.
    pub lang: Setting<Lang>,
    /// The file holding the key that seals the audit log.
    pub audit_key_file: Setting<PathBuf>,
    /// What tokens cost, from the config file's `[prices]` (only there);
    /// `None`: nothing is priced.
    pub prices: Option<crate::domain::prices::PriceList>,
}

impl Settings {
    /// `layers` (already stacked, highest first) over the defaults. The
    /// defaults of the language and of Unicode come from the locale (read
    /// through `var`), below the config file: the locale is the machine's
    /// setting for every program, while the file is keydesk's own.
    pub fn resolve(path: PathBuf, exists: bool, layers: Layer, var: impl Fn(&str) -> Option<String>) -> Settings {
        let audit_key_file = layers
            .audit_key_file
            .unwrap_or_else(|| Setting::default(default_audit_key_file(&path)));
        let lang = layers
            .lang
            .unwrap_or_else(|| match crate::i18n::from_environment(&var) {
                Some((lang, name)) => Setting::new(lang, Source::Environment(name)),
                None => Setting::default(Lang::En),
            });
        let unicode = layers
            .unicode
            .unwrap_or_else(|| match crate::i18n::utf8_from_environment(&var) {
                Some((utf8, name)) => Setting::new(utf8, Source::Environment(name)),
                None => Setting::default(false),
            });
        Settings {
            path,
            exists,
            db: optional(layers.db),
            db_password_file: optional(layers.db_password_file),
            utc_offset: optional(layers.utc_offset),
            busy_timeout: layers
                .busy_timeout
                .unwrap_or_else(|| Setting::default(default_busy_timeout())),
            clipboard: layers
                .clipboard
                .unwrap_or_else(|| Setting::default(ClipboardMode::Auto)),
            clear_clipboard_after: layers
                .clear_clipboard_after
                .unwrap_or_else(|| Setting::default(default_clear_clipboard_after())),
            color: layers.color.unwrap_or_else(|| Setting::default(true)),
            mouse: layers.mouse.unwrap_or_else(|| Setting::default(true)),
            unicode,
            lang,
            audit_key_file,
            prices: None,
        }
    }
}

/// A setting whose default is "none given".
fn optional<T>(setting: Option<Setting<T>>) -> Setting<Option<T>> {
    setting.map_or_else(|| Setting::default(None), |setting| setting.map(Some))
}

fn default_busy_timeout() -> Duration {
    super::values::parse_busy_timeout(DEFAULT_BUSY_TIMEOUT).expect("the default is valid")
}

fn default_clear_clipboard_after() -> Duration {
    super::values::parse_clear_after(DEFAULT_CLEAR_CLIPBOARD_AFTER).expect("the default is valid")
}

/// `audit.key` beside the config file: the user's config folder, or wherever
/// `--config` points (so a fleet's hosts keep config and key together).
fn default_audit_key_file(config: &Path) -> PathBuf {
    config.parent().unwrap_or(Path::new(".")).join("audit.key")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_environment(_: &str) -> Option<String> {
        None
    }

    fn line(line: usize) -> Source {
        Source::File { line }
    }

    #[test]
    fn each_setting_comes_from_the_highest_layer_that_sets_it() {
        let file = Layer::from(
            super::super::file::parse(
                "db = \"/srv/file.redb\"\nbusy_timeout = \"5s\"\nmouse = false\nlang = \"zh-CN\"\n",
                Path::new("/etc/keydesk/config.toml"),
            )
            .unwrap(),
        );
        let environment = Layer {
            db: Some(Setting::new("/srv/env.redb".into(), Source::Environment("KEYDESK_DB"))),
            busy_timeout: Some(Setting::new(
                Duration::from_secs(9),
                Source::Environment("KEYDESK_BUSY_TIMEOUT"),
            )),
            ..Layer::default()
        };
        let command_line = Layer {
            db: Some(Setting::new("/srv/flag.redb".into(), Source::CommandLine)),
            ..Layer::default()
        };
        let settings = Settings::resolve(
            "/etc/keydesk/config.toml".into(),
            true,
            command_line.over(environment).over(file),
            no_environment,
        );
        assert_eq!(
            settings.db,
            Setting::new(Some("/srv/flag.redb".into()), Source::CommandLine)
        );
        assert_eq!(
            settings.busy_timeout,
            Setting::new(Duration::from_secs(9), Source::Environment("KEYDESK_BUSY_TIMEOUT"))
        );
        assert_eq!(settings.mouse, Setting::new(false, line(3)));
        assert_eq!(settings.lang, Setting::new(Lang::ZhCn, line(4)));
        assert_eq!(settings.color, Setting::new(true, Source::Default));
        assert_eq!(settings.utc_offset, Setting::new(None, Source::Default));
        assert_eq!(
            settings.audit_key_file,
            Setting::new("/etc/keydesk/audit.key".into(), Source::Default)
        );
    }

    #[test]
    fn the_defaults_are_the_flags_documented_defaults_and_the_locales() {
        let locale = |name: &str| (name == "LANG").then(|| "zh_CN.UTF-8".to_owned());
        let settings = Settings::resolve("/c/config.toml".into(), false, Layer::default(), locale);
        assert_eq!(
            settings.busy_timeout,
            Setting::new(Duration::from_secs(2), Source::Default)
        );
        assert_eq!(
            settings.clear_clipboard_after,
            Setting::new(Duration::from_secs(30), Source::Default)
        );
        assert_eq!(settings.clipboard, Setting::new(ClipboardMode::Auto, Source::Default));
        assert_eq!(settings.lang, Setting::new(Lang::ZhCn, Source::Environment("LANG")));
        assert_eq!(settings.unicode, Setting::new(true, Source::Environment("LANG")));
        let settings = Settings::resolve("/c/config.toml".into(), false, Layer::default(), no_environment);
        assert_eq!(settings.lang, Setting::new(Lang::En, Source::Default));
        assert_eq!(settings.unicode, Setting::new(false, Source::Default));
    }

    #[test]
    fn no_color_is_an_environment_setting_above_the_file() {
        let file = Layer {
            color: Some(Setting::new(true, line(1))),
            ..Layer::default()
        };
        let set = |value: &'static str| move |name: &str| (name == "NO_COLOR").then(|| value.to_owned());
        let color = |var: &dyn Fn(&str) -> Option<String>| {
            let layers = Layer::from_environment(var).over(file.clone());
            Settings::resolve("/c/config.toml".into(), true, layers, no_environment).color
        };
        assert_eq!(color(&set("1")), Setting::new(false, Source::Environment("NO_COLOR")));
        assert_eq!(color(&set("")), Setting::new(true, line(1)));
    }
}
