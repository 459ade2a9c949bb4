//! Reading a JavaScript options object from Rust, field by field.
//!
//! Each accessor checks the JavaScript type of one field and names it when it is wrong
//! (`order.create: field billNo must be a string (got number)`), and [`JsOptions::new`]
//! refuses names the caller did not expect — a misspelt optional field would otherwise
//! be dropped without a word. Type errors are `TypeError`s; what a value *means* is
//! left to the core, which answers with its codes.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::type_error;

/// A JavaScript object whose fields are read by name; `what` prefixes every message.
pub struct JsOptions<'a> {
    object: Object,
    what: &'a str,
}

impl<'a> JsOptions<'a> {
    /// Wraps `value`, which must be an object whose every own key is one of `known`.
    pub fn new(value: &JsValue, what: &'a str, known: &[&str]) -> Result<Self, JsValue> {
        let object = value
            .dyn_ref::<Object>()
            .filter(|_| !Array::is_array(value))
            .ok_or_else(|| type_error(&format!("{what} must be an object")))?
            .clone();
        for name in Object::keys(&object).iter() {
            let name = name.as_string().unwrap_or_default();
            if !known.contains(&name.as_str()) {
                return Err(type_error(&format!(
                    "{what}: unknown field {name:?} (expected one of {})",
                    known.join(", ")
                )));
            }
        }
        Ok(Self { object, what })
    }

    fn get(&self, name: &str) -> Result<Option<JsValue>, JsValue> {
        let value = Reflect::get(&self.object, &JsValue::from_str(name))?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    fn wrong(&self, name: &str, expected: &str, value: &JsValue) -> JsValue {
        type_error(&format!(
            "{}: field {name} must be {expected} (got {})",
            self.what,
            type_name(value)
        ))
    }

    /// An optional string (`undefined` and `null` are absent).
    pub fn string(&self, name: &str) -> Result<Option<String>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a string", &v)),
        }
    }

    /// A required string.
    pub fn required_string(&self, name: &str) -> Result<String, JsValue> {
        self.string(name)?
            .ok_or_else(|| type_error(&format!("{}: field {name} is required", self.what)))
    }

    /// An optional number.
    pub fn number(&self, name: &str) -> Result<Option<f64>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a number", &v)),
        }
    }

    /// An optional boolean.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a boolean", &v)),
        }
    }

    /// An optional array of strings.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        let items = v
            .dyn_ref::<Array>()
            .ok_or_else(|| self.wrong(name, "an array of strings", &v))?;
        items
            .iter()
            .map(|item| {
                item.as_string()
                    .ok_or_else(|| self.wrong(name, "an array of strings", &item))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An optional array of `[string, string]` pairs.
    pub fn pairs(&self, name: &str) -> Result<Option<Vec<(String, String)>>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        let expected = "an array of [string, string] pairs";
        let items = v
            .dyn_ref::<Array>()
            .ok_or_else(|| self.wrong(name, expected, &v))?;
        let mut out = Vec::with_capacity(items.length() as usize);
        for item in items.iter() {
            let pair = item
                .dyn_ref::<Array>()
                .filter(|p| p.length() == 2)
                .ok_or_else(|| self.wrong(name, expected, &item))?;
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(a), Some(b)) => out.push((a, b)),
                _ => return Err(self.wrong(name, expected, &item)),
            }
        }
        Ok(Some(out))
    }

    /// A nested options object, if present.
    pub fn object(
        &self,
        name: &str,
        what: &'a str,
        known: &[&str],
    ) -> Result<Option<JsOptions<'a>>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => JsOptions::new(&v, what, known).map(Some),
        }
    }
}

/// `typeof`, with `null` and arrays told apart.
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_owned()
    } else if Array::is_array(value) {
        "an array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}
