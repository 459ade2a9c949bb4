//! The gateway clock (docs/protocol.md §12.8): everything time-dependent reads it.
//!
//! Two modes: `system` (the machine's time plus an offset that `POST /admin/clock` moves)
//! and `manual` (frozen; moves only when told). Tests run in manual mode, so retry and
//! poll schedules of hours run in milliseconds. Every change wakes the scheduler
//! (`Clock::changed`), which then runs all work that became due.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// How the gateway clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// System time plus an offset (the default).
    #[default]
    System,
    /// Frozen; moves only through `POST /admin/clock` or [`Clock::advance`].
    Manual,
}

impl ClockMode {
    /// `system` or `manual`.
    pub fn name(self) -> &'static str {
        match self {
            ClockMode::System => "system",
            ClockMode::Manual => "manual",
        }
    }
}

/// The latest time the clock may show: 9999-12-31T23:29:59+08:00, the last instant whose
/// date *and business day* the gateway can write (it writes +08:00 dates, with four-digit
/// years). From the 23:30 cutoff on, an instant belongs to the next day's business day
/// (docs/protocol.md §10.1), and 9999-12-31 has none: a payment booked at
/// 23:59:59 (the limit before) answered `500 INTERNAL_ERROR` (found by
/// `tests/admin_property.rs`; `statements::tests` ties this to the cutoff).
pub const LATEST: i64 = 253_402_270_199;

/// A refused clock change; the clock is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// The change would take the clock past [`LATEST`] (or overflow).
    #[error(
        "the clock cannot go past {LATEST} (9999-12-31T23:29:59+08:00): now {now}, requested {requested}"
    )]
    TooLate {
        /// The current time.
        now: i64,
        /// The requested time, saturated at `i64::MAX`.
        requested: i64,
    },
    /// The clock never moves backwards.
    #[error("the clock cannot move backwards (now {now}, requested {requested})")]
    Backwards {
        /// The current time.
        now: i64,
        /// The requested time.
        requested: i64,
    },
}

#[derive(Debug)]
struct ClockState {
    mode: ClockMode,
    /// Seconds added to system time (system mode).
    offset: i64,
    /// The frozen time (manual mode).
    manual_now: i64,
}

/// The gateway clock, in Unix seconds.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<ClockState>,
    changed: Notify,
}

impl Clock {
    /// A clock in `mode` starting at `start` (default: the system time).
    pub fn new(mode: ClockMode, start: Option<i64>) -> Self {
        let system = system_now();
        let start = start.unwrap_or(system);
        Self {
            state: Mutex::new(ClockState {
                mode,
                offset: start - system,
                manual_now: start,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // The state is two integers: a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current gateway time, Unix seconds.
    pub fn now(&self) -> i64 {
        let s = self.lock();
        match s.mode {
            // The offset was set within [0, LATEST] of an earlier system time.
            ClockMode::System => system_now().saturating_add(s.offset),
            ClockMode::Manual => s.manual_now,
        }
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.lock().mode
    }

    /// Moves the clock forward by `secs`; returns the new time. Refused, with the clock
    /// unchanged, past [`LATEST`].
    pub fn advance(&self, secs: u64) -> Result<i64, ClockError> {
        self.move_to(|now| {
            i64::try_from(secs)
                .ok()
                .and_then(|secs| now.checked_add(secs))
                .unwrap_or(i64::MAX)
        })
    }

    /// Sets the clock to `unix`, which must be neither earlier than now nor past
    /// [`LATEST`]; a refused change leaves the clock as it was.
    pub fn set(&self, unix: i64) -> Result<i64, ClockError> {
        self.move_to(|_| unix)
    }

    /// Moves the clock to `target(now)`, reading now and writing the new time under one
    /// lock (a system-mode second ticking in between cannot make `advance(0)` "backwards").
    fn move_to(&self, target: impl FnOnce(i64) -> i64) -> Result<i64, ClockError> {
        let unix = {
            let mut s = self.lock();
            let system = system_now();
            let now = match s.mode {
                ClockMode::System => system.saturating_add(s.offset),
                ClockMode::Manual => s.manual_now,
            };
            let unix = target(now);
            if unix < now {
                return Err(ClockError::Backwards {
                    now,
                    requested: unix,
                });
            }
            if unix > LATEST {
                return Err(ClockError::TooLate {
                    now,
                    requested: unix,
                });
            }
            // `unix` and `system` both lie in [0, LATEST]: the difference cannot overflow.
            s.offset = unix - system;
            s.manual_now = unix;
            unix
        };
        self.changed.notify_waiters();
        Ok(unix)
    }

    /// The persisted form: `(mode, value)` where value is the offset (system) or the
    /// frozen time (manual).
    pub(crate) fn snapshot(&self) -> (ClockMode, i64) {
        let s = self.lock();
        match s.mode {
            ClockMode::System => (ClockMode::System, s.offset),
            ClockMode::Manual => (ClockMode::Manual, s.manual_now),
        }
    }

    /// Woken (all waiters) whenever the clock is moved.
    pub(crate) fn changed(&self) -> &Notify {
        &self.changed
    }
}

/// The machine's time in Unix seconds.
fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_never_backwards() {
        let c = Clock::new(ClockMode::Manual, Some(1_795_140_000));
        assert_eq!(c.now(), 1_795_140_000);
        assert_eq!(c.advance(15), Ok(1_795_140_015));
        assert!(c.set(1_795_140_000).is_err());
        assert_eq!(c.set(1_795_150_000).unwrap(), 1_795_150_000);
        assert_eq!(c.now(), 1_795_150_000);
    }

    #[test]
    fn system_clock_keeps_its_offset() {
        let c = Clock::new(ClockMode::System, Some(1_795_140_000));
        let now = c.now();
        assert!((1_795_140_000..1_795_140_005).contains(&now));
        c.advance(100).unwrap();
        assert!(c.now() >= 1_795_140_100);
    }

    #[test]
    fn a_change_past_the_last_expressible_time_is_refused_and_changes_nothing() {
        for mode in [ClockMode::Manual, ClockMode::System] {
            let c = Clock::new(mode, Some(1_795_140_000));
            let before = c.snapshot();
            for refused in [
                c.set(LATEST + 1),
                c.set(i64::MAX),
                c.advance(u64::MAX),
                c.advance(i64::MAX as u64),
                c.advance((LATEST - 1_795_140_000 + 10) as u64),
            ] {
                assert!(
                    matches!(refused, Err(ClockError::TooLate { .. })),
                    "{mode:?}: {refused:?}"
                );
                assert_eq!(
                    c.snapshot(),
                    before,
                    "{mode:?}: a refused change moved the clock"
                );
            }
            // The last expressible second itself is allowed, and nothing wraps after it.
            assert_eq!(c.set(LATEST), Ok(LATEST));
            assert!(c.now() >= LATEST && c.now() > 0);
            assert!(c.advance(1).is_err(), "{mode:?}");
        }
    }
}
