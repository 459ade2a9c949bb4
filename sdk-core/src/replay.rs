//! Replay protection: remembering which notification ids and nonces were already seen.
//!
//! The store is a trait so a merchant running several servers can back it with Redis or
//! a database; [`MemoryReplayStore`] is the bounded in-process default. Entries expire,
//! so a store never grows without limit: ids older than the timestamp tolerance cannot
//! be replayed anyway, because the timestamp check rejects them first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Remembers ids (a `notify_id` or a `nonce`) until they expire.
pub trait ReplayStore: Send + Sync {
    /// Records `id` as seen until `expires_at` (Unix seconds). Returns `true` if it was
    /// new, `false` if it had been seen and not yet expired. `now` is the caller's clock.
    fn check_and_insert(&self, id: &str, now: i64, expires_at: i64) -> bool;

    /// Forgets `id`, so the next copy is processed again (after a failed booking).
    fn forget(&self, id: &str);
}

/// An in-memory [`ReplayStore`] holding at most `capacity` ids; the oldest go first.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    expiry: HashMap<String, i64>,
    order: VecDeque<String>,
}

impl MemoryReplayStore {
    /// A store for up to `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Number of ids currently remembered.
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
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
    fn check_and_insert(&self, id: &str, now: i64, expires_at: i64) -> bool {
        let mut entries = self.lock();
        if let Some(&until) = entries.expiry.get(id) {
            if until > now {
                return false;
            }
        }
        // Drop expired ids from the front, then the oldest if still full.
        while let Some(front) = entries.order.front().cloned() {
            let expired = entries.expiry.get(&front).is_none_or(|&t| t <= now);
            if expired || entries.expiry.len() >= self.capacity {
                entries.order.pop_front();
                entries.expiry.remove(&front);
            } else {
                break;
            }
        }
        if entries.expiry.insert(id.to_owned(), expires_at).is_none() {
            entries.order.push_back(id.to_owned());
        }
        true
    }

    fn forget(&self, id: &str) {
        let mut entries = self.lock();
        entries.expiry.remove(id);
        entries.order.retain(|x| x != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_are_reported_until_they_expire() {
        let store = MemoryReplayStore::new(10);
        assert!(store.check_and_insert("n1", 100, 400));
        assert!(!store.check_and_insert("n1", 200, 500));
        assert!(
            store.check_and_insert("n1", 400, 700),
            "expired ids are new again"
        );
        store.forget("n1");
        assert!(store.check_and_insert("n1", 401, 700));
    }

    #[test]
    fn capacity_is_bounded() {
        let store = MemoryReplayStore::new(3);
        for i in 0..10 {
            assert!(store.check_and_insert(&format!("id{i}"), 0, 1_000));
        }
        assert!(store.len() <= 3);
        assert!(!store.check_and_insert("id9", 0, 1_000));
    }
}
