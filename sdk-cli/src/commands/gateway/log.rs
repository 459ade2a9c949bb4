//! `tracing` events of the gateway on stderr, without a subscriber crate: one line per
//! event, `LEVEL target: message key=value ...`.

use clap::ValueEnum;

/// `--log-level`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// Prints `tracing` events on stderr as `LEVEL target: message key=value ...`: the
/// gateway's at the chosen level, other crates' (HTTP stack) at WARN and above. Spans are
/// not tracked (the gateway records none that matter here).
pub(super) struct StderrLog {
    max: tracing::Level,
    enabled: bool,
}

impl StderrLog {
    pub(super) fn install(level: LogLevel) {
        let (max, enabled) = match level {
            LogLevel::Off => (tracing::Level::ERROR, false),
            LogLevel::Error => (tracing::Level::ERROR, true),
            LogLevel::Warn => (tracing::Level::WARN, true),
            LogLevel::Info => (tracing::Level::INFO, true),
            LogLevel::Debug => (tracing::Level::DEBUG, true),
            LogLevel::Trace => (tracing::Level::TRACE, true),
        };
        // Fails only if a subscriber is already set, which nothing else does.
        let _ = tracing::subscriber::set_global_default(Self { max, enabled });
    }

    fn max_for(&self, target: &str) -> tracing::Level {
        if target.starts_with("paysign") {
            self.max
        } else {
            self.max.min(tracing::Level::WARN)
        }
    }
}

impl tracing::Subscriber for StderrLog {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        // `Level` orders by verbosity: ERROR < WARN < ... < TRACE.
        self.enabled && *metadata.level() <= self.max_for(metadata.target())
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(if self.enabled {
            tracing::level_filters::LevelFilter::from_level(self.max)
        } else {
            tracing::level_filters::LevelFilter::OFF
        })
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let metadata = event.metadata();
        let mut fields = LogFields::default();
        event.record(&mut fields);
        eprintln!(
            "{:>5} {}: {}{}",
            metadata.level(),
            metadata.target(),
            fields.message,
            fields.rest
        );
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[derive(Default)]
struct LogFields {
    message: String,
    rest: String,
}

impl tracing::field::Visit for LogFields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.rest.push_str(&format!(" {}={value}", field.name()));
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message.push_str(&format!("{value:?}"));
        } else {
            self.rest.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
}
