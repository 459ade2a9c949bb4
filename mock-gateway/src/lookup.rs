//! How a request finds one of its merchant's records (docs/protocol.md §7 "Order lookup",
//! docs/collection.md §1): by the gateway's number, the merchant's, or both, which must then
//! name the same record. Another merchant's records are invisible: they answer as records
//! that do not exist. Orders, agreements, deductions, plans and payouts all look up this way.

use crate::error::ApiError;

/// A record a merchant owns under a number of its own.
pub(crate) trait Owned {
    /// The merchant's `app_id`.
    fn app_id(&self) -> &str;
    /// The merchant's number for it (`out_trade_no`, `out_deduction_no`, ...).
    fn merchant_no(&self) -> &str;
}

/// The numbers a request gave: the gateway's, the merchant's.
pub(crate) type Numbers<'a> = (Option<&'a str>, Option<&'a str>);

/// Finds `app_id`'s record by `numbers`: `by_gateway_no` reads it by the gateway's number,
/// `by_merchant_no` by the merchant's (for `app_id`). Neither number given is
/// `FIELD_MISSING` naming `merchant_field`; nothing found (or another merchant's, or the two
/// numbers naming different records) is `not_found`.
pub(crate) fn find<R: Owned>(
    app_id: &str,
    numbers: Numbers<'_>,
    merchant_field: &str,
    by_gateway_no: impl FnOnce(&str) -> rusqlite::Result<Option<R>>,
    by_merchant_no: impl FnOnce(&str) -> rusqlite::Result<Option<R>>,
    not_found: fn() -> ApiError,
) -> Result<R, ApiError> {
    match numbers {
        (Some(no), merchant) => {
            let record = by_gateway_no(no)?.ok_or_else(not_found)?;
            if record.app_id() != app_id || merchant.is_some_and(|m| m != record.merchant_no()) {
                return Err(not_found());
            }
            Ok(record)
        }
        (None, Some(merchant)) => by_merchant_no(merchant)?.ok_or_else(not_found),
        (None, None) => Err(ApiError::field_missing(merchant_field)),
    }
}
