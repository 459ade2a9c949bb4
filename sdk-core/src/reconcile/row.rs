//! The row both sides are read into, the business day's instants (§10.1), and the small
//! input helpers shared by the statement and records readers.

use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::io::{self, Read};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use time::{Date, Time};

use super::csv_input::Record;
use super::{Entry, EventKind, RowError, Source};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::message::Amount;
use crate::message::time::{CHINA_STANDARD_TIME, parse_timestamp};

/// A status in the gateway's vocabulary, compact for the pending maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Success,
    PartiallyRefunded,
    Refunded,
    Reversed,
    Other(Box<str>),
}

impl Status {
    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "SUCCESS" => Status::Success,
            "PARTIALLY_REFUNDED" => Status::PartiallyRefunded,
            "REFUNDED" => Status::Refunded,
            "REVERSED" => Status::Reversed,
            other => Status::Other(other.into()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Status::Success => "SUCCESS",
            Status::PartiallyRefunded => "PARTIALLY_REFUNDED",
            Status::Refunded => "REFUNDED",
            Status::Reversed => "REVERSED",
            Status::Other(s) => s,
        }
    }
}

impl EventKind {
    /// Parses a wire name.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// +1 for money in, −1 for money out, 0 for a reversal (no money moves).
    pub(crate) fn sign(self) -> i64 {
        match self {
            EventKind::Pay | EventKind::In | EventKind::Deduction => 1,
            EventKind::Refund | EventKind::Out | EventKind::Payout => -1,
            EventKind::Reverse => 0,
        }
    }

    /// Refunds are identified by their amount too (an order may have several).
    pub(crate) fn is_refund(self) -> bool {
        matches!(self, EventKind::Refund | EventKind::Out)
    }
}

/// An order number or gateway id (`[A-Za-z0-9_-]{1,64}`, §6) kept inline when it fits, so
/// that reading a row allocates nothing for it. A profile of the 1 M-row benchmark with
/// reading ahead put 16 % of the time in malloc and free, most of it two boxed strings per
/// row allocated on a reading thread and freed on the matcher's; inline, an id also takes
/// 32 bytes in the pending maps instead of a 16-byte box and its 32-byte allocation.
#[derive(Clone)]
pub(crate) enum Id {
    Inline { len: u8, bytes: [u8; INLINE_ID] },
    Boxed(Box<str>),
}

/// Longest id kept inline (ours are 13 to 19 bytes; the grammar allows 64).
const INLINE_ID: usize = 30;

impl Id {
    pub(crate) fn new(text: &str) -> Self {
        let mut bytes = [0u8; INLINE_ID];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(prefix), Ok(len)) => {
                prefix.copy_from_slice(text.as_bytes());
                Id::Inline { len, bytes }
            }
            _ => Id::Boxed(text.into()),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Id::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Id::Boxed(text) => text.as_bytes(),
        }
    }

    /// The text (always UTF-8: made from a `&str`).
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Id {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::fmt::Debug for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// The matching key: order number, event kind, and the refund amount for refunds.
///
/// Its hash is computed once, where the row is read (on a reading thread with
/// `read_ahead`), and the pending rows' table uses it as it is ([`Key::hash`]): in a profile of
/// the 1 M-row benchmark, hashing each key again for every map it met took 8 % of the time.
/// It is SipHash with a random key per process, as `std`'s `HashMap`, so a crafted file
/// still cannot aim its order numbers at one bucket.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) order_no: Id,
    pub(crate) kind: EventKind,
    pub(crate) refund: i64,
    hash: u64,
}

impl Key {
    pub(crate) fn new(order_no: &str, kind: EventKind, amount: Amount) -> Self {
        static HASHER: OnceLock<RandomState> = OnceLock::new();
        let refund = if kind.is_refund() { amount.fen() } else { 0 };
        let hash =
            HASHER
                .get_or_init(RandomState::new)
                .hash_one((order_no.as_bytes(), kind, refund));
        Self {
            order_no: Id::new(order_no),
            kind,
            refund,
            hash,
        }
    }

    /// The hash computed when the key was made.
    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    fn fields(&self) -> (&Id, EventKind, i64) {
        (&self.order_no, self.kind, self.refund)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.fields() == other.fields()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.fields().cmp(&other.fields())
    }
}

/// One event of either side: its matching key and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) key: Key,
    pub(crate) event: Event,
}

/// Everything about a row but its key (what the pending maps hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) trade_no: Id,
    pub(crate) amount: Amount,
    pub(crate) status: Option<Status>,
    pub(crate) time: i64,
    pub(crate) line: u64,
    pub(crate) source: Source,
    /// Whether the statement lists events like this one (always for statement rows; not
    /// for a local `FAIL` payment, say). Unlisted local rows count for no money.
    pub(crate) listed: bool,
}

impl Row {
    /// The signed amount this row contributes to its side's net (in − out).
    pub(crate) fn net(&self) -> i64 {
        if self.event.listed {
            self.key.kind.sign() * self.event.amount.fen()
        } else {
            0
        }
    }

    pub(crate) fn entry(&self) -> Entry {
        let e = &self.event;
        Entry {
            source: e.source,
            line: e.line,
            amount: e.amount,
            status: e.status.as_ref().map(|s| s.as_str().to_owned()),
            time: e.time,
        }
    }
}

/// What a reader yields next.
pub(crate) enum Next {
    /// A well-formed row.
    Row(Row),
    /// A malformed row, skipped.
    Bad(RowError),
    /// The end of the input (after its checks).
    End,
}

/// The instants of business day D (§10.1), as Unix seconds.
#[derive(Debug, Clone)]
pub(crate) struct BusinessDay {
    /// `YYYY-MM-DD` of D.
    pub(crate) date: String,
    /// `YYYY-MM-DD` of D + 1.
    pub(crate) next_date: String,
    /// D 00:00:00 +08:00: the start of the merchant's calendar day.
    pub(crate) calendar_start: i64,
    /// D 23:30:00 +08:00: the end of business day D.
    pub(crate) cutoff: i64,
}

impl BusinessDay {
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let invalid = || {
            Error::option_invalid(
                ApiTerm::BillDate,
                format!("{text:?} is not a calendar date YYYY-MM-DD"),
            )
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let day = Date::parse(text, format).map_err(|_| invalid())?;
        let next = day.next_day().ok_or_else(invalid)?;
        let at = |t: Time| {
            day.with_time(t)
                .assume_offset(CHINA_STANDARD_TIME)
                .unix_timestamp()
        };
        Ok(Self {
            date: format_date(day),
            next_date: format_date(next),
            calendar_start: at(Time::MIDNIGHT),
            cutoff: at(time::macros::time!(23:30:00)),
        })
    }
}

fn format_date(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The fields of a CSV record as text: the record is checked as UTF-8 once, not field by
/// field (in a profile of the 1 M-row benchmark, one check per field took 9 % of the time).
pub(crate) struct TextFields<'a> {
    record: &'a Record,
    /// The whole record, if it is UTF-8.
    text: Option<&'a str>,
}

impl<'a> TextFields<'a> {
    pub(crate) fn new(record: &'a Record) -> Self {
        Self {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
        }
    }

    /// Field `i` (0-based; the error counts from 1). A record that is not UTF-8 as a whole,
    /// or whose field does not start and end on a character, is checked field by field.
    pub(crate) fn get(&self, i: usize) -> std::result::Result<&'a str, String> {
        let whole = self
            .text
            .zip(self.record.range(i))
            .and_then(|(text, range)| text.get(range));
        match whole {
            Some(field) => Ok(field),
            None => std::str::from_utf8(self.record.get(i).unwrap_or_default())
                .map_err(|_| format!("field {} is not UTF-8", i + 1)),
        }
    }
}

/// Parses an event time (RFC 3339, the +08:00 local forms, Unix seconds).
pub(crate) fn parse_time(text: &str) -> std::result::Result<i64, String> {
    parse_timestamp(text, Some(CHINA_STANDARD_TIME)).map_err(|e| e.to_string())
}

/// `out_trade_no`: `^[A-Za-z0-9_-]{6,64}$` (protocol §6).
pub(crate) fn check_order_no(text: &str) -> std::result::Result<(), String> {
    if (6..=64).contains(&text.len()) && text.bytes().all(is_id_byte) {
        Ok(())
    } else {
        Err(format!(
            "order number {text:?} is not a valid out_trade_no (6 to 64 of A-Z a-z 0-9 _ -)"
        ))
    }
}

/// `trade_no`, `flow_no`: up to 64 of `[A-Za-z0-9_-]` (protocol §6); empty when `optional`.
pub(crate) fn check_gateway_id(
    field: &str,
    text: &str,
    optional: bool,
) -> std::result::Result<(), String> {
    let ok = if text.is_empty() {
        optional
    } else {
        text.len() <= 64 && text.bytes().all(is_id_byte)
    };
    if ok {
        return Ok(());
    }
    Err(format!(
        "{field} {text:?} is not a gateway id (1 to 64 of A-Z a-z 0-9 _ -)"
    ))
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Parses the 64 hex digits of an expected SHA-256.
pub(crate) fn parse_sha256(text: &str) -> Result<[u8; 32]> {
    let invalid = || {
        Error::option_invalid(
            ApiTerm::StatementSha256,
            "must be 64 hexadecimal digits (the `sha256` field of the statement.download response)",
        )
    };
    let bytes = text.trim().as_bytes();
    if bytes.len() != 64 {
        return Err(invalid());
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let hi = hex_value(pair[0]).ok_or_else(invalid)?;
        let lo = hex_value(pair[1]).ok_or_else(invalid)?;
        *o = hi << 4 | lo;
    }
    Ok(out)
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The error for an input that cannot be used at all.
pub(crate) fn refuse(source: Source, reason: impl Into<String>) -> Error {
    Error::BodyMalformed {
        format: source.as_str(),
        reason: reason.into(),
    }
}

/// A reader that counts the bytes it passes on and, when asked, hashes them.
pub(crate) struct Tap<R> {
    inner: R,
    pub(crate) bytes: u64,
    hasher: Option<Sha256>,
}

impl<R: Read> Tap<R> {
    pub(crate) fn new(inner: R, hash: bool) -> Self {
        Self {
            inner,
            bytes: 0,
            hasher: hash.then(Sha256::new),
        }
    }

    /// The SHA-256 of everything read so far, if hashing.
    pub(crate) fn digest(&self) -> Option<[u8; 32]> {
        self.hasher.as_ref().map(|h| h.clone().finalize().into())
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        self.bytes += read.len() as u64;
        if let Some(h) = self.hasher.as_mut() {
            h.update(read);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_day_instants() {
        let d = BusinessDay::parse("2026-11-20").unwrap();
        assert_eq!(d.next_date, "2026-11-21");
        assert_eq!(
            d.calendar_start,
            parse_time("2026-11-20T00:00:00+08:00").unwrap()
        );
        assert_eq!(d.cutoff, parse_time("2026-11-20T23:30:00+08:00").unwrap());
        for bad in ["2026-11-31", "20261120", "", "2026-1-2"] {
            assert_eq!(BusinessDay::parse(bad).unwrap_err().code(), "FIELD_INVALID");
        }
        let end = BusinessDay::parse("2026-12-31").unwrap();
        assert_eq!(end.next_date, "2027-01-01");
    }

    #[test]
    fn inline_and_boxed_ids_are_the_same_text() {
        let short = Id::new("M20261120000001");
        let long = Id::new(&"A".repeat(64));
        assert!(matches!(short, Id::Inline { .. }) && matches!(long, Id::Boxed(_)));
        assert_eq!(short.as_str(), "M20261120000001");
        assert_eq!(long.as_str(), "A".repeat(64));
        let edge = "B".repeat(INLINE_ID);
        assert_eq!(Id::new(&edge).as_str(), edge);
        assert_eq!(Id::new(&format!("{edge}B")).as_str().len(), INLINE_ID + 1);
        assert_eq!(Id::new(""), Id::new(""));
        assert!(Id::new("M1") < Id::new(&"M2".repeat(20)), "ordered as text");
    }

    #[test]
    fn ids() {
        assert!(check_order_no("M20261120000001").is_ok());
        for bad in ["M1", "M2026 1120", "=cmd()", "订单123456", &"A".repeat(65)] {
            assert!(check_order_no(bad).is_err(), "{bad}");
        }
        assert!(check_gateway_id("trade_no", "T1", false).is_ok());
        assert!(check_gateway_id("trade_no", "", true).is_ok());
        assert!(check_gateway_id("trade_no", "", false).is_err());
        assert!(check_gateway_id("trade_no", "T,1", true).is_err());
    }

    #[test]
    fn sha256_hex() {
        let hex = "2946224aa11d4d41f20b4faa5d500f3c9f9edc766865cb433453e0c057286368";
        assert_eq!(to_hex(&parse_sha256(hex).unwrap()), hex);
        assert_eq!(
            to_hex(&parse_sha256(&hex.to_uppercase()).unwrap()),
            hex,
            "case-insensitive"
        );
        for bad in ["", "abc", &hex[..63], &format!("{}g", &hex[..63])] {
            assert_eq!(parse_sha256(bad).unwrap_err().code(), "FIELD_INVALID");
        }
    }

    #[test]
    fn tap_counts_and_hashes() {
        let mut tap = Tap::new(&b"abc"[..], true);
        let mut out = Vec::new();
        tap.read_to_end(&mut out).unwrap();
        assert_eq!(tap.bytes, 3);
        assert_eq!(
            to_hex(&tap.digest().unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(Tap::new(&b""[..], false).digest().is_none());
    }
}
