//! From [`paysign_core::Error`] to the JavaScript `PaysignError`, and the panic story.
//!
//! The JavaScript layer hands its `PaysignError` class to [`set_error_class`] once at
//! start-up; every failure then leaves Rust as `new PaysignError(message, code)` with the
//! core's stable [`Error::code`], so no JavaScript code has to translate errors on the hot
//! path. Before that call (or if construction fails) a plain `Error` named `PaysignError`
//! carrying the same `code` property is thrown instead.
//!
//! No code path in these bindings is meant to panic (no `unwrap`, no indexing). Should one
//! panic anyway, wasm32 aborts with a trap (`RuntimeError: unreachable`); the hook
//! installed by `install_panic_hook` keeps the panic message so the JavaScript layer can
//! report a clear internal error (see `take_panic_message`) instead of a bare trap.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use paysign_core::Error;
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

/// A core error as the JavaScript value to throw.
pub fn to_js(error: Error) -> JsValue {
    error_value(error.code(), &error.to_string())
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
