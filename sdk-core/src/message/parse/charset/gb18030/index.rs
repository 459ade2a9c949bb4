//! The two WHATWG indexes the gb18030 decoder looks code points up in, as committed data.
//!
//! - **index gb18030** (two-byte sequences): 126 lead bytes × 190 trail bytes = 23,940
//!   BMP code points. Stored in `two_byte_index.bin` as the difference of each entry from
//!   the previous one, zigzag-encoded and written as a LEB128 varint, and expanded once,
//!   on the first non-ASCII byte, into a `u16` table ([`TwoByteIndex`]).
//! - **index gb18030 ranges** (four-byte sequences below U+10000): the pointers where a run
//!   of consecutive code points starts. Stored in `four_byte_ranges.bin` as little-endian
//!   `u16` pairs (pointer, code point), read at compile time into a sorted array.
//!
//! Both files are generated from encoding_rs (the dev-dependency the tests use as the
//! oracle) by the tests in `index/tests.rs`: they fail when a file and encoding_rs disagree,
//! and `PAYSIGN_REGENERATE_GB18030=1 cargo test -p paysign-core gb18030` rewrites the files.
//! The ranges are derived, not copied from the standard's 207-entry list: the runs of
//! consecutive code points encoding_rs decodes pointers 0..=39419 to, which also covers
//! the one pointer (7457 → U+E7C7) the standard special-cases (208 runs).
//!
//! # Why deltas, and why binary files
//!
//! The point of this module is the size of the WebAssembly package, which ships gzipped.
//! A plain little-endian `u16` table gzips to 45,654 bytes (`gzip -9`): the GB2312 hanzi
//! are ordered by pinyin, so their code points look random, and even the GBK extension
//! areas — long runs of consecutive CJK code points — are a different byte pair each. As
//! deltas, such a run is the same byte repeated (zigzag +1 = `0x02`), which gzip collapses:
//! the varint file gzips to 15,904 bytes. (Deltas as plain `u16` gzip to 16,516 bytes, and
//! split into high and low byte planes to 15,571: all within 1 KiB, so the smallest raw
//! file — 29,911 bytes against 47,880 — won.)
//!
//! The tables are `include_bytes!` files rather than generated `.rs` arrays: the test
//! compares exactly the bytes the crate embeds, whereas a generated source file would be
//! reformatted by `cargo fmt` (drifting from the generator's text) and would be a 100 KB
//! file of literals for rustc to parse on every build. Nobody reviews these tables by diff
//! anyway: encoding_rs is their reviewer.

use std::sync::OnceLock;

/// Number of two-byte pointers: 126 lead bytes (0x81..=0xFE) × 190 trail bytes.
const TWO_BYTE_POINTERS: usize = 126 * 190;

/// `index gb18030` as zigzag varint deltas (see the module docs).
const TWO_BYTE_INDEX_BIN: &[u8] = include_bytes!("two_byte_index.bin");

/// `index gb18030 ranges` as little-endian `u16` (pointer, code point) pairs.
const FOUR_BYTE_RANGES_BIN: &[u8] = include_bytes!("four_byte_ranges.bin");

/// The expanded two-byte index, built on the first lookup: most bodies are ASCII or UTF-8
/// and never pay the 47 KB of memory or the expansion.
static TWO_BYTE_INDEX: OnceLock<Box<[u16]>> = OnceLock::new();

/// The four-byte ranges, sorted by pointer.
static FOUR_BYTE_RANGES: [Range; FOUR_BYTE_RANGES_BIN.len() / 4] =
    read_ranges(FOUR_BYTE_RANGES_BIN);

/// One entry of `index gb18030 ranges`: pointers from `pointer` on map to consecutive code
/// points from `code_point` on, up to the next entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    /// First four-byte pointer of the run.
    pointer: u16,
    /// Code point of that pointer.
    code_point: u16,
}

/// `index gb18030`, expanded: a handle fetched once per input rather than once per
/// character.
#[derive(Debug, Clone, Copy)]
pub(super) struct TwoByteIndex(&'static [u16]);

impl TwoByteIndex {
    /// The index, expanded from the committed deltas on the first call in the process.
    pub(super) fn get() -> Self {
        Self(TWO_BYTE_INDEX.get_or_init(|| expand_deltas(TWO_BYTE_INDEX_BIN)))
    }

    /// The character of a two-byte pointer (`(lead - 0x81) * 190 + trail offset`), if it
    /// has one.
    pub(super) fn char(self, pointer: usize) -> Option<char> {
        match self.0.get(pointer)? {
            // 0 marks a pointer without a code point (U+0000 is never a two-byte character).
            0 => None,
            &code_point => char::from_u32(u32::from(code_point)),
        }
    }
}

/// `index gb18030` reversed for the encoder: code point → its first pointer, built on the
/// first encode (only `paysign sign --output form` and signing in GBK encode).
static TWO_BYTE_POINTERS_BY_CODE_POINT: OnceLock<std::collections::HashMap<u16, u16>> =
    OnceLock::new();

/// The first two-byte pointer of `code_point` (the WHATWG "index gb18030 pointer"), if any.
pub(super) fn two_byte_pointer(code_point: u16) -> Option<u16> {
    TWO_BYTE_POINTERS_BY_CODE_POINT
        .get_or_init(|| {
            let mut map = std::collections::HashMap::with_capacity(TWO_BYTE_POINTERS);
            for (pointer, &cp) in TwoByteIndex::get().0.iter().enumerate() {
                if let (true, Ok(pointer)) = (cp != 0, u16::try_from(pointer)) {
                    map.entry(cp).or_insert(pointer);
                }
            }
            map
        })
        .get(&code_point)
        .copied()
}

/// The four-byte pointer of a BMP `code_point` that has no two-byte sequence (the WHATWG
/// "index gb18030 ranges pointer"): the run of consecutive code points that holds it.
pub(super) fn four_byte_bmp_pointer(code_point: u16) -> Option<u16> {
    FOUR_BYTE_RANGES.iter().enumerate().find_map(|(i, range)| {
        let offset = code_point.checked_sub(range.code_point)?;
        let pointer = range.pointer.checked_add(offset)?;
        let run_end = FOUR_BYTE_RANGES
            .get(i + 1)
            .map_or(u32::from(super::LAST_BMP_POINTER_U16) + 1, |next| {
                u32::from(next.pointer)
            });
        (u32::from(pointer) < run_end).then_some(pointer)
    })
}

/// The character of a four-byte pointer below the supplementary planes (0..=39419).
///
/// The caller bounds the pointer: the last range runs on to U+FFFF.
pub(super) fn four_byte_bmp(pointer: u16) -> Option<char> {
    let after = FOUR_BYTE_RANGES.partition_point(|range| range.pointer <= pointer);
    let range = FOUR_BYTE_RANGES.get(after.checked_sub(1)?)?;
    char::from_u32(u32::from(range.code_point) + u32::from(pointer - range.pointer))
}

/// Expands zigzag varint deltas into the table they encode.
///
/// Malformed data (impossible for the committed file, which the tests check) ends the table
/// early, so lookups past it fail as invalid input instead of panicking.
fn expand_deltas(deltas: &[u8]) -> Box<[u16]> {
    let mut table = Vec::with_capacity(TWO_BYTE_POINTERS);
    let mut bytes = deltas.iter().copied();
    let mut previous: u16 = 0;
    while let Some(zigzag) = read_varint(&mut bytes) {
        previous = previous.wrapping_add(unzigzag(zigzag));
        table.push(previous);
    }
    table.into_boxed_slice()
}

/// Reads one LEB128 varint of at most three bytes (a `u16` needs no more).
fn read_varint(bytes: &mut impl Iterator<Item = u8>) -> Option<u16> {
    let mut value: u32 = 0;
    for shift in [0, 7, 14] {
        let byte = bytes.next()?;
        value |= u32::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return u16::try_from(value).ok();
        }
    }
    None
}

/// Undoes zigzag encoding (which maps 0, -1, 1, -2, … to 0, 1, 2, 3, …), giving the delta as a
/// wrapping `u16`: small negative steps — common, since GB2312 is ordered by pinyin, not
/// code point — stay one varint byte.
fn unzigzag(zigzag: u16) -> u16 {
    (zigzag >> 1) ^ (zigzag & 1).wrapping_neg()
}

/// Reads the ranges at compile time (called only in the `static` initialiser, so an
/// out-of-bounds index here is a build error, never a runtime panic).
const fn read_ranges<const N: usize>(bytes: &[u8]) -> [Range; N] {
    let mut ranges = [Range {
        pointer: 0,
        code_point: 0,
    }; N];
    let mut i = 0;
    while i < N {
        ranges[i] = Range {
            pointer: u16::from_le_bytes([bytes[4 * i], bytes[4 * i + 1]]),
            code_point: u16::from_le_bytes([bytes[4 * i + 2], bytes[4 * i + 3]]),
        };
        i += 1;
    }
    ranges
}

#[cfg(test)]
mod tests;
