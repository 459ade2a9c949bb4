//! The Alipay sandbox's certificate mode (公钥证书模式, docs/sandbox-alipay.md §1): the
//! certificates a merchant's SDK is configured with instead of the bare Alipay public key.
//!
//! - The **Alipay root certificate**: a root CA the sandbox generates once (its own RSA key,
//!   kept in the database), self-signed. `alipay_root_cert_sn` names it.
//! - The **Alipay public key certificate**: the gateway's RSA2 key (the "Alipay public key"),
//!   issued by the root; `alipay_cert_sn` names it on every answer in certificate mode.
//! - The **application public key certificate**: the merchant's registered key, issued by
//!   the root as Alipay issues it from the merchant's CSR; `app_cert_sn` names it.
//!
//! Each is made once and kept, so its serial number (and so its SN) never changes; a rotated
//! gateway key or merchant key gets a new certificate.

use paysign_core::platform::alipay_cert;
use paysign_core::{PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::sandbox::x509;
use crate::state::AppState;
use crate::store::meta;

/// How long the certificates are valid: ten years from the day they are first asked for.
const VALID_DAYS: i64 = 10 * 365;

/// The root's name (DER order).
const ROOT: [(u8, &str); 4] = [
    (6, "CN"),
    (10, "paysign sandbox"),
    (11, "Certification Authority"),
    (3, "Alipay Sandbox Root CA"),
];

/// The names of the certificates the root issues: the Alipay public key's and an app's.
fn subject(common_name: &str) -> [(u8, &str); 4] {
    [
        (6, "CN"),
        (10, "paysign sandbox"),
        (11, "Alipay"),
        (3, common_name),
    ]
}

/// The certificates of one application, and the SNs its SDK computes from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateSet {
    pub(crate) app_cert: String,
    pub(crate) app_cert_sn: String,
    pub(crate) alipay_cert: String,
    pub(crate) alipay_cert_sn: String,
    pub(crate) alipay_root_cert: String,
    pub(crate) alipay_root_cert_sn: String,
}

/// A 16-byte positive serial derived from `label` and `key`.
fn serial(label: &str, key: &PublicKey) -> [u8; 16] {
    let mut digest = Sha256::new();
    digest.update(label.as_bytes());
    digest.update([0]);
    digest.update(key.to_spki_der());
    let mut serial = [0u8; 16];
    serial.copy_from_slice(&digest.finalize()[..16]);
    serial[0] = (serial[0] & 0x7f) | 0x10;
    serial
}

/// The PEM kept under `key`, or the one `make` makes (kept from then on; the first writer
/// wins a race).
fn kept(
    state: &AppState,
    key: &str,
    make: impl FnOnce() -> Result<String, ApiError>,
) -> Result<String, ApiError> {
    if let Some(pem) = state.store().read(|c| Ok(meta::get(c, key)?))? {
        return Ok(pem);
    }
    let made = make()?;
    state.store().write(|tx| {
        if let Some(pem) = meta::get(tx, key)? {
            return Ok(pem);
        }
        meta::set(tx, key, &made)?;
        Ok(made)
    })
}

/// The root's signer and certificate.
fn root(state: &AppState, now: i64) -> Result<(Signer, String), ApiError> {
    let key_text = kept(state, "alipay_root_key", || {
        Ok(PrivateKey::generate(2048)?.to_pkcs8_base64().to_string())
    })?;
    let key = PrivateKey::parse(key_text.as_bytes())?;
    let public = key.public_key().clone();
    let signer = Signer::new(Profile::Alipay, SignType::Rsa2, SigningCredential::Key(key))?;
    let pem = kept(state, "alipay_root_cert", || {
        let not_before = now - now.rem_euclid(86_400);
        Ok(x509::pem(
            "CERTIFICATE",
            &x509::certificate(&x509::Issue {
                issuer_signer: &signer,
                issuer: &ROOT,
                subject: &ROOT,
                serial: &serial("alipay root", &public),
                subject_key: &public,
                not_before,
                not_after: not_before + VALID_DAYS * 86_400,
            })?,
        ))
    })?;
    Ok((signer, pem))
}

/// A certificate of `key` named `common_name`, issued by the root.
fn issued(
    state: &AppState,
    label: &str,
    common_name: &str,
    key: &PublicKey,
    now: i64,
) -> Result<String, ApiError> {
    let stored = format!("alipay_cert_{label}_{}", key.fingerprint());
    if let Some(pem) = state.store().read(|c| Ok(meta::get(c, &stored)?))? {
        return Ok(pem);
    }
    let (root_signer, _) = root(state, now)?;
    kept(state, &stored, || {
        let not_before = now - now.rem_euclid(86_400);
        Ok(x509::pem(
            "CERTIFICATE",
            &x509::certificate(&x509::Issue {
                issuer_signer: &root_signer,
                issuer: &ROOT,
                subject: &subject(common_name),
                serial: &serial(label, key),
                subject_key: key,
                not_before,
                not_after: not_before + VALID_DAYS * 86_400,
            })?,
        ))
    })
}

/// The certificates of application `app_id`, whose registered key is `app_key`.
pub(crate) fn certificates(
    state: &AppState,
    app_id: &str,
    app_key: &PublicKey,
    now: i64,
) -> Result<CertificateSet, ApiError> {
    let (_, root_cert) = root(state, now)?;
    let alipay_key = state.gateway_public_key_for(SignType::Rsa2);
    let alipay_cert = issued(state, "alipay", "支付宝(沙箱)", &alipay_key, now)?;
    let app_cert = issued(state, &format!("app {app_id}"), app_id, app_key, now)?;
    let alipay_parsed = paysign_core::keys::Certificate::parse(alipay_cert.as_bytes())?;
    Ok(CertificateSet {
        app_cert_sn: alipay_cert::app_cert_sn(app_cert.as_bytes())?,
        alipay_cert_sn: alipay_cert::cert_sn(&alipay_parsed),
        alipay_root_cert_sn: alipay_cert::root_cert_sn(root_cert.as_bytes())?,
        app_cert,
        alipay_cert,
        alipay_root_cert: root_cert,
    })
}

/// The SN of the Alipay public key certificate, if certificate mode was ever set up
/// (nothing is generated here: an answer in public-key mode needs none).
pub(crate) fn alipay_cert_sn(state: &AppState) -> Result<Option<String>, ApiError> {
    let alipay_key = state.gateway_public_key_for(SignType::Rsa2);
    let stored = format!("alipay_cert_alipay_{}", alipay_key.fingerprint());
    let Some(pem) = state.store().read(|c| Ok(meta::get(c, &stored)?))? else {
        return Ok(None);
    };
    let parsed = paysign_core::keys::Certificate::parse(pem.as_bytes())?;
    Ok(Some(alipay_cert::cert_sn(&parsed)))
}

/// The SN of application `app_id`'s certificate for `app_key`, if one was issued.
pub(crate) fn app_cert_sn(
    state: &AppState,
    app_id: &str,
    app_key: &PublicKey,
) -> Result<Option<String>, ApiError> {
    let stored = format!("alipay_cert_app {app_id}_{}", app_key.fingerprint());
    let Some(pem) = state.store().read(|c| Ok(meta::get(c, &stored)?))? else {
        return Ok(None);
    };
    Ok(Some(alipay_cert::app_cert_sn(pem.as_bytes())?))
}

/// The SN of the root, if it exists.
pub(crate) fn root_cert_sn(state: &AppState) -> Result<Option<String>, ApiError> {
    let Some(pem) = state
        .store()
        .read(|c| Ok(meta::get(c, "alipay_root_cert")?))?
    else {
        return Ok(None);
    };
    Ok(Some(alipay_cert::root_cert_sn(pem.as_bytes())?))
}
