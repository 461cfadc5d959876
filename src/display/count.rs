//! Large counts shown short for a glance (`1.2M`, `34.5k`): the TUI's token
//! figures, where a pane has no room for `1,234,567`. Exact figures stay in
//! `keydesk usage --json`; this is only for reading at a glance, so it
//! rounds to three significant digits at most.

/// `n` with a k/M/G/T suffix and at most one decimal (`999`, `1k`, `34.5k`,
/// `1.2M`); an exact decimal below 1,000. A value that would round up to
/// 1000 of its unit moves to the next unit (`999,960` is `1M`, not
/// `1000k`).
pub fn compact(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1_000_000_000_000_000, "P"),
        (1_000_000_000_000, "T"),
        (1_000_000_000, "G"),
        (1_000_000, "M"),
        (1_000, "k"),
    ];
    if n < 1_000 {
        return n.to_string();
    }
    // From the smallest unit up, the first whose rounded figure is below 1000.
    let rounded = |scale: u64, unit: u64| (u128::from(n) * u128::from(scale) + u128::from(unit) / 2) / u128::from(unit);
    for &(unit, suffix) in UNITS.iter().rev() {
        // One decimal below 100 of the unit (`34.5k`), none above (`345k`).
        let tenths = rounded(10, unit);
        if tenths < 1_000 {
            return match tenths % 10 {
                0 => format!("{}{suffix}", tenths / 10),
                t => format!("{}.{t}{suffix}", tenths / 10),
            };
        }
        let whole = rounded(1, unit);
        if whole < 1_000 || suffix == "P" {
            return format!("{whole}{suffix}");
        }
    }
    unreachable!("the largest unit always returns")
}

/// An amount in micro-units of a currency to the nearest hundredth
/// (`3.20`, `1234.57`): a cost at a glance; the exact one is in
/// `keydesk usage --json`.
pub fn money(micros: u64) -> String {
    let hundredths = (u128::from(micros) + 5_000) / 10_000;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::{compact, money};

    #[test]
    fn money_is_shown_to_the_nearest_hundredth() {
        assert_eq!(money(3_200_000), "3.20");
        assert_eq!(money(4_999), "0.00");
        assert_eq!(money(5_000), "0.01");
        assert_eq!(money(1_234_565_000), "1234.57");
        assert_eq!(money(0), "0.00");
    }

    #[test]
    fn counts_below_a_thousand_are_exact_and_larger_ones_take_a_suffix() {
        assert_eq!(compact(0), "0");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(1_000), "1k");
        assert_eq!(compact(34_500), "34.5k");
        assert_eq!(compact(34_549), "34.5k");
        assert_eq!(compact(34_550), "34.6k");
        assert_eq!(compact(345_000), "345k");
        assert_eq!(compact(1_200_000), "1.2M");
        assert_eq!(compact(5_000_000), "5M");
        assert_eq!(compact(12_345_678_901), "12.3G");
        assert_eq!(compact(u64::MAX), "18447P");
    }

    #[test]
    fn a_figure_that_rounds_to_a_thousand_moves_to_the_next_unit() {
        assert_eq!(compact(999_949), "1M");
        assert_eq!(compact(999_960), "1M");
        assert_eq!(compact(999_499), "999k");
        assert_eq!(compact(99_960), "100k");
    }
}
