//! The exception queue's admin routes (docs/protocol.md §12.12).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::json;

use super::Decision;
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, ok, to_value};
use crate::state::AppState;

/// `GET /admin/exceptions`, `POST /admin/exceptions/{kind}/{ref_no}/resolve`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/exceptions", get(list))
        .route("/admin/exceptions/{kind}/{ref_no}/resolve", post(resolve))
}

async fn list(State(state): State<AppState>) -> AdminResult {
    let (open, resolved) = state
        .store()
        .read(|c| Ok((super::store::open(c)?, super::store::resolved(c)?)))?;
    ok(json!({"open": to_value(open)?, "resolved": to_value(resolved)?}))
}

async fn resolve(
    State(state): State<AppState>,
    AdminPath((kind, ref_no)): AdminPath<(String, String)>,
    AdminJson(decision): AdminJson<Decision>,
) -> AdminResult {
    let now = state.now();
    let resolution = super::resolve(state.store(), &kind, &ref_no, decision, now)?;
    ok(to_value(resolution)?)
}
