//! # paysign-wasm
//!
//! WebAssembly bindings of [`paysign_core`], the engine of the `paysign` npm package.
//!
//! These exports are the package's *internal* interface: applications use the hand-written
//! JavaScript layer in `sdk-wasm/js/` (documented in `sdk-wasm/README.md`), which checks
//! argument types, flattens parameters for a cheap crossing, throws `PaysignError`, and
//! chooses where the RSA step runs (the crypto provider). Everything else — parsing keys
//! and parameters, canonical strings, digests, sign-type policy, signature checks — runs
//! here, in the same core the CLI and the Rust SDK use.
//!
//! Each module is one concept:
//! - [`flat`]: the crossing of parameters from JavaScript (UTF-8 text plus UTF-16 lengths,
//!   written by JavaScript into buffers this module owns);
//! - [`signer`] / [`verifier`]: thin shells around [`paysign_core::Signer`] and
//!   [`paysign_core::Verifier`];
//! - [`notification`]: a thin shell around [`paysign_core::NotificationVerifier`] (every
//!   profile, headers, key sets, decryption, acknowledgements, gateway responses), with
//!   the RSA step optionally in the host's crypto;
//! - [`request`]: gateway request builders and exact yuan/fen amounts;
//! - [`reconcile`]: statement reconciliation over in-memory inputs;
//! - [`explain`]: diagnosing a failed signature;
//! - [`keys`]: key-pair generation and re-encoding;
//! - [`numbers`]: JavaScript numbers (safe integers) at the boundary;
//! - [`options`]: reading JavaScript options objects field by field, with precise `TypeError`s;
//! - [`errors`]: turning [`paysign_core::Error`] into the JavaScript `PaysignError`, and
//!   keeping a panic's message (there should be none) for the JavaScript layer.

pub mod errors;
pub mod explain;
pub mod flat;
pub mod keys;
pub mod notification;
pub mod numbers;
pub mod options;
pub mod reconcile;
pub mod request;
pub mod signer;
pub mod verifier;

use paysign_core::{MessageKind, Profile};
use wasm_bindgen::prelude::*;

pub use errors::set_error_class;
pub use notification::{WasmNotificationConfig, WasmNotificationVerifier};
pub use signer::WasmSigner;
pub use verifier::WasmVerifier;

/// Runs once when the module is instantiated: records panic messages (see [`errors`]).
#[wasm_bindgen(start)]
pub fn start() {
    errors::install_panic_hook();
}

/// The canonical string of flattened parameters (see [`flat`]) under a profile and message kind.
#[wasm_bindgen]
pub fn canonicalize(
    profile: &str,
    message: &str,
    lens_count: usize,
    bytes_count: usize,
) -> Result<String, JsValue> {
    let profile: Profile = profile.parse().map_err(errors::to_js)?;
    let kind: MessageKind = message.parse().map_err(errors::to_js)?;
    let params = flat::take_params(lens_count, bytes_count).map_err(errors::to_js)?;
    Ok(paysign_core::canonical_string(
        &params,
        &profile.rules(kind),
    ))
}

/// Every error code, profile and sign type the core knows, so the package's tests can
/// check that the hand-written typings (`index.d.ts`) list exactly these.
#[wasm_bindgen(js_name = coreNames)]
pub fn core_names() -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Names {
        error_codes: &'static [&'static str],
        profiles: Vec<&'static str>,
        sign_types: Vec<&'static str>,
    }
    let names = Names {
        error_codes: paysign_core::Error::CODES,
        profiles: Profile::ALL.iter().map(|p| p.name()).collect(),
        sign_types: paysign_core::SignType::ALL
            .iter()
            .map(|s| s.name())
            .collect(),
    };
    serde_wasm_bindgen::to_value(&names)
        .map_err(|e| errors::error_value("FIELD_INVALID", &e.to_string()))
}
