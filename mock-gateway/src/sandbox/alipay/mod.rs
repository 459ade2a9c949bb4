//! The Alipay sandbox (issue 20, docs/sandbox-alipay.md): `alipay.trade.*` at
//! `POST /alipay/gateway.do`, answered and notified as Alipay's open platform does, so an
//! integration built on Alipay's official SDK runs against the gateway unmodified apart
//! from the gateway URL and the keys.
//!
//! A merchant registered on the gateway (its `app_id` and RSA2 public key) is the Alipay
//! application; the gateway's RSA2 key is the "Alipay public key". The payer is the admin
//! API (`admin`): it pays or abandons a trade, which Alipay's sandbox cannot be made to do.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod bill;
pub(crate) mod cashier;
pub(crate) mod certs;
pub(crate) mod store;

use paysign_core::message::Amount;
use paysign_core::message::notification::TradeStatus;
use paysign_core::platform::spec::TestEvent;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::ids;
use crate::notifications::{self, SignedEvent};
use crate::state::AppState;
use crate::store::meta;
use store::{RefundRow, TradeRow};

/// A trade waiting for the payer.
pub(crate) const WAIT_BUYER_PAY: &str = "WAIT_BUYER_PAY";
/// Paid.
pub(crate) const TRADE_SUCCESS: &str = "TRADE_SUCCESS";
/// Closed unpaid, or refunded in full.
pub(crate) const TRADE_CLOSED: &str = "TRADE_CLOSED";

/// An answer of Alipay's that is not `10000 Success`: its public `code` and `msg`, and the
/// `sub_code` / `sub_msg` that say why (Alipay's published error codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlipayError {
    pub(crate) code: &'static str,
    pub(crate) msg: &'static str,
    pub(crate) sub_code: &'static str,
    pub(crate) sub_msg: String,
}

impl AlipayError {
    /// `40001 Missing Required Arguments`.
    pub(crate) fn missing(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40001",
            msg: "Missing Required Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40002 Invalid Arguments`.
    pub(crate) fn invalid(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40002",
            msg: "Invalid Arguments",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `40004 Business Failed`.
    pub(crate) fn business(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Self {
            code: "40004",
            msg: "Business Failed",
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// `20000 Service Currently Unavailable`: the gateway itself failed.
    pub(crate) fn system(e: &ApiError) -> Self {
        tracing::error!(error = %e.message, "alipay sandbox: internal error");
        Self {
            code: "20000",
            msg: "Service Currently Unavailable",
            sub_code: "ACQ.SYSTEM_ERROR",
            sub_msg: "系统错误".into(),
        }
    }

    fn trade_not_exist() -> Self {
        Self::business("ACQ.TRADE_NOT_EXIST", "交易不存在")
    }
}

impl From<ApiError> for AlipayError {
    fn from(e: ApiError) -> Self {
        Self::system(&e)
    }
}

impl From<rusqlite::Error> for AlipayError {
    fn from(e: rusqlite::Error) -> Self {
        Self::system(&ApiError::internal(e))
    }
}

/// The business fields of a `10000 Success` answer, or why not.
pub(crate) type Answer = Result<serde_json::Map<String, Value>, AlipayError>;

/// The business parameters (`biz_content`, a JSON object) of one call.
pub(crate) struct Biz<'a> {
    object: &'a serde_json::Map<String, Value>,
}

impl<'a> Biz<'a> {
    pub(crate) fn new(object: &'a serde_json::Map<String, Value>) -> Self {
        Self { object }
    }

    /// A string parameter; a number is read as its text (SDKs send amounts either way).
    fn text(&self, name: &str) -> Result<Option<String>, AlipayError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(invalid_parameter(format!("参数 {name} 必须是字符串"))),
        }
    }

    fn required(&self, name: &str) -> Result<String, AlipayError> {
        self.text(name)?.ok_or_else(|| {
            AlipayError::missing("isv.missing-parameter", format!("缺少必选参数 {name}"))
        })
    }

    /// An amount in yuan (`0.01` to `100000000`, at most two decimals), as fen.
    fn yuan(&self, name: &str) -> Result<Amount, AlipayError> {
        let text = self.required(name)?;
        let amount = Amount::parse_yuan(&text)
            .map_err(|_| invalid_parameter(format!("参数 {name} 金额格式错误: {text}")))?;
        if !(1..=10_000_000_000).contains(&amount.fen()) {
            return Err(invalid_parameter(format!(
                "参数 {name} 取值范围为 [0.01,100000000]: {text}"
            )));
        }
        Ok(amount)
    }

    /// A merchant number (`out_trade_no`, `out_request_no`): 1 to 64 of letters, digits
    /// and `_`, as Alipay documents.
    fn merchant_no(&self, name: &str) -> Result<Option<String>, AlipayError> {
        let Some(no) = self.text(name)? else {
            return Ok(None);
        };
        if no.len() > 64 || !no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(invalid_parameter(format!(
                "参数 {name} 只能包含字母、数字、下划线, 最长 64 位"
            )));
        }
        Ok(Some(no))
    }
}

fn invalid_parameter(sub_msg: impl Into<String>) -> AlipayError {
    AlipayError::business("ACQ.INVALID_PARAMETER", sub_msg)
}

/// What the gateway knows of one call besides its business parameters.
pub(crate) struct Call<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) notify_url: Option<&'a str>,
    pub(crate) now: i64,
    /// `http://HOST` as the caller reached the gateway (download links point back to it).
    pub(crate) origin: &'a str,
    /// Where the cashier sends the payer back (page and wap pay).
    pub(crate) return_url: Option<&'a str>,
    /// The charset the call declared: `utf-8` or `GBK`.
    pub(crate) charset: &'static str,
}

/// `alipay.trade.precreate`: a trade the payer pays by scanning `qr_code`. The same
/// `out_trade_no` with the same amount and subject is the same trade (the same code);
/// with another amount or subject it is `ACQ.CONTEXT_INCONSISTENT`.
pub(crate) fn precreate(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let trade = open_trade(state, call, biz)?;
    let mut answer = serde_json::Map::new();
    answer.insert("out_trade_no".into(), json!(trade.out_trade_no));
    answer.insert("qr_code".into(), json!(qr_code(&trade.trade_no)));
    Ok(answer)
}

/// `alipay.trade.page.pay` and `alipay.trade.wap.pay`: the payer's browser brings the
/// signed request; the trade opens (as [`precreate`]'s) and the sandbox's cashier page
/// shows it ([`cashier`]), whose button pays it and sends the payer to `return_url`.
pub(crate) fn page_pay(
    state: &AppState,
    call: &Call<'_>,
    biz: &Biz<'_>,
) -> Result<TradeRow, AlipayError> {
    open_trade(state, call, biz)
}

/// `alipay.trade.app.pay`: the order string a merchant's app hands to the Alipay app,
/// posted here as the Alipay app would post it. The trade opens (as [`precreate`]'s) and
/// the answer names it; the payer then pays through the admin API.
pub(crate) fn app_pay(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let trade = open_trade(state, call, biz)?;
    let mut answer = serde_json::Map::new();
    answer.insert("out_trade_no".into(), json!(trade.out_trade_no));
    answer.insert("trade_no".into(), json!(trade.trade_no));
    answer.insert("total_amount".into(), json!(yuan(trade.total_amount)?));
    answer.insert("seller_id".into(), json!(SELLER_ID));
    Ok(answer)
}

/// The sandbox's seller (Alipay's `seller_id`: the merchant's 16-digit partner id).
pub(crate) const SELLER_ID: &str = "2088000000000001";

/// A new trade `WAIT_BUYER_PAY`, or the waiting one this `out_trade_no` already names with
/// the same amount and subject (`ACQ.CONTEXT_INCONSISTENT` with others; a paid or closed
/// one is `ACQ.TRADE_HAS_SUCCESS` / `ACQ.TRADE_HAS_CLOSE`).
fn open_trade(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Result<TradeRow, AlipayError> {
    let out_trade_no = biz.merchant_no("out_trade_no")?.ok_or_else(|| {
        AlipayError::missing("isv.missing-parameter", "缺少必选参数 out_trade_no")
    })?;
    let amount = biz.yuan("total_amount")?;
    let subject = biz.required("subject")?;
    if subject.chars().count() > 256 {
        return Err(invalid_parameter("参数 subject 最长 256 个字符"));
    }
    let notify_url = call.notify_url.unwrap_or_default().to_owned();
    let return_url = call.return_url.unwrap_or_default().to_owned();
    let trade = state.store().write(|tx| {
        if let Some(existing) = store::by_out_trade_no(tx, call.app_id, &out_trade_no)? {
            return Ok(Err(existing));
        }
        let seq = meta::next_seq(tx, "alipay_trade")?;
        let trade = TradeRow {
            trade_no: alipay_trade_no(call.now, seq)?,
            app_id: call.app_id.to_owned(),
            out_trade_no: out_trade_no.clone(),
            total_amount: amount.fen(),
            subject: subject.clone(),
            notify_url: notify_url.clone(),
            status: WAIT_BUYER_PAY.to_owned(),
            refunded: 0,
            create_time: call.now,
            pay_time: None,
            close_time: None,
            events: 0,
            failing_refunds: 0,
            return_url: return_url.clone(),
            failing_queries: 0,
            charset: call.charset.to_owned(),
        };
        store::insert(tx, &trade)?;
        Ok(Ok(trade))
    })?;
    match trade {
        Ok(created) => Ok(created),
        Err(existing) if existing.total_amount != amount.fen() || existing.subject != subject => {
            Err(AlipayError::business(
                "ACQ.CONTEXT_INCONSISTENT",
                "交易信息被篡改: 同一 out_trade_no 的金额或标题与原交易不一致",
            ))
        }
        Err(existing) => match existing.status.as_str() {
            WAIT_BUYER_PAY => Ok(existing),
            TRADE_SUCCESS => Err(AlipayError::business(
                "ACQ.TRADE_HAS_SUCCESS",
                "交易已被支付",
            )),
            _ => Err(AlipayError::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")),
        },
    }
}

/// Alipay's 28-digit trade number: date, a fixed channel part, the sequence.
fn alipay_trade_no(now: i64, seq: i64) -> Result<String, ApiError> {
    let dated = ids::gateway_no('X', now, seq)?;
    // `X{YYYYMMDD}{seq:010}` → `{YYYYMMDD}2200140{seq:013}` (digits only, as Alipay's).
    Ok(format!("{}2200140{:013}", &dated[1..9], seq))
}

/// The code the payer scans: in the sandbox a URL naming the trade.
fn qr_code(trade_no: &str) -> String {
    format!("https://qr.alipay.com/sandbox{trade_no}")
}

/// The trade a call names by `out_trade_no` or `trade_no` (both: they must agree).
fn find(state: &AppState, app_id: &str, biz: &Biz<'_>) -> Result<TradeRow, AlipayError> {
    let out_trade_no = biz.merchant_no("out_trade_no")?;
    let trade_no = biz.text("trade_no")?;
    if out_trade_no.is_none() && trade_no.is_none() {
        return Err(invalid_parameter("out_trade_no 和 trade_no 不能同时为空"));
    }
    let found = state.store().read(|c| {
        Ok(match (&trade_no, &out_trade_no) {
            (Some(no), _) => store::by_trade_no(c, no)?,
            (None, Some(out)) => store::by_out_trade_no(c, app_id, out)?,
            (None, None) => None,
        })
    })?;
    found
        .filter(|t| t.app_id == app_id)
        .filter(|t| {
            out_trade_no
                .as_ref()
                .is_none_or(|out| *out == t.out_trade_no)
        })
        .ok_or_else(AlipayError::trade_not_exist)
}

fn yuan(fen: i64) -> Result<String, AlipayError> {
    Ok(Amount::from_fen(fen)
        .map_err(ApiError::from)?
        .to_yuan_string())
}

fn local_time(at: i64) -> Result<String, AlipayError> {
    Ok(crate::sandbox::beijing_time(at, false)?)
}

/// `alipay.trade.query`.
pub(crate) fn query(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let t = find(state, call.app_id, biz)?;
    // A rehearsed unknown outcome (the admin API): Alipay's system error, the merchant does
    // not learn the trade's status and must ask again.
    if t.failing_queries > 0 {
        state.store().write(|tx| {
            if let Some(mut t) = store::by_trade_no(tx, &t.trade_no)? {
                t.failing_queries = (t.failing_queries - 1).max(0);
                store::update(tx, &t)?;
            }
            Ok(())
        })?;
        return Err(AlipayError {
            code: "20000",
            msg: "Service Currently Unavailable",
            sub_code: "ACQ.SYSTEM_ERROR",
            sub_msg: "系统错误, 请稍后再查询".into(),
        });
    }
    let mut answer = serde_json::Map::new();
    answer.insert("trade_no".into(), json!(t.trade_no));
    answer.insert("out_trade_no".into(), json!(t.out_trade_no));
    answer.insert("trade_status".into(), json!(t.status));
    answer.insert("total_amount".into(), json!(yuan(t.total_amount)?));
    if let Some(paid) = t.pay_time {
        answer.insert("buyer_pay_amount".into(), json!(yuan(t.total_amount)?));
        answer.insert("send_pay_date".into(), json!(local_time(paid)?));
        answer.insert("buyer_logon_id".into(), json!("san***@sandbox.com"));
    }
    Ok(answer)
}

/// `alipay.trade.close`: an unpaid trade closes (again: still closed); a paid one cannot.
pub(crate) fn close(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let t = find(state, call.app_id, biz)?;
    let closed = state.store().write(|tx| {
        let Some(mut t) = store::by_trade_no(tx, &t.trade_no)? else {
            return Ok(None);
        };
        if t.status == WAIT_BUYER_PAY {
            t.status = TRADE_CLOSED.to_owned();
            t.close_time = Some(call.now);
            store::update(tx, &t)?;
        }
        Ok(Some(t))
    })?;
    let t = closed.ok_or_else(AlipayError::trade_not_exist)?;
    if t.status != TRADE_CLOSED {
        return Err(AlipayError::business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法: 已支付的交易不能关闭",
        ));
    }
    let mut answer = serde_json::Map::new();
    answer.insert("trade_no".into(), json!(t.trade_no));
    answer.insert("out_trade_no".into(), json!(t.out_trade_no));
    Ok(answer)
}

/// `alipay.trade.refund`: at most what is left of a paid trade; the same `out_request_no`
/// again is the same refund (`fund_change` `N`), with another amount
/// `ACQ.CONTEXT_INCONSISTENT`. A refund of everything closes the trade.
pub(crate) fn refund(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let t = find(state, call.app_id, biz)?;
    let amount = biz.yuan("refund_amount")?;
    // Alipay: without out_request_no the refund is the trade's one full refund.
    let out_request_no = biz
        .merchant_no("out_request_no")?
        .unwrap_or_else(|| t.out_trade_no.clone());
    let outcome = state.store().write(|tx| {
        let Some(mut t) = store::by_trade_no(tx, &t.trade_no)? else {
            return Ok(Err(AlipayError::trade_not_exist()));
        };
        if let Some(done) = store::refund(tx, &t.trade_no, &out_request_no)? {
            if done.refund_amount != amount.fen() {
                return Ok(Err(AlipayError::business(
                    "ACQ.CONTEXT_INCONSISTENT",
                    "交易信息被篡改: 同一 out_request_no 的退款金额与原退款不一致",
                )));
            }
            return Ok(Ok((t, false)));
        }
        if t.pay_time.is_none() {
            return Ok(Err(AlipayError::business(
                "ACQ.TRADE_STATUS_ERROR",
                "交易状态不合法: 交易未支付",
            )));
        }
        // A rehearsed failure (the admin API): Alipay's system error, nothing refunded; the
        // merchant retries with the same out_request_no.
        if t.failing_refunds > 0 {
            t.failing_refunds -= 1;
            store::update(tx, &t)?;
            return Ok(Err(AlipayError {
                code: "20000",
                msg: "Service Currently Unavailable",
                sub_code: "ACQ.SYSTEM_ERROR",
                sub_msg: "系统错误, 请使用相同的参数再次调用".into(),
            }));
        }
        if amount.fen() > t.total_amount - t.refunded {
            return Ok(Err(AlipayError::business(
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "退款金额超限: 退款金额大于可退金额",
            )));
        }
        store::insert_refund(
            tx,
            &RefundRow {
                trade_no: t.trade_no.clone(),
                out_request_no: out_request_no.clone(),
                refund_amount: amount.fen(),
                refund_time: call.now,
            },
        )?;
        t.refunded += amount.fen();
        if t.refunded == t.total_amount {
            t.status = TRADE_CLOSED.to_owned();
            t.close_time = Some(call.now);
        }
        store::update(tx, &t)?;
        Ok(Ok((t, true)))
    })??;
    let (t, moved) = outcome;
    let mut answer = serde_json::Map::new();
    answer.insert("trade_no".into(), json!(t.trade_no));
    answer.insert("out_trade_no".into(), json!(t.out_trade_no));
    answer.insert("buyer_logon_id".into(), json!("san***@sandbox.com"));
    answer.insert("fund_change".into(), json!(if moved { "Y" } else { "N" }));
    answer.insert("refund_fee".into(), json!(yuan(t.refunded)?));
    Ok(answer)
}

/// `alipay.trade.fastpay.refund.query`: as Alipay documents it, a refund that does not
/// exist is an answer without refund fields (not an error).
pub(crate) fn refund_query(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let t = find(state, call.app_id, biz)?;
    let out_request_no = biz.merchant_no("out_request_no")?.ok_or_else(|| {
        AlipayError::missing("isv.missing-parameter", "缺少必选参数 out_request_no")
    })?;
    let found = state
        .store()
        .read(|c| Ok(store::refund(c, &t.trade_no, &out_request_no)?))?;
    let mut answer = serde_json::Map::new();
    answer.insert("trade_no".into(), json!(t.trade_no));
    answer.insert("out_trade_no".into(), json!(t.out_trade_no));
    if let Some(r) = found {
        answer.insert("out_request_no".into(), json!(r.out_request_no));
        answer.insert("total_amount".into(), json!(yuan(t.total_amount)?));
        answer.insert("refund_amount".into(), json!(yuan(r.refund_amount)?));
        answer.insert("refund_status".into(), json!("REFUND_SUCCESS"));
        answer.insert("gmt_refund_pay".into(), json!(local_time(r.refund_time)?));
    }
    Ok(answer)
}

/// How long a bill's download link works: Alipay's expire after 30 seconds.
pub(crate) const BILL_LINK_SECS: i64 = 30;

/// `alipay.data.dataservice.bill.downloadurl.query`: a link to the zip of a natural day's
/// trade bill ([`bill`]), good for [`BILL_LINK_SECS`]. Only `bill_type` `trade` and days
/// (`yyyy-MM-dd`) that have ended; a day not over yet is `isp.bill_not_exist`, as Alipay's.
pub(crate) fn bill_download_url(state: &AppState, call: &Call<'_>, biz: &Biz<'_>) -> Answer {
    let bill_type = biz.required("bill_type")?;
    if bill_type != "trade" {
        return Err(invalid_parameter(format!(
            "bill_type {bill_type}: the sandbox has the trade bill only (trade)"
        )));
    }
    let date = biz.required("bill_date")?;
    let day = crate::sandbox::NaturalDay::parse(&date).ok_or_else(|| {
        invalid_parameter(format!(
            "bill_date {date}: the sandbox has daily bills, yyyy-MM-dd"
        ))
    })?;
    if !day.ended(call.now) {
        return Err(AlipayError::business("isp.bill_not_exist", "账单不存在"));
    }
    let expires = call.now + BILL_LINK_SECS;
    let compact = day.compact();
    let token = crate::sandbox::download_token(
        state.store(),
        &["alipay bill", call.app_id, &compact],
        expires,
    )?;
    let mut answer = serde_json::Map::new();
    answer.insert(
        "bill_download_url".into(),
        json!(format!(
            "{}/alipay/downloadBillFile.resource?bizType=trade&appId={}&bizDates={compact}&expires={expires}&token={token}",
            call.origin, call.app_id
        )),
    );
    Ok(answer)
}

/// The payer pays a waiting trade (admin): `TRADE_SUCCESS`, and Alipay's asynchronous
/// notification to the trade's `notify_url`, signed with the sandbox's Alipay key.
pub(crate) fn pay(
    state: &AppState,
    trade_no: &str,
    now: i64,
) -> Result<Option<TradeRow>, ApiError> {
    // The signer is the application's (RSA2 or SM2): found before the transaction, which
    // must not wait on the merchant cache.
    let Some(app_id) = state
        .store()
        .read(|c| Ok(store::by_trade_no(c, trade_no)?.map(|t| t.app_id)))?
    else {
        return Ok(None);
    };
    let signer = state.alipay_signer(&app_id, now);
    state.store().write(|tx| {
        let Some(mut t) = waiting(tx, trade_no)? else {
            return Ok(None);
        };
        t.status = TRADE_SUCCESS.to_owned();
        t.pay_time = Some(now);
        t.events += 1;
        store::update(tx, &t)?;
        if !t.notify_url.is_empty() {
            let notify_id = format!("{}_{}", t.trade_no, t.events);
            let nonce = hex_nonce()?;
            let message = paysign_core::testing::test_notification(
                &signer,
                &TestEvent {
                    status: &TradeStatus::Success,
                    amount: Amount::from_fen(t.total_amount)?,
                    app_id: &t.app_id,
                    merchant_id: "",
                    out_trade_no: &t.out_trade_no,
                    trade_no: &t.trade_no,
                    notify_id: &notify_id,
                    bill_no: None,
                    time: now,
                    nonce: &nonce,
                    encryption_key: None,
                    format: None,
                },
            )?;
            let body = String::from_utf8(message.body).map_err(ApiError::internal)?;
            let body = in_charset(&signer, body, &t.charset)?;
            notifications::write_signed(
                tx,
                SignedEvent {
                    notify_id: &notify_id,
                    app_id: &t.app_id,
                    trade_no: &t.trade_no,
                    out_trade_no: &t.out_trade_no,
                    trade_status: TRADE_SUCCESS,
                    notify_url: &t.notify_url,
                    body,
                    dialect: notifications::Dialect::Alipay,
                    headers: Vec::new(),
                },
                now,
            )?;
        }
        Ok(Some(t))
    })
}

/// A notification in the trade's charset: Alipay notifies a GBK application in GBK (the
/// `charset` field says so, the escapes are GBK, the signature covers the string's GBK
/// bytes). paysign-core's test notifier writes UTF-8; a GBK trade's is re-signed here.
fn in_charset(
    signer: &paysign_core::Signer,
    body: String,
    charset: &str,
) -> Result<String, ApiError> {
    if charset != "GBK" {
        return Ok(body);
    }
    let mut params = paysign_core::message::parse_request(
        body.as_bytes(),
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        crate::api::envelope::MAX_BODY_BYTES,
    )?;
    params.remove("sign");
    params.set("charset", "GBK")?;
    signer.sign_params(&mut params)?;
    Ok(paysign_core::message::encode_form_in(&params, "GBK")?)
}

/// Which calls of a trade the admin API makes fail with Alipay's system error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rehearsal {
    /// `alipay.trade.refund`: the merchant retries with the same `out_request_no`.
    Refunds,
    /// `alipay.trade.query`: the outcome stays unknown to the merchant, which asks again.
    Queries,
}

/// The next `count` calls of `kind` on trade `trade_no` fail with Alipay's system error
/// (admin), to rehearse a merchant's retry.
pub(crate) fn rehearse_failures(
    state: &AppState,
    trade_no: &str,
    kind: Rehearsal,
    count: i64,
) -> Result<Option<TradeRow>, ApiError> {
    if !(0..=100).contains(&count) {
        return Err(ApiError::field_invalid("count", "expected 0-100"));
    }
    state.store().write(|tx| {
        let Some(mut t) = store::by_trade_no(tx, trade_no)? else {
            return Ok(None);
        };
        match kind {
            Rehearsal::Refunds => t.failing_refunds = count,
            Rehearsal::Queries => t.failing_queries = count,
        }
        store::update(tx, &t)?;
        Ok(Some(t))
    })
}

/// The payer walks away (admin): the waiting trade is closed, as Alipay closes an unpaid
/// trade when its time runs out.
pub(crate) fn abandon(
    state: &AppState,
    trade_no: &str,
    now: i64,
) -> Result<Option<TradeRow>, ApiError> {
    state.store().write(|tx| {
        let Some(mut t) = waiting(tx, trade_no)? else {
            return Ok(None);
        };
        t.status = TRADE_CLOSED.to_owned();
        t.close_time = Some(now);
        store::update(tx, &t)?;
        Ok(Some(t))
    })
}

/// The trade `trade_no` if it exists, which the payer can act on only while it waits
/// (`ORDER_STATE_INVALID` otherwise).
fn waiting(tx: &rusqlite::Connection, trade_no: &str) -> Result<Option<TradeRow>, ApiError> {
    let Some(t) = store::by_trade_no(tx, trade_no)? else {
        return Ok(None);
    };
    if t.status != WAIT_BUYER_PAY {
        return Err(ApiError::new(
            crate::error::Code::OrderStateInvalid,
            format!("trade {trade_no} is {}, not WAIT_BUYER_PAY", t.status),
        ));
    }
    Ok(Some(t))
}

/// 32 lowercase hex digits of fresh randomness (a test notification's nonce).
fn hex_nonce() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(crate::statements::hex(&bytes))
}
