//! The command line, as clap sees it. `keydesk` alone starts the TUI; each
//! subcommand is a non-interactive operation for scripts and services.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{EnumValueParser, OsStringValueParser, PathBufValueParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, Parser, Subcommand};
use time::UtcOffset;

use std::time::Duration;

use super::when::{parse_duration, parse_future_instant, parse_grace};
use crate::clipboard::ClipboardMode;
use crate::config::values::{parse_busy_timeout, parse_clear_after, parse_lang};
use crate::config::{DEFAULT_BUSY_TIMEOUT, DEFAULT_CLEAR_CLIPBOARD_AFTER, Given, Layer, Setting, Source};
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
    #[arg(long, global = true, env = DB_ENV, value_name = "PATH|URL", value_parser = Sourced(db_path()))]
    pub db: Option<FromClap<PathBuf>>,

    #[arg(long, global = true, env = DB_PASSWORD_FILE_ENV, value_name = "FILE", value_parser = Sourced(PathBufValueParser::new()))]
    pub db_password_file: Option<FromClap<PathBuf>>,

    #[arg(long, global = true, value_name = "±HH:MM", value_parser = parse_offset, allow_hyphen_values = true)]
    pub utc_offset: Option<UtcOffset>,

    #[arg(
        long,
        global = true,
        env = BUSY_TIMEOUT_ENV,
        value_name = "DURATION",
        default_value = DEFAULT_BUSY_TIMEOUT,
        value_parser = Sourced(parse_busy_timeout)
    )]
    pub busy_timeout: FromClap<Duration>,

    #[arg(long, global = true, env = crate::config::CONFIG_ENV, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[arg(long, global = true, env = LANG_ENV, value_name = "LANG", value_parser = Sourced(parse_lang))]
    pub lang: Option<FromClap<Lang>>,
}

/// `--expect`: `SEQ:DIGEST` as `log --head` prints it.
fn parse_head(text: &str) -> Result<crate::domain::ChainHead, String> {
    text.parse()
        .map_err(|e: crate::domain::InvalidHead| crate::i18n::words::Worded::worded(&e))
}

/// Options of the TUI (`keydesk` without a subcommand).
#[derive(Debug, Args)]
pub struct TuiArgs {
    #[arg(long, default_value = "auto", value_name = "MODE", value_parser = Sourced(EnumValueParser::<ClipboardMode>::new()))]
    pub clipboard: FromClap<ClipboardMode>,

    /// Zero (written `off`) means never.
    #[arg(long, default_value = DEFAULT_CLEAR_CLIPBOARD_AFTER, value_name = "DURATION|off", value_parser = Sourced(parse_clear_after))]
    pub clear_clipboard_after: FromClap<Duration>,

    #[arg(long)]
    pub no_mouse: bool,

    #[arg(long)]
    pub ascii: bool,
}

/// The environment variable that names the database, like `--db`.
const DB_ENV: &str = "KEYDESK_DB";
/// Like `--db-password-file`.
const DB_PASSWORD_FILE_ENV: &str = "KEYDESK_DB_PASSWORD_FILE";
/// Like `--busy-timeout`.
const BUSY_TIMEOUT_ENV: &str = "KEYDESK_BUSY_TIMEOUT";
/// Like `--lang`.
const LANG_ENV: &str = "KEYDESK_LANG";

/// A value as clap found it: on the command line, in its environment
/// variable, or clap's default (shown by `--help`, and the same as the
/// settings' own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromClap<T> {
    pub value: T,
    pub origin: Origin,
}

/// Where clap found a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    CommandLine,
    Environment,
    Default,
}

/// Parses with the wrapped parser and keeps where the text came from, so the
/// source of a setting travels with its value (and no one asks clap for it
/// by the argument's name afterwards).
#[derive(Clone)]
pub(super) struct Sourced<P>(pub(super) P);

impl<P: TypedValueParser> TypedValueParser for Sourced<P> {
    type Value = FromClap<P::Value>;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        self.parse_ref_(cmd, arg, value, ValueSource::CommandLine)
    }

    fn parse_ref_(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
        source: ValueSource,
    ) -> Result<Self::Value, clap::Error> {
        let origin = match source {
            ValueSource::EnvVariable => Origin::Environment,
            ValueSource::DefaultValue => Origin::Default,
            _ => Origin::CommandLine,
        };
        let value = self.0.parse_ref_(cmd, arg, value, source)?;
        Ok(FromClap { value, origin })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

impl<T> FromClap<T> {
    /// Into the layer of the command line or of variable `env`; a default
    /// goes to neither (the settings have their own).
    fn split(self, env: &'static str) -> (Option<Setting<T>>, Option<Setting<T>>) {
        match self.origin {
            Origin::CommandLine => (Some(Setting::new(self.value, Source::CommandLine)), None),
            Origin::Environment => (None, Some(Setting::new(self.value, Source::Environment(env)))),
            Origin::Default => (None, None),
        }
    }

    /// Into the command line's layer, for an argument clap reads from no
    /// variable.
    fn given(self) -> Option<Setting<T>> {
        (self.origin != Origin::Default).then(|| Setting::new(self.value, Source::CommandLine))
    }
}

fn split<T>(value: Option<FromClap<T>>, env: &'static str) -> (Option<Setting<T>>, Option<Setting<T>>) {
    value.map_or((None, None), |value| value.split(env))
}

/// What the command line and the variables clap read say, as the layers the
/// settings are stacked from. The one place that knows both the parser's
/// fields and the settings', so renaming either is a compile error here.
pub fn given(global: GlobalArgs, tui: TuiArgs) -> Given {
    let mut command_line = Layer::default();
    let mut environment = Layer::default();
    (command_line.db, environment.db) = split(global.db, DB_ENV);
    (command_line.db_password_file, environment.db_password_file) =
        split(global.db_password_file, DB_PASSWORD_FILE_ENV);
    (command_line.busy_timeout, environment.busy_timeout) = global.busy_timeout.split(BUSY_TIMEOUT_ENV);
    (command_line.lang, environment.lang) = split(global.lang, LANG_ENV);
    command_line.utc_offset = global
        .utc_offset
        .map(|offset| Setting::new(offset, Source::CommandLine));
    command_line.clipboard = tui.clipboard.given();
    command_line.clear_clipboard_after = tui.clear_clipboard_after.given();
    command_line.mouse = tui.no_mouse.then(|| Setting::new(false, Source::CommandLine));
    command_line.unicode = tui.ascii.then(|| Setting::new(false, Source::CommandLine));
    Given {
        config: global.config,
        environment,
        command_line,
    }
}

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
    /// The commands that work on the keys of one database.
    #[command(flatten)]
    Store(StoreCommand),

    Agreement,

    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },

    #[cfg(feature = "serve")]
    Serve(super::serve_args::ServeArgs),

    Gateway(super::gateway::GatewayArgs),

    #[cfg(feature = "postgres")]
    Migrate {
        #[arg(long, value_name = "PATH")]
        from: PathBuf,

        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// The subcommands that open the database (`create` may make it) and work
/// on its keys.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
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

        #[command(flatten)]
        policy: PolicyArgs,
    },

    Limit {
        id: String,

        #[command(flatten)]
        policy: PolicyArgs,

        #[arg(long, value_name = "RULE|all")]
        clear: Vec<String>,

        #[arg(long)]
        json: bool,
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

        #[arg(long, value_enum, value_name = "WHAT")]
        by: Option<UsageBy>,

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
}

/// The policy rules `create` and `limit` set, as typed: [`Policy::set`]
/// reads them, so a bad value is reported by the command in the reader's
/// language, naming the bad part, with exit 2.
///
/// [`Policy::set`]: crate::domain::policy::Policy::set
#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    #[arg(long, value_name = "N")]
    pub rps: Option<String>,

    #[arg(long, value_name = "N")]
    pub rpm: Option<String>,

    #[arg(long, value_name = "N")]
    pub rph: Option<String>,

    #[arg(long, value_name = "N")]
    pub rpd: Option<String>,

    #[arg(long, value_name = "N")]
    pub tpm: Option<String>,

    #[arg(long, value_name = "N")]
    pub max_parallel: Option<String>,

    #[arg(long, value_name = "N[/day|/week|/month]")]
    pub token_budget: Option<String>,

    #[arg(long, value_name = "AMOUNT[/day|/week|/month]")]
    pub spend_limit: Option<String>,

    #[arg(long, value_name = "METHOD,…")]
    pub allow_methods: Option<String>,

    #[arg(long, value_name = "GLOB,…")]
    pub allow_paths: Option<String>,

    #[arg(long, value_name = "GLOB,…")]
    pub models: Option<String>,

    #[arg(long, value_name = "CIDR,…")]
    pub allow_ips: Option<String>,
}

impl PolicyArgs {
    /// The rules given, with their values, in the text form's order.
    pub fn given(&self) -> Vec<(crate::domain::policy::Rule, &str)> {
        use crate::domain::policy::Rule;
        [
            (Rule::Rps, &self.rps),
            (Rule::Rpm, &self.rpm),
            (Rule::Rph, &self.rph),
            (Rule::Rpd, &self.rpd),
            (Rule::Tpm, &self.tpm),
            (Rule::MaxParallel, &self.max_parallel),
            (Rule::TokenBudget, &self.token_budget),
            (Rule::SpendLimit, &self.spend_limit),
            (Rule::Methods, &self.allow_methods),
            (Rule::Paths, &self.allow_paths),
            (Rule::Models, &self.models),
            (Rule::Ips, &self.allow_ips),
        ]
        .into_iter()
        .filter_map(|(rule, value)| value.as_deref().map(|value| (rule, value)))
        .collect()
    }
}

/// `keydesk config …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum ConfigAction {
    Path,
    Show,
}

/// `usage --by`: what each row is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageBy {
    /// One row per key and model.
    Model,
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
            Some(Command::Store(StoreCommand::Create { name, .. })) => name,
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
                .value
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

    fn layers(args: &[&str]) -> Given {
        let cli = parse(args).unwrap();
        given(cli.global, cli.tui)
    }

    #[test]
    fn every_flag_is_a_command_line_setting_wherever_it_is_given() {
        let command_line = |args: &[&str]| layers(args).command_line;
        let given = command_line(&[
            "--db=/k.redb",
            "--db-password-file=/pw",
            "--utc-offset=+08:00",
            "--busy-timeout=3s",
            "--lang=zh-CN",
            "--clipboard=osc52",
            "--clear-clipboard-after=off",
            "--no-mouse",
            "--ascii",
        ]);
        let on_command_line = |value| Some(Setting::new(value, Source::CommandLine));
        assert_eq!(given.db, on_command_line(PathBuf::from("/k.redb")));
        assert_eq!(given.db_password_file, on_command_line(PathBuf::from("/pw")));
        assert_eq!(
            given.utc_offset,
            Some(Setting::new(time::macros::offset!(+8), Source::CommandLine))
        );
        assert_eq!(
            given.busy_timeout,
            Some(Setting::new(Duration::from_secs(3), Source::CommandLine))
        );
        assert_eq!(given.lang, Some(Setting::new(Lang::ZhCn, Source::CommandLine)));
        assert_eq!(
            given.clipboard,
            Some(Setting::new(ClipboardMode::Osc52, Source::CommandLine))
        );
        assert_eq!(
            given.clear_clipboard_after,
            Some(Setting::new(Duration::ZERO, Source::CommandLine))
        );
        assert_eq!(given.mouse, Some(Setting::new(false, Source::CommandLine)));
        assert_eq!(given.unicode, Some(Setting::new(false, Source::CommandLine)));
        // A global option after the subcommand is the command line's too.
        let given = command_line(&["list", "--busy-timeout", "4s", "--db", "/l.redb"]);
        assert_eq!(
            given.busy_timeout,
            Some(Setting::new(Duration::from_secs(4), Source::CommandLine))
        );
        assert_eq!(given.db, on_command_line(PathBuf::from("/l.redb")));
    }

    #[test]
    fn clap_defaults_set_nothing_and_are_the_settings_defaults() {
        let cli = parse(&[]).unwrap();
        let settings = crate::config::Settings::resolve(PathBuf::new(), false, Layer::default(), |_| None);
        assert_eq!(cli.tui.clipboard.origin, Origin::Default);
        assert_eq!(cli.tui.clipboard.value, settings.clipboard.value);
        assert_eq!(cli.tui.clear_clipboard_after.origin, Origin::Default);
        assert_eq!(
            cli.tui.clear_clipboard_after.value,
            settings.clear_clipboard_after.value
        );
        // KEYDESK_BUSY_TIMEOUT may be set where the tests run.
        if cli.global.busy_timeout.origin == Origin::Default {
            assert_eq!(cli.global.busy_timeout.value, settings.busy_timeout.value);
        }
        assert_eq!(given(cli.global, cli.tui).command_line, Layer::default());
    }

    #[test]
    fn an_out_of_range_utc_offset_names_the_range() {
        let error = parse(&["list", "--utc-offset", "+15:00"]).unwrap_err();
        assert!(error.contains("from -12:00 to +14:00"), "{error}");
        let cli = parse(&["list", "--utc-offset", "+8:00"]).unwrap();
        assert_eq!(cli.global.utc_offset, Some(time::macros::offset!(+8)));
    }
}
