//! From [`paysign_core::Error`] to the JavaScript `PaysignError`, and the panic story.
//!
//! The JavaScript layer hands its `PaysignError` class to [`set_error_class`] once at
//! start-up; every failure then leaves Rust as `new PaysignError(message, code)` with the
//! core's stable [`Error::code`], so no JavaScript code has to translate errors on the hot
//! path. The message names what to pass or call as the JavaScript API does ([`js_words`]:
//! `publicKey`, `mchId`, `explain()`), never as the Rust API or the CLI. Before that call (or if construction fails) a plain `Error` named `PaysignError`
//! carrying the same `code` property is thrown instead.
//!
//! No code path in these bindings is meant to panic (no `unwrap`, no indexing). Should one
//! panic anyway, wasm32 aborts with a trap (`RuntimeError: unreachable`); the hook
//! installed by `install_panic_hook` keeps the panic message so the JavaScript layer can
//! report a clear internal error (see `take_panic_message`) instead of a bare trap.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use paysign_core::{ApiTerm, Error, Words};
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Registers the JavaScript class (`new Class(message, code)`) that errors are thrown as.
#[wasm_bindgen(js_name = setErrorClass)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(class);
        }
    });
}

/// A core error as the JavaScript value to throw, in the JavaScript API's words.
pub fn to_js(error: Error) -> JsValue {
    to_js_in(error, js_words)
}

/// [`to_js`] for an entry point whose options name a term otherwise (`testNotification`'s
/// `keyId`, `explain`'s `signTypes`): `words` there, [`js_words`] for the rest.
pub fn to_js_in(error: Error, words: Words) -> JsValue {
    error_value(error.code(), &error.message_in(words))
}

/// What the core's messages tell a JavaScript caller to pass or call: the package's option
/// and method names.
pub fn js_words(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::PublicKey => "`publicKey`",
        ApiTerm::PublicKeysById => "`publicKeys: { [id]: key }`",
        ApiTerm::PrivateKey => "`privateKey`",
        ApiTerm::RsaKey | ApiTerm::Sm2Key => "`privateKey` (to sign) or `publicKey` (to verify)",
        ApiTerm::Secret => "`secret`",
        ApiTerm::DecryptionKey => "`decryptionKey`",
        ApiTerm::EncryptionKey => "`apiV3Key`",
        ApiTerm::SignaturesOnly => "`signaturesOnly: true` (then `verifySignature`)",
        ApiTerm::SignTypes => "`accept`",
        ApiTerm::MessageKind => "`message`",
        ApiTerm::AppId => "`appId`",
        ApiTerm::MerchantId => "`mchId`",
        ApiTerm::MaxAge => "`maxAgeSecs`",
        ApiTerm::Tolerance => "`toleranceSecs`",
        ApiTerm::LeaseSecs => "`leaseSecs`",
        ApiTerm::ExpectedAmount => "`expectedAmount`",
        ApiTerm::Headers => "`headers`",
        ApiTerm::SignerKeyId => "`serialNo`",
        ApiTerm::AsyncMethods => "`verifyAsync`, `handleAsync`, `completeAsync` and `releaseAsync`",
        ApiTerm::Unrecorded => "`verify()` without a claim",
        ApiTerm::Explain => "`explain()`",
        ApiTerm::SignParams => "`signer.signParams(params)`",
        ApiTerm::RequestHeaders => {
            "`signer.requestHeaders({ ...values, body })` (the string to sign: `signer.stringToSign(...)`)"
        }
        ApiTerm::WebhookHeaders => {
            "`signer.webhookHeaders({ id, body })` or `signer.requestHeaders({ ...values, body })`"
        }
        ApiTerm::BillDate => "`billDate`",
        ApiTerm::CutoffTolerance => "`cutoffToleranceSecs`",
        ApiTerm::TradeTypeColumn => "`columns.tradeType`",
        ApiTerm::StatementSha256 => "`expectedSha256`",
        ApiTerm::EventNotifyId => "`notifyId`",
        ApiTerm::EventOutTradeNo => "`outTradeNo`",
        ApiTerm::EventTradeNo => "`tradeNo`",
        ApiTerm::EventNonce => "`nonce`",
        ApiTerm::EventTime => "`time`",
    }
}

/// A JavaScript error with a stable `code` and a message written for the JavaScript API.
pub fn error_value(code: &str, message: &str) -> JsValue {
    let class = ERROR_CLASS.with(|slot| slot.try_borrow().ok().and_then(|c| c.clone()));
    if let Some(class) = class {
        let args = Array::of2(&JsValue::from_str(message), &JsValue::from_str(code));
        if let Ok(value) = Reflect::construct(&class, &args) {
            return value;
        }
    }
    let error = js_sys::Error::new(message);
    error.set_name("PaysignError");
    // Setting a property on a fresh Error object cannot fail; if it did, the message stays.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

/// A JavaScript `TypeError`: the caller passed a value of the wrong JavaScript type or shape
/// (an options object the bindings deserialise themselves, e.g. a number where a string
/// goes, or a misspelt field). Message, key and configuration problems are `PaysignError`s.
pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The error thrown when a signature computed outside wasm (by a crypto provider) does
/// not verify: the core's opaque [`Error::SignatureMismatch`], message included.
#[wasm_bindgen(js_name = signatureMismatch)]
pub fn signature_mismatch() -> JsValue {
    to_js(Error::SignatureMismatch)
}

/// Makes panics leave their message behind (read once by `take_panic_message`).
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        LAST_PANIC.with(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                *slot = Some(message);
            }
        });
    }));
}

/// The message of the panic that trapped the last call, if any (consumed by reading it).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()))
}
