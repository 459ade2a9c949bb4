//! Hostile keys: weak sizes, broken parameters, truncation.

use super::*;

#[test]
fn weak_keys_are_refused() {
    assert_eq!(
        PrivateKey::parse(&read("keys/weak_512_private.pem"))
            .unwrap_err()
            .code(),
        "KEY_TOO_SMALL"
    );
    assert_eq!(
        PrivateKey::parse(&read("keys/weak_1024_private.pem"))
            .unwrap_err()
            .code(),
        "KEY_TOO_SMALL"
    );
    assert_eq!(
        PublicKey::parse(&read("keys/weak_1024_public.pem"))
            .unwrap_err()
            .code(),
        "KEY_TOO_SMALL"
    );
}

/// DER length octets.
fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        vec![len as u8]
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        let mut out = vec![0x80 | bytes.len() as u8];
        out.extend(bytes);
        out
    }
}

fn der_integer(value: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = value.iter().copied().skip_while(|b| *b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02];
    out.extend(der_len(v.len()));
    out.extend(v);
    out
}

/// A PKCS#1 RSAPublicKey with the given modulus and exponent.
fn pkcs1_public(n: &[u8], e: &[u8]) -> Vec<u8> {
    let body = [der_integer(n), der_integer(e)].concat();
    let mut out = vec![0x30];
    out.extend(der_len(body.len()));
    out.extend(body);
    out
}

fn real_modulus() -> Vec<u8> {
    // The modulus of the gateway key, from its PKCS#1 form (openssl rsa -RSAPublicKey_out).
    let spki = PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap();
    let der = spki.to_spki_der();
    // SPKI = SEQ { SEQ {oid, null}, BIT STRING { 0x00, RSAPublicKey } }: the RSAPublicKey is the tail.
    let start = der.windows(2).rposition(|w| w == [0x03, 0x82]).unwrap() + 5;
    let pkcs1 = &der[start..];
    // RSAPublicKey = SEQ(0x30 0x82 LL LL) { INTEGER(0x02 0x82 LL LL) n, ... }
    let n_len = usize::from(pkcs1[6]) << 8 | usize::from(pkcs1[7]);
    pkcs1[8..8 + n_len].to_vec()
}

#[test]
fn sanity_the_handmade_der_is_a_valid_key() {
    let good = pkcs1_public(&real_modulus(), &[0x01, 0x00, 0x01]);
    let key = PublicKey::parse(&good).unwrap();
    assert_eq!(
        &key,
        &PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap()
    );
}

#[test]
fn exponent_one_or_even_modulus_is_refused() {
    let n = real_modulus();
    assert_eq!(
        PublicKey::parse(&pkcs1_public(&n, &[1]))
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
    assert_eq!(
        PublicKey::parse(&pkcs1_public(&n, &[2]))
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xFE;
    assert_eq!(
        PublicKey::parse(&pkcs1_public(&even, &[0x01, 0x00, 0x01]))
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
}

#[test]
fn truncated_and_malformed_keys() {
    let pem = String::from_utf8(read("keys/merchant_private_pkcs8.pem")).unwrap();
    let without_end = pem.replace("-----END PRIVATE KEY-----", "");
    assert_eq!(
        PrivateKey::parse(without_end.as_bytes())
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
    let mut lines: Vec<&str> = pem.lines().collect();
    lines.remove(5);
    assert_eq!(
        PrivateKey::parse(lines.join("\n").as_bytes())
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
    let mislabelled = pem.replace("PRIVATE KEY", "RSA PRIVATE KEY");
    assert_eq!(
        PrivateKey::parse(mislabelled.as_bytes())
            .unwrap_err()
            .code(),
        "KEY_INVALID"
    );
}
