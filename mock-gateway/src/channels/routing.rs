//! The router (docs/collection.md §4): which channels a money movement may take, and in
//! which order they are tried. Pure: the caller reads the channels, their use today and
//! their recent calls, and records the [`Decision`].
//!
//! A channel is left out while in its maintenance window or when the amount would pass
//! its daily limit. The others are tried in this order: the merchant's pinned channel if it
//! is healthy; then healthy channels before unhealthy ones, cheaper before dearer, the
//! higher rolling success rate first. A channel is healthy while the share of its last
//! [`WINDOW_CALLS`] calls of the last [`WINDOW_SECS`] that it accepted is at least
//! [`HEALTHY_BPS`]; with fewer than [`MIN_CALLS`] such calls its configured rate stands in.

use serde::Serialize;

use super::store::ChannelRow;

/// The rolling window of the success rate: calls at most this old…
pub(crate) const WINDOW_SECS: i64 = 600;
/// …and at most this many of the latest.
pub(crate) const WINDOW_CALLS: i64 = 20;
/// Fewer calls in the window than this say nothing yet: the configured rate stands in.
pub(crate) const MIN_CALLS: i64 = 5;
/// A channel under this rolling success rate (basis points) is tried only after the
/// healthy ones.
pub(crate) const HEALTHY_BPS: i64 = 8_000;

/// What the router knows of one channel at the moment of a decision.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) channel: ChannelRow,
    /// What it carried today (fen) that counts against its daily limit.
    pub(crate) used_today: i64,
    /// `(accepted, all)` of its calls in the rolling window.
    pub(crate) recent: (i64, i64),
}

/// What a movement needs of a channel besides health and limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Movement {
    /// Money in (a deduction): no position needed.
    Collection,
    /// Money out (a payout): the channel's position must cover the amount.
    Payout,
}

/// The router's view of one channel, with the reason it was ranked as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Assessment {
    pub(crate) channel_id: String,
    /// Whether it may be tried at all.
    pub(crate) eligible: bool,
    /// `pinned`, `healthy`, `unhealthy`, `maintenance`, `daily_limit`, `position`.
    pub(crate) reason: &'static str,
    /// The rolling success rate used, basis points.
    pub(crate) success_rate_bps: i64,
    /// Whether that rate came from calls (`false`: too few, the configured rate).
    pub(crate) measured: bool,
    pub(crate) fee_bps: i64,
}

/// One try of a channel during a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Try {
    pub(crate) channel_id: String,
    /// `ACCEPTED`, `CONNECT_FAILED` (an outage) or `SYSTEM_ERROR`.
    pub(crate) result: &'static str,
}

/// A routing decision as recorded: every channel's assessment in the order tried, and the
/// tries made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Decision {
    pub(crate) amount: i64,
    pub(crate) pinned: Option<String>,
    pub(crate) ranking: Vec<Assessment>,
    pub(crate) tries: Vec<Try>,
}

/// `HH:MM` → minutes after midnight.
pub(crate) fn minutes(hh_mm: &str) -> Option<u32> {
    let (h, m) = hh_mm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Whether `minute` (after midnight, +08:00) is inside the window `[start, end)`, which
/// wraps past midnight when `end` < `start`.
fn in_window(channel: &ChannelRow, minute: u32) -> bool {
    let (Some(start), Some(end)) = (
        channel.maintenance_start.as_deref().and_then(minutes),
        channel.maintenance_end.as_deref().and_then(minutes),
    ) else {
        return false;
    };
    if start <= end {
        (start..end).contains(&minute)
    } else {
        minute >= start || minute < end
    }
}

/// Ranks `candidates` for a movement of `amount` fen at `minute` after midnight (+08:00):
/// the eligible channels first, in the order to try them, then the others.
pub(crate) fn rank(
    candidates: &[Candidate],
    movement: Movement,
    amount: i64,
    pinned: Option<&str>,
    minute: u32,
) -> Vec<Assessment> {
    let mut ranked: Vec<(u8, Assessment)> = candidates
        .iter()
        .map(|c| {
            let (accepted, calls) = c.recent;
            let measured = calls >= MIN_CALLS;
            let rate = if measured {
                accepted * 10_000 / calls
            } else {
                c.channel.success_rate_bps
            };
            let healthy = rate >= HEALTHY_BPS;
            let (tier, eligible, reason) = if in_window(&c.channel, minute) {
                (9, false, "maintenance")
            } else if c.used_today.saturating_add(amount) > c.channel.daily_limit {
                (9, false, "daily_limit")
            } else if movement == Movement::Payout && c.channel.position < amount {
                (9, false, "position")
            } else if pinned == Some(c.channel.channel_id.as_str()) && healthy {
                (0, true, "pinned")
            } else if healthy {
                (1, true, "healthy")
            } else {
                (2, true, "unhealthy")
            };
            (
                tier,
                Assessment {
                    channel_id: c.channel.channel_id.clone(),
                    eligible,
                    reason,
                    success_rate_bps: rate,
                    measured,
                    fee_bps: c.channel.fee_bps,
                },
            )
        })
        .collect();
    ranked.sort_by(|(ta, a), (tb, b)| {
        ta.cmp(tb)
            .then(a.fee_bps.cmp(&b.fee_bps))
            .then(b.success_rate_bps.cmp(&a.success_rate_bps))
            .then(a.channel_id.cmp(&b.channel_id))
    });
    ranked.into_iter().map(|(_, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: &str, rate: i64, fee: i64) -> ChannelRow {
        ChannelRow {
            channel_id: id.into(),
            name: id.into(),
            success_rate_bps: rate,
            fee_bps: fee,
            daily_limit: 1_000_000,
            maintenance_start: None,
            maintenance_end: None,
            outage: false,
            latency_ms: 100,
            position: 1_000,
        }
    }

    fn candidate(c: ChannelRow, used_today: i64, recent: (i64, i64)) -> Candidate {
        Candidate {
            channel: c,
            used_today,
            recent,
        }
    }

    fn order(ranking: &[Assessment]) -> Vec<(&str, &str)> {
        ranking
            .iter()
            .map(|a| (a.channel_id.as_str(), a.reason))
            .collect()
    }

    #[test]
    fn cheaper_healthy_channels_come_first_and_a_healthy_pin_first_of_all() {
        let cands = [
            candidate(channel("B", 9_900, 35), 0, (0, 0)),
            candidate(channel("A", 9_950, 20), 0, (0, 0)),
        ];
        assert_eq!(
            order(&rank(&cands, Movement::Collection, 100, None, 600)),
            [("A", "healthy"), ("B", "healthy")]
        );
        assert_eq!(
            order(&rank(&cands, Movement::Collection, 100, Some("B"), 600)),
            [("B", "pinned"), ("A", "healthy")]
        );
    }

    #[test]
    fn a_channel_failing_its_recent_calls_goes_last_even_when_pinned() {
        // A: 3 of its last 10 calls accepted (30%): unhealthy, measured.
        let cands = [
            candidate(channel("A", 9_950, 20), 0, (3, 10)),
            candidate(channel("B", 9_900, 35), 0, (4, 4)),
        ];
        let ranking = rank(&cands, Movement::Collection, 100, Some("A"), 600);
        assert_eq!(order(&ranking), [("B", "healthy"), ("A", "unhealthy")]);
        assert_eq!(
            (ranking[1].success_rate_bps, ranking[1].measured),
            (3_000, true)
        );
        // B's 4 calls are too few to measure: its configured rate stands.
        assert_eq!(
            (ranking[0].success_rate_bps, ranking[0].measured),
            (9_900, false)
        );
    }

    #[test]
    fn maintenance_windows_and_daily_limits_leave_a_channel_out() {
        let mut a = channel("A", 9_950, 20);
        a.maintenance_start = Some("23:30".into());
        a.maintenance_end = Some("00:30".into());
        let b = channel("B", 9_900, 35);
        let cands = [candidate(a, 0, (0, 0)), candidate(b, 999_950, (0, 0))];
        // 23:45, wrapping window: A in maintenance; B would pass its limit with 100 fen.
        let ranking = rank(&cands, Movement::Collection, 100, None, 23 * 60 + 45);
        assert_eq!(
            order(&ranking),
            [("A", "maintenance"), ("B", "daily_limit")]
        );
        assert!(ranking.iter().all(|a| !a.eligible));
        // 00:30 is past the window's end; 50 fen still fits B's limit.
        let ranking = rank(&cands, Movement::Collection, 50, None, 30);
        assert_eq!(order(&ranking), [("A", "healthy"), ("B", "healthy")]);
    }

    #[test]
    fn a_payout_needs_a_position_that_covers_it() {
        let cands = [
            candidate(channel("A", 9_950, 20), 0, (0, 0)),
            candidate(channel("B", 9_900, 35), 0, (0, 0)),
        ];
        // Both hold 1000 fen: 1000 fits, 1001 does not (a collection needs no position).
        let ranked = |movement, amount| -> Vec<(String, &str)> {
            rank(&cands, movement, amount, None, 600)
                .into_iter()
                .map(|a| (a.channel_id, a.reason))
                .collect()
        };
        let both = |reason| vec![("A".to_owned(), reason), ("B".to_owned(), reason)];
        assert_eq!(ranked(Movement::Payout, 1_000), both("healthy"));
        assert_eq!(ranked(Movement::Payout, 1_001), both("position"));
        assert_eq!(ranked(Movement::Collection, 1_001), both("healthy"));
    }

    #[test]
    fn times_of_day_parse_strictly() {
        assert_eq!(minutes("00:00"), Some(0));
        assert_eq!(minutes("23:59"), Some(1_439));
        for bad in ["24:00", "12:60", "9:00", "12:5", "1200", ""] {
            assert_eq!(minutes(bad), None, "{bad}");
        }
    }
}
