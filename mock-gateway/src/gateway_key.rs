//! The gateway's own RSA2 key, which signs every response and notification
//! (docs/protocol.md §3.2, §12.3), and its rotation with an overlap window.
//!
//! The key is parsed once into a [`Signer`]. A rotation creates the *next* key at once;
//! the gateway keeps signing with the current key until `switch_at`, then with the next
//! one, so merchants can install the new public key during the overlap.

use std::sync::Arc;

use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, SignType, Signer, SigningCredential,
};

use crate::error::ApiError;
use crate::store::{Store, meta};

const CURRENT: &str = "gateway_key";
const NEXT: &str = "gateway_next_key";
const SWITCH_AT: &str = "gateway_key_switch_at";

/// One gateway key pair, parsed once.
#[derive(Debug, Clone)]
pub(crate) struct GatewayKey {
    pub(crate) signer: Arc<Signer>,
    pub(crate) public: PublicKey,
}

impl GatewayKey {
    fn from_private(key: PrivateKey) -> Result<Self, paysign_core::Error> {
        let public = key.public_key().clone();
        let signer = Signer::new(
            Profile::Paysign,
            SignType::Rsa2,
            SigningCredential::Key(key),
        )?
        .message_kind(MessageKind::Request);
        Ok(Self {
            signer: Arc::new(signer),
            public,
        })
    }

    fn parse(text: &str) -> Result<(Self, String), paysign_core::Error> {
        let key = PrivateKey::parse(text.trim().as_bytes())?;
        let stored = key.to_pkcs8_base64().to_string();
        Ok((Self::from_private(key)?, stored))
    }

    fn generate() -> Result<(Self, String), paysign_core::Error> {
        let key = PrivateKey::generate(2048)?;
        let stored = key.to_pkcs8_base64().to_string();
        Ok((Self::from_private(key)?, stored))
    }
}

/// The current key and, during a rotation, the next one.
#[derive(Debug, Clone)]
pub(crate) struct GatewayKeys {
    current: GatewayKey,
    next: Option<(GatewayKey, i64)>,
}

impl GatewayKeys {
    /// Loads the key from `configured` (PEM / base64), else from the database, else
    /// generates one; persists it.
    pub(crate) fn load(store: &Store, configured: Option<&str>) -> Result<Self, crate::Error> {
        let stored = store
            .read(|c| {
                Ok((
                    meta::get(c, CURRENT)?,
                    meta::get(c, NEXT)?,
                    meta::get(c, SWITCH_AT)?,
                ))
            })
            .map_err(|e| crate::Error::Config(e.message))?;
        let (current, current_text, keep_next) = match (configured, stored.0) {
            (Some(text), stored_current) => {
                let (key, text) = GatewayKey::parse(text)?;
                let same = stored_current.as_deref() == Some(text.as_str());
                (key, text, same)
            }
            (None, Some(text)) => {
                let (key, text) = GatewayKey::parse(&text)?;
                (key, text, true)
            }
            (None, None) => {
                let (key, text) = GatewayKey::generate()?;
                (key, text, false)
            }
        };
        let next = match (keep_next, stored.1, stored.2) {
            (true, Some(text), Some(at)) => {
                let at = at
                    .parse::<i64>()
                    .map_err(|_| crate::Error::Config("stored switch_at is not a number".into()))?;
                Some((GatewayKey::parse(&text)?.0, at))
            }
            _ => None,
        };
        store
            .write(|tx| {
                meta::set(tx, CURRENT, &current_text)?;
                if next.is_none() {
                    meta::delete(tx, NEXT)?;
                    meta::delete(tx, SWITCH_AT)?;
                }
                Ok(())
            })
            .map_err(|e| crate::Error::Config(e.message))?;
        Ok(Self { current, next })
    }

    /// The key that signs at `now`.
    pub(crate) fn active(&self, now: i64) -> &GatewayKey {
        match &self.next {
            Some((next, at)) if now >= *at => next,
            _ => &self.current,
        }
    }

    /// The key announced as next (and when it takes over), if a rotation is pending at `now`.
    pub(crate) fn pending(&self, now: i64) -> Option<(&GatewayKey, i64)> {
        match &self.next {
            Some((next, at)) if now < *at => Some((next, *at)),
            _ => None,
        }
    }

    /// Starts a rotation: a new key that takes over at `now + overlap_secs`.
    ///
    /// A rotation already past its switch time is completed first; one still pending is
    /// replaced.
    pub(crate) fn rotate(
        &mut self,
        store: &Store,
        now: i64,
        overlap_secs: i64,
    ) -> Result<(), ApiError> {
        let (key, text) = GatewayKey::generate()?;
        let switch_at = now.saturating_add(overlap_secs);
        let promote = matches!(&self.next, Some((_, at)) if now >= *at);
        let promoted_text =
            if promote {
                Some(store.read(|c| Ok(meta::get(c, NEXT)?))?.ok_or_else(|| {
                    ApiError::internal("next gateway key missing from the database")
                })?)
            } else {
                None
            };
        store.write(|tx| {
            if let Some(text) = &promoted_text {
                meta::set(tx, CURRENT, text)?;
            }
            meta::set(tx, NEXT, &text)?;
            meta::set(tx, SWITCH_AT, &switch_at.to_string())?;
            Ok(())
        })?;
        if promote {
            if let Some((next, _)) = self.next.take() {
                self.current = next;
            }
        }
        self.next = Some((key, switch_at));
        Ok(())
    }
}
