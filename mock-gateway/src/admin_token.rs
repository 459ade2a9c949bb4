//! The admin token: the one secret that opens the admin API (docs/protocol.md §12) and the
//! console (docs/console.md). It is configured ([`AdminToken::new`]) or generated at start
//! ([`AdminToken::generate`]); requests present it as `Authorization: Bearer <token>`, the
//! console's login form as a field. It is never logged: `Debug` prints `[REDACTED]` and the
//! text is zeroised when dropped.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::Error;

/// Shortest accepted token: 16 characters (a generated one has 43).
const MIN_LEN: usize = 16;
/// Longest accepted token: it travels in a header line.
const MAX_LEN: usize = 256;
/// Random bytes in a generated token (256 bits).
const GENERATED_BYTES: usize = 32;

/// The admin token. Cheap to clone; compared in constant time.
///
/// ```
/// use paysign_gateway::AdminToken;
/// let token = AdminToken::new("correct-horse-battery-staple").expect("a valid token");
/// assert_eq!(format!("{token:?}"), "AdminToken([REDACTED])");
/// assert!(AdminToken::new("short").is_err());
/// ```
#[derive(Clone)]
pub struct AdminToken {
    text: Zeroizing<String>,
    /// SHA-256 of `text`: candidates are hashed and compared with this in constant time,
    /// so neither the token's bytes nor its length show in the comparison's timing.
    digest: [u8; 32],
}

impl AdminToken {
    /// A token given by the operator: 16 to 256 visible ASCII characters (no spaces), so
    /// it fits a header line and a file line unchanged.
    pub fn new(text: impl Into<String>) -> Result<Self, Error> {
        let text = Zeroizing::new(text.into());
        if !(MIN_LEN..=MAX_LEN).contains(&text.len()) {
            return Err(Error::Config(format!(
                "the admin token must have {MIN_LEN} to {MAX_LEN} characters"
            )));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Config(
                "the admin token must be visible ASCII characters without spaces".into(),
            ));
        }
        let digest = Sha256::digest(text.as_bytes()).into();
        Ok(Self { text, digest })
    }

    /// A new random token: 256 bits from the operating system, base64url without padding.
    pub fn generate() -> Result<Self, Error> {
        use base64::Engine as _;
        let mut bytes = Zeroizing::new([0u8; GENERATED_BYTES]);
        getrandom::fill(bytes.as_mut())
            .map_err(|e| Error::Config(format!("cannot generate an admin token: {e}")))?;
        Self::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))
    }

    /// The token's text, to hand to the operator (a file with mode 0600) or to send.
    /// Never log it.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// Whether `candidate` is this token, in constant time (both sides hashed first).
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate).into();
        self.digest.ct_eq(&candidate).into()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_distinct_and_valid() {
        let a = AdminToken::generate().unwrap();
        let b = AdminToken::generate().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert!(AdminToken::new(a.expose()).is_ok());
    }

    #[test]
    fn only_the_same_bytes_match() {
        let token = AdminToken::new("0123456789abcdef").unwrap();
        assert!(token.matches(b"0123456789abcdef"));
        assert!(!token.matches(b"0123456789abcdeF"));
        assert!(!token.matches(b"0123456789abcdef "));
        assert!(!token.matches(b""));
    }

    #[test]
    fn bad_tokens_are_refused_without_echoing_them() {
        for bad in [
            "",
            "short",
            "has a space in it ok",
            "tab\tinside-0123456789",
        ] {
            let e = AdminToken::new(bad).unwrap_err().to_string();
            assert!(bad.is_empty() || !e.contains(bad), "{e}");
        }
        assert!(AdminToken::new("x".repeat(257)).is_err());
    }
}
