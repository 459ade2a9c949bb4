//! Payouts (代付, docs/collection.md §3.4): a merchant pays money out to an account, from the
//! position (头寸) a channel holds for it. A payout is routed only to a channel whose
//! position covers it, and that position is reduced in the same transaction, by one
//! statement that cannot overdraw it; a payout no channel can carry now is `QUEUED` and
//! routed again every [`QUEUE_RETRY_SECS`] of gateway clock — positions grow as collections
//! settle — until [`QUEUE_LIMIT_SECS`] have passed. A failed payout returns its amount to
//! the position. Idempotent on `(app_id, out_payout_no)` as deductions are.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use sha2::{Digest, Sha256};

use crate::channels::store as channel_q;
use crate::channels::{self, ChannelResult, MoneyMovement, Movement, MovementView, Plan};
use crate::config::TimingConfig;
use crate::error::{ApiError, Code};
use crate::ids;
use crate::lookup;
use crate::notifications::{self, Event};
use crate::statements;
use crate::store::{Store, meta};
use store::{self as q, PayoutRow};

/// How long a queued payout waits before it is routed again.
pub(crate) const QUEUE_RETRY_SECS: i64 = 60;
/// How long a payout may stay queued before it fails with `QUEUE_TIMEOUT`.
pub(crate) const QUEUE_LIMIT_SECS: i64 = 86_400;

/// How a request names a payout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PayoutRef {
    pub(crate) payout_no: Option<String>,
    pub(crate) out_payout_no: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(Code::PayoutNotFound, "no such payout for this merchant")
}

fn find(conn: &rusqlite::Connection, app_id: &str, r: &PayoutRef) -> Result<PayoutRow, ApiError> {
    lookup::find(
        app_id,
        (r.payout_no.as_deref(), r.out_payout_no.as_deref()),
        "out_payout_no",
        |no| q::get(conn, no),
        |out| q::get_by_out_payout_no(conn, app_id, out),
        not_found,
    )
}

/// The fields of `payout.create`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPayout {
    pub(crate) out_payout_no: String,
    pub(crate) payee_name: String,
    pub(crate) account_no: String,
    pub(crate) bank_code: String,
    pub(crate) amount: i64,
    /// Empty when absent.
    pub(crate) purpose: String,
    pub(crate) notify_url: String,
}

/// Lowercase hex SHA-256 of the account number, salted with the merchant.
fn digest(app_id: &str, account_no: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(b"\0");
    h.update(account_no.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `6217****4567`: the first and last four digits.
fn mask_account(account_no: &str) -> String {
    let n = account_no.len();
    format!("{}****{}", &account_no[..4], &account_no[n - 4..])
}

fn secs(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX)
}

/// `payout.create`: routes the payout to a channel whose position covers it and pays, or
/// queues it. The same request again returns it as it is; other fields under the same
/// number are `PAYOUT_CONFLICT`.
pub(crate) fn create(
    store: &Store,
    timing: &TimingConfig,
    app_id: &str,
    req: &NewPayout,
    now: i64,
) -> Result<PayoutRow, ApiError> {
    store.write(|tx| {
        if let Some(p) = q::get_by_out_payout_no(tx, app_id, &req.out_payout_no)? {
            let same = p.payee_name == req.payee_name
                && p.account_digest == digest(app_id, &req.account_no)
                && p.bank_code == req.bank_code
                && p.amount == req.amount
                && p.purpose == req.purpose
                && p.notify_url == req.notify_url;
            return if same {
                Ok(p)
            } else {
                Err(ApiError::new(
                    Code::PayoutConflict,
                    format!(
                        "out_payout_no {} was used with different fields",
                        req.out_payout_no
                    ),
                ))
            };
        }
        let seq = meta::next_seq(tx, "payout_no")?;
        let mut p = PayoutRow {
            payout_no: ids::gateway_no('O', now, seq)?,
            app_id: app_id.to_owned(),
            out_payout_no: req.out_payout_no.clone(),
            payee_name: req.payee_name.clone(),
            account_digest: digest(app_id, &req.account_no),
            account_mask: mask_account(&req.account_no),
            bank_code: req.bank_code.clone(),
            amount: req.amount,
            purpose: req.purpose.clone(),
            notify_url: req.notify_url.clone(),
            business_day: statements::format_date(statements::business_day(now)?),
            channel_id: None,
            status: "QUEUED".into(),
            fail_code: None,
            create_time: now,
            finish_time: None,
            polls_done: 0,
            next_poll_at: None,
            next_try_at: None,
            tries: 0,
            events: 0,
        };
        if !q::insert_if_absent(tx, &p)? {
            return Err(ApiError::internal(
                "a payout number raced while writes are serialised",
            ));
        }
        route_and_pay(tx, timing, &mut p, now)?;
        q::update(tx, &p)?;
        Ok(p)
    })
}

/// One routing of a queued payout at `at`: pays it through the channel that takes it, or
/// keeps it queued (or fails it once it has waited [`QUEUE_LIMIT_SECS`]).
fn route_and_pay(
    tx: &rusqlite::Connection,
    timing: &TimingConfig,
    p: &mut PayoutRow,
    at: i64,
) -> Result<(), ApiError> {
    let movement = MoneyMovement {
        app_id: &p.app_id,
        movement: Movement::Payout,
        ref_no: &p.payout_no,
        round: p.tries,
        amount: p.amount,
        at,
        business_day: &p.business_day,
    };
    let chosen = channels::route(tx, &movement)?;
    p.tries += 1;
    let Some(channel) = chosen else {
        if at - p.create_time >= QUEUE_LIMIT_SECS {
            return finish(tx, p, "FAIL", Some("QUEUE_TIMEOUT"), at);
        }
        p.status = "QUEUED".into();
        p.next_try_at = Some(at + QUEUE_RETRY_SECS);
        return Ok(());
    };
    p.channel_id = Some(channel.channel_id);
    p.next_try_at = None;
    let plan = Plan::for_account(&p.account_mask);
    let answers = channels::pay(&plan);
    for a in &answers {
        channel_q::insert_answer(tx, &p.payout_no, at, "CREDIT", a.name())?;
    }
    match answers.last() {
        Some(ChannelResult::Success) => finish(tx, p, "SUCCESS", None, at),
        Some(ChannelResult::Fail) => finish(tx, p, "FAIL", Some(plan.fail_code.as_str()), at),
        _ => {
            p.status = "PROCESSING".into();
            p.next_poll_at = Some(at.saturating_add(secs(timing.poll_interval_secs)));
            Ok(())
        }
    }
}

/// Settles a payout in `MANUAL_REVIEW` with what the bank confirmed by hand (the exception
/// queue, docs/collection.md §6): `SUCCESS`, or `FAIL` with `fail_code` (default
/// `CHANNEL_DECLINED`), which returns its amount to the channel's position. `None`: no
/// such payout; another status is `ORDER_STATE_INVALID`.
pub(crate) fn settle_review(
    tx: &rusqlite::Connection,
    payout_no: &str,
    success: bool,
    fail_code: Option<&str>,
    at: i64,
) -> Result<Option<PayoutRow>, ApiError> {
    let Some(mut p) = q::get(tx, payout_no)? else {
        return Ok(None);
    };
    if p.status != "MANUAL_REVIEW" {
        return Err(ApiError::new(
            Code::OrderStateInvalid,
            format!("payout {payout_no} is {}, not MANUAL_REVIEW", p.status),
        ));
    }
    let (status, code) = if success {
        ("SUCCESS", None)
    } else {
        ("FAIL", Some(fail_code.unwrap_or("CHANNEL_DECLINED")))
    };
    channel_q::insert_answer(tx, &p.payout_no, at, "POLL", status)?;
    finish(tx, &mut p, status, code, at)?;
    q::update(tx, &p)?;
    Ok(Some(p))
}

/// Moves a payout to its final `status` and writes its notification (a trade notification,
/// docs/collection.md §5: `notify_type` `payout_status_sync`). A failed payout that a
/// channel had taken returns its amount to that channel's position.
fn finish(
    tx: &rusqlite::Connection,
    p: &mut PayoutRow,
    status: &str,
    fail_code: Option<&str>,
    at: i64,
) -> Result<(), ApiError> {
    if status == "FAIL" {
        if let Some(channel_id) = &p.channel_id {
            channel_q::credit(tx, channel_id, p.amount)?;
            channel_q::add_usage(tx, channel_id, &p.business_day, -p.amount)?;
        }
    }
    if status == "SUCCESS" {
        statements::book_collection(
            tx,
            &statements::Collected {
                kind: "PAYOUT",
                app_id: &p.app_id,
                trade_no: &p.payout_no,
                out_trade_no: &p.out_payout_no,
                agreement_no: "",
                amount: p.amount,
                at,
            },
        )?;
    }
    p.status = status.to_owned();
    p.fail_code = fail_code.map(str::to_owned);
    p.finish_time = Some(at);
    p.next_poll_at = None;
    p.next_try_at = None;
    p.events += 1;
    let mut fields: Vec<(&'static str, String)> = vec![
        ("out_trade_no", p.out_payout_no.clone()),
        ("trade_no", p.payout_no.clone()),
        ("trade_status", status.to_owned()),
        ("total_amount", p.amount.to_string()),
    ];
    if let Some(code) = fail_code {
        fields.push(("fail_code", code.to_owned()));
    }
    notifications::write_event(
        tx,
        &Event {
            notify_id: format!("{}_{}", p.payout_no, p.events),
            notify_type: "payout_status_sync",
            app_id: &p.app_id,
            trade_no: &p.payout_no,
            out_trade_no: &p.out_payout_no,
            trade_status: status,
            notify_url: &p.notify_url,
            fields,
        },
        at,
    )?;
    Ok(())
}

/// Runs the payout job due at `due_at`: a poll of an uncertain payout, or the next routing
/// of a queued one. A job that is no longer current does nothing.
pub(crate) fn run_due(
    store: &Store,
    timing: &TimingConfig,
    payout_no: &str,
    due_at: i64,
    kind: &str,
) -> Result<(), ApiError> {
    store.write(|tx| {
        let Some(mut p) = q::get(tx, payout_no)? else {
            return Ok(());
        };
        match kind {
            "TRY" if p.status == "QUEUED" && p.next_try_at == Some(due_at) => {
                route_and_pay(tx, timing, &mut p, due_at)?;
            }
            "POLL" if p.status == "PROCESSING" && p.next_poll_at == Some(due_at) => {
                let k = p.polls_done + 1;
                p.polls_done = k;
                let plan = Plan::for_account(&p.account_mask);
                let answer = channels::poll(&plan, k);
                channel_q::insert_answer(tx, &p.payout_no, due_at, "POLL", answer.name())?;
                match answer {
                    ChannelResult::Success => finish(tx, &mut p, "SUCCESS", None, due_at)?,
                    ChannelResult::Fail => {
                        let code = Some(plan.fail_code.as_str());
                        finish(tx, &mut p, "FAIL", code, due_at)?;
                    }
                    ChannelResult::Unknown | ChannelResult::Timeout => {
                        if k >= i64::from(timing.max_polls) {
                            // The amount stays taken from the position until a person
                            // finds out whether the money left.
                            p.status = "MANUAL_REVIEW".into();
                            p.next_poll_at = None;
                            tracing::warn!(payout_no = %p.payout_no, polls = k, "ALARM: payout result unknown, manual review needed");
                        } else {
                            p.next_poll_at =
                                Some(due_at.saturating_add(secs(timing.poll_interval_secs).max(1)));
                        }
                    }
                }
            }
            _ => {
                // Stale: clear whichever due time pointed here.
                if kind == "TRY" && p.next_try_at == Some(due_at) {
                    p.next_try_at = None;
                } else if kind == "POLL" && p.next_poll_at == Some(due_at) {
                    p.next_poll_at = None;
                } else {
                    return Ok(());
                }
            }
        }
        q::update(tx, &p)?;
        Ok(())
    })
}

/// `payout.query`.
pub(crate) fn query(store: &Store, app_id: &str, r: &PayoutRef) -> Result<PayoutRow, ApiError> {
    store.read(|c| find(c, app_id, r))
}

/// The business fields `payout.create` and `payout.query` answer with.
pub(crate) fn response_fields(p: &PayoutRow) -> Vec<(&'static str, String)> {
    vec![
        ("out_payout_no", p.out_payout_no.clone()),
        ("payout_no", p.payout_no.clone()),
        ("payee_name", crate::bills::mask_name(&p.payee_name)),
        ("account_mask", p.account_mask.clone()),
        ("bank_code", p.bank_code.clone()),
        ("amount", p.amount.to_string()),
        ("status", p.status.clone()),
        ("fail_code", p.fail_code.clone().unwrap_or_default()),
        ("create_time", p.create_time.to_string()),
        (
            "finish_time",
            p.finish_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("purpose", p.purpose.clone()),
    ]
}

pub(crate) fn admin_view(
    store: &Store,
    payout_no: &str,
) -> Result<MovementView<PayoutRow>, ApiError> {
    store.read(|c| {
        let payout = q::get(c, payout_no)?
            .ok_or_else(|| ApiError::new(Code::PayoutNotFound, format!("no payout {payout_no}")))?;
        channels::view(c, payout_no, payout)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_masked_and_digested_per_merchant() {
        assert_eq!(mask_account("6217000012344567"), "6217****4567");
        assert_ne!(
            digest("2026000000000001", "6217000012344567"),
            digest("2026000000000002", "6217000012344567")
        );
    }
}
