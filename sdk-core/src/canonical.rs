//! The canonical string: the exact bytes a signature covers.
//!
//! Keys sorted by byte order, `k=v` joined with `&`, raw (not URL-encoded) values, with
//! the profile's exclusions and empty-value rule (docs/profiles.md, "Canonical string").
//! A value may itself contain `&` or `=`; the format cannot tell such a value from two
//! parameters, which is why names containing them are refused by [`Params`](crate::Params) and why the
//! signature covers exactly this string (docs/security.md, "Parameter smuggling").

use crate::params::ParamSource;
use crate::profile::CanonicalRules;

/// Builds the canonical string of `params` under `rules`.
///
/// ```
/// use paysign_core::{canonical_string, MessageKind, Params, Profile};
/// let p = Params::from_pairs([("b", "2"), ("a", "1"), ("empty", ""), ("sign", "xx")])?;
/// let rules = Profile::Paysign.rules(MessageKind::Request);
/// assert_eq!(canonical_string(&p, &rules), "a=1&b=2");
/// # Ok::<(), paysign_core::Error>(())
/// ```
pub fn canonical_string(params: &impl ParamSource, rules: &CanonicalRules) -> String {
    let mut out = String::new();
    write_canonical(params, rules, &mut out);
    out
}

/// [`canonical_string`] into `out`, replacing what it held: a caller that checks many
/// messages reuses one buffer instead of allocating a string per message.
pub fn write_canonical(params: &impl ParamSource, rules: &CanonicalRules, out: &mut String) {
    // Parameters come in their names' byte order: no sort here.
    let included = || {
        params
            .iter_by_name()
            .filter(|(k, v)| (!rules.skip_empty || !v.is_empty()) && !rules.excluded.contains(k))
    };
    out.clear();
    out.reserve(included().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (k, v)) in included().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::profile::{MessageKind, Profile};

    #[test]
    fn sorts_by_bytes_not_by_locale() {
        // Uppercase sorts before lowercase, `_` (0x5F) between them.
        let p = Params::from_pairs([("b", "1"), ("B", "2"), ("a_b", "3"), ("aB", "4")]).unwrap();
        let rules = Profile::WechatV2.rules(MessageKind::Notification);
        assert_eq!(canonical_string(&p, &rules), "B=2&aB=4&a_b=3&b=1");
    }

    #[test]
    fn values_are_raw_not_encoded() {
        let p = Params::from_pairs([("passback", "a b%2B+&c=d"), ("subject", "水费")]).unwrap();
        let rules = Profile::Alipay.rules(MessageKind::Request);
        assert_eq!(
            canonical_string(&p, &rules),
            "passback=a b%2B+&c=d&subject=水费"
        );
    }

    #[test]
    fn alipay_notification_drops_sign_type_request_keeps_it() {
        let p = Params::from_pairs([("a", "1"), ("sign_type", "RSA2"), ("sign", "x")]).unwrap();
        let req = canonical_string(&p, &Profile::Alipay.rules(MessageKind::Request));
        let note = canonical_string(&p, &Profile::Alipay.rules(MessageKind::Notification));
        assert_eq!(req, "a=1&sign_type=RSA2");
        assert_eq!(note, "a=1");
    }

    #[test]
    fn a_reused_buffer_holds_only_the_latest_string() {
        let rules = Profile::Paysign.rules(MessageKind::Request);
        let mut out = String::from("left over");
        let long = Params::from_pairs([("a", "1"), ("b", "2")]).unwrap();
        write_canonical(&long, &rules, &mut out);
        assert_eq!(out, "a=1&b=2");
        let borrowed = crate::params::ParamsRef::from_pairs(vec![("c", "3")]).unwrap();
        write_canonical(&borrowed, &rules, &mut out);
        assert_eq!(out, "c=3");
    }
}
