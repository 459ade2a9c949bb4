//! Requests of the header-signed profiles: the signature covers the raw body and values
//! carried in HTTP headers (WeChat Pay v3: the `Authorization` header; Standard Webhooks:
//! `webhook-id`, `webhook-timestamp`, `webhook-signature`).
//!
//! The platform decides what the string to sign holds and which headers carry the
//! signature ([`Platform::request_string_to_sign`], [`Platform::request_headers`]); the
//! values it takes are data ([`Conventions::request_values`](crate::platform::spec::Conventions::request_values)),
//! so every shell asks for the same values; the wrapped [`Signer`] signs, with the same
//! sign types, defaults and RSA backends as for `k=v` messages.

use crate::algorithm::random_alphanumerics;
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::platform::spec::{Need, RequestValue, RequestValues, SignerIdentity};

use super::Signer;

/// A signed request: the headers to send with the body, and what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `(name, value)` in the order the platform documents them.
    pub headers: Vec<(&'static str, String)>,
    /// The string the signature covers.
    pub string_to_sign: String,
    /// The nonce the signer drew, where the platform takes one and none was given.
    pub nonce: Option<String>,
}

/// Signs requests of a header-signed profile for one identity.
///
/// ```
/// use paysign_core::platform::spec::{RequestValues, SignerIdentity};
/// use paysign_core::{HeaderSigner, Profile, SharedSecret, SignType, Signer, SigningCredential};
/// // The Standard Webhooks specification's test vector.
/// let secret = SharedSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let signer = Signer::new(Profile::StandardWebhooks, SignType::HmacSha256, SigningCredential::Secret(secret))?;
/// let signer = HeaderSigner::new(signer, SignerIdentity::default())?;
/// let values = RequestValues { message_id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"), timestamp: 1614265330, ..Default::default() };
/// let signed = signer.sign(&values, r#"{"test": 2432232314}"#)?;
/// assert_eq!(signed.headers[2], ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned()));
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Debug)]
pub struct HeaderSigner {
    signer: Signer,
    platform: &'static dyn Platform,
    identity: SignerIdentity,
}

impl HeaderSigner {
    /// A header signer from a [`Signer`] of a header-signed profile and the identity its
    /// headers name (WeChat Pay v3: the merchant id and the API certificate's serial).
    ///
    /// A profile that signs `k=v` parameters is [`Error::UnsupportedOperation`]; an
    /// identity value the profile requires and that is absent is [`Error::FieldMissing`].
    pub fn new(signer: Signer, identity: SignerIdentity) -> Result<Self> {
        let platform = signer.profile().platform();
        if !platform.header_signed() {
            return Err(Error::UnsupportedOperation {
                profile: signer.profile().name(),
                operation: "sign a request in HTTP headers",
                instead: ApiTerm::SignParams,
            });
        }
        for (value, need) in platform.request_values() {
            let given = match value {
                RequestValue::MerchantId => identity.merchant_id.is_some(),
                RequestValue::KeyId => identity.key_id.is_some(),
                _ => continue,
            };
            if *need == Need::Required && !given {
                return Err(Error::FieldMissing {
                    field: value.name().into(),
                });
            }
        }
        Ok(Self {
            signer,
            platform,
            identity,
        })
    }

    /// The wrapped signer (profile, sign type).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The identity the headers name.
    pub fn identity(&self) -> &SignerIdentity {
        &self.identity
    }

    /// The string a request's signature covers; every value the profile takes must be
    /// given (a nonce too: it is part of the string).
    pub fn string_to_sign(&self, values: &RequestValues<'_>, body: &str) -> Result<String> {
        self.platform.request_string_to_sign(values, body)
    }

    /// Signs a request: the headers to send with `body`, sent exactly as given. A nonce
    /// the profile takes is drawn from the operating system's generator when absent.
    pub fn sign(&self, values: &RequestValues<'_>, body: &str) -> Result<SignedRequest> {
        let takes_nonce = self
            .platform
            .request_values()
            .iter()
            .any(|(value, _)| *value == RequestValue::Nonce);
        let drawn = match values.nonce {
            None if takes_nonce => Some(random_alphanumerics(32)?),
            _ => None,
        };
        let values = RequestValues {
            nonce: values.nonce.or(drawn.as_deref()),
            ..*values
        };
        let string_to_sign = self.string_to_sign(&values, body)?;
        let signature = self.signer.sign_canonical(&string_to_sign)?;
        Ok(SignedRequest {
            headers: self.headers_with(&values, signature)?,
            string_to_sign,
            nonce: drawn,
        })
    }

    /// The headers for a signature made elsewhere (a host crypto provider) over
    /// [`HeaderSigner::string_to_sign`] of the same values, checked and assembled as
    /// [`HeaderSigner::sign`] does.
    pub fn headers_with(
        &self,
        values: &RequestValues<'_>,
        signature: String,
    ) -> Result<Vec<(&'static str, String)>> {
        self.platform
            .request_headers(&self.identity, self.signer.sign_type(), values, signature)
    }
}
