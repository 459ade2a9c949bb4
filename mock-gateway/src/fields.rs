//! Field formats of docs/protocol.md §6, checked at step 11 of request processing (§4)
//! and by the admin API. The grammars are the core's ([`paysign_core::message::fields`]);
//! this module only reads fields and words the errors for the gateway's JSON.

use paysign_core::Params;
use paysign_core::message::fields as grammar;

use crate::error::{ApiError, Code};

pub(crate) use grammar::{
    MAX_PAYMENT_FEN, account_no, bank_code, bill_no, card_no, date, gateway_no, item_id,
    merchant_no, mobile, notify_url, passback, region_code, sms_code, text, timestamp,
};

/// Business fields of a successful response, in documented order.
pub(crate) type ResponseFields = Vec<(&'static str, String)>;

/// Read access to the business fields of a request; empty values count as absent (§1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a>(pub(crate) &'a Params);

impl<'a> Fields<'a> {
    /// The value, or `FIELD_MISSING`.
    pub(crate) fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.optional(name)
            .ok_or_else(|| ApiError::field_missing(name))
    }

    /// The optional `subject` (1-128 characters) and `passback_params` (at most 512
    /// bytes) of a payment or a deduction, empty when absent.
    pub(crate) fn subject_and_passback(&self) -> Result<(&'a str, &'a str), ApiError> {
        let subject = self.optional("subject").unwrap_or_default();
        if !subject.is_empty() {
            text("subject", subject, 128)?;
        }
        let passback_params = self.optional("passback_params").unwrap_or_default();
        passback(passback_params)?;
        Ok((subject, passback_params))
    }

    /// The lookup fields of a query: the gateway's number (`gateway_field`) and the
    /// merchant's (`merchant_field`), each checked when given; at least one is needed by
    /// the lookup itself.
    pub(crate) fn numbers(
        &self,
        gateway_field: &str,
        merchant_field: &str,
    ) -> Result<(Option<String>, Option<String>), ApiError> {
        let gateway = self.optional(gateway_field);
        let merchant = self.optional(merchant_field);
        if let Some(no) = gateway {
            gateway_no(gateway_field, no)?;
        }
        if let Some(no) = merchant {
            merchant_no(merchant_field, no)?;
        }
        Ok((gateway.map(str::to_owned), merchant.map(str::to_owned)))
    }

    /// The value, if present and non-empty.
    pub(crate) fn optional(&self, name: &str) -> Option<&'a str> {
        self.0.get(name).filter(|v| !v.is_empty())
    }
}

/// No value may contain a control character U+0000–U+001F or U+007F (§1).
pub(crate) fn check_no_control_chars(params: &Params) -> Result<(), ApiError> {
    Ok(grammar::params_without_control_chars(params)?)
}

/// `nonce` is well-formed.
pub(crate) fn is_nonce(value: &str) -> bool {
    grammar::nonce(value).is_ok()
}

/// `app_id` is well-formed (16 digits).
pub(crate) fn is_app_id(value: &str) -> bool {
    grammar::app_id(value).is_ok()
}

/// An amount in fen within `min..=max` (`AMOUNT_INVALID` naming `field` otherwise).
pub(crate) fn amount(field: &str, value: &str, min: i64, max: i64) -> Result<i64, ApiError> {
    grammar::amount(value, min, max)
        .map(|a| a.fen())
        .map_err(|e| ApiError::new(Code::AmountInvalid, format!("`{field}`: {e}")))
}

/// The `{field}` out of a set of accepted values.
pub(crate) fn one_of<'a>(
    field: &str,
    value: &'a str,
    allowed: &[&str],
) -> Result<&'a str, ApiError> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::field_invalid(
            field,
            format!("expected one of {}", allowed.join(", ")),
        ))
    }
}
