//! Platform rules beyond the `k=v` canonical string (docs/profiles.md), one module per
//! platform, each a pipeline of pure functions: string to sign → signature check → time
//! window → typed fields.
//!
//! - [`wechat_v3`]: WeChat Pay API v3 — header signatures over the raw body, platform keys
//!   by `Wechatpay-Serial`, signature probes, AES-256-GCM notification resources, request
//!   `Authorization` headers;
//! - [`unionpay`]: UnionPay `signMethod` 01 and 11;
//! - [`standard_webhooks`]: `webhook-*` headers, `v1,` HMAC-SHA256, `whsec_` secrets;
//! - [`alipay_cert`]: Alipay certificate mode (`app_cert_sn`, `alipay_root_cert_sn`);
//! - [`wechat_v2_refund`]: WeChat Pay v2 refund notifications (`req_info`, AES-256-ECB).
//!
//! [`crate::callback::NotificationVerifier`] strings the stages together for each
//! profile; the functions are public so each stage can be checked on its own.

pub mod alipay_cert;
pub mod standard_webhooks;
pub mod unionpay;
pub mod wechat_v2_refund;
pub mod wechat_v3;

use crate::error::{Error, Result};
use crate::profile::Profile;

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
pub(crate) fn required_header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<&'a str> {
    header(headers, name)?
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::FieldMissing {
            field: format!("{name} (HTTP header)"),
        })
}

/// A Unix-seconds timestamp header, checked against `now` ± `tolerance_secs`.
pub(crate) fn check_unix_timestamp(text: &str, now: i64, tolerance_secs: u64) -> Result<i64> {
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
            tolerance_secs,
        });
    }
    Ok(at)
}

/// The exact string a header-signed profile's signature covers, from the headers and the
/// raw body: WeChat Pay v3 `TIMESTAMP\nNONCE\nBODY\n` (responses and notifications, from
/// `Wechatpay-Timestamp` and `Wechatpay-Nonce`), Standard Webhooks `ID.TIMESTAMP.BODY`
/// (`webhook-id`, `webhook-timestamp`). The signature header is not needed: the string
/// does not contain it. Other profiles sign `k=v` strings ([`crate::canonical_string`]).
pub fn string_to_sign(profile: Profile, headers: &[(&str, &str)], body: &[u8]) -> Result<String> {
    let body = std::str::from_utf8(body).map_err(|_| Error::CharsetInvalid { charset: "UTF-8" })?;
    match profile {
        Profile::WechatV3 => Ok(wechat_v3::response_message(
            required_header(headers, wechat_v3::TIMESTAMP_HEADER)?,
            required_header(headers, wechat_v3::NONCE_HEADER)?,
            body,
        )),
        Profile::StandardWebhooks => Ok(standard_webhooks::signed_content(
            required_header(headers, standard_webhooks::ID_HEADER)?,
            required_header(headers, standard_webhooks::TIMESTAMP_HEADER)?,
            body,
        )),
        Profile::Paysign | Profile::Alipay | Profile::WechatV2 | Profile::UnionPay => {
            Err(Error::field_invalid(
                "profile",
                format!("{profile} signs a k=v canonical string, not headers and a body"),
            ))
        }
    }
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
    fn the_string_to_sign_needs_no_signature_header() {
        let v3 = [("Wechatpay-Timestamp", "1"), ("Wechatpay-Nonce", "n")];
        assert_eq!(
            string_to_sign(Profile::WechatV3, &v3, b"{}").unwrap(),
            "1\nn\n{}\n"
        );
        let sw = [("webhook-id", "msg_1"), ("webhook-timestamp", "2")];
        assert_eq!(
            string_to_sign(Profile::StandardWebhooks, &sw, b"{}").unwrap(),
            "msg_1.2.{}"
        );
        assert_eq!(
            string_to_sign(Profile::WechatV3, &v3[..1], b"{}")
                .unwrap_err()
                .code(),
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
