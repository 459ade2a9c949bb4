//! JavaScript numbers at the boundary.
//!
//! Every integer the JavaScript API takes or returns — amounts in fen, Unix seconds,
//! durations — is a double there, exact only up to `Number.MAX_SAFE_INTEGER`
//! (2^53 − 1). Amounts cross as safe integers or not at all: an amount above the bound
//! is refused with `AMOUNT_INVALID` rather than rounded (90 trillion yuan, so no real
//! payment is refused).

use paysign_core::{Amount, Error};
use wasm_bindgen::JsValue;

use crate::errors::type_error;

/// `Number.MAX_SAFE_INTEGER`.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// A JavaScript number as JavaScript writes it (`String(x)`), for error messages.
///
/// In wasm this asks JavaScript: the message shows the value as the caller's language
/// writes it (`1e+21`, `NaN`), and Rust's float formatting, 14 KB of code used by nothing
/// else, stays out of the module.
pub fn number_text(value: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_else(|_| "a number".to_owned())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        value.to_string()
    }
}

/// Fen from a JavaScript number, which must be a safe integer (and not negative: the
/// core refuses that).
pub fn fen(value: f64) -> Result<Amount, Error> {
    if !value.is_finite() || value.fract() != 0.0 || value.abs() > MAX_SAFE_INTEGER as f64 {
        return Err(Error::AmountInvalid {
            value: number_text(value),
            reason: "amounts are integer fen up to Number.MAX_SAFE_INTEGER (use parseYuan('12.34') for yuan text)",
        });
    }
    // Exact: an integral double within ±2^53 converts to i64 without loss.
    Amount::from_fen(value as i64)
}

/// Checks that an amount can be handed to JavaScript exactly.
pub fn check_fen(amount: Amount) -> Result<i64, Error> {
    let fen = amount.fen();
    if fen > MAX_SAFE_INTEGER {
        return Err(Error::AmountInvalid {
            value: fen.to_string(),
            reason: "the amount exceeds Number.MAX_SAFE_INTEGER fen and cannot be represented exactly in JavaScript",
        });
    }
    Ok(fen)
}

/// Unix seconds from a JavaScript number (fractions dropped, as `Math.floor` would).
pub fn unix_seconds(value: f64) -> Result<i64, JsValue> {
    if !value.is_finite() || value.abs() > MAX_SAFE_INTEGER as f64 {
        return Err(type_error(
            "now must be a finite number of Unix seconds (e.g. Date.now() / 1000)",
        ));
    }
    Ok(value.floor() as i64)
}

/// A duration in whole seconds from a JavaScript number: a safe integer ≥ 0.
pub fn whole_seconds(name: &str, value: f64) -> Result<u64, JsValue> {
    if !value.is_finite()
        || value.fract() != 0.0
        || !(0.0..=MAX_SAFE_INTEGER as f64).contains(&value)
    {
        return Err(type_error(&format!(
            "{name} must be a whole number of seconds ≥ 0 (got {})",
            number_text(value)
        )));
    }
    Ok(value as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_takes_safe_integers_only() {
        assert_eq!(fen(1959.0).unwrap().fen(), 1959);
        assert_eq!(fen(0.0).unwrap().fen(), 0);
        assert_eq!(
            fen(MAX_SAFE_INTEGER as f64).unwrap().fen(),
            MAX_SAFE_INTEGER
        );
        for bad in [19.59, f64::NAN, f64::INFINITY, 2f64.powi(53) + 2.0, -1.0] {
            assert_eq!(fen(bad).unwrap_err().code(), "AMOUNT_INVALID", "{bad}");
        }
    }

    #[test]
    fn amounts_beyond_the_safe_range_are_not_handed_out() {
        let big = Amount::from_fen(MAX_SAFE_INTEGER + 1).unwrap();
        assert_eq!(check_fen(big).unwrap_err().code(), "AMOUNT_INVALID");
        assert_eq!(check_fen(Amount::from_fen(7).unwrap()).unwrap(), 7);
    }
}
