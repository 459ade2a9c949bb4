//! The WeChat Pay sandbox's keys (docs/sandbox-wechatpay.md, "Keys"): what a merchant
//! copies into its SDK, all derived from what the gateway already holds, so nothing is
//! configured by hand and nothing changes between restarts.
//!
//! - The **platform key** is the gateway's RSA2 key. WeChat Pay names it two ways: as a
//!   platform public key (`PUB_KEY_ID_…`, the mode WeChat Pay gives new merchants) and by
//!   the serial of a platform certificate (`/v3/certificates`). Both names are derived
//!   from the key, so a rotated gateway key gets new names, as WeChat Pay's do.
//! - The **merchant certificate serial** is derived from the public key the merchant
//!   registered, so a request signed with another key under the right serial is still a
//!   `SIGN_ERROR`, and a serial that names no key of the merchant's is refused first.
//! - The **APIv3 key** (32 characters) is derived per `mchid` from the secret the gateway
//!   generates once and keeps in its database ([`crate::sandbox::derive`]).
//! - The **platform certificate** is self-signed by the platform key, generated once per
//!   key and kept, so its bytes (and so its serial's meaning) never change.

use paysign_core::{PublicKey, SharedSecret, Signer};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::sandbox::x509;
use crate::statements::hex;
use crate::store::{Store, meta};

/// How long the platform certificate is valid: WeChat Pay's are valid for five years.
const CERTIFICATE_DAYS: i64 = 5 * 365;

/// SHA-256 of `label`, a zero byte and `bytes`: the names below must not collide with
/// one another although they hash the same key.
fn labelled_digest(label: &str, bytes: &[u8]) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(label.as_bytes());
    digest.update([0]);
    digest.update(bytes);
    digest.finalize().into()
}

/// The platform public key's id (`Wechatpay-Serial` in public-key mode).
pub(crate) fn public_key_id(platform: &PublicKey) -> String {
    let digest = labelled_digest("wechatpay public key id", platform.to_spki_der());
    format!("PUB_KEY_ID_{}", hex(&digest[..15]).to_ascii_uppercase())
}

/// The platform certificate's serial (`Wechatpay-Serial` in certificate mode): 40
/// uppercase hex digits, as WeChat Pay's are.
pub(crate) fn certificate_serial(platform: &PublicKey) -> String {
    hex(&serial_bytes(platform)).to_ascii_uppercase()
}

/// The serial as the certificate's INTEGER: 20 bytes, the top bit clear (positive).
fn serial_bytes(platform: &PublicKey) -> [u8; 20] {
    let digest = labelled_digest("wechatpay certificate serial", platform.to_spki_der());
    let mut serial = [0u8; 20];
    serial.copy_from_slice(&digest[..20]);
    serial[0] &= 0x7f;
    serial[0] |= 0x10; // never a leading zero byte: the 40 digits are the DER's.
    serial
}

/// The serial of the merchant API certificate of a merchant who registered `key`.
pub(crate) fn merchant_serial(key: &PublicKey) -> String {
    let digest = labelled_digest("wechatpay merchant serial", key.to_spki_der());
    hex(&digest[..20]).to_ascii_uppercase()
}

/// The APIv3 key of `mchid`, as the key [`api_v3_key_text`] shows.
pub(crate) fn api_v3_key(store: &Store, mchid: &str) -> Result<SharedSecret, ApiError> {
    Ok(SharedSecret::new(api_v3_key_text(store, mchid)?.as_str())?)
}

/// The APIv3 key of `mchid` as the merchant configures it: 32 hex characters, derived from
/// the sandboxes' secret ([`crate::sandbox::derive`]).
pub(crate) fn api_v3_key_text(store: &Store, mchid: &str) -> Result<String, ApiError> {
    let digest = crate::sandbox::derive(store, &["wechatpay apiv3 key", mchid])?;
    Ok(hex(&digest[..16]))
}

/// The platform certificate of the key `signer` signs with: its PEM, and its validity
/// (Unix seconds). Generated on first use at `now` and kept in `meta`.
pub(crate) fn certificate(
    store: &Store,
    signer: &Signer,
    platform: &PublicKey,
    now: i64,
) -> Result<Certificate, ApiError> {
    let serial = certificate_serial(platform);
    let key = format!("wechatpay_certificate_{serial}");
    if let Some(stored) = store.read(|c| Ok(meta::get(c, &key)?))? {
        return Certificate::parse(&stored);
    }
    // From the start of the day, as WeChat Pay's certificates run.
    let not_before = now - now.rem_euclid(86_400);
    let not_after = not_before + CERTIFICATE_DAYS * 86_400;
    let der = self_signed(signer, platform, not_before, not_after)?;
    let made = Certificate {
        pem: x509::pem("CERTIFICATE", &der),
        not_before,
        not_after,
    };
    store.write(|tx| {
        // Another request may have made it first: the first one is kept.
        if let Some(stored) = meta::get(tx, &key)? {
            return Certificate::parse(&stored);
        }
        meta::set(tx, &key, &made.stored())?;
        Ok(made)
    })
}

/// A platform certificate as `/v3/certificates` hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Certificate {
    pub(crate) pem: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

impl Certificate {
    fn stored(&self) -> String {
        format!("{} {}\n{}", self.not_before, self.not_after, self.pem)
    }

    fn parse(stored: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::internal("a stored WeChat Pay platform certificate is damaged");
        let (times, pem) = stored.split_once('\n').ok_or_else(bad)?;
        let (from, to) = times.split_once(' ').ok_or_else(bad)?;
        Ok(Self {
            pem: pem.to_owned(),
            not_before: from.parse().map_err(|_| bad())?,
            not_after: to.parse().map_err(|_| bad())?,
        })
    }
}

/// The platform certificate's issuer and subject: the common name WeChat Pay's platform
/// certificates are issued under, marked as the sandbox's.
const NAME: [(u8, &str); 3] = [
    (6, "CN"),
    (10, "paysign sandbox"),
    (3, "Tenpay.com Root CA"),
];

/// An X.509 v3 certificate of `platform`, issued by itself and signed by `signer`
/// (SHA256withRSA): what a WeChat Pay SDK's certificate downloader decrypts and keeps.
fn self_signed(
    signer: &Signer,
    platform: &PublicKey,
    not_before: i64,
    not_after: i64,
) -> Result<Vec<u8>, ApiError> {
    x509::certificate(&x509::Issue {
        issuer_signer: signer,
        issuer: &NAME,
        subject: &NAME,
        serial: &serial_bytes(platform),
        subject_key: platform,
        not_before,
        not_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paysign_core::keys::Certificate as X509;
    use paysign_core::{PrivateKey, Profile, SignType, SigningCredential};

    /// The certificate reads back through paysign-core's X.509 walk: its serial is the
    /// one `Wechatpay-Serial` names, its key the platform key, its signature verifies.
    #[test]
    fn the_platform_certificate_carries_the_platform_key_under_its_serial() {
        let key = PrivateKey::generate(2048).unwrap();
        let public = key.public_key().clone();
        let signer = Signer::new(
            Profile::WechatV3,
            SignType::Rsa2,
            SigningCredential::Key(key),
        )
        .unwrap();
        let der = self_signed(&signer, &public, 1_795_190_400, 1_952_956_800).unwrap();
        let parsed = X509::from_der(&der).unwrap();
        assert_eq!(parsed.serial_hex(), certificate_serial(&public));
        assert_eq!(
            parsed.public_key().unwrap().to_spki_der(),
            public.to_spki_der()
        );
        assert!(parsed.is_rsa_signed());
        assert_eq!(
            parsed.issuer_rfc2253(),
            "CN=Tenpay.com Root CA,O=paysign sandbox,C=CN"
        );
        assert_ne!(public_key_id(&public), certificate_serial(&public));
        assert_eq!(certificate_serial(&public).len(), 40);
    }
}
