//! An ordered set of message parameters: the input of every canonical string.
//!
//! Parameters keep the order they arrived in (so a message can be re-rendered as it
//! came), names are unique (a repeated name is [`Error::ParamDuplicate`], never "last one
//! wins"), and values are raw, already-decoded strings.

use crate::error::{Error, Result};

/// Message parameters: unique string names mapped to string values, in arrival order.
///
/// ```
/// use paysign_core::Params;
/// let mut p = Params::new();
/// p.insert("out_trade_no", "T100")?;
/// p.insert("total_amount", "1234")?;
/// assert_eq!(p.get("total_amount"), Some("1234"));
/// assert!(p.insert("total_amount", "1").is_err());
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    entries: Vec<(String, String)>,
}

impl Params {
    /// An empty parameter set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a parameter set from pairs, rejecting repeated or ill-formed names.
    ///
    /// Runs in O(n log n): hostile bodies with many fields cannot make it quadratic.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let entries: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        for (k, _) in &entries {
            check_name(k)?;
        }
        let mut names: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::ParamDuplicate {
                key: w[0].to_owned(),
            });
        }
        Ok(Self { entries })
    }

    /// Adds a parameter; fails if the name is already present or ill-formed.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let key = key.into();
        check_name(&key)?;
        if self.get(&key).is_some() {
            return Err(Error::ParamDuplicate { key });
        }
        self.entries.push((key, value.into()));
        Ok(())
    }

    /// Sets a parameter, replacing any previous value (used to attach `sign`).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let key = key.into();
        check_name(&key)?;
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
        Ok(())
    }

    /// Removes a parameter, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The value of a parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter if it is present and not empty (platforms treat the two alike).
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// The value of a required parameter; absent or empty is [`Error::FieldMissing`].
    pub fn required(&self, key: &str) -> Result<&str> {
        self.non_empty(key).ok_or_else(|| Error::FieldMissing {
            field: key.to_owned(),
        })
    }

    /// Adds every parameter of `other`, refusing a name that is already present.
    pub fn extend_from(&mut self, other: &Params) -> Result<()> {
        for (k, v) in other.iter() {
            self.insert(k, v)?;
        }
        Ok(())
    }

    /// Whether a parameter is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Parameters in arrival order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Names containing `&` or `=` would let one parameter pose as two in the `k=v&k=v`
/// string (parameter smuggling), so they are refused outright.
fn check_name(key: &str) -> Result<()> {
    // Bytes, not chars: `&` and `=` are ASCII, which never occurs inside a multi-byte
    // UTF-8 sequence, and a byte scan skips decoding characters (in the npm package's
    // size-optimised wasm, decoding them was 7% of an MD5 signature's time).
    if key.is_empty() || key.bytes().any(|b| b == b'&' || b == b'=') {
        return Err(Error::ParamNameInvalid {
            key: key.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_pairs_rejects_duplicates_wherever_they_are() {
        let err = Params::from_pairs([("a", "1"), ("b", "2"), ("a", "3")]).unwrap_err();
        assert_eq!(err.code(), "PARAM_DUPLICATE");
        assert_eq!(err, Error::ParamDuplicate { key: "a".into() });
    }

    #[test]
    fn names_that_would_smuggle_parameters_are_refused() {
        for bad in ["", "a=b", "a&b"] {
            assert_eq!(
                Params::from_pairs([(bad, "x")]).unwrap_err().code(),
                "PARAM_NAME_INVALID"
            );
        }
    }

    #[test]
    fn set_replaces_and_insert_refuses() {
        let mut p = Params::from_pairs([("sign", "old")]).unwrap();
        assert!(p.insert("sign", "new").is_err());
        p.set("sign", "new").unwrap();
        assert_eq!(p.get("sign"), Some("new"));
        assert_eq!(p.remove("sign").as_deref(), Some("new"));
        assert!(p.is_empty());
    }

    #[test]
    fn order_of_arrival_is_kept() {
        let p = Params::from_pairs([("z", "1"), ("a", "2")]).unwrap();
        let names: Vec<_> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["z", "a"]);
    }
}
