//! 国密 (ShangMi), the national algorithms: SM2 signatures with SM3 under a user id
//! (GB/T 32918.2, GM/T 0009), the SM3 digest (GB/T 32905) and SM4 (GB/T 32907) in GCM.
//!
//! They are behind the `sm` feature. Without it the key types are uninhabited (no SM2 key
//! can be parsed or generated: [`Error::AlgorithmUnavailable`]) and the digests and
//! ciphers answer the same error, so a build without SM never produces an SM output; the
//! npm package's runtime module is such a build and loads one with SM when it is configured.
//!
//! The backend owns its key types, as `rsa` does: `keys` reads the key files (PKCS#8,
//! SEC1, SPKI, certificates, raw hex) and hands this module the scalar or the point.

use crate::error::Result;

/// The user id (`ENTL‖ID` of the `Z` hash) every platform paysign knows signs under,
/// the GM/T 0009 default.
pub const DEFAULT_SM2_USER_ID: &str = "1234567812345678";

/// The length of an SM2 scalar or coordinate.
pub(crate) const SM2_FIELD_BYTES: usize = 32;

/// How an SM2 signature is written: DER `SEQUENCE { r, s }` (what the platforms send, in
/// base64) or the 64 bytes `r‖s` some SDKs exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sm2SignatureForm {
    /// ASN.1 DER, the form WeChat Pay and Alipay send.
    Der,
    /// `r‖s`, 32 bytes each, big-endian.
    Raw,
}

/// The error of every SM operation in a build without the `sm` feature.
#[cfg_attr(feature = "sm", allow(dead_code))]
pub(crate) fn unavailable() -> crate::error::Error {
    crate::error::Error::AlgorithmUnavailable {
        algorithm: "SM2/SM3/SM4",
    }
}

#[cfg(feature = "sm")]
mod imp {
    use aes_gcm::aead::consts::U12;
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{AesGcm, Nonce};
    use sm2::dsa::signature::{Signer, Verifier};
    use sm2::dsa::{Signature, SigningKey, VerifyingKey};
    use sm2::elliptic_curve::Generate;
    use sm3::{Digest, Sm3};
    use zeroize::Zeroizing;

    use super::{DEFAULT_SM2_USER_ID, SM2_FIELD_BYTES, Sm2SignatureForm};
    use crate::error::{Error, Result};

    /// An SM2 private key, with its signing key under the default user id ready (the
    /// public point and `Z` are computed once).
    #[derive(Clone)]
    pub(crate) struct Sm2Private {
        signing: SigningKey,
    }

    /// An SM2 public key, with its verifying key under the default user id ready.
    #[derive(Clone)]
    pub(crate) struct Sm2Public {
        verifying: VerifyingKey,
    }

    impl Sm2Private {
        /// The key of a 32-byte big-endian scalar in `[1, n-1]`.
        pub(crate) fn from_scalar(scalar: &[u8]) -> Result<Self> {
            if scalar.len() != SM2_FIELD_BYTES {
                return Err(Error::key_invalid(format!(
                    "an SM2 private key is {SM2_FIELD_BYTES} bytes, not {}",
                    scalar.len()
                )));
            }
            let signing = SigningKey::from_slice(DEFAULT_SM2_USER_ID, scalar).map_err(|_| {
                Error::key_invalid("the SM2 private scalar is zero or not below the curve order")
            })?;
            Ok(Self { signing })
        }

        pub(crate) fn generate() -> Result<Self> {
            let secret = sm2::SecretKey::try_generate().map_err(|_| Error::RandomUnavailable)?;
            let signing = SigningKey::new(DEFAULT_SM2_USER_ID, &secret).map_err(|_| {
                Error::KeyGeneration {
                    reason: "the generated SM2 key was refused".into(),
                }
            })?;
            Ok(Self { signing })
        }

        pub(crate) fn scalar(&self) -> Zeroizing<[u8; SM2_FIELD_BYTES]> {
            Zeroizing::new(self.signing.to_bytes().into())
        }

        pub(crate) fn public(&self) -> Sm2Public {
            Sm2Public {
                verifying: self.signing.verifying_key().clone(),
            }
        }
    }

    impl Sm2Public {
        /// The key of a SEC1 point (`04‖X‖Y`, or compressed), which must be on the curve.
        pub(crate) fn from_sec1(point: &[u8]) -> Result<Self> {
            let verifying =
                VerifyingKey::from_sec1_bytes(DEFAULT_SM2_USER_ID, point).map_err(|_| {
                    Error::key_invalid("the SM2 public key is not a point on the SM2 curve")
                })?;
            Ok(Self { verifying })
        }

        /// `04‖X‖Y`.
        pub(crate) fn uncompressed(&self) -> Vec<u8> {
            self.verifying.to_sec1_bytes().into_vec()
        }
    }

    /// The SM2 signature of `message` under `user_id`, in `form`. Deterministic (RFC 6979
    /// nonces), so a key and a message always give the same signature.
    pub(crate) fn sign(
        key: &Sm2Private,
        user_id: &str,
        message: &[u8],
        form: Sm2SignatureForm,
    ) -> Result<Vec<u8>> {
        let other;
        let signing = if user_id == DEFAULT_SM2_USER_ID {
            &key.signing
        } else {
            other = SigningKey::from_nonzero_scalar(user_id, *key.signing.as_nonzero_scalar())
                .map_err(|_| user_id_too_long())?;
            &other
        };
        let signature: Signature = signing
            .try_sign(message)
            .map_err(|_| Error::key_invalid("SM2 signing failed"))?;
        Ok(match form {
            Sm2SignatureForm::Der => signature.to_der().to_vec(),
            Sm2SignatureForm::Raw => signature.to_vec(),
        })
    }

    /// Checks an SM2 signature of `message` under `user_id`: DER (strict: minimal
    /// integers, nothing after the sequence) or 64 bytes `r‖s`, with `r` and `s` in
    /// `[1, n-1]`.
    pub(crate) fn verify(
        key: &Sm2Public,
        user_id: &str,
        message: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let parsed = if signature.len() == 2 * SM2_FIELD_BYTES {
            Signature::from_slice(signature)
        } else {
            Signature::from_der(signature)
        }
        .map_err(|_| Error::SignatureMalformed {
            reason: "an SM2 signature is DER SEQUENCE { r, s } or 64 bytes r‖s, with r and s in [1, n-1]",
        })?;
        let other;
        let verifying = if user_id == DEFAULT_SM2_USER_ID {
            &key.verifying
        } else {
            other = VerifyingKey::new(user_id, key.verifying.clone().into())
                .map_err(|_| user_id_too_long())?;
            &other
        };
        verifying
            .verify(message, &parsed)
            .map_err(|_| Error::SignatureMismatch)
    }

    fn user_id_too_long() -> Error {
        Error::field_invalid("SM2 user id", "longer than 8191 bytes")
    }

    /// SM3 over the concatenation of `parts`.
    pub(crate) fn sm3(parts: &[&[u8]]) -> Result<[u8; 32]> {
        let mut hasher = Sm3::new();
        for part in parts {
            hasher.update(part);
        }
        Ok(hasher.finalize().into())
    }

    type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

    fn cipher(key: &[u8; 16]) -> Result<Sm4Gcm> {
        Sm4Gcm::new_from_slice(key).map_err(|_| Error::key_invalid("an SM4 key is 16 bytes"))
    }

    /// SM4-GCM decryption with a 12-byte nonce and a 16-byte tag at the end of `sealed`,
    /// checked before any plaintext is returned.
    pub(crate) fn sm4_gcm_decrypt(
        key: &[u8; 16],
        nonce: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        cipher(key)?
            .decrypt(&Nonce::<U12>::from(*nonce), Payload { msg: sealed, aad })
            .map(Zeroizing::new)
            .map_err(|_| Error::DecryptionFailed {
                reason: "authentication tag mismatch (wrong key, or the ciphertext, nonce or associated data was altered)",
            })
    }

    /// SM4-GCM encryption: the ciphertext followed by the 16-byte tag.
    pub(crate) fn sm4_gcm_encrypt(
        key: &[u8; 16],
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        cipher(key)?
            .encrypt(
                &Nonce::<U12>::from(*nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| Error::field_invalid("resource", "SM4-GCM encryption failed"))
    }
}

#[cfg(not(feature = "sm"))]
mod imp {
    //! Without the `sm` feature: no SM2 key exists (the types have no values), and every
    //! operation that needs SM answers [`Error::AlgorithmUnavailable`].
    use zeroize::Zeroizing;

    use super::{SM2_FIELD_BYTES, Sm2SignatureForm};
    use crate::error::Result;

    use super::unavailable;

    #[derive(Clone)]
    pub(crate) enum Sm2Private {}

    #[derive(Clone)]
    pub(crate) enum Sm2Public {}

    impl Sm2Private {
        pub(crate) fn from_scalar(_scalar: &[u8]) -> Result<Self> {
            Err(unavailable())
        }

        pub(crate) fn generate() -> Result<Self> {
            Err(unavailable())
        }

        pub(crate) fn scalar(&self) -> Zeroizing<[u8; SM2_FIELD_BYTES]> {
            match *self {}
        }

        pub(crate) fn public(&self) -> Sm2Public {
            match *self {}
        }
    }

    impl Sm2Public {
        pub(crate) fn from_sec1(_point: &[u8]) -> Result<Self> {
            Err(unavailable())
        }

        pub(crate) fn uncompressed(&self) -> Vec<u8> {
            match *self {}
        }
    }

    pub(crate) fn sign(
        key: &Sm2Private,
        _user_id: &str,
        _message: &[u8],
        _form: Sm2SignatureForm,
    ) -> Result<Vec<u8>> {
        match *key {}
    }

    pub(crate) fn verify(
        key: &Sm2Public,
        _user_id: &str,
        _message: &[u8],
        _signature: &[u8],
    ) -> Result<()> {
        match *key {}
    }

    pub(crate) fn sm3(_parts: &[&[u8]]) -> Result<[u8; 32]> {
        Err(unavailable())
    }

    pub(crate) fn sm4_gcm_decrypt(
        _key: &[u8; 16],
        _nonce: &[u8; 12],
        _aad: &[u8],
        _sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        Err(unavailable())
    }

    pub(crate) fn sm4_gcm_encrypt(
        _key: &[u8; 16],
        _nonce: &[u8; 12],
        _aad: &[u8],
        _plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        Err(unavailable())
    }
}

pub(crate) use imp::{Sm2Private, Sm2Public, sign, sm3, sm4_gcm_decrypt, sm4_gcm_encrypt, verify};

/// Whether this build has the national algorithms (the `sm` feature).
pub fn sm_available() -> bool {
    cfg!(feature = "sm")
}

/// The lowercase hex SM3 digest of `data` (GB/T 32905).
///
/// ```
/// # if paysign_core::sm_available() {
/// // GB/T 32905-2016, appendix A, example 1.
/// assert_eq!(
///     paysign_core::sm3_hex(b"abc")?,
///     "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
/// );
/// # }
/// # Ok::<(), paysign_core::Error>(())
/// ```
pub fn sm3_hex(data: &[u8]) -> Result<String> {
    Ok(crate::encoding::hex_lower(&sm3(&[data])?))
}
