//! The agreements' admin route (docs/collection.md §6): an agreement as the gateway holds
//! it, with the confirmation code it texted (the simulated SMS).

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::admin::reply::{AdminPath, AdminResult, ok, to_value};
use crate::agreements;
use crate::state::AppState;

/// `GET /admin/agreements/{agreement_no}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/admin/agreements/{agreement_no}", get(agreement))
}

async fn agreement(
    State(state): State<AppState>,
    AdminPath(agreement_no): AdminPath<String>,
) -> AdminResult {
    let a = agreements::admin_view(state.store(), &agreement_no)?;
    ok(to_value(a)?)
}
