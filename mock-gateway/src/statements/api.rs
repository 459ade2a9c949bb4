//! `statement.download` (docs/protocol.md §7.8, §10).

use crate::error::ApiError;
use crate::fields::{self, Fields, ResponseFields};
use crate::state::AppState;
use crate::statements::{self, StatementType};

/// `statement.download`: the caller's statement of an ended business day, with its
/// SHA-256 (covered by the response signature).
pub(crate) fn download(
    state: &AppState,
    app_id: &str,
    f: Fields<'_>,
    now: i64,
) -> Result<ResponseFields, ApiError> {
    let bill_date = f.required("bill_date")?;
    let day = fields::date("bill_date", bill_date)?;
    let kind_name = f.required("type")?;
    let kind = StatementType::parse(kind_name).ok_or_else(|| {
        ApiError::field_invalid("type", format!("expected {}", StatementType::expected()))
    })?;
    let s = statements::download(state.store(), app_id, day, kind, now)?;
    Ok(vec![
        ("bill_date", bill_date.to_owned()),
        ("type", kind.as_str().to_owned()),
        ("content", s.content),
        ("row_count", s.row_count.to_string()),
        ("sha256", s.sha256),
    ])
}
