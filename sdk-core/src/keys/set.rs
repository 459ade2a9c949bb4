//! Platform keys by id: the key a message names is looked up, never taken from the message.
//!
//! WeChat Pay v3 signs with a platform certificate (named by its serial) or a platform
//! public key (named `PUB_KEY_ID_…`) and says which in the `Wechatpay-Serial` header;
//! during a migration both are in use at once. UnionPay names its signing certificate by
//! `certId`. A [`KeySet`] holds every key the merchant configured under its id; an id that
//! is not in the set is [`Error::KeyUnknownSerial`] (docs/security.md, "Key selection").

use std::fmt;

use crate::error::{Error, Result};
use crate::keys::{Certificate, PublicKey, SerialForm};

/// Public keys by id. Ids compare ASCII case-insensitively (certificate serials are hex).
///
/// ```
/// use paysign_core::{KeySet, PublicKey};
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/platforms/keys/");
/// # let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap();
/// // The platform certificate in use so far, and the public key WeChat Pay migrates to.
/// let old = PublicKey::parse(&read("wechatpay_platform_cert.pem"))?;
/// let new = PublicKey::parse(&read("wechatpay_pubkey_public.pem"))?;
/// let keys = KeySet::new()
///     .with("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", old)?
///     .with("PUB_KEY_ID_0112345678902026112100218700000001", new)?;
/// assert!(keys.get("5157f09efdc096de15ebe81a47057a7232f1b8e1").is_ok());
/// assert_eq!(keys.get("OTHER").unwrap_err().code(), "KEY_UNKNOWN_SERIAL");
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: Vec<(String, PublicKey)>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The kinds of key in the set (RSA, SM2), each once, in that order.
    pub fn credential_kinds(&self) -> Vec<crate::algorithm::CredentialKind> {
        let mut kinds: Vec<_> = self
            .keys
            .iter()
            .map(|(_, key)| key.algorithm().credential())
            .collect();
        kinds.sort_by_key(|kind| *kind as u8);
        kinds.dedup();
        kinds
    }

    /// Adds a key under `id` (builder style).
    pub fn with(mut self, id: impl Into<String>, key: PublicKey) -> Result<Self> {
        self.insert(id, key)?;
        Ok(self)
    }

    /// Adds a key under `id`; an empty id, or one already present, is refused.
    pub fn insert(&mut self, id: impl Into<String>, key: PublicKey) -> Result<()> {
        let id = id.into();
        if id.trim().is_empty() {
            return Err(Error::field_invalid("key id", "a key id cannot be empty"));
        }
        if self.find(&id).is_some() {
            return Err(Error::field_invalid(
                "key id",
                format!("{id:?} is configured twice"),
            ));
        }
        self.keys.push((id, key));
        Ok(())
    }

    /// Adds the key a certificate carries under the certificate's serial in hex, the way
    /// WeChat Pay v3 names platform certificates in `Wechatpay-Serial`.
    pub fn insert_certificate_by_hex_serial(&mut self, certificate: &Certificate) -> Result<()> {
        self.insert_certificate(certificate, SerialForm::Hex)
    }

    /// Adds the key a certificate carries under its serial written in `form`: how a
    /// platform names its certificates
    /// ([`Conventions::certificate_serial`](crate::platform::spec::Conventions)).
    pub fn insert_certificate(
        &mut self,
        certificate: &Certificate,
        form: SerialForm,
    ) -> Result<()> {
        self.insert(certificate.serial(form), certificate.public_key()?)
    }

    /// Adds the key a certificate carries under the certificate's serial in decimal, the
    /// way UnionPay names certificates in `certId`.
    pub fn insert_certificate_by_decimal_serial(
        &mut self,
        certificate: &Certificate,
    ) -> Result<()> {
        self.insert_certificate(certificate, SerialForm::Decimal)
    }

    /// The key configured under `id`, or [`Error::KeyUnknownSerial`].
    pub fn get(&self, id: &str) -> Result<&PublicKey> {
        self.find(id).ok_or_else(|| Error::KeyUnknownSerial {
            serial: id.to_owned(),
            configured: self.ids().collect::<Vec<_>>().join(", "),
        })
    }

    fn find(&self, id: &str) -> Option<&PublicKey> {
        self.keys
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, key)| key)
    }

    /// The configured ids, in the order they were added.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(id, _)| id.as_str())
    }

    /// Ids and keys, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PublicKey)> {
        self.keys.iter().map(|(id, key)| (id.as_str(), key))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.keys.iter().map(|(id, key)| (id, key.fingerprint())))
            .finish()
    }
}
