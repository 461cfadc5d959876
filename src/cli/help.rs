//! `--help` in the current language. The help texts live in `cli.ftl`
//! (`help-cmd-…` for commands, `help-arg-…` for arguments), not in the derive
//! attributes of `args.rs`, which clap could only show in English; [`command`]
//! puts them on clap's command tree at run time. A test walks the tree so a
//! new subcommand or flag without help in both languages fails the build.
//!
//! In Chinese the parts clap writes itself are localised too where clap lets
//! us: the section headings, the `Usage:` line and the built-in `--help`,
//! `--version` and `help`. What clap writes inside the text (`[default: …]`,
//! `[env: …]`, `[possible values: …]`) and its parse errors stay English.

use clap::builder::StyledStr;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Arg, Command, CommandFactory, ValueEnum};

use super::args::Cli;
use crate::clipboard::ClipboardMode;
use crate::i18n::{Lang, Msg};

/// A command's help: its path under `keydesk` (`""` for the program itself,
/// `"config show"`), the one-line about, and the longer one `--help` shows.
type CommandHelp = (&'static str, Msg, Option<Msg>);

const COMMANDS: &[CommandHelp] = &[
    ("", Msg("help-keydesk"), Some(Msg("help-keydesk.long"))),
    ("verify", Msg("help-cmd-verify"), Some(Msg("help-cmd-verify.long"))),
    ("list", Msg("help-cmd-list"), None),
    ("create", Msg("help-cmd-create"), Some(Msg("help-cmd-create.long"))),
    ("limit", Msg("help-cmd-limit"), Some(Msg("help-cmd-limit.long"))),
    ("log", Msg("help-cmd-log"), Some(Msg("help-cmd-log.long"))),
    ("usage", Msg("help-cmd-usage"), Some(Msg("help-cmd-usage.long"))),
    ("cleanup", Msg("help-cmd-cleanup"), Some(Msg("help-cmd-cleanup.long"))),
    ("disable", Msg("help-cmd-disable"), None),
    ("enable", Msg("help-cmd-enable"), None),
    ("rotate", Msg("help-cmd-rotate"), Some(Msg("help-cmd-rotate.long"))),
    ("expire", Msg("help-cmd-expire"), None),
    ("rename", Msg("help-cmd-rename"), None),
    ("delete", Msg("help-cmd-delete"), None),
    ("agreement", Msg("help-cmd-agreement"), None),
    ("config", Msg("help-cmd-config"), None),
    ("config path", Msg("help-cmd-config-path"), None),
    ("config show", Msg("help-cmd-config-show"), None),
    ("serve", Msg("help-cmd-serve"), Some(Msg("help-cmd-serve.long"))),
    ("migrate", Msg("help-cmd-migrate"), None),
    ("gateway", Msg("help-cmd-gateway"), Some(Msg("help-cmd-gateway.long"))),
    (
        "completions",
        Msg("help-cmd-completions"),
        Some(Msg("help-cmd-completions.long")),
    ),
    ("man", Msg("help-cmd-man"), Some(Msg("help-cmd-man.long"))),
    ("backup", Msg("help-cmd-backup"), Some(Msg("help-cmd-backup.long"))),
    ("restore", Msg("help-cmd-restore"), Some(Msg("help-cmd-restore.long"))),
    ("doctor", Msg("help-cmd-doctor"), Some(Msg("help-cmd-doctor.long"))),
];

/// An argument's help: the command's path (as in [`COMMANDS`]), the
/// argument's clap id, its help.
type ArgHelp = (&'static str, &'static str, Msg);

const ARGS: &[ArgHelp] = &[
    ("", "db", Msg("help-arg-db")),
    ("", "db_password_file", Msg("help-arg-db-password-file")),
    ("", "utc_offset", Msg("help-arg-utc-offset")),
    ("", "busy_timeout", Msg("help-arg-busy-timeout")),
    ("", "config", Msg("help-arg-config")),
    ("", "lang", Msg("help-arg-lang")),
    ("", "clipboard", Msg("help-arg-clipboard")),
    ("", "clear_clipboard_after", Msg("help-arg-clear-clipboard-after")),
    ("", "no_mouse", Msg("help-arg-no-mouse")),
    ("", "ascii", Msg("help-arg-ascii")),
    ("verify", "quiet", Msg("help-arg-verify-quiet")),
    ("verify", "explain", Msg("help-arg-verify-explain")),
    ("list", "json", Msg("help-arg-list-json")),
    ("list", "status", Msg("help-arg-list-status")),
    ("list", "expiring_within", Msg("help-arg-list-expiring-within")),
    ("create", "name", Msg("help-arg-name")),
    ("create", "accept_terms", Msg("help-arg-create-accept-terms")),
    ("create", "allow_duplicate_name", Msg("help-arg-allow-duplicate-name")),
    ("create", "expires_in", Msg("help-arg-create-expires-in")),
    ("create", "expires_at", Msg("help-arg-create-expires-at")),
    ("create", "rps", Msg("help-arg-policy-rps")),
    ("create", "rpm", Msg("help-arg-policy-rpm")),
    ("create", "rph", Msg("help-arg-policy-rph")),
    ("create", "rpd", Msg("help-arg-policy-rpd")),
    ("create", "max_parallel", Msg("help-arg-policy-max-parallel")),
    ("create", "tpm", Msg("help-arg-policy-tpm")),
    ("create", "token_budget", Msg("help-arg-policy-token-budget")),
    ("create", "spend_limit", Msg("help-arg-policy-spend-limit")),
    ("create", "allow_methods", Msg("help-arg-policy-allow-methods")),
    ("create", "allow_paths", Msg("help-arg-policy-allow-paths")),
    ("create", "models", Msg("help-arg-policy-models")),
    ("create", "allow_ips", Msg("help-arg-policy-allow-ips")),
    ("limit", "id", Msg("help-arg-key-id")),
    ("limit", "rps", Msg("help-arg-policy-rps")),
    ("limit", "rpm", Msg("help-arg-policy-rpm")),
    ("limit", "rph", Msg("help-arg-policy-rph")),
    ("limit", "rpd", Msg("help-arg-policy-rpd")),
    ("limit", "max_parallel", Msg("help-arg-policy-max-parallel")),
    ("limit", "tpm", Msg("help-arg-policy-tpm")),
    ("limit", "token_budget", Msg("help-arg-policy-token-budget")),
    ("limit", "spend_limit", Msg("help-arg-policy-spend-limit")),
    ("limit", "allow_methods", Msg("help-arg-policy-allow-methods")),
    ("limit", "allow_paths", Msg("help-arg-policy-allow-paths")),
    ("limit", "models", Msg("help-arg-policy-models")),
    ("limit", "allow_ips", Msg("help-arg-policy-allow-ips")),
    ("limit", "clear", Msg("help-arg-limit-clear")),
    ("limit", "json", Msg("help-arg-limit-json")),
    ("log", "key", Msg("help-arg-log-key")),
    ("log", "since", Msg("help-arg-log-since")),
    ("log", "json", Msg("help-arg-log-json")),
    ("log", "check", Msg("help-arg-log-check")),
    ("log", "expect", Msg("help-arg-log-expect")),
    ("log", "head", Msg("help-arg-log-head")),
    ("usage", "id", Msg("help-arg-usage-id")),
    ("usage", "days", Msg("help-arg-usage-days")),
    ("usage", "by", Msg("help-arg-usage-by")),
    ("usage", "json", Msg("help-arg-usage-json")),
    ("cleanup", "unused_for", Msg("help-arg-cleanup-unused-for")),
    ("cleanup", "disable", Msg("help-arg-cleanup-disable")),
    ("cleanup", "delete", Msg("help-arg-cleanup-delete")),
    ("cleanup", "dry_run", Msg("help-arg-cleanup-dry-run")),
    ("cleanup", "yes", Msg("help-arg-yes")),
    ("cleanup", "json", Msg("help-arg-cleanup-json")),
    ("disable", "id", Msg("help-arg-key-id")),
    ("enable", "id", Msg("help-arg-key-id")),
    ("rotate", "id", Msg("help-arg-key-id")),
    ("rotate", "grace", Msg("help-arg-rotate-grace")),
    ("expire", "id", Msg("help-arg-key-id")),
    ("expire", "expires_in", Msg("help-arg-expire-in")),
    ("expire", "expires_at", Msg("help-arg-expire-at")),
    ("expire", "never", Msg("help-arg-expire-never")),
    ("rename", "id", Msg("help-arg-key-id")),
    ("rename", "new_name", Msg("help-arg-name")),
    ("rename", "allow_duplicate_name", Msg("help-arg-allow-duplicate-name")),
    ("delete", "id", Msg("help-arg-key-id")),
    ("delete", "yes", Msg("help-arg-yes")),
    ("serve", "listen", Msg("help-arg-serve-listen")),
    ("serve", "upstream", Msg("help-arg-serve-upstream")),
    ("serve", "upstream_auth_file", Msg("help-arg-serve-upstream-auth-file")),
    ("serve", "allow_query_key", Msg("help-arg-serve-allow-query-key")),
    ("serve", "insecure_http", Msg("help-arg-serve-insecure-http")),
    ("serve", "tls_cert", Msg("help-arg-serve-tls-cert")),
    ("serve", "tls_key", Msg("help-arg-serve-tls-key")),
    ("serve", "header_timeout", Msg("help-arg-serve-header-timeout")),
    (
        "serve",
        "upstream_connect_timeout",
        Msg("help-arg-serve-upstream-connect-timeout"),
    ),
    ("serve", "upstream_timeout", Msg("help-arg-serve-upstream-timeout")),
    ("serve", "shutdown_timeout", Msg("help-arg-serve-shutdown-timeout")),
    ("serve", "max_index_age", Msg("help-arg-serve-max-index-age")),
    ("serve", "fail_static", Msg("help-arg-serve-fail-static")),
    ("serve", "max_connections", Msg("help-arg-serve-max-connections")),
    ("serve", "threads", Msg("help-arg-serve-threads")),
    ("serve", "log_format", Msg("help-arg-serve-log-format")),
    ("serve", "trusted_proxies", Msg("help-arg-serve-trusted-proxies")),
    ("serve", "max_model_body", Msg("help-arg-serve-max-model-body")),
    ("serve", "count_tokens", Msg("help-arg-serve-count-tokens")),
    ("serve", "stream_usage", Msg("help-arg-serve-stream-usage")),
    ("serve", "access_log", Msg("help-arg-serve-access-log")),
    ("migrate", "from", Msg("help-arg-migrate-from")),
    ("migrate", "to", Msg("help-arg-migrate-to")),
    ("doctor", "json", Msg("help-arg-doctor-json")),
    ("gateway", "gateway", Msg("help-arg-gateway-gateway")),
    ("gateway", "keydesk", Msg("help-arg-gateway-keydesk")),
    ("gateway", "upstream", Msg("help-arg-gateway-upstream")),
    ("gateway", "listen", Msg("help-arg-gateway-listen")),
    ("completions", "shell", Msg("help-arg-completions-shell")),
    ("man", "page", Msg("help-arg-man-page")),
    ("man", "out_dir", Msg("help-arg-man-out-dir")),
    ("backup", "path", Msg("help-arg-backup-path")),
    ("backup", "force", Msg("help-arg-backup-force")),
    ("restore", "path", Msg("help-arg-restore-path")),
    ("restore", "force", Msg("help-arg-restore-force")),
];

/// keydesk's command line with every help text in the current language; use
/// it instead of `Cli::command()`.
pub fn command() -> Command {
    let command = with_help(Cli::command(), "").after_help(tr!("help-exit-codes"));
    match crate::i18n::current() {
        // English is clap's own wording already.
        Lang::En => command,
        _ => with_clap_parts_translated(command),
    }
}

/// `command` (at `path`) and its subcommands, with their help from the
/// tables. Anything missing from them keeps what clap has (the test makes
/// sure nothing is).
fn with_help(mut command: Command, path: &str) -> Command {
    if let Some((_, about, long)) = COMMANDS.iter().find(|(at, ..)| *at == path) {
        command = command.about(about.text());
        command = match long {
            Some(long) => command.long_about(long.text()),
            None => command.long_about(None::<&str>),
        };
    }
    let ids: Vec<String> = command.get_arguments().map(|arg| arg.get_id().to_string()).collect();
    for id in ids {
        if let Some((.., help)) = ARGS.iter().find(|(at, arg, _)| *at == path && *arg == id) {
            command = command.mut_arg(&id, |arg| arg.help(help.text()).long_help(None::<&str>));
        }
        // clap would print the variable's value: KEYDESK_DB may hold a
        // PostgreSQL password.
        command = command.mut_arg(&id, |arg| arg.hide_env_values(true));
        if id == "clipboard" {
            command = command.mut_arg(id, |arg| arg.value_parser(super::args::Sourced(clipboard_modes())));
        }
    }
    let names: Vec<String> = command.get_subcommands().map(|sub| sub.get_name().to_owned()).collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(name, |sub| with_help(sub, &sub_path));
    }
    command
}

/// `--clipboard`'s values, each with its help.
fn clipboard_modes() -> impl TypedValueParser<Value = ClipboardMode> {
    let values = ClipboardMode::value_variants().iter().map(|mode| {
        let help = match mode {
            ClipboardMode::Auto => tr!("help-clipboard-auto"),
            ClipboardMode::System => tr!("help-clipboard-system"),
            ClipboardMode::Osc52 => tr!("help-clipboard-osc52"),
            ClipboardMode::Off => tr!("help-clipboard-off"),
        };
        PossibleValue::new(mode.name()).help(help)
    });
    PossibleValuesParser::new(values).map(|name| name.parse().expect("each possible value names a mode"))
}

/// The headings, the usage line and clap's built-in `--help`, `--version`
/// and `help`, which exist only once the command is built.
fn with_clap_parts_translated(mut command: Command) -> Command {
    command.build();
    translate_built(command)
}

fn translate_built(mut command: Command) -> Command {
    let usage = command.get_styles().get_usage();
    let heading = tr!("help-heading-usage");
    // A full-width colon has its own space built in.
    let gap = if heading.ends_with('：') { "" } else { " " };
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{usage}{heading}{usage:#}{gap}{{usage}}\n\n{{all-args}}{{after-help}}"
    );
    command = command
        .help_template(StyledStr::from(template))
        .subcommand_help_heading(tr!("help-heading-commands"));
    let args: Vec<(String, bool)> = command
        .get_arguments()
        .map(|arg| (arg.get_id().to_string(), arg.is_positional()))
        .collect();
    let long_help_exists = command
        .get_arguments()
        .any(|arg| arg.get_id() == "help" && arg.get_long_help().is_some());
    for (id, positional) in args {
        let heading = if positional {
            tr!("help-heading-arguments")
        } else {
            tr!("help-heading-options")
        };
        command = command.mut_arg(&id, |arg| {
            let arg = arg.help_heading(heading);
            match id.as_str() {
                "help" if long_help_exists => arg
                    .help(tr!("help-builtin-help-more"))
                    .long_help(tr!("help-builtin-help-summary")),
                "help" => arg.help(tr!("help-builtin-help")),
                "version" => arg.help(tr!("help-builtin-version")),
                // The `help` command's own argument.
                "subcommand" => arg.help(tr!("help-builtin-help-command-arg")),
                _ => with_tags_translated(arg),
            }
        });
    }
    let names: Vec<String> = command.get_subcommands().map(|sub| sub.get_name().to_owned()).collect();
    for name in names {
        let builtin_help = name == "help";
        command = command.mut_subcommand(&name, |sub| {
            let sub = translate_built(sub);
            if builtin_help {
                sub.about(tr!("help-builtin-help-command"))
            } else {
                sub
            }
        });
    }
    command
}

/// What clap adds after an argument's help — `[env: …]`, `[default: …]`,
/// `[possible values: …]` and the list of values with their help — in the
/// current language: clap's own are hidden and these appended.
fn with_tags_translated(arg: Arg) -> Arg {
    let Some(help) = arg.get_help().map(ToString::to_string) else {
        return arg;
    };
    let mut tags = Vec::new();
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        tags.push(tr!("help-tag-env", name = env.to_string_lossy().into_owned()));
    }
    let takes_values = arg.get_action().takes_values();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    if takes_values && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        tags.push(tr!("help-tag-default", value = defaults.join(" ")));
    }
    let values: Vec<PossibleValue> = match takes_values && !arg.is_hide_possible_values_set() {
        true => arg
            .get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            .collect(),
        false => Vec::new(),
    };
    // Values with their own help are listed one a line in `--help`, as
    // clap does; `-h` and values without help get them on the line.
    let described = values.iter().any(|value| value.get_help().is_some());
    let mut long = std::iter::once(help.clone())
        .chain(tags.clone())
        .collect::<Vec<_>>()
        .join(" ");
    if !values.is_empty() {
        let names: Vec<&str> = values.iter().map(PossibleValue::get_name).collect();
        tags.push(tr!(
            "help-tag-possible-values",
            values = names.join(tr!("help-tag-list-separator").as_str())
        ));
    }
    let short = std::iter::once(help).chain(tags).collect::<Vec<_>>().join(" ");
    if described {
        long += &format!("\n\n{}", tr!("help-tag-possible-values-heading"));
        for value in &values {
            let name = value.get_name();
            match value.get_help() {
                Some(help) => long += &format!("\n- {name}：{help}"),
                None => long += &format!("\n- {name}"),
            }
        }
    }
    let arg = arg
        .hide_env(true)
        .hide_default_value(true)
        .hide_possible_values(true)
        .help(short);
    match described {
        true => arg.long_help(long),
        false => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::with_lang;

    /// Every command's path and every argument's (path, id), as declared
    /// (clap's built-in help and version come only with `build`).
    fn declared(command: &Command, path: &str, commands: &mut Vec<String>, args: &mut Vec<(String, String)>) {
        commands.push(path.to_owned());
        for arg in command.get_arguments() {
            args.push((path.to_owned(), arg.get_id().to_string()));
        }
        for sub in command.get_subcommands() {
            let sub_path = if path.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{path} {}", sub.get_name())
            };
            declared(sub, &sub_path, commands, args);
        }
    }

    #[test]
    fn every_command_and_argument_has_help_in_the_tables_and_nothing_else_does() {
        let (mut commands, mut args) = (Vec::new(), Vec::new());
        declared(&Cli::command(), "", &mut commands, &mut args);
        let missing_commands: Vec<_> = commands
            .iter()
            .filter(|path| !COMMANDS.iter().any(|(at, ..)| at == path))
            .collect();
        assert!(
            missing_commands.is_empty(),
            "commands without help: {missing_commands:?}"
        );
        let missing_args: Vec<_> = args
            .iter()
            .filter(|(path, id)| !ARGS.iter().any(|(at, arg, _)| at == path && arg == id))
            .collect();
        assert!(missing_args.is_empty(), "arguments without help: {missing_args:?}");
        let stale: Vec<_> = ARGS
            .iter()
            .filter(|(at, arg, _)| !args.iter().any(|(path, id)| path == at && id == arg))
            .map(|(at, arg, _)| format!("{at}/{arg}"))
            .chain(
                COMMANDS
                    .iter()
                    .filter(|(at, ..)| !commands.iter().any(|p| p == at))
                    .map(|(at, ..)| at.to_string()),
            )
            .collect();
        assert!(stale.is_empty(), "help for what no longer exists: {stale:?}");
    }

    /// What `--help` shows of every command and argument, built as clap
    /// builds it for the screen.
    fn shown(command: &mut Command) -> Vec<(String, String)> {
        command.build();
        let mut found = Vec::new();
        collect(command, "keydesk", &mut found);
        found
    }

    fn collect(command: &Command, path: &str, found: &mut Vec<(String, String)>) {
        let about = command.get_about().map(ToString::to_string).unwrap_or_default();
        found.push((path.to_owned(), about));
        for arg in command.get_arguments() {
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            found.push((format!("{path} {}", arg.get_id()), help));
        }
        for sub in command.get_subcommands() {
            collect(sub, &format!("{path} {}", sub.get_name()), found);
        }
    }

    #[test]
    fn every_command_and_argument_shows_help_in_both_languages() {
        let english = with_lang(Lang::En, || shown(&mut command()));
        let chinese = with_lang(Lang::ZhCn, || shown(&mut command()));
        for (path, help) in english.iter().chain(&chinese) {
            assert!(!help.trim().is_empty(), "{path} has no help");
            assert!(!help.starts_with("help-"), "{path} shows a message id: {help}");
        }
        let has_chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for (path, help) in &chinese {
            assert!(has_chinese(help), "{path} is not in Chinese: {help}");
        }
    }

    #[test]
    fn chinese_help_has_its_own_default_environment_and_value_tags() {
        let long = with_lang(Lang::ZhCn, || command().render_long_help().to_string());
        let short = with_lang(Lang::ZhCn, || command().render_help().to_string());
        for text in [&long, &short] {
            for english in ["[default:", "[env:", "[possible values:", "Possible values:"] {
                assert!(!text.contains(english), "{english} in:\n{text}");
            }
            assert!(
                text.contains("[默认：2s]") && text.contains("[环境变量：KEYDESK_DB]"),
                "{text}"
            );
        }
        assert!(short.contains("[可选值：auto、system、osc52、off]"), "{short}");
        assert!(long.contains("可选值：\n") && long.contains("- osc52："), "{long}");
        // English keeps clap's own tags.
        let english = with_lang(Lang::En, || command().render_long_help().to_string());
        assert!(
            english.contains("[default: 2s]") && english.contains("[env: KEYDESK_DB"),
            "{english}"
        );
    }

    #[test]
    fn english_help_keeps_clap_headings_and_chinese_help_has_its_own() {
        let english = with_lang(Lang::En, || command().render_long_help().to_string());
        assert!(english.contains("Usage: keydesk [OPTIONS] [COMMAND]"), "{english}");
        assert!(
            english.contains("\nCommands:\n") && english.contains("\nOptions:\n"),
            "{english}"
        );
        assert!(english.contains("Exit codes:\n  0  success"), "{english}");
        let chinese = with_lang(Lang::ZhCn, || command().render_long_help().to_string());
        for part in ["用法：keydesk", "\n命令:\n", "\n选项:\n", "退出码", "打印帮助"] {
            assert!(chinese.contains(part), "lacks {part}: {chinese}");
        }
        assert!(
            !chinese.contains("Usage:") && !chinese.contains("Print help"),
            "{chinese}"
        );
    }
}
