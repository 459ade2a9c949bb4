//! Money as integer minor units (fen), parsed exactly — never through floating point.
//!
//! The paysign protocol carries fen as a decimal integer (`1959`); Alipay carries yuan
//! with at most two decimals (`19.59`). Both parse here without rounding: exponent
//! notation, signs, more than two decimals, blanks and overflow are
//! [`Error::AmountInvalid`] (docs/protocol.md, "Amounts").

use std::fmt;

use crate::error::{Error, Result};

/// A non-negative amount of money in fen (1/100 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// Zero fen.
    pub const ZERO: Amount = Amount(0);

    /// An amount from fen; negative amounts are refused.
    pub fn from_fen(fen: i64) -> Result<Self> {
        if fen < 0 {
            return Err(Error::AmountInvalid {
                value: fen.to_string(),
                reason: "amounts are never negative",
            });
        }
        Ok(Self(fen))
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses integer fen as sent on the paysign wire: ASCII digits only, no sign, no
    /// leading zeros (except `0` itself).
    ///
    /// ```
    /// use paysign_core::message::Amount;
    /// assert_eq!(Amount::parse_fen("1959")?.fen(), 1959);
    /// assert!(Amount::parse_fen("1e3").is_err());
    /// assert!(Amount::parse_fen("-1").is_err());
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn parse_fen(text: &str) -> Result<Self> {
        let invalid = |reason| Error::AmountInvalid {
            value: text.to_owned(),
            reason,
        };
        check_digits(text, "fen amounts are plain digits")?;
        if text.len() > 1 && text.starts_with('0') {
            return Err(invalid("leading zeros are not allowed"));
        }
        text.parse::<i64>()
            .map(Self)
            .map_err(|_| invalid("amount is too large"))
    }

    /// Parses yuan with at most two decimals (`12.34`, `12.3`, `12`), exactly.
    ///
    /// ```
    /// use paysign_core::message::Amount;
    /// assert_eq!(Amount::parse_yuan("12.34")?.fen(), 1234);
    /// assert_eq!(Amount::parse_yuan("0.1")?.fen(), 10);
    /// assert!(Amount::parse_yuan("1.234").is_err());
    /// assert!(Amount::parse_yuan("1.2e1").is_err());
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn parse_yuan(text: &str) -> Result<Self> {
        let invalid = |reason| Error::AmountInvalid {
            value: text.to_owned(),
            reason,
        };
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        check_digits(
            whole,
            "yuan amounts are digits with an optional `.` and two decimals",
        )
        .map_err(|_| {
            invalid("yuan amounts are digits with an optional `.` and up to two decimals")
        })?;
        if text.contains('.') && frac.is_empty() {
            return Err(invalid("a decimal point must be followed by digits"));
        }
        if frac.len() > 2 {
            return Err(invalid("more than two decimals"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "yuan amounts are digits with an optional `.` and up to two decimals",
            ));
        }
        if whole.len() > 1 && whole.starts_with('0') {
            return Err(invalid("leading zeros are not allowed"));
        }
        let whole: i64 = whole.parse().map_err(|_| invalid("amount is too large"))?;
        let mut cents: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            let digit = i64::from(b - b'0');
            cents += if i == 0 { digit * 10 } else { digit };
        }
        whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(cents))
            .map(Self)
            .ok_or_else(|| invalid("amount is too large"))
    }

    /// The amount in yuan with exactly two decimals, e.g. `19.59`.
    pub fn to_yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// Difference, or `None` if it would be negative.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).filter(|v| *v >= 0).map(Amount)
    }
}

impl fmt::Display for Amount {
    /// Formats as integer fen, the wire form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn check_digits(text: &str, reason: &'static str) -> Result<()> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::AmountInvalid {
            value: text.to_owned(),
            reason,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hostile_amounts_are_refused() {
        for bad in [
            "",
            " 1",
            "1 ",
            "+1",
            "-1",
            "1e3",
            "1E3",
            "0x10",
            "1_000",
            "１２",
            "01",
            "9223372036854775808",
            "NaN",
            "Infinity",
            "1.",
            ".5",
        ] {
            assert_eq!(
                Amount::parse_fen(bad).unwrap_err().code(),
                "AMOUNT_INVALID",
                "{bad:?}"
            );
        }
        for bad in [
            "",
            "1.234",
            "1.2e1",
            "-0.01",
            "1,00",
            "01.00",
            "1.",
            ".5",
            "92233720368547758.08",
            "1.-1",
        ] {
            assert_eq!(
                Amount::parse_yuan(bad).unwrap_err().code(),
                "AMOUNT_INVALID",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn yuan_parses_exactly() {
        assert_eq!(Amount::parse_yuan("12.34").unwrap().fen(), 1234);
        assert_eq!(Amount::parse_yuan("0.07").unwrap().fen(), 7);
        assert_eq!(Amount::parse_yuan("100").unwrap().fen(), 10000);
        // 0.1 + 0.2 style float errors cannot happen: 0.29 is 29 fen, not 28.999...
        assert_eq!(Amount::parse_yuan("0.29").unwrap().fen(), 29);
        assert_eq!(
            Amount::parse_yuan("92233720368547758.07").unwrap().fen(),
            i64::MAX
        );
    }

    proptest! {
        #[test]
        fn yuan_round_trips(fen in 0i64..=i64::MAX) {
            let a = Amount::from_fen(fen).unwrap();
            prop_assert_eq!(Amount::parse_yuan(&a.to_yuan_string()).unwrap(), a);
            prop_assert_eq!(Amount::parse_fen(&a.to_string()).unwrap(), a);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".*") {
            let _ = Amount::parse_fen(&s);
            let _ = Amount::parse_yuan(&s);
        }
    }
}
