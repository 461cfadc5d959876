//! `keydesk usage`'s tokens and cost: a key's input and output tokens over
//! the range, per model, priced by the config file's `[prices]`
//! (see [`crate::domain::prices`]), for the tables and the JSON.
//!
//! A cost is rounded once per (key, model) over the range (per (day, model)
//! for a day's), so a day's costs may differ from the total by the rounding
//! of a micro-unit per model. Tokens of a model without a price are not in
//! the cost: the JSON names those models (`unpriced_models`), the table
//! shows `-` where nothing of a row is priced.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use super::output::{ID_WIDTH, NAME_WIDTH};
use crate::display::sanitize;
use crate::display::text::{pad, pad_left, truncate};
use crate::domain::prices::{PriceList, format_amount};
use crate::domain::{Day, KeyRecord, KeyUsage, TokenCounts};

/// Tokens per model (`None`: answers that named none).
pub type PerModel = Vec<(Option<String>, TokenCounts)>;

/// A key's tokens in `days`, per model, in model order.
pub fn per_model(usage: &KeyUsage, days: &Range<Day>) -> PerModel {
    let mut sums: BTreeMap<Option<String>, TokenCounts> = BTreeMap::new();
    for (day, model, counts) in &usage.tokens_daily {
        if days.contains(day) {
            *sums.entry(model.clone()).or_default() += *counts;
        }
    }
    sums.into_iter().collect()
}

/// A key's tokens of one day, per model.
pub fn of_day(usage: &KeyUsage, day: Day) -> PerModel {
    per_model(usage, &(day..Day(day.0 + 1)))
}

/// Tokens priced: their sum, the cost of those with a price (`None`
/// without a price list), and the models without one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spend {
    pub counts: TokenCounts,
    pub cost: Option<u64>,
    /// Models with tokens and a price.
    pub priced: usize,
    pub unpriced: Vec<Option<String>>,
}

impl Spend {
    pub fn of(per_model: &[(Option<String>, TokenCounts)], prices: Option<&PriceList>) -> Spend {
        let mut spend = Spend {
            cost: prices.map(|_| 0),
            ..Spend::default()
        };
        for (model, counts) in per_model {
            spend.counts += *counts;
            let Some(prices) = prices else { continue };
            match prices.cost(model.as_deref(), counts) {
                Some(cost) => {
                    spend.cost = spend.cost.map(|sum| sum.saturating_add(cost));
                    spend.priced += 1;
                }
                None if !counts.is_zero() => spend.unpriced.push(model.clone()),
                None => {}
            }
        }
        spend
    }

    /// The cost for a table: the amount, or `-` when nothing here is priced.
    fn cost_cell(&self) -> String {
        match self.cost {
            Some(_) if self.priced == 0 && !self.unpriced.is_empty() => "-".to_owned(),
            Some(cost) => format_amount(cost),
            None => "-".to_owned(),
        }
    }
}

/// The token columns (input, output, and cost when prices are set), each
/// as wide as its header or its widest cell.
pub struct TokenColumns {
    headers: Vec<String>,
    widths: Vec<usize>,
}

impl TokenColumns {
    pub fn new<'a>(prices: Option<&PriceList>, rows: impl IntoIterator<Item = &'a Spend>) -> TokenColumns {
        let mut headers = vec![tr!("cli-usage-input-tokens"), tr!("cli-usage-output-tokens")];
        if let Some(prices) = prices {
            headers.push(tr!(
                "cli-usage-cost",
                currency = sanitize(prices.currency()).into_owned()
            ));
        }
        let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
        for spend in rows {
            for (width, cell) in widths.iter_mut().zip(cells(spend)) {
                *width = (*width).max(cell.width());
            }
        }
        TokenColumns { headers, widths }
    }

    pub fn header(&self) -> String {
        let cells: Vec<String> = self.headers.iter().zip(&self.widths).map(|(h, w)| pad(h, *w)).collect();
        cells.join("  ")
    }

    pub fn row(&self, spend: &Spend) -> String {
        let cells: Vec<String> = cells(spend)
            .iter()
            .zip(&self.widths)
            .map(|(cell, w)| pad_left(cell, *w))
            .collect();
        cells.join("  ")
    }
}

fn cells(spend: &Spend) -> Vec<String> {
    let mut cells = vec![spend.counts.input.to_string(), spend.counts.output.to_string()];
    if spend.cost.is_some() {
        cells.push(spend.cost_cell());
    }
    cells
}

/// The name shown for a model; answers that named none, in words.
fn model_name(model: &Option<String>) -> String {
    match model {
        Some(name) => sanitize(name).into_owned(),
        None => tr!("cli-usage-no-model"),
    }
}

/// The widest model name shown in the table; longer ones are cut.
const MODEL_WIDTH: usize = 32;

/// `usage --by model`: one line per key and model with tokens in the range.
pub fn by_model_table(rows: &[(&KeyRecord, PerModel)], prices: Option<&PriceList>, days: u32) -> String {
    let lines: Vec<(&KeyRecord, String, Spend)> = rows
        .iter()
        .flat_map(|(record, per_model)| {
            per_model.iter().map(move |(model, counts)| {
                let spend = Spend::of(&[(model.clone(), *counts)], prices);
                (*record, truncate(&model_name(model), MODEL_WIDTH), spend)
            })
        })
        .collect();
    if lines.is_empty() {
        return tr!("cli-usage-no-tokens", days = days) + "\n";
    }
    let columns = TokenColumns::new(prices, lines.iter().map(|(_, _, spend)| spend));
    let model_width = lines
        .iter()
        .map(|(_, model, _)| model.width())
        .chain([tr!("cli-usage-model").width()])
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{}  {}  {}  {}   {}\n",
        pad(&tr!("cli-usage-id"), ID_WIDTH),
        pad(&tr!("cli-usage-name"), NAME_WIDTH),
        pad(&tr!("cli-usage-model"), model_width),
        columns.header(),
        tr!("cli-usage-range", days = days)
    );
    for (record, model, spend) in &lines {
        let name = truncate(&sanitize(&record.name), NAME_WIDTH);
        let _ = writeln!(
            out,
            "{}  {}  {}  {}",
            pad(record.id.as_str(), ID_WIDTH),
            pad(&name, NAME_WIDTH),
            pad(model, model_width),
            columns.row(spend)
        );
    }
    out
}

/// The token fields of a key's or a day's JSON object.
#[derive(serde::Serialize)]
pub struct JsonTokens {
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Of `input_tokens`, read from a prompt cache.
    pub cached_input_tokens: u64,
    /// Answers that reported their tokens, that did not, that were cut short.
    pub answers_with_usage: u64,
    pub answers_without_usage: u64,
    pub answers_incomplete: u64,
    /// The cost of the priced tokens in `currency`; `null` without prices.
    pub cost: Option<serde_json::Number>,
    /// The same in millionths of the currency, exactly.
    pub cost_micros: Option<u64>,
    pub currency: Option<String>,
    /// Models with tokens and no price (their tokens are not in `cost`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced_models: Vec<Option<String>>,
}

impl JsonTokens {
    pub fn new(spend: &Spend, prices: Option<&PriceList>) -> JsonTokens {
        let c = &spend.counts;
        JsonTokens {
            input_tokens: c.input,
            output_tokens: c.output,
            cached_input_tokens: c.cache_read,
            answers_with_usage: c.answers.into(),
            answers_without_usage: c.unknown.into(),
            answers_incomplete: c.incomplete.into(),
            cost: spend.cost.and_then(|micros| {
                let amount: f64 = format_amount(micros).parse().ok()?;
                serde_json::Number::from_f64(amount)
            }),
            cost_micros: spend.cost,
            currency: prices.map(|p| p.currency().to_owned()),
            unpriced_models: spend.unpriced.clone(),
        }
    }
}

/// One line of `usage --by model --json`.
#[derive(serde::Serialize)]
pub struct JsonModel<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// As the answers named it; `null`: they named none.
    pub model: Option<&'a str>,
    #[serde(flatten)]
    pub tokens: JsonTokens,
}

/// `usage --by model --json`: one object per key and model with tokens.
pub fn by_model_json(rows: &[(&KeyRecord, PerModel)], prices: Option<&PriceList>) -> String {
    let items: Vec<JsonModel> = rows
        .iter()
        .flat_map(|(record, per_model)| {
            per_model.iter().map(move |(model, counts)| JsonModel {
                id: record.id.as_str(),
                name: &record.name,
                model: model.as_deref(),
                tokens: JsonTokens::new(&Spend::of(&[(model.clone(), *counts)], prices), prices),
            })
        })
        .collect();
    super::output::escape_for_terminal(&serde_json::to_string_pretty(&items).expect("JSON of plain values")) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::prices::Price;

    fn counts(input: u64, output: u64) -> TokenCounts {
        TokenCounts {
            input,
            output,
            answers: 1,
            ..TokenCounts::default()
        }
    }

    fn list() -> PriceList {
        let mut list = PriceList::new("USD").unwrap();
        let price = Price {
            input: 150_000,
            output: 600_000,
            cached_input: None,
        };
        list.add("gpt-4o-mini*", price).unwrap();
        list
    }

    #[test]
    fn spend_prices_what_has_a_price_and_names_what_has_none() {
        let per_model = vec![
            (None, counts(5, 5)),
            (Some("gpt-4o-mini".to_owned()), counts(1_000_000, 1_000_000)),
        ];
        let spend = Spend::of(&per_model, Some(&list()));
        assert_eq!(spend.counts.input, 1_000_005);
        assert_eq!(spend.cost, Some(750_000));
        assert_eq!(spend.unpriced, vec![None]);
        let unpriced = Spend::of(&per_model, None);
        assert_eq!((unpriced.cost, unpriced.unpriced.len()), (None, 0));
    }

    #[test]
    fn the_json_cost_is_the_exact_decimal() {
        let spend = Spend::of(
            &[(Some("gpt-4o-mini".to_owned()), counts(1_000_000, 500_000))],
            Some(&list()),
        );
        let json = serde_json::to_value(JsonTokens::new(&spend, Some(&list()))).unwrap();
        assert_eq!(json["cost"], serde_json::json!(0.45));
        assert_eq!(json["cost_micros"], 450_000);
        assert_eq!(json["currency"], "USD");
        assert_eq!(json["input_tokens"], 1_000_000);
        assert!(json.get("unpriced_models").is_none());
    }

    #[test]
    fn a_row_with_nothing_priced_shows_a_dash() {
        let spend = Spend::of(&[(Some("claude".to_owned()), counts(3, 4))], Some(&list()));
        assert_eq!(spend.cost_cell(), "-");
        let priced = Spend::of(&[(Some("gpt-4o-mini".to_owned()), counts(3, 4))], Some(&list()));
        // 3 × 0.15 + 4 × 0.60 = 2.85 millionths: rounded once, to 3.
        assert_eq!(priced.cost_cell(), "0.000003");
    }
}
