//! The Alipay sandbox's cashier (收银台, docs/sandbox-alipay.md §3): where
//! `alipay.trade.page.pay` and `alipay.trade.wap.pay` send the payer's browser. It shows
//! the trade and one button, which pays it as the sandbox's payer (the trade succeeds and is
//! notified, as the admin API's `pay`) and sends the browser back to the merchant's
//! `return_url` with Alipay's signed synchronous return parameters
//! (`method` `alipay.trade.page.pay.return`, `out_trade_no`, `trade_no`, `total_amount` …).
//!
//! Only the browser that brought a signed page-pay request gets a page that can pay: the
//! button carries a token derived from the trade by the sandboxes' secret.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysign_core::params::Params;

use super::store::TradeRow;
use crate::console::escape_html;
use crate::error::ApiError;
use crate::state::AppState;

/// The methods whose answer is the cashier page.
pub(crate) const PAGE_METHODS: [&str; 2] = ["alipay.trade.page.pay", "alipay.trade.wap.pay"];

/// `POST /alipay/cashier/pay`: the cashier's button.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/alipay/cashier/pay", post(pay))
}

/// The token of the cashier page of trade `trade_no` opened by `method`.
fn token(state: &AppState, trade_no: &str, method: &str) -> Result<String, ApiError> {
    Ok(crate::statements::hex(&crate::sandbox::derive(
        state.store(),
        &["alipay cashier", trade_no, method],
    )?))
}

/// The page a strict policy allows: no script, styles inline, forms posted back here only.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

fn document(title: &str, content: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:32em;margin:2em auto\">\
         <h1>{title}</h1>{content}\
         <p style=\"color:#666\">paysign sandbox: no money moves (docs/sandbox-alipay.md)</p>\
         </body></html>\n",
        title = escape_html(title)
    )
}

/// The cashier page of a waiting trade opened by `method`.
pub(crate) fn page(state: &AppState, trade: &TradeRow, method: &str) -> Response {
    let token = match token(state, &trade.trade_no, method) {
        Ok(token) => token,
        Err(e) => return failure(&e),
    };
    let amount = paysign_core::message::Amount::from_fen(trade.total_amount)
        .map(|a| a.to_yuan_string())
        .unwrap_or_default();
    let content = format!(
        "<dl><dt>商户订单号 out_trade_no</dt><dd id=\"out_trade_no\">{out}</dd>\
         <dt>支付宝交易号 trade_no</dt><dd id=\"trade_no\">{no}</dd>\
         <dt>商品 subject</dt><dd>{subject}</dd>\
         <dt>金额 total_amount</dt><dd id=\"total_amount\">¥{amount}</dd></dl>\
         <form method=\"post\" action=\"/alipay/cashier/pay\">\
         <input type=\"hidden\" name=\"trade_no\" value=\"{no}\">\
         <input type=\"hidden\" name=\"method\" value=\"{method}\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">确认付款 Pay as the sandbox payer</button></form>",
        out = escape_html(&trade.out_trade_no),
        no = escape_html(&trade.trade_no),
        subject = escape_html(&trade.subject),
        method = escape_html(method),
    );
    html(StatusCode::OK, document("支付宝沙箱收银台", &content))
}

/// The page Alipay's cashier shows for a request it refuses: its code and sub_code.
pub(crate) fn refusal(e: &super::AlipayError) -> Response {
    let content = format!(
        "<p id=\"code\">{}</p><p id=\"sub_code\">{}</p><p>{}</p>",
        escape_html(e.code),
        escape_html(e.sub_code),
        escape_html(&e.sub_msg)
    );
    html(StatusCode::OK, document("支付宝沙箱: 请求被拒绝", &content))
}

fn failure(e: &ApiError) -> Response {
    tracing::error!(error = %e.message, "alipay sandbox cashier: internal error");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        document("支付宝沙箱: 系统错误", "<p>internal error</p>"),
    )
}

/// The button: pays the trade (a valid token only), then sends the browser to the trade's
/// `return_url` with the signed return parameters, or shows that it is paid.
async fn pay(State(state): State<AppState>, body: Bytes) -> Response {
    let form = match paysign_core::message::parse_request(
        &body,
        Some("application/x-www-form-urlencoded"),
        crate::api::envelope::MAX_BODY_BYTES,
    ) {
        Ok(form) => form,
        Err(_) => return bad_request("the form is malformed"),
    };
    let (trade_no, method, given) = (
        form.get("trade_no").unwrap_or_default(),
        form.get("method").unwrap_or_default(),
        form.get("token").unwrap_or_default(),
    );
    if !PAGE_METHODS.contains(&method) {
        return bad_request("not a cashier of this sandbox");
    }
    let expected = match token(&state, trade_no, method) {
        Ok(token) => token,
        Err(e) => return failure(&e),
    };
    use subtle::ConstantTimeEq;
    if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return bad_request("not a cashier of this sandbox");
    }
    let now = state.now();
    let trade = match super::pay(&state, trade_no, now) {
        Ok(Some(trade)) => trade,
        Ok(None) => return bad_request("no such trade"),
        Err(e) if e.code == crate::error::Code::OrderStateInvalid => {
            return html(
                StatusCode::CONFLICT,
                document(
                    "支付宝沙箱收银台",
                    &format!("<p>{}</p>", escape_html(&e.message)),
                ),
            );
        }
        Err(e) => return failure(&e),
    };
    if trade.return_url.is_empty() {
        return html(
            StatusCode::OK,
            document(
                "支付成功",
                &format!("<p id=\"trade_no\">{}</p>", escape_html(&trade.trade_no)),
            ),
        );
    }
    match return_location(&state, &trade, method, now) {
        Ok(location) => match HeaderValue::from_str(&location) {
            Ok(value) => {
                let mut response = StatusCode::FOUND.into_response();
                response.headers_mut().insert(header::LOCATION, value);
                response
            }
            Err(_) => bad_request("the trade's return_url is not a valid URL"),
        },
        Err(e) => failure(&e),
    }
}

fn bad_request(reason: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        document(
            "支付宝沙箱收银台",
            &format!("<p>{}</p>", escape_html(reason)),
        ),
    )
}

/// `return_url` with Alipay's synchronous return parameters, signed with the sandbox's
/// Alipay key over the sorted `k=v` string without `sign` and `sign_type`.
fn return_location(
    state: &AppState,
    trade: &TradeRow,
    method: &str,
    now: i64,
) -> Result<String, ApiError> {
    let timestamp = crate::sandbox::beijing_time(now, false)?;
    let amount = paysign_core::message::Amount::from_fen(trade.total_amount)?.to_yuan_string();
    let return_method = format!("{method}.return");
    let mut params = Params::new();
    for (name, value) in [
        ("app_id", trade.app_id.as_str()),
        ("auth_app_id", trade.app_id.as_str()),
        ("charset", "utf-8"),
        ("method", return_method.as_str()),
        ("out_trade_no", trade.out_trade_no.as_str()),
        ("seller_id", super::SELLER_ID),
        ("timestamp", timestamp.as_str()),
        ("total_amount", amount.as_str()),
        ("trade_no", trade.trade_no.as_str()),
        ("version", "1.0"),
    ] {
        params.insert(name, value)?;
    }
    state
        .alipay_signer(&trade.app_id, now)
        .sign_params(&mut params)?;
    let query = paysign_core::message::encode_form(&params);
    let separator = if trade.return_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(format!("{}{separator}{query}", trade.return_url))
}
