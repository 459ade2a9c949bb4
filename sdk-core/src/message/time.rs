//! Timestamps compared as instants (Unix seconds), whatever form they arrive in.
//!
//! The paysign protocol sends Unix seconds (RFC 3339 with an offset is also accepted).
//! Alipay (`2026-11-25 10:00:03`) and WeChat Pay (`20261125100003`) send wall-clock time
//! without an offset that both define as China Standard Time; such forms are parsed
//! only when the caller names that offset, never with the machine's local zone
//! (docs/protocol.md, "Time").

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::{Error, Result};

/// China Standard Time, +08:00: the offset of every Chinese platform's local timestamps.
pub const CHINA_STANDARD_TIME: UtcOffset = time::macros::offset!(+8);

/// Parses a timestamp into Unix seconds.
///
/// Accepts Unix seconds and RFC 3339 with an offset; with `platform_offset`, also
/// `YYYY-MM-DD HH:MM:SS` and `YYYYMMDDHHMMSS` read at that offset.
///
/// ```
/// use paysign_core::message::time::{parse_timestamp, CHINA_STANDARD_TIME};
/// assert_eq!(parse_timestamp("1764036003", None)?, 1764036003);
/// assert_eq!(parse_timestamp("2025-11-25T10:00:03+08:00", None)?, 1764036003);
/// assert_eq!(parse_timestamp("2025-11-25 10:00:03", Some(CHINA_STANDARD_TIME))?, 1764036003);
/// assert!(parse_timestamp("2025-11-25 10:00:03", None).is_err());
/// # Ok::<(), paysign_core::Error>(())
/// ```
pub fn parse_timestamp(text: &str, platform_offset: Option<UtcOffset>) -> Result<i64> {
    let invalid = || Error::TimestampInvalid {
        value: text.to_owned(),
    };
    let is_digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if is_digits && text.len() <= 11 {
        return text.parse::<i64>().map_err(|_| invalid());
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let offset = platform_offset.ok_or_else(invalid)?;
    let dashed = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let compact = format_description!("[year][month][day][hour][minute][second]");
    let local = if is_digits && text.len() == 14 {
        PrimitiveDateTime::parse(text, compact)
    } else {
        PrimitiveDateTime::parse(text, dashed)
    }
    .map_err(|_| invalid())?;
    Ok(local.assume_offset(offset).unix_timestamp())
}

/// Formats Unix seconds as RFC 3339 at `offset` (e.g. `2026-11-25T10:00:03+08:00`).
pub fn format_rfc3339(unix: i64, offset: UtcOffset) -> Result<String> {
    let invalid = || Error::TimestampInvalid {
        value: unix.to_string(),
    };
    // `checked_to_offset`: a time whose local date at `offset` leaves the years 0000-9999
    // (9999-12-31T23:59:59Z at +08:00) is an error, not a panic.
    OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| invalid())?
        .checked_to_offset(offset)
        .ok_or_else(invalid)?
        .format(&Rfc3339)
        .map_err(|_| invalid())
}

/// Formats Unix seconds as the local date-time at `offset` the way Chinese platforms write
/// it: `yyyy-MM-dd HH:mm:ss` (Alipay `notify_time`), or with `compact` `yyyyMMddHHmmss`
/// (WeChat Pay v2 `time_end`, UnionPay `txnTime`).
pub fn format_local(unix: i64, offset: UtcOffset, compact: bool) -> Result<String> {
    // `2026-11-25T10:00:03+08:00`: the first 19 characters are the local date-time.
    let local: String = format_rfc3339(unix, offset)?.chars().take(19).collect();
    Ok(if compact {
        local.chars().filter(char::is_ascii_digit).collect()
    } else {
        local.replace('T', " ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_whose_local_date_leaves_the_years_0000_to_9999_is_an_error_not_a_panic() {
        // 9999-12-31T23:59:59Z is 10000-01-01 at +08:00.
        for unix in [253_402_300_799, 253_402_272_000, i64::MAX, i64::MIN] {
            assert_eq!(
                format_rfc3339(unix, CHINA_STANDARD_TIME).map_err(|e| e.code()),
                Err("TIMESTAMP_INVALID"),
                "{unix}"
            );
        }
        assert_eq!(
            format_rfc3339(253_402_271_999, CHINA_STANDARD_TIME).unwrap(),
            "9999-12-31T23:59:59+08:00"
        );
    }

    #[test]
    fn same_instant_in_every_form() {
        let cst = Some(CHINA_STANDARD_TIME);
        let forms = [
            "1764036003",
            "2025-11-25T02:00:03Z",
            "2025-11-25T10:00:03+08:00",
            "2025-11-24T21:00:03-05:00",
            "2025-11-25 10:00:03",
            "20251125100003",
        ];
        for f in forms {
            assert_eq!(parse_timestamp(f, cst).unwrap(), 1_764_036_003, "{f}");
        }
    }

    #[test]
    fn local_forms_need_an_explicit_offset() {
        assert!(parse_timestamp("20251125100003", None).is_err());
        assert!(parse_timestamp("2025-11-25T10:00:03", None).is_err());
        for bad in [
            "",
            "yesterday",
            "1.5",
            "-1",
            "2025-13-01 00:00:00",
            "99999999999999999999",
        ] {
            let err = parse_timestamp(bad, Some(CHINA_STANDARD_TIME)).unwrap_err();
            assert_eq!(err.code(), "TIMESTAMP_INVALID", "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        let text = format_rfc3339(1_764_036_003, CHINA_STANDARD_TIME).unwrap();
        assert_eq!(
            format_local(1_764_036_003, CHINA_STANDARD_TIME, false).unwrap(),
            "2025-11-25 10:00:03"
        );
        assert_eq!(
            format_local(1_764_036_003, CHINA_STANDARD_TIME, true).unwrap(),
            "20251125100003"
        );
        assert_eq!(text, "2025-11-25T10:00:03+08:00");
        assert_eq!(parse_timestamp(&text, None).unwrap(), 1_764_036_003);
    }
}
