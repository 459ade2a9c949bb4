//! Field formats of docs/protocol.md §6, checked at step 11 of request processing (§4)
//! and by the admin API. Each check names the field in its error.

use paysign_core::Params;
use paysign_core::message::Amount;

use crate::error::{ApiError, Code};

/// Largest single payment, in fen (50,000.00 yuan).
pub(crate) const MAX_PAYMENT_FEN: i64 = 5_000_000;

/// Read access to the business fields of a request; empty values count as absent (§1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a>(pub(crate) &'a Params);

impl<'a> Fields<'a> {
    /// The value, or `FIELD_MISSING`.
    pub(crate) fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.optional(name)
            .ok_or_else(|| ApiError::field_missing(name))
    }

    /// The value, if present and non-empty.
    pub(crate) fn optional(&self, name: &str) -> Option<&'a str> {
        self.0.get(name).filter(|v| !v.is_empty())
    }
}

/// No value may contain a control character U+0000–U+001F or U+007F (§1).
pub(crate) fn check_no_control_chars(params: &Params) -> Result<(), ApiError> {
    for (k, v) in params.iter() {
        if v.chars().any(|c| c <= '\u{1f}' || c == '\u{7f}') {
            return Err(ApiError::field_invalid(
                k,
                "control characters are not allowed",
            ));
        }
    }
    Ok(())
}

fn all_bytes(value: &str, ok: impl Fn(u8) -> bool) -> bool {
    value.bytes().all(ok)
}

fn id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `out_trade_no`, `out_refund_no`: `^[A-Za-z0-9_-]{6,64}$`.
pub(crate) fn merchant_no(field: &str, value: &str) -> Result<(), ApiError> {
    if (6..=64).contains(&value.len()) && all_bytes(value, id_byte) {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            field,
            "expected 6-64 characters [A-Za-z0-9_-]",
        ))
    }
}

/// `trade_no` (gateway-issued): at most 64 characters `[A-Za-z0-9_-]`.
pub(crate) fn gateway_no(field: &str, value: &str) -> Result<(), ApiError> {
    if (1..=64).contains(&value.len()) && all_bytes(value, id_byte) {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            field,
            "expected at most 64 characters [A-Za-z0-9_-]",
        ))
    }
}

/// `item_id`: `^[A-Z0-9-]{1,32}$`.
pub(crate) fn item_id(value: &str) -> Result<(), ApiError> {
    let ok = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-';
    if (1..=32).contains(&value.len()) && all_bytes(value, ok) {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            "item_id",
            "expected 1-32 characters [A-Z0-9-]",
        ))
    }
}

/// `bill_no`: `^[A-Za-z0-9_-]{1,32}$`.
pub(crate) fn bill_no(value: &str) -> Result<(), ApiError> {
    if (1..=32).contains(&value.len()) && all_bytes(value, id_byte) {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            "bill_no",
            "expected 1-32 characters [A-Za-z0-9_-]",
        ))
    }
}

/// `region_code`: six digits.
pub(crate) fn region_code(value: &str) -> Result<(), ApiError> {
    if value.len() == 6 && all_bytes(value, |b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::field_invalid("region_code", "expected 6 digits"))
    }
}

/// `nonce`: `^[A-Za-z0-9_-]{16,64}$`.
pub(crate) fn is_nonce(value: &str) -> bool {
    (16..=64).contains(&value.len()) && all_bytes(value, id_byte)
}

/// `app_id`: 16 digits.
pub(crate) fn is_app_id(value: &str) -> bool {
    value.len() == 16 && all_bytes(value, |b| b.is_ascii_digit())
}

/// `timestamp`: `^[1-9][0-9]{0,10}$`.
pub(crate) fn timestamp(value: &str) -> Result<i64, ApiError> {
    let well_formed = (1..=11).contains(&value.len())
        && !value.starts_with('0')
        && all_bytes(value, |b| b.is_ascii_digit());
    match value.parse::<i64>() {
        Ok(t) if well_formed => Ok(t),
        _ => Err(ApiError::new(
            Code::TimestampInvalid,
            format!("timestamp {value:?} is not decimal Unix seconds"),
        )),
    }
}

/// `notify_url`: absolute `http`/`https` URL with a host, ≤ 256 bytes, no user-info,
/// no fragment.
pub(crate) fn notify_url(field: &str, value: &str) -> Result<(), ApiError> {
    if value.len() > 256 {
        return Err(ApiError::field_invalid(field, "longer than 256 bytes"));
    }
    let url = reqwest::Url::parse(value)
        .map_err(|e| ApiError::field_invalid(field, format!("not an absolute URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::field_invalid(
            field,
            "scheme must be http or https",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::field_invalid(field, "the URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::field_invalid(field, "user-info is not allowed"));
    }
    if url.fragment().is_some() || value.contains('#') {
        return Err(ApiError::field_invalid(field, "a fragment is not allowed"));
    }
    Ok(())
}

/// Free text (`subject`, `refund_reason`, names): 1 to `max` Unicode scalar values.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    let n = value.chars().count();
    if (1..=max).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            field,
            format!("expected 1-{max} characters"),
        ))
    }
}

/// `passback_params`: at most 512 bytes.
pub(crate) fn passback(value: &str) -> Result<(), ApiError> {
    if value.len() <= 512 {
        Ok(())
    } else {
        Err(ApiError::field_invalid(
            "passback_params",
            "longer than 512 bytes",
        ))
    }
}

/// An amount in fen, `^(0|[1-9][0-9]{0,14})$`, within `min..=max` (else `AMOUNT_INVALID`).
pub(crate) fn amount(field: &str, value: &str, min: i64, max: i64) -> Result<i64, ApiError> {
    let parsed = Amount::parse_fen(value)
        .map_err(|e| ApiError::new(Code::AmountInvalid, format!("`{field}`: {e}")))?;
    if value.len() > 15 {
        return Err(ApiError::new(
            Code::AmountInvalid,
            format!("`{field}` has more than 15 digits"),
        ));
    }
    let fen = parsed.fen();
    if fen < min || fen > max {
        return Err(ApiError::new(
            Code::AmountInvalid,
            format!("`{field}` must be between {min} and {max} fen"),
        ));
    }
    Ok(fen)
}

/// A calendar date `YYYY-MM-DD`.
pub(crate) fn date(field: &str, value: &str) -> Result<time::Date, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if value.len() != 10 {
        return Err(ApiError::field_invalid(field, "expected YYYY-MM-DD"));
    }
    time::Date::parse(value, format)
        .map_err(|_| ApiError::field_invalid(field, "expected a valid YYYY-MM-DD date"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_wire_format() {
        assert_eq!(amount("a", "6754", 1, MAX_PAYMENT_FEN).unwrap(), 6754);
        for bad in [
            "0",
            "01",
            "12.34",
            "-1",
            "5000001",
            "1e3",
            " 1",
            "1234567890123456",
        ] {
            let err = amount("a", bad, 1, MAX_PAYMENT_FEN).unwrap_err();
            assert_eq!(err.code, Code::AmountInvalid, "{bad}");
        }
    }

    #[test]
    fn notify_urls() {
        for ok in [
            "http://127.0.0.1:9/notify",
            "https://merchant.example/notify?src=paysign&v=1",
        ] {
            notify_url("notify_url", ok).unwrap();
        }
        for bad in [
            "ftp://x/",
            "/relative",
            "http://user:pw@host/",
            "http://host/#frag",
            "http://",
        ] {
            assert!(notify_url("notify_url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("1795140000").unwrap(), 1_795_140_000);
        for bad in ["", "0", "01795140000", "1.5", "-1", "123456789012"] {
            assert_eq!(
                timestamp(bad).unwrap_err().code,
                Code::TimestampInvalid,
                "{bad}"
            );
        }
    }
}
