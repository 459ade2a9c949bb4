//! Console sessions: a random session id in a cookie, mapped server-side to the login and
//! its CSRF token.
//!
//! Why server-side sessions rather than a signed cookie: the cookie then carries nothing
//! but 256 random bits, so there is no signing key to create, keep and rotate, and a
//! logout (or a restart) really ends the session — a signed cookie stays valid until it
//! expires. The price, a map in memory, is nothing for a mock gateway's few operators.
//!
//! Ids are kept as SHA-256 digests: the map lookup is not constant-time, but an attacker
//! cannot steer the digest of a guess towards a stored one, so its timing tells nothing;
//! a memory dump does not give live ids either. Sessions last [`SESSION_LIFETIME`] of real
//! time (never the gateway clock, which tests move by days); at most [`MAX_SESSIONS`] are
//! kept, the oldest dropped first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::ApiError;

/// How long a login lasts.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at once.
const MAX_SESSIONS: usize = 64;

/// A logged-in session as the handlers see it.
#[derive(Clone)]
pub(crate) struct Session {
    /// Sent back in `X-CSRF-Token` by every state-changing request of this session.
    pub(crate) csrf_token: String,
    created: Instant,
}

/// Every live session, by the SHA-256 of its id.
#[derive(Default)]
pub(crate) struct Sessions {
    by_digest: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// A new session: its id (for the cookie, never stored) and its CSRF token.
    pub(crate) fn create(&self) -> Result<(Zeroizing<String>, Session), ApiError> {
        let id = random_text()?;
        let session = Session {
            csrf_token: random_text()?.to_string(),
            created: Instant::now(),
        };
        let mut map = self.lock();
        map.retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        while map.len() >= MAX_SESSIONS {
            let oldest = map.iter().min_by_key(|(_, s)| s.created).map(|(k, _)| *k);
            match oldest {
                Some(key) => map.remove(&key),
                None => break,
            };
        }
        map.insert(digest(id.as_bytes()), session.clone());
        Ok((id, session))
    }

    /// The live session with this id, if any.
    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let key = digest(id.as_bytes());
        let mut map = self.lock();
        match map.get(&key) {
            Some(s) if s.created.elapsed() < SESSION_LIFETIME => Some(s.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the session with this id.
    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(&digest(id.as_bytes()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        self.by_digest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Session {
    /// Whether `candidate` is this session's CSRF token, in constant time.
    pub(crate) fn csrf_matches(&self, candidate: &[u8]) -> bool {
        digest(self.csrf_token.as_bytes())
            .ct_eq(&digest(candidate))
            .into()
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// 256 random bits as base64url: a session id or a CSRF token.
fn random_text() -> Result<Zeroizing<String>, ApiError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(ApiError::internal)?;
    Ok(Zeroizing::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_found_by_id_only_and_end_at_logout() {
        let sessions = Sessions::default();
        let (id, session) = sessions.create().unwrap();
        assert_eq!(id.len(), 43);
        assert!(sessions.get(&id).is_some());
        assert!(sessions.get(&session.csrf_token).is_none());
        assert!(session.csrf_matches(session.csrf_token.as_bytes()));
        assert!(!session.csrf_matches(b"other"));
        sessions.remove(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn the_oldest_sessions_make_room() {
        let sessions = Sessions::default();
        let (first, _) = sessions.create().unwrap();
        for _ in 0..MAX_SESSIONS {
            sessions.create().unwrap();
        }
        assert!(sessions.get(&first).is_none());
        assert_eq!(sessions.lock().len(), MAX_SESSIONS);
    }
}
