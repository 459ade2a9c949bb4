//! The deductions' admin routes (docs/collection.md §6): one deduction with every channel
//! call and poll, and how often an agreement's card was charged.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

use crate::admin::reply::{AdminPath, AdminResult, Listing, ok, to_value};
use crate::agreements;
use crate::deductions;
use crate::state::AppState;

/// `GET /admin/deductions/{deduction_no}`, `GET /admin/agreements/{agreement_no}/debits`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/deductions", get(list))
        .route("/admin/deductions/{deduction_no}", get(deduction))
        .route("/admin/agreements/{agreement_no}/debits", get(debits))
}

/// `GET /admin/deductions`: every deduction as its `GET` shows it, newest first.
async fn list(State(state): State<AppState>) -> AdminResult {
    const DEDUCTIONS: Listing = Listing {
        table: "deductions",
        key: "deduction_no",
        time: "create_time",
    };
    DEDUCTIONS.answer(state.store(), deductions::admin_view)
}

async fn deduction(
    State(state): State<AppState>,
    AdminPath(deduction_no): AdminPath<String>,
) -> AdminResult {
    ok(to_value(deductions::admin_view(
        state.store(),
        &deduction_no,
    )?)?)
}

/// The counts that prove idempotency from outside: deductions recorded, charges the
/// channel made (`SUCCESS` answers) and the amount charged.
async fn debits(
    State(state): State<AppState>,
    AdminPath(agreement_no): AdminPath<String>,
) -> AdminResult {
    // An unknown agreement is AGREEMENT_NOT_FOUND, not zero debits.
    agreements::admin_view(state.store(), &agreement_no)?;
    let count = deductions::debit_count(state.store(), &agreement_no)?;
    let mut v = to_value(count)?;
    v["agreement_no"] = json!(agreement_no);
    ok(v)
}
