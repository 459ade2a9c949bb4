//! `deduction.create`, `deduction.query` (docs/collection.md §3): field checks (§4 step 11
//! of docs/protocol.md), then [`crate::deductions`].

use crate::agreements::api::agreement_ref;
use crate::deductions::{self, DeductionRef, NewDeduction};
use crate::error::ApiError;
use crate::fields::{self, Fields, MAX_PAYMENT_FEN, ResponseFields};
use crate::state::AppState;

/// `deduction.create`.
pub(crate) fn create(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let out_deduction_no = f.required("out_deduction_no")?;
    fields::merchant_no("out_deduction_no", out_deduction_no)?;
    let agreement = agreement_ref(f)?;
    let amount = fields::amount("amount", f.required("amount")?, 1, MAX_PAYMENT_FEN)?;
    let (subject, passback_params) = f.subject_and_passback()?;
    let d = deductions::create(
        state.store(),
        &state.timing(),
        app_id,
        &NewDeduction {
            out_deduction_no: out_deduction_no.to_owned(),
            agreement,
            amount,
            subject: subject.to_owned(),
            passback_params: passback_params.to_owned(),
        },
        now,
    )?;
    Ok(deductions::response_fields(&d))
}

/// `deduction.query`.
pub(crate) fn query(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
) -> Result<ResponseFields, ApiError> {
    let (deduction_no, out_deduction_no) = f.numbers("deduction_no", "out_deduction_no")?;
    let d = deductions::query(
        state.store(),
        app_id,
        &DeductionRef {
            deduction_no,
            out_deduction_no,
        },
    )?;
    Ok(deductions::response_fields(&d))
}
