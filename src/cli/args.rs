//! The command line, as clap sees it. `keydesk` alone starts the TUI; each
//! subcommand is a non-interactive operation for scripts and services.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use time::UtcOffset;

use std::time::Duration;

use super::when::{duration_forms, parse_any_duration, parse_duration, parse_future_instant, parse_grace};
use crate::clipboard::ClipboardMode;
use crate::display::parse_offset;
use crate::domain::usage::DAILY_RETENTION_DAYS;
use crate::i18n::Lang;

#[derive(Debug, Parser)]
// The help texts (about, every subcommand and argument, the exit codes) are
// in locales/*/cli.ftl, put on the command by `super::help::command`.
#[command(name = "keydesk", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(flatten)]
    pub tui: TuiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    #[arg(long, global = true, env = DB_ENV, value_name = "PATH|URL", value_parser = db_path())]
    pub db: Option<PathBuf>,

    #[arg(long, global = true, env = "KEYDESK_DB_PASSWORD_FILE", value_name = "FILE")]
    pub db_password_file: Option<PathBuf>,

    #[arg(long, global = true, value_name = "±HH:MM", value_parser = parse_offset, allow_hyphen_values = true)]
    pub utc_offset: Option<UtcOffset>,

    #[arg(
        long,
        global = true,
        env = "KEYDESK_BUSY_TIMEOUT",
        value_name = "DURATION",
        default_value = "2s",
        value_parser = parse_busy_timeout
    )]
    pub busy_timeout: Duration,

    #[arg(long, global = true, env = crate::config::CONFIG_ENV, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[arg(long, global = true, env = "KEYDESK_LANG", value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<Lang>,

    /// The audit key file: the config file's `audit_key_file`, else
    /// `audit.key` beside the config file (filled in by `config::apply`).
    #[arg(skip)]
    pub audit_key_file: Option<PathBuf>,
}

/// `--expect`: `SEQ:DIGEST` as `log --head` prints it.
fn parse_head(text: &str) -> Result<crate::domain::ChainHead, String> {
    text.parse()
        .map_err(|e: crate::domain::InvalidHead| crate::i18n::words::Worded::worded(&e))
}

/// `--lang`: `en` or `zh-CN`, in their usual spellings.
pub(crate) fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| tr!("cli-lang-invalid"))
}

/// The longest `--busy-timeout`: ten minutes.
const MAX_BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// `--busy-timeout`: a duration up to ten minutes; `0s` (do not wait) too.
pub(crate) fn parse_busy_timeout(text: &str) -> Result<Duration, String> {
    match parse_any_duration(text)? {
        timeout if timeout <= MAX_BUSY_TIMEOUT => Ok(timeout),
        _ => Err(tr!("cli-busy-timeout-invalid", forms = duration_forms())),
    }
}

/// Options of the TUI (`keydesk` without a subcommand).
#[derive(Debug, Args)]
pub struct TuiArgs {
    #[arg(long, value_enum, default_value_t = ClipboardMode::Auto, value_name = "MODE")]
    pub clipboard: ClipboardMode,

    /// Zero (written `off`) means never.
    #[arg(long, default_value = "30s", value_name = "DURATION|off", value_parser = parse_clear_after)]
    pub clear_clipboard_after: Duration,

    #[arg(long)]
    pub no_mouse: bool,

    #[arg(long)]
    pub ascii: bool,
}

/// The environment variable that names the database, like `--db`.
const DB_ENV: &str = "KEYDESK_DB";

/// A path, but not an empty one. clap's own message for an empty value
/// blames `--db` even when the empty value came from `KEYDESK_DB`.
fn db_path() -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new().try_map(|value| {
        if !value.is_empty() {
            return Ok(PathBuf::from(value));
        }
        if std::env::var_os(DB_ENV).is_some_and(|v| v.is_empty()) {
            Err(tr!("cli-db-env-empty", var = DB_ENV))
        } else {
            Err(tr!("cli-db-path-empty"))
        }
    })
}

/// The longest clipboard clearing delay. Anything longer is surely a mistake,
/// and a huge one overflowed the timer into "never" without saying so.
pub const MAX_CLEAR_AFTER: Duration = Duration::from_secs(86_400);

/// The spelling of "never clear" for `--clear-clipboard-after`.
pub const CLEAR_NEVER: &str = "off";

/// `--clear-clipboard-after`: a duration up to a day, or `off` for never
/// (kept as zero, which the clipboard's timer reads as never). `0s` is
/// refused as a likely slip; `off` says it on purpose.
pub(crate) fn parse_clear_after(input: &str) -> Result<Duration, String> {
    let invalid = || tr!("cli-clear-after-invalid", forms = duration_forms());
    match input {
        CLEAR_NEVER => return Ok(Duration::ZERO),
        // The old spelling of never: the usual "write 0s" would mislead.
        "0" => return Err(invalid()),
        _ => {}
    }
    match parse_any_duration(input)? {
        delay if delay.is_zero() || delay > MAX_CLEAR_AFTER => Err(invalid()),
        delay => Ok(delay),
    }
}

/// A `--clear-clipboard-after` value as `config show` prints it.
pub(crate) fn show_clear_after(delay: Duration) -> String {
    if delay.is_zero() {
        CLEAR_NEVER.to_owned()
    } else {
        crate::domain::duration::format(delay)
    }
}

/// `--name`'s value. A name may start with `-` (`-foo` is valid), so values
/// starting with one are taken; but one that is an option of the command means
/// the name was left out (`--name --accept-terms`), and is refused rather than
/// silently swallowing that option as the name. (clap cannot tell that from
/// `--name=--accept-terms`, so no key can be named after an option.)
#[derive(Clone)]
struct NameValue;

impl TypedValueParser for NameValue {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, _: Option<&clap::Arg>, value: &OsStr) -> Result<String, clap::Error> {
        let Some(text) = value.to_str() else {
            return Err(clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(cmd));
        };
        if is_option_of(cmd, text) {
            let message = tr!("cli-name-missing-value", option = text) + "\n";
            return Err(clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd));
        }
        Ok(text.to_owned())
    }
}

/// Whether `text` spells one of `cmd`'s options, as `--long`, `--long=…` or `-s`.
fn is_option_of(cmd: &clap::Command, text: &str) -> bool {
    cmd.get_arguments().any(|arg| {
        let long = arg
            .get_long()
            .and_then(|long| text.strip_prefix("--")?.strip_prefix(long));
        let short = arg
            .get_short()
            .is_some_and(|short| text.strip_prefix('-') == Some(short.encode_utf8(&mut [0; 4])));
        matches!(long, Some(rest) if rest.is_empty() || rest.starts_with('=')) || short
    })
}

// Each subcommand's and argument's help is in cli.ftl (`help-cmd-…`,
// `help-arg-…`), listed in `super::help`.
#[derive(Debug, Subcommand)]
pub enum Command {
    Verify {
        #[arg(long, short, conflicts_with = "explain")]
        quiet: bool,

        #[arg(long)]
        explain: bool,
    },

    List {
        #[arg(long)]
        json: bool,

        #[arg(long, value_enum, value_name = "STATUS")]
        status: Option<StatusFilter>,

        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        expiring_within: Option<time::Duration>,
    },

    Create {
        #[arg(long, allow_hyphen_values = true, value_parser = NameValue)]
        name: String,

        #[arg(long)]
        accept_terms: bool,

        #[arg(long)]
        allow_duplicate_name: bool,

        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, conflicts_with = "expires_at")]
        expires_in: Option<time::Duration>,

        #[arg(long, value_name = "RFC3339", value_parser = future_instant)]
        expires_at: Option<time::OffsetDateTime>,
    },

    Log {
        #[arg(long, value_name = "ID")]
        key: Option<String>,

        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        since: Option<time::Duration>,

        #[arg(long)]
        json: bool,

        #[arg(long, conflicts_with_all = ["key", "since", "json", "head"])]
        check: bool,

        #[arg(long, value_name = "SEQ:DIGEST", requires = "check", value_parser = parse_head)]
        expect: Option<crate::domain::ChainHead>,

        #[arg(long, conflicts_with_all = ["key", "since", "json"])]
        head: bool,
    },

    Usage {
        id: Option<String>,

        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=DAILY_RETENTION_DAYS as i64))]
        days: u32,

        #[arg(long)]
        json: bool,
    },

    #[command(group = clap::ArgGroup::new("cleanup_action").multiple(false))]
    Cleanup {
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        unused_for: time::Duration,

        #[arg(long, group = "cleanup_action")]
        disable: bool,

        #[arg(long, group = "cleanup_action")]
        delete: bool,

        #[arg(long)]
        dry_run: bool,

        #[arg(long, short)]
        yes: bool,

        #[arg(long)]
        json: bool,
    },

    Disable {
        id: String,
    },

    Enable {
        id: String,
    },

    Rotate {
        id: String,

        #[arg(long, value_name = "DURATION|now", value_parser = parse_grace, allow_hyphen_values = true)]
        grace: time::Duration,
    },

    #[command(group = clap::ArgGroup::new("when").required(true).multiple(false))]
    Expire {
        id: String,

        #[arg(long = "in", value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, group = "when")]
        expires_in: Option<time::Duration>,

        #[arg(long = "at", value_name = "RFC3339", value_parser = future_instant, group = "when")]
        expires_at: Option<time::OffsetDateTime>,

        #[arg(long, group = "when")]
        never: bool,
    },

    Rename {
        id: String,
        new_name: String,

        #[arg(long)]
        allow_duplicate_name: bool,
    },

    Delete {
        id: String,

        #[arg(long, short)]
        yes: bool,
    },

    Agreement,

    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },

    #[cfg(feature = "serve")]
    Serve(crate::serve::ServeArgs),

    #[cfg(feature = "postgres")]
    Migrate {
        #[arg(long, value_name = "PATH")]
        from: PathBuf,

        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// `keydesk config …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum ConfigAction {
    Path,
    Show,
}

/// `list --status`: a key's state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    Active,
    Disabled,
    Expired,
}

fn future_instant(input: &str) -> Result<time::OffsetDateTime, String> {
    parse_future_instant(input, time::OffsetDateTime::now_utc())
}

/// clap's view of [`ClipboardMode`], kept here so the clipboard module does not
/// depend on the command-line parser.
impl clap::ValueEnum for ClipboardMode {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ClipboardMode::Auto,
            ClipboardMode::System,
            ClipboardMode::Osc52,
            ClipboardMode::Off,
        ]
    }

    /// Without help: clap asks for these on every parse, and the help (in
    /// the language, so from the messages) is added by `help::command` only
    /// when help or an error is to be shown.
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, String> {
        Cli::try_parse_from(std::iter::once("keydesk").chain(args.iter().copied())).map_err(|e| e.to_string())
    }

    fn created_name(args: &[&str]) -> String {
        match parse(args).unwrap().command {
            Some(Command::Create { name, .. }) => name,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_name_may_start_with_a_hyphen() {
        assert_eq!(created_name(&["create", "--name", "-foo", "--accept-terms"]), "-foo");
        assert_eq!(created_name(&["create", "--accept-terms", "--name", "-x"]), "-x");
        assert_eq!(created_name(&["create", "--name=--not-an-option"]), "--not-an-option");
    }

    #[test]
    fn an_option_in_place_of_the_name_is_reported_as_a_missing_name() {
        for option in [
            "--accept-terms",
            "--allow-duplicate-name",
            "--help",
            "-h",
            "--db=x",
            "--utc-offset",
        ] {
            let error = parse(&["create", "--accept-terms", "--name", option]).unwrap_err();
            assert!(
                error.contains(&format!("--name is missing its value: '{option}' is an option")),
                "{error}"
            );
        }
    }

    #[test]
    fn the_clipboard_delay_is_a_duration_up_to_a_day_or_off() {
        let delay = |value: &str| {
            parse(&["--clear-clipboard-after", value])
                .unwrap()
                .tui
                .clear_clipboard_after
        };
        assert_eq!(delay("24h"), Duration::from_secs(86_400));
        assert_eq!(delay("1500ms"), Duration::from_millis(1_500));
        assert_eq!(delay("off"), Duration::ZERO);
        for bad in [
            "86401s",
            "2d",
            "0s",
            "0ms",
            "99999999999999999999d",
            "-1s",
            "1.5s",
            "30",
            "0",
            "never",
        ] {
            let error = parse(&[&format!("--clear-clipboard-after={bad}")]).unwrap_err();
            assert!(error.contains("e.g. 250ms, 30s, 5m, 24h, 30d"), "{bad}: {error}");
        }
        for out_of_range in ["3d", "0s", "0"] {
            let error = parse(&[&format!("--clear-clipboard-after={out_of_range}")]).unwrap_err();
            assert!(error.contains("from 1s to 24h, or off"), "{out_of_range}: {error}");
        }
    }

    #[test]
    fn an_out_of_range_utc_offset_names_the_range() {
        let error = parse(&["list", "--utc-offset", "+15:00"]).unwrap_err();
        assert!(error.contains("from -12:00 to +14:00"), "{error}");
        let cli = parse(&["list", "--utc-offset", "+8:00"]).unwrap();
        assert_eq!(cli.global.utc_offset, Some(time::macros::offset!(+8)));
    }
}
