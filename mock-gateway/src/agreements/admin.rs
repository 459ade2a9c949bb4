//! The agreements' admin route (docs/collection.md §6): an agreement as the gateway holds
//! it, with the confirmation code it texted (the simulated SMS).

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::admin::reply::{AdminPath, AdminResult, Listing, ok, to_value};
use crate::agreements;
use crate::state::AppState;

/// `GET /admin/agreements/{agreement_no}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/agreements", get(list))
        .route("/admin/agreements/{agreement_no}", get(agreement))
}

/// `GET /admin/agreements`: every agreement as its `GET` shows it, newest first.
async fn list(State(state): State<AppState>) -> AdminResult {
    const AGREEMENTS: Listing = Listing {
        table: "agreements",
        key: "agreement_no",
        time: "create_time",
    };
    AGREEMENTS.answer(state.store(), agreements::admin_view)
}

async fn agreement(
    State(state): State<AppState>,
    AdminPath(agreement_no): AdminPath<String>,
) -> AdminResult {
    let a = agreements::admin_view(state.store(), &agreement_no)?;
    ok(to_value(a)?)
}
