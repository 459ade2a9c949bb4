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
//! ## Three modules
//!
//! The crate builds into three WebAssembly modules (cargo features, all on by default so
//! the workspace checks every line):
//! - `runtime` — what every user loads first: parameters, canonical strings, verification,
//!   notifications (every profile, acknowledgements, gateway responses), amounts;
//! - `signing` — loaded when the first `Signer` is built: signing (private keys, the RSA
//!   private operation, header signers) and gateway requests. A merchant's notification
//!   endpoint never signs; issue 22 measured the split at 267.2 → 226 KiB gzipped for the
//!   runtime, and the runtime's compilation is most of a cold start;
//! - `tools` — loaded on first use: reconciliation, diagnosis of failed signatures and
//!   pure-wasm key-pair generation. None of them is on a request's path, and together they are
//!   about a third of a single module's download (statement CSV and report code, the
//!   diagnosis re-tries, prime generation), which browsers and edge runtimes would
//!   otherwise fetch and compile for every cold start.
//!
//! With `sm` (国密), `runtime` and `signing` together make the package's SM module.
//!
//! Each module is one concept:
//! - [`flat`] (runtime, signing): the crossing of parameters from JavaScript (UTF-8 text plus UTF-16
//!   lengths, written by JavaScript into buffers this module owns);
//! - [`signer`] (signing) / [`verifier`] (runtime): thin shells around
//!   [`paysign_core::Signer`] and [`paysign_core::Verifier`];
//! - [`notification`] (runtime): a thin shell around [`paysign_core::NotificationVerifier`]
//!   (every profile, headers, key sets, decryption, acknowledgements, gateway responses),
//!   with the RSA step optionally in the host's crypto;
//! - [`request`] (signing): gateway request builders;
//! - [`amounts`] (runtime): exact yuan/fen amounts;
//! - [`reconcile`] (tools): statement reconciliation over in-memory inputs;
//! - [`explain`] (tools): diagnosing a failed signature;
//! - [`keys`] (tools): key-pair generation;
//! - [`certs`] (tools): Alipay certificate mode's SNs, computed once per signer;
//! - [`testing`] (tools): signed test notifications, as each platform sends them;
//! - [`numbers`]: JavaScript numbers (safe integers) at the boundary;
//! - [`options`]: reading JavaScript options objects field by field, with precise `TypeError`s;
//! - `json`: results as one JSON text;
//! - [`errors`]: turning [`paysign_core::Error`] into the JavaScript `PaysignError`, and
//!   keeping a panic's message (there should be none) for the JavaScript layer.

#[cfg(feature = "runtime")]
pub mod amounts;
#[cfg(feature = "tools")]
pub mod certs;
pub mod errors;
#[cfg(feature = "tools")]
pub mod explain;
#[cfg(any(feature = "runtime", feature = "signing"))]
pub mod flat;
#[cfg(any(feature = "runtime", feature = "tools"))]
mod json;
#[cfg(feature = "tools")]
pub mod keys;
#[cfg(feature = "runtime")]
pub mod notification;
pub mod numbers;
pub mod options;
#[cfg(feature = "tools")]
pub mod reconcile;
#[cfg(feature = "signing")]
pub mod request;
#[cfg(feature = "signing")]
pub mod signer;
#[cfg(feature = "tools")]
pub mod testing;
#[cfg(feature = "runtime")]
pub mod verifier;

#[cfg(feature = "runtime")]
use paysign_core::{MessageKind, Profile};
use wasm_bindgen::prelude::*;

pub use errors::set_error_class;
#[cfg(feature = "runtime")]
pub use notification::{WasmNotificationConfig, WasmNotificationVerifier};
#[cfg(feature = "signing")]
pub use signer::WasmSigner;
#[cfg(feature = "runtime")]
pub use verifier::WasmVerifier;

/// Runs once when the module is instantiated: records panic messages (see [`errors`]).
#[wasm_bindgen(start)]
pub fn start() {
    errors::install_panic_hook();
}

/// The canonical string of flattened parameters (see [`flat`]) under a profile and message kind.
#[cfg(feature = "runtime")]
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
    let rules = profile.param_rules(kind).map_err(errors::to_js)?;
    Ok(paysign_core::canonical_string(&params, &rules))
}

/// Every error code, profile and sign type the core knows, so the package's tests can
/// check that the hand-written typings (`index.d.ts`) list exactly these. In the tools
/// module: nothing at run time needs it.
#[cfg(feature = "tools")]
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
        profiles: paysign_core::Profile::ALL
            .iter()
            .map(|p| p.name())
            .collect(),
        sign_types: paysign_core::SignType::ALL
            .iter()
            .map(|s| s.name())
            .collect(),
    };
    serde_wasm_bindgen::to_value(&names)
        .map_err(|e| errors::error_value("FIELD_INVALID", &e.to_string()))
}
