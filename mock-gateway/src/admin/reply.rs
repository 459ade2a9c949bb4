//! What every admin handler shares: the error answer (`{"code","message"}` with its HTTP
//! status), and the extractors that read a request's JSON body and path parameters by the
//! admin API's rules; and the one rule of the list routes ([`Listing`]): the newest records
//! first, at most [`LIST_LIMIT`], each in the shape of its own `GET`. The domain modules'
//! `admin` parts use it; it uses none of them.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::store::Store;
use crate::{request_body, strict_json};

/// Admin errors carry the codes of §11 with their HTTP status, except where the code
/// names no authentication failure here: an unknown `app_id` in the path is `404`, an
/// unknown name in a registration's `sign_types` is `400` (it was answered 401, a status
/// the admin API does not have; found by the contract test).
pub(crate) fn error_response(e: ApiError) -> Response {
    let status = match e.code {
        Code::AppIdUnknown => StatusCode::NOT_FOUND,
        Code::UnsupportedSignType => StatusCode::BAD_REQUEST,
        code => code.http_status(),
    };
    e.plain_response_with_status(status)
}

/// An admin answer: a status and a JSON body, or an error.
pub(crate) type AdminResult = Result<(StatusCode, Json<Value>), AdminError>;

/// Renders an [`ApiError`] as `{"code","message"}`.
pub(crate) struct AdminError(ApiError);

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        error_response(self.0)
    }
}

pub(crate) fn ok(value: Value) -> AdminResult {
    Ok((StatusCode::OK, Json(value)))
}

pub(crate) fn to_value(v: impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// Most records a list route answers (the newest); a mock gateway's day is far smaller.
pub(crate) const LIST_LIMIT: i64 = 500;

/// A table a list route reads: its name (also the answer's key), its key column and the
/// column that orders it. Compile-time names only: they are spliced into the SQL.
pub(crate) struct Listing {
    pub(crate) table: &'static str,
    pub(crate) key: &'static str,
    pub(crate) time: &'static str,
}

impl Listing {
    /// `{"<table>": [view of each record, newest first]}`: the record's `GET` view, so a
    /// list row and a detail page show the same fields.
    pub(crate) fn answer<V: serde::Serialize>(
        &self,
        store: &Store,
        view: impl Fn(&Store, &str) -> Result<V, ApiError>,
    ) -> AdminResult {
        let sql = format!(
            "SELECT {key} FROM {table} ORDER BY {time} DESC, {key} DESC LIMIT ?1",
            key = self.key,
            table = self.table,
            time = self.time,
        );
        let keys = store.read(|c| {
            let mut statement = c.prepare(&sql)?;
            let rows = statement.query_map([LIST_LIMIT], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        let views = keys
            .iter()
            .map(|key| view(store, key))
            .collect::<Result<Vec<_>, _>>()?;
        let mut answer = serde_json::Map::new();
        answer.insert(self.table.to_owned(), to_value(views)?);
        ok(Value::Object(answer))
    }
}

/// Largest admin request body: the signed API's limit (a PEM key is under 1 KiB).
pub(crate) const MAX_BODY_BYTES: usize = crate::api::envelope::MAX_BODY_BYTES;

/// An admin request body: read within the HTTP layer's bounds ([`request_body`]), then
/// parsed by the rules of [`strict_json`] (one object, no duplicate keys, no `null`).
pub(crate) struct AdminJson<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for AdminJson<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AdminError> {
        let bytes =
            request_body::read(request.into_body(), MAX_BODY_BYTES, state.body_timeout()).await?;
        Ok(Self(strict_json::parse(&bytes)?))
    }
}

/// Path parameters; a segment that is not UTF-8 once percent-decoded is `FIELD_INVALID`
/// (axum's own rejection is a text/plain 400).
pub(crate) struct AdminPath<T>(pub(crate) T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for AdminPath<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::new(
                Code::FieldInvalid,
                format!("a path parameter is invalid: {}", rejection.body_text()),
            )
            .into()),
        }
    }
}
