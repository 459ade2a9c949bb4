//! The payouts' admin route (docs/collection.md §6): a payout with the bank's answers and
//! the routing that placed it (or queued it).

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::admin::reply::{AdminPath, AdminResult, Listing, ok, to_value};
use crate::payouts;
use crate::state::AppState;

/// `GET /admin/payouts/{payout_no}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/payouts", get(list))
        .route("/admin/payouts/{payout_no}", get(payout))
}

/// `GET /admin/payouts`: every payout as its `GET` shows it, newest first.
async fn list(State(state): State<AppState>) -> AdminResult {
    const PAYOUTS: Listing = Listing {
        table: "payouts",
        key: "payout_no",
        time: "create_time",
    };
    PAYOUTS.answer(state.store(), payouts::admin_view)
}

async fn payout(
    State(state): State<AppState>,
    AdminPath(payout_no): AdminPath<String>,
) -> AdminResult {
    ok(to_value(payouts::admin_view(state.store(), &payout_no)?)?)
}
