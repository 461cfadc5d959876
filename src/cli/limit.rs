//! `keydesk limit`: a key's policy shown and changed, and the policy flags
//! `create` shares with it. The values are read by `Policy::set`, the same
//! reader the TUI's policy dialog uses, so both accept and refuse the same
//! text; a bad value is a usage error (exit 2) naming the rule and the part.

use serde_json::{Map, Value};

use super::args::PolicyArgs;
use super::exit::Failure;
use super::key_id::parse_id;
use super::output::{escape_for_terminal, write_stdout};
use crate::KeyStore;
use crate::display::{policy as shown, sanitize};
use crate::domain::KeyRecord;
use crate::domain::policy::{Policy, PolicyError, Problem, Rule};
use crate::i18n::words::Worded;

/// What `keydesk limit` was asked to do besides showing the policy.
#[derive(Debug, Clone)]
pub struct LimitRequest<'a> {
    pub id: &'a str,
    pub set: &'a PolicyArgs,
    /// The `--clear` values as typed: rule names, or `all`.
    pub clear: &'a [String],
    pub json: bool,
    /// Where budgets are judged for `--json` (and the prices a
    /// `spend-limit` needs).
    pub view: super::budget_json::BudgetView<'a>,
}

impl LimitRequest<'_> {
    /// Whether the request changes the policy (rather than only showing it).
    pub fn changes(&self) -> bool {
        !self.clear.is_empty() || !self.set.given().is_empty()
    }
}

/// `--clear`'s values as rules; `all` is every rule.
fn cleared(clear: &[String]) -> Result<Vec<Rule>, PolicyError> {
    let mut rules = Vec::new();
    for name in clear {
        if name == "all" {
            rules.extend(Rule::ALL);
            continue;
        }
        let rule = Rule::named(name).ok_or_else(|| PolicyError {
            rule: None,
            part: name.clone(),
            problem: Problem::UnknownRule,
        })?;
        rules.push(rule);
    }
    Ok(rules)
}

/// `base` with the rules in `clear` removed, then those in `set` set.
pub fn changed(base: &Policy, set: &PolicyArgs, clear: &[String]) -> Result<Policy, Failure> {
    let bad = |error: PolicyError| Failure::usage(tr!("cli-limit-bad-value", error = error.worded()));
    let mut policy = base.clone();
    for rule in cleared(clear).map_err(bad)? {
        policy.clear(rule);
    }
    for (rule, value) in set.given() {
        policy.set(rule, value).map_err(bad)?;
    }
    Ok(policy)
}

/// `keydesk limit ID [rules…]`: prints the key's policy, after changing it
/// if asked (what changed goes to stderr).
pub fn limit(store: &dyn KeyStore, request: LimitRequest) -> Result<(), Failure> {
    let id = parse_id(request.id)?;
    // Judged before the store is read: a bad value is refused whatever the key.
    changed(&Policy::default(), request.set, request.clear)?;
    super::budget_json::needs_prices(request.set, request.view.prices)?;
    let record = store
        .get(&id)?
        .ok_or_else(|| crate::StoreError::NotFound { id: id.to_string() })?;
    let record = if request.changes() {
        let policy = changed(&record.policy, request.set, request.clear)?;
        let updated = store.set_policy(&id, &policy)?;
        eprint!("{}", change_report(&record, &updated));
        updated
    } else {
        record
    };
    let out = if request.json {
        let policy = super::budget_json::policy_with_budgets(store, &record, request.view)?;
        limit_json(&record, policy)
    } else {
        shown::lines(&record.policy)
    };
    write_stdout(&out)
}

/// What changed between `before` and `after` (the same key), for stderr.
fn change_report(before: &KeyRecord, after: &KeyRecord) -> String {
    let (name, id) = (sanitize(&after.name).into_owned(), after.id.to_string());
    let lines: Vec<String> = Rule::ALL
        .into_iter()
        .filter_map(|rule| rule_change(rule, &before.policy, &after.policy))
        .collect();
    if lines.is_empty() {
        return tr!("cli-limit-unchanged", name = name, id = id) + "\n";
    }
    let mut out = tr!("cli-limit-changed", name = name, id = id) + "\n";
    for line in lines {
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn rule_change(rule: Rule, before: &Policy, after: &Policy) -> Option<String> {
    let shown = |value: String| sanitize(&value).into_owned();
    let name = rule.name();
    match (before.value(rule), after.value(rule)) {
        (None, Some(value)) => Some(tr!("cli-limit-rule-added", rule = name, value = shown(value))),
        (Some(from), None) => Some(tr!("cli-limit-rule-removed", rule = name, from = shown(from))),
        (Some(from), Some(to)) if from != to => Some(tr!(
            "cli-limit-rule-changed",
            rule = name,
            from = shown(from),
            to = shown(to)
        )),
        _ => None,
    }
}

/// A policy as a JSON object, rule name → value: a number for the rates and
/// `max-parallel`, an array of strings for the lists; `{}` for no rules.
/// Part of `list --json` and `limit --json`, so its shape is stable.
pub fn policy_json(policy: &Policy) -> Map<String, Value> {
    policy
        .rules()
        .map(|(rule, value)| {
            let value = match rule {
                Rule::Methods | Rule::Paths | Rule::Models | Rule::Ips => {
                    Value::Array(value.split(',').map(|item| Value::String(item.to_owned())).collect())
                }
                _ => value.parse::<u32>().map_or(Value::String(value), Value::from),
            };
            (rule.name().to_owned(), value)
        })
        .collect()
}

/// `limit --json`: the key, its policy as an object and in the text form.
fn limit_json(record: &KeyRecord, policy: Map<String, Value>) -> String {
    let object = serde_json::json!({
        "id": record.id.as_str(),
        "policy": policy,
        "text": record.policy.to_string(),
    });
    let text = serde_json::to_string_pretty(&object).unwrap_or_else(|_| "{}".to_owned());
    let mut safe = escape_for_terminal(&text);
    safe.push('\n');
    safe
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::exit::Exit;
    use crate::i18n::{Lang, with_lang};

    fn args(f: impl FnOnce(&mut PolicyArgs)) -> PolicyArgs {
        let mut args = PolicyArgs::default();
        f(&mut args);
        args
    }

    #[test]
    fn clearing_comes_first_and_other_rules_are_kept() {
        let base = Policy::parse("rpm=30 methods=GET ips=10.0.0.0/8").unwrap();
        let set = args(|a| a.rpm = Some("60".into()));
        let clear = ["ips".to_owned()];
        assert_eq!(changed(&base, &set, &clear).unwrap().to_string(), "rpm=60 methods=GET");
        let only = changed(&base, &set, &["all".to_owned()]).unwrap();
        assert_eq!(only.to_string(), "rpm=60");
        let flag_name = changed(&base, &PolicyArgs::default(), &["allow-methods".to_owned()]).unwrap();
        assert_eq!(flag_name.to_string(), "rpm=30 ips=10.0.0.0/8");
    }

    #[test]
    fn a_bad_value_is_a_usage_error_naming_the_rule_and_the_part() {
        let bad = |set: PolicyArgs, clear: &[String]| changed(&Policy::default(), &set, clear).unwrap_err();
        let cidr = bad(args(|a| a.allow_ips = Some("10.0.0.0/8,10.1.2.300".into())), &[]);
        assert_eq!(cidr.exit, Exit::Usage);
        assert_eq!(
            cidr.message,
            "cannot set the policy: ips: \"10.1.2.300\" is not an IP address or CIDR block"
        );
        let glob = bad(args(|a| a.allow_paths = Some("/v1/*,/v2/[".into())), &[]);
        assert!(
            glob.message.contains("paths: \"/v2/[\" is not a valid pattern"),
            "{}",
            glob.message
        );
        let number = bad(args(|a| a.rpm = Some("6O".into())), &[]);
        assert!(
            number.message.contains("rpm: \"6O\" is not a whole number"),
            "{}",
            number.message
        );
        let zero = bad(args(|a| a.max_parallel = Some("0".into())), &[]);
        assert!(
            zero.message.contains("max-parallel: 0 would refuse"),
            "{}",
            zero.message
        );
        let unknown = bad(PolicyArgs::default(), &["burst".to_owned()]);
        assert!(
            unknown.message.ends_with("\"burst\" is not a rule"),
            "{}",
            unknown.message
        );
        let chinese = with_lang(Lang::ZhCn, || bad(args(|a| a.rpd = Some("-1".into())), &[]));
        assert_eq!(chinese.message, "无法设置策略：rpd：\"-1\" 不是整数");
    }

    #[test]
    fn a_secret_pasted_as_a_value_is_not_repeated() {
        let secret = crate::domain::SecretKey::generate();
        let set = args(|a| a.allow_ips = Some(format!("10.0.0.0/8,{}", secret.expose())));
        let failure = changed(&Policy::default(), &set, &[]).unwrap_err();
        assert!(!failure.message.contains(&secret.expose()[3..]), "{}", failure.message);
        assert!(failure.message.contains("(not shown)"), "{}", failure.message);
    }

    #[test]
    fn the_json_policy_has_numbers_and_lists() {
        let policy = Policy::parse("rpm=60 max-parallel=2 methods=GET,POST models=gpt-4o*").unwrap();
        let json = Value::Object(policy_json(&policy));
        assert_eq!(
            json,
            serde_json::json!({"rpm": 60, "max-parallel": 2, "methods": ["GET", "POST"], "models": ["gpt-4o*"]})
        );
        assert_eq!(Value::Object(policy_json(&Policy::default())), serde_json::json!({}));
    }

    #[test]
    fn the_change_report_names_each_changed_rule() {
        let key = |text: &str| {
            use crate::domain::{KeyHash, KeyId};
            KeyRecord {
                policy: Policy::parse(text).unwrap(),
                ..KeyRecord::new(
                    KeyId::parse("ak-0000000000000001").unwrap(),
                    "billing".to_owned(),
                    KeyHash::of("billing"),
                    "sk-Ab01****Yz01".to_owned(),
                    time::macros::datetime!(2026-03-15 12:00 UTC),
                )
            }
        };
        let report = change_report(&key("rpm=30 ips=10.0.0.0/8"), &key("rpm=60 methods=GET,POST"));
        assert_eq!(
            report,
            format!(
                "Policy of billing ({}) changed:\n  rpm: 30 → 60\n  methods: set to GET,POST\n  ips: removed (was 10.0.0.0/8)\n",
                key("").id
            )
        );
        assert!(change_report(&key("rpm=1"), &key("rpm=1")).contains("nothing changed"));
    }
}
