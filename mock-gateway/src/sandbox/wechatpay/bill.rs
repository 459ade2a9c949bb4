//! The WeChat Pay sandbox's trade bill (交易账单, docs/sandbox-wechatpay.md §3): what
//! `GET /v3/bill/tradebill` links to. As WeChat Pay's, one natural day (Beijing time) in
//! UTF-8 with a byte-order mark, CRLF lines, every field prefixed with a backtick: a `SUCCESS` row per order paid that day and a `REFUND`
//! row per refund made that day (bill type `ALL`; `SUCCESS` or `REFUND` keep only their
//! rows), then the totals, with the merchant's fee (`手续费`, 5 decimals) and rate.

use super::store::{self, RefundRow, TransactionRow};
use crate::error::ApiError;
use crate::sandbox::{NaturalDay, beijing_time, bill_text, signed_yuan};
use crate::state::AppState;

/// The bill's columns, as WeChat Pay's `ALL` bill names them.
const COLUMNS: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

/// The totals' columns.
const TOTALS: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

/// Which rows a bill holds (`bill_type`).
pub(crate) const BILL_TYPES: [&str; 3] = ["ALL", "SUCCESS", "REFUND"];

/// The bill of `mchid` for `day`, `bill_type` one of [`BILL_TYPES`].
pub(crate) fn render(
    state: &AppState,
    mchid: &str,
    day: &NaturalDay,
    bill_type: &str,
) -> Result<Vec<u8>, ApiError> {
    let (paid, refunded, fee_rate_bps) = state.store().read(|c| {
        let bps = crate::merchants::store::get(c, mchid)?.map_or(0, |m| m.fee_rate_bps);
        Ok((
            store::paid_between(c, mchid, day.start, day.end)?,
            store::refunded_between(c, mchid, day.start, day.end)?,
            bps,
        ))
    })?;
    let paid: &[TransactionRow] = if bill_type == "REFUND" { &[] } else { &paid };
    let refunded: &[(TransactionRow, RefundRow)] = if bill_type == "SUCCESS" {
        &[]
    } else {
        &refunded
    };
    let rate = format!("{}.{:02}%", fee_rate_bps / 100, fee_rate_bps % 100);
    // UTF-8 with a byte-order mark, as WeChat Pay's bills begin (SDKs skip it).
    let mut out = String::from('\u{feff}');
    out.push_str(COLUMNS);
    out.push_str("\r\n");
    let (mut settled, mut fees, mut ordered, mut refunds) = (0i64, 0i64, 0i64, 0i64);
    for t in paid {
        let fee = crate::statements::fee(t.total, fee_rate_bps);
        let cells = [
            beijing_time(t.success_time.unwrap_or(t.create_time), false)?,
            t.appid.clone(),
            t.mchid.clone(),
            "0".into(),
            String::new(),
            t.transaction_id.clone().unwrap_or_default(),
            t.out_trade_no.clone(),
            t.payer_openid
                .clone()
                .unwrap_or_else(|| super::SANDBOX_OPENID.to_owned()),
            t.trade_type.clone(),
            "SUCCESS".into(),
            "OTHERS".into(),
            "CNY".into(),
            signed_yuan(t.total),
            signed_yuan(0),
            "0".into(),
            "0".into(),
            signed_yuan(0),
            signed_yuan(0),
            String::new(),
            String::new(),
            bill_text(&t.description),
            String::new(),
            fee_yuan(fee),
            rate.clone(),
            signed_yuan(t.total),
            signed_yuan(0),
            String::new(),
        ];
        push_row(&mut out, &cells);
        settled += t.total;
        fees += fee;
        ordered += t.total;
    }
    for (t, r) in refunded {
        let fee = crate::statements::fee(r.refund, fee_rate_bps);
        let cells = [
            beijing_time(r.create_time, false)?,
            t.appid.clone(),
            t.mchid.clone(),
            "0".into(),
            String::new(),
            t.transaction_id.clone().unwrap_or_default(),
            t.out_trade_no.clone(),
            t.payer_openid
                .clone()
                .unwrap_or_else(|| super::SANDBOX_OPENID.to_owned()),
            t.trade_type.clone(),
            "REFUND".into(),
            "OTHERS".into(),
            "CNY".into(),
            signed_yuan(0),
            signed_yuan(0),
            r.refund_id.clone(),
            r.out_refund_no.clone(),
            signed_yuan(r.refund),
            signed_yuan(0),
            "ORIGINAL".into(),
            "SUCCESS".into(),
            bill_text(&t.description),
            String::new(),
            fee_yuan(-fee),
            rate.clone(),
            signed_yuan(0),
            signed_yuan(r.refund),
            String::new(),
        ];
        push_row(&mut out, &cells);
        fees -= fee;
        refunds += r.refund;
    }
    out.push_str(TOTALS);
    out.push_str("\r\n");
    let count = paid.len() + refunded.len();
    push_row(
        &mut out,
        &[
            count.to_string(),
            signed_yuan(settled),
            signed_yuan(refunds),
            signed_yuan(0),
            fee_yuan(fees),
            signed_yuan(ordered),
            signed_yuan(refunds),
        ],
    );
    Ok(out.into_bytes())
}

/// One row: every field prefixed with a backtick (WeChat Pay's guard against spreadsheets
/// reading numbers), joined by commas.
fn push_row(out: &mut String, cells: &[String]) {
    let row: Vec<String> = cells.iter().map(|c| format!("`{c}")).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

/// A fee in yuan with five decimals, as WeChat Pay's bills give it.
fn fee_yuan(fen: i64) -> String {
    format!("{}000", signed_yuan(fen))
}
