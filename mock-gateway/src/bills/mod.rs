//! Payable items by region and the bills under them (docs/protocol.md §7.1, §7.2, §12.4,
//! §13): deterministic seed data plus bills added through the admin API.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Code};
use crate::fields;
use crate::store::Store;

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use store as q;

/// One payable item (a biller's product in a region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Item {
    pub(crate) item_id: &'static str,
    pub(crate) region_code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) category: &'static str,
    pub(crate) biller_name: &'static str,
    pub(crate) bill_prefix: &'static str,
}

/// The seeded items (§13), sorted by `item_id` byte order.
pub(crate) const ITEMS: [Item; 5] = [
    Item {
        item_id: "BJ-ELEC-01",
        region_code: "110000",
        name: "北京电费",
        category: "ELECTRICITY",
        biller_name: "国网北京市电力公司",
        bill_prefix: "BJE",
    },
    Item {
        item_id: "BJ-WATER-01",
        region_code: "110000",
        name: "北京水费",
        category: "WATER",
        biller_name: "北京市自来水集团",
        bill_prefix: "BJW",
    },
    Item {
        item_id: "SH-ELEC-01",
        region_code: "310000",
        name: "上海电费",
        category: "ELECTRICITY",
        biller_name: "国网上海市电力公司",
        bill_prefix: "SHE",
    },
    Item {
        item_id: "SH-GAS-01",
        region_code: "310000",
        name: "上海燃气费",
        category: "GAS",
        biller_name: "上海燃气有限公司",
        bill_prefix: "SHG",
    },
    Item {
        item_id: "SH-WATER-01",
        region_code: "310000",
        name: "上海水费",
        category: "WATER",
        biller_name: "上海城投水务",
        bill_prefix: "SHW",
    },
];

const CUSTOMER_NAMES: [&str; 10] = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞",
];

/// The item with this id.
pub(crate) fn item(item_id: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.item_id == item_id)
}

/// The `items` response value of `bill.items.list`: compact JSON text, elements sorted
/// by `item_id`, keys in the documented order, non-ASCII as literal UTF-8.
pub(crate) fn items_json(region_code: &str) -> Result<String, ApiError> {
    #[derive(Serialize)]
    struct Out<'a> {
        item_id: &'a str,
        name: &'a str,
        category: &'a str,
        biller_name: &'a str,
    }
    let items: Vec<Out<'_>> = ITEMS
        .iter()
        .filter(|i| i.region_code == region_code)
        .map(|i| Out {
            item_id: i.item_id,
            name: i.name,
            category: i.category,
            biller_name: i.biller_name,
        })
        .collect();
    serde_json::to_string(&items).map_err(ApiError::internal)
}

/// Loads the seed bills (§13) without touching bills that already exist.
pub(crate) fn seed(store: &Store) -> Result<(), ApiError> {
    store.write(|tx| {
        for item in &ITEMS {
            for n in 0..100i64 {
                q::insert_if_absent(
                    tx,
                    &q::BillRow {
                        item_id: item.item_id.to_owned(),
                        bill_no: format!("{}202611{n:04}", item.bill_prefix),
                        customer_name: CUSTOMER_NAMES[(n % 10) as usize].to_owned(),
                        amount_due: 1000 + 137 * n,
                        due_date: "2026-12-15".to_owned(),
                        status: "UNPAID".to_owned(),
                    },
                )?;
            }
        }
        Ok(())
    })
}

/// `李娜` → `李*`: the first character kept, every further one replaced by `*`.
pub(crate) fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// A bill as `bill.query` and the admin API show it (name masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct BillView {
    pub(crate) item_id: String,
    pub(crate) bill_no: String,
    pub(crate) customer_name: String,
    pub(crate) amount_due: String,
    pub(crate) due_date: String,
    pub(crate) status: String,
}

impl From<q::BillRow> for BillView {
    fn from(b: q::BillRow) -> Self {
        Self {
            item_id: b.item_id,
            bill_no: b.bill_no,
            customer_name: mask_name(&b.customer_name),
            amount_due: b.amount_due.to_string(),
            due_date: b.due_date,
            status: b.status,
        }
    }
}

/// Looks a bill up: `ITEM_NOT_FOUND`, `BILL_NOT_FOUND`.
pub(crate) fn find(
    conn: &rusqlite::Connection,
    item_id: &str,
    bill_no: &str,
) -> Result<q::BillRow, ApiError> {
    if item(item_id).is_none() {
        return Err(ApiError::new(
            Code::ItemNotFound,
            format!("no item {item_id}"),
        ));
    }
    q::get(conn, item_id, bill_no)?.ok_or_else(|| {
        ApiError::new(
            Code::BillNotFound,
            format!("no bill {bill_no} under {item_id}"),
        )
    })
}

/// `bill.query`.
pub(crate) fn query(store: &Store, item_id: &str, bill_no: &str) -> Result<BillView, ApiError> {
    store.read(|c| Ok(BillView::from(find(c, item_id, bill_no)?)))
}

/// `PUT /admin/bills/{item_id}/{bill_no}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PutBill {
    customer_name: Option<String>,
    amount_due: Option<String>,
    due_date: Option<String>,
    status: Option<String>,
}

/// Creates or replaces a bill; `true` if created.
pub(crate) fn put(
    store: &Store,
    item_id: &str,
    bill_no: &str,
    req: PutBill,
) -> Result<(BillView, bool), ApiError> {
    if item(item_id).is_none() {
        return Err(ApiError::new(
            Code::ItemNotFound,
            format!("no item {item_id}"),
        ));
    }
    fields::bill_no(bill_no)?;
    let customer_name = req
        .customer_name
        .ok_or_else(|| ApiError::field_missing("customer_name"))?;
    fields::text("customer_name", &customer_name, 64)?;
    let amount_due = req
        .amount_due
        .ok_or_else(|| ApiError::field_missing("amount_due"))?;
    let amount_due = fields::amount("amount_due", &amount_due, 1, 999_999_999_999_999)?;
    let due_date = req
        .due_date
        .ok_or_else(|| ApiError::field_missing("due_date"))?;
    fields::date("due_date", &due_date)?;
    let status = req.status.unwrap_or_else(|| "UNPAID".to_owned());
    fields::one_of("status", &status, &["UNPAID", "PAID"])?;
    let row = q::BillRow {
        item_id: item_id.to_owned(),
        bill_no: bill_no.to_owned(),
        customer_name,
        amount_due,
        due_date,
        status,
    };
    let created = store.write(|tx| Ok(q::upsert(tx, &row)?))?;
    Ok((BillView::from(row), created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_per_character() {
        assert_eq!(mask_name("李娜"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("X"), "X");
    }

    #[test]
    fn items_json_matches_the_documented_example() {
        assert_eq!(
            items_json("310000").unwrap(),
            r#"[{"item_id":"SH-ELEC-01","name":"上海电费","category":"ELECTRICITY","biller_name":"国网上海市电力公司"},{"item_id":"SH-GAS-01","name":"上海燃气费","category":"GAS","biller_name":"上海燃气有限公司"},{"item_id":"SH-WATER-01","name":"上海水费","category":"WATER","biller_name":"上海城投水务"}]"#
        );
        assert_eq!(items_json("999999").unwrap(), "[]");
    }

    #[test]
    fn seed_bill_42_is_the_documented_one() {
        let store = Store::open(None).unwrap();
        seed(&store).unwrap();
        let b = query(&store, "SH-WATER-01", "SHW2026110042").unwrap();
        assert_eq!(b.amount_due, "6754");
        assert_eq!(b.customer_name, "李*");
        assert_eq!(b.status, "UNPAID");
    }
}
