//! `plan.create`, `plan.query` (docs/collection.md §3.3): field checks (§4 step 11 of
//! docs/protocol.md), then [`crate::plans`].

use serde::Deserialize;

use crate::agreements::api::agreement_ref;
use crate::error::ApiError;
use crate::fields::{self, Fields, MAX_PAYMENT_FEN, ResponseFields};
use crate::plans::{
    self, DEFAULT_DAILY_ATTEMPTS, DEFAULT_DEBIT_TIMES, MAX_INSTALMENTS, NewPlan, PlanRef,
};
use crate::state::AppState;
use crate::strict_json;

/// One element of `instalments`: `{"due_date":"YYYY-MM-DD","amount":"<fen>"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Instalment {
    due_date: String,
    amount: String,
}

/// `instalments`: a JSON array of 1-60 instalments, due dates strictly ascending.
fn instalments(text: &str) -> Result<Vec<(String, i64)>, ApiError> {
    let invalid = |reason: &str| ApiError::field_invalid("instalments", reason);
    // The array is read by the admin bodies' strict rules (no duplicate key, no null, no
    // unknown key) as the one value of an object.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wrapped {
        instalments: Vec<Instalment>,
    }
    let wrapped: Wrapped = strict_json::parse(format!("{{\"instalments\":{text}}}").as_bytes())
        .map_err(|e| {
            invalid(&format!(
                "expected a JSON array of {{\"due_date\",\"amount\"}}: {}",
                e.message
            ))
        })?;
    let list = wrapped.instalments;
    if !(1..=MAX_INSTALMENTS).contains(&list.len()) {
        return Err(invalid(&format!(
            "expected 1-{MAX_INSTALMENTS} instalments"
        )));
    }
    let mut out: Vec<(String, i64)> = Vec::with_capacity(list.len());
    for (k, i) in list.into_iter().enumerate() {
        fields::date("due_date", &i.due_date)
            .map_err(|_| invalid(&format!("instalment {}: due_date is not YYYY-MM-DD", k + 1)))?;
        let amount = fields::amount("amount", &i.amount, 1, MAX_PAYMENT_FEN)
            .map_err(|e| invalid(&format!("instalment {}: {}", k + 1, e.message)))?;
        if out
            .last()
            .is_some_and(|(previous, _)| *previous >= i.due_date)
        {
            return Err(invalid(&format!(
                "instalment {}: due dates must be strictly ascending",
                k + 1
            )));
        }
        out.push((i.due_date, amount));
    }
    Ok(out)
}

/// `plan.create`.
pub(crate) fn create(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let out_plan_no = f.required("out_plan_no")?;
    fields::merchant_no("out_plan_no", out_plan_no)?;
    let agreement = agreement_ref(f)?;
    let instalments = instalments(f.required("instalments")?)?;
    let debit_times = f.optional("debit_times").unwrap_or(DEFAULT_DEBIT_TIMES);
    if plans::parse_debit_times(debit_times).is_none() {
        return Err(ApiError::field_invalid(
            "debit_times",
            "expected 1-6 times of day HH:MM (+08:00), ascending, comma-separated",
        ));
    }
    let daily_attempts = match f.optional("daily_attempts") {
        None => DEFAULT_DAILY_ATTEMPTS,
        Some(n) => match n.parse::<i64>() {
            Ok(parsed) if (1..=6).contains(&parsed) && parsed.to_string() == n => parsed,
            _ => return Err(ApiError::field_invalid("daily_attempts", "expected 1-6")),
        },
    };
    let (plan, rows) = plans::create(
        state.store(),
        app_id,
        &NewPlan {
            out_plan_no: out_plan_no.to_owned(),
            agreement,
            instalments,
            debit_times: debit_times.to_owned(),
            daily_attempts,
        },
        now,
    )?;
    plans::response_fields(&plan, &rows)
}

/// `plan.query`.
pub(crate) fn query(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
) -> Result<ResponseFields, ApiError> {
    let (plan_no, out_plan_no) = f.numbers("plan_no", "out_plan_no")?;
    let (plan, rows) = plans::query(
        state.store(),
        app_id,
        &PlanRef {
            plan_no,
            out_plan_no,
        },
    )?;
    plans::response_fields(&plan, &rows)
}
