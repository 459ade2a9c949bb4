//! The orders' admin routes (docs/protocol.md §12.5-§12.6): an order as the gateway
//! holds it, and the outcome the simulated payment system will give it.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};

use super::OutcomeOverride;
use crate::admin::reply::{AdminJson, AdminPath, AdminResult, Listing, ok, to_value};
use crate::orders;
use crate::state::AppState;

/// `/admin/orders/*`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(list))
        .route("/admin/orders/{trade_no}", get(order))
        .route("/admin/orders/{trade_no}/outcome", put(set_outcome))
}

/// `GET /admin/orders`: every order as its `GET` shows it, newest first.
async fn list(State(state): State<AppState>) -> AdminResult {
    const ORDERS: Listing = Listing {
        table: "orders",
        key: "trade_no",
        time: "create_time",
    };
    ORDERS.answer(state.store(), orders::admin_view)
}

async fn order(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
) -> AdminResult {
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}

async fn set_outcome(
    State(state): State<AppState>,
    AdminPath(trade_no): AdminPath<String>,
    AdminJson(req): AdminJson<OutcomeOverride>,
) -> AdminResult {
    orders::override_outcome(state.store(), &trade_no, &req, state.now())?;
    ok(to_value(orders::admin_view(state.store(), &trade_no)?)?)
}
