//! Exactly-once handling of notifications: which ids are being handled, and which were.
//!
//! Platforms retry a notification until the merchant acknowledges it, and sometimes deliver
//! one twice at once. Marking an id as seen when it arrives loses a payment: a copy that
//! arrives while the first is still being booked is acknowledged as a duplicate, and if
//! that booking then fails the platform has been told "success" and never retries. So an id
//! goes through three steps (docs/replay.md):
//!
//! 1. [`claim`](ReplayStore::claim), atomically, with a lease: the delivery that wins
//!    handles the notification; another copy meanwhile is [`Claim::InProgress`] and is
//!    answered with a failure, so the platform comes back later;
//! 2. [`complete`](ReplayStore::complete) once the handler succeeded: the id is kept as
//!    long as a copy could still pass the time check, and every copy is [`Claim::Done`]
//!    (acknowledge it, do not book it again);
//! 3. or [`release`](ReplayStore::release) when the handler failed: the next copy is handled.
//!
//! A delivery that crashes while it holds a claim frees the id when the lease ends. Only
//! the holder of a claim releases it (its [`ClaimToken`]), so a late release after the
//! lease passed to another delivery cannot free that delivery's claim.
//!
//! The store is a trait so a merchant running several servers can share it (Redis, a
//! database); [`MemoryReplayStore`] is the bounded in-process default. Entries expire, so
//! a store never grows without limit. A store that answers over the network implements
//! [`AsyncReplayStore`] instead, so an asynchronous server never blocks on it; every
//! [`ReplayStore`] is also an [`AsyncReplayStore`] whose futures are ready at once.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Result;

/// Identifies one claim of an id, so that only its holder releases it. Opaque: a store
/// makes it (a counter, random bytes) and compares it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimToken(String);

impl ClaimToken {
    /// A token with this text (a store's own representation).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token's text, as the store made it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What [`ReplayStore::claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The id was free (never seen, released, or its lease or record had expired) and is
    /// now the caller's until the lease ends: handle the notification, then complete or
    /// release it with this token.
    Claimed(ClaimToken),
    /// Another delivery holds an unexpired claim: the notification is being handled right
    /// now. Answer with a failure so the platform retries; never acknowledge it as done.
    InProgress,
    /// The id was handled and is remembered: acknowledge again, do not handle it twice.
    Done,
}

/// Where notification ids are claimed, completed and released; see the [module
/// docs](self) for the flow. Every method is atomic with respect to the others, across
/// every process sharing the store. A store that cannot answer (Redis down) returns
/// [`Error::ReplayStoreUnavailable`](crate::Error::ReplayStoreUnavailable): the caller
/// then answers the platform with a failure, and nothing is marked seen.
pub trait ReplayStore: Send + Sync {
    /// Claims `id` until `lease_until` (Unix seconds) unless it is claimed with an
    /// unexpired lease ([`Claim::InProgress`]) or completed with an unexpired record
    /// ([`Claim::Done`]). `now` is the caller's clock.
    fn claim(&self, id: &str, now: i64, lease_until: i64) -> Result<Claim>;

    /// Records `id` as handled until `keep_until`, whoever holds its claim: the booking
    /// succeeded, so no later copy may be handled again.
    fn complete(&self, id: &str, now: i64, keep_until: i64) -> Result<()>;

    /// Frees the claim `token` holds on `id`, so the next copy is handled; nothing when
    /// the claim is no longer that token's (its lease ended and another delivery claimed
    /// the id, or it was completed).
    fn release(&self, id: &str, token: &ClaimToken) -> Result<()>;
}

/// What an [`AsyncReplayStore`] operation returns: a boxed future, so the trait can be
/// used as `dyn AsyncReplayStore` and stays free of any async runtime.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// [`ReplayStore`] for stores that answer asynchronously (Redis, a database over the
/// network), with the same contract operation for operation; the verifier awaits it in
/// [`NotificationVerifier::verify_async`](crate::NotificationVerifier::verify_async) and
/// [`handle_async`](crate::NotificationVerifier::handle_async).
pub trait AsyncReplayStore: Send + Sync {
    /// [`ReplayStore::claim`].
    fn claim<'a>(&'a self, id: &'a str, now: i64, lease_until: i64) -> StoreFuture<'a, Claim>;

    /// [`ReplayStore::complete`].
    fn complete<'a>(&'a self, id: &'a str, now: i64, keep_until: i64) -> StoreFuture<'a, ()>;

    /// [`ReplayStore::release`].
    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()>;
}

/// A synchronous store answers at once: its futures are ready when made.
impl<S: ReplayStore + ?Sized> AsyncReplayStore for S {
    fn claim<'a>(&'a self, id: &'a str, now: i64, lease_until: i64) -> StoreFuture<'a, Claim> {
        Box::pin(std::future::ready(ReplayStore::claim(
            self,
            id,
            now,
            lease_until,
        )))
    }

    fn complete<'a>(&'a self, id: &'a str, now: i64, keep_until: i64) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(ReplayStore::complete(
            self, id, now, keep_until,
        )))
    }

    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(ReplayStore::release(self, id, token)))
    }
}

/// An in-memory [`ReplayStore`] holding at most `capacity` ids; when full, expired ids go
/// first, then the oldest. One process only: several servers need a shared store.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    next_token: AtomicU64,
    inner: Mutex<Entries>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Claimed { token: ClaimToken, until: i64 },
    Done { until: i64 },
}

impl State {
    fn until(&self) -> i64 {
        match self {
            State::Claimed { until, .. } | State::Done { until } => *until,
        }
    }
}

#[derive(Debug, Default)]
struct Entries {
    states: HashMap<String, State>,
    // Insertion order, for eviction; an id appears once.
    order: VecDeque<String>,
}

impl Entries {
    /// Makes room for one more id: expired ids from the front, then the oldest if full.
    fn evict(&mut self, now: i64, capacity: usize) {
        while let Some(front) = self.order.front() {
            let expired = self.states.get(front).is_none_or(|s| s.until() <= now);
            if expired || self.states.len() >= capacity {
                if let Some(front) = self.order.pop_front() {
                    self.states.remove(&front);
                }
            } else {
                break;
            }
        }
    }

    fn set(&mut self, id: &str, state: State) {
        if self.states.insert(id.to_owned(), state).is_none() {
            self.order.push_back(id.to_owned());
        }
    }
}

impl MemoryReplayStore {
    /// A store for up to `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            next_token: AtomicU64::new(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Number of ids currently held (claimed or completed, expired ones not yet evicted).
    pub fn len(&self) -> usize {
        self.lock().states.len()
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A poisoned lock only means another thread panicked mid-update; the map is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for MemoryReplayStore {
    /// Room for 100,000 ids.
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn claim(&self, id: &str, now: i64, lease_until: i64) -> Result<Claim> {
        let mut entries = self.lock();
        match entries.states.get(id) {
            Some(State::Done { until }) if *until > now => return Ok(Claim::Done),
            Some(State::Claimed { until, .. }) if *until > now => return Ok(Claim::InProgress),
            _ => {}
        }
        entries.evict(now, self.capacity);
        let token = ClaimToken(self.next_token.fetch_add(1, Ordering::Relaxed).to_string());
        entries.set(
            id,
            State::Claimed {
                token: token.clone(),
                until: lease_until,
            },
        );
        Ok(Claim::Claimed(token))
    }

    fn complete(&self, id: &str, now: i64, keep_until: i64) -> Result<()> {
        let mut entries = self.lock();
        if !entries.states.contains_key(id) {
            entries.evict(now, self.capacity);
        }
        entries.set(id, State::Done { until: keep_until });
        Ok(())
    }

    fn release(&self, id: &str, token: &ClaimToken) -> Result<()> {
        let mut entries = self.lock();
        let held =
            matches!(entries.states.get(id), Some(State::Claimed { token: t, .. }) if t == token);
        if held {
            entries.states.remove(id);
            entries.order.retain(|x| x != id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Claim, ClaimToken, MemoryReplayStore, ReplayStore};

    fn claimed(claim: Claim) -> ClaimToken {
        match claim {
            Claim::Claimed(token) => token,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    #[test]
    fn a_claim_is_in_progress_until_completed_then_done_until_it_expires() {
        let store = MemoryReplayStore::new(10);
        claimed(store.claim("n1", 100, 160).unwrap());
        assert_eq!(store.claim("n1", 110, 170).unwrap(), Claim::InProgress);
        store.complete("n1", 120, 400).unwrap();
        assert_eq!(store.claim("n1", 130, 190).unwrap(), Claim::Done);
        assert_eq!(store.claim("n1", 399, 459).unwrap(), Claim::Done);
        claimed(store.claim("n1", 400, 460).unwrap());
    }

    #[test]
    fn a_released_claim_is_claimable_again_and_an_expired_lease_too() {
        let store = MemoryReplayStore::new(10);
        let first = claimed(store.claim("n1", 100, 160).unwrap());
        store.release("n1", &first).unwrap();
        let second = claimed(store.claim("n1", 101, 161).unwrap());
        assert_ne!(first, second, "every claim has its own token");
        // The holder crashed: the lease ends and another delivery claims it.
        let third = claimed(store.claim("n1", 161, 221).unwrap());
        // The crashed holder's late release does not free the new claim.
        store.release("n1", &second).unwrap();
        assert_eq!(store.claim("n1", 170, 230).unwrap(), Claim::InProgress);
        store.release("n1", &third).unwrap();
        claimed(store.claim("n1", 171, 231).unwrap());
    }

    #[test]
    fn releasing_after_completion_keeps_it_done() {
        let store = MemoryReplayStore::new(10);
        let token = claimed(store.claim("n1", 100, 160).unwrap());
        store.complete("n1", 110, 400).unwrap();
        store.release("n1", &token).unwrap();
        assert_eq!(store.claim("n1", 120, 180).unwrap(), Claim::Done);
    }

    #[test]
    fn capacity_is_bounded() {
        let store = MemoryReplayStore::new(3);
        for i in 0..10 {
            let id = format!("id{i}");
            claimed(store.claim(&id, 0, 60).unwrap());
            store.complete(&id, 0, 1_000).unwrap();
        }
        assert!(store.len() <= 3);
        assert_eq!(store.claim("id9", 0, 60).unwrap(), Claim::Done);
    }
}
