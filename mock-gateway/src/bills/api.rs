//! `bill.items.list` and `bill.query` (docs/protocol.md §7.1–7.2).

use crate::bills;
use crate::error::ApiError;
use crate::fields::{self, Fields, ResponseFields};
use crate::state::AppState;

/// `bill.items.list`: the payable items of a region.
pub(crate) fn items_list(f: Fields<'_>) -> Result<ResponseFields, ApiError> {
    let region_code = f.required("region_code")?;
    fields::region_code(region_code)?;
    Ok(vec![
        ("region_code", region_code.to_owned()),
        ("items", bills::items_json(region_code)?),
    ])
}

/// `bill.query`: one bill, customer name masked.
pub(crate) fn query(state: &AppState, f: Fields<'_>) -> Result<ResponseFields, ApiError> {
    let item_id = f.required("item_id")?;
    fields::item_id(item_id)?;
    let bill_no = f.required("bill_no")?;
    fields::bill_no(bill_no)?;
    let b = bills::query(state.store(), item_id, bill_no)?;
    Ok(vec![
        ("bill_no", b.bill_no),
        ("item_id", b.item_id),
        ("customer_name", b.customer_name),
        ("amount_due", b.amount_due),
        ("due_date", b.due_date),
        ("status", b.status),
    ])
}
