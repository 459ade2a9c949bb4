//! Runs the story of `make demo` (`examples/demo.rs`) so CI guards the README's main
//! command: every step must behave as the narration says.
#![allow(missing_docs)]

#[allow(dead_code)] // The example's `main`.
#[path = "../examples/demo.rs"]
mod demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_tells_its_whole_story() {
    let mut out = Vec::new();
    let result = demo::run(&mut out).await;
    let story = String::from_utf8_lossy(&out);
    if let Err(e) = result {
        panic!("the demo failed: {e}\n--- its story so far ---\n{story}");
    }
    for milestone in [
        "[10/10] Shut down",
        "Alipay notification verified SUCCESS ALI20261122001 4560",
        "WeChat Pay notification verified SUCCESS WX20261122001 3210",
        "refund_fee 5.60",
        "the router tried CH-BANK CONNECT_FAILED, then CH-EPAY ACCEPTED",
        "→ QUEUED: CH-EPAY's position cannot cover it",
        "plan COMPLETED; 2 deductions, 2 charges",
        "statement.download 2026-11-21 COLLECTION → 2 rows",
        "booked that day: 2 matched, clean",
        "REFUND_EXCEEDS_PAID",
        "AMOUNT_MISMATCH",
        "CUTOFF_PENDING",
        "a duplicate: acknowledged, not booked again",
    ] {
        assert!(story.contains(milestone), "missing {milestone:?}:\n{story}");
    }
}
