//! `agreement.sign`, `agreement.confirm`, `agreement.query`, `agreement.suspend`,
//! `agreement.resume`, `agreement.terminate` (docs/collection.md §2): field checks (§4
//! step 11 of docs/protocol.md), then [`crate::agreements`].

use crate::agreements::{self, AgreementRef, Change, NewAgreement};
use crate::error::ApiError;
use crate::fields::{self, Fields, MAX_PAYMENT_FEN, ResponseFields};
use crate::state::AppState;

/// The agreement lookup fields: `agreement_no`, `out_agreement_no`, or both.
pub(crate) fn agreement_ref(f: Fields<'_>) -> Result<AgreementRef, ApiError> {
    let agreement_no = f.optional("agreement_no");
    let out_agreement_no = f.optional("out_agreement_no");
    if let Some(no) = agreement_no {
        fields::gateway_no("agreement_no", no)?;
    }
    if let Some(no) = out_agreement_no {
        fields::merchant_no("out_agreement_no", no)?;
    }
    if agreement_no.is_none() && out_agreement_no.is_none() {
        return Err(ApiError::field_missing("out_agreement_no"));
    }
    Ok(AgreementRef {
        agreement_no: agreement_no.map(str::to_owned),
        out_agreement_no: out_agreement_no.map(str::to_owned),
    })
}

/// `agreement.sign`.
pub(crate) fn sign(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let out_agreement_no = f.required("out_agreement_no")?;
    fields::merchant_no("out_agreement_no", out_agreement_no)?;
    let payer_name = f.required("payer_name")?;
    fields::text("payer_name", payer_name, 64)?;
    let card_no = f.required("card_no")?;
    fields::card_no(card_no)?;
    let bank_code = f.required("bank_code")?;
    fields::bank_code(bank_code)?;
    let mobile = f.required("mobile")?;
    fields::mobile(mobile)?;
    let per_debit_limit = fields::amount(
        "per_debit_limit",
        f.required("per_debit_limit")?,
        1,
        MAX_PAYMENT_FEN,
    )?;
    let daily_limit = fields::amount(
        "daily_limit",
        f.required("daily_limit")?,
        per_debit_limit,
        MAX_PAYMENT_FEN * 10,
    )?;
    let notify_url = f.required("notify_url")?;
    fields::notify_url("notify_url", notify_url)?;
    let a = agreements::sign(
        state.store(),
        app_id,
        &NewAgreement {
            out_agreement_no: out_agreement_no.to_owned(),
            payer_name: payer_name.to_owned(),
            card_no: card_no.to_owned(),
            bank_code: bank_code.to_owned(),
            mobile: mobile.to_owned(),
            per_debit_limit,
            daily_limit,
            notify_url: notify_url.to_owned(),
        },
        now,
    )?;
    Ok(agreements::response_fields(&a))
}

/// `agreement.confirm`.
pub(crate) fn confirm(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let r = agreement_ref(f)?;
    let code = f.required("sms_code")?;
    fields::sms_code(code)?;
    let a = agreements::confirm(state.store(), app_id, &r, code, now)?;
    Ok(agreements::response_fields(&a))
}

/// `agreement.query`.
pub(crate) fn query(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
) -> Result<ResponseFields, ApiError> {
    let a = agreements::query(state.store(), app_id, &agreement_ref(f)?)?;
    Ok(agreements::response_fields(&a))
}

/// `agreement.suspend`, `agreement.resume`, `agreement.terminate`.
pub(crate) fn change(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    change: Change,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let a = agreements::change(state.store(), app_id, &agreement_ref(f)?, change, now)?;
    Ok(agreements::response_fields(&a))
}
