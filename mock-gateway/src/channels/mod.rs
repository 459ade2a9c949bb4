//! Channels: the upstream banks and payment companies the gateway sends money movements
//! through (docs/collection.md §4). Each is configured (success rate, fee, daily limit,
//! maintenance window, outage, latency) and seeded as two channels; the router
//! ([`routing`]) picks one per deduction by the merchant's pinned channel, health (the
//! rolling success rate of its recent calls), cost and limits, fails over when a call fails
//! for sure, and records every decision with its reasons. What a bank answers about the
//! card itself is the [`simulator`]'s.

pub(crate) mod admin;
pub(crate) mod routing;
pub(crate) mod simulator;
pub(crate) mod store;

pub(crate) use simulator::{CHANNEL_RETRIES, ChannelResult, Outcome, Plan, pay, poll};

use std::collections::HashMap;

use crate::error::ApiError;
use crate::store::Store;
pub(crate) use routing::Movement;
use routing::{Candidate, Decision, Try};
use store::ChannelRow;

/// A deduction or payout as the admin API shows it: its row, the bank's answers and the
/// last routing decision.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct MovementView<T> {
    #[serde(flatten)]
    pub(crate) movement: T,
    pub(crate) attempts: Vec<store::AnswerRow>,
    /// Every channel's assessment and the calls tried (JSON of [`routing::Decision`]).
    pub(crate) route: Option<serde_json::Value>,
}

/// `movement` (whose number is `ref_no`) with its way through the channels.
pub(crate) fn view<T>(
    conn: &rusqlite::Connection,
    ref_no: &str,
    movement: T,
) -> Result<MovementView<T>, ApiError> {
    let attempts = store::answers(conn, ref_no)?;
    let route = match store::decision(conn, ref_no)? {
        Some(d) => Some(serde_json::from_str(&d.reasons).map_err(ApiError::internal)?),
        None => None,
    };
    Ok(MovementView {
        movement,
        attempts,
        route,
    })
}

/// Seeds the channels of a new gateway (existing ones are kept as configured).
pub(crate) fn seed(store: &Store) -> Result<(), ApiError> {
    store.write(|tx| Ok(store::seed(tx)?))
}

/// Minutes after midnight at +08:00, the gateway's local time (docs/protocol.md §10.1).
fn minute_of_day(at: i64) -> u32 {
    let seconds = (at + 8 * 3_600).rem_euclid(86_400);
    u32::try_from(seconds / 60).unwrap_or(0)
}

/// One money movement to route.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoneyMovement<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) movement: Movement,
    /// The deduction or payout number.
    pub(crate) ref_no: &'a str,
    /// Earlier routings of the same movement (a queued payout is routed again).
    pub(crate) round: i64,
    pub(crate) amount: i64,
    pub(crate) at: i64,
    /// The business day whose daily limits it counts against.
    pub(crate) business_day: &'a str,
}

/// Routes the movement `ref_no` of `amount` fen for `app_id` at `at`, inside the caller's
/// transaction: ranks the channels, calls them in order until one accepts (an outage or a
/// system error means nothing was debited, so the next may be tried; an accepted call
/// stays on its channel whatever the bank then answers), records every call and the
/// decision, and returns the accepting channel (`None`: none would).
///
/// The accepting channel's total of the movement's business day grows by its amount here
/// (the caller takes it back with [`store::add_usage`] if the movement then fails); each
/// `round` draws the channels' answers afresh.
///
/// A payout ([`Movement::Payout`]) needs a channel whose position covers the amount; the
/// accepting channel's position is reduced by it here, in the same transaction.
pub(crate) fn route(
    tx: &rusqlite::Connection,
    m: &MoneyMovement<'_>,
) -> Result<Option<ChannelRow>, ApiError> {
    let MoneyMovement {
        app_id,
        movement,
        ref_no,
        round,
        amount,
        at,
        business_day,
    } = *m;
    let used_today: HashMap<String, i64> = store::usage(tx, business_day)?;
    let since = at - routing::WINDOW_SECS;
    let mut candidates = Vec::new();
    for channel in store::all(tx)? {
        let recent = store::recent_calls(tx, &channel.channel_id, since, routing::WINDOW_CALLS)?;
        let used = used_today.get(&channel.channel_id).copied().unwrap_or(0);
        candidates.push(Candidate {
            channel,
            used_today: used,
            recent,
        });
    }
    let pinned = store::pin(tx, app_id)?;
    let ranking = routing::rank(
        &candidates,
        movement,
        amount,
        pinned.as_deref(),
        minute_of_day(at),
    );
    let draw_key = if round == 0 {
        ref_no.to_owned()
    } else {
        format!("{ref_no}#{round}")
    };
    let mut tries = Vec::new();
    let mut chosen = None;
    for assessment in ranking.iter().filter(|a| a.eligible) {
        let Some(candidate) = candidates
            .iter()
            .find(|c| c.channel.channel_id == assessment.channel_id)
        else {
            continue;
        };
        let channel = &candidate.channel;
        let result = if channel.outage {
            "CONNECT_FAILED"
        } else if simulator::call_accepted(
            &draw_key,
            &channel.channel_id,
            tries.len(),
            channel.success_rate_bps,
        ) {
            "ACCEPTED"
        } else {
            "SYSTEM_ERROR"
        };
        store::insert_call(
            tx,
            &channel.channel_id,
            at,
            ref_no,
            result,
            channel.latency_ms,
        )?;
        tries.push(Try {
            channel_id: channel.channel_id.clone(),
            result,
        });
        if result == "ACCEPTED" {
            // The ranking read the position before this transaction wrote; reserving is
            // the check that counts (it cannot overdraw).
            if movement == Movement::Payout && !store::reserve(tx, &channel.channel_id, amount)? {
                continue;
            }
            store::add_usage(tx, &channel.channel_id, business_day, amount)?;
            chosen = Some(channel.clone());
            break;
        }
        tracing::warn!(channel = %channel.channel_id, %ref_no, result, "channel call failed; failing over");
    }
    let decision = Decision {
        amount,
        pinned,
        ranking,
        tries,
    };
    let reasons = serde_json::to_string(&decision).map_err(ApiError::internal)?;
    store::insert_decision(
        tx,
        at,
        ref_no,
        chosen.as_ref().map(|c| c.channel_id.as_str()),
        &reasons,
    )?;
    Ok(chosen)
}
