use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};
use keydesk::cli::{self, Cli};
use keydesk::clipboard::{ClipboardSettings, Environment};
use keydesk::config::Settings;
use keydesk::tui;
use time::UtcOffset;

fn main() -> ExitCode {
    // Read the local offset first, while the process has one thread: the
    // `time` crate refuses to read it later on Linux (it cannot do so soundly
    // once threads exist).
    let local_offset = UtcOffset::current_local_offset().ok();
    keydesk::hardening::protect_process_memory();
    quiet_caught_storage_panics();
    let args: Vec<_> = std::env::args_os().collect();
    let (early_lang, preread) = keydesk::config::early_lang(&args);
    keydesk::i18n::set(early_lang);
    // The command tree without its help texts parses a correct command
    // line just as well; only help and errors need the texts, in the
    // language, so they are looked up (and the messages loaded) only then.
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(version) if version.kind() == clap::error::ErrorKind::DisplayVersion => version.exit(),
        Err(_) => cli::command()
            .try_get_matches_from(args)
            .unwrap_or_else(|error| cli::exit_on_parse_error(error)),
    };
    let Cli { global, tui, command } = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    let given = cli::given(global, tui);
    // doctor reports a config file it cannot use rather than stopping there.
    let doctor = matches!(command, Some(cli::Command::Doctor { .. }));
    let settings = match keydesk::config::load(given.clone(), preread) {
        Ok(settings) => settings,
        Err(error) => match doctor.then(|| keydesk::config::load_without_file(given)) {
            Some(Ok(settings)) => settings,
            _ => {
                eprintln!("keydesk: {error}");
                return cli::Exit::Usage.into();
            }
        },
    };
    keydesk::i18n::set(settings.lang.value);
    match command {
        Some(command) => cli::run(command, &settings, local_offset),
        None => run_tui(&settings, local_offset),
    }
}

/// `keydesk` without a subcommand: the full-screen TUI.
fn run_tui(settings: &Settings, local_offset: Option<UtcOffset>) -> ExitCode {
    if let Err(reason) = check_terminal() {
        eprintln!("keydesk: {reason}");
        return ExitCode::from(2);
    }
    // Before the database is opened: a question about making it is
    // written to the same terminal.
    let unicode = settings.unicode.value;
    let chinese_dropped = !unicode && settings.lang.value != keydesk::i18n::Lang::En;
    if !unicode {
        use_ascii_only();
    }
    let store = match open_tui_store(settings) {
        Ok(store) => store,
        Err(failure) => {
            eprintln!("keydesk: {}", failure.message);
            return failure.exit.into();
        }
    };
    let clipboard = ClipboardSettings {
        mode: settings.clipboard.value,
        clear_after: settings.clear_clipboard_after.value,
    };
    let copy_handler = tui::TerminalClipboard::new(clipboard, &Environment::from_process());
    let mut options =
        tui::TuiOptions::new(settings.utc_offset.value, local_offset).with_copy_handler(Box::new(copy_handler));
    options.theme = tui::Theme::new(settings.color.value);
    options.prices = settings.prices.clone();
    if !unicode {
        options.theme = options.theme.ascii();
    }
    if chinese_dropped {
        options.note = options
            .note
            .or_else(|| Some(keydesk_i18n::tr!("tui-note-chinese-needs-unicode")));
    }
    options.mouse = settings.mouse.value;
    options.database = database_designation(settings).map(|db| tui::database::label(&db));
    match tui::run(store, options) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(report) => {
            eprintln!("keydesk: {report:?}");
            ExitCode::FAILURE
        }
    }
}

/// The open database as typed (a PostgreSQL URL) or found (a file's path),
/// for the header to name.
fn database_designation(settings: &Settings) -> Option<String> {
    match cli::postgres_url(settings) {
        Some(url) => Some(url.to_owned()),
        None => cli::store_path(settings).ok().map(|path| path.display().to_string()),
    }
}

/// A terminal that cannot show UTF-8 gets ASCII only, every message too.
/// Chinese cannot be written in ASCII, so the screen is in English then.
fn use_ascii_only() {
    keydesk::i18n::set(keydesk::i18n::Lang::En);
    keydesk::i18n::set_ascii(true);
}

/// The TUI changes keys: it seals its entries with the audit key, made on
/// first use.
const TUI_KEY: cli::audit_key::KeyFile = cli::audit_key::KeyFile::Create;

/// The TUI's database: made without asking at the default path (a first
/// start), but at a path someone typed only after they confirm, since a typo
/// would otherwise open an empty key list that looks like every key was lost.
fn open_tui_store(settings: &Settings) -> Result<std::sync::Arc<dyn keydesk::KeyStore>, cli::Failure> {
    // A server database is named, not made by a typo: a wrong name is an
    // error from the server, so there is nothing to confirm.
    if let Some(url) = cli::postgres_url(settings) {
        #[cfg(feature = "postgres")]
        let _notice = keydesk_postgres::connecting_to(url).map(|(location, timeout)| {
            let text = keydesk_i18n::tr!(
                "cli-tui-connecting",
                location = keydesk_i18n::words::place(&location),
                seconds = timeout.as_secs().max(1)
            );
            SlowNotice::after(Duration::from_millis(500), text)
        });
        #[cfg(not(feature = "postgres"))]
        let _ = url;
        return cli::open_store(
            settings,
            cli::IfMissing::Create,
            keydesk::domain::Interface::Tui,
            TUI_KEY,
        );
    }
    let path = cli::store_path(settings)?;
    let is_default = keydesk::Store::default_path().is_ok_and(|default| default == path);
    if is_default || std::fs::symlink_metadata(&path).is_ok() {
        return cli::open_store(
            settings,
            cli::IfMissing::Create,
            keydesk::domain::Interface::Tui,
            TUI_KEY,
        );
    }
    let question = keydesk_i18n::tr!("cli-tui-create-question", path = path.display().to_string());
    if !cli::confirm(&question).map_err(cli::Failure::from)? {
        return Err(cli::Failure::declined(keydesk_i18n::tr!("cli-tui-not-created")));
    }
    cli::open_store(
        settings,
        cli::IfMissing::Create,
        keydesk::domain::Interface::Tui,
        TUI_KEY,
    )
}

/// A line on the terminal if something takes longer than a moment, so a
/// screen left blank while connecting to a far or silent server says why
/// (and that Ctrl+C stops it). Nothing is printed once dropped.
#[cfg(feature = "postgres")]
struct SlowNotice {
    done: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[cfg(feature = "postgres")]
impl SlowNotice {
    fn after(delay: Duration, text: String) -> SlowNotice {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("keydesk-notice".into())
            .spawn(move || {
                if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(delay) {
                    eprintln!("keydesk: {text}");
                }
            })
            .ok();
        SlowNotice {
            done: Some(done),
            thread,
        }
    }
}

#[cfg(feature = "postgres")]
impl Drop for SlowNotice {
    fn drop(&mut self) {
        drop(self.done.take());
        // Joined, so the line can never land on the TUI's screen.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The TUI needs a terminal on both sides: keys from stdin, the screen on
/// stdout. Without one (a pipe, a file, /dev/null) it would write escape codes
/// where a script expects data, or fail half-way with a backtrace; scripts
/// have the subcommands. Checked before the database is opened, so nothing
/// is created for a run that cannot work.
///
/// `TERM=dumb` (Emacs shell buffers, some CI consoles) cannot move the cursor,
/// so it is refused too. An unset `TERM` is not: pseudo-terminal harnesses
/// and minimal containers often leave it unset while speaking ANSI, and
/// crossterm writes ANSI sequences whatever `TERM` says.
fn check_terminal() -> Result<(), String> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(keydesk_i18n::tr!("cli-needs-terminal"));
    }
    if std::env::var_os("TERM").is_some_and(|term| term == "dumb") {
        return Err(keydesk_i18n::tr!("cli-dumb-terminal"));
    }
    Ok(())
}

/// The store turns a panic inside redb (a damaged file) into a clear "damaged"
/// error; the default hook would also print a confusing panic message first.
fn quiet_caught_storage_panics() {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !keydesk::store::storage_panic_is_being_caught() {
            next(info);
        }
    }));
}
