//! Timestamps compared as instants (Unix seconds), whatever form they arrive in.
//!
//! The paysign protocol sends Unix seconds (RFC 3339 with an offset is also accepted).
//! Alipay (`2026-11-25 10:00:03`) and WeChat Pay (`20261125100003`) send wall-clock time
//! without an offset that both define as China Standard Time; such forms are parsed
//! only when the caller names that offset, never with the machine's local zone
//! (docs/protocol.md, "Time").

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

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
    if let Some(unix) = rfc3339_unix(text.as_bytes()) {
        return Ok(unix);
    }
    let offset = platform_offset.ok_or_else(invalid)?;
    let bytes = text.as_bytes();
    let local = if is_digits && text.len() == 14 {
        local_date_time(bytes, [0, 4, 6, 8, 10, 12], b"")
    } else if bytes.len() == 19 {
        local_date_time(bytes, [0, 5, 8, 11, 14, 17], b"-- ::")
    } else {
        None
    }
    .ok_or_else(invalid)?;
    Ok(local.assume_offset(offset).unix_timestamp())
}

// The three forms are read by hand, each field at its fixed place, and the calendar checked
// by `time`'s constructors: `time`'s format-description parser is about 4 KiB of the npm
// runtime module (tests below hold these readers to it as the oracle).

/// `width` ASCII digits at `at` as a number.
fn digits(bytes: &[u8], at: usize, width: usize) -> Option<u32> {
    let field = bytes.get(at..at + width)?;
    field.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// A date and a time from their fields.
fn date_time(year: u32, month: u32, day: u32, hms: [u32; 3]) -> Option<PrimitiveDateTime> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let [h, m, s] = hms.map(|v| u8::try_from(v).unwrap_or(u8::MAX));
    Some(PrimitiveDateTime::new(date, Time::from_hms(h, m, s).ok()?))
}

/// `YYYY?MM?DD?HH?MM?SS` with the six fields at `at` and the five separators `seps` (none for
/// the compact form), nothing else.
fn local_date_time(bytes: &[u8], at: [usize; 6], seps: &[u8]) -> Option<PrimitiveDateTime> {
    let expected_len = if seps.is_empty() { 14 } else { 19 };
    if bytes.len() != expected_len {
        return None;
    }
    for (i, sep) in seps.iter().enumerate() {
        if bytes[at[i + 1] - 1] != *sep {
            return None;
        }
    }
    date_time(
        digits(bytes, at[0], 4)?,
        digits(bytes, at[1], 2)?,
        digits(bytes, at[2], 2)?,
        [
            digits(bytes, at[3], 2)?,
            digits(bytes, at[4], 2)?,
            digits(bytes, at[5], 2)?,
        ],
    )
}

/// RFC 3339 `date-time` as Unix seconds: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T` and `Z`
/// in either case, or a space for `T` (RFC 3339 §5.6, note); a leap second (`:60`) only
/// where it is 23:59:60 UTC at the end of a month, read as 23:59:59. (`time`'s parser takes any character
/// between date and time; this reader does not.)
fn rfc3339_unix(bytes: &[u8]) -> Option<i64> {
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let second = digits(bytes, 17, 2)?;
    let leap = second == 60;
    let local = date_time(
        digits(bytes, 0, 4)?,
        digits(bytes, 5, 2)?,
        digits(bytes, 8, 2)?,
        [
            digits(bytes, 11, 2)?,
            digits(bytes, 14, 2)?,
            if leap { 59 } else { second },
        ],
    )?;
    let mut rest = &bytes[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        rest = &fraction[count..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (digits(rest, 1, 2)?, digits(rest, 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let signed = |v: u32| {
                let v = i8::try_from(v).unwrap_or(i8::MAX);
                if *sign == b'-' { -v } else { v }
            };
            UtcOffset::from_hms(signed(hours), signed(minutes), 0).ok()?
        }
        _ => return None,
    };
    let instant = local.assume_offset(offset);
    if leap {
        // Leap seconds are inserted at the end of a month, 23:59:60 UTC (RFC 3339 §5.7).
        let utc = instant.to_offset(UtcOffset::UTC);
        let month_end = utc.date().next_day().is_none_or(|next| next.day() == 1);
        if (utc.hour(), utc.minute(), utc.second()) != (23, 59, 59) || !month_end {
            return None;
        }
    }
    Some(instant.unix_timestamp())
}

/// A calendar date `YYYY-MM-DD`, exactly.
pub(crate) fn calendar_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let month = Month::try_from(u8::try_from(digits(bytes, 5, 2)?).ok()?).ok()?;
    Date::from_calendar_date(
        i32::try_from(digits(bytes, 0, 4)?).ok()?,
        month,
        u8::try_from(digits(bytes, 8, 2)?).ok()?,
    )
    .ok()
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

    /// The hand readers agree with `time`'s own parsers on every string near the forms.
    #[test]
    fn the_hand_readers_agree_with_time_on_every_nearby_string() {
        use proptest::prelude::*;
        use time::macros::format_description;
        let oracle = |text: &str| -> Option<i64> {
            if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
                return Some(t.unix_timestamp());
            }
            let dashed = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            let compact = format_description!("[year][month][day][hour][minute][second]");
            let is_digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
            let local = if is_digits && text.len() == 14 {
                PrimitiveDateTime::parse(text, compact)
            } else {
                PrimitiveDateTime::parse(text, dashed)
            }
            .ok()?;
            Some(local.assume_offset(CHINA_STANDARD_TIME).unix_timestamp())
        };
        let ours = |text: &str| parse_timestamp(text, Some(CHINA_STANDARD_TIME)).ok();
        let date_oracle = |text: &str| {
            (text.len() == 10)
                .then(|| Date::parse(text, format_description!("[year]-[month]-[day]")).ok())
                .flatten()
        };
        let seeds = [
            "2025-11-25T10:00:03+08:00",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2017-01-01T07:59:60+08:00",
            "2025-11-25t02:00:03.123456789z",
            "2025-02-29T10:00:03-05:30",
            "2024-02-29 10:00:03",
            "20251125100003",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
        ];
        for seed in seeds {
            assert_eq!(ours(seed), oracle(seed), "{seed}");
        }
        let alphabet: Vec<char> = "0123456789-:TtZz+. ".chars().collect();
        let strategy = (
            0..seeds.len(),
            proptest::collection::vec((0usize..32, 0usize..19, any::<bool>()), 0..4),
        );
        proptest!(ProptestConfig::with_cases(4000), |((seed, edits) in strategy)| {
            let mut chars: Vec<char> = seeds[seed].chars().collect();
            for (at, pick, delete) in edits {
                let at = at % (chars.len() + 1);
                if delete && at < chars.len() {
                    chars.remove(at);
                } else if at < chars.len() {
                    chars[at] = alphabet[pick % alphabet.len()];
                } else {
                    chars.push(alphabet[pick % alphabet.len()]);
                }
            }
            let text: String = chars.into_iter().collect();
            let is_unix = !text.is_empty() && text.len() <= 11 && text.bytes().all(|b| b.is_ascii_digit());
            // `time` takes any character between date and time; the reader only T, t, space.
            let separator_ok = text.len() < 11
                || matches!(text.as_bytes()[10], b'T' | b't' | b' ')
                || text.len() == 14;
            if !is_unix && separator_ok {
                prop_assert_eq!(ours(&text), oracle(&text), "{}", text);
            } else if !is_unix {
                prop_assert_eq!(ours(&text), None, "{}", text);
            }
            let date_text: String = text.chars().take(10).collect();
            prop_assert_eq!(calendar_date(&date_text), date_oracle(&date_text), "{}", date_text);
        });
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
