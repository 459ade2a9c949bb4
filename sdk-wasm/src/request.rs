//! Gateway requests (docs/protocol.md §2, §7), for JavaScript (the signing module).
//!
//! The core's typed methods ([`OrderCreate`], [`OrderPay`], …) validate the fields and
//! [`unsigned_request`] adds the envelope. The signature, though, belongs to the caller's
//! JavaScript `Signer`, so that its crypto provider (node:crypto, WebCrypto) does the RSA
//! step: [`prepare_request`] returns the validated, enveloped parameters unsigned, the
//! JavaScript layer signs them with `Signer.signParams` (which adds `sign_type` and `sign`
//! exactly as the core's `Signer::sign_params` does), and [`render_request`] renders the
//! signed parameters with the core's [`SignedRequest`].
//!
//! Fields arrive as a JavaScript object in camelCase (`outTradeNo`), amounts as integer
//! fen, read with [`JsOptions`]. A field of the wrong JavaScript type, or a name the
//! method does not have, is a `TypeError`;
//! a missing or invalid value is the core's `FIELD_MISSING` / `FIELD_INVALID` /
//! `AMOUNT_INVALID`.

use paysign_core::message::build::GatewayMethod;
use paysign_core::message::{
    BillQuery, Envelope, ItemsList, OrderCreate, OrderPay, OrderQuery, OrderRef, OrderRefund,
    OrderReverse, SignedRequest, StatementDownload, StatementType, unsigned_request,
};
use paysign_core::{Amount, Error, Params};
use wasm_bindgen::prelude::*;

use crate::errors::to_js;
use crate::options::JsOptions;
use crate::{flat, numbers};

/// The method names, in the order of docs/protocol.md §7.
pub const METHODS: [&str; 8] = [
    ItemsList::METHOD,
    BillQuery::METHOD,
    OrderCreate::METHOD,
    OrderPay::METHOD,
    OrderQuery::METHOD,
    OrderReverse::METHOD,
    OrderRefund::METHOD,
    StatementDownload::METHOD,
];

/// The validated, enveloped parameters of a request, unsigned, as `[name, value, …]`.
/// `timestamp` is the caller's clock (Unix seconds); `nonce` is random unless given.
#[wasm_bindgen(js_name = prepareRequest)]
pub fn prepare_request(
    method: &str,
    fields: JsValue,
    app_id: String,
    timestamp: f64,
    nonce: Option<String>,
) -> Result<Vec<String>, JsValue> {
    let envelope = Envelope {
        app_id,
        timestamp: numbers::unix_seconds(timestamp)?,
        nonce,
    };
    let what = format!("{method} fields");
    let text = |f: &JsOptions<'_>, name: &str| f.string(name).map(Option::unwrap_or_default);
    let params = match method {
        ItemsList::METHOD => {
            let f = JsOptions::new(&fields, &what, &["regionCode"])?;
            let method = ItemsList {
                region_code: text(&f, "regionCode")?,
            };
            unsigned(&method, &envelope)
        }
        BillQuery::METHOD => {
            let f = JsOptions::new(&fields, &what, &["itemId", "billNo"])?;
            let method = BillQuery {
                item_id: text(&f, "itemId")?,
                bill_no: text(&f, "billNo")?,
            };
            unsigned(&method, &envelope)
        }
        OrderCreate::METHOD => {
            let f = JsOptions::new(
                &fields,
                &what,
                &[
                    "outTradeNo",
                    "itemId",
                    "billNo",
                    "totalAmount",
                    "notifyUrl",
                    "subject",
                    "passbackParams",
                ],
            )?;
            let method = OrderCreate {
                out_trade_no: text(&f, "outTradeNo")?,
                item_id: text(&f, "itemId")?,
                bill_no: text(&f, "billNo")?,
                total_amount: amount("total_amount", f.number("totalAmount")?).map_err(to_js)?,
                notify_url: text(&f, "notifyUrl")?,
                subject: f.string("subject")?,
                passback_params: f.string("passbackParams")?,
            };
            unsigned(&method, &envelope)
        }
        OrderPay::METHOD => {
            let f = JsOptions::new(&fields, &what, &["outTradeNo", "tradeNo", "payMethod"])?;
            let method = OrderPay {
                order: order_ref(&f)?,
                pay_method: f.string("payMethod")?,
            };
            unsigned(&method, &envelope)
        }
        OrderQuery::METHOD => {
            let f = JsOptions::new(&fields, &what, &["outTradeNo", "tradeNo"])?;
            unsigned(
                &OrderQuery {
                    order: order_ref(&f)?,
                },
                &envelope,
            )
        }
        OrderReverse::METHOD => {
            let f = JsOptions::new(&fields, &what, &["outTradeNo", "tradeNo"])?;
            unsigned(
                &OrderReverse {
                    order: order_ref(&f)?,
                },
                &envelope,
            )
        }
        OrderRefund::METHOD => {
            let f = JsOptions::new(
                &fields,
                &what,
                &[
                    "outTradeNo",
                    "tradeNo",
                    "outRefundNo",
                    "refundAmount",
                    "refundReason",
                ],
            )?;
            let method = OrderRefund {
                order: order_ref(&f)?,
                out_refund_no: text(&f, "outRefundNo")?,
                refund_amount: amount("refund_amount", f.number("refundAmount")?).map_err(to_js)?,
                refund_reason: f.string("refundReason")?,
            };
            unsigned(&method, &envelope)
        }
        StatementDownload::METHOD => {
            let f = JsOptions::new(&fields, &what, &["billDate", "type"])?;
            let kind = match f.string("type")?.as_deref() {
                None | Some("") => {
                    return Err(to_js(Error::FieldMissing {
                        field: "type".to_owned(),
                    }));
                }
                Some(name) => StatementType::parse(name).ok_or_else(|| {
                    to_js(Error::FieldInvalid {
                        field: "type".to_owned(),
                        reason: format!("expected {}", StatementType::expected()),
                    })
                })?,
            };
            let method = StatementDownload {
                bill_date: text(&f, "billDate")?,
                kind,
            };
            unsigned(&method, &envelope)
        }
        other => Err(unknown_method(other)),
    }
    .map_err(to_js)?;
    Ok(params
        .iter()
        .flat_map(|(k, v)| [k.to_owned(), v.to_owned()])
        .collect())
}

/// The signed parameters (in the input buffers) of `method`, rendered by the core:
/// `[path, form body, query string, JSON]`.
#[wasm_bindgen(js_name = renderRequest)]
pub fn render_request(
    method: &str,
    lens_count: usize,
    bytes_count: usize,
) -> Result<Vec<String>, JsValue> {
    let method = METHODS
        .into_iter()
        .find(|m| *m == method)
        .ok_or_else(|| to_js(unknown_method(method)))?;
    let params = flat::take_params(lens_count, bytes_count).map_err(to_js)?;
    let request = SignedRequest { method, params };
    Ok(vec![
        request.path(),
        request.to_form(),
        request.to_query(),
        request.to_json(),
    ])
}

/// A required amount in fen.
fn amount(field: &str, value: Option<f64>) -> Result<Amount, Error> {
    numbers::fen(value.ok_or_else(|| Error::FieldMissing {
        field: field.to_owned(),
    })?)
}

/// The order named by exactly one of its numbers.
fn order_ref(f: &JsOptions<'_>) -> Result<OrderRef, JsValue> {
    match (f.string("outTradeNo")?, f.string("tradeNo")?) {
        (Some(out), None) => Ok(OrderRef::OutTradeNo(out)),
        (None, Some(trade)) => Ok(OrderRef::TradeNo(trade)),
        (Some(_), Some(_)) => Err(to_js(Error::FieldInvalid {
            field: "out_trade_no".to_owned(),
            reason: "name the order by outTradeNo or by tradeNo, not both".to_owned(),
        })),
        (None, None) => Err(to_js(Error::FieldMissing {
            field: "out_trade_no (or trade_no)".to_owned(),
        })),
    }
}

/// The core's request without its signature ([`unsigned_request`]: the envelope and the
/// validated fields, what `build_request` would sign).
fn unsigned<M: GatewayMethod>(method: &M, envelope: &Envelope) -> Result<Params, Error> {
    unsigned_request(M::METHOD, method.fields()?, envelope)
}

fn unknown_method(method: &str) -> Error {
    Error::FieldInvalid {
        field: "method".to_owned(),
        reason: format!(
            "unknown gateway method {method:?}; expected one of {}",
            METHODS.join(", ")
        ),
    }
}
