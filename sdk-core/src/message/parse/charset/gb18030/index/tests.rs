//! The committed tables against encoding_rs, and their regeneration.

use super::*;

/// Set to `1` to rewrite the committed tables from encoding_rs instead of checking them.
const REGENERATE: &str = "PAYSIGN_REGENERATE_GB18030";

/// Where the tables live, for regeneration.
const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/message/parse/charset/gb18030"
);

#[test]
fn committed_tables_match_encoding_rs() {
    let two_byte_index = encode_deltas(&oracle_two_byte_index());
    let four_byte_ranges = encode_ranges(&oracle_four_byte_ranges());
    if std::env::var(REGENERATE).is_ok_and(|value| value == "1") {
        std::fs::write(format!("{DIR}/two_byte_index.bin"), &two_byte_index).unwrap();
        std::fs::write(format!("{DIR}/four_byte_ranges.bin"), &four_byte_ranges).unwrap();
        eprintln!("{REGENERATE}=1: wrote the gb18030 tables to {DIR}; rebuild to embed them");
        return;
    }
    // `assert!`, not `assert_eq!`: a diff of 30 KB of bytes would help nobody.
    let hint = format!("run `{REGENERATE}=1 cargo test -p paysign-core gb18030` to regenerate");
    assert!(
        TWO_BYTE_INDEX_BIN == two_byte_index.as_slice(),
        "two_byte_index.bin differs from encoding_rs: {hint}"
    );
    assert!(
        FOUR_BYTE_RANGES_BIN == four_byte_ranges.as_slice(),
        "four_byte_ranges.bin differs from encoding_rs: {hint}"
    );
}

#[test]
fn deltas_expand_to_the_table_they_encode() {
    let table = oracle_two_byte_index();
    assert_eq!(
        expand_deltas(&encode_deltas(&table)),
        table.into_boxed_slice()
    );
    assert_eq!(expand_deltas(TWO_BYTE_INDEX_BIN).len(), TWO_BYTE_POINTERS);
    // Every 16-bit step, including the wrapping ones, round-trips.
    let steps: Vec<u16> = [0, 1, 0x7FFF, 0x8000, 0xFFFF, 0, 0xFFFF, 1].to_vec();
    assert_eq!(
        expand_deltas(&encode_deltas(&steps)),
        steps.into_boxed_slice()
    );
}

#[test]
fn malformed_deltas_end_the_table_without_panicking() {
    // A varint cut short, and one longer than three bytes.
    assert_eq!(expand_deltas(&[0x02, 0x80]).as_ref(), &[1]);
    assert_eq!(
        expand_deltas(&[0x80, 0x80, 0x80, 0x01]).as_ref(),
        &[] as &[u16]
    );
    // A three-byte varint above u16::MAX.
    assert_eq!(expand_deltas(&[0xFF, 0xFF, 0x7F]).as_ref(), &[] as &[u16]);
}

#[test]
fn lookups_outside_the_tables_fail() {
    assert_eq!(TwoByteIndex::get().char(TWO_BYTE_POINTERS), None);
    assert_eq!(TwoByteIndex::get().char(usize::MAX), None);
    assert_eq!(four_byte_bmp(0), Some('\u{80}'));
    assert_eq!(FOUR_BYTE_RANGES.first().map(|range| range.pointer), Some(0));
}

/// `index gb18030` as encoding_rs decodes each two-byte sequence; 0 where it fails.
fn oracle_two_byte_index() -> Vec<u16> {
    (0..TWO_BYTE_POINTERS)
        .map(|pointer| {
            let lead = 0x81 + pointer / 190;
            let trail = pointer % 190;
            // Trail bytes skip 0x7F: 0x40..=0x7E, then 0x80..=0xFE.
            let trail = if trail < 0x3F {
                0x40 + trail
            } else {
                0x41 + trail
            };
            let bytes = [lead as u8, trail as u8];
            oracle_char(&bytes).map_or(0, |c| {
                u16::try_from(u32::from(c)).expect("two-byte sequences decode to the BMP")
            })
        })
        .collect()
}

/// `index gb18030 ranges` as the starts of the runs of consecutive code points encoding_rs
/// decodes four-byte pointers 0..=39419 to.
fn oracle_four_byte_ranges() -> Vec<Range> {
    let mut ranges: Vec<Range> = Vec::new();
    let mut previous: Option<u16> = None;
    for pointer in 0..=39419_u16 {
        let p = u32::from(pointer);
        let bytes = [
            (0x81 + p / 12600) as u8,
            (0x30 + p / 1260 % 10) as u8,
            (0x81 + p / 10 % 126) as u8,
            (0x30 + p % 10) as u8,
        ];
        let c = oracle_char(&bytes).expect("every BMP four-byte pointer decodes");
        let code_point = u16::try_from(u32::from(c)).expect("pointers 0..=39419 are BMP");
        if previous.map(|p| p.wrapping_add(1)) != Some(code_point) {
            ranges.push(Range {
                pointer,
                code_point,
            });
        }
        previous = Some(code_point);
    }
    ranges
}

/// The single character encoding_rs decodes `bytes` to, if it decodes them.
fn oracle_char(bytes: &[u8]) -> Option<char> {
    let text = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut chars = text.chars();
    let c = chars.next();
    assert_eq!(chars.next(), None, "{bytes:02X?} decodes to one character");
    c
}

/// The inverse of [`expand_deltas`].
fn encode_deltas(table: &[u16]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut previous: u16 = 0;
    for &value in table {
        let delta = value.wrapping_sub(previous) as i16;
        let mut zigzag = ((delta << 1) ^ (delta >> 15)) as u16;
        while zigzag >= 0x80 {
            out.push((zigzag as u8 & 0x7F) | 0x80);
            zigzag >>= 7;
        }
        out.push(zigzag as u8);
        previous = value;
    }
    out
}

/// The inverse of [`read_ranges`].
fn encode_ranges(ranges: &[Range]) -> Vec<u8> {
    ranges
        .iter()
        .flat_map(|range| [range.pointer.to_le_bytes(), range.code_point.to_le_bytes()])
        .flatten()
        .collect()
}
