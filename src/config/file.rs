//! Reading the config file: TOML into typed settings, each remembering the
//! line it was written on, and every mistake turned into a message that names
//! the file, the line and the key — never silently ignored.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use time::UtcOffset;
use toml::Spanned;

use super::values::{parse_busy_timeout, parse_clear_after, parse_lang, show_clear_after};
use crate::clipboard::ClipboardMode;
use crate::display::parse_offset;
use crate::i18n::Lang;

/// Every key the file may hold, in the order `keydesk config show` lists
/// them. Named like the command-line flags, in snake_case.
pub const KEYS: [&str; 10] = [
    "db",
    "utc_offset",
    "busy_timeout",
    "clipboard",
    "clear_clipboard_after",
    "color",
    "mouse",
    "unicode",
    "lang",
    "audit_key_file",
];

/// A value from the file, with the line it is on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct FromFile<T> {
    pub value: T,
    pub line: usize,
}

/// The settings a config file made; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSettings {
    pub db: Option<FromFile<PathBuf>>,
    pub audit_key_file: Option<FromFile<PathBuf>>,
    pub utc_offset: Option<FromFile<UtcOffset>>,
    pub busy_timeout: Option<FromFile<Duration>>,
    pub clipboard: Option<FromFile<ClipboardMode>>,
    pub clear_clipboard_after: Option<FromFile<Duration>>,
    pub color: Option<FromFile<bool>>,
    pub mouse: Option<FromFile<bool>>,
    pub unicode: Option<FromFile<bool>>,
    pub lang: Option<FromFile<Lang>>,
    /// The `[prices]` table (see `prices.rs`).
    pub prices: Option<FromFile<crate::domain::prices::PriceList>>,
}

/// What is wrong with a config file, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; `None` when the whole file is at fault (unreadable).
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The file as TOML sees it: types checked, unknown keys refused, values not
/// yet validated (that needs the spans, kept by `Spanned`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    db: Option<Spanned<String>>,
    audit_key_file: Option<Spanned<String>>,
    utc_offset: Option<Spanned<String>>,
    busy_timeout: Option<Spanned<toml::Value>>,
    clipboard: Option<Spanned<String>>,
    clear_clipboard_after: Option<Spanned<toml::Value>>,
    color: Option<Spanned<bool>>,
    mouse: Option<Spanned<bool>>,
    unicode: Option<Spanned<bool>>,
    lang: Option<Spanned<String>>,
    /// Checked by `prices.rs`, which needs every key's span.
    #[allow(dead_code)]
    prices: Option<toml::Value>,
}

/// The most a config file may hold. It is a few lines: anything near this
/// is the wrong file, and is not read whole into memory.
pub const MAX_BYTES: u64 = 1 << 20;

/// Reads `path`. `Ok(None)` when there is no file there: having no config
/// file is normal.
pub fn read(path: &Path) -> Result<Option<FileSettings>, ConfigError> {
    match read_trusted(path)? {
        Some(text) => parse(&text, path).map(Some),
        None => Ok(None),
    }
}

/// The text of the config file, read as the database file is trusted: a
/// regular file (a symlink to one is fine) of at most [`MAX_BYTES`], that
/// only its owner (the user running keydesk, or root) may change, since
/// whoever can change it chooses the database and so which keys verify.
/// Everything is checked on the opened file, so nothing can be swapped in
/// between the check and the read, and a FIFO or a device is never read.
fn read_trusted(path: &Path) -> Result<Option<String>, ConfigError> {
    use crate::hardening::{Owners, Privacy, Refusal, read_trusted};
    use crate::i18n::words::Worded;
    let refused = |message: String| ConfigError {
        path: path.to_owned(),
        line: None,
        message,
    };
    let bytes = match read_trusted(path, MAX_BYTES, Owners::MeOrRoot, Privacy::Readable) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(Refusal::NotAFile(kind)) => return Err(refused(tr!("config-not-a-file", kind = kind.worded()))),
        Err(Refusal::Untrusted(reason)) => return Err(refused(tr!("config-untrusted", reason = reason.worded()))),
        Err(Refusal::TooLarge) => return Err(refused(tr!("config-too-large"))),
        Err(Refusal::Io(e)) => return Err(refused(tr!("config-cannot-read", error = e.to_string()))),
        Err(other) => return Err(refused(other.worded())),
    };
    let mut bytes = bytes;
    String::from_utf8(std::mem::take(&mut *bytes))
        .map(Some)
        .map_err(|e| refused(tr!("config-cannot-read", error = e.utf8_error().to_string())))
}

/// Parses a config file's text; `path` is for messages, and relative `db`
/// paths are taken from the file's own folder.
pub fn parse(text: &str, path: &Path) -> Result<FileSettings, ConfigError> {
    let error = |span: Option<Range<usize>>, message: String| ConfigError {
        path: path.to_owned(),
        line: span.map(|span| line_of(text, span.start)),
        message,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| error(e.span(), describe(&e, text)))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    Ok(FileSettings {
        db: validate(raw.db, text, |value| db_path(value, folder)).map_err(|e| e.at("db", &error))?,
        audit_key_file: validate(raw.audit_key_file, text, |value| file_path(value, folder))
            .map_err(|e| e.at("audit_key_file", &error))?,
        utc_offset: validate(raw.utc_offset, text, |value| parse_offset(value))
            .map_err(|e| e.at("utc_offset", &error))?,
        busy_timeout: validate(raw.busy_timeout, text, |value| {
            duration_value("busy_timeout", value, parse_busy_timeout)
        })
        .map_err(|e| e.at("busy_timeout", &error))?,
        clipboard: validate(raw.clipboard, text, |value| value.parse::<ClipboardMode>())
            .map_err(|e| e.at("clipboard", &error))?,
        clear_clipboard_after: validate(raw.clear_clipboard_after, text, |value| {
            duration_value("clear_clipboard_after", value, parse_clear_after)
        })
        .map_err(|e| e.at("clear_clipboard_after", &error))?,
        color: validate(raw.color, text, |value| Ok(*value)).map_err(|e| e.at("color", &error))?,
        mouse: validate(raw.mouse, text, |value| Ok(*value)).map_err(|e| e.at("mouse", &error))?,
        unicode: validate(raw.unicode, text, |value| Ok(*value)).map_err(|e| e.at("unicode", &error))?,
        lang: validate(raw.lang, text, |value| parse_lang(value)).map_err(|e| e.at("lang", &error))?,
        prices: super::prices::parse(text)
            .map_err(|e| error(Some(e.span), format!("`prices`: {}", e.message)))?
            .map(|(value, span)| FromFile {
                value,
                line: line_of(text, span.start),
            }),
    })
}

/// A duration key's value: a string in the flag's syntax (`"7s"`). A number
/// is refused, whatever unit it was meant in, with the line to write instead:
/// the seconds it meant before durations took a unit.
fn duration_value(
    key: &str,
    value: &toml::Value,
    parse: fn(&str) -> Result<Duration, String>,
) -> Result<Duration, String> {
    let seconds = match value {
        toml::Value::String(text) => return parse(text),
        toml::Value::Integer(seconds) => u64::try_from(*seconds).ok().map(Duration::from_secs),
        toml::Value::Float(seconds) => Duration::try_from_secs_f64(*seconds).ok(),
        _ => None,
    };
    let fix = match seconds {
        Some(seconds) if seconds.is_zero() && key == "clear_clipboard_after" => show_clear_after(seconds),
        Some(seconds) => crate::domain::duration::format(seconds),
        None => "30s".to_owned(),
    };
    Err(tr!(
        "config-duration-not-a-string",
        fix = format!("{key} = \"{fix}\""),
        forms = crate::i18n::words::duration_forms()
    ))
}

/// A value TOML read but keydesk refused, and where it was.
struct Invalid {
    span: Range<usize>,
    why: String,
}

impl Invalid {
    fn at(self, key: &str, error: &dyn Fn(Option<Range<usize>>, String) -> ConfigError) -> ConfigError {
        error(Some(self.span), format!("`{key}`: {}", self.why))
    }
}

/// Checks one value with the same rules as its command-line flag, keeping
/// its line.
fn validate<T, U>(
    value: Option<Spanned<T>>,
    text: &str,
    check: impl Fn(&T) -> Result<U, String>,
) -> Result<Option<FromFile<U>>, Invalid> {
    let Some(spanned) = value else { return Ok(None) };
    let span = spanned.span();
    match check(spanned.get_ref()) {
        Ok(value) => Ok(Some(FromFile {
            value,
            line: line_of(text, span.start),
        })),
        Err(why) => Err(Invalid { span, why }),
    }
}

/// `db`: a server's URL as it is; for a file, `~/` is the home folder and a
/// relative path is relative to the config file (so a file means the same
/// wherever keydesk is started from).
fn db_path(text: &str, folder: &Path) -> Result<PathBuf, String> {
    if text.is_empty() {
        return Err(tr!("cli-db-path-empty"));
    }
    // A URL (or a connection string, which is refused when used) is not a
    // path to resolve.
    if crate::store::designation::form(text) != crate::store::designation::Form::Path {
        return Ok(PathBuf::from(text));
    }
    file_path(text, folder)
}

/// A file's path: `~/` is the home folder, and a relative path is relative
/// to the config file's `folder`.
fn file_path(text: &str, folder: &Path) -> Result<PathBuf, String> {
    if text.is_empty() {
        return Err(tr!("config-path-empty"));
    }
    let path = match text.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .ok_or_else(|| tr!("config-no-home-for-tilde"))?
            .home_dir()
            .join(rest),
        None => PathBuf::from(text),
    };
    Ok(if path.is_absolute() { path } else { folder.join(path) })
}

/// TOML's message, with an unknown key named plainly and the nearest valid
/// one suggested (a typo is the usual reason).
fn describe(error: &toml::de::Error, text: &str) -> String {
    let message = error.message();
    if let Some(key) = unknown_key(message) {
        return match closest_key(&key) {
            Some(known) => tr!("config-unknown-key-near", key = key, known = known),
            None => tr!(
                "config-unknown-key",
                key = key,
                keys = KEYS.map(|k| format!("`{k}`")).join(", ")
            ),
        };
    }
    // Type errors: say which key, from the line TOML points at.
    let key = error
        .span()
        .and_then(|span| text[..span.start].rsplit('\n').next().map(str::to_owned))
        .and_then(|line| line.split_once('=').map(|(key, _)| key.trim().to_owned()))
        .filter(|key| KEYS.contains(&key.as_str()));
    let message = tr!("config-toml", detail = plain_types(message));
    match key {
        Some(key) => format!("`{key}`: {message}"),
        None => message,
    }
}

/// serde's type names in words: "expected i64" means nothing to most people.
fn plain_types(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false")
}

/// The key in serde's "unknown field `x`, expected one of …".
fn unknown_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split_once('`')?.0.to_owned())
}

/// The valid key nearest to `key`, if it is near enough to be a typo.
pub fn closest_key(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|known| (strsim::damerau_levenshtein(key, known), *known))
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// The 1-based line holding byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<FileSettings, ConfigError> {
        parse(text, Path::new("/etc/keydesk/config.toml"))
    }

    fn message(text: &str) -> String {
        parsed(text).unwrap_err().to_string()
    }

    #[test]
    fn every_key_is_read_with_its_line() {
        let settings = parsed(
            "# keydesk\ndb = \"/srv/keys.redb\"\nutc_offset = \"+08:00\"\nbusy_timeout = \"5s\"\nclipboard = \"osc52\"\n\
             clear_clipboard_after = \"1m\"\ncolor = false\nmouse = false\nunicode = true\n",
        )
        .unwrap();
        assert_eq!(
            settings.db,
            Some(FromFile {
                value: PathBuf::from("/srv/keys.redb"),
                line: 2
            })
        );
        assert_eq!(
            settings.utc_offset.unwrap().value,
            UtcOffset::from_hms(8, 0, 0).unwrap()
        );
        assert_eq!(
            settings.busy_timeout.map(|s| (s.value, s.line)),
            Some((Duration::from_secs(5), 4))
        );
        assert_eq!(settings.clipboard.unwrap().value, ClipboardMode::Osc52);
        assert_eq!(
            settings.clear_clipboard_after.map(|s| s.value),
            Some(Duration::from_secs(60))
        );
        assert_eq!(settings.color.map(|s| (s.value, s.line)), Some((false, 7)));
        assert_eq!(settings.mouse.map(|s| (s.value, s.line)), Some((false, 8)));
        assert_eq!(settings.unicode.map(|s| (s.value, s.line)), Some((true, 9)));
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        assert_eq!(parsed("# nothing yet\n").unwrap(), FileSettings::default());
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line_and_the_nearest_valid_key() {
        assert_eq!(
            message("db = \"/k.redb\"\nclipbaord = \"osc52\"\n"),
            "/etc/keydesk/config.toml:2: unknown key `clipbaord`, did you mean `clipboard`?"
        );
    }

    #[test]
    fn an_unknown_key_far_from_every_valid_one_lists_them() {
        let text = message("theme = \"dark\"\n");
        assert!(
            text.starts_with("/etc/keydesk/config.toml:1: unknown key `theme`; the keys are `db`,"),
            "{text}"
        );
    }

    #[test]
    fn a_wrong_type_names_the_line_and_the_key() {
        let text = message("\n\ncolor = \"yes\"\n");
        assert!(text.starts_with("/etc/keydesk/config.toml:3: `color`: "), "{text}");
        assert!(
            text.ends_with("invalid type: string \"yes\", expected true or false"),
            "{text}"
        );
    }

    #[test]
    fn a_bad_value_names_the_line_the_key_and_what_is_allowed() {
        assert_eq!(
            message("utc_offset = \"+25:00\"\n"),
            format!(
                "/etc/keydesk/config.toml:1: `utc_offset`: {}",
                parse_offset("+25:00").unwrap_err()
            )
        );
        let text = message("clipboard = \"xclip\"\n");
        assert!(text.starts_with("/etc/keydesk/config.toml:1: `clipboard`: "), "{text}");
        let text = message("clear_clipboard_after = \"soon\"\n");
        assert!(
            text.starts_with("/etc/keydesk/config.toml:1: `clear_clipboard_after`: "),
            "{text}"
        );
        let text = message("busy_timeout = \"11m\"\n");
        assert!(
            text.starts_with("/etc/keydesk/config.toml:1: `busy_timeout`: "),
            "{text}"
        );
    }

    #[test]
    fn a_duration_written_as_a_number_names_the_line_and_the_fix() {
        assert_eq!(
            message("\nbusy_timeout = 7\n"),
            format!(
                "/etc/keydesk/config.toml:2: `busy_timeout`: {}",
                "write a duration as a string with its unit: busy_timeout = \"7s\" \
                 (a whole number followed by ms, s, m, h or d, e.g. 250ms, 30s, 5m, 24h, 30d)"
            )
        );
        assert!(message("busy_timeout = 0.3\n").contains("busy_timeout = \"300ms\""));
        assert!(message("clear_clipboard_after = 90\n").contains("clear_clipboard_after = \"90s\""));
        assert!(message("clear_clipboard_after = 0\n").contains("clear_clipboard_after = \"off\""));
        assert!(message("clear_clipboard_after = true\n").contains("clear_clipboard_after = \"30s\""));
        let settings = parsed("clear_clipboard_after = \"off\"\nbusy_timeout = \"250ms\"\n").unwrap();
        assert_eq!(settings.clear_clipboard_after.map(|s| s.value), Some(Duration::ZERO));
        assert_eq!(settings.busy_timeout.map(|s| s.value), Some(Duration::from_millis(250)));
    }

    #[test]
    fn broken_toml_names_the_line() {
        let text = message("db = \"/k.redb\"\nutc_offset = \n");
        assert!(text.starts_with("/etc/keydesk/config.toml:2: "), "{text}");
    }

    #[test]
    fn a_relative_db_path_is_taken_from_the_config_files_folder() {
        let settings = parsed("db = \"keys.redb\"\n").unwrap();
        assert_eq!(settings.db.unwrap().value, PathBuf::from("/etc/keydesk/keys.redb"));
    }

    #[test]
    fn the_audit_key_file_is_read_relative_to_the_config_file_and_a_typo_is_named() {
        let settings = parsed("audit_key_file = \"keys/audit.key\"\n").unwrap();
        assert_eq!(
            settings.audit_key_file,
            Some(FromFile {
                value: PathBuf::from("/etc/keydesk/keys/audit.key"),
                line: 1
            })
        );
        assert_eq!(
            message("audit_keyfile = \"/k\"\n"),
            "/etc/keydesk/config.toml:1: unknown key `audit_keyfile`, did you mean `audit_key_file`?"
        );
        assert!(message("audit_key_file = \"\"\n").starts_with("/etc/keydesk/config.toml:1: `audit_key_file`: "));
    }

    #[test]
    fn a_missing_file_is_no_settings_and_no_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("config.toml")), Ok(None));
    }

    #[test]
    fn typos_find_their_key_and_strangers_find_none() {
        assert_eq!(closest_key("utc-offset"), Some("utc_offset"));
        assert_eq!(closest_key("clear_clipboard"), Some("clear_clipboard_after"));
        assert_eq!(closest_key("colour"), Some("color"));
        assert_eq!(closest_key("database"), None);
    }
}
