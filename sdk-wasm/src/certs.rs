//! Alipay certificate mode's SNs (the tools module), computed once when a JavaScript
//! `Signer` is configured with `appCert` and `alipayRootCert`.
//!
//! Certificate parsing and the decimal serial are setup work, never on a request's path:
//! in the runtime module they cost about 2 KiB gzipped that every page and worker would
//! download (measured with scripts/build-wasm.sh: 256.4 → 254.3 KiB). The runtime's
//! signer receives the two SNs and adds them to each request.

use paysign_core::platform::alipay_cert::CertMode;
use wasm_bindgen::prelude::*;

use crate::errors::to_js;

/// `[app_cert_sn, alipay_root_cert_sn]` of the application certificate and Alipay's root
/// bundle (PEM, DER or base64): the core's [`CertMode::new`].
#[wasm_bindgen(js_name = alipayCertSns)]
pub fn alipay_cert_sns(app_cert: &[u8], root_bundle: &[u8]) -> Result<Vec<String>, JsValue> {
    let mode = CertMode::new(app_cert, root_bundle).map_err(to_js)?;
    Ok(vec![mode.app_cert_sn, mode.alipay_root_cert_sn])
}
