//! Strict decoder for GBK and GB18030, after the WHATWG Encoding Standard's gb18030 decoder:
//! <https://encoding.spec.whatwg.org/#gb18030-decoder>.
//!
//! The standard has one decoder for both labels — the `gbk` decoder *is* the gb18030
//! decoder, and only the encoders differ — so a body declared GBK that carries four-byte
//! GB18030 sequences decodes, exactly as in browsers and in encoding_rs. Byte sequences:
//!
//! | bytes | meaning |
//! |---|---|
//! | `00..=7F` | ASCII |
//! | `80` | U+20AC EURO SIGN (a Windows code page 936 addition) |
//! | `81..=FE` + `40..=7E`/`80..=FE` | two-byte: `index gb18030` ([`TwoByteIndex`]) |
//! | `81..=FE` `30..=39` `81..=FE` `30..=39` | four-byte: BMP via `index gb18030 ranges`, or U+10000 on |
//! | `FF`, anything else | invalid |
//!
//! It replaces `encoding_rs` in the build because that crate's decoder dispatch links the
//! tables of every WHATWG encoding, about 120 KiB of the gzipped WebAssembly package, where
//! paysign only ever decodes these two. encoding_rs stays the reference: the tests compare
//! this decoder with it over every one-, two- and four-byte sequence.
//!
//! Decoding is strict, like everything in [`super`]: the first invalid or truncated
//! sequence makes the whole input invalid, where the standard's replacement mode would write
//! U+FFFD and carry on. That is also why none of the standard's "restore the bytes and
//! decode them again" steps are needed here.

mod index;

use std::borrow::Cow;

use index::TwoByteIndex;

/// Place values of the bytes of a four-byte sequence `b1 b2 b3 b4`, whose pointer is
/// `(b1 - 0x81) × 12600 + (b2 - 0x30) × 1260 + (b3 - 0x81) × 10 + (b4 - 0x30)`: each byte
/// counts the sequences its followers can spell (10 digits, 126 bytes 0x81..=0xFE).
const POINTERS_PER_FIRST_BYTE: u32 = 10 * POINTERS_PER_SECOND_BYTE;
const POINTERS_PER_SECOND_BYTE: u32 = 126 * POINTERS_PER_THIRD_BYTE;
const POINTERS_PER_THIRD_BYTE: u32 = 10;

/// Trail bytes per lead byte of a two-byte sequence: 0x40..=0x7E and 0x80..=0xFE.
const TRAIL_BYTES: usize = 190;

/// Largest four-byte pointer in the Basic Multilingual Plane (decoded through the ranges).
const LAST_BMP_POINTER: u32 = 39419;
/// [`LAST_BMP_POINTER`] as the `u16` the range index stores.
const LAST_BMP_POINTER_U16: u16 = 39419;

/// Four-byte pointers from here on map linearly onto U+10000..=U+10FFFF.
const FIRST_SUPPLEMENTARY_POINTER: u32 = 189_000;
const LAST_SUPPLEMENTARY_POINTER: u32 = 1_237_575;

/// Decodes GBK / GB18030 `bytes` to text, or `None` at the first invalid or truncated
/// sequence.
///
/// ASCII-only input is borrowed, not copied. Time is linear in the input; the two-byte
/// index is expanded by the first input in the process that is not all ASCII.
pub(super) fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if bytes.is_ascii() {
        return std::str::from_utf8(bytes).ok().map(Cow::Borrowed);
    }
    let index = TwoByteIndex::get();
    // Two-byte sequences (the common case in Chinese text) become three UTF-8 bytes.
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut rest = bytes;
    while let Some((&first, after_first)) = rest.split_first() {
        rest = if first.is_ascii() {
            // Copy the whole ASCII run in one go, not byte by byte.
            let (ascii, after) = rest.split_at_checked(ascii_prefix_len(rest))?;
            text.push_str(std::str::from_utf8(ascii).ok()?);
            after
        } else {
            let (c, after) = decode_multibyte(first, after_first, index)?;
            text.push(c);
            after
        };
    }
    Some(Cow::Owned(text))
}

/// The encoder's GB18030-2022 exceptions (the table in step 4 of the WHATWG encoder):
/// private-use code points that now encode as the two-byte sequences GB18030-2005 gave them,
/// although those sequences decode to the standard vertical forms and CJK characters.
const ENCODE_2022: [(char, [u8; 2]); 18] = [
    ('\u{E78D}', [0xA6, 0xD9]),
    ('\u{E78E}', [0xA6, 0xDA]),
    ('\u{E78F}', [0xA6, 0xDB]),
    ('\u{E790}', [0xA6, 0xDC]),
    ('\u{E791}', [0xA6, 0xDD]),
    ('\u{E792}', [0xA6, 0xDE]),
    ('\u{E793}', [0xA6, 0xDF]),
    ('\u{E794}', [0xA6, 0xEC]),
    ('\u{E795}', [0xA6, 0xED]),
    ('\u{E796}', [0xA6, 0xF3]),
    ('\u{E81E}', [0xFE, 0x59]),
    ('\u{E826}', [0xFE, 0x61]),
    ('\u{E82B}', [0xFE, 0x66]),
    ('\u{E82C}', [0xFE, 0x67]),
    ('\u{E832}', [0xFE, 0x6D]),
    ('\u{E843}', [0xFE, 0x7E]),
    ('\u{E854}', [0xFE, 0x90]),
    ('\u{E864}', [0xFE, 0xA0]),
];

/// Encodes `text` in GBK (`gbk`) or GB18030, after the WHATWG gb18030 encoder
/// (<https://encoding.spec.whatwg.org/#gb18030-encoder>), or `None` at the first character
/// the charset cannot represent (GBK has no four-byte sequences; neither has U+E5E5).
pub(super) fn encode(text: &str, gbk: bool) -> Option<Cow<'_, [u8]>> {
    if text.is_ascii() {
        return Some(Cow::Borrowed(text.as_bytes()));
    }
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code_point = u32::from(c);
        if c.is_ascii() {
            out.push(u8::try_from(code_point).ok()?);
            continue;
        }
        if c == '\u{E5E5}' {
            return None;
        }
        if gbk && c == '\u{20AC}' {
            out.push(0x80);
            continue;
        }
        if let Some((_, bytes)) = ENCODE_2022.iter().find(|(special, _)| *special == c) {
            out.extend(bytes);
            continue;
        }
        let two_byte = u16::try_from(code_point)
            .ok()
            .and_then(index::two_byte_pointer);
        if let Some(pointer) = two_byte {
            let pointer = usize::from(pointer);
            let lead = u8::try_from(pointer / TRAIL_BYTES + 0x81).ok()?;
            let trail = u8::try_from(pointer % TRAIL_BYTES).ok()?;
            out.extend([lead, trail + if trail < 0x3F { 0x40 } else { 0x41 }]);
            continue;
        }
        if gbk {
            return None;
        }
        let mut pointer = match u16::try_from(code_point) {
            Ok(bmp) => u32::from(index::four_byte_bmp_pointer(bmp)?),
            Err(_) => FIRST_SUPPLEMENTARY_POINTER + (code_point - 0x1_0000),
        };
        let mut bytes = [0u8; 4];
        for (slot, (per, base)) in bytes.iter_mut().zip([
            (POINTERS_PER_FIRST_BYTE, 0x81),
            (POINTERS_PER_SECOND_BYTE, 0x30),
            (POINTERS_PER_THIRD_BYTE, 0x81),
            (1, 0x30),
        ]) {
            *slot = u8::try_from(pointer / per + base).ok()?;
            pointer %= per;
        }
        out.extend(bytes);
    }
    Some(Cow::Owned(out))
}

/// Length of the ASCII prefix of `bytes`.
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len())
}

/// Decodes the sequence that starts with the non-ASCII byte `first`, returning the
/// character and the bytes after the sequence.
fn decode_multibyte(first: u8, rest: &[u8], index: TwoByteIndex) -> Option<(char, &[u8])> {
    let lead = match first {
        0x80 => return Some(('\u{20AC}', rest)),
        0x81..=0xFE => first - 0x81,
        _ => return None,
    };
    match rest {
        [
            second @ 0x30..=0x39,
            third @ 0x81..=0xFE,
            fourth @ 0x30..=0x39,
            after @ ..,
        ] => {
            let pointer = u32::from(lead) * POINTERS_PER_FIRST_BYTE
                + u32::from(second - 0x30) * POINTERS_PER_SECOND_BYTE
                + u32::from(third - 0x81) * POINTERS_PER_THIRD_BYTE
                + u32::from(fourth - 0x30);
            Some((four_byte(pointer)?, after))
        }
        // A digit promises a four-byte sequence that is cut short or broken.
        [0x30..=0x39, ..] => None,
        [second, after @ ..] => {
            let trail = match second {
                0x40..=0x7E => second - 0x40,
                0x80..=0xFE => second - 0x41,
                _ => return None,
            };
            let pointer = usize::from(lead) * TRAIL_BYTES + usize::from(trail);
            Some((index.char(pointer)?, after))
        }
        [] => None,
    }
}

/// The character of a four-byte pointer; pointers between the BMP part and the
/// supplementary part, and past U+10FFFF, are invalid.
fn four_byte(pointer: u32) -> Option<char> {
    match pointer {
        0..=LAST_BMP_POINTER => index::four_byte_bmp(u16::try_from(pointer).ok()?),
        FIRST_SUPPLEMENTARY_POINTER..=LAST_SUPPLEMENTARY_POINTER => {
            char::from_u32(0x1_0000 + (pointer - FIRST_SUPPLEMENTARY_POINTER))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
