//! MD5 "signatures": a digest of the canonical string plus a shared secret.
//!
//! **Warning: MD5 is broken as a hash and a secret-suffix MD5 is not a real MAC.** It is
//! here only because WeChat Pay v2 and older Alipay and bank integrations still send it.
//! Prefer HMAC-SHA256 or RSA2; a verifier accepts MD5 only when it is configured to.

use md5::{Digest, Md5};

/// MD5 of the concatenated parts.
pub(crate) fn digest(parts: &[&[u8]]) -> [u8; 16] {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}
