//! Alipay certificate mode (公钥证书模式, docs/profiles.md "Alipay certificate mode").
//!
//! In certificate mode every request carries two extra signed fields naming the
//! certificates in use, and Alipay's messages are verified with the public key from
//! Alipay's certificate (`alipayCertPublicKey_RSA2.crt`) instead of a bare public key:
//!
//! - `app_cert_sn`: the SN of the merchant's application certificate ([`cert_sn`]);
//! - `alipay_root_cert_sn`: the SNs of the RSA-signed certificates of Alipay's root
//!   bundle (`alipayRootCert.crt`) joined with `_`, in bundle order; certificates signed
//!   with ECDSA or SM2 are skipped ([`root_cert_sn`]).
//!
//! A certificate's SN is the lowercase hex MD5 of its issuer in RFC 2253 form (reversed
//! RDN order, `CN=…,OU=…,O=…,C=…`, as Java's `X500Principal.getName()` prints it)
//! followed by its serial number in decimal. MD5 is used here as a name, not for security:
//! the signatures are SHA256withRSA.
//!
//! ```
//! use paysign_core::platform::alipay_cert::CertMode;
//! use paysign_core::{MessageKind, Params, Profile, PrivateKey, SignType, Signer, SigningCredential};
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/platforms/keys/");
//! # let app_cert = std::fs::read(format!("{dir}alipay_app_cert.pem")).unwrap();
//! # let root_bundle = std::fs::read(format!("{dir}alipay_root_bundle_published.crt")).unwrap();
//! let mode = CertMode::new(&app_cert, &root_bundle)?;
//! assert_eq!(mode.alipay_root_cert_sn, "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
//! let mut request = Params::from_pairs([("app_id", "2021000000000001"), ("method", "alipay.trade.query")])?;
//! mode.apply(&mut request)?; // adds app_cert_sn and alipay_root_cert_sn, which are signed
//! # let key = PrivateKey::parse(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys/merchant_private_pkcs8.pem")).unwrap())?;
//! Signer::new(Profile::Alipay, SignType::Rsa2, SigningCredential::Key(key))?.sign_params(&mut request)?;
//! # assert!(request.get("sign").is_some());
//! # Ok::<(), paysign_core::Error>(())
//! ```

use crate::encoding::hex_lower;
use crate::error::{Error, Result};
use crate::keys::{Certificate, PublicKey};
use crate::params::Params;

/// The SN of one certificate: `md5_hex(issuer_rfc2253 + serial_decimal)`.
pub fn cert_sn(certificate: &Certificate) -> String {
    let name = format!(
        "{}{}",
        certificate.issuer_rfc2253(),
        certificate.serial_decimal()
    );
    hex_lower(&crate::algorithm::md5::digest(&[name.as_bytes()]))
}

/// `app_cert_sn`: the SN of the first certificate of `app_cert` (PEM, DER or base64).
pub fn app_cert_sn(app_cert: &[u8]) -> Result<String> {
    Ok(cert_sn(&Certificate::parse_bundle(app_cert)?[0]))
}

/// `alipay_root_cert_sn`: the SNs of the bundle's RSA-signed certificates (any
/// `1.2.840.113549.1.1.*` signature algorithm, as Alipay's Java SDK selects them), in
/// order, joined with `_`.
pub fn root_cert_sn(root_bundle: &[u8]) -> Result<String> {
    let sns: Vec<String> = Certificate::parse_bundle(root_bundle)?
        .iter()
        .filter(|c| c.is_rsa_signed())
        .map(cert_sn)
        .collect();
    if sns.is_empty() {
        return Err(Error::key_invalid(
            "the root bundle holds no RSA-signed certificate (is it alipayRootCert.crt?)",
        ));
    }
    Ok(sns.join("_"))
}

/// The public key of Alipay's certificate (`alipayCertPublicKey_RSA2.crt`), the first of
/// the file if it holds a chain: what certificate-mode messages are verified with.
pub fn alipay_public_key(alipay_cert: &[u8]) -> Result<PublicKey> {
    Certificate::parse_bundle(alipay_cert)?[0].public_key()
}

/// The two SNs certificate-mode requests carry, computed once from the certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertMode {
    /// SN of the application certificate.
    pub app_cert_sn: String,
    /// SNs of the root bundle's RSA certificates, `_`-joined.
    pub alipay_root_cert_sn: String,
}

impl CertMode {
    /// From the application certificate and Alipay's root bundle.
    pub fn new(app_cert: &[u8], root_bundle: &[u8]) -> Result<Self> {
        Ok(Self {
            app_cert_sn: app_cert_sn(app_cert)?,
            alipay_root_cert_sn: root_cert_sn(root_bundle)?,
        })
    }

    /// Sets `app_cert_sn` and `alipay_root_cert_sn` on a request, before it is signed.
    pub fn apply(&self, params: &mut Params) -> Result<()> {
        params.set("app_cert_sn", self.app_cert_sn.as_str())?;
        params.set("alipay_root_cert_sn", self.alipay_root_cert_sn.as_str())
    }
}
