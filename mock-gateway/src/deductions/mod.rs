//! Deductions (代扣, docs/collection.md §3): a merchant debits a payer's card through an
//! `ACTIVE` agreement. Strictly idempotent: one `(app_id, out_deduction_no)` is one
//! deduction and at most one charge, however often and however concurrently it is sent,
//! and across a restart — the deduction, its channel answers, its state and its
//! notification commit in one transaction, and a `UNIQUE` constraint decides between
//! racing duplicates.
//!
//! The router picks the channel ([`channels::route`]); the simulated bank then answers by
//! the card's last two digits ([`Plan::for_card`]); an uncertain answer is polled on the
//! gateway clock as an order's is (docs/protocol.md §8), on the channel that accepted it.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use crate::agreements::{self, AgreementRef};
use crate::channels::store as channel_q;
use crate::channels::{self, ChannelResult, MoneyMovement, Movement, MovementView, Plan};
use crate::config::TimingConfig;
use crate::error::{ApiError, Code};
use crate::ids;
use crate::lookup;
use crate::notifications::{self, Event};
use crate::statements;
use crate::store::{Store, meta};
use store::{self as q, DebitCount, DeductionRow};

/// How a request names a deduction: by gateway number, merchant number, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeductionRef {
    pub(crate) deduction_no: Option<String>,
    pub(crate) out_deduction_no: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(
        Code::DeductionNotFound,
        "no such deduction for this merchant",
    )
}

fn find(
    conn: &rusqlite::Connection,
    app_id: &str,
    r: &DeductionRef,
) -> Result<DeductionRow, ApiError> {
    lookup::find(
        app_id,
        (r.deduction_no.as_deref(), r.out_deduction_no.as_deref()),
        "out_deduction_no",
        |no| q::get(conn, no),
        |out| q::get_by_out_deduction_no(conn, app_id, out),
        not_found,
    )
}

/// The fields of `deduction.create`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewDeduction {
    pub(crate) out_deduction_no: String,
    pub(crate) agreement: AgreementRef,
    pub(crate) amount: i64,
    /// Empty when absent.
    pub(crate) subject: String,
    /// Empty when absent.
    pub(crate) passback_params: String,
}

fn existing_or_conflict(
    req: &NewDeduction,
    agreement_no: &str,
    d: DeductionRow,
) -> Result<DeductionRow, ApiError> {
    if d.agreement_no == agreement_no
        && d.amount == req.amount
        && d.subject == req.subject
        && d.passback_params == req.passback_params
    {
        Ok(d)
    } else {
        Err(ApiError::new(
            Code::DeductionConflict,
            format!(
                "out_deduction_no {} was used with different fields",
                d.out_deduction_no
            ),
        ))
    }
}

fn secs(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX)
}

/// `deduction.create`: checks the agreement and its limits, then debits the card once.
/// The same request again returns the deduction as it is now, without calling the
/// channel; the same number with other fields is `DEDUCTION_CONFLICT`.
pub(crate) fn create(
    store: &Store,
    timing: &TimingConfig,
    app_id: &str,
    req: &NewDeduction,
    now: i64,
) -> Result<DeductionRow, ApiError> {
    store.write(|tx| create_in(tx, timing, app_id, req, now))
}

/// [`create`] inside the caller's transaction: a repayment plan's debit run makes its
/// deductions in the run's own transaction ([`crate::plans`]).
pub(crate) fn create_in(
    tx: &rusqlite::Connection,
    timing: &TimingConfig,
    app_id: &str,
    req: &NewDeduction,
    now: i64,
) -> Result<DeductionRow, ApiError> {
    let agreement = agreements::find(tx, app_id, &req.agreement)?;
    if let Some(d) = q::get_by_out_deduction_no(tx, app_id, &req.out_deduction_no)? {
        return existing_or_conflict(req, &agreement.agreement_no, d);
    }
    if agreement.status != "ACTIVE" {
        return Err(ApiError::new(
            Code::AgreementStateInvalid,
            format!(
                "an agreement in status {} cannot be debited",
                agreement.status
            ),
        ));
    }
    let business_day = statements::format_date(statements::business_day(now)?);
    let seq = meta::next_seq(tx, "deduction_no")?;
    let mut d = DeductionRow {
        deduction_no: ids::gateway_no('D', now, seq)?,
        app_id: app_id.to_owned(),
        out_deduction_no: req.out_deduction_no.clone(),
        agreement_no: agreement.agreement_no.clone(),
        amount: req.amount,
        channel_id: None,
        subject: req.subject.clone(),
        passback_params: req.passback_params.clone(),
        business_day,
        status: "PROCESSING".into(),
        fail_code: None,
        create_time: now,
        finish_time: None,
        polls_done: 0,
        next_poll_at: None,
        events: 0,
    };
    // The limits are the agreement's, checked before the channel is called: a
    // deduction over them is recorded as failed, so a retry gets the same answer.
    let committed = q::committed_on_day(tx, &d.agreement_no, &d.business_day)?;
    let over_limit = if d.amount > agreement.per_debit_limit {
        Some("PER_DEBIT_LIMIT_EXCEEDED")
    } else if committed.saturating_add(d.amount) > agreement.daily_limit {
        Some("DAILY_LIMIT_EXCEEDED")
    } else {
        None
    };
    if !q::insert_if_absent(tx, &d)? {
        // Unreachable while writes are serialised; the constraint is the guarantee.
        let existing =
            q::get_by_out_deduction_no(tx, app_id, &req.out_deduction_no)?.ok_or_else(not_found)?;
        return existing_or_conflict(req, &agreement.agreement_no, existing);
    }
    match over_limit {
        Some(code) => finish(tx, &mut d, &agreement.notify_url, "FAIL", Some(code), now)?,
        None => {
            let Some(channel) = channels::route(
                tx,
                &MoneyMovement {
                    app_id,
                    movement: Movement::Collection,
                    ref_no: &d.deduction_no,
                    round: 0,
                    amount: d.amount,
                    at: now,
                    business_day: &d.business_day,
                },
            )?
            else {
                let code = Some("NO_CHANNEL_AVAILABLE");
                finish(tx, &mut d, &agreement.notify_url, "FAIL", code, now)?;
                q::update(tx, &d)?;
                return Ok(d);
            };
            d.channel_id = Some(channel.channel_id);
            let plan = Plan::for_card(&agreement.card_mask);
            let answers = channels::pay(&plan);
            for a in &answers {
                channel_q::insert_answer(tx, &d.deduction_no, now, "DEBIT", a.name())?;
            }
            match answers.last() {
                Some(ChannelResult::Success) => {
                    finish(tx, &mut d, &agreement.notify_url, "SUCCESS", None, now)?;
                }
                Some(ChannelResult::Fail) => {
                    let code = Some(plan.fail_code.as_str());
                    finish(tx, &mut d, &agreement.notify_url, "FAIL", code, now)?;
                }
                _ => {
                    d.next_poll_at = Some(now.saturating_add(secs(timing.poll_interval_secs)));
                }
            }
        }
    }
    q::update(tx, &d)?;
    Ok(d)
}

/// Settles a deduction in `MANUAL_REVIEW` with what the bank confirmed by hand (the
/// exception queue, docs/collection.md §6): `SUCCESS`, or `FAIL` with `fail_code` (default
/// `CHANNEL_DECLINED`), booked, settled and notified as any final state. `None`: no such
/// deduction; another status is `ORDER_STATE_INVALID`.
pub(crate) fn settle_review(
    tx: &rusqlite::Connection,
    deduction_no: &str,
    success: bool,
    fail_code: Option<&str>,
    at: i64,
) -> Result<Option<DeductionRow>, ApiError> {
    let Some(mut d) = q::get(tx, deduction_no)? else {
        return Ok(None);
    };
    if d.status != "MANUAL_REVIEW" {
        return Err(ApiError::new(
            Code::OrderStateInvalid,
            format!(
                "deduction {deduction_no} is {}, not MANUAL_REVIEW",
                d.status
            ),
        ));
    }
    let agreement = agreements::store::get(tx, &d.agreement_no)?
        .ok_or_else(|| ApiError::internal("a deduction without its agreement"))?;
    let (status, code) = if success {
        ("SUCCESS", None)
    } else {
        ("FAIL", Some(fail_code.unwrap_or("CHANNEL_DECLINED")))
    };
    channel_q::insert_answer(tx, &d.deduction_no, at, "POLL", status)?;
    finish(tx, &mut d, &agreement.notify_url, status, code, at)?;
    q::update(tx, &d)?;
    Ok(Some(d))
}

/// Moves a deduction to its final `status` at `at` and writes its notification: a trade
/// notification (docs/protocol.md §9) whose `out_trade_no` and `trade_no` are the
/// deduction's numbers, so a merchant's notification handler verifies it unchanged.
fn finish(
    tx: &rusqlite::Connection,
    d: &mut DeductionRow,
    notify_url: &str,
    status: &str,
    fail_code: Option<&str>,
    at: i64,
) -> Result<(), ApiError> {
    d.status = status.to_owned();
    d.fail_code = fail_code.map(str::to_owned);
    d.finish_time = Some(at);
    // A collection settles into its channel's position at once (T+0 in the mock): what
    // the payouts of docs/collection.md §3.4 draw on.
    if status == "SUCCESS" {
        statements::book_collection(
            tx,
            &statements::Collected {
                kind: "DEDUCTION",
                app_id: &d.app_id,
                trade_no: &d.deduction_no,
                out_trade_no: &d.out_deduction_no,
                agreement_no: &d.agreement_no,
                amount: d.amount,
                at,
            },
        )?;
    }
    if let Some(channel_id) = &d.channel_id {
        match status {
            "SUCCESS" => channel_q::credit(tx, channel_id, d.amount)?,
            // Nothing moved: the channel's day total gives the amount back.
            "FAIL" => channel_q::add_usage(tx, channel_id, &d.business_day, -d.amount)?,
            _ => {}
        }
    }
    d.next_poll_at = None;
    d.events += 1;
    let mut fields: Vec<(&'static str, String)> = vec![
        ("out_trade_no", d.out_deduction_no.clone()),
        ("trade_no", d.deduction_no.clone()),
        ("agreement_no", d.agreement_no.clone()),
        ("trade_status", status.to_owned()),
        ("total_amount", d.amount.to_string()),
    ];
    if let Some(code) = fail_code {
        fields.push(("fail_code", code.to_owned()));
    }
    if !d.passback_params.is_empty() {
        fields.push(("passback_params", d.passback_params.clone()));
    }
    notifications::write_event(
        tx,
        &Event {
            notify_id: format!("{}_{}", d.deduction_no, d.events),
            notify_type: "deduction_status_sync",
            app_id: &d.app_id,
            trade_no: &d.deduction_no,
            out_trade_no: &d.out_deduction_no,
            trade_status: status,
            notify_url,
            fields,
        },
        at,
    )?;
    Ok(())
}

/// Runs the poll of `deduction_no` that was due at `due_at`: resolves it, moves it to
/// `MANUAL_REVIEW` after `max_polls`, or schedules the next poll later than `due_at`.
pub(crate) fn poll(
    store: &Store,
    timing: &TimingConfig,
    deduction_no: &str,
    due_at: i64,
) -> Result<(), ApiError> {
    store.write(|tx| {
        let Some(mut d) = q::get(tx, deduction_no)? else {
            return Ok(());
        };
        if d.status != "PROCESSING" || d.next_poll_at != Some(due_at) {
            if d.status != "PROCESSING" && d.next_poll_at.is_some() {
                d.next_poll_at = None;
                q::update(tx, &d)?;
            }
            return Ok(());
        }
        let agreement = agreements::store::get(tx, &d.agreement_no)?
            .ok_or_else(|| ApiError::internal("a deduction without its agreement"))?;
        let k = d.polls_done + 1;
        d.polls_done = k;
        let plan = Plan::for_card(&agreement.card_mask);
        let answer = channels::poll(&plan, k);
        channel_q::insert_answer(tx, &d.deduction_no, due_at, "POLL", answer.name())?;
        match answer {
            ChannelResult::Success => {
                finish(tx, &mut d, &agreement.notify_url, "SUCCESS", None, due_at)?;
            }
            ChannelResult::Fail => {
                let code = Some(plan.fail_code.as_str());
                finish(tx, &mut d, &agreement.notify_url, "FAIL", code, due_at)?;
            }
            ChannelResult::Unknown | ChannelResult::Timeout => {
                if k >= i64::from(timing.max_polls) {
                    d.status = "MANUAL_REVIEW".into();
                    d.next_poll_at = None;
                    tracing::warn!(deduction_no = %d.deduction_no, polls = k, "ALARM: deduction result unknown, manual review needed");
                } else {
                    d.next_poll_at =
                        Some(due_at.saturating_add(secs(timing.poll_interval_secs).max(1)));
                }
            }
        }
        q::update(tx, &d)?;
        Ok(())
    })
}

/// `deduction.query`.
pub(crate) fn query(
    store: &Store,
    app_id: &str,
    r: &DeductionRef,
) -> Result<DeductionRow, ApiError> {
    store.read(|c| find(c, app_id, r))
}

/// The business fields `deduction.create` and `deduction.query` answer with.
pub(crate) fn response_fields(d: &DeductionRow) -> Vec<(&'static str, String)> {
    vec![
        ("out_deduction_no", d.out_deduction_no.clone()),
        ("deduction_no", d.deduction_no.clone()),
        ("agreement_no", d.agreement_no.clone()),
        ("amount", d.amount.to_string()),
        ("status", d.status.clone()),
        ("fail_code", d.fail_code.clone().unwrap_or_default()),
        ("create_time", d.create_time.to_string()),
        (
            "finish_time",
            d.finish_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("subject", d.subject.clone()),
        ("passback_params", d.passback_params.clone()),
    ]
}

pub(crate) fn admin_view(
    store: &Store,
    deduction_no: &str,
) -> Result<MovementView<DeductionRow>, ApiError> {
    store.read(|c| {
        let deduction = q::get(c, deduction_no)?.ok_or_else(|| {
            ApiError::new(
                Code::DeductionNotFound,
                format!("no deduction {deduction_no}"),
            )
        })?;
        channels::view(c, deduction_no, deduction)
    })
}

/// How an agreement's card was debited, for the admin API.
pub(crate) fn debit_count(store: &Store, agreement_no: &str) -> Result<DebitCount, ApiError> {
    store.read(|c| Ok(q::debit_count(c, agreement_no)?))
}
