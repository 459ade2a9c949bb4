//! Building and signing gateway requests (docs/protocol.md §2 and §7).
//!
//! One typed struct per method validates its fields (§6 "Field formats"); [`build_request`]
//! adds the common envelope (`app_id`, `method`, `version`, `timestamp`, `nonce`), signs
//! it, and returns a [`SignedRequest`] that renders as a form body, JSON or a query string.
//! The timestamp is the caller's clock (the core reads none); the nonce is random unless
//! given.

use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::message::fields;
use crate::message::parse::encode_form;
use crate::params::Params;
use crate::sign::Signer;

/// The protocol version this SDK speaks.
pub const PROTOCOL_VERSION: &str = "1.0";
pub use crate::message::fields::MAX_PAYMENT_FEN;

/// A gateway method with typed, validated fields.
pub trait GatewayMethod {
    /// The method name (`order.create`, ...), also the last path segment.
    const METHOD: &'static str;
    /// The business fields, validated; empty optional fields are left out.
    fn fields(&self) -> Result<Vec<(&'static str, String)>>;
}

/// Common fields of every request.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The merchant's app id.
    pub app_id: String,
    /// Request time, Unix seconds (the caller's clock).
    pub timestamp: i64,
    /// A unique nonce; `None` generates 32 random hex characters.
    pub nonce: Option<String>,
}

/// A signed request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The method name.
    pub method: &'static str,
    /// Every field including `sign_type` and `sign`.
    pub params: Params,
}

impl SignedRequest {
    /// The path to POST to: `/gateway/v1/{method}`.
    pub fn path(&self) -> String {
        format!("/gateway/v1/{}", self.method)
    }

    /// The nonce sent (a response must echo it).
    pub fn nonce(&self) -> &str {
        self.params.get("nonce").unwrap_or_default()
    }

    /// `application/x-www-form-urlencoded` body (UTF-8, percent-encoded once, space as
    /// `%20`: [`encode_form`], the rule of docs/protocol.md §1).
    pub fn to_form(&self) -> String {
        encode_form(&self.params)
    }

    /// A query string (same encoding as the form body), for GET-style transports.
    pub fn to_query(&self) -> String {
        self.to_form()
    }

    /// A flat JSON object of string values.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// Validates `method`, adds the envelope, and signs with `signer` (which adds `sign_type` and `sign`).
pub fn build_request<M: GatewayMethod>(
    method: &M,
    envelope: &Envelope,
    signer: &Signer,
) -> Result<SignedRequest> {
    let mut params = unsigned_request(M::METHOD, method.fields()?, envelope)?;
    signer.sign_params(&mut params)?;
    Ok(SignedRequest {
        method: M::METHOD,
        params,
    })
}

/// The parameters [`build_request`] signs: the envelope of `method` and its validated
/// `fields` ([`GatewayMethod::fields`]), without `sign_type` and `sign`. For callers whose
/// signature is made elsewhere (the npm package signs with the host's crypto).
///
/// Not generic on purpose: every method shares this one copy (the wasm runtime's size).
pub fn unsigned_request(
    method: &'static str,
    fields: Vec<(&'static str, String)>,
    envelope: &Envelope,
) -> Result<Params> {
    if envelope.app_id.is_empty() {
        return Err(Error::FieldMissing {
            field: "app_id".into(),
        });
    }
    if envelope.timestamp <= 0 {
        return Err(Error::TimestampInvalid {
            value: envelope.timestamp.to_string(),
        });
    }
    let nonce = match &envelope.nonce {
        Some(n) => {
            fields::nonce(n)?;
            n.clone()
        }
        None => random_nonce()?,
    };
    let mut params = Params::new();
    params.insert("app_id", envelope.app_id.clone())?;
    params.insert("method", method)?;
    params.insert("version", PROTOCOL_VERSION)?;
    params.insert("timestamp", envelope.timestamp.to_string())?;
    params.insert("nonce", nonce)?;
    for (name, value) in fields {
        params.insert(name, value)?;
    }
    Ok(params)
}

/// 16 random bytes as 32 lowercase hex characters.
pub fn random_nonce() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| Error::RandomUnavailable)?;
    Ok(crate::encoding::hex_upper(&bytes).to_ascii_lowercase())
}

/// `bill.items.list`: payable items in a region.
#[derive(Debug, Clone)]
pub struct ItemsList {
    /// 6-digit region code (GB/T 2260), e.g. `310000`.
    pub region_code: String,
}

/// `bill.query`: look up a bill.
#[derive(Debug, Clone)]
pub struct BillQuery {
    /// Item id, e.g. `SH-WATER-01`.
    pub item_id: String,
    /// Bill number.
    pub bill_no: String,
}

/// `order.create`: create an order to pay a bill (idempotent on `out_trade_no`).
#[derive(Debug, Clone)]
pub struct OrderCreate {
    /// The merchant's order number, 6–64 of `[A-Za-z0-9_-]`.
    pub out_trade_no: String,
    /// Item id.
    pub item_id: String,
    /// Bill number.
    pub bill_no: String,
    /// Amount to pay (must equal the bill's amount due).
    pub total_amount: Amount,
    /// Where the gateway posts the final result (http or https).
    pub notify_url: String,
    /// Optional description, up to 128 characters.
    pub subject: Option<String>,
    /// Optional opaque data returned in notifications, up to 512 bytes.
    pub passback_params: Option<String>,
}

/// Identifies an order by the merchant's or the gateway's number.
#[derive(Debug, Clone)]
pub enum OrderRef {
    /// The merchant's `out_trade_no`.
    OutTradeNo(String),
    /// The gateway's `trade_no`.
    TradeNo(String),
}

/// `order.pay`: pay an order.
#[derive(Debug, Clone)]
pub struct OrderPay {
    /// The order.
    pub order: OrderRef,
    /// `BALANCE` (default), `BANK_CARD` or `UNIONPAY`.
    pub pay_method: Option<String>,
}

/// `order.query`: the current state of an order.
#[derive(Debug, Clone)]
pub struct OrderQuery {
    /// The order.
    pub order: OrderRef,
}

/// `order.reverse`: reverse (冲正) a failed or uncertain payment.
#[derive(Debug, Clone)]
pub struct OrderReverse {
    /// The order.
    pub order: OrderRef,
}

/// `order.refund`: refund a paid order, fully or partly (idempotent on `out_refund_no`).
#[derive(Debug, Clone)]
pub struct OrderRefund {
    /// The order.
    pub order: OrderRef,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// Amount to refund (at most paid minus already refunded).
    pub refund_amount: Amount,
    /// Optional reason, up to 128 characters.
    pub refund_reason: Option<String>,
}

/// Statement kinds of `statement.download`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementType {
    /// Transaction flow (业务对账): payments, refunds and reversals.
    Transaction,
    /// Fund flow (资金对账): money in and out of the merchant's balance.
    Fund,
    /// Collection and payout (代收付对账): successful deductions and payouts
    /// (docs/collection.md).
    Collection,
}

impl StatementType {
    /// Every kind, in wire-name order of the protocol (§10.2).
    pub const ALL: [StatementType; 3] = [
        StatementType::Transaction,
        StatementType::Fund,
        StatementType::Collection,
    ];

    /// The wire name: `TRANSACTION`, `FUND` or `COLLECTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementType::Transaction => "TRANSACTION",
            StatementType::Fund => "FUND",
            StatementType::Collection => "COLLECTION",
        }
    }

    /// From the wire name (exact, upper case); `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// `TRANSACTION, FUND or COLLECTION`: what an error says is expected.
    pub fn expected() -> &'static str {
        "TRANSACTION, FUND or COLLECTION"
    }
}

/// `statement.download`: the statement of a business day.
#[derive(Debug, Clone)]
pub struct StatementDownload {
    /// `YYYY-MM-DD`.
    pub bill_date: String,
    /// Transaction flow, fund flow or collection and payout.
    pub kind: StatementType,
}

impl GatewayMethod for ItemsList {
    const METHOD: &'static str = "bill.items.list";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::region_code(&self.region_code)?;
        Ok(vec![("region_code", self.region_code.clone())])
    }
}

impl GatewayMethod for BillQuery {
    const METHOD: &'static str = "bill.query";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::item_id(&self.item_id)?;
        fields::bill_no(&self.bill_no)?;
        Ok(vec![
            ("item_id", self.item_id.clone()),
            ("bill_no", self.bill_no.clone()),
        ])
    }
}

impl GatewayMethod for OrderCreate {
    const METHOD: &'static str = "order.create";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_trade_no", &self.out_trade_no)?;
        fields::item_id(&self.item_id)?;
        fields::bill_no(&self.bill_no)?;
        fields::range(self.total_amount, 1, MAX_PAYMENT_FEN)?;
        fields::notify_url("notify_url", &self.notify_url)?;
        let mut fields = vec![
            ("out_trade_no", self.out_trade_no.clone()),
            ("item_id", self.item_id.clone()),
            ("bill_no", self.bill_no.clone()),
            ("total_amount", self.total_amount.to_string()),
            ("notify_url", self.notify_url.clone()),
        ];
        if let Some(subject) = non_empty(&self.subject) {
            fields::text("subject", subject, 128)?;
            fields.push(("subject", subject.to_owned()));
        }
        if let Some(passback) = non_empty(&self.passback_params) {
            fields::passback(passback)?;
            fields.push(("passback_params", passback.to_owned()));
        }
        Ok(fields)
    }
}

impl GatewayMethod for OrderPay {
    const METHOD: &'static str = "order.pay";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        let mut fields = vec![order_ref(&self.order)?];
        if let Some(method) = non_empty(&self.pay_method) {
            if !["BALANCE", "BANK_CARD", "UNIONPAY"].contains(&method) {
                return Err(Error::field_invalid(
                    "pay_method",
                    "expected BALANCE, BANK_CARD or UNIONPAY",
                ));
            }
            fields.push(("pay_method", method.to_owned()));
        }
        Ok(fields)
    }
}

impl GatewayMethod for OrderQuery {
    const METHOD: &'static str = "order.query";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![order_ref(&self.order)?])
    }
}

impl GatewayMethod for OrderReverse {
    const METHOD: &'static str = "order.reverse";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![order_ref(&self.order)?])
    }
}

impl GatewayMethod for OrderRefund {
    const METHOD: &'static str = "order.refund";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_refund_no", &self.out_refund_no)?;
        fields::range(self.refund_amount, 1, MAX_PAYMENT_FEN)?;
        let mut fields = vec![
            order_ref(&self.order)?,
            ("out_refund_no", self.out_refund_no.clone()),
            ("refund_amount", self.refund_amount.to_string()),
        ];
        if let Some(reason) = non_empty(&self.refund_reason) {
            fields::text("refund_reason", reason, 128)?;
            fields.push(("refund_reason", reason.to_owned()));
        }
        Ok(fields)
    }
}

impl GatewayMethod for StatementDownload {
    const METHOD: &'static str = "statement.download";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::date("bill_date", &self.bill_date)?;
        Ok(vec![
            ("bill_date", self.bill_date.clone()),
            ("type", self.kind.as_str().to_owned()),
        ])
    }
}

pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

fn order_ref(order: &OrderRef) -> Result<(&'static str, String)> {
    match order {
        OrderRef::OutTradeNo(no) => {
            fields::merchant_no("out_trade_no", no)?;
            Ok(("out_trade_no", no.clone()))
        }
        OrderRef::TradeNo(no) => {
            fields::gateway_no("trade_no", no)?;
            Ok(("trade_no", no.clone()))
        }
    }
}
