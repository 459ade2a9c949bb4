//! The Alipay sandbox's trade bill (业务明细, docs/sandbox-alipay.md §3): what
//! `alipay.data.dataservice.bill.downloadurl.query` links to. Like Alipay's, it is a zip
//! holding a GBK CSV of one natural day (Beijing time): a `交易` row per trade paid that
//! day and a `退款` row per refund made that day, between `#` comment lines, with the
//! merchant's fee as `服务费`.

use paysign_core::message::parse::Charset;

use super::store::{self, RefundRow, TradeRow};
use crate::error::ApiError;
use crate::sandbox::{NaturalDay, beijing_time, bill_text, signed_yuan, stored_zip};
use crate::state::AppState;

/// The bill's columns, as Alipay's 业务明细 names them.
const COLUMNS: [&str; 25] = [
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "商品名称",
    "创建时间",
    "完成时间",
    "门店编号",
    "门店名称",
    "操作员",
    "终端号",
    "对方账户",
    "订单金额（元）",
    "商家实收（元）",
    "支付宝红包（元）",
    "集分宝（元）",
    "支付宝优惠（元）",
    "商家优惠（元）",
    "券核销金额（元）",
    "券名称",
    "商家红包消费金额（元）",
    "卡消费金额（元）",
    "退款批次号/请求号",
    "服务费（元）",
    "分润（元）",
    "备注",
];

/// The zip of `app_id`'s trade bill of `day`, made at `now`, and its file name.
pub(crate) fn zip(
    state: &AppState,
    app_id: &str,
    day: &NaturalDay,
    now: i64,
) -> Result<(String, Vec<u8>), ApiError> {
    let (paid, refunded, fee_rate_bps) = state.store().read(|c| {
        let bps = crate::merchants::store::get(c, app_id)?.map_or(0, |m| m.fee_rate_bps);
        Ok((
            store::paid_between(c, app_id, day.start, day.end)?,
            store::refunded_between(c, app_id, day.start, day.end)?,
            bps,
        ))
    })?;
    let text = render(app_id, day, &paid, &refunded, fee_rate_bps, now)?;
    let csv = Charset::Gbk.encode(&text)?.into_owned();
    let stem = format!("{app_id}_{}", day.compact());
    let zip = stored_zip(&[(&format!("{stem}_业务明细.csv"), &csv)], now)?;
    Ok((format!("{stem}.csv.zip"), zip))
}

fn render(
    app_id: &str,
    day: &NaturalDay,
    paid: &[TradeRow],
    refunded: &[(TradeRow, RefundRow)],
    fee_rate_bps: i64,
    now: i64,
) -> Result<String, ApiError> {
    let date = crate::statements::format_date(day.date);
    let next = crate::statements::format_date(day.date.next_day().unwrap_or(day.date));
    let mut out = String::new();
    out.push_str("#支付宝业务明细查询\n");
    out.push_str(&format!("#账号：[{app_id}]\n"));
    out.push_str(&format!(
        "#起始日期：[{date} 00:00:00]   终止日期：[{next} 00:00:00]\n"
    ));
    out.push_str("#-----------------------------------------业务明细列表----------------------------------------\n");
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
    let zero = "0.00";
    for t in paid {
        let fee = crate::statements::fee(t.total_amount, fee_rate_bps);
        let cells = [
            t.trade_no.clone(),
            t.out_trade_no.clone(),
            "交易".into(),
            bill_text(&t.subject),
            beijing_time(t.create_time, false)?,
            beijing_time(t.pay_time.unwrap_or(t.create_time), false)?,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "san***@sandbox.com".into(),
            signed_yuan(t.total_amount),
            signed_yuan(t.total_amount),
            zero.into(),
            zero.into(),
            zero.into(),
            zero.into(),
            zero.into(),
            String::new(),
            zero.into(),
            zero.into(),
            String::new(),
            signed_yuan(-fee),
            zero.into(),
            String::new(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    for (t, r) in refunded {
        let fee = crate::statements::fee(r.refund_amount, fee_rate_bps);
        let cells = [
            t.trade_no.clone(),
            t.out_trade_no.clone(),
            "退款".into(),
            bill_text(&t.subject),
            beijing_time(t.create_time, false)?,
            beijing_time(r.refund_time, false)?,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            "san***@sandbox.com".into(),
            signed_yuan(t.total_amount),
            signed_yuan(-r.refund_amount),
            zero.into(),
            zero.into(),
            zero.into(),
            zero.into(),
            zero.into(),
            String::new(),
            zero.into(),
            zero.into(),
            r.out_request_no.clone(),
            signed_yuan(fee),
            zero.into(),
            String::new(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.push_str("#-----------------------------------------业务明细列表结束------------------------------------\n");
    let income: i64 = paid.iter().map(|t| t.total_amount).sum();
    let refunds: i64 = refunded.iter().map(|(_, r)| r.refund_amount).sum();
    out.push_str(&format!(
        "#交易合计：{}笔，商家实收共{}元，退款合计：{}笔，商家实退共{}元\n",
        paid.len(),
        signed_yuan(income),
        refunded.len(),
        signed_yuan(refunds)
    ));
    out.push_str(&format!("#导出时间：[{}]\n", beijing_time(now, false)?));
    Ok(out)
}
