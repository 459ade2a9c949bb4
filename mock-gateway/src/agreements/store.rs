//! The `agreements` table.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Serialize, Serializer};

use crate::bills::mask_name;

fn masked_name<S: Serializer>(name: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mask_name(name))
}

/// One agreement as stored. The card and mobile numbers are kept only as masks and
/// digests. Serialized as the admin API shows it: the name masked, no digest, the pending
/// code (the simulated SMS) included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AgreementRow {
    pub(crate) agreement_no: String,
    pub(crate) app_id: String,
    pub(crate) out_agreement_no: String,
    #[serde(serialize_with = "masked_name")]
    pub(crate) payer_name: String,
    #[serde(skip)]
    pub(crate) card_digest: String,
    pub(crate) card_mask: String,
    pub(crate) bank_code: String,
    #[serde(skip)]
    pub(crate) mobile_digest: String,
    pub(crate) mobile_mask: String,
    pub(crate) per_debit_limit: i64,
    pub(crate) daily_limit: i64,
    pub(crate) notify_url: String,
    pub(crate) status: String,
    /// The code sent to the payer, while the agreement waits for it.
    pub(crate) sms_code: Option<String>,
    pub(crate) sms_expire_time: Option<i64>,
    pub(crate) sms_failures: i64,
    pub(crate) create_time: i64,
    pub(crate) sign_time: Option<i64>,
    pub(crate) end_time: Option<i64>,
}

impl crate::lookup::Owned for AgreementRow {
    fn app_id(&self) -> &str {
        &self.app_id
    }
    fn merchant_no(&self) -> &str {
        &self.out_agreement_no
    }
}

const COLUMNS: &str = "agreement_no, app_id, out_agreement_no, payer_name, card_digest, \
     card_mask, bank_code, mobile_digest, mobile_mask, per_debit_limit, daily_limit, notify_url, \
     status, sms_code, sms_expire_time, sms_failures, create_time, sign_time, end_time";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AgreementRow> {
    Ok(AgreementRow {
        agreement_no: r.get(0)?,
        app_id: r.get(1)?,
        out_agreement_no: r.get(2)?,
        payer_name: r.get(3)?,
        card_digest: r.get(4)?,
        card_mask: r.get(5)?,
        bank_code: r.get(6)?,
        mobile_digest: r.get(7)?,
        mobile_mask: r.get(8)?,
        per_debit_limit: r.get(9)?,
        daily_limit: r.get(10)?,
        notify_url: r.get(11)?,
        status: r.get(12)?,
        sms_code: r.get(13)?,
        sms_expire_time: r.get(14)?,
        sms_failures: r.get(15)?,
        create_time: r.get(16)?,
        sign_time: r.get(17)?,
        end_time: r.get(18)?,
    })
}

/// Inserts a new agreement unless `(app_id, out_agreement_no)` exists; `true` if inserted
/// (the `UNIQUE` constraint decides, as for orders).
pub(crate) fn insert_if_absent(conn: &Connection, a: &AgreementRow) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO agreements ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
             ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
             ON CONFLICT (app_id, out_agreement_no) DO NOTHING"
        ))?
        .execute(params![
            a.agreement_no,
            a.app_id,
            a.out_agreement_no,
            a.payer_name,
            a.card_digest,
            a.card_mask,
            a.bank_code,
            a.mobile_digest,
            a.mobile_mask,
            a.per_debit_limit,
            a.daily_limit,
            a.notify_url,
            a.status,
            a.sms_code,
            a.sms_expire_time,
            a.sms_failures,
            a.create_time,
            a.sign_time,
            a.end_time,
        ])?;
    Ok(n == 1)
}

/// Writes every mutable column of an agreement.
pub(crate) fn update(conn: &Connection, a: &AgreementRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE agreements SET status = ?2, sms_code = ?3, sms_expire_time = ?4,
         sms_failures = ?5, sign_time = ?6, end_time = ?7 WHERE agreement_no = ?1",
    )?
    .execute(params![
        a.agreement_no,
        a.status,
        a.sms_code,
        a.sms_expire_time,
        a.sms_failures,
        a.sign_time,
        a.end_time,
    ])?;
    Ok(())
}

/// An agreement by gateway number.
pub(crate) fn get(conn: &Connection, agreement_no: &str) -> rusqlite::Result<Option<AgreementRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agreements WHERE agreement_no = ?1"
    ))?
    .query_row([agreement_no], from_row)
    .optional()
}

/// An agreement by merchant and merchant agreement number.
pub(crate) fn get_by_out_agreement_no(
    conn: &Connection,
    app_id: &str,
    out_agreement_no: &str,
) -> rusqlite::Result<Option<AgreementRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agreements WHERE app_id = ?1 AND out_agreement_no = ?2"
    ))?
    .query_row([app_id, out_agreement_no], from_row)
    .optional()
}
