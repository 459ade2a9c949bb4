//! Field formats of the paysign protocol (docs/protocol.md §2 and §6), the one copy every
//! surface checks against: the request builders of [`super::build`] before signing, and
//! the mock gateway at step 11 of request processing (§4) and in its admin API.
//!
//! Each check names the field in its error ([`Error::FieldMissing`],
//! [`Error::FieldInvalid`], [`Error::AmountInvalid`], [`Error::TimestampInvalid`]).

use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::params::Params;

/// Largest single payment the protocol accepts, in fen (50,000.00 yuan).
pub const MAX_PAYMENT_FEN: i64 = 5_000_000;

/// Bytes of `[A-Za-z0-9_-]`, the alphabet of ids and nonces.
fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `value` is `min..=max` bytes of `allowed` (every alphabet here is ASCII, so bytes are
/// characters); an empty value is [`Error::FieldMissing`].
fn check_bytes(
    field: &str,
    value: &str,
    (min, max): (usize, usize),
    allowed: impl Fn(u8) -> bool,
    expected: &str,
) -> Result<()> {
    if value.is_empty() {
        return Err(Error::FieldMissing {
            field: field.to_owned(),
        });
    }
    if (min..=max).contains(&value.len()) && value.bytes().all(allowed) {
        Ok(())
    } else {
        Err(Error::field_invalid(field, format!("expected {expected}")))
    }
}

/// `out_trade_no`, `out_refund_no`: `^[A-Za-z0-9_-]{6,64}$`.
pub fn merchant_no(field: &str, value: &str) -> Result<()> {
    check_bytes(
        field,
        value,
        (6, 64),
        is_id_byte,
        "6-64 characters [A-Za-z0-9_-]",
    )
}

/// `trade_no`, `refund_no` (gateway-issued): `^[A-Za-z0-9_-]{1,64}$`.
pub fn gateway_no(field: &str, value: &str) -> Result<()> {
    check_bytes(
        field,
        value,
        (1, 64),
        is_id_byte,
        "at most 64 characters [A-Za-z0-9_-]",
    )
}

/// `item_id`: `^[A-Z0-9-]{1,32}$`.
pub fn item_id(value: &str) -> Result<()> {
    check_bytes(
        "item_id",
        value,
        (1, 32),
        |b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-',
        "1-32 characters [A-Z0-9-]",
    )
}

/// `bill_no`: `^[A-Za-z0-9_-]{1,32}$`.
pub fn bill_no(value: &str) -> Result<()> {
    check_bytes(
        "bill_no",
        value,
        (1, 32),
        is_id_byte,
        "1-32 characters [A-Za-z0-9_-]",
    )
}

/// `region_code`: six digits (GB/T 2260).
pub fn region_code(value: &str) -> Result<()> {
    check_bytes(
        "region_code",
        value,
        (6, 6),
        |b| b.is_ascii_digit(),
        "6 digits",
    )
}

/// `nonce`: `^[A-Za-z0-9_-]{16,64}$`.
pub fn nonce(value: &str) -> Result<()> {
    check_bytes(
        "nonce",
        value,
        (16, 64),
        is_id_byte,
        "16-64 characters [A-Za-z0-9_-]",
    )
}

/// `app_id`: 16 digits, issued by the gateway.
pub fn app_id(value: &str) -> Result<()> {
    check_bytes(
        "app_id",
        value,
        (16, 16),
        |b| b.is_ascii_digit(),
        "16 digits",
    )
}

/// A paysign shared SECRET (§3.2, §12.1): 32–64 characters `[A-Za-z0-9]`, so it survives
/// every form, JSON and shell quoting unchanged.
pub fn secret(value: &str) -> Result<()> {
    check_bytes(
        "secret",
        value,
        (32, 64),
        |b| b.is_ascii_alphanumeric(),
        "32-64 characters [A-Za-z0-9]",
    )
}

/// `timestamp`: Unix seconds, `^[1-9][0-9]{0,10}$`.
pub fn timestamp(value: &str) -> Result<i64> {
    let well_formed = (1..=11).contains(&value.len())
        && !value.starts_with('0')
        && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<i64>() {
        Ok(t) if well_formed => Ok(t),
        _ => Err(Error::TimestampInvalid {
            value: value.to_owned(),
        }),
    }
}

/// `notify_url`: an absolute `http`/`https` URL with a host, at most 256 bytes, without
/// user-info, fragment or whitespace.
pub fn notify_url(field: &str, value: &str) -> Result<()> {
    let invalid = |why: &str| Error::field_invalid(field, why);
    if value.is_empty() {
        return Err(Error::FieldMissing {
            field: field.to_owned(),
        });
    }
    if value.len() > 256 {
        return Err(invalid("longer than 256 bytes"));
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| invalid("must be an absolute http:// or https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid("user-info is not allowed"));
    }
    // `host`, `host:port`, `[v6]` or `[v6]:port`. Brackets hold an IPv6 address and
    // nothing else (RFC 3986 §3.2.2): `http://[0000]` has no host a delivery could reach.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, _)) if !is_ipv6_address(addr) => {
                return Err(invalid("the host in brackets is not an IPv6 address"));
            }
            Some((addr, "")) => (addr, None),
            Some((addr, after)) => match after.strip_prefix(':') {
                Some(port) => (addr, Some(port)),
                None => {
                    return Err(invalid("an IPv6 host may only be followed by `:port`"));
                }
            },
            None => return Err(invalid("an IPv6 host is missing its `]`")),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(invalid("the port must be decimal digits"));
    }
    if host.is_empty() {
        return Err(invalid("the URL has no host"));
    }
    if value.contains('#') {
        return Err(invalid("a fragment is not allowed"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("whitespace is not allowed"));
    }
    Ok(())
}

/// Free text (`subject`, `refund_reason`, names): 1 to `max` Unicode scalar values, no
/// control characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(Error::FieldMissing {
            field: field.to_owned(),
        });
    }
    if value.chars().count() > max {
        return Err(Error::field_invalid(
            field,
            format!("expected 1-{max} characters"),
        ));
    }
    no_control_chars(field, value)
}

/// `passback_params`: at most 512 bytes.
pub fn passback(value: &str) -> Result<()> {
    if value.len() <= 512 {
        Ok(())
    } else {
        Err(Error::field_invalid(
            "passback_params",
            "longer than 512 bytes",
        ))
    }
}

/// No value may contain a control character U+0000–U+001F or U+007F (§1).
pub fn no_control_chars(field: &str, value: &str) -> Result<()> {
    if value.chars().any(|c| c <= '\u{1f}' || c == '\u{7f}') {
        Err(Error::field_invalid(
            field,
            "control characters are not allowed",
        ))
    } else {
        Ok(())
    }
}

/// [`no_control_chars`] for every field of a request (§1).
pub fn params_without_control_chars(params: &Params) -> Result<()> {
    params.iter().try_for_each(|(k, v)| no_control_chars(k, v))
}

/// An amount in fen, `^(0|[1-9][0-9]{0,14})$`, within `min..=max`
/// ([`Error::AmountInvalid`] otherwise). A payment is `amount(.., 1, MAX_PAYMENT_FEN)`.
pub fn amount(value: &str, min: i64, max: i64) -> Result<Amount> {
    let parsed = Amount::parse_fen(value)?;
    if value.len() > 15 {
        return Err(Error::AmountInvalid {
            value: value.to_owned(),
            reason: "more than 15 digits",
        });
    }
    range(parsed, min, max)
}

/// `amount` is within `min..=max` fen ([`Error::AmountInvalid`] otherwise).
pub fn range(amount: Amount, min: i64, max: i64) -> Result<Amount> {
    let reason = if amount.fen() < min {
        "below the smallest amount this field accepts"
    } else if amount.fen() > max {
        "above the largest amount this field accepts"
    } else {
        return Ok(amount);
    };
    Err(Error::AmountInvalid {
        value: amount.to_string(),
        reason,
    })
}

/// A calendar date `YYYY-MM-DD` (`bill_date`, `due_date`).
pub fn date(field: &str, value: &str) -> Result<time::Date> {
    if value.len() != 10 {
        return Err(Error::field_invalid(field, "expected YYYY-MM-DD"));
    }
    crate::message::time::calendar_date(value)
        .ok_or_else(|| Error::field_invalid(field, "expected a valid YYYY-MM-DD date"))
}

/// `card_no`: a bank card number, 13-19 digits whose last is the Luhn check digit (ISO/IEC
/// 7812), so a mistyped digit is refused before a gateway sees it.
pub fn card_no(value: &str) -> Result<()> {
    check_bytes(
        "card_no",
        value,
        (13, 19),
        |b| b.is_ascii_digit(),
        "13-19 digits",
    )?;
    let sum: u32 = value
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, twice) if twice > 9 => twice - 9,
                (true, twice) => twice,
            }
        })
        .sum();
    if sum.is_multiple_of(10) {
        Ok(())
    } else {
        Err(Error::field_invalid(
            "card_no",
            "the Luhn check digit does not match (a digit is mistyped)",
        ))
    }
}

/// `account_no`: a bank account a payout pays (a card or a corporate account), 10-30
/// digits. Corporate accounts carry no Luhn digit, so none is checked.
pub fn account_no(value: &str) -> Result<()> {
    check_bytes(
        "account_no",
        value,
        (10, 30),
        |b| b.is_ascii_digit(),
        "10-30 digits",
    )
}

/// `mobile`: a mainland China mobile number, `^1[3-9][0-9]{9}$`.
pub fn mobile(value: &str) -> Result<()> {
    check_bytes(
        "mobile",
        value,
        (11, 11),
        |b| b.is_ascii_digit(),
        "11 digits starting 13-19",
    )?;
    match value.as_bytes() {
        [b'1', b'3'..=b'9', ..] => Ok(()),
        _ => Err(Error::field_invalid(
            "mobile",
            "expected 11 digits starting 13-19",
        )),
    }
}

/// `bank_code`: the bank's short code, `^[A-Z]{2,12}$` (`ICBC`, `CMB`, ...).
pub fn bank_code(value: &str) -> Result<()> {
    check_bytes(
        "bank_code",
        value,
        (2, 12),
        |b| b.is_ascii_uppercase(),
        "2-12 characters [A-Z]",
    )
}

/// `sms_code`: the six digits the payer received.
pub fn sms_code(value: &str) -> Result<()> {
    check_bytes(
        "sms_code",
        value,
        (6, 6),
        |b| b.is_ascii_digit(),
        "6 digits",
    )
}

/// Whether `text` is an IPv6 address in RFC 4291 §2.2 text form (the `IPv6address` of RFC
/// 3986 §3.2.2): eight groups of 1-4 hex digits, one `::` standing for one or more zero
/// groups, the last 32 bits optionally as a dotted IPv4 address. Written out rather than
/// `std::net::Ipv6Addr`'s parser, which would add its code to the npm runtime module.
fn is_ipv6_address(text: &str) -> bool {
    fn groups(part: &str, ipv4_last: bool) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let mut count = 0;
        for (i, piece) in pieces.iter().enumerate() {
            if ipv4_last && i == pieces.len() - 1 && piece.contains('.') {
                let octets: Vec<&str> = piece.split('.').collect();
                let valid = octets.len() == 4
                    && octets.iter().all(|o| {
                        !o.is_empty()
                            && o.len() <= 3
                            && o.bytes().all(|b| b.is_ascii_digit())
                            && (o.len() == 1 || !o.starts_with('0'))
                            && o.parse::<u16>().is_ok_and(|v| v <= 255)
                    });
                if !valid {
                    return None;
                }
                count += 2;
            } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit())
            {
                count += 1;
            } else {
                return None;
            }
        }
        Some(count)
    }
    match text.split_once("::") {
        Some((head, tail)) => {
            if tail.contains("::") {
                return false;
            }
            match (groups(head, false), groups(tail, true)) {
                (Some(h), Some(t)) => h + t <= 7,
                _ => false,
            }
        }
        None => groups(text, true) == Some(8),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipv6_addresses_are_read_as_rfc_4291_writes_them() {
        for text in [
            "::1",
            "::",
            "2001:db8::8a2e:370:7334",
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            "fe80::",
            "::ffff:192.0.2.128",
            "1:2:3:4:5:6:1.2.3.4",
            "1::",
            "1:2:3:4:5:6:7::",
        ] {
            assert!(super::is_ipv6_address(text), "{text}");
            assert!(
                text.parse::<std::net::Ipv6Addr>().is_ok(),
                "std agrees on {text}"
            );
        }
        for text in [
            "",
            "0000",
            "0000000000000000000000000000000",
            "127.0.0.1",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":::",
            "12345::",
            "g::",
            "::1.2.3",
            "::256.0.0.1",
            "::01.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "fe80::1%eth0",
        ] {
            assert!(!super::is_ipv6_address(text), "{text}");
            assert!(
                text.parse::<std::net::Ipv6Addr>().is_err(),
                "std agrees on {text}"
            );
        }
    }

    use super::*;

    #[test]
    fn amounts_follow_the_wire_format() {
        assert_eq!(amount("6754", 1, MAX_PAYMENT_FEN).unwrap().fen(), 6754);
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
            let err = amount(bad, 1, MAX_PAYMENT_FEN).unwrap_err();
            assert_eq!(err.code(), "AMOUNT_INVALID", "{bad}");
        }
    }

    #[test]
    fn notify_urls() {
        for ok in [
            "http://127.0.0.1:9/notify",
            "https://merchant.example/notify?src=paysign&v=1",
            "http://[::1]:8080/n",
        ] {
            notify_url("notify_url", ok).unwrap();
        }
        for bad in [
            "ftp://x/",
            "/relative",
            "http://user:pw@host/",
            "http://host/#frag",
            "http://",
            "http://:80/",
            "http://host:x/",
            "http://host/a b",
            "http://[0000000000000000000000000000000]",
            "http://[127.0.0.1]/n",
            "http://[::1]x/n",
            "http://[::1/n",
        ] {
            assert!(notify_url("notify_url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("1795140000").unwrap(), 1_795_140_000);
        for bad in ["", "0", "01795140000", "1.5", "-1", "123456789012"] {
            assert_eq!(
                timestamp(bad).unwrap_err().code(),
                "TIMESTAMP_INVALID",
                "{bad}"
            );
        }
    }

    #[test]
    fn ids_name_their_field() {
        assert!(merchant_no("out_refund_no", "R12345").is_ok());
        let err = merchant_no("out_refund_no", "R1").unwrap_err();
        assert_eq!(err.code(), "FIELD_INVALID");
        assert!(err.to_string().contains("out_refund_no"), "{err}");
        assert_eq!(bill_no("").unwrap_err().code(), "FIELD_MISSING");
        assert!(item_id("sh-water-01").is_err());
        assert!(nonce("Qx7f2LmN9pRt4VwZ").is_ok() && nonce("short").is_err());
        assert!(app_id("2026000000000001").is_ok() && app_id("202600000000001x").is_err());
        assert!(region_code("310000").is_ok() && region_code("31000").is_err());
        assert!(text("subject", "上海水费", 4).is_ok());
        assert!(text("subject", "上海水费!", 4).is_err());
        assert!(text("subject", "a\nb", 10).is_err());
        assert!(date("bill_date", "2026-02-30").is_err());
    }

    #[test]
    fn card_numbers_carry_a_luhn_check_digit() {
        // Two published test numbers and a 19-digit one whose check digit Python computed.
        for good in [
            "4111111111111111",
            "6222021234567890128",
            "5500005555555559",
        ] {
            assert!(card_no(good).is_ok(), "{good}");
        }
        // One digit changed, one digit too few or many, a letter, empty.
        assert_eq!(
            card_no("4111111111111112").unwrap_err().code(),
            "FIELD_INVALID"
        );
        assert_eq!(card_no("411111111111").unwrap_err().code(), "FIELD_INVALID");
        assert_eq!(
            card_no("41111111111111111111").unwrap_err().code(),
            "FIELD_INVALID"
        );
        assert_eq!(
            card_no("411111111111111a").unwrap_err().code(),
            "FIELD_INVALID"
        );
        assert_eq!(card_no("").unwrap_err().code(), "FIELD_MISSING");
        let err = card_no("4111111111111112").unwrap_err().to_string();
        assert!(err.contains("card_no") && err.contains("Luhn"), "{err}");
    }

    #[test]
    fn payer_contact_fields() {
        assert!(mobile("13800138000").is_ok() && mobile("19912345678").is_ok());
        for bad in ["12800138000", "1380013800", "138001380000", "+8613800138"] {
            assert_eq!(mobile(bad).unwrap_err().code(), "FIELD_INVALID", "{bad}");
        }
        assert!(account_no("6217000012344567").is_ok() && account_no("621700001").is_err());
        assert!(bank_code("ICBC").is_ok() && bank_code("icbc").is_err() && bank_code("I").is_err());
        assert!(
            sms_code("042917").is_ok() && sms_code("42917").is_err() && sms_code("04291a").is_err()
        );
    }
}
