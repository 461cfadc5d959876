//! What `keydesk doctor` reports: findings, each about one check, at one
//! level, with what to do about it. The levels decide the exit code, and the
//! rule that the surroundings never fail a run is kept here, in one place,
//! rather than trusted to every check.

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// As it should be.
    Ok,
    /// Worth knowing; keydesk works.
    Info,
    /// keydesk works, but something needs attention (a file others can
    /// read, a lock held too long, a schema to upgrade).
    Warning,
    /// Something keydesk needs is broken or refused.
    Error,
}

/// One thing doctor checks. The id (`database.mode`) is part of `--json`'s
/// stable shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    DatabasePath,
    DatabaseOwner,
    DatabaseMode,
    DatabaseSchema,
    DatabaseSpace,
    DatabaseLock,
    ConfigFile,
    ConfigPermissions,
    ConfigKeys,
    AuditChain,
    AuditKey,
    PostgresReachable,
    PostgresTls,
    PostgresSchema,
    PostgresRole,
    Clipboard,
    Terminal,
    TerminalLocale,
    TerminalColours,
    TerminalMouse,
}

impl Check {
    pub fn id(self) -> &'static str {
        match self {
            Check::DatabasePath => "database.path",
            Check::DatabaseOwner => "database.owner",
            Check::DatabaseMode => "database.mode",
            Check::DatabaseSchema => "database.schema",
            Check::DatabaseSpace => "database.space",
            Check::DatabaseLock => "database.lock",
            Check::ConfigFile => "config.file",
            Check::ConfigPermissions => "config.permissions",
            Check::ConfigKeys => "config.keys",
            Check::AuditChain => "audit.chain",
            Check::AuditKey => "audit.key",
            Check::PostgresReachable => "postgres.reachable",
            Check::PostgresTls => "postgres.tls",
            Check::PostgresSchema => "postgres.schema",
            Check::PostgresRole => "postgres.role",
            Check::Clipboard => "clipboard.route",
            Check::Terminal => "terminal.present",
            Check::TerminalLocale => "terminal.locale",
            Check::TerminalColours => "terminal.colours",
            Check::TerminalMouse => "terminal.mouse",
        }
    }

    /// Whether the check is about the place keydesk runs in rather than
    /// keydesk's own files and servers: no clipboard route, no terminal, a
    /// non-UTF-8 locale do not stop keydesk working, so they inform.
    pub fn is_surroundings(self) -> bool {
        matches!(
            self,
            Check::Clipboard | Check::Terminal | Check::TerminalLocale | Check::TerminalColours | Check::TerminalMouse
        )
    }
}

/// One finding: what was found and, unless all is well, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: Check,
    pub level: Level,
    pub message: String,
    pub fix: Option<String>,
}

impl Finding {
    /// A finding at `level`, but never above [`Level::Info`] for the
    /// surroundings.
    pub fn new(check: Check, level: Level, message: String, fix: Option<String>) -> Finding {
        let level = if check.is_surroundings() {
            level.min(Level::Info)
        } else {
            level
        };
        Finding {
            check,
            level,
            message,
            fix,
        }
    }

    pub fn ok(check: Check, message: String) -> Finding {
        Finding::new(check, Level::Ok, message, None)
    }

    pub fn info(check: Check, message: String, fix: impl Into<Option<String>>) -> Finding {
        Finding::new(check, Level::Info, message, fix.into())
    }

    pub fn warning(check: Check, message: String, fix: String) -> Finding {
        Finding::new(check, Level::Warning, message, Some(fix))
    }

    pub fn error(check: Check, message: String, fix: String) -> Finding {
        Finding::new(check, Level::Error, message, Some(fix))
    }
}

/// Whether the findings need attention: a warning or an error anywhere.
pub fn needs_attention(findings: &[Finding]) -> bool {
    findings.iter().any(|finding| finding.level >= Level::Warning)
}

/// `--json`: `{"needs_attention": bool, "findings": [{"check", "level",
/// "message", "fix"}]}`, `fix` null when there is nothing to do.
pub fn to_json(findings: &[Finding]) -> String {
    #[derive(Serialize)]
    struct Shown<'a> {
        check: &'static str,
        level: Level,
        message: &'a str,
        fix: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        needs_attention: bool,
        findings: Vec<Shown<'a>>,
    }
    let report = Report {
        needs_attention: needs_attention(findings),
        findings: findings
            .iter()
            .map(|finding| Shown {
                check: finding.check.id(),
                level: finding.level,
                message: &finding.message,
                fix: finding.fix.as_deref(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_surroundings_never_rise_above_information() {
        let finding = Finding::error(Check::Clipboard, "no route".into(), "use a desktop".into());
        assert_eq!(finding.level, Level::Info);
        assert!(!needs_attention(&[finding]));
        let finding = Finding::warning(Check::DatabaseMode, "readable".into(), "chmod 600".into());
        assert_eq!(finding.level, Level::Warning);
        assert!(needs_attention(&[finding]));
    }

    #[test]
    fn information_and_ok_alone_need_no_attention() {
        let findings = [
            Finding::ok(Check::DatabasePath, "fine".into()),
            Finding::info(Check::DatabaseSchema, "new".into(), None),
        ];
        assert!(!needs_attention(&findings));
    }

    #[test]
    fn the_json_names_each_check_by_its_stable_id_and_level() {
        let json = to_json(&[
            Finding::ok(Check::DatabaseLock, "free".into()),
            Finding::error(Check::ConfigKeys, "unknown key".into(), "remove it".into()),
        ]);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["needs_attention"], true);
        assert_eq!(value["findings"][0]["check"], "database.lock");
        assert_eq!(value["findings"][0]["level"], "ok");
        assert_eq!(value["findings"][0]["fix"], serde_json::Value::Null);
        assert_eq!(value["findings"][1]["level"], "error");
        assert_eq!(value["findings"][1]["fix"], "remove it");
    }
}
