//! The statements' admin routes (docs/protocol.md §12.10): discrepancies the gateway
//! writes into the next statements, to rehearse reconciliation, and any merchant's
//! statement as a file (the console's download).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde::Deserialize;
use serde_json::{Value, json};

use super::store as ledger;
use crate::admin::reply::{AdminError, AdminJson, AdminPath, AdminResult, ok};
use crate::error::{ApiError, Code};
use crate::fields;
use crate::merchants::store as merchant_q;
use crate::orders::store as order_q;
use crate::state::AppState;

/// `/admin/statements/discrepancies*`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/statements/discrepancies",
            get(discrepancies).post(add_discrepancy),
        )
        .route(
            "/admin/statements/discrepancies/{id}",
            delete(remove_discrepancy),
        )
        .route(
            "/admin/statements/{app_id}/{bill_date}/{kind}",
            get(statement_file),
        )
}

/// `GET /admin/statements/{app_id}/{bill_date}/{kind}`: the statement `statement.download`
/// would give that merchant, as a CSV file, its SHA-256 in `X-Statement-Sha256`.
async fn statement_file(
    State(state): State<AppState>,
    AdminPath((app_id, bill_date, kind)): AdminPath<(String, String, String)>,
) -> Result<Response, AdminError> {
    let day = fields::date("bill_date", &bill_date).map_err(ApiError::from)?;
    let kind = super::StatementType::parse(&kind).ok_or_else(|| {
        ApiError::field_invalid(
            "kind",
            format!("expected {}", super::StatementType::expected()),
        )
    })?;
    if state
        .store()
        .read(|c| Ok(merchant_q::get(c, &app_id)?))?
        .is_none()
    {
        return Err(ApiError::new(Code::AppIdUnknown, format!("no merchant {app_id}")).into());
    }
    let s = super::download(state.store(), &app_id, day, kind, state.now())?;
    let file = format!(
        "attachment; filename=\"statement-{app_id}-{}-{}.csv\"",
        super::format_date(day),
        kind.as_str()
    );
    let mut response = (StatusCode::OK, s.content).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    for (name, value) in [
        ("content-disposition", file),
        ("x-statement-sha256", s.sha256),
    ] {
        headers.insert(
            name,
            HeaderValue::from_str(&value).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewDiscrepancy {
    trade_no: Option<String>,
    kind: Option<String>,
    amount: Option<String>,
    scope: Option<String>,
}

fn discrepancy_json(d: &ledger::DiscrepancyRow) -> Value {
    json!({
        "id": d.id.to_string(),
        "trade_no": d.trade_no,
        "kind": d.kind,
        "amount": d.amount.map(|a| a.to_string()),
        "scope": d.scope,
    })
}

async fn add_discrepancy(
    State(state): State<AppState>,
    AdminJson(req): AdminJson<NewDiscrepancy>,
) -> AdminResult {
    let trade_no = req
        .trade_no
        .ok_or_else(|| ApiError::field_missing("trade_no"))?;
    let kind = req.kind.ok_or_else(|| ApiError::field_missing("kind"))?;
    fields::one_of(
        "kind",
        &kind,
        &["DROP", "CHANGE_AMOUNT", "MOVE_PAST_CUTOFF"],
    )?;
    let scope = req.scope.unwrap_or_else(|| "BOTH".to_owned());
    fields::one_of(
        "scope",
        &scope,
        &["BOTH", "TRANSACTION", "FUND", "COLLECTION"],
    )?;
    let amount = match (kind.as_str(), req.amount) {
        ("CHANGE_AMOUNT", Some(a)) => Some(fields::amount("amount", &a, 0, 999_999_999_999_999)?),
        ("CHANGE_AMOUNT", None) => return Err(ApiError::field_missing("amount").into()),
        (_, Some(_)) => {
            return Err(
                ApiError::field_invalid("amount", "only CHANGE_AMOUNT takes an amount").into(),
            );
        }
        (_, None) => None,
    };
    let row = state.store().write(|tx| {
        // `trade_no` is looked up on the statements `scope` names: a payment's events are
        // on the transaction and fund statements, a successful deduction's or payout's on
        // the collection statement only.
        let on_collection = matches!(scope.as_str(), "BOTH" | "COLLECTION")
            && ledger::is_booked_collection(tx, &trade_no)?;
        let on_payments = scope != "COLLECTION" && order_q::get(tx, &trade_no)?.is_some();
        if !on_collection && !on_payments {
            let statements = match scope.as_str() {
                "BOTH" => "any statement".to_owned(),
                one => format!("the {one} statement"),
            };
            return Err(ApiError::new(
                Code::OrderNotFound,
                format!("no event {trade_no} on {statements}"),
            ));
        }
        Ok(ledger::insert_discrepancy(
            tx, &trade_no, &kind, amount, &scope,
        )?)
    })?;
    Ok((StatusCode::CREATED, Json(discrepancy_json(&row))))
}

async fn discrepancies(State(state): State<AppState>) -> AdminResult {
    let rows = state.store().read(|c| Ok(ledger::discrepancies(c)?))?;
    let list: Vec<Value> = rows.iter().map(discrepancy_json).collect();
    ok(json!({"discrepancies": list}))
}

async fn remove_discrepancy(
    State(state): State<AppState>,
    AdminPath(id): AdminPath<String>,
) -> Result<StatusCode, AdminError> {
    let not_found = || ApiError::new(Code::DiscrepancyNotFound, format!("no discrepancy {id:?}"));
    // The ids the gateway issues: decimal, no sign, no leading zero.
    let issued = id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0');
    let number = Some(&id)
        .filter(|_| issued)
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(not_found)?;
    let deleted = state
        .store()
        .write(|tx| Ok(ledger::delete_discrepancy(tx, number)?))?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found().into())
    }
}
