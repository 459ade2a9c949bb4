//! The exception queue (docs/protocol.md §12.12): orders, deductions and payouts whose
//! outcome stayed unknown after every poll (`MANUAL_REVIEW`), settled by an operator with
//! the outcome the channel confirmed by hand and a note saying how it was confirmed.
//!
//! It depends on the domains it settles (each domain's `settle_review` keeps its own rule:
//! booking, positions, notifications), never the reverse.

pub(crate) mod admin;
pub(crate) mod store;

use crate::error::{ApiError, Code};
use crate::store::Store;
use crate::{deductions, orders, payouts};
use store::Resolution;

/// Longest note, in characters.
const MAX_NOTE_CHARS: usize = 500;

/// What the operator decided.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decision {
    outcome: Option<String>,
    note: Option<String>,
    fail_code: Option<String>,
}

/// Settles the exception `kind`/`ref_no` (`ORDER`, `DEDUCTION`, `PAYOUT`) with `decision`,
/// in one transaction with the note.
pub(crate) fn resolve(
    store: &Store,
    kind: &str,
    ref_no: &str,
    decision: Decision,
    now: i64,
) -> Result<Resolution, ApiError> {
    let outcome = decision
        .outcome
        .ok_or_else(|| ApiError::field_missing("outcome"))?;
    let success = match outcome.as_str() {
        "SUCCESS" => true,
        "FAIL" => false,
        _ => {
            return Err(ApiError::field_invalid(
                "outcome",
                "expected SUCCESS or FAIL",
            ));
        }
    };
    let note = decision
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::field_missing("note"))?;
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
        return Err(ApiError::field_invalid(
            "note",
            format!("1-{MAX_NOTE_CHARS} characters, no control characters"),
        ));
    }
    let fail_code = match (success, decision.fail_code) {
        (true, Some(_)) => {
            return Err(ApiError::field_invalid(
                "fail_code",
                "only a FAIL takes a fail_code",
            ));
        }
        (_, Some(code))
            if code.is_empty()
                || code.len() > 64
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
        {
            return Err(ApiError::field_invalid(
                "fail_code",
                "expected 1-64 characters [A-Z0-9_]",
            ));
        }
        (_, code) => code,
    };
    let not_found = || {
        ApiError::new(
            Code::OrderNotFound,
            format!("no {} {ref_no}", kind.to_ascii_lowercase()),
        )
    };
    store.write(|tx| {
        let code = fail_code.as_deref();
        let found = match kind {
            "ORDER" => match orders::store::get(tx, ref_no)? {
                Some(mut o) if o.status == "MANUAL_REVIEW" => {
                    orders::settle_review(tx, &mut o, success, code, now)?;
                    orders::store::update(tx, &o)?;
                    true
                }
                Some(o) => {
                    return Err(ApiError::new(
                        Code::OrderStateInvalid,
                        format!("order {ref_no} is {}, not MANUAL_REVIEW", o.status),
                    ));
                }
                None => false,
            },
            "DEDUCTION" => deductions::settle_review(tx, ref_no, success, code, now)?.is_some(),
            "PAYOUT" => payouts::settle_review(tx, ref_no, success, code, now)?.is_some(),
            _ => {
                return Err(ApiError::field_invalid(
                    "kind",
                    "expected ORDER, DEDUCTION or PAYOUT",
                ));
            }
        };
        if !found {
            return Err(not_found());
        }
        let mut resolution = Resolution {
            id: 0,
            kind: kind.to_owned(),
            ref_no: ref_no.to_owned(),
            outcome: outcome.clone(),
            fail_code: if success {
                None
            } else {
                Some(code.unwrap_or("CHANNEL_DECLINED").to_owned())
            },
            note: note.clone(),
            at: now,
        };
        resolution.id = store::insert(tx, &resolution)?;
        Ok(resolution)
    })
}
