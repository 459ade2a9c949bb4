//! An ordered set of message parameters: the input of every canonical string.
//!
//! Parameters keep the order they arrived in (so a message can be re-rendered as it
//! came), names are unique (a repeated name is [`Error::ParamDuplicate`], never "last one
//! wins"), and values are raw, already-decoded strings.

use crate::error::{Error, Result};

mod borrowed;

pub use borrowed::ParamsRef;

/// Read access to message parameters, owned ([`Params`]) or borrowed ([`ParamsRef`]):
/// what canonical strings, signing and verification read. Both kinds hold the same
/// guarantees (unique, well-formed names), so either can be signed or verified.
pub trait ParamSource {
    /// The value of a parameter.
    fn get(&self, key: &str) -> Option<&str>;

    /// Parameters ordered by the bytes of their names: the order of canonical strings.
    fn iter_by_name(&self) -> impl Iterator<Item = (&str, &str)>;
}

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
    /// The parameters, in arrival order.
    entries: Vec<(String, String)>,
    /// Positions in `entries` ordered by the names' bytes — the canonical string's order.
    /// Built by the sort that finds duplicate names anyway, so canonical strings need no
    /// sort of their own and lookups are binary searches. Derived from `entries` alone
    /// (names are unique), so the derived equality still compares just the parameters.
    by_name: Vec<usize>,
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
        let mut names: Vec<(&str, usize)> = entries
            .iter()
            .enumerate()
            .map(|(at, (k, _))| (k.as_str(), at))
            .collect();
        index_by_name(&mut names)?;
        let by_name = names.iter().map(|&(_, at)| at).collect();
        Ok(Self { entries, by_name })
    }

    /// Adds a parameter; fails if the name is already present or ill-formed.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let key = key.into();
        check_name(&key)?;
        match self.find(&key) {
            Ok(_) => Err(Error::ParamDuplicate { key }),
            Err(slot) => {
                self.push_at(slot, key, value.into());
                Ok(())
            }
        }
    }

    /// Sets a parameter, replacing any previous value (used to attach `sign`).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let key = key.into();
        check_name(&key)?;
        let value = value.into();
        match self.find(&key) {
            Ok(slot) => self.entries[self.by_name[slot]].1 = value,
            Err(slot) => self.push_at(slot, key, value),
        }
        Ok(())
    }

    /// Removes a parameter, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let slot = self.find(key).ok()?;
        let at = self.by_name.remove(slot);
        // Every parameter that arrived after the removed one moves down one place.
        for position in &mut self.by_name {
            if *position > at {
                *position -= 1;
            }
        }
        Some(self.entries.remove(at).1)
    }

    /// The value of a parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        let slot = self.find(key).ok()?;
        Some(self.entries[self.by_name[slot]].1.as_str())
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

    /// Parameters ordered by the bytes of their names: the order of canonical strings.
    ///
    /// ```
    /// use paysign_core::Params;
    /// let p = Params::from_pairs([("b", "2"), ("B", "3"), ("a", "1")])?;
    /// let names: Vec<_> = p.iter_by_name().map(|(k, _)| k).collect();
    /// assert_eq!(names, ["B", "a", "b"]);
    /// # Ok::<(), paysign_core::Error>(())
    /// ```
    pub fn iter_by_name(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.by_name.iter().map(|&at| {
            let (k, v) = &self.entries[at];
            (k.as_str(), v.as_str())
        })
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `key` is in `by_name` (`Ok`), or where it would go (`Err`).
    fn find(&self, key: &str) -> std::result::Result<usize, usize> {
        self.by_name
            .binary_search_by(|&at| self.entries[at].0.as_bytes().cmp(key.as_bytes()))
    }

    /// Appends a parameter whose name belongs at `slot` of `by_name`.
    fn push_at(&mut self, slot: usize, key: String, value: String) {
        self.by_name.insert(slot, self.entries.len());
        self.entries.push((key, value));
    }
}

impl ParamSource for Params {
    fn get(&self, key: &str) -> Option<&str> {
        Params::get(self, key)
    }

    fn iter_by_name(&self) -> impl Iterator<Item = (&str, &str)> {
        Params::iter_by_name(self)
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Orders `(name, position)` pairs by the bytes of the names, after checking every name:
/// the index both parameter kinds keep. One sort finds repeated names and orders the
/// canonical string, so neither needs a sort of its own. The names sit in the slice
/// itself: comparing them needs no lookup (in the npm package's wasm, looking them up
/// through the entries made this sort a twentieth of an RSA verification).
fn index_by_name(names: &mut [(&str, usize)]) -> Result<()> {
    for (name, _) in names.iter() {
        check_name(name)?;
    }
    names.sort_unstable_by(|a, b| by_bytes(a.0, b.0));
    if let Some(w) = names.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::ParamDuplicate {
            key: w[0].0.to_owned(),
        });
    }
    Ok(())
}

/// The byte order of two names, decided by their first bytes where those differ (most
/// names of a message do: `app_id`, `method`, `nonce`, …) and by the whole names
/// otherwise. In the npm package's wasm, comparing slices is a call to a byte-at-a-time
/// `memcmp`, and this sort, by slices alone, was an eighth of an MD5 signature's time.
fn by_bytes(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match (a.first(), b.first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
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

    /// The sort's comparison is the byte order, whatever the names: shared prefixes of any
    /// length, NUL bytes, bytes above 0x7F, empty names and names that are prefixes of
    /// each other.
    #[test]
    fn names_sort_by_their_bytes() {
        use proptest::prelude::*;
        let name = "(notify_[a-z]{0,3}|[a\\x00\\x7f\u{80}\u{ff}水]{0,10})";
        proptest!(|(a in name, b in name)| {
            prop_assert_eq!(by_bytes(&a, &b), a.as_bytes().cmp(b.as_bytes()));
        });
        for (a, b) in [
            ("", "a"),
            ("a", "a\0"),
            ("notify_i", "notify_id"),
            ("notify_time", "notify_type"),
        ] {
            assert_eq!(by_bytes(a, b), std::cmp::Ordering::Less, "{a:?} < {b:?}");
            assert_eq!(by_bytes(b, a), std::cmp::Ordering::Greater);
        }
    }

    /// The name index against a model: after any sequence of inserts, sets and removes,
    /// lookups and `iter_by_name` agree with a sorted map, and `iter` keeps arrival order.
    #[test]
    fn the_name_index_follows_every_change() {
        use proptest::prelude::*;
        use std::collections::BTreeMap;
        #[derive(Debug, Clone)]
        enum Op {
            Insert(String, String),
            Set(String, String),
            Remove(String),
        }
        let name = "[a-cA-C_]{1,2}";
        let op = prop_oneof![
            (name, "[0-9]{0,2}").prop_map(|(k, v)| Op::Insert(k, v)),
            (name, "[0-9]{0,2}").prop_map(|(k, v)| Op::Set(k, v)),
            name.prop_map(Op::Remove),
        ];
        proptest!(|(ops in prop::collection::vec(op, 0..40))| {
            let mut params = Params::new();
            let mut model: BTreeMap<String, String> = BTreeMap::new();
            let mut arrival: Vec<String> = Vec::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        let fresh = !model.contains_key(&k);
                        prop_assert_eq!(params.insert(k.clone(), v.clone()).is_ok(), fresh);
                        if fresh {
                            model.insert(k.clone(), v);
                            arrival.push(k);
                        }
                    }
                    Op::Set(k, v) => {
                        params.set(k.clone(), v.clone()).unwrap();
                        if model.insert(k.clone(), v).is_none() {
                            arrival.push(k);
                        }
                    }
                    Op::Remove(k) => {
                        prop_assert_eq!(params.remove(&k), model.remove(&k));
                        arrival.retain(|a| *a != k);
                    }
                }
                let by_name: Vec<(&str, &str)> = params.iter_by_name().collect();
                let expected: Vec<(&str, &str)> =
                    model.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                prop_assert_eq!(by_name, expected);
                let order: Vec<&str> = params.iter().map(|(k, _)| k).collect();
                prop_assert_eq!(order, arrival.iter().map(String::as_str).collect::<Vec<_>>());
                for (k, v) in &model {
                    prop_assert_eq!(params.get(k), Some(v.as_str()));
                }
                prop_assert_eq!(params.get("zz"), None);
            }
        });
    }
}
