//! What `keydesk serve` tells its operator, through `tracing`: a person at a
//! terminal reads the localized lines alone (`--log-format text`, the
//! default), while a log collector gets one JSON object per line
//! (`--log-format json`) with a timestamp, level, target, the same message,
//! and the values in it (an address, an error) as fields of their own.
//!
//! Nothing is logged per request, so the hot path formats nothing. Values
//! logged are addresses, paths and error texts; never a key, a credential or
//! a database URL.

use std::fmt::{self, Write as _};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// The message alone, in the user's language.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Sends serve's events to stderr in `format`. The first call in a process
/// wins (serve runs once per process; a second subscriber is refused).
pub fn install(format: LogFormat) {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.event_format(MessageOnly).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

/// The text format: the message and nothing else, as serve printed before
/// it logged through `tracing` (the fields are already in the sentence).
struct MessageOnly;

impl<S, N> FormatEvent<S, N> for MessageOnly
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut message = Message::default();
        event.record(&mut message);
        writeln!(writer, "{}", message.0)
    }
}

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

/// Accept errors come in bursts: out of file descriptors, every retry fails
/// the same way until a connection closes. The first is logged, then at most
/// one line per interval, counting the failures it stands for.
pub struct AcceptErrors {
    interval: Duration,
    last_logged: Option<Instant>,
    failures: u64,
}

impl AcceptErrors {
    pub fn new(interval: Duration) -> AcceptErrors {
        AcceptErrors {
            interval,
            last_logged: None,
            failures: 0,
        }
    }

    /// Counts a failed accept and logs it unless a line went out less than
    /// an interval ago.
    pub fn failed(&mut self, error: &std::io::Error) {
        self.failures += 1;
        let now = Instant::now();
        if self
            .last_logged
            .is_some_and(|last| now.duration_since(last) < self.interval)
        {
            return;
        }
        let text = tr!(
            "cli-serve-accept-failed",
            error = error.to_string(),
            failures = self.failures
        );
        tracing::warn!(error = %error, failures = self.failures, "{text}");
        self.last_logged = Some(now);
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_accept_errors_is_one_line_per_interval() {
        let mut errors = AcceptErrors::new(Duration::from_secs(3600));
        let emfile = std::io::Error::from_raw_os_error(libc::EMFILE);
        errors.failed(&emfile);
        assert_eq!(errors.failures, 0, "the first failure is logged at once");
        for _ in 0..1000 {
            errors.failed(&emfile);
        }
        assert_eq!(errors.failures, 1000, "the rest wait for the interval, counted");
    }
}
