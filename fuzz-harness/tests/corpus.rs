//! Replays the saved fuzz corpus and every crash ever found (`fuzz/corpus/<target>/`,
//! `fuzz/regressions/<target>/`) through the same harnesses the fuzzers run, on stable,
//! so CI guards against regressions without nightly. `make fuzz` grows the corpus.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use paysign_fuzz_harness as fuzzing;

fn replay(target: &str, harness: fn(&[u8])) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut count = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| harness(&data));
            assert!(result.is_ok(), "{target}: {} panics", path.display());
            count += 1;
        }
    }
    assert!(count > 0, "{target}: no corpus to replay");
}

#[test]
fn parse_body_corpus() {
    replay("parse_body", fuzzing::parse_body);
}

#[test]
fn keys_corpus() {
    replay("keys", fuzzing::keys);
}

#[test]
fn notification_corpus() {
    replay("notification", fuzzing::notification);
}

#[test]
fn amount_time_corpus() {
    replay("amount_time", fuzzing::amount_time);
}

#[test]
fn statement_corpus() {
    replay("statement", fuzzing::statement);
}

#[test]
fn wechat_v3_corpus() {
    replay("wechat_v3", fuzzing::wechat_v3);
}

#[test]
fn standard_webhooks_corpus() {
    replay("standard_webhooks", fuzzing::standard_webhooks);
}

#[test]
fn platform_bodies_corpus() {
    replay("platform_bodies", fuzzing::platform_bodies);
}

#[test]
fn signed_bodies_corpus() {
    replay("signed_bodies", fuzzing::signed_bodies);
}

#[test]
fn test_notifications_corpus() {
    replay("test_notifications", fuzzing::test_notifications);
}

#[test]
fn sm_corpus() {
    replay("sm", fuzzing::sm);
}
