//! The config file's `[prices]` table: the currency and, per model glob,
//! the prices per million tokens, read into a
//! [`PriceList`](crate::domain::prices::PriceList). Every mistake names its
//! line and key, like the rest of the file; amounts are read from their
//! decimal text, never through a float.
//!
//! ```toml
//! [prices]
//! currency = "USD"
//!
//! [prices."gpt-4o-mini*"]
//! input_per_million = 0.15
//! output_per_million = 0.60
//! cached_input_per_million = 0.075   # optional
//! ```

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::domain::prices::{Price, PriceList, parse_amount};

/// The keys of one model glob's table.
const PRICE_KEYS: [&str; 3] = ["input_per_million", "output_per_million", "cached_input_per_million"];

/// A mistake in `[prices]`: where, and what.
pub struct PricesError {
    pub span: Range<usize>,
    pub message: String,
}

fn at(span: Range<usize>, message: String) -> PricesError {
    PricesError { span, message }
}

/// The `[prices]` table of `text` (already known to be valid TOML), or
/// `None` when the file has none.
pub fn parse(text: &str) -> Result<Option<(PriceList, Range<usize>)>, PricesError> {
    let Ok(root) = DeTable::parse(text) else {
        return Ok(None); // reported by the main parse
    };
    let Some((key, value)) = root.get_ref().iter().find(|(k, _)| k.get_ref() == "prices") else {
        return Ok(None);
    };
    let DeValue::Table(table) = value.get_ref() else {
        return Err(at(value.span(), tr!("config-prices-not-a-table")));
    };
    let currency = match table.iter().find(|(k, _)| k.get_ref() == "currency") {
        Some((_, value)) => string(value, "currency")?,
        None => return Err(at(key.span(), tr!("config-prices-no-currency"))),
    };
    let mut list = PriceList::new(currency.get_ref()).map_err(|_| {
        at(
            currency.span(),
            tr!("config-prices-bad-currency", currency = currency.get_ref().clone()),
        )
    })?;
    for (glob, value) in table.iter().filter(|(k, _)| k.get_ref() != "currency") {
        let DeValue::Table(prices) = value.get_ref() else {
            return Err(at(
                glob.span(),
                tr!("config-prices-model-not-a-table", glob = glob.get_ref().to_string()),
            ));
        };
        let price = price(glob, prices)?;
        list.add(glob.get_ref(), price).map_err(|_| {
            at(
                glob.span(),
                tr!("config-prices-bad-glob", glob = glob.get_ref().to_string()),
            )
        })?;
    }
    Ok(Some((list, key.span())))
}

/// One glob's table: both prices required, the cached one optional, no
/// other key.
fn price(glob: &Spanned<toml::de::DeString<'_>>, table: &DeTable<'_>) -> Result<Price, PricesError> {
    for (key, _) in table.iter() {
        if !PRICE_KEYS.contains(&key.get_ref().as_ref()) {
            let keys = PRICE_KEYS.map(|k| format!("`{k}`")).join(", ");
            return Err(at(
                key.span(),
                tr!(
                    "config-prices-unknown-key",
                    key = key.get_ref().to_string(),
                    keys = keys
                ),
            ));
        }
    }
    let amount = |name: &str| -> Result<Option<u64>, PricesError> {
        let Some((_, value)) = table.iter().find(|(k, _)| k.get_ref() == name) else {
            return Ok(None);
        };
        let text = match value.get_ref() {
            DeValue::Integer(n) if n.radix() == 10 => n.as_str().to_owned(),
            DeValue::Float(f) => f.as_str().to_owned(),
            DeValue::String(s) => s.to_string(),
            _ => String::new(),
        };
        parse_amount(&text)
            .map(Some)
            .map_err(|_| at(value.span(), tr!("config-prices-bad-amount", key = name.to_owned())))
    };
    let required = |name: &str| {
        amount(name)?.ok_or_else(|| {
            at(
                glob.span(),
                tr!(
                    "config-prices-missing",
                    glob = glob.get_ref().to_string(),
                    key = name.to_owned()
                ),
            )
        })
    };
    Ok(Price {
        input: required("input_per_million")?,
        output: required("output_per_million")?,
        cached_input: amount("cached_input_per_million")?,
    })
}

fn string(value: &Spanned<DeValue<'_>>, key: &str) -> Result<Spanned<String>, PricesError> {
    match value.get_ref() {
        DeValue::String(s) => Ok(Spanned::new(value.span(), s.to_string())),
        _ => Err(at(
            value.span(),
            tr!("config-prices-not-a-string", key = key.to_owned()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(text: &str) -> Result<Option<PriceList>, String> {
        parse(text)
            .map(|found| found.map(|(list, _)| list))
            .map_err(|e| e.message)
    }

    #[test]
    fn a_price_table_is_read_exactly() {
        let list = prices(
            "[prices]\ncurrency = \"USD\"\n[prices.\"gpt-4o-mini*\"]\ninput_per_million = 0.15\n\
             output_per_million = 0.60\ncached_input_per_million = \"0.075\"\n[prices.\"*\"]\n\
             input_per_million = 1\noutput_per_million = 2\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(list.currency(), "USD");
        let mini = list.price_of(Some("gpt-4o-mini")).unwrap();
        assert_eq!(
            (mini.input, mini.output, mini.cached_input),
            (150_000, 600_000, Some(75_000))
        );
        assert_eq!(list.price_of(Some("other")).unwrap().output, 2_000_000);
    }

    #[test]
    fn a_file_without_prices_has_none() {
        assert_eq!(prices("db = \"x\"\n"), Ok(None));
    }

    #[test]
    fn mistakes_are_named() {
        crate::i18n::with_lang(crate::i18n::Lang::En, || {
            let err = prices("[prices]\n[prices.m]\ninput_per_million = 1\noutput_per_million = 1\n").unwrap_err();
            assert!(err.contains("currency"), "{err}");
            let err = prices("[prices]\ncurrency = \"USD\"\n[prices.m]\ninput_per_milion = 1\n").unwrap_err();
            assert!(
                err.contains("input_per_milion") && err.contains("input_per_million"),
                "{err}"
            );
            let err =
                prices("[prices]\ncurrency = \"USD\"\n[prices.m]\ninput_per_million = -1\noutput_per_million = 1\n")
                    .unwrap_err();
            assert!(err.contains("input_per_million"), "{err}");
            let err = prices("[prices]\ncurrency = \"USD\"\n[prices.m]\ninput_per_million = 1\n").unwrap_err();
            assert!(err.contains("output_per_million"), "{err}");
            let err = prices("[prices]\ncurrency = \"USD\"\nm = 3\n").unwrap_err();
            assert!(err.contains('m'), "{err}");
            let err = prices(
                "[prices]\ncurrency = \"USD\"\n[prices.\"gpt-[\"]\ninput_per_million = 1\noutput_per_million = 1\n",
            )
            .unwrap_err();
            assert!(err.contains("gpt-["), "{err}");
        });
    }
}
