//! The judges against facts made by hand: every setup doctor must judge,
//! without touching a file, a server or the environment.

use std::path::PathBuf;
use std::time::Duration;

use super::facts::{
    AuditFacts, ChainWalk, ConfigFacts, FileFacts, FileMeta, Locale, Surroundings, TmuxOptions, Unchecked,
};
use super::finding::{Check, Finding, Level, needs_attention};
use super::{judge_files, judge_surroundings};
use crate::StoreError;
use crate::clipboard::{ClipboardMode, Environment};
use crate::config::{ConfigError, Setting, Source, UnknownKey};
use crate::domain::{BreakKind, ChainBreak};
use crate::hardening::Untrusted;
use crate::store::{SCHEMA_VERSION, SchemaPeek};

fn level_of(findings: &[Finding], check: Check) -> Level {
    findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check:?} in {findings:?}"))
        .level
}

fn in_english<T>(f: impl FnOnce() -> T) -> T {
    crate::i18n::with_lang(crate::i18n::Lang::En, f)
}

fn private_file(len: u64) -> FileMeta {
    FileMeta {
        not_a_file: None,
        len,
        mode: 0o600,
        untrusted: None,
    }
}

fn healthy_file() -> FileFacts {
    FileFacts {
        path: PathBuf::from("/srv/keydesk/keys.redb"),
        named: true,
        file: Ok(Some(private_file(4096))),
        free_bytes: Some(10 << 30),
        schema: Some(Ok(SchemaPeek::Version(SCHEMA_VERSION))),
        busy_timeout: Duration::from_secs(2),
    }
}

#[test]
fn a_healthy_database_file_is_ok_on_every_check() {
    let findings = in_english(|| judge_files::database_file(&healthy_file()));
    assert!(findings.iter().all(|f| f.level == Level::Ok), "{findings:?}");
    let checks: Vec<_> = findings.iter().map(|f| f.check.id()).collect();
    assert_eq!(
        checks,
        [
            "database.path",
            "database.owner",
            "database.mode",
            "database.schema",
            "database.lock",
            "database.space"
        ]
    );
}

#[test]
fn a_database_others_may_read_is_a_warning_and_one_they_may_write_an_error_with_chmod_600() {
    let readable = FileFacts {
        file: Ok(Some(FileMeta {
            mode: 0o644,
            ..private_file(4096)
        })),
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&readable));
    let mode = findings.iter().find(|f| f.check == Check::DatabaseMode).unwrap();
    assert_eq!(mode.level, Level::Warning);
    assert_eq!(mode.fix.as_deref(), Some("chmod 600 /srv/keydesk/keys.redb"));
    assert!(needs_attention(&findings));

    let writable = FileFacts {
        file: Ok(Some(FileMeta {
            mode: 0o666,
            untrusted: Some(Untrusted::Writable {
                mode: 0o666,
                path: PathBuf::from("/srv/keydesk/keys.redb"),
            }),
            ..private_file(4096)
        })),
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&writable));
    assert_eq!(level_of(&findings, Check::DatabaseMode), Level::Error);
}

#[test]
fn another_owner_is_an_error_naming_both_users() {
    let facts = FileFacts {
        file: Ok(Some(FileMeta {
            untrusted: Some(Untrusted::Owner { owner: 1001, me: 1000 }),
            ..private_file(4096)
        })),
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&facts));
    let owner = findings.iter().find(|f| f.check == Check::DatabaseOwner).unwrap();
    assert_eq!(owner.level, Level::Error);
    assert!(
        owner.message.contains("user 1001") && owner.message.contains("user 1000"),
        "{owner:?}"
    );
    assert!(
        owner
            .fix
            .as_deref()
            .unwrap()
            .contains("chown 1000 /srv/keydesk/keys.redb"),
        "{owner:?}"
    );
}

#[test]
fn a_held_lock_is_a_warning_naming_the_busy_timeout_and_how_to_find_the_holder() {
    let facts = FileFacts {
        schema: Some(Err(StoreError::Busy {
            path: PathBuf::from("/srv/keydesk/keys.redb"),
            waited: Duration::from_secs(2),
        })),
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&facts));
    let lock = findings.iter().find(|f| f.check == Check::DatabaseLock).unwrap();
    assert_eq!(lock.level, Level::Warning);
    assert!(lock.message.contains("2.0 s"), "{lock:?}");
    assert!(
        lock.fix.as_deref().unwrap().contains("fuser -v /srv/keydesk/keys.redb"),
        "{lock:?}"
    );
    assert!(
        !findings.iter().any(|f| f.check == Check::DatabaseSchema),
        "{findings:?}"
    );
}

#[test]
fn schemas_older_newer_and_needing_recovery_are_each_judged() {
    let with = |schema| FileFacts {
        schema: Some(Ok(schema)),
        ..healthy_file()
    };
    let judge = |facts: FileFacts| in_english(|| judge_files::database_file(&facts));
    assert_eq!(
        level_of(
            &judge(with(SchemaPeek::Version(SCHEMA_VERSION - 1))),
            Check::DatabaseSchema
        ),
        Level::Warning
    );
    assert_eq!(
        level_of(
            &judge(with(SchemaPeek::Version(SCHEMA_VERSION + 1))),
            Check::DatabaseSchema
        ),
        Level::Error
    );
    assert_eq!(
        level_of(&judge(with(SchemaPeek::NeedsOpening)), Check::DatabaseSchema),
        Level::Warning
    );
}

#[test]
fn low_free_space_is_a_warning() {
    let facts = FileFacts {
        free_bytes: Some(10 << 20),
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&facts));
    let space = findings.iter().find(|f| f.check == Check::DatabaseSpace).unwrap();
    assert_eq!(space.level, Level::Warning);
    assert!(space.message.contains("10.0 MiB"), "{space:?}");
}

#[test]
fn no_database_at_the_default_path_informs_but_a_named_one_missing_is_an_error() {
    let default = FileFacts {
        named: false,
        file: Ok(None),
        schema: None,
        ..healthy_file()
    };
    let findings = in_english(|| judge_files::database_file(&default));
    assert!(!needs_attention(&findings), "{findings:?}");
    let named = FileFacts { named: true, ..default };
    let findings = in_english(|| judge_files::database_file(&named));
    assert_eq!(level_of(&findings, Check::DatabasePath), Level::Error);
}

fn config_facts() -> ConfigFacts {
    ConfigFacts {
        path: PathBuf::from("/etc/keydesk/config.toml"),
        explicit: false,
        file: Ok(Some(FileMeta {
            mode: 0o644,
            ..private_file(40)
        })),
        problem: None,
        unknown_keys: Vec::new(),
    }
}

#[test]
fn every_unknown_config_key_is_an_error_with_its_line_and_the_key_meant() {
    let facts = ConfigFacts {
        problem: Some(ConfigError {
            path: PathBuf::from("/etc/keydesk/config.toml"),
            line: Some(2),
            message: "unknown key `clipbaord`, did you mean `clipboard`?".into(),
        }),
        unknown_keys: vec![
            UnknownKey {
                key: "clipbaord".into(),
                line: 2,
                nearest: Some("clipboard"),
            },
            UnknownKey {
                key: "theme".into(),
                line: 5,
                nearest: None,
            },
        ],
        ..config_facts()
    };
    let findings = in_english(|| judge_files::config(&facts));
    let keys: Vec<_> = findings.iter().filter(|f| f.check == Check::ConfigKeys).collect();
    assert_eq!(keys.len(), 2, "{findings:?}");
    assert!(keys.iter().all(|f| f.level == Level::Error));
    assert!(keys[0].message.contains("config.toml:2") && keys[0].message.contains("`clipbaord`"));
    assert_eq!(keys[0].fix.as_deref(), Some("rename it on line 2 to `clipboard`"));
    assert!(
        keys[1]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("remove line 5; the keys are db, ")
    );
    // The parse error says the same as the first key's finding: not twice.
    assert!(
        !findings
            .iter()
            .any(|f| f.check == Check::ConfigFile && f.level == Level::Error)
    );
}

#[test]
fn a_config_file_others_may_write_is_an_error_and_a_missing_default_one_is_fine() {
    let writable = ConfigFacts {
        file: Ok(Some(FileMeta {
            mode: 0o666,
            untrusted: Some(Untrusted::Writable {
                mode: 0o666,
                path: PathBuf::from("/etc/keydesk/config.toml"),
            }),
            ..private_file(40)
        })),
        ..config_facts()
    };
    let findings = in_english(|| judge_files::config(&writable));
    let permissions = findings.iter().find(|f| f.check == Check::ConfigPermissions).unwrap();
    assert_eq!(permissions.level, Level::Error);
    assert_eq!(permissions.fix.as_deref(), Some("chmod 644 /etc/keydesk/config.toml"));

    let absent = ConfigFacts {
        file: Ok(None),
        ..config_facts()
    };
    assert!(!needs_attention(&in_english(|| judge_files::config(&absent))));
    let named = ConfigFacts {
        explicit: true,
        ..absent
    };
    assert!(needs_attention(&in_english(|| judge_files::config(&named))));
}

fn walk(entries: u64) -> ChainWalk {
    ChainWalk {
        entries,
        broken: None,
        keyed_from: Some(1),
        seals_checked: true,
        key_file: PathBuf::from("/home/me/.config/keydesk/audit.key"),
    }
}

#[test]
fn a_broken_chain_is_an_error_and_an_intact_one_is_ok() {
    let intact = AuditFacts::Checked(walk(3));
    let findings = in_english(|| judge_files::audit(&intact));
    assert!(findings.iter().all(|f| f.level == Level::Ok), "{findings:?}");
    assert!(findings[0].message.contains("3 entries"), "{findings:?}");

    let broken = AuditFacts::Checked(ChainWalk {
        broken: Some(ChainBreak {
            seq: 2,
            kind: BreakKind::Changed,
        }),
        ..walk(3)
    });
    let findings = in_english(|| judge_files::audit(&broken));
    assert_eq!(level_of(&findings, Check::AuditChain), Level::Error);
    assert!(findings[0].message.contains("entry 2"), "{findings:?}");

    let unsealed = AuditFacts::Checked(ChainWalk {
        seals_checked: false,
        ..walk(3)
    });
    let findings = in_english(|| judge_files::audit(&unsealed));
    assert_eq!(level_of(&findings, Check::AuditKey), Level::Warning);
}

#[test]
fn an_audit_chain_that_could_not_be_checked_only_informs() {
    for why in [
        Unchecked::NoDatabase,
        Unchecked::DatabaseUnready,
        Unchecked::NotPermitted,
    ] {
        let findings = in_english(|| judge_files::audit(&AuditFacts::NotChecked(why)));
        assert_eq!(level_of(&findings, Check::AuditChain), Level::Info, "{why:?}");
    }
}

fn surroundings(environment: Environment) -> Surroundings {
    Surroundings {
        clipboard: Setting::new(ClipboardMode::Auto, Source::Default),
        environment,
        tmux: None,
        stdin_terminal: true,
        stdout_terminal: true,
        locale: Some(Locale {
            variable: "LANG",
            value: "en_US.UTF-8".into(),
            utf8: true,
        }),
        colorterm: None,
        color: Setting::new(true, Source::Default),
        mouse: Setting::new(true, Source::Default),
    }
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[test]
fn the_clipboard_route_follows_the_strategy_and_tmux_set_clipboard() {
    let route = |s: &Surroundings| in_english(|| judge_surroundings::clipboard(s));
    let desktop = surroundings(Environment {
        display: s(":0"),
        ..Environment::default()
    });
    assert_eq!(route(&desktop).level, Level::Ok);
    assert!(route(&desktop).message.contains("desktop"));

    let ssh = surroundings(Environment {
        ssh_connection: s("192.0.2.1 5000 192.0.2.2 22"),
        ..Environment::default()
    });
    assert!(route(&ssh).message.contains("over SSH"), "{:?}", route(&ssh));

    let tmux = |set_clipboard: &str| Surroundings {
        tmux: Some(Ok(TmuxOptions {
            set_clipboard: set_clipboard.into(),
            mouse: "on".into(),
        })),
        ..surroundings(Environment {
            tmux: s("/tmp/tmux-0/default,1,0"),
            ..Environment::default()
        })
    };
    assert_eq!(route(&tmux("on")).level, Level::Ok);
    let external = route(&tmux("external"));
    assert_eq!(external.level, Level::Info);
    assert!(external.message.contains("set-clipboard is external"), "{external:?}");
    assert!(
        external
            .fix
            .as_deref()
            .unwrap()
            .contains("tmux set -g set-clipboard on")
    );

    let nowhere = route(&surroundings(Environment::default()));
    assert_eq!(nowhere.level, Level::Info);
    assert!(nowhere.message.starts_with("no clipboard route here"), "{nowhere:?}");
}

#[test]
fn the_terminal_findings_inform_and_never_need_attention() {
    let bare = Surroundings {
        stdin_terminal: false,
        stdout_terminal: false,
        locale: Some(Locale {
            variable: "LANG",
            value: "C".into(),
            utf8: false,
        }),
        color: Setting::new(false, Source::Environment("NO_COLOR")),
        mouse: Setting::new(false, Source::CommandLine),
        ..surroundings(Environment::default())
    };
    let mut findings = in_english(|| judge_surroundings::terminal(&bare));
    findings.push(in_english(|| judge_surroundings::clipboard(&bare)));
    assert!(findings.iter().all(|f| f.level == Level::Info), "{findings:?}");
    assert!(!needs_attention(&findings));
    assert!(findings[1].message.contains("LANG=C is not UTF-8"), "{findings:?}");
}

#[test]
fn inside_tmux_with_its_mouse_off_the_mouse_finding_says_so() {
    let facts = Surroundings {
        tmux: Some(Ok(TmuxOptions {
            set_clipboard: "on".into(),
            mouse: "off".into(),
        })),
        ..surroundings(Environment {
            tmux: s("/tmp/tmux-0/default,1,0"),
            ..Environment::default()
        })
    };
    let findings = in_english(|| judge_surroundings::terminal(&facts));
    let mouse = findings.iter().find(|f| f.check == Check::TerminalMouse).unwrap();
    assert_eq!(mouse.level, Level::Info);
    assert!(mouse.fix.as_deref().unwrap().contains("tmux set -g mouse on"));
}
