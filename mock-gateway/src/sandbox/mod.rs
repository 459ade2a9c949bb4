//! Platform sandboxes (issue 20, docs/sandbox-alipay.md, docs/sandbox-wechatpay.md): the
//! gateway speaks a payment platform's own API, so a merchant's integration built on that
//! platform's official SDK runs against it offline, unhappy paths included.
//!
//! What both sandboxes share lives here: the secret their keys and download links are
//! derived from, the natural days their bills cover, and the zip their bills come in.

pub(crate) mod alipay;
pub(crate) mod wechatpay;
pub(crate) mod x509;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::{Date, OffsetDateTime};

use crate::error::ApiError;
use crate::statements::hex;
use crate::store::{Store, meta};

/// The `meta` key of the sandboxes' secret.
const SECRET: &str = "sandbox_secret";

/// HMAC-SHA256 of `parts` (each followed by a zero byte, so no two lists collide) under the
/// sandboxes' secret, generated on first use and kept in the database: the WeChat Pay APIv3
/// keys and the bills' download tokens, the same across restarts with `--db`.
pub(crate) fn derive(store: &Store, parts: &[&str]) -> Result<[u8; 32], ApiError> {
    // Read first: every notification, bill link and cashier page derives something, and
    // only the first of all of them needs the write lock.
    let secret = match store.read(|c| Ok(meta::get(c, SECRET)?))? {
        Some(secret) => secret,
        None => store.write(|tx| {
            // Another request may have made it meanwhile: the first one is kept.
            if let Some(secret) = meta::get(tx, SECRET)? {
                return Ok(secret);
            }
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
            let secret = hex(&bytes);
            meta::set(tx, SECRET, &secret)?;
            Ok(secret)
        })?,
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(ApiError::internal)?;
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// A download token for `parts` that is good until `expires` (Unix seconds).
pub(crate) fn download_token(
    store: &Store,
    parts: &[&str],
    expires: i64,
) -> Result<String, ApiError> {
    let expires = expires.to_string();
    let mut all = vec!["download"];
    all.extend_from_slice(parts);
    all.push(&expires);
    Ok(hex(&derive(store, &all)?))
}

/// Whether `token` is `parts`' token for `expires`, and `expires` is not past `now`;
/// compared in constant time.
pub(crate) fn token_valid(
    store: &Store,
    parts: &[&str],
    expires: i64,
    token: &str,
    now: i64,
) -> Result<bool, ApiError> {
    use subtle::ConstantTimeEq;
    let expected = download_token(store, parts, expires)?;
    Ok(now <= expires && bool::from(expected.as_bytes().ct_eq(token.as_bytes())))
}

/// Unix seconds now in real time. The gateway's clock (which the admin API can move) dates
/// the business; what a platform's SDK checks against its own clock — WeChat Pay's
/// `Authorization` and `Wechatpay-Timestamp` — is dated in real time, as the platform's
/// servers date it.
pub(crate) fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The public key merchant `app_id` registered: the platform application's (Alipay) or
/// merchant's (WeChat Pay) key, which the sandbox certifies and names by serial.
/// `APP_ID_UNKNOWN` without such a merchant, `FIELD_INVALID` for one registered with a
/// secret only.
pub(crate) fn registered_key(
    state: &crate::state::AppState,
    app_id: &str,
) -> Result<paysign_core::PublicKey, ApiError> {
    let merchant = state
        .store()
        .read(|c| Ok(crate::merchants::store::get(c, app_id)?))?
        .ok_or_else(|| {
            ApiError::new(
                crate::error::Code::AppIdUnknown,
                format!("no merchant {app_id}"),
            )
        })?;
    let pem = merchant.public_key.ok_or_else(|| {
        ApiError::field_invalid(
            "app_id",
            format!("merchant {app_id} registered no public key, only a secret"),
        )
    })?;
    Ok(paysign_core::PublicKey::parse(pem.as_bytes())?)
}

/// Beijing local time as the platforms write it: `yyyy-MM-dd HH:mm:ss`, or with `compact`
/// `yyyyMMddHHmmss` (the dates inside WeChat Pay's numbers).
pub(crate) fn beijing_time(at: i64, compact: bool) -> Result<String, ApiError> {
    Ok(paysign_core::message::time::format_local(
        at,
        paysign_core::message::time::CHINA_STANDARD_TIME,
        compact,
    )?)
}

/// Fen as signed yuan with two decimals (`-6.66`), as the bills write refunds.
pub(crate) fn signed_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// A free-text field (a subject, a description) as the bills write it: neither platform's
/// bill quotes anything, so a comma, a line break or WeChat Pay's backtick marker is written
/// as a space rather than break the row.
pub(crate) fn bill_text(text: &str) -> String {
    text.replace([',', '\n', '\r', '`'], " ")
}

/// A query parameter's value, if given and not empty. The sandboxes' query parameters need
/// no percent-decoding: dates, enum words, ids and tokens of `[0-9A-Za-z._-]`; a value with
/// a `%` escape is read as written (and so matches nothing).
pub(crate) fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A natural day in Beijing time (`YYYY-MM-DD`): its date and its first and last-plus-one
/// second, which the platforms' bills cover (not the gateway's 23:30 business day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NaturalDay {
    pub(crate) date: Date,
    pub(crate) start: i64,
    pub(crate) end: i64,
}

impl NaturalDay {
    /// `None` unless `text` is a real date written `YYYY-MM-DD`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i32> {
            let part = text.get(range)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let month = time::Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        let date = Date::from_calendar_date(number(0..4)?, month, day).ok()?;
        let start = date
            .midnight()
            .assume_offset(paysign_core::message::time::CHINA_STANDARD_TIME)
            .unix_timestamp();
        Some(Self {
            date,
            start,
            end: start + 86_400,
        })
    }

    /// `YYYYMMDD`.
    pub(crate) fn compact(&self) -> String {
        crate::statements::format_date(self.date).replace('-', "")
    }

    /// Whether the day has ended at `now`, so its bill exists.
    pub(crate) fn ended(&self, now: i64) -> bool {
        now >= self.end
    }
}

/// A zip archive of `files` (name, bytes), stored uncompressed — what a bill download hands
/// out, readable by any unzip. Names are flagged UTF-8; every entry is dated `at`.
pub(crate) fn stored_zip(files: &[(&str, &[u8])], at: i64) -> Result<Vec<u8>, ApiError> {
    let local = OffsetDateTime::from_unix_timestamp(at)
        .map_err(ApiError::internal)?
        .to_offset(paysign_core::message::time::CHINA_STANDARD_TIME);
    let dos_time = (u16::from(local.hour()) << 11)
        | (u16::from(local.minute()) << 5)
        | u16::from(local.second() / 2);
    let dos_date = (u16::try_from(local.year() - 1980).unwrap_or(0) << 9)
        | (u16::from(u8::from(local.month())) << 5)
        | u16::from(local.day());
    let size = |n: usize| u32::try_from(n).map_err(|_| ApiError::internal("zip entry too large"));
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = size(out.len())?;
        let crc = crc32(data);
        let (name_len, data_len) = (
            u16::try_from(name.len()).map_err(ApiError::internal)?,
            size(data.len())?,
        );
        // Local file header: version 2.0, UTF-8 names (bit 11), stored (method 0).
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for field in [20u16, 0x0800, 0, dos_time, dos_date] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        for field in [crc, data_len, data_len] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for field in [20u16, 20, 0x0800, 0, dos_time, dos_date] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        for field in [crc, data_len, data_len] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        for field in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (entries, central_offset, central_len) = (
        u16::try_from(files.len()).map_err(ApiError::internal)?,
        size(out.len())?,
        size(central.len())?,
    );
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for field in [0u16, 0, entries, entries] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses it).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_zips() {
        // The check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn natural_days_are_beijing_dates() {
        let day = NaturalDay::parse("2026-11-20").unwrap();
        // 2026-11-20T00:00:00+08:00.
        assert_eq!(day.start, 1_795_104_000);
        assert_eq!(day.end - day.start, 86_400);
        assert_eq!(day.compact(), "20261120");
        for bad in [
            "2026-02-30",
            "2026-11-2",
            "20261120",
            "2026-1a-20",
            "+026-11-20",
        ] {
            assert_eq!(NaturalDay::parse(bad), None, "{bad}");
        }
    }
}
