//! A key's policy as people read it, one line per rule: the rule's name and
//! what it allows ("rpm  60 requests per minute", "methods  GET, POST").
//! Shared by `keydesk limit`, `verify --explain` and the TUI's details pane
//! and policy dialog, so they all say the same thing. Machines read the text
//! form ([`Policy`]'s `Display`) or `--json` instead.

use std::borrow::Cow;

use super::sanitize;
use crate::domain::policy::{Policy, Rule};

/// The width of the longest rule name (`max-parallel`), for aligned lists.
pub const NAME_WIDTH: usize = 12;

/// What `rule` allows in `policy`, in the current language; `None` when the
/// policy does not have it. Lists are comma-separated; text from the store
/// is made safe to print.
pub fn meaning(policy: &Policy, rule: Rule) -> Option<String> {
    let value = policy.value(rule)?;
    let count = || value.parse::<u32>().unwrap_or(0);
    Some(match rule {
        Rule::Rps => tr!("policy-rule-rps", count = count()),
        Rule::Rpm => tr!("policy-rule-rpm", count = count()),
        Rule::Rph => tr!("policy-rule-rph", count = count()),
        Rule::Rpd => tr!("policy-rule-rpd", count = count()),
        Rule::MaxParallel => tr!("policy-rule-max-parallel", count = count()),
        Rule::Tpm => tr!("policy-rule-tpm", count = value.as_str()),
        Rule::TokenBudget | Rule::SpendLimit => {
            let (amount, period) = value.split_once('/').unwrap_or((&value, "life"));
            if rule == Rule::TokenBudget {
                tr!("policy-rule-token-budget", amount = amount, period = period)
            } else {
                tr!("policy-rule-spend-limit", amount = amount, period = period)
            }
        }
        Rule::Methods | Rule::Paths | Rule::Models | Rule::Ips => list(&value).into_owned(),
    })
}

/// A list value as shown: `GET, POST`.
fn list(value: &str) -> Cow<'_, str> {
    let safe = sanitize(value);
    if !safe.contains(',') {
        return safe;
    }
    Cow::Owned(safe.split(',').collect::<Vec<_>>().join(", "))
}

/// Every rule of `policy` with its meaning, in the text form's order.
pub fn meanings(policy: &Policy) -> Vec<(Rule, String)> {
    Rule::ALL
        .into_iter()
        .filter_map(|rule| meaning(policy, rule).map(|m| (rule, m)))
        .collect()
}

/// The whole policy, one aligned line per rule, each ending in a newline;
/// for the empty policy, the line that says there are no rules.
pub fn lines(policy: &Policy) -> String {
    if policy.is_empty() {
        return tr!("policy-none") + "\n";
    }
    meanings(policy)
        .into_iter()
        .map(|(rule, meaning)| format!("{:<NAME_WIDTH$}  {meaning}\n", rule.name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, with_lang};

    #[test]
    fn every_rule_has_a_line_in_both_languages() {
        let policy =
            Policy::parse("rps=1 rpm=60 rph=1000 rpd=20000 max-parallel=4 methods=GET,POST paths=/v1/* models=gpt-4o-mini,llama3* ips=10.0.0.0/8")
                .unwrap();
        assert_eq!(
            lines(&policy),
            "rps           1 request per second\n\
             rpm           60 requests per minute\n\
             rph           1000 requests per hour\n\
             rpd           20000 requests per day\n\
             max-parallel  4 requests in flight at once\n\
             methods       GET, POST\n\
             paths         /v1/*\n\
             models        gpt-4o-mini, llama3*\n\
             ips           10.0.0.0/8\n"
        );
        let chinese = with_lang(Lang::ZhCn, || lines(&policy));
        assert!(chinese.contains("rpm           每分钟 60 次请求\n"), "{chinese}");
        assert!(chinese.contains("max-parallel  同时最多 4 个请求\n"), "{chinese}");
    }

    #[test]
    fn the_empty_policy_says_it_has_no_rules() {
        assert!(lines(&Policy::default()).starts_with("no rules:"));
        assert!(with_lang(Lang::ZhCn, || lines(&Policy::default())).starts_with("没有规则"));
        assert!(meanings(&Policy::default()).is_empty());
    }
}
