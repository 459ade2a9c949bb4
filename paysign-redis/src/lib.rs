//! A Redis replay store for paysign's notification verifiers: every instance of a
//! merchant claims, completes and releases notification ids in one Redis, so a
//! notification is booked once however many servers receive its copies (docs/replay.md).
//!
//! ```no_run
//! use std::sync::Arc;
//! use paysign_core::{NotificationVerifier, Profile, PublicKey, VerificationCredential, VerifyOptions};
//! use paysign_redis::RedisReplayStore;
//!
//! # async fn run(gateway_pem: &[u8], body: &[u8], now: i64) -> Result<(), Box<dyn std::error::Error>> {
//! let client = redis::Client::open("redis://127.0.0.1/")?;
//! let store = RedisReplayStore::new(client.get_connection_manager().await?)
//!     .prefix("paysign:notify:2026000000000001:");
//! let verifier = NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(PublicKey::parse(gateway_pem)?))
//!     .async_replay_store(Arc::new(store))
//!     .build()?;
//! let booked = verifier
//!     .handle_async(body, VerifyOptions::content_type("application/x-www-form-urlencoded"), now, |n| {
//!         let order = n.out_trade_no.clone();
//!         async move { Ok::<_, std::io::Error>(drop(order)) } // book the order here
//!     })
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Each id is one key, `prefix` + id, whose value is `claim:<token>` while a delivery
//! holds it and `done` once booked; its TTL is the lease or the verifier's time window,
//! so Redis forgets it by itself. The claim and release are Lua scripts
//! (`lua/claim.lua`, `lua/release.lua`, shared with the npm package's adapters), atomic
//! however many instances run them.
//!
//! Redis unavailable is [`Error::ReplayStoreUnavailable`]: the verifier refuses and the
//! merchant answers with a failure, so the platform retries. [`RedisReplayStore::fail_open`]
//! changes that, at a price its documentation states.

use paysign_core::replay::{AsyncReplayStore, StoreFuture};
use paysign_core::{Claim, ClaimToken, Error};
use redis::Script;
use redis::aio::ConnectionLike;

/// The key prefix when none is given. Give each merchant (app id) its own, so the ids of two
/// merchants sharing a Redis never meet.
pub const DEFAULT_PREFIX: &str = "paysign:notify:";

/// A claim recorded while Redis was down, with [`RedisReplayStore::fail_open`]: nothing in
/// Redis holds it, so there is nothing to complete or release.
const UNRECORDED_TOKEN: &str = "fail-open";

/// A [`paysign_core::ReplayStore`] contract on Redis, for
/// [`paysign_core::callback::NotificationVerifierBuilder::async_replay_store`]. `C` is any
/// async connection of the `redis` crate: a `ConnectionManager` (reconnects by itself:
/// recommended) or a `MultiplexedConnection`; it is cloned per operation, which both make
/// cheap.
#[derive(Clone)]
pub struct RedisReplayStore<C> {
    connection: C,
    prefix: String,
    fail_open: bool,
    claim: Script,
    release: Script,
}

impl<C> RedisReplayStore<C> {
    /// A store on `connection`, with keys under [`DEFAULT_PREFIX`], failing closed.
    pub fn new(connection: C) -> Self {
        Self {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
            fail_open: false,
            claim: Script::new(include_str!("../lua/claim.lua")),
            release: Script::new(include_str!("../lua/release.lua")),
        }
    }

    /// The key prefix (default [`DEFAULT_PREFIX`]): one per merchant sharing a Redis.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Whether a Redis failure lets the notification through (default `false`). Off, an
    /// unreachable Redis refuses every notification with `REPLAY_STORE_UNAVAILABLE` and the
    /// platform retries until Redis is back: nothing is lost and nothing is booked twice.
    /// On, a notification whose claim failed is handled unchecked: its copies on other
    /// instances may be booked as well, so only turn it on if the booking itself refuses a
    /// second booking of one order.
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// The key of a notification id.
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }
}

/// Milliseconds from `now` to `until` (Unix seconds), at least 1: Redis refuses a zero TTL,
/// and the verifier's lease and window are at least a second anyway.
fn ttl_millis(now: i64, until: i64) -> i64 {
    until.saturating_sub(now).saturating_mul(1000).max(1)
}

fn unavailable(error: redis::RedisError) -> Error {
    // The client's message names the failure (connection refused, timeout, a script
    // error), never the password of the connection URL.
    Error::ReplayStoreUnavailable {
        reason: format!("redis: {error}"),
    }
}

fn new_token() -> Result<ClaimToken, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| Error::RandomUnavailable)?;
    Ok(ClaimToken::new(
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ))
}

impl<C> AsyncReplayStore for RedisReplayStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn claim<'a>(&'a self, id: &'a str, now: i64, lease_until: i64) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let token = new_token()?;
            let mut connection = self.connection.clone();
            let answer: redis::RedisResult<String> = self
                .claim
                .key(self.key(id))
                .arg(token.as_str())
                .arg(ttl_millis(now, lease_until))
                .invoke_async(&mut connection)
                .await;
            match answer {
                Ok(status) => match status.as_str() {
                    "claimed" => Ok(Claim::Claimed(token)),
                    "in-progress" => Ok(Claim::InProgress),
                    "done" => Ok(Claim::Done),
                    other => Err(Error::ReplayStoreUnavailable {
                        reason: format!("redis: the claim script answered {other:?}"),
                    }),
                },
                Err(_) if self.fail_open => Ok(Claim::Claimed(ClaimToken::new(UNRECORDED_TOKEN))),
                Err(error) => Err(unavailable(error)),
            }
        })
    }

    fn complete<'a>(&'a self, id: &'a str, now: i64, keep_until: i64) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let done: redis::RedisResult<()> = redis::cmd("SET")
                .arg(self.key(id))
                .arg("done")
                .arg("PX")
                .arg(ttl_millis(now, keep_until))
                .query_async(&mut connection)
                .await;
            match done {
                Err(_) if self.fail_open => Ok(()),
                other => other.map_err(unavailable),
            }
        })
    }

    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            if token.as_str() == UNRECORDED_TOKEN {
                return Ok(());
            }
            let mut connection = self.connection.clone();
            let released: redis::RedisResult<i64> = self
                .release
                .key(self.key(id))
                .arg(token.as_str())
                .invoke_async(&mut connection)
                .await;
            match released {
                Ok(_) => Ok(()),
                Err(_) if self.fail_open => Ok(()),
                Err(error) => Err(unavailable(error)),
            }
        })
    }
}
