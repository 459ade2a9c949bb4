//! Exact yuan/fen amounts (docs/protocol.md §2) for JavaScript: `parseYuan` and
//! `formatYuan`, in the runtime module (a merchant reads amounts on the notification path;
//! the gateway requests that also take amounts are in [`crate::request`], signing module).

use paysign_core::Amount;
use wasm_bindgen::prelude::*;

use crate::errors::to_js;
use crate::numbers;

/// Yuan text (`12.34`, at most two decimals) to fen, exactly.
#[wasm_bindgen(js_name = parseYuan)]
pub fn parse_yuan(text: &str) -> Result<f64, JsValue> {
    let amount = Amount::parse_yuan(text).map_err(to_js)?;
    Ok(numbers::check_fen(amount).map_err(to_js)? as f64)
}

/// Fen to yuan text with two decimals (`1234` → `12.34`).
#[wasm_bindgen(js_name = formatYuan)]
pub fn format_yuan(fen: f64) -> Result<String, JsValue> {
    Ok(numbers::fen(fen).map_err(to_js)?.to_yuan_string())
}
