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
//! config file, keydesk's defaults (for the language, the locale's). clap parses the command line and the environment and
//! says where each value came from; this module fills in, from the file, only
//! what neither of those set, and keeps each setting's source for
//! `keydesk config show`.
//!
//! A file that is wrong in any way stops keydesk with a message naming the
//! file, the line and the key (exit 2): a setting that is silently ignored is
//! worse than none.

mod file;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use unicode_width::UnicodeWidthStr;

pub use file::{ConfigError, FileSettings, FromFile, KEYS, closest_key, parse, read};

use crate::cli::Cli;
use crate::clipboard::ClipboardMode;
use crate::i18n::{Lang, Msg};

/// The environment variable that names the config file, like `--config`.
pub const CONFIG_ENV: &str = "KEYDESK_CONFIG";

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

/// One effective setting, for `keydesk config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub value: Shown,
    pub source: Source,
}

/// A setting's value as `config show` prints it: text, or a message that is
/// looked up only then, so that every other command starts without loading
/// any (a default such as "the system's local offset" is a message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
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

/// What keydesk runs with after the layers are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// The config file looked for (it may not exist).
    pub path: PathBuf,
    pub exists: bool,
    /// Whether the TUI may use colour.
    pub color: bool,
    /// Whether the TUI takes the mouse.
    pub mouse: bool,
    /// Whether the TUI draws with Unicode (else ASCII only).
    pub unicode: bool,
    /// The language of screens and messages.
    pub lang: Lang,
    /// Every key of the file, in [`KEYS`] order.
    pub settings: Vec<Setting>,
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

/// Reads the config file and fills in every setting of `cli` that the
/// command line and the environment left at its default.
pub fn apply(cli: &mut Cli, matches: &ArgMatches, preread: Option<Preread>) -> Result<Effective, ConfigError> {
    let (path, explicit) = path(cli.global.config.as_deref())?;
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
    let file = file.unwrap_or_default();
    let mut settings = Vec::with_capacity(KEYS.len());
    let db = layer(
        &mut cli.global.db,
        file.db.map(|f| f.map(Some)),
        source(matches, "db", "KEYDESK_DB"),
    );
    settings.push(db.describe("db", |db| match db {
        Some(path) => shown_db(path).into(),
        None => crate::Store::default_path().map_or(Shown::Message(Msg("config-no-data-folder")), |p| {
            Shown::Text(p.display().to_string())
        }),
    }));
    let offset = layer(
        &mut cli.global.utc_offset,
        file.utc_offset.map(|f| f.map(Some)),
        source(matches, "utc_offset", ""),
    );
    settings.push(offset.describe("utc_offset", |offset| match offset {
        Some(offset) => crate::display::offset_label(*offset).into(),
        None => Shown::Message(Msg("config-local-offset")),
    }));
    let busy = layer(
        &mut cli.global.busy_timeout,
        file.busy_timeout,
        source(matches, "busy_timeout", "KEYDESK_BUSY_TIMEOUT"),
    );
    settings.push(busy.describe("busy_timeout", |timeout| {
        crate::domain::duration::format(*timeout).into()
    }));
    let clipboard = layer(&mut cli.tui.clipboard, file.clipboard, source(matches, "clipboard", ""));
    settings.push(clipboard.describe("clipboard", |mode: &ClipboardMode| mode.name().to_owned().into()));
    let clear = layer(
        &mut cli.tui.clear_clipboard_after,
        file.clear_clipboard_after,
        source(matches, "clear_clipboard_after", ""),
    );
    settings.push(clear.describe("clear_clipboard_after", |delay| {
        crate::cli::show_clear_after(*delay).into()
    }));
    let (color, color_source) = color(file.color);
    settings.push(Setting {
        key: "color",
        value: color.to_string().into(),
        source: color_source,
    });
    let (mouse, mouse_source) = match (cli.tui.no_mouse, file.mouse) {
        (true, _) => (false, Source::CommandLine),
        (false, Some(from_file)) => (from_file.value, Source::File { line: from_file.line }),
        (false, None) => (true, Source::Default),
    };
    settings.push(Setting {
        key: "mouse",
        value: mouse.to_string().into(),
        source: mouse_source,
    });
    let (unicode, unicode_source) = unicode(cli.tui.ascii, file.unicode, |name| std::env::var(name).ok());
    settings.push(Setting {
        key: "unicode",
        value: unicode.to_string().into(),
        source: unicode_source,
    });
    let (lang, lang_source) = lang(
        cli.global.lang,
        source(matches, "lang", "KEYDESK_LANG"),
        file.lang,
        |name| std::env::var(name).ok(),
    );
    settings.push(Setting {
        key: "lang",
        value: lang.tag().to_owned().into(),
        source: lang_source,
    });
    let (key_file, key_source) = match file.audit_key_file {
        Some(from_file) => (from_file.value, Source::File { line: from_file.line }),
        None => (default_audit_key_file(&path), Source::Default),
    };
    settings.push(Setting {
        key: "audit_key_file",
        value: key_file.display().to_string().into(),
        source: key_source,
    });
    cli.global.audit_key_file = Some(key_file);
    Ok(Effective {
        path,
        exists,
        color,
        mouse,
        unicode,
        lang,
        settings,
    })
}

/// `audit.key` beside the config file: the user's config folder, or wherever
/// `--config` points (so a fleet's hosts keep config and key together).
fn default_audit_key_file(config: &Path) -> PathBuf {
    config.parent().unwrap_or(Path::new(".")).join("audit.key")
}

/// A setting after layering: its value and where it came from.
struct Layered<'a, T> {
    value: &'a T,
    source: Source,
}

impl<T> Layered<'_, T> {
    fn describe(&self, key: &'static str, show: impl Fn(&T) -> Shown) -> Setting {
        Setting {
            key,
            value: show(self.value),
            source: self.source.clone(),
        }
    }
}

/// Takes the file's value when clap's came from neither the command line
/// nor the environment.
fn layer<'a, T>(target: &'a mut T, from_file: Option<FromFile<T>>, clap_source: Source) -> Layered<'a, T> {
    let source = match (clap_source, from_file) {
        (Source::Default, Some(from_file)) => {
            *target = from_file.value;
            Source::File { line: from_file.line }
        }
        (source, _) => source,
    };
    Layered { value: target, source }
}

/// Where clap found argument `id`: looked up through the subcommands too,
/// since a global option may be given after one (`keydesk list --db …`).
fn source(matches: &ArgMatches, id: &str, env: &'static str) -> Source {
    let mut level = Some(matches);
    let mut found = Source::Default;
    while let Some(matches) = level {
        match matches.try_get_raw(id).ok().and_then(|_| matches.value_source(id)) {
            Some(ValueSource::CommandLine) => return Source::CommandLine,
            Some(ValueSource::EnvVariable) => found = Source::Environment(env),
            _ => {}
        }
        level = matches.subcommand().map(|(_, sub)| sub);
    }
    found
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

/// The language: `--lang` or `KEYDESK_LANG`, else the file's `lang`, else
/// what the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) asks for, else English.
/// The locale comes after the file because it is the machine's setting for
/// every program, while the file is keydesk's own.
fn lang(
    from_clap: Option<Lang>,
    clap_source: Source,
    from_file: Option<FromFile<Lang>>,
    var: impl Fn(&str) -> Option<String>,
) -> (Lang, Source) {
    if let Some(lang) = from_clap {
        return (lang, clap_source);
    }
    if let Some(from_file) = from_file {
        return (from_file.value, Source::File { line: from_file.line });
    }
    match crate::i18n::from_environment(var) {
        Some((lang, name)) => (lang, Source::Environment(name)),
        None => (Lang::En, Source::Default),
    }
}

/// Whether the TUI draws with Unicode: not with `--ascii`, else as the file's
/// `unicode` says, else when the locale's character set is UTF-8 (a terminal
/// multiplexer such as GNU screen decodes by it, so UTF-8 sent to a POSIX
/// locale turns into garbage). No locale at all is the POSIX one: ASCII.
fn unicode(ascii: bool, from_file: Option<FromFile<bool>>, var: impl Fn(&str) -> Option<String>) -> (bool, Source) {
    if ascii {
        return (false, Source::CommandLine);
    }
    if let Some(from_file) = from_file {
        return (from_file.value, Source::File { line: from_file.line });
    }
    match crate::i18n::utf8_from_environment(var) {
        Some((utf8, name)) => (utf8, Source::Environment(name)),
        None => (false, Source::Default),
    }
}

/// The config file as read before the command line was parsed, handed to
/// [`apply`] so that it is read once.
pub struct Preread {
    path: PathBuf,
    file: Result<Option<FileSettings>, ConfigError>,
}

/// The language for what is printed before the command line is parsed
/// (`--help`, clap's own errors), found the way [`apply`] will find it:
/// `--lang` in `args`, `KEYDESK_LANG`, the config file's `lang` (a file
/// that cannot be read is reported later, by [`apply`]), the locale. With
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
    let lang = lang(None, Source::Default, from_file, |name| std::env::var(name).ok()).0;
    (lang, preread)
}

/// Colour: off when `NO_COLOR` is set (the environment wins), else as the
/// file says, else on.
fn color(from_file: Option<FromFile<bool>>) -> (bool, Source) {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return (false, Source::Environment("NO_COLOR"));
    }
    match from_file {
        Some(from_file) => (from_file.value, Source::File { line: from_file.line }),
        None => (true, Source::Default),
    }
}

impl<T> FromFile<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> FromFile<U> {
        FromFile {
            value: f(self.value),
            line: self.line,
        }
    }
}

/// `keydesk config show`: the file, then one line per setting.
pub fn describe(effective: &Effective) -> String {
    let path = effective.path.display().to_string();
    let mut text = if effective.exists {
        tr!("config-file", path = path)
    } else {
        tr!("config-file-missing", path = path)
    };
    text.push('\n');
    // Keys are the file's (ASCII) names, but measured as any column is.
    let width = KEYS.iter().map(|key| key.width()).max().unwrap_or(0);
    for setting in &effective.settings {
        let padding = " ".repeat(width - setting.key.width());
        text += &format!(
            "{}{padding}  {}  {}\n",
            setting.key,
            crate::display::sanitize(&setting.value.to_string()),
            tr!("config-setting-source", source = setting.source.to_string())
        );
    }
    text
}
