//! Identifiers the gateway issues: nonces, `trade_no`, `refund_no` (docs/protocol.md §6),
//! `agreement_no`, `deduction_no` and confirmation codes (docs/collection.md).

use crate::error::ApiError;
use crate::statements;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh 32-character `[A-Za-z0-9]` nonce from the system RNG.
pub(crate) fn fresh_nonce() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    // 62 does not divide 256; the slight bias is irrelevant for a nonce.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

/// A fresh six-digit confirmation code from the system RNG, uniform over 000000-999999
/// (values at or above the largest multiple of 10^6 below 2^32 are drawn again).
pub(crate) fn sms_code() -> Result<String, ApiError> {
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
        let n = u32::from_le_bytes(bytes);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// `{prefix}{YYYYMMDD}{seq:010}` with the creation date in +08:00.
pub(crate) fn gateway_no(prefix: char, at: i64, seq: i64) -> Result<String, ApiError> {
    let local = time::OffsetDateTime::from_unix_timestamp(at)
        .map_err(ApiError::internal)?
        .checked_to_offset(paysign_core::message::time::CHINA_STANDARD_TIME)
        .ok_or_else(|| ApiError::internal("date out of range"))?;
    let date = statements::format_date(local.date()).replace('-', "");
    Ok(format!("{prefix}{date}{seq:010}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_the_china_date() {
        // 2026-11-19T23:40:12+08:00 is still the 19th in +08:00 (15:40 UTC).
        assert_eq!(
            gateway_no('T', 1_795_102_812, 7).unwrap(),
            "T202611190000000007"
        );
        let n = fresh_nonce().unwrap();
        assert_eq!(n.len(), 32);
        assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
