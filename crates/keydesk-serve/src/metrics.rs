//! `/metrics`, in the Prometheus text format via `prometheus-client`.
//!
//! Labels are a fixed handful (the result, where the key was found, why a
//! key's policy refused a request, a token's direction), never a
//! key or its ID: a label per key would grow without bound with the number
//! of keys, and would put key IDs in every monitoring system. The counters
//! each request touches are looked up once, here, so the hot path is one
//! atomic add per counter.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use super::extract::Source;
use keydesk_core::domain::policy::Reason;

/// How a check ended; a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Missing,
    Invalid,
    Conflicting,
    Unavailable,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Allowed,
        Outcome::Missing,
        Outcome::Invalid,
        Outcome::Conflicting,
        Outcome::Unavailable,
    ];

    /// Why a request was not let through, for the access log.
    pub fn reason(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Missing => "missing_key",
            Outcome::Invalid => "invalid_key",
            Outcome::Conflicting => "conflicting_keys",
            Outcome::Unavailable => "unavailable",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Missing => "refused_missing",
            Outcome::Invalid => "refused_invalid",
            Outcome::Conflicting => "refused_conflicting",
            Outcome::Unavailable => "unavailable",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabel {
    direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UsageLabel {
    usage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: &'static str,
}

/// Every metric the server keeps.
pub struct Metrics {
    registry: Registry,
    by_outcome: [Counter; 5],
    by_source: [Counter; 5],
    /// Requests of verified keys refused by their policy, by [`Reason::ALL`].
    refusals: [Counter; 6],
    latency: Histogram,
    pub index_keys: Gauge,
    pub index_age: Gauge<f64, AtomicU64>,
    pub refresh_errors: Counter,
    pub upstream_errors: Counter,
    /// Access log lines dropped because the writer could not keep up.
    pub access_log_dropped: Counter,
    /// Tokens of relayed answers: input, output.
    tokens: [Counter; 2],
    /// Answers counted for tokens: usage reported, not reported, and (of
    /// either) cut short.
    token_answers: [Counter; 3],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("keydesk");
        let outcomes = Family::<ResultLabel, Counter>::default();
        let sources = Family::<SourceLabel, Counter>::default();
        let reasons = Family::<ReasonLabel, Counter>::default();
        let refusals = Reason::ALL.map(|r| reasons.get_or_create(&ReasonLabel { reason: r.as_str() }).clone());
        let by_outcome = Outcome::ALL.map(|o| outcomes.get_or_create(&ResultLabel { result: o.label() }).clone());
        let directions = Family::<DirectionLabel, Counter>::default();
        let tokens =
            ["input", "output"].map(|direction| directions.get_or_create(&DirectionLabel { direction }).clone());
        let usages = Family::<UsageLabel, Counter>::default();
        let token_answers =
            ["known", "unknown", "incomplete"].map(|usage| usages.get_or_create(&UsageLabel { usage }).clone());
        let by_source = ["authorization", "x-api-key", "x-goog-api-key", "query", "none"]
            .map(|source| sources.get_or_create(&SourceLabel { source }).clone());
        // 10 µs to about 2.6 s: checks take microseconds, proxied requests longer.
        let latency = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
            1e-5, 4.0, 10,
        ));
        let metrics = Metrics {
            by_outcome,
            by_source,
            refusals,
            latency: latency.clone(),
            index_keys: Gauge::default(),
            index_age: Gauge::default(),
            refresh_errors: Counter::default(),
            upstream_errors: Counter::default(),
            access_log_dropped: Counter::default(),
            tokens,
            token_answers,
            registry: Registry::default(),
        };
        registry.register("requests", "Key checks by result", outcomes);
        registry.register("key_source", "Key checks by where the key was found", sources);
        registry.register(
            "refusals",
            "Requests of valid keys refused by the key's policy, by reason",
            reasons,
        );
        registry.register("check_duration_seconds", "Time to answer a key check", latency);
        registry.register(
            "index_keys",
            "Live keys in the in-memory index",
            metrics.index_keys.clone(),
        );
        registry.register(
            "index_age_seconds",
            "Time since the index was last confirmed current with the database",
            metrics.index_age.clone(),
        );
        registry.register(
            "index_refresh_errors",
            "Polls of the database that failed",
            metrics.refresh_errors.clone(),
        );
        registry.register(
            "upstream_errors",
            "Proxied requests the upstream did not answer",
            metrics.upstream_errors.clone(),
        );
        registry.register(
            "access_log_dropped",
            "Access log lines dropped because the disk could not keep up",
            metrics.access_log_dropped.clone(),
        );
        registry.register(
            "tokens",
            "Tokens the upstream reported in relayed answers, by direction",
            directions,
        );
        registry.register(
            "token_answers",
            "Relayed answers counted for tokens: whether they reported usage, and those cut short",
            usages,
        );
        Metrics { registry, ..metrics }
    }

    pub fn record(&self, outcome: Outcome, source: Option<Source>, seconds: f64) {
        let outcome_index = Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        self.by_outcome[outcome_index].inc();
        let source_index = match source {
            Some(Source::Authorization) => 0,
            Some(Source::XApiKey) => 1,
            Some(Source::XGoogApiKey) => 2,
            Some(Source::Query) => 3,
            None => 4,
        };
        self.by_source[source_index].inc();
        self.latency.observe(seconds);
    }

    /// Counts a request refused by its key's policy.
    pub fn refused(&self, reason: Reason) {
        let index = Reason::ALL.iter().position(|r| *r == reason).unwrap_or(0);
        self.refusals[index].inc();
    }

    /// Counts one relayed answer's tokens.
    pub fn tokens_counted(&self, usage: &keydesk_core::domain::TokenUsage) {
        self.tokens[0].inc_by(usage.input);
        self.tokens[1].inc_by(usage.output);
        self.token_answers[if usage.known { 0 } else { 1 }].inc();
        if !usage.complete {
            self.token_answers[2].inc();
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_results_and_sources_but_no_key() {
        let metrics = Metrics::new();
        metrics.record(Outcome::Allowed, Some(Source::XApiKey), 0.0001);
        metrics.record(Outcome::Invalid, None, 0.0001);
        let text = metrics.render();
        assert!(text.contains("keydesk_requests_total{result=\"allowed\"} 1"), "{text}");
        assert!(
            text.contains("keydesk_requests_total{result=\"refused_invalid\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("keydesk_key_source_total{source=\"x-api-key\"} 1"),
            "{text}"
        );
        assert!(text.contains("keydesk_check_duration_seconds_count 2"), "{text}");
        assert!(text.contains("keydesk_index_age_seconds"), "{text}");
        assert!(text.contains("keydesk_refusals_total{reason=\"model\"} 0"), "{text}");
    }

    #[test]
    fn tokens_are_counted_by_direction_and_answers_by_usage() {
        use keydesk_core::domain::TokenUsage;
        let metrics = Metrics::new();
        let seen = TokenUsage {
            input: 12,
            output: 30,
            known: true,
            complete: true,
            ..TokenUsage::default()
        };
        metrics.tokens_counted(&seen);
        metrics.tokens_counted(&TokenUsage::default());
        let text = metrics.render();
        assert!(text.contains("keydesk_tokens_total{direction=\"input\"} 12"), "{text}");
        assert!(text.contains("keydesk_tokens_total{direction=\"output\"} 30"), "{text}");
        assert!(
            text.contains("keydesk_token_answers_total{usage=\"known\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("keydesk_token_answers_total{usage=\"unknown\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("keydesk_token_answers_total{usage=\"incomplete\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn refusals_are_counted_by_reason() {
        let metrics = Metrics::new();
        metrics.refused(Reason::Rate);
        metrics.refused(Reason::Rate);
        metrics.refused(Reason::Address);
        let text = metrics.render();
        assert!(text.contains("keydesk_refusals_total{reason=\"rate\"} 2"), "{text}");
        assert!(text.contains("keydesk_refusals_total{reason=\"address\"} 1"), "{text}");
        assert!(
            text.contains("keydesk_refusals_total{reason=\"concurrency\"} 0"),
            "{text}"
        );
    }
}
