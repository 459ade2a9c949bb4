//! `payout.create`, `payout.query` (docs/collection.md §3.4): field checks (§4 step 11 of
//! docs/protocol.md), then [`crate::payouts`].

use crate::error::ApiError;
use crate::fields::{self, Fields, MAX_PAYMENT_FEN, ResponseFields};
use crate::payouts::{self, NewPayout, PayoutRef};
use crate::state::AppState;

/// `payout.create`.
pub(crate) fn create(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let out_payout_no = f.required("out_payout_no")?;
    fields::merchant_no("out_payout_no", out_payout_no)?;
    let payee_name = f.required("payee_name")?;
    fields::text("payee_name", payee_name, 64)?;
    let account_no = f.required("account_no")?;
    fields::account_no(account_no)?;
    let bank_code = f.required("bank_code")?;
    fields::bank_code(bank_code)?;
    let amount = fields::amount("amount", f.required("amount")?, 1, MAX_PAYMENT_FEN)?;
    let purpose = f.optional("purpose").unwrap_or_default();
    if !purpose.is_empty() {
        fields::text("purpose", purpose, 128)?;
    }
    let notify_url = f.required("notify_url")?;
    fields::notify_url("notify_url", notify_url)?;
    let p = payouts::create(
        state.store(),
        &state.timing(),
        app_id,
        &NewPayout {
            out_payout_no: out_payout_no.to_owned(),
            payee_name: payee_name.to_owned(),
            account_no: account_no.to_owned(),
            bank_code: bank_code.to_owned(),
            amount,
            purpose: purpose.to_owned(),
            notify_url: notify_url.to_owned(),
        },
        now,
    )?;
    Ok(payouts::response_fields(&p))
}

/// `payout.query`.
pub(crate) fn query(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
) -> Result<ResponseFields, ApiError> {
    let (payout_no, out_payout_no) = f.numbers("payout_no", "out_payout_no")?;
    let p = payouts::query(
        state.store(),
        app_id,
        &PayoutRef {
            payout_no,
            out_payout_no,
        },
    )?;
    Ok(payouts::response_fields(&p))
}
