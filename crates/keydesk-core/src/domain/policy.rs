//! A key's policy: what a gateway lets a verified key do. Every rule is
//! optional; a key without rules ([`Policy::is_empty`]) is let through as
//! before policies existed.
//!
//! Two kinds of rule. *Scopes* (methods, paths, models, source addresses)
//! are judged from the request alone, here, without state. *Limits* (request
//! rates, requests in flight) need state across requests: the
//! [`crate::limit::Limiter`] keeps it.
//!
//! A policy has one text form, `rpm=60 methods=GET,POST paths=/v1/*`: the
//! rules in [`Rule::ALL`] order, each `name=value`, lists comma-separated.
//! It is what stores keep, what audit entries show before and after a
//! change, and what [`Policy::parse`] reads back, so the three never differ.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::budget::{Budget, BudgetProblem};
use super::prices::{MAX_PRICE_UNITS, MICROS_PER_UNIT, parse_amount};

/// The largest rate a rule may set, per window of any length. A limiter
/// remembers each accepted request of a window (8 bytes each), so this
/// bounds one rule's memory per key.
pub const MAX_RATE: u32 = 100_000;

/// The largest `max-parallel`.
pub const MAX_PARALLEL: u32 = 100_000;

/// The largest `tpm` (tokens per minute).
pub const MAX_TPM: u64 = 1_000_000_000_000;

/// The largest `token-budget`, in tokens.
pub const MAX_TOKEN_BUDGET: u64 = 1_000_000_000_000_000;

/// The length of a rate rule's sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Window {
    /// One second (`rps`).
    Second,
    /// One minute (`rpm`).
    Minute,
    /// One hour (`rph`).
    Hour,
    /// One day (`rpd`).
    Day,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 4] = [Window::Second, Window::Minute, Window::Hour, Window::Day];

    /// The window's length.
    pub fn length(self) -> Duration {
        Duration::from_secs(match self {
            Window::Second => 1,
            Window::Minute => 60,
            Window::Hour => 3_600,
            Window::Day => 86_400,
        })
    }

    /// The rule that sets this window's rate.
    pub fn rule(self) -> Rule {
        match self {
            Window::Second => Rule::Rps,
            Window::Minute => Rule::Rpm,
            Window::Hour => Rule::Rph,
            Window::Day => Rule::Rpd,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One kind of rule, by the name the CLI, the text form and messages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Requests per second.
    Rps,
    /// Requests per minute.
    Rpm,
    /// Requests per hour.
    Rph,
    /// Requests per day.
    Rpd,
    /// Tokens (input and output) per minute, sliding.
    Tpm,
    /// Requests in flight at once.
    MaxParallel,
    /// Tokens per calendar period, or for the key's life.
    TokenBudget,
    /// Money per calendar period, from the tokens and the price list.
    SpendLimit,
    /// HTTP methods allowed.
    Methods,
    /// Request paths allowed (globs).
    Paths,
    /// Models allowed (globs).
    Models,
    /// Client addresses allowed (CIDR blocks).
    Ips,
}

impl Rule {
    /// Every rule, in the order of the text form.
    pub const ALL: [Rule; 12] = [
        Rule::Rps,
        Rule::Rpm,
        Rule::Rph,
        Rule::Rpd,
        Rule::Tpm,
        Rule::MaxParallel,
        Rule::TokenBudget,
        Rule::SpendLimit,
        Rule::Methods,
        Rule::Paths,
        Rule::Models,
        Rule::Ips,
    ];

    /// The rule's name: `rpm`, `max-parallel`, `allow-methods` is `methods`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Rps => "rps",
            Rule::Rpm => "rpm",
            Rule::Rph => "rph",
            Rule::Rpd => "rpd",
            Rule::Tpm => "tpm",
            Rule::MaxParallel => "max-parallel",
            Rule::TokenBudget => "token-budget",
            Rule::SpendLimit => "spend-limit",
            Rule::Methods => "methods",
            Rule::Paths => "paths",
            Rule::Models => "models",
            Rule::Ips => "ips",
        }
    }

    /// The rule named `name` (its [`Rule::name`], or the CLI flag's name
    /// without `--`, such as `allow-methods`).
    pub fn named(name: &str) -> Option<Rule> {
        let name = name.strip_prefix("allow-").unwrap_or(name);
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// The window of a rate rule.
    pub fn window(self) -> Option<Window> {
        Window::ALL.into_iter().find(|window| window.rule() == self)
    }
}

/// Why a gateway refused a verified key's request: the reasons refusals are
/// counted by, in usage and in metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// Over a request-rate rule.
    Rate,
    /// Over `max-parallel`.
    Concurrency,
    /// A method outside `methods`.
    Method,
    /// A path outside `paths`.
    Path,
    /// A model outside `models`, or no model found under a model rule.
    Model,
    /// A client address outside `ips`.
    Address,
}

impl Reason {
    /// Every reason, in a stable order (usage arrays and metrics use it).
    pub const ALL: [Reason; 6] = [
        Reason::Rate,
        Reason::Concurrency,
        Reason::Method,
        Reason::Path,
        Reason::Model,
        Reason::Address,
    ];

    /// The reason's stable name (`usage --json`, `/metrics` labels).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rate => "rate",
            Reason::Concurrency => "concurrency",
            Reason::Method => "method",
            Reason::Path => "path",
            Reason::Model => "model",
            Reason::Address => "address",
        }
    }

    /// Whether the refusal is a limit (answered 429) rather than a scope (403).
    pub fn is_limit(self) -> bool {
        matches!(self, Reason::Rate | Reason::Concurrency)
    }
}

/// A glob over request paths or model names: `*` (any run of characters,
/// `/` included), `?` (one character), `[…]` (one of a set).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Glob(glob::Pattern);

impl Glob {
    /// Parses one pattern. Commas and whitespace are refused: the first
    /// separates a list's patterns, the second the text form's rules.
    pub fn parse(text: &str) -> Result<Glob, Problem> {
        if text.is_empty() {
            return Err(Problem::Empty);
        }
        if text.chars().any(|c| c == ',' || c.is_whitespace() || c.is_control()) {
            return Err(Problem::Separator);
        }
        glob::Pattern::new(text)
            .map(Glob)
            .map_err(|error| Problem::Glob(error.msg))
    }

    /// Whether `text` matches the pattern (case-sensitively).
    pub fn matches(&self, text: &str) -> bool {
        self.0.matches(text)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// What is wrong with one part of a rule's value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// An empty value or list item.
    Empty,
    /// Not a whole number.
    NotANumber,
    /// Zero: a rule of 0 would refuse everything (delete or disable the key instead).
    Zero,
    /// Above the rule's maximum.
    TooLarge {
        /// The maximum.
        max: u64,
    },
    /// A budget's period that is not `day`, `week` or `month`.
    Period,
    /// Not an amount of money (a decimal with at most six decimals).
    Amount,
    /// Not an HTTP method token (letters only).
    Method,
    /// Not a glob; glob's own message.
    Glob(&'static str),
    /// A comma or whitespace inside a pattern.
    Separator,
    /// Not an address or CIDR block.
    Cidr,
    /// A name that is no rule (in the text form or `--clear`).
    UnknownRule,
    /// The same rule twice in one text.
    Repeated,
}

/// A rule's value that could not be read, naming the rule and the bad part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The rule whose value is bad (`None` for a name that is no rule).
    pub rule: Option<Rule>,
    /// The part that is bad: one list item, or the whole value.
    pub part: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.rule.map_or("policy", Rule::name);
        let part = &self.part;
        match &self.problem {
            Problem::Empty => write!(f, "{rule}: an empty value"),
            Problem::NotANumber => write!(f, "{rule}: {part:?} is not a whole number"),
            Problem::Zero => write!(f, "{rule}: 0 would refuse every request (disable the key instead)"),
            Problem::TooLarge { max } => write!(f, "{rule}: {part} is more than the maximum, {max}"),
            Problem::Method => write!(f, "{rule}: {part:?} is not an HTTP method"),
            Problem::Glob(why) => write!(f, "{rule}: {part:?} is not a valid pattern ({why})"),
            Problem::Separator => write!(f, "{rule}: {part:?} contains a comma or a space"),
            Problem::Cidr => write!(f, "{rule}: {part:?} is not an IP address or CIDR block"),
            Problem::UnknownRule => write!(f, "{part:?} is not a rule"),
            Problem::Repeated => write!(f, "{rule} is given twice"),
            Problem::Period => write!(f, "{rule}: {part:?} is not a period (day, week or month)"),
            Problem::Amount => write!(f, "{rule}: {part:?} is not an amount (such as 20 or 0.50)"),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A key's rules. `Default` is the empty policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Requests per window, by [`Window`] (`None`: no such rule).
    rates: [Option<u32>; 4],
    /// Requests in flight at once.
    pub max_parallel: Option<u32>,
    /// Tokens per minute.
    pub tpm: Option<u64>,
    /// Tokens per period.
    pub token_budget: Option<Budget>,
    /// Micro-units of the price list's currency per period.
    pub spend_limit: Option<Budget>,
    /// Methods allowed, upper-case, in the order given.
    pub methods: Option<Vec<String>>,
    /// Paths allowed.
    pub paths: Option<Vec<Glob>>,
    /// Models allowed.
    pub models: Option<Vec<Glob>>,
    /// Client addresses allowed.
    pub ips: Option<Vec<IpNet>>,
}

impl Policy {
    /// Whether the policy has no rule at all.
    pub fn is_empty(&self) -> bool {
        Rule::ALL.into_iter().all(|rule| !self.has(rule))
    }

    /// Whether the policy has `rule`.
    pub fn has(&self, rule: Rule) -> bool {
        match rule {
            Rule::Rps | Rule::Rpm | Rule::Rph | Rule::Rpd => {
                self.rates[rule.window().map_or(0, Window::index)].is_some()
            }
            Rule::MaxParallel => self.max_parallel.is_some(),
            Rule::Tpm => self.tpm.is_some(),
            Rule::TokenBudget => self.token_budget.is_some(),
            Rule::SpendLimit => self.spend_limit.is_some(),
            Rule::Methods => self.methods.is_some(),
            Rule::Paths => self.paths.is_some(),
            Rule::Models => self.models.is_some(),
            Rule::Ips => self.ips.is_some(),
        }
    }

    /// Whether any rule needs a limiter's state (a rate or `max-parallel`).
    pub fn has_limits(&self) -> bool {
        self.max_parallel.is_some() || self.rates.iter().any(Option::is_some)
    }

    /// Whether any rule counts tokens (`tpm`, `token-budget`, `spend-limit`).
    pub fn has_token_rules(&self) -> bool {
        self.tpm.is_some() || self.token_budget.is_some() || self.spend_limit.is_some()
    }

    /// The budgets set: `token-budget`, then `spend-limit`.
    pub fn budgets(&self) -> impl Iterator<Item = (Rule, Budget)> + '_ {
        [
            (Rule::TokenBudget, self.token_budget),
            (Rule::SpendLimit, self.spend_limit),
        ]
        .into_iter()
        .filter_map(|(rule, budget)| budget.map(|b| (rule, b)))
    }

    /// The rate set for `window`.
    pub fn rate(&self, window: Window) -> Option<u32> {
        self.rates[window.index()]
    }

    /// The rates set, shortest window first.
    pub fn rates(&self) -> impl Iterator<Item = (Window, u32)> + '_ {
        Window::ALL
            .into_iter()
            .filter_map(|window| self.rate(window).map(|n| (window, n)))
    }

    /// Sets `rule` from its value as written on the command line
    /// (`60`, `GET,POST`, `/v1/*,/v2/*`, `10.0.0.0/8`).
    pub fn set(&mut self, rule: Rule, value: &str) -> Result<(), PolicyError> {
        let bad = |part: &str, problem| PolicyError {
            rule: Some(rule),
            part: part.to_owned(),
            problem,
        };
        match rule {
            Rule::Rps | Rule::Rpm | Rule::Rph | Rule::Rpd => {
                let n = number(value, MAX_RATE).map_err(|problem| bad(value, problem))?;
                self.rates[rule.window().map_or(0, Window::index)] = Some(n);
            }
            Rule::MaxParallel => {
                self.max_parallel = Some(number(value, MAX_PARALLEL).map_err(|problem| bad(value, problem))?);
            }
            Rule::Tpm => self.tpm = Some(number64(value, MAX_TPM).map_err(|problem| bad(value, problem))?),
            Rule::TokenBudget => {
                let budget = Budget::parse(value, |n| number64(n, MAX_TOKEN_BUDGET).map_err(budget_problem));
                self.token_budget = Some(budget.map_err(|(part, p)| bad(&part, policy_problem(p, MAX_TOKEN_BUDGET)))?);
            }
            Rule::SpendLimit => {
                let budget = Budget::parse(value, money).and_then(|budget| match budget.period {
                    // Lifetime totals are not kept per model: no cost.
                    super::budget::Period::Life => Err((value.to_owned(), BudgetProblem::Period)),
                    _ => Ok(budget),
                });
                self.spend_limit = Some(budget.map_err(|(part, p)| bad(&part, policy_problem(p, MAX_PRICE_UNITS)))?);
            }
            Rule::Methods => self.methods = Some(list(value, method).map_err(|(part, p)| bad(&part, p))?),
            Rule::Paths => self.paths = Some(list(value, Glob::parse).map_err(|(part, p)| bad(&part, p))?),
            Rule::Models => self.models = Some(list(value, Glob::parse).map_err(|(part, p)| bad(&part, p))?),
            Rule::Ips => self.ips = Some(list(value, cidr).map_err(|(part, p)| bad(&part, p))?),
        }
        Ok(())
    }

    /// Removes `rule` (nothing happens if it is not set).
    pub fn clear(&mut self, rule: Rule) {
        match rule {
            Rule::Rps | Rule::Rpm | Rule::Rph | Rule::Rpd => self.rates[rule.window().map_or(0, Window::index)] = None,
            Rule::MaxParallel => self.max_parallel = None,
            Rule::Tpm => self.tpm = None,
            Rule::TokenBudget => self.token_budget = None,
            Rule::SpendLimit => self.spend_limit = None,
            Rule::Methods => self.methods = None,
            Rule::Paths => self.paths = None,
            Rule::Models => self.models = None,
            Rule::Ips => self.ips = None,
        }
    }

    /// The value of `rule` in the form [`Policy::set`] reads; `None` when unset.
    pub fn value(&self, rule: Rule) -> Option<String> {
        fn joined<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
            items.iter().map(show).collect::<Vec<_>>().join(",")
        }
        match rule {
            Rule::Rps | Rule::Rpm | Rule::Rph | Rule::Rpd => {
                rule.window().and_then(|w| self.rate(w)).map(|n| n.to_string())
            }
            Rule::MaxParallel => self.max_parallel.map(|n| n.to_string()),
            Rule::Tpm => self.tpm.map(|n| n.to_string()),
            Rule::TokenBudget => self.token_budget.map(|b| b.shown(|n| n.to_string())),
            Rule::SpendLimit => self.spend_limit.map(|b| b.shown(money_text)),
            Rule::Methods => self.methods.as_deref().map(|m| m.join(",")),
            Rule::Paths => self.paths.as_deref().map(|p| joined(p, |g| g.as_str().to_owned())),
            Rule::Models => self.models.as_deref().map(|p| joined(p, |g| g.as_str().to_owned())),
            Rule::Ips => self.ips.as_deref().map(|p| joined(p, shown_net)),
        }
    }

    /// The rules set, with their values, in [`Rule::ALL`] order.
    pub fn rules(&self) -> impl Iterator<Item = (Rule, String)> + '_ {
        Rule::ALL
            .into_iter()
            .filter_map(|rule| self.value(rule).map(|value| (rule, value)))
    }

    /// Reads the text form (see the module docs); the empty text is the
    /// empty policy.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut policy = Policy::default();
        for word in text.split_whitespace() {
            let (name, value) = word.split_once('=').unwrap_or((word, ""));
            let unknown = || PolicyError {
                rule: None,
                part: name.to_owned(),
                problem: Problem::UnknownRule,
            };
            let rule = Rule::named(name)
                .filter(|rule| rule.name() == name)
                .ok_or_else(unknown)?;
            if policy.has(rule) {
                return Err(PolicyError {
                    rule: Some(rule),
                    part: word.to_owned(),
                    problem: Problem::Repeated,
                });
            }
            policy.set(rule, value)?;
        }
        Ok(policy)
    }

    /// Whether `method` is allowed (`None`: the method is unknown, which
    /// only a policy without a method rule allows).
    pub fn allows_method(&self, method: Option<&str>) -> bool {
        match (&self.methods, method) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(allowed), Some(method)) => allowed.iter().any(|m| m.eq_ignore_ascii_case(method)),
        }
    }

    /// Whether `path` (without its query) is allowed; `None` as for methods.
    pub fn allows_path(&self, path: Option<&str>) -> bool {
        allowed_by(self.paths.as_deref(), path)
    }

    /// Whether `model` is allowed; `None` (no model found) only without a model rule.
    pub fn allows_model(&self, model: Option<&str>) -> bool {
        allowed_by(self.models.as_deref(), model)
    }

    /// Whether a client at `address` is allowed; `None` as for methods.
    pub fn allows_address(&self, address: Option<IpAddr>) -> bool {
        match (&self.ips, address) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(nets), Some(address)) => {
                let address = canonical(address);
                nets.iter().any(|net| net.contains(&address))
            }
        }
    }
}

impl fmt::Display for Policy {
    /// The text form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (rule, value) in self.rules() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{}={value}", rule.name())?;
        }
        Ok(())
    }
}

fn allowed_by(globs: Option<&[Glob]>, text: Option<&str>) -> bool {
    match (globs, text) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(globs), Some(text)) => globs.iter().any(|glob| glob.matches(text)),
    }
}

fn number(text: &str, max: u32) -> Result<u32, Problem> {
    number64(text, u64::from(max)).map(|n| n as u32)
}

fn number64(text: &str, max: u64) -> Result<u64, Problem> {
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::NotANumber);
    }
    match text.parse::<u64>() {
        Ok(0) => Err(Problem::Zero),
        Ok(n) if n <= max => Ok(n),
        _ => Err(Problem::TooLarge { max }),
    }
}

fn budget_problem(problem: Problem) -> BudgetProblem {
    match problem {
        Problem::Zero => BudgetProblem::Zero,
        Problem::TooLarge { .. } => BudgetProblem::TooLarge,
        _ => BudgetProblem::Amount,
    }
}

fn policy_problem(problem: BudgetProblem, max: u64) -> Problem {
    match problem {
        BudgetProblem::Period => Problem::Period,
        BudgetProblem::Zero => Problem::Zero,
        BudgetProblem::TooLarge => Problem::TooLarge { max },
        BudgetProblem::Amount if max == MAX_PRICE_UNITS => Problem::Amount,
        BudgetProblem::Amount => Problem::NotANumber,
    }
}

/// An amount of money in micro-units (the price list's reader: at most six
/// decimals, at most [`MAX_PRICE_UNITS`]).
fn money(text: &str) -> Result<u64, BudgetProblem> {
    if text.is_empty() || text.contains('_') || text.starts_with('+') {
        return Err(BudgetProblem::Amount);
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u64>().map_or(true, |n| n > MAX_PRICE_UNITS) {
        return Err(BudgetProblem::TooLarge);
    }
    parse_amount(text).map_err(|_| BudgetProblem::Amount)
}

/// Micro-units as the shortest decimal that reads back the same: `20`, `0.5`.
pub fn money_text(micros: u64) -> String {
    let (whole, fraction) = (micros / MICROS_PER_UNIT, micros % MICROS_PER_UNIT);
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:06}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Splits a comma-separated list, parsing each item; an error names the item.
fn list<T: PartialEq>(value: &str, parse: impl Fn(&str) -> Result<T, Problem>) -> Result<Vec<T>, (String, Problem)> {
    if value.is_empty() {
        return Err((String::new(), Problem::Empty));
    }
    let mut items = Vec::new();
    for part in value.split(',') {
        let item = parse(part).map_err(|problem| (part.to_owned(), problem))?;
        if !items.contains(&item) {
            items.push(item);
        }
    }
    Ok(items)
}

fn method(text: &str) -> Result<String, Problem> {
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    if text.len() > 32 || !text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Problem::Method);
    }
    Ok(text.to_ascii_uppercase())
}

/// An address or CIDR block; a bare address is a block of one.
fn cidr(text: &str) -> Result<IpNet, Problem> {
    if text.is_empty() {
        return Err(Problem::Empty);
    }
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>().map(IpNet::from).map_err(|_| Problem::Cidr)
}

/// A block of one address is shown as the address, the way it was likely written.
fn shown_net(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:10.0.0.1`) is the
/// IPv4 address, so `10.0.0.0/8` allows it.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap()
    }

    #[test]
    fn the_text_form_reads_back_what_it_wrote() {
        let text = "rps=5 rpm=60 rpd=10000 max-parallel=4 methods=GET,POST paths=/v1/chat/completions,/v1/embeddings* \
                    models=gpt-4o-mini,llama3* ips=10.0.0.0/8,2001:db8::/32,192.0.2.7";
        let read = policy(text);
        assert_eq!(read.to_string(), text);
        assert_eq!(Policy::parse(&read.to_string()).unwrap(), read);
        assert_eq!(policy("").to_string(), "");
        assert!(policy("").is_empty());
        assert!(!read.is_empty());
    }

    #[test]
    fn values_are_normalised_once() {
        let read = policy("methods=get,Post,GET ips=10.1.2.3/8");
        assert_eq!(read.value(Rule::Methods).unwrap(), "GET,POST");
        assert_eq!(read.value(Rule::Ips).unwrap(), "10.0.0.0/8");
    }

    #[test]
    fn bad_values_name_the_rule_and_the_part() {
        let mut p = Policy::default();
        let error = p.set(Rule::Ips, "10.0.0.0/8,10.0.0.300").unwrap_err();
        assert_eq!(
            (error.rule, error.part.as_str(), &error.problem),
            (Some(Rule::Ips), "10.0.0.300", &Problem::Cidr)
        );
        assert_eq!(p.set(Rule::Rpm, "0").unwrap_err().problem, Problem::Zero);
        assert_eq!(p.set(Rule::Rpm, "-1").unwrap_err().problem, Problem::NotANumber);
        assert_eq!(
            p.set(Rule::Rpm, "100001").unwrap_err().problem,
            Problem::TooLarge {
                max: u64::from(MAX_RATE)
            }
        );
        assert_eq!(p.set(Rule::Methods, "GET,PO ST").unwrap_err().part, "PO ST");
        assert!(matches!(
            p.set(Rule::Paths, "/v1/[").unwrap_err().problem,
            Problem::Glob(_)
        ));
        assert_eq!(p.set(Rule::Models, "a,,b").unwrap_err().problem, Problem::Empty);
        assert_eq!(Policy::parse("rpm=1 rpm=2").unwrap_err().problem, Problem::Repeated);
        assert_eq!(Policy::parse("burst=3").unwrap_err().problem, Problem::UnknownRule);
        assert!(p.is_empty(), "a failed set leaves the policy as it was");
        assert!(error.to_string().contains("10.0.0.300"));
    }

    #[test]
    fn scopes_allow_what_they_name_and_refuse_what_they_cannot_judge() {
        let read = policy("methods=GET,POST paths=/v1/chat/completions,/v1/embeddings* models=llama3* ips=10.0.0.0/8");
        assert!(read.allows_method(Some("post")) && !read.allows_method(Some("DELETE")) && !read.allows_method(None));
        assert!(read.allows_path(Some("/v1/embeddings/x")) && !read.allows_path(Some("/v1/models")));
        assert!(!read.allows_path(None));
        assert!(read.allows_model(Some("llama3:8b")) && !read.allows_model(Some("gpt-4o")) && !read.allows_model(None));
        assert!(read.allows_address(Some("10.2.3.4".parse().unwrap())));
        assert!(read.allows_address(Some("::ffff:10.2.3.4".parse().unwrap())));
        assert!(!read.allows_address(Some("192.0.2.1".parse().unwrap())) && !read.allows_address(None));
        let open = Policy::default();
        assert!(
            open.allows_method(None) && open.allows_path(None) && open.allows_model(None) && open.allows_address(None)
        );
    }

    #[test]
    fn token_rules_read_back_and_name_the_bad_part() {
        let text = "rpm=60 tpm=20000 token-budget=5000000/month spend-limit=20.5/month";
        let read = policy(text);
        assert_eq!(read.to_string(), text);
        assert!(read.has_token_rules() && read.has_limits());
        assert_eq!(read.spend_limit.unwrap().amount, 20_500_000);
        assert_eq!(
            policy("token-budget=1000").token_budget.unwrap().period,
            super::super::budget::Period::Life
        );
        assert_eq!(policy("spend-limit=20.000/day").to_string(), "spend-limit=20/day");
        let mut p = Policy::default();
        let period = p.set(Rule::TokenBudget, "100/year").unwrap_err();
        assert_eq!((period.part.as_str(), &period.problem), ("year", &Problem::Period));
        let amount = p.set(Rule::SpendLimit, "2O/month").unwrap_err();
        assert_eq!((amount.part.as_str(), &amount.problem), ("2O", &Problem::Amount));
        assert_eq!(p.set(Rule::TokenBudget, "0/day").unwrap_err().problem, Problem::Zero);
        assert_eq!(
            p.set(Rule::TokenBudget, "1e6/day").unwrap_err().problem,
            Problem::NotANumber
        );
        assert_eq!(
            p.set(Rule::SpendLimit, "2000000/month").unwrap_err().problem,
            Problem::TooLarge { max: MAX_PRICE_UNITS }
        );
        assert_eq!(p.set(Rule::Tpm, "0").unwrap_err().problem, Problem::Zero);
        assert!(p.is_empty());
        assert_eq!(money_text(500_000), "0.5");
        assert_eq!(
            p.set(Rule::SpendLimit, "20").unwrap_err().problem,
            Problem::Period,
            "spend needs a period"
        );
    }

    #[test]
    fn rules_are_found_by_their_flag_names_too() {
        assert_eq!(Rule::named("allow-methods"), Some(Rule::Methods));
        assert_eq!(Rule::named("max-parallel"), Some(Rule::MaxParallel));
        assert_eq!(Rule::named("nope"), None);
        assert_eq!(Rule::Rph.window(), Some(Window::Hour));
        let mut p = policy("rpm=60 models=a");
        assert!(p.has_limits());
        p.clear(Rule::Rpm);
        assert!(!p.has_limits() && p.has(Rule::Models));
    }
}
