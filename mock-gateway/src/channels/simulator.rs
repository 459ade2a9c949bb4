//! The simulated upstream channel and its scenario rules (docs/protocol.md §8,
//! docs/collection.md "Outcome by card number").
//!
//! Pure functions: which outcome a bill or card number selects, what the channel answers
//! to the n-th call or poll. The orders and deductions record the answers and move their
//! state; nothing here touches state or the clock.

use std::fmt;
use std::str::FromStr;

use crate::error::ApiError;

/// Immediate retries after an "unknown" (or timed-out) channel call: 4 calls in all.
pub(crate) const CHANNEL_RETRIES: usize = 3;

/// A scenario of the simulated channel (§8, "Outcome by bill number").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Succeeds on the first call.
    Success,
    /// Declines (insufficient funds).
    Fail,
    /// Unknown on the call and its retries; a later poll succeeds.
    UnknownThenSuccess,
    /// Unknown on every call and poll → `MANUAL_REVIEW`.
    UnknownForever,
    /// The first call times out; the first retry succeeds.
    TimeoutThenSuccess,
    /// Unknown on the call and its retries; a later poll declines.
    UnknownThenFail,
}

impl Outcome {
    /// All outcomes.
    pub(crate) const ALL: [Outcome; 6] = [
        Outcome::Success,
        Outcome::Fail,
        Outcome::UnknownThenSuccess,
        Outcome::UnknownForever,
        Outcome::TimeoutThenSuccess,
        Outcome::UnknownThenFail,
    ];

    /// The documented name, e.g. `UNKNOWN_THEN_SUCCESS`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Outcome::Success => "SUCCESS",
            Outcome::Fail => "FAIL",
            Outcome::UnknownThenSuccess => "UNKNOWN_THEN_SUCCESS",
            Outcome::UnknownForever => "UNKNOWN_FOREVER",
            Outcome::TimeoutThenSuccess => "TIMEOUT_THEN_SUCCESS",
            Outcome::UnknownThenFail => "UNKNOWN_THEN_FAIL",
        }
    }

    /// The outcome selected by the last two characters of a bill number.
    pub(crate) fn for_bill(bill_no: &str) -> Outcome {
        let Some(nn) = last_two_digits(bill_no) else {
            return Outcome::Success;
        };
        match nn {
            0..=79 => Outcome::Success,
            80..=84 => Outcome::Fail,
            85..=89 => Outcome::UnknownThenSuccess,
            90..=94 => Outcome::UnknownForever,
            95..=97 => Outcome::TimeoutThenSuccess,
            _ => Outcome::UnknownThenFail,
        }
    }

    /// The poll that resolves this outcome by default.
    pub(crate) fn default_resolve_poll(self) -> i64 {
        match self {
            Outcome::UnknownThenSuccess => 3,
            _ => 1,
        }
    }

    /// The `fail_code` this outcome reports by default.
    pub(crate) fn default_fail_code(self) -> &'static str {
        match self {
            Outcome::UnknownThenFail => "CHANNEL_DECLINED",
            _ => "INSUFFICIENT_FUNDS",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Outcome {
    type Err = ApiError;

    fn from_str(s: &str) -> Result<Self, ApiError> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.name() == s)
            .ok_or_else(|| {
                ApiError::field_invalid(
                    "outcome",
                    "expected SUCCESS, FAIL, UNKNOWN_THEN_SUCCESS, UNKNOWN_FOREVER, \
                     TIMEOUT_THEN_SUCCESS or UNKNOWN_THEN_FAIL",
                )
            })
    }
}

/// An outcome with its parameters: the resolving poll and the failure code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) outcome: Outcome,
    pub(crate) resolve_poll: i64,
    pub(crate) fail_code: String,
}

impl Plan {
    /// The plan for an order: the admin override if any, else the bill-number rule.
    pub(crate) fn for_order(
        bill_no: &str,
        outcome_override: Option<&str>,
        polls: Option<i64>,
        fail_code: Option<&str>,
    ) -> Plan {
        let outcome = outcome_override
            .and_then(|o| o.parse().ok())
            .unwrap_or_else(|| Outcome::for_bill(bill_no));
        Plan {
            outcome,
            resolve_poll: polls.unwrap_or_else(|| outcome.default_resolve_poll()),
            fail_code: fail_code
                .map(str::to_owned)
                .unwrap_or_else(|| outcome.default_fail_code().to_owned()),
        }
    }
}

/// The last two characters of a number as `NN`, if both are digits.
fn last_two_digits(number: &str) -> Option<u8> {
    match number.as_bytes() {
        [.., a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((a - b'0') * 10 + (b - b'0'))
        }
        _ => None,
    }
}

/// A scenario table: the highest `NN` of each row (rows ascending, the last ending at 99),
/// the scenario, and the `fail_code` it reports when it fails.
type Scenarios = [(u8, Outcome, &'static str)];

/// Deductions, by the card's last two digits (docs/collection.md, "Outcome by card number").
const CARD_SCENARIOS: &Scenarios = &[
    (69, Outcome::Success, "INSUFFICIENT_FUNDS"),
    (74, Outcome::Fail, "INSUFFICIENT_FUNDS"),
    (77, Outcome::Fail, "CARD_FROZEN"),
    (79, Outcome::Fail, "BANK_LIMIT_EXCEEDED"),
    (84, Outcome::UnknownThenSuccess, "CHANNEL_DECLINED"),
    (89, Outcome::TimeoutThenSuccess, "CHANNEL_DECLINED"),
    (94, Outcome::UnknownForever, "CHANNEL_DECLINED"),
    (99, Outcome::UnknownThenFail, "CHANNEL_DECLINED"),
];

/// Payouts, by the account's last two digits (docs/collection.md, "Outcome by account
/// number").
const ACCOUNT_SCENARIOS: &Scenarios = &[
    (79, Outcome::Success, "ACCOUNT_INVALID"),
    (84, Outcome::Fail, "ACCOUNT_INVALID"),
    (89, Outcome::UnknownThenSuccess, "CHANNEL_DECLINED"),
    (94, Outcome::UnknownForever, "CHANNEL_DECLINED"),
    (99, Outcome::UnknownThenFail, "CHANNEL_DECLINED"),
];

impl Plan {
    /// The plan `table` gives the last two digits of `number` (a number or its mask; `00`
    /// when they are not digits).
    fn by_digits(number: &str, table: &Scenarios) -> Plan {
        let nn = last_two_digits(number).unwrap_or(0);
        let (_, outcome, fail_code) = table
            .iter()
            .find(|(highest, _, _)| nn <= *highest)
            .copied()
            .unwrap_or((99, Outcome::Success, ""));
        Plan {
            outcome,
            resolve_poll: outcome.default_resolve_poll(),
            fail_code: fail_code.to_owned(),
        }
    }

    /// The plan of a deduction from the card it debits (a declining card names its reason
    /// in `fail_code`).
    pub(crate) fn for_card(card_number_or_mask: &str) -> Plan {
        Plan::by_digits(card_number_or_mask, CARD_SCENARIOS)
    }

    /// The plan of a payout from the account it pays.
    pub(crate) fn for_account(account_number_or_mask: &str) -> Plan {
        Plan::by_digits(account_number_or_mask, ACCOUNT_SCENARIOS)
    }
}

/// Whether the `n`-th call (0-based) for `ref_no` on `channel_id` is accepted by a channel
/// that accepts `success_rate_bps` of its calls: a draw from SHA-256 of the three, so a
/// run is reproducible and a retry is a new draw.
pub(crate) fn call_accepted(
    ref_no: &str,
    channel_id: &str,
    n: usize,
    success_rate_bps: i64,
) -> bool {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(ref_no.as_bytes())
        .chain_update(b"\0")
        .chain_update(channel_id.as_bytes())
        .chain_update(n.to_le_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let draw = u64::from_le_bytes(first) % 10_000;
    i64::try_from(draw).unwrap_or(i64::MAX) < success_rate_bps
}

/// One answer of the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelResult {
    /// Paid.
    Success,
    /// Declined.
    Fail,
    /// Neither (status `-1`).
    Unknown,
    /// No answer in time.
    Timeout,
}

impl ChannelResult {
    /// `SUCCESS`, `FAIL`, `UNKNOWN` or `TIMEOUT`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ChannelResult::Success => "SUCCESS",
            ChannelResult::Fail => "FAIL",
            ChannelResult::Unknown => "UNKNOWN",
            ChannelResult::Timeout => "TIMEOUT",
        }
    }

    fn is_final(self) -> bool {
        matches!(self, ChannelResult::Success | ChannelResult::Fail)
    }
}

/// The answer to pay call `n` (0 = the first call, 1..=3 the retries, same channel serial).
fn pay_call(outcome: Outcome, n: usize) -> ChannelResult {
    match outcome {
        Outcome::Success => ChannelResult::Success,
        Outcome::Fail => ChannelResult::Fail,
        Outcome::TimeoutThenSuccess if n == 0 => ChannelResult::Timeout,
        Outcome::TimeoutThenSuccess => ChannelResult::Success,
        Outcome::UnknownThenSuccess | Outcome::UnknownForever | Outcome::UnknownThenFail => {
            ChannelResult::Unknown
        }
    }
}

/// Runs a payment: the call and up to [`CHANNEL_RETRIES`] immediate retries while the
/// answer is unknown or a timeout. Returns every answer; the last one is the result
/// (`Unknown`/`Timeout` last means "still uncertain").
pub(crate) fn pay(plan: &Plan) -> Vec<ChannelResult> {
    let mut answers = Vec::with_capacity(CHANNEL_RETRIES + 1);
    for n in 0..=CHANNEL_RETRIES {
        let answer = pay_call(plan.outcome, n);
        answers.push(answer);
        if answer.is_final() {
            break;
        }
    }
    answers
}

/// The answer to poll `k` (1-based) of an uncertain payment.
pub(crate) fn poll(plan: &Plan, k: i64) -> ChannelResult {
    match plan.outcome {
        Outcome::Success | Outcome::TimeoutThenSuccess => ChannelResult::Success,
        Outcome::Fail => ChannelResult::Fail,
        Outcome::UnknownThenSuccess if k >= plan.resolve_poll => ChannelResult::Success,
        Outcome::UnknownThenFail if k >= plan.resolve_poll => ChannelResult::Fail,
        Outcome::UnknownThenSuccess | Outcome::UnknownThenFail | Outcome::UnknownForever => {
            ChannelResult::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_table_covers_00_to_99_in_order() {
        for table in [CARD_SCENARIOS, ACCOUNT_SCENARIOS] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
            assert_eq!(table.last().map(|row| row.0), Some(99));
        }
        let account = |nn: &str| Plan::for_account(&format!("6217****45{nn}"));
        assert_eq!(account("79").outcome, Outcome::Success);
        assert_eq!(
            (account("80").outcome, account("80").fail_code.as_str()),
            (Outcome::Fail, "ACCOUNT_INVALID")
        );
        assert_eq!(account("87").outcome, Outcome::UnknownThenSuccess);
        assert_eq!(account("99").outcome, Outcome::UnknownThenFail);
    }

    #[test]
    fn calls_are_accepted_at_the_configured_rate() {
        let accepted = |rate| {
            (0..10_000)
                .filter(|i| call_accepted(&format!("D{i:010}"), "CH-BANK", 0, rate))
                .count()
        };
        assert_eq!(accepted(0), 0);
        assert_eq!(accepted(10_000), 10_000);
        let most = accepted(9_900);
        assert!((9_850..=9_950).contains(&most), "{most} of 10000 at 99%");
        let half = accepted(5_000);
        assert!((4_850..=5_150).contains(&half), "{half} of 10000 at 50%");
        // A retry is a new draw; the same call is the same draw.
        assert_eq!(
            call_accepted("D1", "CH-BANK", 0, 5_000),
            call_accepted("D1", "CH-BANK", 0, 5_000)
        );
    }

    #[test]
    fn card_suffix_selects_the_outcome_and_the_reason() {
        let cases = [
            ("622202******0000", Outcome::Success, "INSUFFICIENT_FUNDS"),
            ("622202******0069", Outcome::Success, "INSUFFICIENT_FUNDS"),
            ("622202******0070", Outcome::Fail, "INSUFFICIENT_FUNDS"),
            ("622202******0075", Outcome::Fail, "CARD_FROZEN"),
            ("622202******0079", Outcome::Fail, "BANK_LIMIT_EXCEEDED"),
            (
                "622202******0080",
                Outcome::UnknownThenSuccess,
                "CHANNEL_DECLINED",
            ),
            (
                "622202******0085",
                Outcome::TimeoutThenSuccess,
                "CHANNEL_DECLINED",
            ),
            (
                "622202******0094",
                Outcome::UnknownForever,
                "CHANNEL_DECLINED",
            ),
            (
                "622202******0095",
                Outcome::UnknownThenFail,
                "CHANNEL_DECLINED",
            ),
            (
                "622202******0099",
                Outcome::UnknownThenFail,
                "CHANNEL_DECLINED",
            ),
        ];
        for (card, outcome, fail_code) in cases {
            let plan = Plan::for_card(card);
            assert_eq!(
                (plan.outcome, plan.fail_code.as_str()),
                (outcome, fail_code),
                "{card}"
            );
        }
    }

    #[test]
    fn bill_suffix_selects_the_outcome() {
        let cases = [
            ("SHW2026110042", Outcome::Success),
            ("SHW2026110079", Outcome::Success),
            ("SHW2026110080", Outcome::Fail),
            ("SHW2026110085", Outcome::UnknownThenSuccess),
            ("SHW2026110090", Outcome::UnknownForever),
            ("SHW2026110095", Outcome::TimeoutThenSuccess),
            ("SHW2026110098", Outcome::UnknownThenFail),
            ("SHW20261100AB", Outcome::Success),
            ("7", Outcome::Success),
        ];
        for (bill, outcome) in cases {
            assert_eq!(Outcome::for_bill(bill), outcome, "{bill}");
        }
    }

    #[test]
    fn unknown_is_retried_three_times_timeout_once() {
        let plan = Plan::for_order("SHW2026110085", None, None, None);
        assert_eq!(pay(&plan), vec![ChannelResult::Unknown; 4]);
        assert_eq!(poll(&plan, 2), ChannelResult::Unknown);
        assert_eq!(poll(&plan, 3), ChannelResult::Success);
        let plan = Plan::for_order("SHW2026110095", None, None, None);
        assert_eq!(
            pay(&plan),
            vec![ChannelResult::Timeout, ChannelResult::Success]
        );
        let plan = Plan::for_order("SHW2026110098", None, None, None);
        assert_eq!(poll(&plan, 1), ChannelResult::Fail);
        assert_eq!(plan.fail_code, "CHANNEL_DECLINED");
    }

    #[test]
    fn overrides_take_precedence() {
        let plan = Plan::for_order("SHW2026110042", Some("UNKNOWN_THEN_SUCCESS"), Some(5), None);
        assert_eq!(poll(&plan, 4), ChannelResult::Unknown);
        assert_eq!(poll(&plan, 5), ChannelResult::Success);
    }
}
