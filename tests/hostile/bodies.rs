//! Hostile bodies: size, nesting, XML entities, BOMs and line endings.

use super::*;

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    let body = vec![b'a'; (1 << 20) + 1];
    assert_eq!(code_of(&body), "BODY_TOO_LARGE");
}

#[test]
fn deeply_nested_json() {
    let body = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(code_of(body.as_bytes()), "NESTING_TOO_DEEP");
}

#[test]
fn xml_external_entities_and_billion_laughs() {
    let xxe = br#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>"#;
    assert_eq!(code_of(xxe), "BODY_MALFORMED");
    let mut lol = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        lol.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    lol.push_str("]><xml><a>&lol9;</a></xml>");
    let started = std::time::Instant::now();
    assert_eq!(code_of(lol.as_bytes()), "BODY_MALFORMED");
    // Refused at the DTD, not after expanding 10^9 entities (a generous bound, not a benchmark).
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let undeclared = b"<xml><a>&unknown;</a></xml>";
    assert_eq!(code_of(undeclared), "BODY_MALFORMED");
}

#[test]
fn bom_is_stripped_and_crlf_is_data() {
    let body = signed_form(&[]);
    assert_eq!(code_of(format!("\u{feff}{body}").as_bytes()), "OK");
    assert_eq!(
        code_of(format!("{body}\r\n").as_bytes()),
        "SIGNATURE_MALFORMED"
    );
}
