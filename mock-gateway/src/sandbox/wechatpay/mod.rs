//! The WeChat Pay v3 sandbox (issue 20, docs/sandbox-wechatpay.md): `/v3/pay/transactions/*`,
//! `/v3/refund/domestic/refunds` and `/v3/certificates`, authenticated, answered and
//! notified as WeChat Pay's API v3 does, so an integration built on a WeChat Pay SDK runs
//! against the gateway unmodified apart from the base URL and the keys.
//!
//! A merchant registered on the gateway (its `app_id` and RSA2 public key) is the WeChat
//! Pay merchant: its `app_id` is the `mchid`. The gateway's RSA2 key is the platform key
//! ([`platform`]). The payer is the admin API ([`admin`]): it pays, fails, keeps paying or
//! walks away, which WeChat Pay's own sandbox cannot be made to do.

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod bill;
pub(crate) mod platform;
pub(crate) mod store;

use axum::http::StatusCode;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339};
use paysign_core::platform::wechat_v3::NotificationContent;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Code};
use crate::notifications::{self, Dialect, SignedEvent};
use crate::sandbox::query_param;
use crate::state::AppState;
use crate::store::meta;
use store::{RefundRow, TransactionRow};

/// Waiting for the payer.
pub(crate) const NOTPAY: &str = "NOTPAY";
/// The payer is paying (entering a password): the state a merchant must poll through.
pub(crate) const USERPAYING: &str = "USERPAYING";
/// The payment failed (the bank refused).
pub(crate) const PAYERROR: &str = "PAYERROR";
/// Paid.
pub(crate) const SUCCESS: &str = "SUCCESS";
/// Paid, then refunded (in part or in full).
pub(crate) const REFUND: &str = "REFUND";
/// Closed unpaid.
pub(crate) const CLOSED: &str = "CLOSED";

/// An answer of WeChat Pay's that is not a success: the HTTP status, the `code` and the
/// `message` of its error body (WeChat Pay's published error codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WechatError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl WechatError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// `400 PARAM_ERROR`: a parameter is missing or malformed.
    pub(crate) fn param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "PARAM_ERROR", message)
    }

    /// `400 INVALID_REQUEST`: well-formed, but not allowed now.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// `401 SIGN_ERROR`: the request's `Authorization` does not verify.
    pub(crate) fn sign(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "SIGN_ERROR", message)
    }

    /// `404 ORDER_NOT_EXIST`.
    fn order_not_exist() -> Self {
        Self::new(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在")
    }

    /// `404 NOT_FOUND`: no such API.
    pub(crate) fn no_such_api() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "请求的资源不存在")
    }

    /// `500 SYSTEM_ERROR`: the gateway itself failed.
    pub(crate) fn system(e: &ApiError) -> Self {
        tracing::error!(error = %e.message, "wechatpay sandbox: internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SYSTEM_ERROR",
            "系统错误",
        )
    }
}

impl From<ApiError> for WechatError {
    fn from(e: ApiError) -> Self {
        Self::system(&e)
    }
}

impl From<rusqlite::Error> for WechatError {
    fn from(e: rusqlite::Error) -> Self {
        Self::system(&ApiError::internal(e))
    }
}

impl From<paysign_core::Error> for WechatError {
    fn from(e: paysign_core::Error) -> Self {
        Self::system(&ApiError::from(e))
    }
}

/// A success's body (`None`: `204 No Content`), or why not.
pub(crate) type Answer = Result<Option<Value>, WechatError>;

/// A request's JSON body, read with WeChat Pay's rules: each parameter's type checked, a
/// missing or malformed one `PARAM_ERROR` naming it.
pub(crate) struct Body<'a> {
    object: &'a Map<String, Value>,
    /// Where the object sits (`amount.`), for the messages.
    prefix: &'a str,
}

impl<'a> Body<'a> {
    pub(crate) fn new(object: &'a Map<String, Value>) -> Self {
        Self { object, prefix: "" }
    }

    fn text(&self, name: &str) -> Result<Option<&'a str>, WechatError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(WechatError::param(format!(
                "输入源“/body/{}{name}”映射到字段“{name}”类型不匹配, 应为字符串",
                self.prefix
            ))),
        }
    }

    fn required(&self, name: &str) -> Result<&'a str, WechatError> {
        self.text(name)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| WechatError::param(format!("{}{name} 为必填参数", self.prefix)))
    }

    /// A nested object (`amount`, `payer`, `scene_info`).
    fn object(&self, name: &str) -> Result<Option<Body<'a>>, WechatError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(inner)) => Ok(Some(Body {
                object: inner,
                // Only one level is ever nested in what the sandbox reads, but say where.
                prefix: match name {
                    "amount" => "amount.",
                    "payer" => "payer.",
                    "scene_info" => "scene_info.",
                    "h5_info" => "scene_info.h5_info.",
                    _ => "",
                },
            })),
            Some(_) => Err(WechatError::param(format!(
                "输入源“/body/{}{name}”映射到字段“{name}”类型不匹配, 应为对象",
                self.prefix
            ))),
        }
    }

    fn required_object(&self, name: &str) -> Result<Body<'a>, WechatError> {
        self.object(name)?
            .ok_or_else(|| WechatError::param(format!("{}{name} 为必填参数", self.prefix)))
    }

    /// An amount in fen: an integer from 1 up.
    fn fen(&self, name: &str) -> Result<i64, WechatError> {
        match self.object.get(name) {
            None | Some(Value::Null) => Err(WechatError::param(format!(
                "{}{name} 为必填参数",
                self.prefix
            ))),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(fen) if (1..=100_000_000_000).contains(&fen) => Ok(fen),
                _ => Err(WechatError::param(format!(
                    "{}{name} 应为 1 以上的整数 (单位: 分): {n}",
                    self.prefix
                ))),
            },
            Some(_) => Err(WechatError::param(format!(
                "输入源“/body/{}{name}”映射到字段“{name}”类型不匹配, 应为整数",
                self.prefix
            ))),
        }
    }

    /// `currency`, which can only be `CNY`.
    fn currency(&self) -> Result<(), WechatError> {
        match self.text("currency")? {
            None | Some("CNY") => Ok(()),
            Some(other) => Err(WechatError::param(format!(
                "{}currency 只支持 CNY: {other}",
                self.prefix
            ))),
        }
    }
}

/// A merchant number (`out_trade_no` 6 to 32, `out_refund_no` 1 to 64 characters of
/// letters, digits and `_-|*`, as WeChat Pay documents).
pub(crate) fn merchant_no(
    name: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), WechatError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"_-|*".contains(&b);
    if !(min..=max).contains(&value.len()) || !value.bytes().all(allowed) {
        return Err(WechatError::param(format!(
            "{name} 长度为 {min} 到 {max} 位, 只能是数字、大小写字母或 _-|*: {value}"
        )));
    }
    Ok(())
}

/// What the gateway knows of one call besides its body: the merchant `Authorization`
/// named (and verified), when, and how the caller reached the gateway.
pub(crate) struct Call<'a> {
    pub(crate) mchid: &'a str,
    pub(crate) now: i64,
    /// `http://HOST` (download links point back to it).
    pub(crate) origin: &'a str,
}

impl Call<'_> {
    /// A `mchid` the call names (body or query) must be the one its `Authorization` named.
    pub(crate) fn own_mchid(&self, mchid: &str) -> Result<(), WechatError> {
        if mchid != self.mchid {
            return Err(WechatError::param(format!(
                "mchid {mchid} 与 Authorization 的商户号 {} 不一致",
                self.mchid
            )));
        }
        Ok(())
    }
}

/// The kinds of prepay order: the path's last segment, and the trade type WeChat Pay
/// reports (`h5` is `MWEB`).
pub(crate) const PREPAY_KINDS: [(&str, &str); 3] =
    [("native", "NATIVE"), ("jsapi", "JSAPI"), ("h5", "MWEB")];

/// `POST /v3/pay/transactions/{native,jsapi,h5}`: an order the payer then pays. The same
/// `out_trade_no` with the same amount, description and kind is the same order (the same
/// prepay); with another, `INVALID_REQUEST` "商户订单号重复"; once paid `ORDERPAID`, closed
/// `ORDER_CLOSED`.
pub(crate) fn prepay(
    state: &AppState,
    call: &Call<'_>,
    trade_type: &str,
    body: &Body<'_>,
) -> Answer {
    let appid = body.required("appid")?;
    call.own_mchid(body.required("mchid")?)?;
    let description = body.required("description")?;
    if description.chars().count() > 127 {
        return Err(WechatError::param("description 最长 127 个字符"));
    }
    let out_trade_no = body.required("out_trade_no")?;
    merchant_no("out_trade_no", out_trade_no, 6, 32)?;
    let notify_url = body.required("notify_url")?;
    if !(notify_url.starts_with("https://") || notify_url.starts_with("http://")) {
        return Err(WechatError::param("notify_url 应为 http(s) 地址"));
    }
    let amount = body.required_object("amount")?;
    let total = amount.fen("total")?;
    amount.currency()?;
    let payer_openid = match trade_type {
        "JSAPI" => Some(
            body.required_object("payer")?
                .required("openid")?
                .to_owned(),
        ),
        _ => None,
    };
    if trade_type == "MWEB" {
        let scene = body.required_object("scene_info")?;
        scene.required("payer_client_ip")?;
        scene.required_object("h5_info")?.required("type")?;
    }
    let outcome = state.store().write(|tx| {
        if let Some(existing) = store::by_out_trade_no(tx, call.mchid, out_trade_no)? {
            return Ok(Err(existing));
        }
        let seq = meta::next_seq(tx, "wechatpay_transaction")?;
        let t = TransactionRow {
            mchid: call.mchid.to_owned(),
            out_trade_no: out_trade_no.to_owned(),
            appid: appid.to_owned(),
            trade_type: trade_type.to_owned(),
            description: description.to_owned(),
            total,
            notify_url: notify_url.to_owned(),
            payer_openid: payer_openid.clone(),
            prepay_id: format!(
                "wx{}{seq:020}",
                crate::sandbox::beijing_time(call.now, true)?
            ),
            transaction_id: None,
            trade_state: NOTPAY.to_owned(),
            refunded: 0,
            create_time: call.now,
            success_time: None,
            events: 0,
            failing_refunds: 0,
        };
        store::insert(tx, &t)?;
        Ok(Ok(t))
    })?;
    let t = match outcome {
        Ok(created) => created,
        Err(existing)
            if existing.total != total
                || existing.description != description
                || existing.trade_type != trade_type
                || existing.appid != appid =>
        {
            return Err(WechatError::invalid("201 商户订单号重复"));
        }
        Err(existing) => match existing.trade_state.as_str() {
            NOTPAY | USERPAYING | PAYERROR => existing,
            CLOSED => {
                return Err(WechatError::new(
                    StatusCode::BAD_REQUEST,
                    "ORDER_CLOSED",
                    "订单已关闭",
                ));
            }
            _ => {
                return Err(WechatError::new(
                    StatusCode::BAD_REQUEST,
                    "ORDERPAID",
                    "该订单已支付",
                ));
            }
        },
    };
    Ok(Some(match trade_type {
        "NATIVE" => json!({ "code_url": format!("weixin://wxpay/bizpayurl?pr={}", t.prepay_id) }),
        "JSAPI" => json!({ "prepay_id": t.prepay_id }),
        _ => json!({
            "h5_url": format!(
                "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={}&package=sandbox",
                t.prepay_id
            )
        }),
    }))
}

fn rfc3339(at: i64) -> Result<String, WechatError> {
    Ok(format_rfc3339(at, CHINA_STANDARD_TIME).map_err(ApiError::from)?)
}

/// The query answer (and the `TRANSACTION.SUCCESS` resource) of a transaction.
fn transaction_view(t: &TransactionRow) -> Result<Value, WechatError> {
    let mut view = json!({
        "appid": t.appid,
        "mchid": t.mchid,
        "out_trade_no": t.out_trade_no,
        "trade_type": t.trade_type,
        "trade_state": t.trade_state,
        "trade_state_desc": state_desc(&t.trade_state),
        "attach": "",
        "amount": { "total": t.total, "currency": "CNY" },
    });
    if let Some(id) = &t.transaction_id {
        view["transaction_id"] = json!(id);
        view["bank_type"] = json!("OTHERS");
    }
    if let Some(at) = t.success_time {
        view["success_time"] = json!(rfc3339(at)?);
        view["amount"] = json!({
            "total": t.total,
            "payer_total": t.total,
            "currency": "CNY",
            "payer_currency": "CNY",
        });
        view["payer"] = json!({ "openid": t.payer_openid.as_deref().unwrap_or(SANDBOX_OPENID) });
    }
    Ok(view)
}

/// The payer of a Native or H5 order, which names none.
const SANDBOX_OPENID: &str = "oSandboxPayer000000000000000";

fn state_desc(state: &str) -> &'static str {
    match state {
        NOTPAY => "订单未支付",
        USERPAYING => "用户支付中",
        PAYERROR => "支付失败，请重新下单支付",
        SUCCESS => "支付成功",
        REFUND => "转入退款",
        _ => "订单已关闭",
    }
}

/// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=` and
/// `…/id/{transaction_id}?mchid=`.
pub(crate) fn query(state: &AppState, call: &Call<'_>, by: TransactionRef<'_>) -> Answer {
    let t = find(state, call.mchid, by)?;
    Ok(Some(transaction_view(&t)?))
}

/// How a call names a transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TransactionRef<'a> {
    OutTradeNo(&'a str),
    TransactionId(&'a str),
}

fn find(
    state: &AppState,
    mchid: &str,
    by: TransactionRef<'_>,
) -> Result<TransactionRow, WechatError> {
    state
        .store()
        .read(|c| {
            Ok(match by {
                TransactionRef::OutTradeNo(no) => store::by_out_trade_no(c, mchid, no)?,
                TransactionRef::TransactionId(id) => store::by_transaction_id(c, mchid, id)?,
            })
        })?
        .ok_or_else(WechatError::order_not_exist)
}

/// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`: an unpaid order closes
/// (again: still closed, `204`); a paid one is `ORDERPAID`.
pub(crate) fn close(
    state: &AppState,
    call: &Call<'_>,
    out_trade_no: &str,
    body: &Body<'_>,
) -> Answer {
    call.own_mchid(body.required("mchid")?)?;
    let closed = state.store().write(|tx| {
        let Some(mut t) = store::by_out_trade_no(tx, call.mchid, out_trade_no)? else {
            return Ok(None);
        };
        if matches!(t.trade_state.as_str(), NOTPAY | USERPAYING | PAYERROR) {
            t.trade_state = CLOSED.to_owned();
            store::update(tx, &t)?;
        }
        Ok(Some(t))
    })?;
    let t = closed.ok_or_else(WechatError::order_not_exist)?;
    if t.trade_state != CLOSED {
        return Err(WechatError::new(
            StatusCode::BAD_REQUEST,
            "ORDERPAID",
            "订单已支付，不能关闭",
        ));
    }
    Ok(None)
}

/// `POST /v3/refund/domestic/refunds`: at most what is left of a paid order, named by
/// `transaction_id` or `out_trade_no`; `amount.total` must be the order's. The same
/// `out_refund_no` again is the same refund; with another amount or order,
/// `INVALID_REQUEST`. The refund succeeds at once and, given a `notify_url`, is notified
/// (`REFUND.SUCCESS`).
pub(crate) fn refund(state: &AppState, call: &Call<'_>, body: &Body<'_>) -> Answer {
    let by = match (body.text("transaction_id")?, body.text("out_trade_no")?) {
        (Some(id), _) if !id.is_empty() => TransactionRef::TransactionId(id),
        (_, Some(no)) if !no.is_empty() => TransactionRef::OutTradeNo(no),
        _ => {
            return Err(WechatError::param(
                "transaction_id 和 out_trade_no 必须二选一",
            ));
        }
    };
    let out_refund_no = body.required("out_refund_no")?;
    merchant_no("out_refund_no", out_refund_no, 1, 64)?;
    let reason = body.text("reason")?.unwrap_or_default();
    let notify_url = body.text("notify_url")?.unwrap_or_default();
    let amount = body.required_object("amount")?;
    let refund = amount.fen("refund")?;
    let total = amount.fen("total")?;
    amount.currency()?;
    let t = find(state, call.mchid, by).map_err(|_| {
        WechatError::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在")
    })?;
    if total != t.total {
        return Err(WechatError::param("订单金额 amount.total 与原订单不一致"));
    }
    let (signer, platform) = state.wechatpay_platform(call.now);
    let api_v3_key = platform::api_v3_key(state.store(), call.mchid)?;
    let serial = serial_for(state, call.mchid, &platform)?;
    let outcome = state.store().write(|tx| {
        let Some(mut t) = store::by_out_trade_no(tx, call.mchid, &t.out_trade_no)? else {
            return Ok(Err(WechatError::order_not_exist()));
        };
        if let Some(done) = store::refund(tx, call.mchid, out_refund_no)? {
            if done.refund != refund || done.out_trade_no != t.out_trade_no {
                return Ok(Err(WechatError::invalid(
                    "同一 out_refund_no 的退款金额或订单与原退款不一致",
                )));
            }
            return Ok(Ok((t, done)));
        }
        if !matches!(t.trade_state.as_str(), SUCCESS | REFUND) {
            return Ok(Err(WechatError::invalid("订单未支付, 不能退款")));
        }
        // A rehearsed failure (the admin API): nothing refunded; the merchant retries
        // with the same out_refund_no.
        if t.failing_refunds > 0 {
            t.failing_refunds -= 1;
            store::update(tx, &t)?;
            return Ok(Err(WechatError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SYSTEM_ERROR",
                "系统超时，请使用相同参数稍后重新调用",
            )));
        }
        if refund > t.total - t.refunded {
            return Ok(Err(WechatError::invalid("申请退款金额超过订单可退金额")));
        }
        let seq = meta::next_seq(tx, "wechatpay_refund")?;
        let r = RefundRow {
            mchid: call.mchid.to_owned(),
            out_refund_no: out_refund_no.to_owned(),
            refund_id: format!(
                "50{}{seq:016}",
                crate::sandbox::beijing_time(call.now, true)?
            ),
            out_trade_no: t.out_trade_no.clone(),
            refund,
            reason: reason.to_owned(),
            notify_url: notify_url.to_owned(),
            create_time: call.now,
        };
        store::insert_refund(tx, &r)?;
        t.refunded += refund;
        t.trade_state = REFUND.to_owned();
        store::update(tx, &t)?;
        if !r.notify_url.is_empty() {
            let resource = refund_resource(&t, &r).map_err(|e| ApiError::internal(e.message))?;
            notify(
                tx,
                &signer,
                &api_v3_key,
                &serial,
                Notice {
                    id: &format!("{}_1", r.refund_id),
                    t: &t,
                    notify_url: &r.notify_url,
                    event: ("REFUND.SUCCESS", "退款成功", "refund", REFUND),
                    resource: &resource,
                    now: call.now,
                },
            )?;
        }
        Ok(Ok((t, r)))
    })??;
    let (t, r) = outcome;
    Ok(Some(refund_view(&t, &r)?))
}

/// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
pub(crate) fn refund_query(state: &AppState, call: &Call<'_>, out_refund_no: &str) -> Answer {
    let found = state.store().read(|c| {
        let Some(r) = store::refund(c, call.mchid, out_refund_no)? else {
            return Ok(None);
        };
        let t = store::by_out_trade_no(c, call.mchid, &r.out_trade_no)?;
        Ok(t.map(|t| (t, r)))
    })?;
    let (t, r) = found.ok_or_else(|| {
        WechatError::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在")
    })?;
    Ok(Some(refund_view(&t, &r)?))
}

fn refund_view(t: &TransactionRow, r: &RefundRow) -> Result<Value, WechatError> {
    let at = rfc3339(r.create_time)?;
    Ok(json!({
        "refund_id": r.refund_id,
        "out_refund_no": r.out_refund_no,
        "transaction_id": t.transaction_id,
        "out_trade_no": t.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "success_time": at,
        "create_time": at,
        "status": "SUCCESS",
        "funds_account": "AVAILABLE",
        "amount": {
            "total": t.total,
            "refund": r.refund,
            "from": [],
            "payer_total": t.total,
            "payer_refund": r.refund,
            "settlement_refund": r.refund,
            "settlement_total": t.total,
            "discount_refund": 0,
            "currency": "CNY",
            "refund_fee": 0,
        },
        "promotion_detail": [],
    }))
}

/// The `REFUND.SUCCESS` resource: `mchid` but no `appid`, as WeChat Pay's.
fn refund_resource(t: &TransactionRow, r: &RefundRow) -> Result<Value, WechatError> {
    Ok(json!({
        "mchid": t.mchid,
        "out_trade_no": t.out_trade_no,
        "transaction_id": t.transaction_id,
        "out_refund_no": r.out_refund_no,
        "refund_id": r.refund_id,
        "refund_status": "SUCCESS",
        "success_time": rfc3339(r.create_time)?,
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": t.total,
            "refund": r.refund,
            "payer_total": t.total,
            "payer_refund": r.refund,
        },
    }))
}

/// `GET /v3/certificates`: the platform certificate, encrypted under the merchant's APIv3
/// key (`AEAD_AES_256_GCM`, associated data `certificate`), as WeChat Pay hands it out.
pub(crate) fn certificates(state: &AppState, call: &Call<'_>) -> Answer {
    let (signer, platform) = state.wechatpay_platform(call.now);
    let certificate = platform::certificate(state.store(), &signer, &platform, call.now)?;
    let key = platform::api_v3_key(state.store(), call.mchid)?;
    let nonce = &random_hex()?[..12];
    let ciphertext = paysign_core::platform::wechat_v3::encrypt_aead_aes_256_gcm(
        &key,
        nonce,
        "certificate",
        certificate.pem.as_bytes(),
    )?;
    Ok(Some(json!({
        "data": [{
            "serial_no": platform::certificate_serial(&platform),
            "effective_time": rfc3339(certificate.not_before)?,
            "expire_time": rfc3339(certificate.not_after)?,
            "encrypt_certificate": {
                "algorithm": paysign_core::platform::wechat_v3::AEAD_ALGORITHM,
                "nonce": nonce,
                "associated_data": "certificate",
                "ciphertext": ciphertext,
            },
        }],
    })))
}

/// How long a bill's download token works: WeChat Pay's last 30 seconds.
const BILL_LINK_SECS: i64 = 30;

/// `GET /v3/bill/tradebill?bill_date=&bill_type=`: a link to a natural day's trade bill
/// ([`bill`]) with its SHA-1, the download good for 30 seconds. A day not over yet is
/// `400 NO_STATEMENT_EXIST`; `tar_type=GZIP` is refused (the sandbox does not compress).
pub(crate) fn trade_bill(state: &AppState, call: &Call<'_>, query: &str) -> Answer {
    let date = query_param(query, "bill_date")
        .ok_or_else(|| WechatError::param("bill_date 为必填参数"))?;
    let day = crate::sandbox::NaturalDay::parse(date)
        .ok_or_else(|| WechatError::param(format!("bill_date 格式应为 yyyy-MM-dd: {date}")))?;
    let bill_type = query_param(query, "bill_type").unwrap_or("ALL");
    if !bill::BILL_TYPES.contains(&bill_type) {
        return Err(WechatError::param(format!(
            "bill_type 应为 ALL、SUCCESS 或 REFUND: {bill_type}"
        )));
    }
    if let Some(tar) = query_param(query, "tar_type") {
        return Err(WechatError::param(format!(
            "tar_type {tar}: the sandbox hands bills out uncompressed"
        )));
    }
    if !day.ended(call.now) {
        return Err(WechatError::new(
            StatusCode::BAD_REQUEST,
            "NO_STATEMENT_EXIST",
            "账单文件不存在",
        ));
    }
    let file = bill::render(state, call.mchid, &day, bill_type)?;
    let expires = call.now + BILL_LINK_SECS;
    let compact = day.compact();
    let mac = crate::sandbox::download_token(
        state.store(),
        &["wechatpay bill", call.mchid, &compact, bill_type],
        expires,
    )?;
    let token = format!("{compact}.{bill_type}.{expires}.{mac}");
    use sha1::Digest;
    let hash = crate::statements::hex(&sha1::Sha1::digest(&file));
    Ok(Some(json!({
        "hash_type": "SHA1",
        "hash_value": hash,
        "download_url": format!("{}/v3/billdownload/file?token={token}", call.origin),
    })))
}

/// `GET /v3/billdownload/file?token=`: the bill a [`trade_bill`] link names, for the
/// merchant it was made for, while its token holds. WeChat Pay signs no download: the
/// merchant checks the file against `hash_value`.
pub(crate) fn download(
    state: &AppState,
    call: &Call<'_>,
    query: &str,
) -> Result<Vec<u8>, WechatError> {
    let invalid = || WechatError::param("token 无效或已过期");
    let token = query_param(query, "token").ok_or_else(invalid)?;
    let mut parts = token.splitn(4, '.');
    let (Some(compact), Some(bill_type), Some(expires), Some(mac)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let expires: i64 = expires.parse().map_err(|_| invalid())?;
    let day = (compact.len() == 8)
        .then(|| format!("{}-{}-{}", &compact[..4], &compact[4..6], &compact[6..]))
        .and_then(|d| crate::sandbox::NaturalDay::parse(&d))
        .ok_or_else(invalid)?;
    if !bill::BILL_TYPES.contains(&bill_type)
        || !crate::sandbox::token_valid(
            state.store(),
            &["wechatpay bill", call.mchid, compact, bill_type],
            expires,
            mac,
            call.now,
        )?
    {
        return Err(invalid());
    }
    Ok(bill::render(state, call.mchid, &day, bill_type)?)
}

/// The name the merchant's SDK knows the platform key by (`Wechatpay-Serial`): its
/// public key id, or in certificate mode its certificate's serial.
pub(crate) fn serial_for(
    state: &AppState,
    mchid: &str,
    platform: &paysign_core::PublicKey,
) -> Result<String, ApiError> {
    let mode = state
        .store()
        .read(|c| Ok(store::platform_key_mode(c, mchid)?))?;
    Ok(if mode == store::CERTIFICATE {
        platform::certificate_serial(platform)
    } else {
        platform::public_key_id(platform)
    })
}

/// One notification to write.
struct Notice<'a> {
    id: &'a str,
    t: &'a TransactionRow,
    notify_url: &'a str,
    /// `event_type`, `summary`, `original_type`, and the trade status the outbox shows.
    event: (&'a str, &'a str, &'a str, &'a str),
    resource: &'a Value,
    now: i64,
}

/// Seals a notification (paysign-core's WeChat Pay v3 envelope) and writes it to the
/// outbox in the caller's transaction, to be delivered and retried until a 2xx.
fn notify(
    tx: &rusqlite::Connection,
    signer: &paysign_core::Signer,
    api_v3_key: &paysign_core::SharedSecret,
    serial: &str,
    notice: Notice<'_>,
) -> Result<(), ApiError> {
    let (event_type, summary, original_type, status) = notice.event;
    let nonce = random_hex()?;
    let message = paysign_core::testing::wechat_v3_notification(
        signer,
        &NotificationContent {
            id: notice.id,
            time: notice.now,
            signed_at: crate::sandbox::wall_clock(),
            event_type,
            summary,
            original_type,
            resource: notice.resource,
            nonce: &nonce,
            serial,
        },
        api_v3_key,
    )?;
    let body = String::from_utf8(message.body).map_err(ApiError::internal)?;
    notifications::write_signed(
        tx,
        SignedEvent {
            notify_id: notice.id,
            app_id: &notice.t.mchid,
            trade_no: notice
                .t
                .transaction_id
                .as_deref()
                .unwrap_or(&notice.t.prepay_id),
            out_trade_no: &notice.t.out_trade_no,
            trade_status: status,
            notify_url: notice.notify_url,
            body,
            dialect: Dialect::WechatpayV3,
            headers: message.headers,
        },
        notice.now,
    )
}

/// What the payer does (admin): `pay`, `fail`, `pending` (keeps paying) or `abandon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayerAction {
    /// Pays: `SUCCESS`, notified (`TRANSACTION.SUCCESS`).
    Pay,
    /// The bank refuses: `PAYERROR` (WeChat Pay does not notify failures).
    Fail,
    /// Starts paying and stays there: `USERPAYING`, what a merchant must poll through.
    Pending,
    /// Walks away: the order closes unpaid, as WeChat Pay closes it when it times out.
    Abandon,
}

impl PayerAction {
    pub(crate) const ALL: [(&'static str, Self); 4] = [
        ("pay", Self::Pay),
        ("fail", Self::Fail),
        ("pending", Self::Pending),
        ("abandon", Self::Abandon),
    ];
}

/// The payer acts on an order that waits for it (`NOTPAY` or `USERPAYING`; else
/// `ORDER_STATE_INVALID`).
pub(crate) fn payer(
    state: &AppState,
    mchid: &str,
    out_trade_no: &str,
    action: PayerAction,
    now: i64,
) -> Result<Option<TransactionRow>, ApiError> {
    let (signer, platform) = state.wechatpay_platform(now);
    let api_v3_key = platform::api_v3_key(state.store(), mchid)?;
    let serial = serial_for(state, mchid, &platform)?;
    state.store().write(|tx| {
        let Some(mut t) = store::by_out_trade_no(tx, mchid, out_trade_no)? else {
            return Ok(None);
        };
        if !matches!(t.trade_state.as_str(), NOTPAY | USERPAYING) {
            return Err(ApiError::new(
                Code::OrderStateInvalid,
                format!(
                    "order {out_trade_no} is {}, not NOTPAY or USERPAYING",
                    t.trade_state
                ),
            ));
        }
        match action {
            PayerAction::Pending => t.trade_state = USERPAYING.to_owned(),
            PayerAction::Fail => t.trade_state = PAYERROR.to_owned(),
            PayerAction::Abandon => t.trade_state = CLOSED.to_owned(),
            PayerAction::Pay => {
                let seq = meta::next_seq(tx, "wechatpay_paid")?;
                let date: String = crate::sandbox::beijing_time(now, true)?
                    .chars()
                    .take(8)
                    .collect();
                t.transaction_id = Some(format!("4200{seq:06}{date}{seq:010}"));
                t.trade_state = SUCCESS.to_owned();
                t.success_time = Some(now);
                t.events += 1;
            }
        }
        store::update(tx, &t)?;
        if action == PayerAction::Pay {
            let resource = transaction_view(&t).map_err(|e| ApiError::internal(e.message))?;
            let id = format!(
                "{}_{}",
                t.transaction_id.as_deref().unwrap_or_default(),
                t.events
            );
            notify(
                tx,
                &signer,
                &api_v3_key,
                &serial,
                Notice {
                    id: &id,
                    t: &t,
                    notify_url: &t.notify_url,
                    event: ("TRANSACTION.SUCCESS", "支付成功", "transaction", SUCCESS),
                    resource: &resource,
                    now,
                },
            )?;
        }
        Ok(Some(t))
    })
}

/// The next `count` refund calls of an order fail with WeChat Pay's `SYSTEM_ERROR`
/// (admin), to rehearse a merchant's refund retry.
pub(crate) fn fail_refunds(
    state: &AppState,
    mchid: &str,
    out_trade_no: &str,
    count: i64,
) -> Result<Option<TransactionRow>, ApiError> {
    if !(0..=100).contains(&count) {
        return Err(ApiError::field_invalid("count", "expected 0-100"));
    }
    state.store().write(|tx| {
        let Some(mut t) = store::by_out_trade_no(tx, mchid, out_trade_no)? else {
            return Ok(None);
        };
        t.failing_refunds = count;
        store::update(tx, &t)?;
        Ok(Some(t))
    })
}

/// 32 uppercase hex digits of fresh randomness (nonces).
pub(crate) fn random_hex() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(crate::statements::hex(&bytes).to_ascii_uppercase())
}
