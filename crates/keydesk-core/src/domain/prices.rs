//! What tokens cost: prices per million tokens by model glob, in one
//! currency, and the cost of token counts. Pure, no I/O; keydesk ships no
//! price list (it would go stale): the operator writes one in the config
//! file (`[prices]`).
//!
//! Amounts are integers of micro-units of the currency (a millionth of a
//! dollar, of a yuan), never floats, so sums do not drift: a price is read
//! from its decimal text exactly (at most six decimals), and a cost is
//! rounded to the nearest micro-unit once, for one model's counts.
//!
//! A model takes the price of the longest glob that matches its name (an
//! exact name is longer than any glob that also matches it; equally long
//! globs: the first in name order). An answer that named no model is matched
//! as the empty name, so only a glob like `*` prices it.

use super::token_counts::TokenCounts;

/// Micro-units in one unit of the currency.
pub const MICROS_PER_UNIT: u64 = 1_000_000;
/// The largest price per million tokens accepted: a million units.
pub const MAX_PRICE_UNITS: u64 = 1_000_000;
/// The longest currency name (`USD`, `CNY`, `€`, `credits`).
pub const MAX_CURRENCY_BYTES: usize = 16;

/// The prices of one model glob, in micro-units per million tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Price {
    /// Per million input tokens (cached ones too, unless
    /// `cached_input` is set).
    pub input: u64,
    /// Per million output tokens.
    pub output: u64,
    /// Per million input tokens read from a prompt cache; `None`: as
    /// `input`.
    pub cached_input: Option<u64>,
}

impl Price {
    /// What `counts` cost at this price, in micro-units (rounded to the
    /// nearest; saturating).
    pub fn cost(&self, counts: &TokenCounts) -> u64 {
        let cached = counts.cache_read.min(counts.input);
        let (fresh, cached_price) = match self.cached_input {
            Some(price) => (counts.input - cached, price),
            None => (counts.input, 0),
        };
        let per_million = u128::from(fresh) * u128::from(self.input)
            + u128::from(cached) * u128::from(cached_price)
            + u128::from(counts.output) * u128::from(self.output);
        let micros = (per_million + 500_000) / 1_000_000;
        u64::try_from(micros).unwrap_or(u64::MAX)
    }
}

/// What is wrong with a price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceError {
    /// An amount that is not a decimal number of at most six decimals
    /// between 0 and [`MAX_PRICE_UNITS`].
    Amount(String),
    /// A glob that does not parse.
    Glob(String),
    /// A currency that is empty, too long or holds control characters.
    Currency(String),
}

/// Prices by model glob, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceList {
    currency: String,
    /// Longest glob first, then in name order; each glob compiled once.
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    glob: String,
    pattern: glob::Pattern,
    price: Price,
}

impl PriceList {
    /// An empty list in `currency`.
    pub fn new(currency: &str) -> Result<PriceList, PriceError> {
        let fine = !currency.trim().is_empty()
            && currency.len() <= MAX_CURRENCY_BYTES
            && !currency.chars().any(char::is_control);
        if !fine {
            return Err(PriceError::Currency(currency.to_owned()));
        }
        Ok(PriceList {
            currency: currency.to_owned(),
            rules: Vec::new(),
        })
    }

    /// Adds the price of models matching `glob` (`*`, `?`, `[…]`), replacing
    /// one given for the same glob.
    pub fn add(&mut self, glob: &str, price: Price) -> Result<(), PriceError> {
        let pattern = glob::Pattern::new(glob).map_err(|_| PriceError::Glob(glob.to_owned()))?;
        self.rules.retain(|rule| rule.glob != glob);
        self.rules.push(Rule {
            glob: glob.to_owned(),
            pattern,
            price,
        });
        let order = |rule: &Rule| (std::cmp::Reverse(rule.glob.len()), rule.glob.clone());
        self.rules.sort_by_key(order);
        Ok(())
    }

    /// The currency every price is in.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// Whether no model is priced.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The globs and their prices, longest glob first.
    pub fn rules(&self) -> impl Iterator<Item = (&str, &Price)> {
        self.rules.iter().map(|rule| (rule.glob.as_str(), &rule.price))
    }

    /// The price of `model` (`None`: an answer that named none): the
    /// longest matching glob's; `None` when no glob matches.
    pub fn price_of(&self, model: Option<&str>) -> Option<&Price> {
        let name = model.unwrap_or("");
        self.rules
            .iter()
            .find(|rule| rule.pattern.matches(name))
            .map(|rule| &rule.price)
    }

    /// What `counts` of `model` cost, in micro-units; `None` when the model
    /// has no price.
    pub fn cost(&self, model: Option<&str>, counts: &TokenCounts) -> Option<u64> {
        self.price_of(model).map(|price| price.cost(counts))
    }
}

/// An amount of the currency from its decimal text (`0.15`, `2`, `1_000`),
/// exactly, in micro-units: at most six decimals, not negative, at most
/// [`MAX_PRICE_UNITS`].
pub fn parse_amount(text: &str) -> Result<u64, PriceError> {
    let bad = || PriceError::Amount(text.to_owned());
    let plain: String = text.trim().chars().filter(|&c| c != '_').collect();
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    let (whole, fraction) = plain.split_once('.').unwrap_or((plain, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    if whole > MAX_PRICE_UNITS {
        return Err(bad());
    }
    let fraction: u64 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
    let micros = whole * MICROS_PER_UNIT + fraction;
    if micros > MAX_PRICE_UNITS * MICROS_PER_UNIT {
        return Err(bad());
    }
    Ok(micros)
}

/// An amount in micro-units as a decimal with at least two decimals and no
/// trailing zeros beyond them (`0.15`, `0.000123`, `12.00`).
pub fn format_amount(micros: u64) -> String {
    let (whole, fraction) = (micros / MICROS_PER_UNIT, micros % MICROS_PER_UNIT);
    let mut fraction = format!("{fraction:06}");
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(input: &str, output: &str) -> Price {
        Price {
            input: parse_amount(input).unwrap(),
            output: parse_amount(output).unwrap(),
            cached_input: None,
        }
    }

    #[test]
    fn amounts_are_read_exactly_in_micro_units() {
        assert_eq!(parse_amount("0.15"), Ok(150_000));
        assert_eq!(parse_amount("2"), Ok(2_000_000));
        assert_eq!(parse_amount("1_000.5"), Ok(1_000_500_000));
        assert_eq!(parse_amount(".000001"), Ok(1));
        assert_eq!(parse_amount("1e-3"), Err(PriceError::Amount("1e-3".into())));
        for bad in ["", ".", "-1", "0.0000001", "abc", "1.2.3", "1000001", "nan", "inf"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_show_at_least_two_decimals() {
        assert_eq!(format_amount(150_000), "0.15");
        assert_eq!(format_amount(12_000_000), "12.00");
        assert_eq!(format_amount(123), "0.000123");
        assert_eq!(format_amount(0), "0.00");
    }

    #[test]
    fn the_longest_matching_glob_wins() {
        let mut list = PriceList::new("USD").unwrap();
        list.add("*", price("10", "10")).unwrap();
        list.add("gpt-4o*", price("2.5", "10")).unwrap();
        list.add("gpt-4o-mini*", price("0.15", "0.60")).unwrap();
        assert_eq!(
            list.price_of(Some("gpt-4o-mini-2024-07-18")),
            Some(&price("0.15", "0.60"))
        );
        assert_eq!(list.price_of(Some("gpt-4o-2024-08-06")), Some(&price("2.5", "10")));
        assert_eq!(list.price_of(Some("claude")), Some(&price("10", "10")));
        assert_eq!(
            list.price_of(None),
            Some(&price("10", "10")),
            "no model: the empty name"
        );
        let only = {
            let mut l = PriceList::new("USD").unwrap();
            l.add("gpt-*", price("1", "1")).unwrap();
            l
        };
        assert_eq!(only.price_of(Some("claude")), None);
        assert_eq!(only.price_of(None), None);
    }

    #[test]
    fn cost_is_rounded_once_to_the_nearest_micro_unit() {
        let p = price("0.15", "0.60");
        let counts = TokenCounts {
            input: 1_000_000,
            output: 500_000,
            ..TokenCounts::default()
        };
        // 0.15 + 0.30
        assert_eq!(p.cost(&counts), 450_000);
        let one = TokenCounts {
            input: 3,
            ..TokenCounts::default()
        };
        // 3 × 0.15 / 1e6 = 0.45 micro-units: rounds to 0.
        assert_eq!(p.cost(&one), 0);
        let huge = TokenCounts {
            input: u64::MAX,
            output: u64::MAX,
            ..TokenCounts::default()
        };
        assert!(p.cost(&huge) > 0);
    }

    #[test]
    fn cached_input_has_its_own_price_when_given() {
        let p = Price {
            input: 1_000_000,
            output: 0,
            cached_input: Some(100_000),
        };
        let counts = TokenCounts {
            input: 2_000_000,
            cache_read: 1_000_000,
            ..TokenCounts::default()
        };
        assert_eq!(p.cost(&counts), 1_100_000);
        let uncached = Price {
            cached_input: None,
            ..p
        };
        assert_eq!(uncached.cost(&counts), 2_000_000);
    }

    #[test]
    fn a_bad_glob_or_currency_is_refused() {
        assert!(PriceList::new("").is_err());
        assert!(PriceList::new("a\u{7}").is_err());
        assert!(PriceList::new(&"x".repeat(17)).is_err());
        let mut list = PriceList::new("CNY").unwrap();
        assert_eq!(
            list.add("gpt-[", Price::default()),
            Err(PriceError::Glob("gpt-[".into()))
        );
    }
}
