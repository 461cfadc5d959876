//! `keydesk doctor`: one command that checks what usually goes wrong — the
//! database, the config file, the audit chain, PostgreSQL when configured,
//! the clipboard route and the terminal — and says how to fix each, as
//! `brew doctor` or `flutter doctor` do.
//!
//! Facts are gathered in one place (`gather`: the only code that touches
//! files, servers, tmux and the environment, and never changes any of
//! them) and judged in others (`judge_*`: pure functions, tested without
//! the environment). Exit 0 when all is well, 1 when something needs
//! attention: a warning or an error about keydesk's own files or server.
//! The surroundings (no clipboard route, no terminal, a non-UTF-8 locale)
//! only inform, and never set 1.

mod facts;
mod finding;
mod gather;
mod judge_files;
#[cfg(feature = "postgres")]
mod judge_postgres;
mod judge_surroundings;
#[cfg(test)]
mod judge_tests;

use super::exit::{Exit, Failure};
use super::output::write_stdout;
use crate::config::Settings;
use crate::display::text::pad;
use facts::{DatabaseFacts, Facts};
use finding::{Finding, Level};

/// Runs every check and prints the findings: in the reader's language, or
/// with `json` as stable JSON, in English like all of keydesk's machine
/// output.
pub fn run(settings: &Settings, json: bool) -> Result<Exit, Failure> {
    let facts = gather::gather(settings);
    let findings = if json {
        crate::i18n::with_lang(crate::i18n::Lang::En, || judge(&facts))
    } else {
        judge(&facts)
    };
    let text = if json {
        finding::to_json(&findings)
    } else {
        text(&findings)
    };
    write_stdout(&text)?;
    Ok(if finding::needs_attention(&findings) {
        Exit::Invalid
    } else {
        Exit::Ok
    })
}

/// Every finding, in the order a person fixes them: the config file (which
/// names the rest), the database, its audit chain, then the surroundings.
fn judge(facts: &Facts) -> Vec<Finding> {
    let mut findings = judge_files::config(&facts.config);
    match &facts.database {
        DatabaseFacts::File(file) => findings.extend(judge_files::database_file(file)),
        #[cfg(feature = "postgres")]
        DatabaseFacts::Postgres(server) => findings.extend(judge_postgres::postgres(server)),
        DatabaseFacts::Unusable(message) => findings.push(Finding::error(
            finding::Check::DatabasePath,
            message.clone(),
            tr!("doctor-db-path-fix"),
        )),
    }
    findings.extend(judge_files::audit(&facts.audit));
    findings.push(judge_surroundings::clipboard(&facts.surroundings));
    findings.extend(judge_surroundings::terminal(&facts.surroundings));
    findings
}

/// One line per finding (its level, its check, what was found), the fix on
/// the next, then a line saying whether anything needs attention.
fn text(findings: &[Finding]) -> String {
    let label = |level: Level| match level {
        Level::Ok => tr!("doctor-level-ok"),
        Level::Info => tr!("doctor-level-info"),
        Level::Warning => tr!("doctor-level-warning"),
        Level::Error => tr!("doctor-level-error"),
    };
    let labels = [Level::Ok, Level::Info, Level::Warning, Level::Error].map(label);
    let width = labels
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0);
    let check_width = findings.iter().map(|f| f.check.id().len()).max().unwrap_or(0);
    let indent = " ".repeat(width + check_width + 4);
    let mut out = String::new();
    for finding in findings {
        let message = crate::display::sanitize(&finding.message);
        out += &format!(
            "{}  {}  {message}\n",
            pad(&label(finding.level), width),
            pad(finding.check.id(), check_width)
        );
        if let Some(fix) = &finding.fix {
            out += &format!(
                "{indent}{}\n",
                tr!("doctor-fix", fix = crate::display::sanitize(fix).into_owned())
            );
        }
    }
    let problems = findings.iter().filter(|f| f.level >= Level::Warning).count();
    out += &match problems {
        0 => tr!("doctor-all-well"),
        count => tr!("doctor-needs-attention", count = count),
    };
    out.push('\n');
    out
}
