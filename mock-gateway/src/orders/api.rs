//! `order.create`, `order.pay`, `order.query`, `order.reverse`, `order.refund`
//! (docs/protocol.md §7.3–7.7): field checks (§4 step 11), then [`crate::orders`].

use crate::error::ApiError;
use crate::fields::{self, Fields, MAX_PAYMENT_FEN, ResponseFields};
use crate::orders::{self, NewOrder, NewRefund, OrderRef};
use crate::state::AppState;

/// The order lookup fields (§7, "Order lookup").
fn order_ref(f: Fields<'_>) -> Result<OrderRef, ApiError> {
    let trade_no = f.optional("trade_no");
    let out_trade_no = f.optional("out_trade_no");
    if let Some(t) = trade_no {
        fields::gateway_no("trade_no", t)?;
    }
    if let Some(o) = out_trade_no {
        fields::merchant_no("out_trade_no", o)?;
    }
    if trade_no.is_none() && out_trade_no.is_none() {
        return Err(ApiError::field_missing("out_trade_no"));
    }
    Ok(OrderRef {
        trade_no: trade_no.map(str::to_owned),
        out_trade_no: out_trade_no.map(str::to_owned),
    })
}

/// `order.create`.
pub(crate) fn create(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let out_trade_no = f.required("out_trade_no")?;
    fields::merchant_no("out_trade_no", out_trade_no)?;
    let item_id = f.required("item_id")?;
    fields::item_id(item_id)?;
    let bill_no = f.required("bill_no")?;
    fields::bill_no(bill_no)?;
    let total_amount = fields::amount(
        "total_amount",
        f.required("total_amount")?,
        1,
        MAX_PAYMENT_FEN,
    )?;
    let notify_url = f.required("notify_url")?;
    fields::notify_url("notify_url", notify_url)?;
    let (subject, passback_params) = f.subject_and_passback()?;
    let o = orders::create(
        state.store(),
        app_id,
        &NewOrder {
            out_trade_no: out_trade_no.to_owned(),
            item_id: item_id.to_owned(),
            bill_no: bill_no.to_owned(),
            total_amount,
            notify_url: notify_url.to_owned(),
            subject: subject.to_owned(),
            passback_params: passback_params.to_owned(),
        },
        now,
    )?;
    Ok(vec![
        ("out_trade_no", o.out_trade_no),
        ("trade_no", o.trade_no),
        ("total_amount", o.total_amount.to_string()),
        ("status", o.status),
        ("create_time", o.create_time.to_string()),
    ])
}

/// `order.pay`.
pub(crate) fn pay(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let r = order_ref(f)?;
    let pay_method = f.optional("pay_method");
    if let Some(m) = pay_method {
        fields::one_of("pay_method", m, &["BALANCE", "BANK_CARD", "UNIONPAY"])?;
    }
    let o = orders::pay(state.store(), &state.timing(), app_id, &r, pay_method, now)?;
    let success = o.status == "SUCCESS";
    let failed = o.status == "FAIL";
    Ok(vec![
        ("out_trade_no", o.out_trade_no),
        ("trade_no", o.trade_no),
        ("total_amount", o.total_amount.to_string()),
        ("status", o.status),
        (
            "pay_time",
            if success {
                o.pay_time.map(|t| t.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
        ),
        (
            "fail_code",
            if failed {
                o.fail_code.unwrap_or_default()
            } else {
                String::new()
            },
        ),
    ])
}

/// `order.query`.
pub(crate) fn query(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
) -> Result<ResponseFields, ApiError> {
    let r = order_ref(f)?;
    let o = orders::query(state.store(), app_id, &r)?;
    Ok(orders::query_fields(&o))
}

/// `order.reverse`.
pub(crate) fn reverse(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let r = order_ref(f)?;
    let o = orders::reverse(state.store(), app_id, &r, now)?;
    Ok(vec![
        ("out_trade_no", o.out_trade_no),
        ("trade_no", o.trade_no),
        ("status", o.status),
        (
            "reverse_time",
            o.reverse_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
    ])
}

/// `order.refund`.
pub(crate) fn refund(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let r = order_ref(f)?;
    let out_refund_no = f.required("out_refund_no")?;
    fields::merchant_no("out_refund_no", out_refund_no)?;
    let refund_amount = fields::amount("refund_amount", f.required("refund_amount")?, 1, i64::MAX)?;
    let refund_reason = f.optional("refund_reason").unwrap_or_default();
    if !refund_reason.is_empty() {
        fields::text("refund_reason", refund_reason, 128)?;
    }
    let (o, rf) = orders::refund(
        state.store(),
        app_id,
        &r,
        &NewRefund {
            out_refund_no: out_refund_no.to_owned(),
            refund_amount,
            refund_reason: refund_reason.to_owned(),
        },
        now,
    )?;
    Ok(vec![
        ("out_trade_no", o.out_trade_no),
        ("trade_no", o.trade_no),
        ("out_refund_no", rf.out_refund_no),
        ("refund_no", rf.refund_no),
        ("refund_amount", rf.refund_amount.to_string()),
        ("refunded_amount", rf.refunded_after.to_string()),
        ("status", rf.status_after),
        ("refund_time", rf.refund_time.to_string()),
    ])
}
