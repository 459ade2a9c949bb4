//! Integration tests of the `paysign` binary: every command and exit status, on the shared
//! vectors of tests/vectors/ (the same files the Rust and Node suites read).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
mod explain;
mod forms;
mod gateway;
mod gateway_faults;
mod keys;
mod messages;
mod notify;
mod platforms;
mod reconcile;
mod sign_headers;
mod test_notifications;
mod vectors;
