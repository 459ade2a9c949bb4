//! # paysign-core
//!
//! Canonical strings, RSA keys, signing and verification for bill-payment and
//! payment-gateway messages (the paysign gateway protocol, Alipay, WeChat Pay v2 and v3,
//! UnionPay, Standard Webhooks).
//! Pure Rust, no I/O, no clock: time is always a parameter.
//!
//! The pipeline reads in order, one module per stage:
//! [`params`] → [`canonical`] → [`sign`] (with [`keys`]) — each stage a pure function.
//! Platforms whose rules go beyond the `k=v` string (header signatures, encrypted
//! payloads, certificate SNs) have a module each in [`platform`].
//! Errors carry stable codes ([`Error::code`]) shared with the wasm package and the CLI.
//!
//! Start with the repository's README (its Rust quick starts run as this crate's doctests),
//! docs/profiles.md for each platform's rules, and docs/replay.md for exactly-once handling.
#![forbid(unsafe_code)]

pub mod algorithm;
pub mod api_term;
pub mod callback;
pub mod canonical;
pub mod diagnose;
mod encoding;
pub mod error;
pub mod keys;
pub mod message;
pub mod params;
pub mod platform;
pub mod profile;
pub mod reconcile;
pub mod replay;
pub mod sign;
pub mod testing;

pub use algorithm::{
    DEFAULT_SM2_USER_ID, HexCase, SecretSuffix, Sm2SignatureForm, sm_available, sm3_hex,
};
pub use api_term::{ApiTerm, Words};
pub use callback::{HandleError, NotificationVerifier, Replay, VerifyOptions};
pub use canonical::canonical_string;
pub use error::{Error, Result, TimeLimit};
pub use keys::{
    Certificate, KeyAlgorithm, KeyEncoding, KeyFormat, KeySet, KeyStructure, PrivateKey, PublicKey,
};
pub use message::{Amount, Notification, TradeStatus};
pub use params::{ParamSource, Params, ParamsRef};
pub use platform::Platform;
pub use profile::{CanonicalRules, MessageKind, Profile};
pub use replay::{Claim, ClaimToken, MemoryReplayStore, ReplayStore};

/// The repository's README, whose Rust quick starts run with the doctests (outside the
/// package: compiled only for doctests, so `cargo package` does not need it).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;

/// docs/replay.md, whose Rust example runs with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/replay.md")]
pub struct ReplayGuide;
pub use sign::{
    CredentialKind, HeaderSigner, RsaBackend, SharedSecret, SignType, SignatureCheck,
    SignatureClaim, SignedRequest, Signer, SigningCredential, VerificationCredential, Verifier,
};
