//! Repayment plans (docs/collection.md §3.3): a merchant lays out instalments against an
//! agreement, and the gateway debits each one at the merchant's times of day on the gateway
//! clock once it is due, retrying a failed one at the next time, at most `daily_attempts`
//! times per business day, until it is paid.
//!
//! Each run is idempotent: the deduction it makes for an instalment is numbered
//! `{plan_no}-{instalment}-{run time}`, so a run repeated (after a crash, say) finds the
//! deduction it made instead of debiting again ([`crate::deductions`]); and the run, its
//! deductions and the instalments' new states commit in one transaction.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use crate::agreements::{self, AgreementRef};
use crate::channels::routing::minutes;
use crate::config::TimingConfig;
use crate::deductions::{self, NewDeduction};
use crate::error::{ApiError, Code};
use crate::ids;
use crate::lookup;
use crate::statements;
use crate::store::{Store, meta};
use store::{self as q, InstalmentRow, PlanRow};

/// Debit times when a plan gives none: noon and 18:00.
pub(crate) const DEFAULT_DEBIT_TIMES: &str = "12:00,18:00";
/// Deductions per instalment per business day when a plan gives no limit.
pub(crate) const DEFAULT_DAILY_ATTEMPTS: i64 = 2;
/// The most instalments one plan may have.
pub(crate) const MAX_INSTALMENTS: usize = 60;

/// How a request names a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlanRef {
    pub(crate) plan_no: Option<String>,
    pub(crate) out_plan_no: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(Code::PlanNotFound, "no such plan for this merchant")
}

fn find(conn: &rusqlite::Connection, app_id: &str, r: &PlanRef) -> Result<PlanRow, ApiError> {
    lookup::find(
        app_id,
        (r.plan_no.as_deref(), r.out_plan_no.as_deref()),
        "out_plan_no",
        |no| q::get_plan(conn, no),
        |out| q::get_plan_by_out_plan_no(conn, app_id, out),
        not_found,
    )
}

/// The fields of `plan.create`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPlan {
    pub(crate) out_plan_no: String,
    pub(crate) agreement: AgreementRef,
    /// `(due_date, amount)`, due dates strictly ascending.
    pub(crate) instalments: Vec<(String, i64)>,
    /// `HH:MM,HH:MM`, ascending.
    pub(crate) debit_times: String,
    pub(crate) daily_attempts: i64,
}

/// `HH:MM,HH:MM` → minutes after midnight, 1-6 strictly ascending times; `None` if not.
pub(crate) fn parse_debit_times(text: &str) -> Option<Vec<u32>> {
    let times: Vec<u32> = text.split(',').map(minutes).collect::<Option<_>>()?;
    let ascending = times.windows(2).all(|w| w[0] < w[1]);
    ((1..=6).contains(&times.len()) && ascending).then_some(times)
}

/// The first debit time at or after `at` (Unix seconds; times are +08:00).
pub(crate) fn next_debit_time(at: i64, times: &[u32]) -> Option<i64> {
    const OFFSET: i64 = 8 * 3_600;
    let local = at + OFFSET;
    let midnight = local - local.rem_euclid(86_400);
    (0..2)
        .flat_map(|day| {
            times
                .iter()
                .map(move |t| midnight + day * 86_400 + i64::from(*t) * 60)
        })
        .map(|local_time| local_time - OFFSET)
        .find(|t| *t >= at)
}

fn conflict(out_plan_no: &str) -> ApiError {
    ApiError::new(
        Code::PlanConflict,
        format!("out_plan_no {out_plan_no} was used with different fields"),
    )
}

/// `plan.create`: idempotent on `(app_id, out_plan_no)`. The agreement must be `ACTIVE` and
/// take each instalment in one deduction.
pub(crate) fn create(
    store: &Store,
    app_id: &str,
    req: &NewPlan,
    now: i64,
) -> Result<(PlanRow, Vec<InstalmentRow>), ApiError> {
    let times = parse_debit_times(&req.debit_times)
        .ok_or_else(|| ApiError::field_invalid("debit_times", "expected HH:MM,HH:MM ascending"))?;
    store.write(|tx| {
        let agreement = agreements::find(tx, app_id, &req.agreement)?;
        if let Some(p) = q::get_plan_by_out_plan_no(tx, app_id, &req.out_plan_no)? {
            let instalments = q::instalments(tx, &p.plan_no)?;
            let same = p.agreement_no == agreement.agreement_no
                && p.debit_times == req.debit_times
                && p.daily_attempts == req.daily_attempts
                && instalments.len() == req.instalments.len()
                && instalments
                    .iter()
                    .zip(&req.instalments)
                    .all(|(i, (due, amount))| i.due_date == *due && i.amount == *amount);
            return if same {
                Ok((p, instalments))
            } else {
                Err(conflict(&req.out_plan_no))
            };
        }
        if agreement.status != "ACTIVE" {
            return Err(ApiError::new(
                Code::AgreementStateInvalid,
                format!("a plan needs an ACTIVE agreement, not {}", agreement.status),
            ));
        }
        if let Some((k, _)) = req
            .instalments
            .iter()
            .enumerate()
            .find(|(_, (_, amount))| *amount > agreement.per_debit_limit)
        {
            return Err(ApiError::field_invalid(
                "instalments",
                format!(
                    "instalment {} is more than the agreement's per_debit_limit {}",
                    k + 1,
                    agreement.per_debit_limit
                ),
            ));
        }
        let seq = meta::next_seq(tx, "plan_no")?;
        let plan = PlanRow {
            plan_no: ids::gateway_no('P', now, seq)?,
            app_id: app_id.to_owned(),
            out_plan_no: req.out_plan_no.clone(),
            agreement_no: agreement.agreement_no.clone(),
            debit_times: req.debit_times.clone(),
            daily_attempts: req.daily_attempts,
            status: "ACTIVE".into(),
            create_time: now,
            next_run_at: next_debit_time(now, &times),
        };
        if !q::insert_plan_if_absent(tx, &plan)? {
            return Err(conflict(&req.out_plan_no));
        }
        let mut rows = Vec::new();
        for (k, (due_date, amount)) in req.instalments.iter().enumerate() {
            let row = InstalmentRow {
                plan_no: plan.plan_no.clone(),
                instalment_no: i64::try_from(k + 1).unwrap_or(i64::MAX),
                due_date: due_date.clone(),
                amount: *amount,
                status: "PENDING".into(),
                attempts: 0,
                attempt_day: None,
                attempts_on_day: 0,
                last_deduction_no: None,
                paid_time: None,
            };
            q::insert_instalment(tx, &row)?;
            rows.push(row);
        }
        Ok((plan, rows))
    })
}

/// An instalment's status as its last deduction now says: `PROCESSING` becomes `PAID`
/// when that deduction succeeded, `PENDING` when it failed.
fn settle(tx: &rusqlite::Connection, i: &mut InstalmentRow) -> Result<(), ApiError> {
    if i.status != "PROCESSING" {
        return Ok(());
    }
    let Some(no) = &i.last_deduction_no else {
        return Ok(());
    };
    if let Some(d) = deductions::store::get(tx, no)? {
        match d.status.as_str() {
            "SUCCESS" => {
                i.status = "PAID".into();
                i.paid_time = d.finish_time;
            }
            "FAIL" => i.status = "PENDING".into(),
            _ => {}
        }
    }
    Ok(())
}

/// Runs the debit run of `plan_no` due at `run_at`: each instalment that is due and not
/// paid gets a deduction, within its daily attempts; then the next run is scheduled (none
/// once all are paid: `COMPLETED`). A suspended agreement skips the run; a terminated or
/// failed one stops the plan. Returns the deductions made.
pub(crate) fn run(
    store: &Store,
    timing: &TimingConfig,
    plan_no: &str,
    run_at: i64,
) -> Result<usize, ApiError> {
    store.write(|tx| {
        let Some(mut plan) = q::get_plan(tx, plan_no)? else {
            return Ok(0);
        };
        if plan.next_run_at != Some(run_at) {
            return Ok(0);
        }
        let times = parse_debit_times(&plan.debit_times)
            .ok_or_else(|| ApiError::internal("a stored plan with bad debit times"))?;
        let agreement = agreements::store::get(tx, &plan.agreement_no)?
            .ok_or_else(|| ApiError::internal("a plan without its agreement"))?;
        let day = statements::format_date(statements::business_day(run_at)?);
        let mut made = 0;
        let mut instalments = q::instalments(tx, &plan.plan_no)?;
        match agreement.status.as_str() {
            "ACTIVE" => {
                for i in instalments.iter_mut().filter(|i| i.due_date <= day) {
                    settle(tx, i)?;
                    let used_today = if i.attempt_day.as_deref() == Some(day.as_str()) {
                        i.attempts_on_day
                    } else {
                        0
                    };
                    if i.status != "PENDING" || used_today >= plan.daily_attempts {
                        q::update_instalment(tx, i)?;
                        continue;
                    }
                    let d = deductions::create_in(
                        tx,
                        timing,
                        &plan.app_id,
                        &NewDeduction {
                            out_deduction_no: format!(
                                "{}-{}-{run_at}",
                                plan.plan_no, i.instalment_no
                            ),
                            agreement: AgreementRef {
                                agreement_no: Some(plan.agreement_no.clone()),
                                out_agreement_no: None,
                            },
                            amount: i.amount,
                            subject: format!("{} instalment {}", plan.out_plan_no, i.instalment_no),
                            passback_params: String::new(),
                        },
                        run_at,
                    )?;
                    made += 1;
                    i.attempts += 1;
                    i.attempt_day = Some(day.clone());
                    i.attempts_on_day = used_today + 1;
                    i.last_deduction_no = Some(d.deduction_no.clone());
                    i.status = match d.status.as_str() {
                        "SUCCESS" => {
                            i.paid_time = d.finish_time;
                            "PAID".into()
                        }
                        "FAIL" => "PENDING".into(),
                        _ => "PROCESSING".into(),
                    };
                    q::update_instalment(tx, i)?;
                }
            }
            "SUSPENDED" => {
                tracing::info!(%plan_no, "agreement suspended: debit run skipped");
            }
            _ => {
                plan.status = "STOPPED".into();
                plan.next_run_at = None;
                q::update_plan(tx, &plan)?;
                return Ok(0);
            }
        }
        if instalments.iter().all(|i| i.status == "PAID") {
            plan.status = "COMPLETED".into();
            plan.next_run_at = None;
        } else {
            plan.next_run_at = next_debit_time(run_at + 1, &times);
        }
        q::update_plan(tx, &plan)?;
        Ok(made)
    })
}

/// `plan.query`: the plan with its instalments, each as its last deduction now says.
pub(crate) fn query(
    store: &Store,
    app_id: &str,
    r: &PlanRef,
) -> Result<(PlanRow, Vec<InstalmentRow>), ApiError> {
    store.read(|c| {
        let plan = find(c, app_id, r)?;
        let mut instalments = q::instalments(c, &plan.plan_no)?;
        for i in &mut instalments {
            settle(c, i)?;
        }
        Ok((plan, instalments))
    })
}

/// A plan by gateway number with its instalments, for the admin API.
pub(crate) fn admin_view(
    store: &Store,
    plan_no: &str,
) -> Result<(PlanRow, Vec<InstalmentRow>), ApiError> {
    store.read(|c| {
        let plan = q::get_plan(c, plan_no)?
            .ok_or_else(|| ApiError::new(Code::PlanNotFound, format!("no plan {plan_no}")))?;
        let mut instalments = q::instalments(c, plan_no)?;
        for i in &mut instalments {
            settle(c, i)?;
        }
        Ok((plan, instalments))
    })
}

/// The business fields `plan.create` and `plan.query` answer with; `instalments` is JSON
/// text signed as it is (docs/protocol.md §3.1), like `bill.items.list`'s `items`.
pub(crate) fn response_fields(
    plan: &PlanRow,
    instalments: &[InstalmentRow],
) -> Result<Vec<(&'static str, String)>, ApiError> {
    let list: Vec<serde_json::Value> = instalments
        .iter()
        .map(|i| {
            serde_json::json!({
                "instalment_no": i.instalment_no.to_string(),
                "due_date": i.due_date,
                "amount": i.amount.to_string(),
                "status": i.status,
                "attempts": i.attempts.to_string(),
                "deduction_no": i.last_deduction_no.clone().unwrap_or_default(),
            })
        })
        .collect();
    Ok(vec![
        ("out_plan_no", plan.out_plan_no.clone()),
        ("plan_no", plan.plan_no.clone()),
        ("agreement_no", plan.agreement_no.clone()),
        ("status", plan.status.clone()),
        ("debit_times", plan.debit_times.clone()),
        ("daily_attempts", plan.daily_attempts.to_string()),
        (
            "instalments",
            serde_json::to_string(&list).map_err(ApiError::internal)?,
        ),
        ("create_time", plan.create_time.to_string()),
        (
            "next_run_time",
            plan.next_run_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-20T10:00:00+08:00.
    const T0: i64 = 1_795_140_000;

    #[test]
    fn debit_times_are_ascending_times_of_day() {
        assert_eq!(parse_debit_times("12:00,18:00"), Some(vec![720, 1_080]));
        for bad in [
            "",
            "18:00,12:00",
            "12:00,12:00",
            "12:00,",
            "24:00",
            "1:00,2:00,3:00,4:00,5:00,6:00,7:00",
        ] {
            assert_eq!(parse_debit_times(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_next_debit_time_is_the_first_at_or_after_the_moment() {
        let times = parse_debit_times("12:00,18:00").unwrap();
        assert_eq!(next_debit_time(T0, &times), Some(T0 + 2 * 3_600));
        assert_eq!(
            next_debit_time(T0 + 2 * 3_600, &times),
            Some(T0 + 2 * 3_600)
        );
        assert_eq!(
            next_debit_time(T0 + 2 * 3_600 + 1, &times),
            Some(T0 + 8 * 3_600)
        );
        // After 18:00: noon the next day.
        assert_eq!(
            next_debit_time(T0 + 8 * 3_600 + 1, &times),
            Some(T0 + 26 * 3_600)
        );
        // 00:30 local is before today's noon.
        let times = parse_debit_times("00:30").unwrap();
        assert_eq!(next_debit_time(T0, &times), Some(T0 + 14 * 3_600 + 30 * 60));
    }
}
