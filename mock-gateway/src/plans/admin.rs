//! The plans' admin route (docs/collection.md §6): a plan with its instalments and the
//! deductions made for them.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

use crate::admin::reply::{AdminPath, AdminResult, ok, to_value};
use crate::plans;
use crate::state::AppState;

/// `GET /admin/plans/{plan_no}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/admin/plans/{plan_no}", get(plan))
}

async fn plan(State(state): State<AppState>, AdminPath(plan_no): AdminPath<String>) -> AdminResult {
    let (plan, instalments) = plans::admin_view(state.store(), &plan_no)?;
    let mut v = to_value(plan)?;
    v["instalments"] = json!(to_value(instalments)?);
    ok(v)
}
