//! Results cross to JavaScript as one JSON text each (`JSON.parse` on the other side):
//! one boundary crossing, however many fields the result has.

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::errors::error_value;

/// Serialises a result for `JSON.parse` on the JavaScript side.
pub(crate) fn to_json(value: &impl Serialize) -> Result<String, JsValue> {
    serde_json::to_string(value)
        .map_err(|e| error_value("FIELD_INVALID", &format!("cannot return the result: {e}")))
}
