//! The bills' admin route: create or replace a bill (docs/protocol.md §12.4).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::put;

use super::PutBill;
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, to_value};
use crate::bills;
use crate::state::AppState;

/// `PUT /admin/bills/{item_id}/{bill_no}`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/admin/bills/{item_id}/{bill_no}", put(put_bill))
}

async fn put_bill(
    State(state): State<AppState>,
    AdminPath((item_id, bill_no)): AdminPath<(String, String)>,
    AdminJson(req): AdminJson<PutBill>,
) -> AdminResult {
    let (view, created) = bills::put(state.store(), &item_id, &bill_no, req)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(to_value(view)?)))
}
