//! HTTP headers as the verifiers read them: names compared case-insensitively, a header
//! given twice with different values refused, Unix-seconds timestamps checked against a
//! window. Used by the header-signed platforms (WeChat Pay v3, Standard Webhooks).

use crate::error::{Error, Result};

/// The value of header `name` (compared ASCII case-insensitively, as HTTP header names
/// are), or `None`. A header given twice with different values is refused
/// ([`Error::ParamDuplicate`]): which one a proxy or framework keeps is not predictable.
pub fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<Option<&'a str>> {
    let mut found: Option<&'a str> = None;
    for (n, v) in headers {
        if n.trim().eq_ignore_ascii_case(name) {
            match found {
                Some(previous) if previous != *v => {
                    return Err(Error::ParamDuplicate {
                        key: name.to_owned(),
                    });
                }
                _ => found = Some(v),
            }
        }
    }
    Ok(found)
}

/// The value of header `name`, which must be present and non-empty
/// ([`Error::FieldMissing`] otherwise).
pub fn required_header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<&'a str> {
    header(headers, name)?
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::FieldMissing {
            field: format!("{name} (HTTP header)"),
        })
}

/// A Unix-seconds timestamp header, checked against `now` ± `tolerance_secs`.
pub fn check_unix_timestamp(text: &str, now: i64, tolerance_secs: u64) -> Result<i64> {
    let at = text
        .parse::<i64>()
        .ok()
        .filter(|_| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Error::TimestampInvalid {
            value: text.to_owned(),
        })?;
    let skew = at.saturating_sub(now);
    if skew.unsigned_abs() > tolerance_secs {
        return Err(Error::TimestampOutOfWindow {
            skew_secs: skew,
            limit_secs: tolerance_secs,
            limit: crate::error::TimeLimit::Tolerance,
        });
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_and_unambiguous() {
        let h = [
            ("Content-Type", "a"),
            ("x-a", "1"),
            ("X-A", "1"),
            ("x-b", "1"),
            ("X-B", "2"),
        ];
        assert_eq!(header(&h, "content-type").unwrap(), Some("a"));
        assert_eq!(header(&h, "x-a").unwrap(), Some("1"));
        assert_eq!(header(&h, "x-b").unwrap_err().code(), "PARAM_DUPLICATE");
        assert_eq!(header(&h, "x-c").unwrap(), None);
        assert_eq!(
            required_header(&h, "x-c").unwrap_err().code(),
            "FIELD_MISSING"
        );
    }

    #[test]
    fn timestamps_are_unix_seconds_within_the_window() {
        assert_eq!(check_unix_timestamp("1000", 1200, 300).unwrap(), 1000);
        assert_eq!(
            check_unix_timestamp("1000", 1301, 300).unwrap_err().code(),
            "TIMESTAMP_OUT_OF_WINDOW"
        );
        for bad in ["", "-5", "1e3", " 1000", "2025-01-01T00:00:00Z"] {
            assert_eq!(
                check_unix_timestamp(bad, 1000, 300).unwrap_err().code(),
                "TIMESTAMP_INVALID",
                "{bad:?}"
            );
        }
    }
}
