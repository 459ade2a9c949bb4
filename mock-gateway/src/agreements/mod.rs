//! Agreements (签约绑卡, docs/collection.md §2): a merchant binds a payer's card by a
//! signed `agreement.sign`; the gateway texts the payer a six-digit code (simulated: the
//! admin API shows it) and `agreement.confirm` with that code makes the agreement
//! `ACTIVE`. Active agreements can be suspended, resumed and terminated; only an `ACTIVE`
//! one can be debited ([`crate::deductions`]).
//!
//! The gateway never stores a card or mobile number: it keeps a mask to show and a SHA-256
//! digest that idempotency compares, and the card's last two digits select the simulated
//! bank's answer ([`crate::channels::Plan::for_card`]).

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod store;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::bills::mask_name;
use crate::error::{ApiError, Code};
use crate::ids;
use crate::lookup;
use crate::store::{Store, meta};
use store::{self as q, AgreementRow};

/// Seconds a confirmation code stays valid on the gateway clock.
pub(crate) const SMS_CODE_TTL_SECS: i64 = 300;
/// Wrong codes an agreement survives; the next one fails it.
pub(crate) const SMS_MAX_FAILURES: i64 = 5;

/// How a request names an agreement: by gateway number, merchant number, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AgreementRef {
    pub(crate) agreement_no: Option<String>,
    pub(crate) out_agreement_no: Option<String>,
}

fn not_found() -> ApiError {
    ApiError::new(
        Code::AgreementNotFound,
        "no such agreement for this merchant",
    )
}

/// Finds a merchant's agreement; other merchants' agreements are invisible. Both numbers
/// given must name the same agreement.
pub(crate) fn find(
    conn: &rusqlite::Connection,
    app_id: &str,
    r: &AgreementRef,
) -> Result<AgreementRow, ApiError> {
    lookup::find(
        app_id,
        (r.agreement_no.as_deref(), r.out_agreement_no.as_deref()),
        "out_agreement_no",
        |no| q::get(conn, no),
        |out| q::get_by_out_agreement_no(conn, app_id, out),
        not_found,
    )
}

/// The fields of `agreement.sign`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewAgreement {
    pub(crate) out_agreement_no: String,
    pub(crate) payer_name: String,
    pub(crate) card_no: String,
    pub(crate) bank_code: String,
    pub(crate) mobile: String,
    pub(crate) per_debit_limit: i64,
    pub(crate) daily_limit: i64,
    pub(crate) notify_url: String,
}

/// Lowercase hex SHA-256 of a number, salted with the merchant so two merchants' digests
/// of one card differ.
fn digest(app_id: &str, number: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(b"\0");
    h.update(number.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `622202******0128`: the first six digits (the bank's) and the last four.
pub(crate) fn mask_card(card_no: &str) -> String {
    let n = card_no.len();
    format!(
        "{}{}{}",
        &card_no[..6],
        "*".repeat(n - 10),
        &card_no[n - 4..]
    )
}

/// `138****8000`.
fn mask_mobile(mobile: &str) -> String {
    format!("{}****{}", &mobile[..3], &mobile[7..])
}

impl NewAgreement {
    fn same_as(&self, app_id: &str, a: &AgreementRow) -> bool {
        self.payer_name == a.payer_name
            && digest(app_id, &self.card_no) == a.card_digest
            && self.bank_code == a.bank_code
            && digest(app_id, &self.mobile) == a.mobile_digest
            && self.per_debit_limit == a.per_debit_limit
            && self.daily_limit == a.daily_limit
            && self.notify_url == a.notify_url
    }
}

/// Sends a fresh code (simulated: stored for the admin API) valid until `now` + TTL.
fn send_code(a: &mut AgreementRow, now: i64) -> Result<(), ApiError> {
    a.sms_code = Some(ids::sms_code()?);
    a.sms_expire_time = Some(now.saturating_add(SMS_CODE_TTL_SECS));
    tracing::info!(agreement_no = %a.agreement_no, mobile = %a.mobile_mask, "confirmation code sent (simulated SMS)");
    Ok(())
}

/// `agreement.sign`: idempotent on `(app_id, out_agreement_no)`. The same fields again
/// return the agreement as it is, and resend the code if it expired unconfirmed; other
/// fields are `AGREEMENT_CONFLICT`.
pub(crate) fn sign(
    store: &Store,
    app_id: &str,
    req: &NewAgreement,
    now: i64,
) -> Result<AgreementRow, ApiError> {
    let existing_or_conflict = |tx: &rusqlite::Connection, mut a: AgreementRow| {
        if !req.same_as(app_id, &a) {
            return Err(ApiError::new(
                Code::AgreementConflict,
                format!(
                    "out_agreement_no {} was used with different fields",
                    a.out_agreement_no
                ),
            ));
        }
        if a.status == "PENDING_CONFIRM" && a.sms_expire_time.is_some_and(|t| now > t) {
            send_code(&mut a, now)?;
            q::update(tx, &a)?;
        }
        Ok(a)
    };
    store.write(|tx| {
        if let Some(a) = q::get_by_out_agreement_no(tx, app_id, &req.out_agreement_no)? {
            return existing_or_conflict(tx, a);
        }
        let seq = meta::next_seq(tx, "agreement_no")?;
        let mut a = AgreementRow {
            agreement_no: ids::gateway_no('A', now, seq)?,
            app_id: app_id.to_owned(),
            out_agreement_no: req.out_agreement_no.clone(),
            payer_name: req.payer_name.clone(),
            card_digest: digest(app_id, &req.card_no),
            card_mask: mask_card(&req.card_no),
            bank_code: req.bank_code.clone(),
            mobile_digest: digest(app_id, &req.mobile),
            mobile_mask: mask_mobile(&req.mobile),
            per_debit_limit: req.per_debit_limit,
            daily_limit: req.daily_limit,
            notify_url: req.notify_url.clone(),
            status: "PENDING_CONFIRM".into(),
            sms_code: None,
            sms_expire_time: None,
            sms_failures: 0,
            create_time: now,
            sign_time: None,
            end_time: None,
        };
        send_code(&mut a, now)?;
        if q::insert_if_absent(tx, &a)? {
            Ok(a)
        } else {
            let a = q::get_by_out_agreement_no(tx, app_id, &req.out_agreement_no)?
                .ok_or_else(not_found)?;
            existing_or_conflict(tx, a)
        }
    })
}

fn state_invalid(a: &AgreementRow, what: &str) -> ApiError {
    ApiError::new(
        Code::AgreementStateInvalid,
        format!("an agreement in status {} cannot be {what}", a.status),
    )
}

/// `agreement.confirm`: the payer's code makes a `PENDING_CONFIRM` agreement `ACTIVE`.
/// A wrong code is counted (the count commits although the call fails); the fifth wrong
/// code fails the agreement for good. An agreement already confirmed is returned as it is.
pub(crate) fn confirm(
    store: &Store,
    app_id: &str,
    r: &AgreementRef,
    code: &str,
    now: i64,
) -> Result<AgreementRow, ApiError> {
    // The closure answers Ok(Err(..)) for a wrong code, so that the count commits.
    store.write(|tx| {
        let mut a = find(tx, app_id, r)?;
        match a.status.as_str() {
            "ACTIVE" | "SUSPENDED" => return Ok(Ok(a)),
            "PENDING_CONFIRM" => {}
            _ => return Err(state_invalid(&a, "confirmed")),
        }
        if a.sms_expire_time.is_none_or(|t| now > t) {
            return Err(ApiError::new(
                Code::SmsCodeExpired,
                "the confirmation code expired: call agreement.sign again to send a new one",
            ));
        }
        let expected = a.sms_code.clone().unwrap_or_default();
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            a.status = "ACTIVE".into();
            a.sign_time = Some(now);
            a.sms_code = None;
            a.sms_expire_time = None;
            q::update(tx, &a)?;
            return Ok(Ok(a));
        }
        a.sms_failures += 1;
        let left = SMS_MAX_FAILURES - a.sms_failures;
        let message = if left > 0 {
            format!("the confirmation code does not match ({left} attempts left)")
        } else {
            a.status = "FAILED".into();
            a.end_time = Some(now);
            a.sms_code = None;
            a.sms_expire_time = None;
            "the confirmation code does not match and no attempt is left: the agreement \
             is FAILED; sign again with a new out_agreement_no"
                .to_owned()
        };
        q::update(tx, &a)?;
        Ok(Err(ApiError::new(Code::SmsCodeInvalid, message)))
    })?
}

/// What `agreement.suspend`, `agreement.resume` and `agreement.terminate` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// `ACTIVE` → `SUSPENDED`.
    Suspend,
    /// `SUSPENDED` → `ACTIVE`.
    Resume,
    /// `PENDING_CONFIRM`, `ACTIVE`, `SUSPENDED` → `TERMINATED`, for good.
    Terminate,
}

/// Applies `change`; asking for the status the agreement already has returns it as it is.
pub(crate) fn change(
    store: &Store,
    app_id: &str,
    r: &AgreementRef,
    change: Change,
    now: i64,
) -> Result<AgreementRow, ApiError> {
    store.write(|tx| {
        let mut a = find(tx, app_id, r)?;
        let (from, to, what): (&[&str], &str, &str) = match change {
            Change::Suspend => (&["ACTIVE"], "SUSPENDED", "suspended"),
            Change::Resume => (&["SUSPENDED"], "ACTIVE", "resumed"),
            Change::Terminate => (
                &["PENDING_CONFIRM", "ACTIVE", "SUSPENDED"],
                "TERMINATED",
                "terminated",
            ),
        };
        if a.status == to {
            return Ok(a);
        }
        if !from.contains(&a.status.as_str()) {
            return Err(state_invalid(&a, what));
        }
        a.status = to.to_owned();
        if change == Change::Terminate {
            a.end_time = Some(now);
            a.sms_code = None;
            a.sms_expire_time = None;
        }
        q::update(tx, &a)?;
        Ok(a)
    })
}

/// `agreement.query`.
pub(crate) fn query(
    store: &Store,
    app_id: &str,
    r: &AgreementRef,
) -> Result<AgreementRow, ApiError> {
    store.read(|c| find(c, app_id, r))
}

/// The business fields every agreement method answers with, in documented order;
/// optional ones empty when they have no value (left out of the response).
pub(crate) fn response_fields(a: &AgreementRow) -> Vec<(&'static str, String)> {
    let time = |t: Option<i64>| t.map(|t| t.to_string()).unwrap_or_default();
    vec![
        ("out_agreement_no", a.out_agreement_no.clone()),
        ("agreement_no", a.agreement_no.clone()),
        ("status", a.status.clone()),
        ("payer_name", mask_name(&a.payer_name)),
        ("card_mask", a.card_mask.clone()),
        ("bank_code", a.bank_code.clone()),
        ("mobile_mask", a.mobile_mask.clone()),
        ("per_debit_limit", a.per_debit_limit.to_string()),
        ("daily_limit", a.daily_limit.to_string()),
        ("create_time", a.create_time.to_string()),
        ("sms_expire_time", time(a.sms_expire_time)),
        ("sign_time", time(a.sign_time)),
        ("end_time", time(a.end_time)),
    ]
}

/// An agreement by gateway number, for the admin API.
pub(crate) fn admin_view(store: &Store, agreement_no: &str) -> Result<AgreementRow, ApiError> {
    store
        .read(|c| Ok(q::get(c, agreement_no)?))?
        .ok_or_else(|| {
            ApiError::new(
                Code::AgreementNotFound,
                format!("no agreement {agreement_no}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_and_digested_per_merchant() {
        assert_eq!(mask_card("6222021234567890128"), "622202*********0128");
        assert_eq!(mask_card("4111111111111111"), "411111******1111");
        assert_eq!(mask_mobile("13800138000"), "138****8000");
        let a = digest("2026000000000001", "4111111111111111");
        assert_eq!(a.len(), 64);
        assert_ne!(a, digest("2026000000000002", "4111111111111111"));
    }
}
