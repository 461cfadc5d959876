//! The words of core's errors: in Chinese as they have always read, and in
//! English exactly as core's own `Display` says them.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use keydesk_core::domain::policy::{Policy, Rule};
use keydesk_core::domain::{KeyName, SecretKey};
use keydesk_core::store::StoreError as E;
use time::macros::datetime;

use super::*;
use crate::{Lang, with_lang};

fn path() -> PathBuf {
    PathBuf::from("/srv/密钥/keys.redb")
}

fn denied() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "Permission denied (os error 13)")
}

const PG: &str = "postgres://keydesk@db.example.com:5432/keys";

/// Each store error once, as a store would make it.
fn samples() -> Vec<StoreError> {
    let location = || PG.to_owned();
    vec![
        E::Busy {
            path: path(),
            waited: Duration::from_millis(2049),
        },
        E::NotADatabase { path: path() },
        E::ForeignDatabase { path: path() },
        E::NewerSchema {
            path: path(),
            found: 99,
            supported: 5,
        },
        E::NeedsUpgrade {
            path: path(),
            found: 3,
            current: 5,
        },
        E::Missing { path: path() },
        E::NotAFile {
            path: path(),
            kind: FileKind::Directory,
        },
        E::EmptyFile { path: path() },
        E::NotFound {
            id: "ak-0123456789abcdef".to_owned(),
        },
        E::Io {
            path: path(),
            source: denied(),
        },
        E::Unreachable {
            location: location(),
            detail: Unreached::Client("connection refused".to_owned()),
        },
        E::NotInitialised { location: location() },
        E::NewerServerSchema {
            location: location(),
            found: 7,
            supported: 2,
        },
        E::NoDataDir,
    ]
}

/// The rest: every other variant and every kind of detail.
fn more_samples() -> Vec<StoreError> {
    let location = || PG.to_owned();
    let mut errors: Vec<StoreError> = refusals().into_iter().map(|reason| E::Refused { reason }).collect();
    errors.extend([
        E::Refused {
            reason: Refused::ForeignAuditLog { count: 1 },
        },
        E::Refused {
            reason: Refused::ForeignAuditLog { count: 3 },
        },
        E::Insecure {
            path: path(),
            reason: Untrusted::Owner { owner: 0, me: 1000 },
        },
        E::Insecure {
            path: path(),
            reason: Untrusted::Writable {
                mode: 0o666,
                path: path(),
            },
        },
        E::EarlierWriteFailed { path: path() },
        E::Database {
            path: path(),
            detail: "the engine's words".to_owned(),
        },
        E::RootCertificates {
            path: path(),
            problem: CertificateProblem::NoCertificate,
        },
        E::RootCertificates {
            path: path(),
            problem: CertificateProblem::Unusable("its words".to_owned()),
        },
        E::Server {
            location: location(),
            detail: ServerProblem::InvalidUrl(UrlProblem::Ambiguous),
        },
        E::Server {
            location: "postgres://…(unparsable)".to_owned(),
            detail: ServerProblem::Said {
                message: "permission denied".to_owned(),
                code: "42501".to_owned(),
            },
        },
        E::Server {
            location: location(),
            detail: ServerProblem::RecordDamaged {
                id: "ak-x".to_owned(),
                problem: RecordProblem::BadHash,
            },
        },
        E::Server {
            location: location(),
            detail: ServerProblem::AuditEntryChanged { seq: 4 },
        },
        E::Unreachable {
            location: location(),
            detail: Unreached::ConnectTimedOut(Duration::from_secs(10)),
        },
        E::Unreachable {
            location: location(),
            detail: Unreached::CallTimedOut(Duration::from_millis(7500)),
        },
        E::Unreachable {
            location: location(),
            detail: Unreached::Closed,
        },
        E::AuditKeyMissing {
            location: location(),
            seq: 4,
        },
        E::AuditKeyMismatch {
            location: location(),
            seq: 4,
        },
    ]);
    for detail in [
        Damage::Engine("bad page".to_owned()),
        Damage::Structure { reason: None },
        Damage::Structure {
            reason: Some("index out of bounds".to_owned()),
        },
        Damage::Record(DecodeError::Empty { id: "ak-x".to_owned() }),
        Damage::Record(DecodeError::UnknownVersion {
            id: "ak-x".to_owned(),
            version: 9,
        }),
        Damage::Record(DecodeError::Malformed {
            record: StoredItem::AuditEntry(2),
            reason: Malformation::Changed,
        }),
        Damage::Record(DecodeError::Malformed {
            record: StoredItem::AuditEntry(2),
            reason: Malformation::IndexDisagrees,
        }),
        Damage::Record(DecodeError::Malformed {
            record: StoredItem::Key("ak-x".to_owned()),
            reason: Malformation::Timestamp("out of range".to_owned()),
        }),
    ] {
        errors.push(E::Corrupt { path: path(), detail });
    }
    errors
}

/// Every refusal of a change to a key.
fn refusals() -> Vec<Refused> {
    let (id, at, now) = (
        "ak-0123456789abcdef".to_owned(),
        datetime!(2026-02-01 0:00 UTC),
        datetime!(2026-03-01 0:00 UTC),
    );
    let expired = |change| Refused::Expired {
        id: id.clone(),
        at,
        change,
    };
    vec![
        expired(Change::NewExpiry),
        expired(Change::Enable),
        expired(Change::Rotate),
        Refused::PastExpiry {
            id: Some(id.clone()),
            at: datetime!(2026-02-28 23:00 UTC),
            now,
        },
        Refused::NegativeGrace,
        Refused::GraceTooLong,
        Refused::PastExpiry {
            id: None,
            at: datetime!(2026-01-01 0:00 UTC),
            now: datetime!(2026-01-01 0:00 UTC),
        },
    ]
}

/// Every other error type core shows a person.
fn other_errors() -> Vec<(String, String)> {
    let both = |e: &dyn Worded, display: String| (with_lang(Lang::En, || e.worded()), display);
    let mut pairs = Vec::new();
    for input in [
        "",
        "a",
        "a b",
        "a.b",
        "ab\u{1b}",
        "ab\u{200B}",
        "ab\u{A0}",
        "ab\u{3000}",
        "生产\u{2F00}",
        "a\u{2E80}",
    ] {
        let error = KeyName::parse(input).unwrap_err();
        pairs.push(both(&error, error.to_string()));
    }
    for (rule, value) in [
        (Rule::Rpm, ""),
        (Rule::Rpm, "6O"),
        (Rule::Rpd, "0"),
        (Rule::Rps, "100001"),
        (Rule::Methods, "GET,P0ST"),
        (Rule::Paths, "/v1/*,/v2/["),
        (Rule::Models, "gpt 4o"),
        (Rule::Ips, "10.0.0.0/8,10.1.2.300"),
        (Rule::Ips, "10.0.0.0/8,,::1"),
        (Rule::TokenBudget, "100/year"),
        (Rule::TokenBudget, "1000000000000000001/day"),
        (Rule::SpendLimit, "2O/month"),
    ] {
        let error = Policy::default().set(rule, value).unwrap_err();
        pairs.push(both(&error, error.to_string()));
    }
    for text in ["burst=5", "rpm=1 rpm=2"] {
        let error = Policy::parse(text).unwrap_err();
        pairs.push(both(&error, error.to_string()));
    }
    let long = KeyName::parse(&"键".repeat(65)).unwrap_err();
    pairs.push(both(&long, long.to_string()));
    for error in [NameError::LooksLikeSecret, NameError::LooksLikeKey] {
        pairs.push(both(&error, error.to_string()));
    }
    for error in [
        FormatError::WrongLength,
        FormatError::MissingPrefix,
        FormatError::InvalidCharacter,
        FormatError::ChecksumMismatch,
    ] {
        pairs.push(both(&error, error.to_string()));
    }
    for kind in [
        BreakKind::Changed,
        BreakKind::Removed,
        BreakKind::Inserted,
        BreakKind::Unindexed,
        BreakKind::Unsealed,
        BreakKind::Unexpected,
    ] {
        let error = ChainBreak { seq: 12345, kind };
        pairs.push(both(&error, error.to_string()));
    }
    let head = "42:abc".parse::<keydesk_core::domain::ChainHead>().unwrap_err();
    pairs.push(both(&head, head.to_string()));
    for refusal in [
        Refusal::NotAFile(FileKind::Fifo),
        Refusal::TooLarge,
        Refusal::Untrusted(Untrusted::Readable {
            mode: 0o644,
            path: path(),
        }),
    ] {
        pairs.push(both(&refusal, refusal.to_string()));
    }
    pairs
}

#[test]
fn every_error_is_worded_in_english_exactly_as_core_displays_it() {
    for error in samples().iter().chain(&more_samples()) {
        assert_eq!(with_lang(Lang::En, || error.worded()), error.to_string(), "{error:?}");
    }
    for (worded, display) in other_errors() {
        assert_eq!(worded, display);
    }
}

#[test]
fn store_errors_read_in_english_as_they_always_have() {
    let english: Vec<String> = with_lang(Lang::En, || samples().iter().map(Worded::worded).collect());
    let path = "/srv/密钥/keys.redb";
    assert_eq!(
        english,
        [
            format!("the database {path} is busy: another keydesk process held it for over 2.0 s; try again"),
            format!("{path} is not a keydesk database (not a redb file); it was left untouched"),
            format!("{path} is a redb database of another program, not keydesk; it was left untouched"),
            format!(
                "{path} was written by a newer keydesk (schema 99; this build reads up to 5); upgrade keydesk \
                 — the file was left untouched"
            ),
            format!(
                "the database {path} needs an upgrade (schema 3 to 5): run keydesk once with write access to \
                 it; nothing was changed"
            ),
            format!(
                "no database at {path}: check the path (keydesk creates one only when you create a key or \
                 start the TUI)"
            ),
            format!("{path} is a directory, not a database file: choose a regular file with --db or KEYDESK_DB"),
            format!(
                "{path} is an empty file, not a keydesk database (keydesk never leaves one empty); it was left \
                 untouched: remove it, or choose another path"
            ),
            "no key with ID ak-0123456789abcdef".to_owned(),
            format!("cannot use {path}: {}", denied()),
            format!("cannot reach the PostgreSQL server {PG}: connection refused"),
            format!(
                "the PostgreSQL database {PG} has no keydesk tables: create a key there first (`keydesk \
                 create`, as a role that may create tables), or check --db"
            ),
            format!(
                "the PostgreSQL database {PG} was set up by a newer keydesk (schema 7; this build knows up to \
                 2); upgrade keydesk — nothing was changed"
            ),
            "cannot find a home directory to keep the database in; pass --db PATH or set KEYDESK_DB".to_owned(),
        ]
    );
}

#[test]
fn store_errors_read_in_chinese_with_their_paths_and_versions() {
    let chinese: Vec<String> = with_lang(Lang::ZhCn, || samples().iter().map(Worded::worded).collect());
    let path = "/srv/密钥/keys.redb";
    assert_eq!(
        chinese,
        [
            format!("数据库 {path} 忙：另一个 keydesk 进程已占用它超过 2.0 秒，请稍后重试"),
            format!("{path} 不是 keydesk 数据库（不是 redb 文件），未做任何改动"),
            format!("{path} 是其他程序的 redb 数据库，不属于 keydesk，未做任何改动"),
            format!(
                "{path} 由更新版本的 keydesk 写入（数据库结构版本 99，当前版本最高只能读取 5）；请升级 keydesk，\
                 文件未做任何改动"
            ),
            format!("数据库 {path} 需要升级（数据库结构版本 3 升级到 5）：请以可写权限运行一次 keydesk；未做任何改动"),
            format!("{path} 处没有数据库：请检查路径（keydesk 只在创建密钥或启动 TUI 时才会新建数据库）"),
            format!("{path} 是目录，不是数据库文件：请用 --db 或 KEYDESK_DB 指定一个普通文件"),
            format!(
                "{path} 是空文件，不是 keydesk 数据库（keydesk 从不留下空的数据库），未做任何改动：\
                 请删除它，或换一个路径"
            ),
            "没有 ID 为 ak-0123456789abcdef 的密钥".to_owned(),
            // The OS's own words are kept as they are.
            format!("无法使用 {path}：{}", denied()),
            format!("无法连接 PostgreSQL 服务器 {PG}：connection refused"),
            format!(
                "PostgreSQL 数据库 {PG} 中没有 keydesk 的表：请先在其中创建一个密钥（`keydesk create`，\
                 使用有建表权限的角色），或检查 --db"
            ),
            format!(
                "PostgreSQL 数据库 {PG} 由更新版本的 keydesk 建立（数据库结构版本 7，当前版本最高只认识 2）；\
                 请升级 keydesk，未做任何改动"
            ),
            "找不到用来存放数据库的主目录；请使用 --db PATH 或设置 KEYDESK_DB".to_owned(),
        ]
    );
}

#[test]
fn every_kind_of_non_file_has_a_chinese_name() {
    for kind in [
        FileKind::CharDevice,
        FileKind::BlockDevice,
        FileKind::Fifo,
        FileKind::Socket,
        FileKind::Directory,
        FileKind::Other,
    ] {
        let error = E::NotAFile { path: path(), kind };
        let english = kind.to_string();
        assert!(
            error.worded().contains(&format!(" is {english}, ")),
            "{}",
            error.worded()
        );
        let chinese = with_lang(Lang::ZhCn, || error.worded());
        assert!(!chinese.contains(&english), "{chinese}");
        assert!(chinese.contains(&with_lang(Lang::ZhCn, || kind.worded())), "{chinese}");
    }
}

#[test]
fn a_failed_earlier_write_is_explained_in_chinese() {
    let chinese = with_lang(Lang::ZhCn, || E::EarlierWriteFailed { path: path() }.worded());
    assert_eq!(
        chinese,
        "无法使用 /srv/密钥/keys.redb：之前的一次写入失败（磁盘已满或 I/O 错误），之后没有再写入任何内容"
    );
}

#[test]
fn refusals_read_in_chinese_with_the_key_and_the_times() {
    assert_eq!(
        with_lang(Lang::ZhCn, || refusals().iter().map(Worded::worded).collect::<Vec<_>>()),
        [
            "密钥 ak-0123456789abcdef 已于 2026-02-01T00:00:00Z 过期，不能再设置新的有效期：请删除它，或创建新密钥",
            "密钥 ak-0123456789abcdef 已于 2026-02-01T00:00:00Z 过期，不能再启用：请删除它，或创建新密钥",
            "密钥 ak-0123456789abcdef 已于 2026-02-01T00:00:00Z 过期，不能轮换：请创建新密钥",
            "密钥 ak-0123456789abcdef 的过期时间必须在将来：2026-02-28T23:00:00Z 不晚于 2026-03-01T00:00:00Z",
            "宽限期不能为负",
            "宽限期太长",
            "新密钥的过期时间必须在将来：2026-01-01T00:00:00Z 不晚于 2026-01-01T00:00:00Z",
        ]
    );
}

#[test]
fn files_others_may_change_or_read_are_refused_in_chinese_with_the_fix() {
    let dir = "/srv/keydesk";
    let writable = E::Insecure {
        path: PathBuf::from(format!("{dir}/keys.redb")),
        reason: Untrusted::Writable {
            mode: 0o666,
            path: PathBuf::from(format!("{dir}/keys.redb")),
        },
    };
    assert_eq!(
        with_lang(Lang::ZhCn, || writable.worded()),
        format!("拒绝使用 {dir}/keys.redb：其他用户可以写入它（权限 666）；请运行：chmod 600 {dir}/keys.redb")
    );
    let readable = Refusal::Untrusted(Untrusted::Readable {
        mode: 0o644,
        path: PathBuf::from("/etc/keydesk/audit.key"),
    });
    assert!(
        readable.worded().contains("chmod 600 /etc/keydesk/audit.key"),
        "{}",
        readable.worded()
    );
    assert!(with_lang(Lang::ZhCn, || readable.worded()).contains("chmod 600"));
}

#[test]
fn damaged_records_and_entries_are_described_in_chinese() {
    let damaged = |error| E::Corrupt {
        path: path(),
        detail: Damage::Record(error),
    };
    let chinese = |error: DecodeError| with_lang(Lang::ZhCn, || error.worded());
    assert_eq!(chinese(DecodeError::Empty { id: "ak-x".to_owned() }), "记录 ak-x 为空");
    assert_eq!(
        chinese(DecodeError::UnknownVersion {
            id: "ak-x".to_owned(),
            version: 9
        }),
        "记录 ak-x 的格式版本 9 未知"
    );
    let malformed = chinese(DecodeError::Malformed {
        record: StoredItem::Key("ak-x".to_owned()),
        reason: Malformation::Encoding("Hit the end of buffer, expected more data".to_owned()),
    });
    assert!(malformed.starts_with("记录 ak-x 无法解码："), "{malformed}");
    let changed = damaged(DecodeError::Malformed {
        record: StoredItem::AuditEntry(2),
        reason: Malformation::Changed,
    });
    assert_eq!(
        with_lang(Lang::ZhCn, || changed.worded()),
        "数据库 /srv/密钥/keys.redb 已损坏：记录 「审计日志条目 2」 无法解码：它已被修改；请运行 `keydesk log --check`"
    );
}

#[test]
fn name_refusals_read_in_chinese_with_their_details() {
    let chinese = |input: &str| with_lang(Lang::ZhCn, || KeyName::parse(input).unwrap_err().worded());
    assert_eq!(with_lang(Lang::En, name_rule), keydesk_core::domain::name::RULE);
    assert_eq!(chinese(""), "请输入名称（2–64 个字符：汉字、字母、数字、_ 或 -）");
    assert_eq!(chinese("a"), "名称太短：1 个字符，至少需要 2 个");
    assert_eq!(chinese(&"键".repeat(65)), "名称太长：65 个字符，最多 64 个");
    assert_eq!(
        chinese("a b"),
        "第 2 个字符是空格，不允许使用：名称只能包含汉字、字母、数字、_ 或 -"
    );
    assert!(chinese("café").starts_with("第 4 个字符是「é」（U+00E9），不允许使用"));
    assert!(chinese("ab\u{1b}").starts_with("第 3 个字符是控制字符（U+001B）"));
    assert!(chinese("ab\u{200B}").starts_with("第 3 个字符是不可见字符（U+200B）"));
    assert!(chinese("ab\u{A0}").starts_with("第 3 个字符是空白字符（U+00A0）"));
    assert!(chinese("ab\u{3000}").starts_with("第 3 个字符是全角空格（U+3000）"));
    let radical = chinese("生产\u{2F00}");
    assert!(
        radical.starts_with("第 3 个字符是「⼀」（U+2F00），这是一个形似汉字的部首"),
        "{radical}"
    );
    assert!(radical.ends_with("请改为输入「一」（U+4E00）"), "{radical}");
    assert!(chinese("a\u{2E80}").ends_with("请直接输入汉字本身"));
    for s in ["ab\u{1b}", "ab\u{202E}", "ab\u{200B}", "ab\u{7}"] {
        assert!(!chinese(s).chars().any(|c| c.is_control()), "{s:?}");
    }
}

#[test]
fn a_pasted_secret_is_refused_in_chinese_without_being_echoed() {
    let chinese = |input: &str| with_lang(Lang::ZhCn, || KeyName::parse(input).unwrap_err().worded());
    let secret = SecretKey::generate();
    let message = chinese(&format!("生产{}", secret.expose()));
    assert_eq!(message, "名称中包含 API 密钥：切勿把密钥放进名称");
    assert!(!message.contains(&secret.expose()[3..11]));
    let message = chinese(&secret.expose()[..30]);
    assert_eq!(
        message,
        "名称看起来像 API 密钥（sk- 后跟 12 个或更多字母或数字）：切勿把密钥放进名称"
    );
    assert!(!message.contains(&secret.expose()[3..11]));
}

#[test]
fn format_errors_read_in_chinese() {
    let all = [
        FormatError::WrongLength,
        FormatError::MissingPrefix,
        FormatError::InvalidCharacter,
        FormatError::ChecksumMismatch,
    ];
    let chinese: Vec<String> = with_lang(Lang::ZhCn, || all.iter().map(Worded::worded).collect());
    assert_eq!(
        chinese,
        [
            "密钥应为 41 个字符",
            "密钥应以 sk- 开头",
            "密钥在 sk- 之后只能包含字母和数字",
            "密钥校验和不匹配（输入有误，或不是 keydesk 的密钥）",
        ]
    );
}

#[test]
fn chain_breaks_read_in_chinese_with_the_entry_number() {
    let kinds = [
        BreakKind::Changed,
        BreakKind::Removed,
        BreakKind::Inserted,
        BreakKind::Unindexed,
        BreakKind::Unsealed,
        BreakKind::Unexpected,
    ];
    let chinese: Vec<String> = with_lang(Lang::ZhCn, || {
        kinds.map(|kind| ChainBreak { seq: 12345, kind }.worded()).to_vec()
    });
    assert_eq!(
        chinese,
        [
            "条目 12345 被修改",
            "条目 12345 被删除",
            "条目 12345 是插入的（它没有接在条目 12344 之后）",
            "密钥索引与条目 12345 不一致（哈希链完整，但某个密钥的历史记录会出错）",
            "条目 12345 未用审计密钥封存，而它之前的条目已封存（它是在没有密钥的情况下重新封存的）",
            "条目 12345 与预期不符：它或它之前的某个条目被修改",
        ]
    );
}

#[test]
fn a_url_whose_parts_cannot_be_told_apart_shows_only_its_scheme_in_either_language() {
    for url in ["postgres://alice:hun@ter2pw@h/kd", "postgres://alice@h/kd?password"] {
        let [english, chinese] = Lang::ALL.map(|lang| with_lang(lang, || shown(url)));
        assert_eq!(english, "postgres://…(unparsable)", "{url}");
        assert_eq!(chinese, "postgres://…（无法解析）", "{url}");
    }
    assert_eq!(
        with_lang(Lang::ZhCn, || shown("alice:hunter2pw@db.example.com/kd")),
        "…（无法解析）"
    );
    // A place that merely ends in the word is left as it is.
    assert_eq!(
        with_lang(Lang::ZhCn, || place("/srv/(unparsable)")),
        "/srv/(unparsable)"
    );
    let error = E::Server {
        location: designation::shown("postgres://admin:hun@ter2@db.example.com/keys"),
        detail: ServerProblem::InvalidUrl(UrlProblem::Ambiguous),
    };
    let chinese = with_lang(Lang::ZhCn, || error.worded());
    assert!(
        chinese.starts_with("PostgreSQL 出错（postgres://…（无法解析））："),
        "{chinese}"
    );
}

#[test]
fn a_duration_error_names_the_forms_in_either_language() {
    let english = with_lang(Lang::En, || parse_duration("30").unwrap_err());
    assert_eq!(
        english,
        "'30' has no unit: write 30s for seconds; use a whole number followed by ms, s, m, h or d, e.g. 250ms, \
         30s, 5m, 24h, 30d"
    );
    let chinese = with_lang(Lang::ZhCn, || parse_duration("1h30m").unwrap_err());
    assert!(chinese.contains("1h30m"), "{chinese}");
    assert!(chinese.contains(&with_lang(Lang::ZhCn, duration_forms)), "{chinese}");
    // A long argument may be a pasted secret: never echoed.
    let secret = SecretKey::generate();
    assert!(
        !parse_duration(secret.expose())
            .unwrap_err()
            .contains(&secret.expose()[3..11])
    );
    assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
}

#[test]
fn core_words_nothing_itself() {
    // Its errors are data: a `tr!` there would word one in the language of
    // the moment it was made, and bring Fluent to every service linking it.
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("../keydesk-core");
    let manifest = std::fs::read_to_string(core.join("Cargo.toml")).expect("core's manifest");
    assert!(
        !manifest.contains("keydesk-i18n") && !manifest.contains("fluent"),
        "{manifest}"
    );
    let mut dirs = vec![core.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("core's sources") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                assert!(
                    !text.contains("tr!(") && !text.contains("keydesk_i18n"),
                    "{}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn policy_errors_name_the_rule_and_the_part_in_chinese_but_never_a_secret() {
    let error = |rule, value: &str| Policy::default().set(rule, value).unwrap_err();
    let chinese = |e: &PolicyError| with_lang(Lang::ZhCn, || e.worded());
    assert_eq!(chinese(&error(Rule::Rpm, "6O")), "rpm：\"6O\" 不是整数");
    assert_eq!(
        chinese(&error(Rule::Ips, "10.0.0.0/8,10.1.2.300")),
        "ips：\"10.1.2.300\" 不是 IP 地址或 CIDR 网段"
    );
    assert_eq!(chinese(&error(Rule::Rps, "100001")), "rps：100001 超过上限 100000");
    let secret = SecretKey::generate();
    let pasted = error(Rule::Ips, secret.expose());
    for lang in Lang::ALL {
        let words = with_lang(lang, || pasted.worded());
        assert!(!words.contains(&secret.expose()[3..]), "{words}");
    }
    assert_eq!(
        with_lang(Lang::En, || pasted.worded()),
        "ips: (not shown) is not an IP address or CIDR block"
    );
}
