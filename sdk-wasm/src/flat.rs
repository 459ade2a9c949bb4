//! The crossing of message parameters from JavaScript into [`Params`].
//!
//! Walking a JavaScript object from Rust costs one boundary call per property (4–5 µs for
//! a typical message), more than the MD5 signature itself. So the JavaScript layer sends
//! every parameter in one string, `name₀ value₀ name₁ value₁ …` concatenated without
//! separators, plus a `Uint32Array` of the pieces' lengths in UTF-16 code units (what
//! JavaScript's `.length` counts). No separator means no character a value might contain
//! can break the framing; counting UTF-16 units means JavaScript only has to concatenate.
//!
//! Nothing is allocated or copied per call to get them across: this module owns two input
//! buffers that live as long as the instance ([`reserve_lens`], [`reserve_bytes`] return
//! their addresses in wasm memory). JavaScript writes the lengths into the first and the
//! string, as UTF-8 by `TextEncoder.encodeInto`, straight into the second, then calls an
//! entry point with the two counts; [`take_params`] decodes them. `TextEncoder` replaces a
//! lone surrogate (one UTF-16 unit) with U+FFFD (also one unit), so the lengths stay valid
//! for any JavaScript string.

use std::cell::RefCell;

use paysign_core::{Error, Params, ParamsRef, SignType};
use wasm_bindgen::prelude::*;

thread_local! {
    static LENS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    static BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Makes the lengths buffer hold at least `count` entries; returns its address in wasm
/// memory (it moves only when this grows it).
#[wasm_bindgen(js_name = reserveLens)]
pub fn reserve_lens(count: usize) -> usize {
    LENS.with(|buf| match buf.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < count {
                buf.resize(count, 0);
            }
            buf.as_ptr() as usize
        }
        Err(_) => 0,
    })
}

/// Makes the bytes buffer hold at least `count` bytes; returns its address in wasm memory
/// (it moves only when this grows it).
#[wasm_bindgen(js_name = reserveBytes)]
pub fn reserve_bytes(count: usize) -> usize {
    BYTES.with(|buf| match buf.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < count {
                buf.resize(count, 0);
            }
            buf.as_ptr() as usize
        }
        Err(_) => 0,
    })
}

/// The instance's linear memory, for the JavaScript layer to write the input buffers.
#[wasm_bindgen(js_name = inputMemory)]
pub fn input_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Address of the output buffer that [`put_output`] last wrote (it moves when it grows).
#[wasm_bindgen(js_name = outputAddress)]
pub fn output_address() -> usize {
    OUTPUT.with(|buf| buf.try_borrow().map(|b| b.as_ptr() as usize).unwrap_or(0))
}

/// First byte of a prepared RSA check in the output buffer for SHA1withRSA (`RSA`).
pub const PREPARED_RSA: u8 = 1;
/// First byte of a prepared RSA check in the output buffer for SHA256withRSA (`RSA2`).
pub const PREPARED_RSA2: u8 = 2;

/// The first byte of a prepared RSA check for `sign_type` ([`PREPARED_RSA`],
/// [`PREPARED_RSA2`]); a digest sign type is checked in wasm, never prepared.
pub fn prepared_sign_type(sign_type: SignType) -> Result<u8, Error> {
    match sign_type {
        SignType::Rsa => Ok(PREPARED_RSA),
        SignType::Rsa2 => Ok(PREPARED_RSA2),
        other => Err(Error::CredentialMismatch {
            sign_type: other.name(),
            needs: paysign_core::ApiTerm::Secret,
        }),
    }
}

/// Writes `parts` one after the other into the output buffer, which JavaScript reads in
/// place (at [`output_address`]) instead of receiving a fresh copy; returns the length.
pub fn put_output(parts: &[&[u8]]) -> Result<usize, Error> {
    OUTPUT.with(|buf| {
        let mut buf = buf
            .try_borrow_mut()
            .map_err(|_| framing("the output buffer is in use"))?;
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if buf.len() < len {
            buf.resize(len.max(1024), 0);
        }
        let mut at = 0;
        for part in parts {
            let end = at + part.len();
            if let Some(slot) = buf.get_mut(at..end) {
                slot.copy_from_slice(part);
            }
            at = end;
        }
        Ok(len)
    })
}

/// The length [`put_pieces`] gives an absent piece (`null` in JavaScript).
pub const ABSENT_PIECE: u32 = u32::MAX;

/// A result of many strings, crossing the other way as the input does: returns the pieces
/// concatenated, and writes into the output buffer their count and then each one's length
/// in UTF-16 code units ([`ABSENT_PIECE`] for `None`), all `u32` little-endian. JavaScript
/// decodes the one string and slices it (`FlatBuffers.pieces`), which costs a fraction of
/// writing and parsing JSON.
pub fn put_pieces(pieces: &[Option<&str>]) -> Result<String, Error> {
    let count = u32::try_from(pieces.len()).map_err(|_| framing("too many pieces"))?;
    let mut text = String::with_capacity(pieces.iter().flatten().map(|p| p.len()).sum());
    let mut lens = Vec::with_capacity(4 * (pieces.len() + 1));
    lens.extend_from_slice(&count.to_le_bytes());
    for piece in pieces {
        let len = match piece {
            None => ABSENT_PIECE,
            Some(piece) => {
                text.push_str(piece);
                utf16_len(piece)?
            }
        };
        lens.extend_from_slice(&len.to_le_bytes());
    }
    put_output(&[&lens])?;
    Ok(text)
}

/// The length of `s` in UTF-16 code units (JavaScript's `.length`).
fn utf16_len(s: &str) -> Result<u32, Error> {
    let units = if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    };
    // ABSENT_PIECE itself is never a length: no string in wasm memory comes near it.
    u32::try_from(units)
        .ok()
        .filter(|&n| n != ABSENT_PIECE)
        .ok_or_else(|| framing("a piece longer than 4 GiB"))
}

/// Runs `f` on the parameters in the first `lens_count` lengths and `bytes_count` bytes
/// JavaScript wrote into the input buffers, borrowed from them: no name or value is
/// copied (signing and verifying only read them).
pub fn with_params<R>(
    lens_count: usize,
    bytes_count: usize,
    f: impl FnOnce(&ParamsRef<'_>) -> Result<R, Error>,
) -> Result<R, Error> {
    LENS.with(|lens| {
        BYTES.with(|bytes| {
            let (Ok(lens), Ok(bytes)) = (lens.try_borrow(), bytes.try_borrow()) else {
                return Err(framing("the input buffers are in use"));
            };
            let lens = lens
                .get(..lens_count)
                .ok_or_else(|| framing("more lengths than the buffer holds"))?;
            let bytes = bytes
                .get(..bytes_count)
                .ok_or_else(|| framing("more bytes than the buffer holds"))?;
            f(&decode(bytes, lens)?)
        })
    })
}

/// [`with_params`] as an owned copy, for callers that change the parameters.
pub fn take_params(lens_count: usize, bytes_count: usize) -> Result<Params, Error> {
    with_params(lens_count, bytes_count, |params| Ok(params.to_params()))
}

/// Like [`take_params`], for pairs that are not message parameters: HTTP headers, where a
/// name may repeat (the core decides what a repeated header means) and any text is a name.
pub fn take_pairs(lens_count: usize, bytes_count: usize) -> Result<Vec<(String, String)>, Error> {
    LENS.with(|lens| {
        BYTES.with(|bytes| {
            let (Ok(lens), Ok(bytes)) = (lens.try_borrow(), bytes.try_borrow()) else {
                return Err(framing("the input buffers are in use"));
            };
            let lens = lens
                .get(..lens_count)
                .ok_or_else(|| framing("more lengths than the buffer holds"))?;
            let bytes = bytes
                .get(..bytes_count)
                .ok_or_else(|| framing("more bytes than the buffer holds"))?;
            Ok(decode_pairs(bytes, lens)?
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect())
        })
    })
}

/// Rebuilds parameters from the concatenated pieces and their UTF-16 lengths.
///
/// `lens` holds two lengths per parameter (name, value), in arrival order; names are then
/// checked by [`ParamsRef::from_pairs`] (duplicates and `&`/`=` in names are refused).
pub fn decode<'a>(joined: &'a [u8], lens: &[u32]) -> Result<ParamsRef<'a>, Error> {
    ParamsRef::from_pairs(decode_pairs(joined, lens)?)
}

/// The `(name, value)` pieces of the concatenated text, in arrival order, unchecked.
fn decode_pairs<'a>(joined: &'a [u8], lens: &[u32]) -> Result<Vec<(&'a str, &'a str)>, Error> {
    let joined = std::str::from_utf8(joined).map_err(|_| framing("the bytes are not UTF-8"))?;
    if !lens.len().is_multiple_of(2) {
        return Err(framing("an odd number of lengths"));
    }
    let mut rest = joined;
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(lens.len() / 2);
    for pair in lens.chunks_exact(2) {
        let &[name_len, value_len] = pair else {
            return Err(framing("an odd number of lengths"));
        };
        let (name, after_name) = split_utf16(rest, name_len as usize)?;
        let (value, after_value) = split_utf16(after_name, value_len as usize)?;
        pairs.push((name, value));
        rest = after_value;
    }
    if !rest.is_empty() {
        return Err(framing("characters left over after the last value"));
    }
    Ok(pairs)
}

/// Splits `s` after `units` UTF-16 code units.
fn split_utf16(s: &str, units: usize) -> Result<(&str, &str), Error> {
    // Most pieces are ASCII, where units and bytes agree; checking that is word-at-a-time.
    if let Some(prefix) = s.as_bytes().get(..units) {
        if prefix.is_ascii() {
            return s
                .split_at_checked(units)
                .ok_or_else(|| framing("a length ends inside a character"));
        }
    }
    let mut counted = 0usize;
    for (at, c) in s.char_indices() {
        if counted == units {
            return s
                .split_at_checked(at)
                .ok_or_else(|| framing("a length ends inside a character"));
        }
        counted += c.len_utf16();
        if counted > units {
            return Err(framing("a length ends inside a character"));
        }
    }
    if counted == units {
        Ok((s, ""))
    } else {
        Err(framing("a length runs past the end"))
    }
}

/// The flattened form is produced by the package's own JavaScript; a framing error is a
/// bug there, reported as an invalid `params` field rather than a crash.
fn framing(reason: &str) -> Error {
    Error::FieldInvalid {
        field: "params".to_owned(),
        reason: format!(
            "the flattened parameters are inconsistent ({reason}); this is a bug in the paysign JavaScript layer"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lengths are UTF-16 units (an astral character is two), an absent piece takes
    /// no text and is marked, and an empty piece is length 0: what `FlatBuffers.pieces`
    /// reads back.
    #[test]
    fn pieces_carry_their_utf16_lengths() {
        let text = put_pieces(&[Some("a"), None, Some("水💧"), Some("")]).unwrap();
        assert_eq!(text, "a水💧");
        let lens: Vec<u32> = OUTPUT.with(|out| {
            out.borrow()
                .chunks_exact(4)
                .take(5)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        });
        assert_eq!(lens, [4, 1, ABSENT_PIECE, 3, 0]);
        assert_eq!(put_pieces(&[]).unwrap(), "");
    }

    /// What the JavaScript layer sends for `pairs`.
    fn flatten(pairs: &[(&str, &str)]) -> (String, Vec<u32>) {
        let mut joined = String::new();
        let mut lens = Vec::new();
        for (k, v) in pairs {
            joined.push_str(k);
            joined.push_str(v);
            lens.push(k.encode_utf16().count() as u32);
            lens.push(v.encode_utf16().count() as u32);
        }
        (joined, lens)
    }

    #[test]
    fn round_trips_ascii_cjk_emoji_and_separator_like_characters() {
        let pairs = [
            ("subject", "上海自来水 11月"),
            ("memo", ""),
            ("emoji", "💧a"),
            ("tricky", "a=b&c\u{0}d\n"),
            ("", ""),
        ];
        // The empty name is refused by the core, after framing succeeded.
        let (joined, lens) = flatten(&pairs);
        assert_eq!(
            decode(joined.as_bytes(), &lens).unwrap_err().code(),
            "PARAM_NAME_INVALID"
        );
        let (joined, lens) = flatten(&pairs[..4]);
        let params = decode(joined.as_bytes(), &lens).unwrap();
        let back: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(back, pairs[..4]);
    }

    #[test]
    fn duplicates_are_refused_by_the_core() {
        let (joined, lens) = flatten(&[("a", "1"), ("a", "2")]);
        assert_eq!(
            decode(joined.as_bytes(), &lens).unwrap_err().code(),
            "PARAM_DUPLICATE"
        );
    }

    #[test]
    fn the_input_buffers_round_trip_and_refuse_overreads() {
        let (joined, lens) = flatten(&[("b", "2"), ("a", "水")]);
        reserve_lens(lens.len());
        reserve_bytes(joined.len());
        LENS.with(|b| b.borrow_mut()[..lens.len()].copy_from_slice(&lens));
        BYTES.with(|b| b.borrow_mut()[..joined.len()].copy_from_slice(joined.as_bytes()));
        let params = take_params(lens.len(), joined.len()).unwrap();
        assert_eq!(params.get("a"), Some("水"));
        assert_eq!(
            take_params(lens.len() + 100, 0).unwrap_err().code(),
            "FIELD_INVALID"
        );
        assert_eq!(
            take_params(0, joined.len() + 100).unwrap_err().code(),
            "FIELD_INVALID"
        );
    }

    #[test]
    fn output_parts_are_written_back_to_back() {
        assert_eq!(put_output(&[b"\x02", b"sig", b"a=1"]).unwrap(), 7);
        OUTPUT.with(|b| assert_eq!(&b.borrow()[..7], b"\x02siga=1"));
        let big = vec![7u8; 5000];
        assert_eq!(put_output(&[&big]).unwrap(), 5000);
        assert_ne!(output_address(), 0);
    }

    /// Any text JavaScript can send round-trips (names and values with CJK, emoji,
    /// separators), and any bytes with any lengths are an error or parameters, never a
    /// panic: the framing is the package's, but the buffers are plain memory.
    #[test]
    fn framing_round_trips_and_never_panics() {
        use proptest::prelude::*;
        let text = "[a-zA-Z0-9_&=%+ .\\-水费é💧\u{10FFFF}\u{0}]{0,6}";
        proptest!(|(pairs in prop::collection::vec((text, text), 0..8),
                    bytes in prop::collection::vec(any::<u8>(), 0..24),
                    lens in prop::collection::vec(0u32..12, 0..8))| {
            let (joined, flat_lens) = flatten(
                &pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(),
            );
            match decode(joined.as_bytes(), &flat_lens) {
                Ok(params) => {
                    let back: Vec<(&str, &str)> = params.iter().collect();
                    let sent: Vec<(&str, &str)> =
                        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    prop_assert_eq!(back, sent);
                }
                // Only the core's rules refuse well-framed text.
                Err(e) => prop_assert!(
                    ["PARAM_DUPLICATE", "PARAM_NAME_INVALID"].contains(&e.code()),
                    "{e}"
                ),
            }
            let _ = decode(&bytes, &lens);
        });
    }

    #[test]
    fn inconsistent_framing_is_an_error_not_a_panic() {
        for (joined, lens) in [
            ("ab", &[1u32][..]),
            ("ab", &[1, 5][..]),
            ("abc", &[1, 1][..]),
            ("💧", &[1, 1][..]),
            ("é", &[0, 7][..]),
        ] {
            let err = decode(joined.as_bytes(), lens).unwrap_err();
            assert_eq!(err.code(), "FIELD_INVALID", "{joined:?} {lens:?}");
        }
        assert!(decode(b"", &[]).unwrap().is_empty());
        assert_eq!(
            decode(b"\xff", &[1, 0]).unwrap_err().code(),
            "FIELD_INVALID"
        );
    }
}
