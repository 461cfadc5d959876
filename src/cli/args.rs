//! The command line, as clap sees it. `keydesk` alone starts the TUI; each
//! subcommand is a non-interactive operation for scripts and services.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use time::UtcOffset;

use super::exit::EXIT_CODES_HELP;
use super::when::{parse_duration, parse_future_instant, parse_grace};
use crate::clipboard::ClipboardMode;
use crate::display::parse_offset;
use crate::domain::usage::DAILY_RETENTION_DAYS;
use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "keydesk",
    version,
    about = "Manage the API keys of an AI service: a full-screen TUI, and a CLI for scripts",
    long_about = "Manage the API keys of an AI service.\n\nRun without a subcommand to open the full-screen TUI. The subcommands are for scripts and services; they are safe to run while the TUI is open.",
    after_help = EXIT_CODES_HELP
)]
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
    /// Database file, or a PostgreSQL URL postgres://user@host/db (its password from PGPASSWORD,
    /// ~/.pgpass or --db-password-file, never on the command line) [default: the user's data
    /// directory, e.g. ~/.local/share/keydesk/keydesk.redb]
    #[arg(long, global = true, env = DB_ENV, value_name = "PATH|URL", value_parser = db_path())]
    pub db: Option<PathBuf>,

    /// A file holding the PostgreSQL password for a postgres:// --db (its first line)
    #[arg(long, global = true, env = "KEYDESK_DB_PASSWORD_FILE", value_name = "FILE")]
    pub db_password_file: Option<PathBuf>,

    /// Show times in this UTC offset: ±HH:MM or ±H:MM, minutes optional (+08:00, +8, -5:30, UTC+8, Z),
    /// from -12:00 to +14:00 [default: the system's local offset]
    #[arg(long, global = true, value_name = "±HH:MM", value_parser = parse_offset, allow_hyphen_values = true)]
    pub utc_offset: Option<UtcOffset>,

    /// While another process holds the database, keep trying this long before reporting it busy
    /// (from 0 to 600)
    #[arg(
        long,
        global = true,
        env = "KEYDESK_BUSY_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 2.0,
        value_parser = parse_busy_timeout
    )]
    pub busy_timeout: f64,

    /// The config file [default: the platform's config folder, e.g. ~/.config/keydesk/config.toml;
    /// a missing default file is fine, a missing named one is an error]
    #[arg(long, global = true, env = crate::config::CONFIG_ENV, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The language of screens and messages: en or zh-CN (简体中文) [default: from LC_ALL,
    /// LC_MESSAGES or LANG, zh_CN.UTF-8 meaning Chinese; else English]
    #[arg(long, global = true, env = "KEYDESK_LANG", value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<Lang>,
}

/// `--lang`: `en` or `zh-CN`, in their usual spellings.
pub(crate) fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| "use en or zh-CN".to_owned())
}

/// `--busy-timeout`: seconds, fractions allowed, up to ten minutes.
pub(crate) fn parse_busy_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=600.0).contains(&seconds) => Ok(seconds),
        _ => Err("use a number of seconds from 0 to 600, e.g. 2 or 0.5".to_owned()),
    }
}

/// Options of the TUI (`keydesk` without a subcommand).
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// How copies reach your clipboard: `auto` uses the system clipboard on a local desktop and
    /// your terminal (OSC 52) over SSH or without a display
    #[arg(long, value_enum, default_value_t = ClipboardMode::Auto, value_name = "MODE")]
    pub clipboard: ClipboardMode,

    /// Clear a copied key from the clipboard after this many seconds, if it is still there (0: never;
    /// at most 86400, a day)
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = parse_clear_after)]
    pub clear_clipboard_after: u64,

    /// Leave the mouse to the terminal (its own text selection everywhere) instead of clicks and
    /// the wheel in keydesk
    #[arg(long)]
    pub no_mouse: bool,
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
            Err(format!(
                "{DB_ENV} is set but empty: set it to a database file, or unset it to use the default database"
            ))
        } else {
            Err("the database path is empty".to_owned())
        }
    })
}

/// The longest clipboard clearing delay. Anything longer is surely a mistake,
/// and a huge one overflowed the timer into "never" without saying so.
pub const MAX_CLEAR_AFTER_SECS: u64 = 86_400;

pub(crate) fn parse_clear_after(input: &str) -> Result<u64, String> {
    let invalid = || format!("use a whole number of seconds from 0 (never) to {MAX_CLEAR_AFTER_SECS} (a day)");
    match input.trim().parse::<u64>() {
        Ok(seconds) if seconds <= MAX_CLEAR_AFTER_SECS => Ok(seconds),
        Ok(_) => Err(format!("too long: {}", invalid())),
        Err(_) => Err(invalid()),
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
            let message = format!("--name is missing its value: '{text}' is an option, not a name\n");
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a key read from standard input (never from arguments: those are visible in `ps`).
    ///
    /// Prints the key's ID and exits 0 if it is live; prints `invalid` and exits 1 otherwise
    /// (the same answer for malformed, unknown, deleted, disabled and expired keys, and for a
    /// rotated-out secret after its grace). Records Last Used, at most once per key per minute,
    /// and counts the check for the key's usage (one database write per check of a known key).
    Verify {
        /// Print nothing; the exit code is the answer.
        #[arg(long, short, conflicts_with = "explain")]
        quiet: bool,

        /// Say why a key is invalid (unknown, disabled, expired at …, previous secret whose grace
        /// ended at …). For the operator holding the key; never for a service's callers.
        #[arg(long)]
        explain: bool,
    },

    /// List keys: name, ID, masked key, created at, last used, status.
    List {
        /// A stable JSON array (RFC 3339 UTC times; `null` for never used, no expiry, no
        /// rotation) instead of a table.
        #[arg(long)]
        json: bool,

        /// Only keys in this state now.
        #[arg(long, value_enum, value_name = "STATUS")]
        status: Option<StatusFilter>,

        /// Only keys that have not expired but will within this duration (e.g. 7d), for a job
        /// that warns before keys expire.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        expiring_within: Option<time::Duration>,
    },

    /// Create a key. Prints only the secret on stdout, so `KEY=$(keydesk create …)` works.
    ///
    /// The ID and masked key go to stderr. The secret is shown this once and never again.
    Create {
        /// 2–64 characters: Chinese characters, letters, digits, _ or -.
        #[arg(long, allow_hyphen_values = true, value_parser = NameValue)]
        name: String,

        /// Confirm you have read the agreement (`keydesk agreement`) and understand the risks.
        #[arg(long)]
        accept_terms: bool,

        /// Use the name even if another key already has it, without asking.
        #[arg(long)]
        allow_duplicate_name: bool,

        /// The key stops verifying after this long: a whole number and s, m, h or d (e.g. 30d).
        /// Default: never.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, conflicts_with = "expires_at")]
        expires_in: Option<time::Duration>,

        /// The key stops verifying at this instant (RFC 3339, e.g. 2026-12-31T23:59:59Z).
        #[arg(long, value_name = "RFC3339", value_parser = future_instant)]
        expires_at: Option<time::OffsetDateTime>,
    },

    /// The audit log: who changed which key, when and from where, newest first.
    ///
    /// Every change (create, rename, delete, disable, enable, rotate, expiry, schema upgrade) is
    /// recorded with the change itself. `--check` walks the hash chain and names the first entry
    /// that was changed, removed or inserted (exit 1), or says it is intact (exit 0).
    Log {
        /// Only entries about this key (its ID, ak-…); kept after the key is deleted.
        #[arg(long, value_name = "ID")]
        key: Option<String>,

        /// Only entries from this long ago until now (e.g. 7d, 24h).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        since: Option<time::Duration>,

        /// A stable JSON array (RFC 3339 UTC times) instead of lines.
        #[arg(long)]
        json: bool,

        /// Check the hash chain instead of printing the log.
        #[arg(long, conflicts_with_all = ["key", "since", "json"])]
        check: bool,
    },

    /// How often keys were presented, per UTC day, by outcome: accepted, or refused as disabled,
    /// expired, or a rotated-out secret past its end.
    ///
    /// With an ID: every day of the range and the total; without: one line per key with its
    /// totals. Counted by `verify`, the `Verifier` and `serve` (written in batches every 30 s).
    Usage {
        /// Only this key (its ID, ak-…).
        id: Option<String>,

        /// How many days back, today (UTC) included: 1 to 400 (what is kept).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=DAILY_RETENTION_DAYS as i64))]
        days: u32,

        /// A stable JSON array of {id, name, total, days: [{date, …counts}]} (only days with a
        /// count) instead of a table.
        #[arg(long)]
        json: bool,
    },

    /// Find keys unused for a while (never-used keys count from their creation); list them, or
    /// disable or delete them all in one transaction, one audit entry per key.
    ///
    /// Without --yes on a terminal it asks first; without a terminal it refuses unless --yes.
    #[command(group = clap::ArgGroup::new("cleanup_action").multiple(false))]
    Cleanup {
        /// Unused for at least this long (e.g. 90d).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
        unused_for: time::Duration,

        /// Disable the keys found (reversible: `enable` undoes it). Already disabled or expired keys
        /// are left out.
        #[arg(long, group = "cleanup_action")]
        disable: bool,

        /// Delete the keys found.
        #[arg(long, group = "cleanup_action")]
        delete: bool,

        /// Say what would be done, and change nothing.
        #[arg(long)]
        dry_run: bool,

        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short)]
        yes: bool,

        /// A stable JSON object {unused_for_days, action, dry_run, keys: [{id, name, created_at,
        /// last_used}]} instead of a table.
        #[arg(long)]
        json: bool,
    },

    /// Stop a key verifying, reversibly (`enable` undoes it). Safer than delete as a first step.
    Disable {
        /// The key's ID (ak-…).
        id: String,
    },

    /// Let a disabled key verify again. An expired key cannot be enabled.
    Enable {
        /// The key's ID (ak-…).
        id: String,
    },

    /// Give a key a new secret (same ID, name and expiry). Prints only the new secret on stdout.
    ///
    /// The old secret keeps verifying for the grace period, then stops. Rotating again during a
    /// grace ends the older grace at once. Cannot be undone.
    Rotate {
        /// The key's ID (ak-…).
        id: String,

        /// How long the old secret keeps verifying: a whole number and s, m, h or d (e.g. 24h),
        /// or `now` for not at all.
        #[arg(long, value_name = "DURATION|now", value_parser = parse_grace, allow_hyphen_values = true)]
        grace: time::Duration,
    },

    /// Set or remove a key's expiry. An expired key stays expired: delete it or create a new one.
    #[command(group = clap::ArgGroup::new("when").required(true).multiple(false))]
    Expire {
        /// The key's ID (ak-…).
        id: String,

        /// Expire after this long from now (e.g. 30d).
        #[arg(long = "in", value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, group = "when")]
        expires_in: Option<time::Duration>,

        /// Expire at this instant (RFC 3339, e.g. 2026-12-31T23:59:59Z).
        #[arg(long = "at", value_name = "RFC3339", value_parser = future_instant, group = "when")]
        expires_at: Option<time::OffsetDateTime>,

        /// Never expire.
        #[arg(long, group = "when")]
        never: bool,
    },

    /// Rename a key.
    Rename {
        /// The key's ID (ak-…).
        id: String,
        /// 2–64 characters: Chinese characters, letters, digits, _ or -.
        new_name: String,

        /// Use the name even if another key already has it, without asking.
        #[arg(long)]
        allow_duplicate_name: bool,
    },

    /// Delete a key. Applications using it can no longer call the service.
    Delete {
        /// The key's ID (ak-…).
        id: String,

        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short)]
        yes: bool,
    },

    /// Print the API key agreement that `create --accept-terms` refers to.
    Agreement,

    /// The config file: where it is looked for, and the settings keydesk runs with.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },

    /// Check keys over HTTP: a forward-auth endpoint for gateways, or (with --upstream) a proxy.
    ///
    /// `ANY /verify` answers 200 with X-Keydesk-Key-Id for a live key and 401 otherwise; gateways
    /// (nginx auth_request, Caddy forward_auth, Traefik forwardAuth, Envoy ext_authz) ask it before
    /// forwarding. With --upstream URL every request is checked and then forwarded without its key.
    /// Stops on SIGTERM/SIGINT after finishing requests in flight and writing Last Used.
    #[cfg(feature = "serve")]
    Serve(crate::serve::ServeArgs),

    /// Copy a database file's keys (hashes, never secrets; lifecycle and Last Used) and its audit
    /// log into PostgreSQL, then check the counts on both sides. Safe to run again: keys already
    /// there are left alone, and an audit log already copied is recognised.
    #[cfg(feature = "postgres")]
    Migrate {
        /// The database file to copy from (it is only read, after any schema upgrade).
        #[arg(long, value_name = "PATH")]
        from: PathBuf,

        /// The PostgreSQL database to copy to: postgres://user@host/db (the password from
        /// PGPASSWORD, ~/.pgpass or --db-password-file).
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// `keydesk config …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum ConfigAction {
    /// Print the path of the config file keydesk reads (whether or not it exists).
    Path,
    /// Print each setting, its effective value and where it came from (command line,
    /// environment, config file and line, or default).
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

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = match self {
            ClipboardMode::Auto => "system clipboard on a local desktop, OSC 52 over SSH or without a display",
            ClipboardMode::System => "always the system clipboard (fails over SSH without a display)",
            ClipboardMode::Osc52 => "always OSC 52 through the terminal",
            ClipboardMode::Off => "never copy; select the text on screen instead",
        };
        Some(clap::builder::PossibleValue::new(self.name()).help(help))
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
    fn the_clipboard_delay_is_capped_at_a_day() {
        assert_eq!(
            parse(&["--clear-clipboard-after", "86400"])
                .unwrap()
                .tui
                .clear_clipboard_after,
            86_400
        );
        assert_eq!(
            parse(&["--clear-clipboard-after", "0"])
                .unwrap()
                .tui
                .clear_clipboard_after,
            0
        );
        for bad in ["86401", "18446744073709551615", "99999999999999999999", "-1", "1.5"] {
            let error = parse(&[&format!("--clear-clipboard-after={bad}")]).unwrap_err();
            assert!(error.contains("from 0 (never) to 86400 (a day)"), "{bad}: {error}");
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
