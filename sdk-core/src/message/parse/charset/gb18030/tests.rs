//! The decoder against encoding_rs, the reference it replaces: exhaustively over every
//! one-, two- and four-byte sequence, and by property over arbitrary input.

use std::time::Instant;

use encoding_rs::{Encoding, GB18030, GBK};
use proptest::prelude::*;

use super::*;

/// Both labels: encoding_rs has two encodings, and `Charset` maps one to each.
const ORACLES: [&Encoding; 2] = [GBK, GB18030];

/// Asserts that `decode` gives exactly what encoding_rs gives for `bytes`, under both labels.
#[track_caller]
fn assert_matches_encoding_rs(bytes: &[u8]) {
    let ours = decode(bytes);
    for oracle in ORACLES {
        let expected = oracle.decode_without_bom_handling_and_without_replacement(bytes);
        assert_eq!(ours, expected, "{} {bytes:02X?}", oracle.name());
    }
}

/// Encodes `text` in GB18030 with encoding_rs (every code point but U+E5E5 is encodable).
fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = GB18030.encode(text);
    assert!(!had_errors, "{text:?} is not encodable in GB18030");
    bytes.into_owned()
}

#[test]
fn every_single_byte() {
    for byte in 0..=u8::MAX {
        assert_matches_encoding_rs(&[byte]);
    }
}

#[test]
fn every_two_byte_sequence() {
    // All 256 first bytes, not only the leads: 0x80, 0xFF and ASCII followed by anything.
    for first in 0..=u8::MAX {
        for second in 0..=u8::MAX {
            assert_matches_encoding_rs(&[first, second]);
        }
    }
}

#[test]
fn every_four_byte_sequence() {
    // 126 × 10 × 126 × 10 = 1,587,600 sequences: every pointer, including the gaps between
    // the BMP and supplementary parts and past U+10FFFF.
    for first in 0x81..=0xFE {
        for second in 0x30..=0x39 {
            for third in 0x81..=0xFE {
                for fourth in 0x30..=0x39 {
                    assert_matches_encoding_rs(&[first, second, third, fourth]);
                }
            }
        }
    }
}

#[test]
fn every_broken_four_byte_sequence() {
    // A lead and a digit promise four bytes; every possible third byte (with a valid
    // fourth), and every possible fourth byte (after a valid third).
    for first in 0x81..=0xFE {
        for second in 0x30..=0x39 {
            for other in 0..=u8::MAX {
                assert_matches_encoding_rs(&[first, second, other, 0x30]);
                assert_matches_encoding_rs(&[first, second, 0x81, other]);
            }
        }
    }
}

#[test]
fn sequences_truncated_at_the_end_of_input() {
    for first in 0x81..=0xFE {
        // Nothing, ASCII, the one-byte euro sign and a two-byte character before the cut.
        for prefix in [b"".as_slice(), b"a", b"\x80", &gb18030("中")] {
            let mut input = prefix.to_vec();
            input.push(first);
            assert_matches_encoding_rs(&input);
            assert_eq!(decode(&input), None, "{input:02X?}");
            for rest in [&[0x35][..], &[0x35, 0x81], &[0x35, 0xFE]] {
                let mut truncated = input.clone();
                truncated.extend_from_slice(rest);
                assert_matches_encoding_rs(&truncated);
                assert_eq!(decode(&truncated), None, "{truncated:02X?}");
            }
        }
    }
}

#[test]
fn mixed_ascii_and_multibyte_text() {
    for text in [
        "",
        "out_trade_no=T100&total_amount=9.90",
        "subject=水费 11月&body=缴费成功",
        "中a文b字c",
        "€ 12,80 ¥ 100",
        // Four-byte sequences: BMP (Latin, Cyrillic extensions, Hangul) and supplementary.
        "Ā ǹ Ѐ 가 ࠀ 𠀀 😀 \u{10FFFF}",
        // Edition-dependent mappings: GB18030-2022 moved A6D9 and FE59 off the Private Use
        // Area (to U+FE10, U+9FB4), and 2005 gave 8135F437 to U+E7C7 (a pointer outside the
        // ranges' runs). encoding_rs, hence the tables, follows the current standard.
        "\u{FE10}\u{9FB4}\u{E7C7}",
        "\u{80}\u{FFFF}",
    ] {
        let bytes = gb18030(text);
        assert_matches_encoding_rs(&bytes);
        assert_eq!(decode(&bytes).as_deref(), Some(text));
    }
    // ASCII-only input is borrowed, as encoding_rs borrows it.
    assert!(matches!(decode(b"a=1&b=2"), Some(Cow::Borrowed("a=1&b=2"))));
    // One bad byte anywhere invalidates the whole input.
    for bad in [
        &b"\xD6\xD0\xFF\xD6\xD0"[..],
        b"a\xD6\x7Fb",
        b"\xD6\xD0\x81\x30\x81",
    ] {
        assert_matches_encoding_rs(bad);
        assert_eq!(decode(bad), None, "{bad:02X?}");
    }
}

/// A byte string built from pieces that are mostly valid, so that long inputs reach deep
/// into the decoder instead of failing at the first random byte.
fn mostly_valid_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => (0x00_u8..0x80).prop_map(|ascii| vec![ascii]),
        1 => Just(vec![0x80]),
        4 => (0x81_u8..=0xFE, 0x40_u8..=0xFE).prop_map(|(lead, trail)| vec![lead, trail]),
        2 => (0x81_u8..=0xFE, 0x30_u8..=0x39, 0x81_u8..=0xFE, 0x30_u8..=0x39)
            .prop_map(|(a, b, c, d)| vec![a, b, c, d]),
        1 => any::<u8>().prop_map(|byte| vec![byte]),
    ];
    prop::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_bytes_match_encoding_rs(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        assert_matches_encoding_rs(&bytes);
    }

    #[test]
    fn mostly_valid_bytes_match_encoding_rs(bytes in mostly_valid_bytes()) {
        assert_matches_encoding_rs(&bytes);
    }

    #[test]
    fn encoded_text_decodes_back(text in "\\PC{0,32}") {
        let (bytes, _, had_errors) = GB18030.encode(&text);
        assert_matches_encoding_rs(&bytes);
        if !had_errors {
            let decoded = decode(&bytes);
            prop_assert_eq!(decoded.as_deref(), Some(text.as_str()));
        }
    }
}

/// Decoding speed next to encoding_rs, on 1 MiB of GBK form fields. A measurement, not a
/// test: it asserts only that both agree.
///
/// Run with: `cargo test -p paysign-core --release --lib gb18030::tests::speed -- --ignored --nocapture`
#[test]
#[ignore = "a timing to read, not a check; run it in release mode"]
fn speed_against_encoding_rs() {
    let field = "subject=北京市朝阳区水费 2024年11月&buyer=张三&total_amount=128.50&";
    // `field.len()` counts UTF-8 bytes, more than GBK's: enough to cut a MiB from.
    let text = field.repeat((1 << 20) / field.len() * 2);
    let (bytes, _, _) = GBK.encode(&text);
    let bytes = &bytes[..bytes.len().min(1 << 20)];
    // Cut at a character boundary: the last `&` of the first MiB.
    let end = bytes.iter().rposition(|&b| b == b'&').unwrap_or_default() + 1;
    let body = &bytes[..end];
    assert_matches_encoding_rs(body);

    const ROUNDS: u32 = 50;
    let time = |decode: &dyn Fn(&[u8]) -> Option<Cow<'_, str>>| {
        let start = Instant::now();
        for _ in 0..ROUNDS {
            assert!(std::hint::black_box(decode(std::hint::black_box(body))).is_some());
        }
        start.elapsed() / ROUNDS
    };
    let ours = time(&decode);
    let reference = time(&|bytes| GBK.decode_without_bom_handling_and_without_replacement(bytes));
    let mib = body.len() as f64 / f64::from(1 << 20);
    eprintln!(
        "{:.2} MiB of GBK: paysign {ours:?} ({:.0} MiB/s), encoding_rs {reference:?} ({:.0} MiB/s)",
        mib,
        mib / ours.as_secs_f64(),
        mib / reference.as_secs_f64(),
    );
}

/// The encoder against encoding_rs over every code point: the same bytes, or both refuse.
#[test]
fn encoder_matches_encoding_rs_for_every_code_point() {
    let mut differences = Vec::new();
    for (oracle, gbk) in [(GB18030, false), (GBK, true)] {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text = c.to_string();
            let (expected, _, unmappable) = oracle.encode(&text);
            let expected = (!unmappable).then(|| expected.into_owned());
            let ours = encode(&text, gbk).map(Cow::into_owned);
            if ours != expected {
                differences.push(format!(
                    "{} U+{:04X}: {ours:02X?} vs {expected:02X?}",
                    oracle.name(),
                    u32::from(c)
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}

proptest! {
    /// Whatever GB18030 encodes decodes back to the same text.
    #[test]
    fn encoding_round_trips(text in "\\PC*") {
        if let Some(bytes) = encode(&text, false) {
            let decoded = decode(&bytes);
            prop_assert_eq!(decoded.as_deref(), Some(text.as_str()));
        }
    }
}
