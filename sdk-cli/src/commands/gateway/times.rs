//! The times `paysign gateway` and its admin commands read and print: Unix seconds or RFC
//! 3339 in, durations with a unit, gateway times shown at +08:00.

use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339, parse_timestamp};

/// Unix seconds or RFC 3339 with an offset.
pub(super) fn parse_time(text: &str) -> Result<i64, String> {
    parse_timestamp(text, None).map_err(|_| {
        format!("{text:?} is neither Unix seconds nor RFC 3339 (2026-11-20T10:00:00+08:00)")
    })
}

/// `15`, `15s`, `3m`, `1h`, `1d` → seconds.
pub(super) fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: expected seconds or a number with s, m, h or d"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{text:?}: expected seconds or a number with s, m, h or d"))
}

/// `1795140000 (2026-11-20T10:00:00+08:00)`: gateway times are shown at +08:00, as the
/// gateway's business day is defined.
pub(super) fn when(unix: i64) -> String {
    match format_rfc3339(unix, CHINA_STANDARD_TIME) {
        Ok(t) => format!("{unix} ({t})"),
        Err(_) => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15"), Ok(15));
        assert_eq!(parse_duration("15s"), Ok(15));
        assert_eq!(parse_duration("3m"), Ok(180));
        assert_eq!(parse_duration("1h"), Ok(3_600));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1795140000"), Ok(1_795_140_000));
        assert_eq!(parse_time("2026-11-20T10:00:00+08:00"), Ok(1_795_140_000));
        assert!(parse_time("2026-11-20 10:00:00").is_err());
        assert_eq!(
            when(1_795_140_000),
            "1795140000 (2026-11-20T10:00:00+08:00)"
        );
    }
}
