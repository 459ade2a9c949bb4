//! Parameters borrowed from text the caller owns: [`ParamsRef`].
//!
//! The npm package receives every parameter of a message in one buffer; copying each name
//! and value into its own `String` only to read it once was about a quarter of the time an
//! RSA2 verification with `node:crypto` spent around the RSA operation (1.7 of 6 µs). A
//! `ParamsRef` points into that buffer and keeps the same guarantees as [`Params`].

use super::{ParamSource, Params, index_by_name};
use crate::error::Result;

/// Message parameters borrowed from the caller's text: unique, well-formed names (the
/// rules of [`Params`]), in arrival order, with the same by-name index.
///
/// ```
/// use paysign_core::params::{ParamSource, ParamsRef};
/// let text = String::from("b2a1");
/// let p = ParamsRef::from_pairs(vec![(&text[0..1], &text[1..2]), (&text[2..3], &text[3..4])])?;
/// assert_eq!(p.get("a"), Some("1"));
/// assert_eq!(p.iter_by_name().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
/// assert!(ParamsRef::from_pairs(vec![("a", "1"), ("a", "2")]).is_err());
/// # Ok::<(), paysign_core::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ParamsRef<'a> {
    /// The parameters, in arrival order.
    entries: Vec<(&'a str, &'a str)>,
    /// Every name with its position in `entries`, ordered by the names' bytes.
    by_name: Vec<(&'a str, usize)>,
}

impl<'a> ParamsRef<'a> {
    /// Checks the pairs as [`Params::from_pairs`] does (repeated or ill-formed names are
    /// refused) and keeps them without copying their text.
    pub fn from_pairs(entries: Vec<(&'a str, &'a str)>) -> Result<Self> {
        let mut by_name: Vec<(&str, usize)> = entries
            .iter()
            .enumerate()
            .map(|(at, &(k, _))| (k, at))
            .collect();
        index_by_name(&mut by_name)?;
        Ok(Self { entries, by_name })
    }

    /// The value of a parameter.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        let slot = self
            .by_name
            .binary_search_by(|(name, _)| name.as_bytes().cmp(key.as_bytes()))
            .ok()?;
        Some(self.entries[self.by_name[slot].1].1)
    }

    /// Parameters in arrival order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + '_ {
        self.entries.iter().copied()
    }

    /// Parameters ordered by the bytes of their names: the order of canonical strings.
    pub fn iter_by_name(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + '_ {
        self.by_name.iter().map(|&(_, at)| self.entries[at])
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// An owned copy, to change or keep.
    pub fn to_params(&self) -> Params {
        Params {
            entries: self
                .entries
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            by_name: self.by_name.iter().map(|&(_, at)| at).collect(),
        }
    }
}

impl ParamSource for ParamsRef<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        ParamsRef::get(self, key)
    }

    fn iter_by_name(&self) -> impl Iterator<Item = (&str, &str)> {
        ParamsRef::iter_by_name(self)
    }
}

impl std::fmt::Debug for ParamsRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kinds refuse and accept the same inputs, with the same errors, and agree on
    /// every lookup and on the canonical order.
    #[test]
    fn borrowed_and_owned_parameters_agree() {
        use proptest::prelude::*;
        let pair = ("[a-cA-C_=&]{0,2}", "[0-9a]{0,2}");
        proptest!(|(pairs in prop::collection::vec(pair, 0..12))| {
            let borrowed: Vec<(&str, &str)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let owned = Params::from_pairs(borrowed.clone());
            let by_ref = ParamsRef::from_pairs(borrowed);
            match (owned, by_ref) {
                (Ok(owned), Ok(by_ref)) => {
                    prop_assert_eq!(by_ref.iter().collect::<Vec<_>>(), owned.iter().collect::<Vec<_>>());
                    prop_assert_eq!(
                        by_ref.iter_by_name().collect::<Vec<_>>(),
                        owned.iter_by_name().collect::<Vec<_>>()
                    );
                    for (k, _) in &pairs {
                        prop_assert_eq!(by_ref.get(k), owned.get(k));
                    }
                    prop_assert_eq!(by_ref.get("zz"), None);
                    prop_assert_eq!(by_ref.to_params(), owned);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "owned {:?} but borrowed {:?}", a, b),
            }
        });
    }
}
