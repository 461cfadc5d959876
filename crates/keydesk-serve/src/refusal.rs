//! The answers to requests a key's policy refuses, and the rate headers of
//! the requests it lets through. One place, so that proxy mode and
//! forward-auth answer alike and the gateway configurations that copy these
//! headers (`keydesk gateway`) can rely on them.
//!
//! Bodies are OpenAI's error shape, so OpenAI-compatible SDKs raise their
//! own errors: 429 `rate_limit_exceeded` (the SDKs back off, reading
//! `Retry-After`), 403 `permission_denied`. Messages name the rule and, at
//! most, what the client itself sent (shortened, printable ASCII only, so
//! it is safe in a header and in a log); never the key, nor other keys.
//!
//! nginx's `auth_request` turns every status except 2xx, 401 and 403 into
//! 500 and drops the body, so a gateway that says `X-Keydesk-Gateway: nginx`
//! gets limit refusals as 403 with the real status in `X-Keydesk-Status`,
//! and every refusal's body in `X-Keydesk-Error`, for its `error_page` to
//! send on.

use std::time::Duration;

use hyper::body::Bytes;
use hyper::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use hyper::http::{HeaderMap, Response, StatusCode};

use super::budgets::{TokenDenial, TokenQuota};
use super::response::{Body, X_KEYDESK_REFUSAL, json_answer};
use keydesk_core::domain::budget::Period;
use keydesk_core::domain::policy::{Reason, Rule, Window, money_text};
use keydesk_core::limit::{Denial, Quota};

pub const X_KEYDESK_STATUS: HeaderName = HeaderName::from_static("x-keydesk-status");
pub const X_KEYDESK_ERROR: HeaderName = HeaderName::from_static("x-keydesk-error");
pub const X_KEYDESK_GATEWAY: HeaderName = HeaderName::from_static("x-keydesk-gateway");
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit-requests");
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining-requests");
const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset-requests");
const X_RATELIMIT_LIMIT_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-limit-tokens");
const X_RATELIMIT_REMAINING_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-remaining-tokens");
const X_RATELIMIT_RESET_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-reset-tokens");

/// The most characters of client-supplied text a message repeats.
const SHOWN_CHARS: usize = 64;

/// Why a verified key's request is refused, worded for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub message: String,
    /// For limits: when to try again, and the rule's N.
    pub denial: Option<Denial>,
    /// For token rules (`tpm`, budgets): when to try again, and the rule's N.
    pub tokens: Option<TokenDenial>,
}

impl Refusal {
    /// A scope refusal (403).
    pub fn scope(reason: Reason, message: String) -> Refusal {
        Refusal {
            reason,
            message,
            denial: None,
            tokens: None,
        }
    }

    /// A token rule's refusal (429): `rate_limit_exceeded` for `tpm`,
    /// `insufficient_quota` for a spent budget. Counted as rate refusals.
    pub fn tokens(denial: TokenDenial) -> Refusal {
        let period = match denial.period {
            Some(Period::Day) => "today",
            Some(Period::Week) => "this week",
            Some(Period::Month) => "this month",
            Some(Period::Life) | None => "in its life",
        };
        let message = match denial.rule {
            Rule::SpendLimit if denial.unpriced => {
                "this key has a spend limit and this gateway has no prices to judge it by ([prices] in its config file)"
                    .to_owned()
            }
            Rule::Tpm => format!("this key is over its limit of {} tokens per minute", denial.limit),
            Rule::SpendLimit => format!("this key has spent its limit of {} {period}", money_text(denial.limit)),
            _ => format!("this key has used its budget of {} tokens {period}", denial.limit),
        };
        Refusal {
            reason: Reason::Rate,
            message,
            denial: None,
            tokens: Some(denial),
        }
    }

    /// A limit refusal (429).
    pub fn limit(denial: Denial) -> Refusal {
        let message = match (denial.reason, denial.window) {
            (Reason::Rate, Some(window)) => format!(
                "this key is over its limit of {} requests per {}",
                denial.limit,
                window_name(window)
            ),
            _ => format!("this key has {} requests in flight, its limit", denial.limit),
        };
        Refusal {
            reason: denial.reason,
            message,
            denial: Some(denial),
            tokens: None,
        }
    }

    fn status(&self) -> StatusCode {
        match (self.denial, self.tokens) {
            (None, None) => StatusCode::FORBIDDEN,
            _ => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn body(&self) -> String {
        let kind = match (self.denial, self.tokens) {
            (_, Some(tokens)) if tokens.rule != Rule::Tpm => "insufficient_quota",
            (None, None) => "permission_denied",
            _ => "rate_limit_exceeded",
        };
        let message = serde_json::Value::from(self.message.as_str());
        format!(r#"{{"error":{{"message":{message},"type":"{kind}","code":"{kind}"}}}}"#)
    }

    /// The answer; `nginx` when the request came from nginx's `auth_request`.
    pub fn answer(&self, nginx: bool) -> Response<Body> {
        let status = self.status();
        let body = self.body();
        let sent_status = if nginx { StatusCode::FORBIDDEN } else { status };
        let mut response = json_answer(sent_status, Bytes::from(body.clone()));
        let headers = response.headers_mut();
        let label = match self.tokens {
            Some(tokens) if tokens.rule == Rule::Tpm => "tokens",
            Some(_) => "budget",
            None => self.reason.as_str(),
        };
        headers.insert(X_KEYDESK_REFUSAL, HeaderValue::from_static(label));
        if let Some(tokens) = &self.tokens {
            let seconds = whole_seconds(tokens.retry_after);
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
            if tokens.rule != Rule::SpendLimit {
                headers.insert(X_RATELIMIT_LIMIT_TOKENS, HeaderValue::from(tokens.limit));
                headers.insert(X_RATELIMIT_REMAINING_TOKENS, HeaderValue::from_static("0"));
                if let Ok(value) = HeaderValue::from_str(&go_duration(seconds)) {
                    headers.insert(X_RATELIMIT_RESET_TOKENS, value);
                }
            }
        }
        if let Some(denial) = &self.denial {
            let seconds = whole_seconds(denial.retry_after);
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
            headers.insert(RATELIMIT_LIMIT, HeaderValue::from(denial.limit));
            headers.insert(RATELIMIT_REMAINING, HeaderValue::from_static("0"));
            headers.insert(RATELIMIT_RESET, HeaderValue::from(seconds));
        }
        if nginx {
            headers.insert(X_KEYDESK_STATUS, HeaderValue::from(status.as_u16()));
            // The body holds only printable ASCII (see `shown`), so it is a
            // header value as it is.
            if let Ok(value) = HeaderValue::from_str(&body) {
                headers.insert(X_KEYDESK_ERROR, value);
            }
        }
        response
    }
}

/// Whether a forward-auth request came from nginx's `auth_request`.
pub fn from_nginx(headers: &HeaderMap) -> bool {
    headers
        .get(X_KEYDESK_GATEWAY)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"nginx"))
}

/// OpenAI's rate headers on an allowed answer, from the rate rule closest
/// to refusing. The reset is a duration in Go's form, whole seconds
/// rounded up: `1s`, `59s`, `1m0s`, `24h0m0s`.
pub fn add_quota(headers: &mut HeaderMap, quota: &Quota) {
    headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(quota.limit));
    headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(quota.remaining));
    let reset = go_duration(whole_seconds(quota.reset));
    if let Ok(value) = HeaderValue::from_str(&reset) {
        headers.insert(X_RATELIMIT_RESET, value);
    }
}

/// OpenAI's token headers on an allowed answer, from the token rule
/// closest to refusing (`tpm` or `token-budget`).
pub fn add_token_quota(headers: &mut HeaderMap, quota: &TokenQuota) {
    headers.insert(X_RATELIMIT_LIMIT_TOKENS, HeaderValue::from(quota.limit));
    headers.insert(X_RATELIMIT_REMAINING_TOKENS, HeaderValue::from(quota.remaining));
    let reset = go_duration(whole_seconds(quota.reset));
    if let Ok(value) = HeaderValue::from_str(&reset) {
        headers.insert(X_RATELIMIT_RESET_TOKENS, value);
    }
}

/// Client-supplied text as a message may repeat it: at most
/// [`SHOWN_CHARS`] characters, anything but printable ASCII as `?`.
pub fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .collect();
    if text.chars().nth(SHOWN_CHARS).is_some() {
        out.push_str("...");
    }
    out
}

/// Seconds, rounded up, at least 1: `Retry-After` of 0 would invite an
/// immediate retry that is refused again.
fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    seconds.max(1)
}

fn go_duration(seconds: u64) -> String {
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m{seconds}s"),
        _ => format!("{hours}h{minutes}m{seconds}s"),
    }
}

fn window_name(window: Window) -> &'static str {
    match window {
        Window::Second => "second",
        Window::Minute => "minute",
        Window::Hour => "hour",
        Window::Day => "day",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_denial(retry_after: Duration) -> Denial {
        Denial {
            reason: Reason::Rate,
            window: Some(Window::Minute),
            limit: 60,
            retry_after,
        }
    }

    #[test]
    fn a_rate_refusal_is_429_with_whole_seconds_rounded_up() {
        let answer = Refusal::limit(rate_denial(Duration::from_millis(2_100))).answer(false);
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        let headers = answer.headers();
        assert_eq!(headers[RETRY_AFTER], "3");
        assert_eq!(headers[RATELIMIT_LIMIT], "60");
        assert_eq!(headers[RATELIMIT_REMAINING], "0");
        assert_eq!(headers[RATELIMIT_RESET], "3");
        assert_eq!(headers[X_KEYDESK_REFUSAL], "rate");
        assert!(headers.get(X_KEYDESK_STATUS).is_none());
        let zero = Refusal::limit(rate_denial(Duration::ZERO)).answer(false);
        assert_eq!(zero.headers()[RETRY_AFTER], "1");
    }

    #[test]
    fn nginx_gets_403_with_the_status_and_the_body_in_headers() {
        let refusal = Refusal::limit(rate_denial(Duration::from_secs(5)));
        let answer = refusal.answer(true);
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        assert_eq!(answer.headers()[X_KEYDESK_STATUS], "429");
        let error: serde_json::Value = serde_json::from_slice(answer.headers()[X_KEYDESK_ERROR].as_bytes()).unwrap();
        assert_eq!(error["error"]["type"], "rate_limit_exceeded");
        assert_eq!(
            error["error"]["message"],
            "this key is over its limit of 60 requests per minute"
        );
    }

    #[test]
    fn a_scope_refusal_is_403_permission_denied_without_retry_after() {
        let refusal = Refusal::scope(
            Reason::Model,
            format!("model {} is not allowed for this key", shown("gpt-4o")),
        );
        let answer = refusal.answer(false);
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        assert!(answer.headers().get(RETRY_AFTER).is_none());
        assert_eq!(answer.headers()[X_KEYDESK_REFUSAL], "model");
        let body = refusal.body();
        assert_eq!(
            body,
            r#"{"error":{"message":"model gpt-4o is not allowed for this key","type":"permission_denied","code":"permission_denied"}}"#
        );
    }

    #[test]
    fn a_spent_budget_is_insufficient_quota_and_tpm_a_rate_limit_with_token_headers() {
        let budget = TokenDenial {
            rule: Rule::TokenBudget,
            limit: 5_000,
            period: Some(Period::Day),
            retry_after: Duration::from_millis(3_600_500),
            unpriced: false,
        };
        let refusal = Refusal::tokens(budget);
        let answer = refusal.answer(false);
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        let headers = answer.headers();
        assert_eq!(headers[RETRY_AFTER], "3601");
        assert_eq!(headers[X_RATELIMIT_LIMIT_TOKENS], "5000");
        assert_eq!(headers[X_RATELIMIT_REMAINING_TOKENS], "0");
        assert_eq!(headers[X_RATELIMIT_RESET_TOKENS], "1h0m1s");
        assert_eq!(headers[X_KEYDESK_REFUSAL], "budget");
        assert_eq!(
            refusal.body(),
            r#"{"error":{"message":"this key has used its budget of 5000 tokens today","type":"insufficient_quota","code":"insufficient_quota"}}"#
        );
        let tpm = Refusal::tokens(TokenDenial {
            rule: Rule::Tpm,
            limit: 1_000,
            period: None,
            retry_after: Duration::from_secs(40),
            unpriced: false,
        });
        assert!(tpm.body().contains(r#""code":"rate_limit_exceeded""#));
        assert_eq!(tpm.answer(false).headers()[X_KEYDESK_REFUSAL], "tokens");
        let spend = Refusal::tokens(TokenDenial {
            rule: Rule::SpendLimit,
            limit: 20_500_000,
            period: Some(Period::Month),
            retry_after: Duration::from_secs(40),
            unpriced: false,
        });
        assert!(spend.message.contains("20.5 this month"), "{}", spend.message);
        assert!(spend.answer(false).headers().get(X_RATELIMIT_LIMIT_TOKENS).is_none());
        let mut allowed = HeaderMap::new();
        let quota = TokenQuota {
            limit: 20_000,
            remaining: 19_000,
            reset: Duration::from_secs(59),
        };
        add_token_quota(&mut allowed, &quota);
        assert_eq!(allowed[X_RATELIMIT_REMAINING_TOKENS], "19000");
        assert_eq!(allowed[X_RATELIMIT_RESET_TOKENS], "59s");
    }

    #[test]
    fn client_text_is_shortened_and_printable() {
        assert_eq!(shown("gpt-4o\r\nX-Evil: 1"), "gpt-4o??X-Evil: 1");
        assert_eq!(shown("模型"), "??");
        let long = "m".repeat(100);
        assert_eq!(shown(&long), format!("{}...", "m".repeat(64)));
    }

    #[test]
    fn resets_are_go_durations() {
        assert_eq!(go_duration(1), "1s");
        assert_eq!(go_duration(60), "1m0s");
        assert_eq!(go_duration(3_600), "1h0m0s");
        assert_eq!(go_duration(86_400), "24h0m0s");
        let mut headers = HeaderMap::new();
        let quota = Quota {
            window: Window::Second,
            limit: 5,
            remaining: 4,
            reset: Duration::from_millis(400),
        };
        add_quota(&mut headers, &quota);
        assert_eq!(headers[X_RATELIMIT_LIMIT], "5");
        assert_eq!(headers[X_RATELIMIT_REMAINING], "4");
        assert_eq!(headers[X_RATELIMIT_RESET], "1s");
    }
}
