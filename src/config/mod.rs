//! The config file, `~/.config/keydesk/config.toml` (the platform's config
//! folder; `--config` or `KEYDESK_CONFIG` names another): defaults for the
//! settings people otherwise repeat on every command line.
//!
//! `audit_key_file` names the file holding the key that seals the audit log
//! (default: `audit.key` beside the config file); it has no flag, since a
//! key file is chosen once per host, not per command.
//!
//! Precedence, highest first: the command line, the environment
//! (`KEYDESK_DB`, `KEYDESK_BUSY_TIMEOUT`, `KEYDESK_LANG`, `NO_COLOR`), the
//! config file, keydesk's defaults (for the language and Unicode, the
//! locale's). The program parses the command line (and the variables its
//! parser reads) into a [`Layer`] each; [`load`] stacks them over the file
//! and the defaults into [`Settings`], each value with its [`Source`] for
//! `keydesk config show`.
//!
//! A file that is wrong in any way stops keydesk with a message naming the
//! file, the line and the key (exit 2): a setting that is silently ignored is
//! worse than none.

mod file;
mod prices;
mod settings;
pub mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

pub use file::{ConfigError, FileSettings, FromFile, KEYS, closest_key, parse, read};
pub use settings::{DEFAULT_BUSY_TIMEOUT, DEFAULT_CLEAR_CLIPBOARD_AFTER, Layer, Setting, Settings, Source};

use crate::i18n::{Lang, Msg};

/// The environment variable that names the config file, like `--config`.
pub const CONFIG_ENV: &str = "KEYDESK_CONFIG";

/// A setting's value as `config show` prints it: text, or a message that is
/// looked up only then, so that every other command starts without loading
/// any (a default such as "the system's local offset" is a message).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Text(String),
    Message(Msg),
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Text(text) => f.write_str(text),
            Shown::Message(message) => f.write_str(&message.text()),
        }
    }
}

impl From<String> for Shown {
    fn from(text: String) -> Shown {
        Shown::Text(text)
    }
}

/// What the program found before the config file is read: the file that
/// `--config`/`KEYDESK_CONFIG` names, and the layers of the environment
/// variables and the command line it parsed.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub config: Option<PathBuf>,
    pub environment: Layer,
    pub command_line: Layer,
}

/// The config file to read: `--config`/`KEYDESK_CONFIG` (which must exist,
/// since naming a file that is not there is a mistake), else the platform's
/// default (which may be absent).
pub fn path(explicit: Option<&Path>) -> Result<(PathBuf, bool), ConfigError> {
    if let Some(path) = explicit {
        return Ok((path.to_owned(), true));
    }
    let dirs = directories::ProjectDirs::from("", "", "keydesk").ok_or_else(|| ConfigError {
        path: PathBuf::from("config.toml"),
        line: None,
        message: tr!("config-no-home"),
    })?;
    Ok((dirs.config_dir().join("config.toml"), false))
}

/// Reads the config file and stacks the layers: the command line over the
/// environment over the file over the defaults.
pub fn load(given: Given, preread: Option<Preread>) -> Result<Settings, ConfigError> {
    let (path, explicit) = path(given.config.as_deref())?;
    let file = match preread {
        Some(preread) if preread.path == path => preread.file?,
        _ => read(&path)?,
    };
    if explicit && file.is_none() {
        return Err(ConfigError {
            path,
            line: None,
            message: tr!("config-named-missing"),
        });
    }
    let exists = file.is_some();
    let prices = file.as_ref().and_then(|file| file.prices.clone()).map(|p| p.value);
    let var = |name: &str| std::env::var(name).ok();
    let environment = given.environment.over(Layer::from_environment(var));
    let layers = given
        .command_line
        .over(environment)
        .over(Layer::from(file.unwrap_or_default()));
    let mut settings = Settings::resolve(path, exists, layers, var);
    settings.prices = prices;
    Ok(settings)
}

/// The database for `config show`: a file's path, or a server's URL
/// without its password (which may come from `KEYDESK_DB` or the file).
fn shown_db(db: &Path) -> String {
    use crate::i18n::words::shown;
    use crate::store::designation::{Form, form};
    let text = db.display().to_string();
    if cfg!(not(feature = "postgres")) && form(&text) != Form::Path {
        return tr!("config-url-without-postgres");
    }
    shown(&text)
}

/// The config file as read before the command line was parsed, handed to
/// [`load`] so that it is read once.
pub struct Preread {
    path: PathBuf,
    file: Result<Option<FileSettings>, ConfigError>,
}

/// The language for what is printed before the command line is parsed
/// (`--help`, clap's own errors), found the way [`load`] will find it:
/// `--lang` in `args`, `KEYDESK_LANG`, the config file's `lang` (a file
/// that cannot be read is reported later, by [`load`]), the locale. With
/// the file, when it was read for this.
pub fn early_lang(args: &[std::ffi::OsString]) -> (Lang, Option<Preread>) {
    let flag = |name: &str| {
        args.iter().enumerate().find_map(|(i, arg)| {
            let arg = arg.to_str()?;
            if arg == name {
                return args.get(i + 1)?.to_str().map(str::to_owned);
            }
            arg.strip_prefix(name)?.strip_prefix('=').map(str::to_owned)
        })
    };
    let explicit = flag("--lang").or_else(|| std::env::var("KEYDESK_LANG").ok());
    if let Some(lang) = explicit.as_deref().and_then(Lang::parse) {
        return (lang, None);
    }
    let config = flag("--config")
        .or_else(|| std::env::var(CONFIG_ENV).ok())
        .map(PathBuf::from);
    let preread = path(config.as_deref()).ok().map(|(path, _)| Preread {
        file: read(&path),
        path,
    });
    let from_file = preread
        .as_ref()
        .and_then(|preread| preread.file.as_ref().ok()?.as_ref()?.lang.clone());
    let layer = Layer {
        lang: from_file.map(Setting::from),
        ..Layer::default()
    };
    let var = |name: &str| std::env::var(name).ok();
    let lang = Settings::resolve(PathBuf::new(), false, layer, var).lang.value;
    (lang, preread)
}

/// `keydesk config show`: the file, then one line per setting.
pub fn describe(settings: &Settings) -> String {
    let path = settings.path.display().to_string();
    let mut text = if settings.exists {
        tr!("config-file", path = path)
    } else {
        tr!("config-file-missing", path = path)
    };
    text.push('\n');
    // Keys are the file's (ASCII) names, but measured as any column is.
    let width = KEYS.iter().map(|key| key.width()).max().unwrap_or(0);
    for (key, value, source) in lines(settings) {
        let padding = " ".repeat(width - key.width());
        text += &format!(
            "{key}{padding}  {}  {}\n",
            crate::display::sanitize(&value.to_string()),
            tr!("config-setting-source", source = source.to_string())
        );
    }
    text
}

/// Each key of the file, in [`KEYS`] order, with its value as `config
/// show` prints it and its source.
fn lines(settings: &Settings) -> [(&'static str, Shown, &Source); KEYS.len()] {
    let db = match &settings.db.value {
        Some(path) => shown_db(path).into(),
        None => crate::Store::default_path().map_or(Shown::Message(Msg("config-no-data-folder")), |p| {
            Shown::Text(p.display().to_string())
        }),
    };
    let offset = match settings.utc_offset.value {
        Some(offset) => crate::display::offset_label(offset).into(),
        None => Shown::Message(Msg("config-local-offset")),
    };
    let flag = |setting: &Setting<bool>| Shown::Text(setting.value.to_string());
    [
        ("db", db, &settings.db.source),
        ("utc_offset", offset, &settings.utc_offset.source),
        (
            "busy_timeout",
            crate::domain::duration::format(settings.busy_timeout.value).into(),
            &settings.busy_timeout.source,
        ),
        (
            "clipboard",
            settings.clipboard.value.name().to_owned().into(),
            &settings.clipboard.source,
        ),
        (
            "clear_clipboard_after",
            values::show_clear_after(settings.clear_clipboard_after.value).into(),
            &settings.clear_clipboard_after.source,
        ),
        ("color", flag(&settings.color), &settings.color.source),
        ("mouse", flag(&settings.mouse), &settings.mouse.source),
        ("unicode", flag(&settings.unicode), &settings.unicode.source),
        (
            "lang",
            settings.lang.value.tag().to_owned().into(),
            &settings.lang.source,
        ),
        (
            "audit_key_file",
            settings.audit_key_file.value.display().to_string().into(),
            &settings.audit_key_file.source,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_show_lists_every_key_of_the_file_in_order() {
        let settings = Settings::resolve("/c/config.toml".into(), false, Layer::default(), |_| None);
        let keys = lines(&settings).map(|(key, ..)| key);
        assert_eq!(keys, KEYS);
    }
}
