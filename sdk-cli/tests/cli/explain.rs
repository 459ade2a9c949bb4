//! `paysign explain` on deliberately broken messages: every finding code at least once.

use std::collections::BTreeSet;

use md5::{Digest, Md5};
use paysign_core::{
    CanonicalRules, MessageKind, Params, Profile, SharedSecret, SignType, Signer,
    SigningCredential, canonical_string,
};

use crate::common::{form, key, run, vectors};

const NOW: &str = "1795190410";

/// Runs `paysign explain --json args...` and returns (exit status, report).
fn explain(args: &[&str], body: &[u8]) -> (i32, serde_json::Value) {
    let mut all = vec!["explain", "--json"];
    all.extend_from_slice(args);
    let run = run(&all, body);
    assert!(
        run.code == 0 || run.code == 1,
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let report = run.json();
    assert_eq!(report["verified"], run.code == 0, "{report}");
    (run.code, report)
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()));
            f["code"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn vector_body(case: &str) -> Vec<u8> {
    std::fs::read(vectors().join(case).join("body.bin")).unwrap()
}

/// A request signed by the merchant key, as a form body.
fn merchant_request(pairs: &[(&str, &str)]) -> String {
    run(
        &[
            "sign",
            "--sign-type",
            "RSA2",
            "--key",
            &key("merchant_private_pkcs8.pem"),
            "--output",
            "form",
        ],
        form(pairs).as_bytes(),
    )
    .expect(0)
    .stdout
}

/// `pairs` plus a `sign` computed over `canonical` by `signature`.
fn with_sign(pairs: &[(&str, &str)], signature: &str) -> String {
    format!("{}&{}", form(pairs), form(&[("sign", signature)]))
}

fn secret() -> SharedSecret {
    SharedSecret::from_file_contents(&std::fs::read(key("secret.txt")).unwrap()).unwrap()
}

fn hmac_over(canonical: &str) -> String {
    Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret()),
    )
    .unwrap()
    .sign_canonical(canonical)
    .unwrap()
}

const REQUEST: [(&str, &str); 5] = [
    ("app_id", "2026000000000001"),
    ("method", "order.create"),
    ("subject", "上海水费 11月"),
    ("memo", ""),
    ("sign_type", "HMAC-SHA256"),
];

#[test]
fn explain_finds_every_usual_mistake() {
    let gateway = key("gateway_public_spki.pem");
    let gw = format!("gateway={gateway}");
    let secret_file = key("secret.txt");
    let notification = ["--sign-type", "RSA2", "--key", &gw, "--now", NOW];
    let request_rsa = ["--message", "request", "--sign-type", "RSA2"];
    let request_secret = [
        "--message",
        "request",
        "--sign-type",
        "HMAC-SHA256",
        "--secret-file",
        &secret_file,
    ];
    let mut seen = BTreeSet::new();
    let mut check =
        |code: i32, report: serde_json::Value, expected_exit: i32, expected: &[&str]| {
            assert_eq!(code, expected_exit, "{report}");
            let found = codes(&report);
            for e in expected {
                assert!(found.iter().any(|f| f == e), "expected {e} in {report}");
            }
            seen.extend(found);
        };

    // Verifies: no findings, the matching key named.
    let (code, report) = explain(
        &[&notification[..], &["--app-id", "2026000000000001"]].concat(),
        &vector_body("notify_paysign_form"),
    );
    check(code, report.clone(), 0, &[]);
    assert_eq!(report["matching_key"], "gateway");
    assert_eq!(report["sign_type"], "RSA2");
    assert!(
        report["canonical"]
            .as_str()
            .unwrap()
            .starts_with("app_id=2026000000000001&bill_no=")
    );

    // The vectors' classic failures.
    for (case, expected) in [
        ("fail_notify_duplicate_key", "BODY_UNREADABLE"),
        ("fail_notify_missing_sign", "SIGNATURE_MISSING"),
        ("fail_notify_trailing_crlf", "WHITESPACE"),
        ("fail_notify_double_encoded", "DOUBLE_ENCODED"),
        ("fail_notify_tampered_amount", "NO_KNOWN_CAUSE"),
    ] {
        let (code, report) = explain(&notification, &vector_body(case));
        check(code, report, 1, &[expected]);
    }
    let (code, report) = explain(
        &[
            "--profile",
            "alipay",
            "--sign-type",
            "RSA2",
            "--key",
            &gw,
            "--now",
            NOW,
        ],
        &vector_body("fail_notify_alipay_signed_sign_type"),
    );
    check(code, report, 1, &["SIGN_TYPE_SIGNED"]);
    let (code, report) = explain(&notification, &vector_body("fail_notify_downgrade_to_md5"));
    check(
        code,
        report,
        1,
        &["SIGN_TYPE_NOT_ALLOWED", "CREDENTIAL_MISMATCH"],
    );
    // GBK bytes declared as UTF-8.
    let (code, report) = explain(
        &[
            "--profile",
            "alipay",
            "--sign-type",
            "RSA2",
            "--key",
            &gw,
            "--now",
            NOW,
            "--header",
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
        ],
        &vector_body("notify_alipay_form_gbk"),
    );
    check(code, report, 1, &["CHARSET"]);
    // The signature verifies but a merchant check does not.
    let (code, report) = explain(
        &[&notification[..], &["--app-id", "2026000000000002"]].concat(),
        &vector_body("fail_notify_wrong_app_id"),
    );
    check(code, report, 1, &["APP_ID_MISMATCH"]);
    let (code, report) = explain(
        &["--sign-type", "RSA2", "--key", &gw, "--now", "1795287600"],
        &vector_body("fail_notify_expired"),
    );
    check(code, report, 1, &["TIMESTAMP_OUT_OF_WINDOW"]);

    // Sign types.
    let (code, report) = explain(
        &[&request_rsa[..], &["--key", &gateway]].concat(),
        form(&[("a", "1"), ("sign_type", "SHA512"), ("sign", "xx")]).as_bytes(),
    );
    check(code, report, 1, &["UNSUPPORTED_SIGN_TYPE"]);
    let (code, report) = explain(
        &[&request_rsa[..], &["--sign-type", "RSA", "--key", &gateway]].concat(),
        form(&[("a", "1"), ("sign", "xx")]).as_bytes(),
    );
    check(code, report, 1, &["SIGN_TYPE_MISSING"]);

    // Keys: bare base64, a private key, an unreadable one, another key that matches.
    let signed = merchant_request(&[("app_id", "2026000000000001"), ("method", "bill.query")]);
    let (code, report) = explain(
        &[
            &request_rsa[..],
            &["--key", &key("merchant_public_spki.b64")],
        ]
        .concat(),
        signed.as_bytes(),
    );
    check(code, report, 0, &["KEY_BARE_BASE64"]);
    let (code, report) = explain(
        &[
            &request_rsa[..],
            &["--key", &key("merchant_private_pkcs8.pem")],
        ]
        .concat(),
        signed.as_bytes(),
    );
    check(code, report, 0, &["PRIVATE_KEY_GIVEN"]);
    let junk = format!("junk={}", key("README.md"));
    let merchant = format!("merchant={}", key("merchant_public_spki.pem"));
    let (code, report) = explain(
        &[
            &request_rsa[..],
            &["--key", &junk, "--key", &gw, "--key", &merchant],
        ]
        .concat(),
        signed.as_bytes(),
    );
    check(
        code,
        report.clone(),
        0,
        &["KEY_UNREADABLE", "OTHER_KEY_MATCHES"],
    );
    assert_eq!(report["matching_key"], "merchant");

    // SHA1 signature labelled RSA2.
    let rsa2_labelled = form(&[("app_id", "2026000000000001"), ("sign_type", "RSA2")]);
    let sha1 = run(
        &[
            "sign",
            "--sign-type",
            "RSA",
            "--key",
            &key("merchant_private_pkcs8.pem"),
        ],
        rsa2_labelled.as_bytes(),
    )
    .expect(0)
    .stdout;
    let (code, report) = explain(
        &[
            &request_rsa[..],
            &["--key", &key("merchant_public_spki.pem")],
        ]
        .concat(),
        format!("{rsa2_labelled}&{}", form(&[("sign", sha1.trim())])).as_bytes(),
    );
    check(code, report, 1, &["RSA_DIGEST"]);

    // Digests: what the sender got wrong when building the string.
    let params = Params::from_pairs(REQUEST).unwrap();
    let rules = Profile::Paysign.rules(MessageKind::Request);
    let with_empty = CanonicalRules {
        skip_empty: false,
        ..rules
    };
    let (code, report) = explain(
        &request_secret,
        with_sign(
            &REQUEST,
            &hmac_over(&canonical_string(&params, &with_empty)),
        )
        .as_bytes(),
    );
    check(code, report, 1, &["EMPTY_VALUES_SIGNED"]);
    let encoded = Params::from_pairs(params.iter().map(|(k, v)| {
        (
            k,
            form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>(),
        )
    }))
    .unwrap();
    let (code, report) = explain(
        &request_secret,
        with_sign(&REQUEST, &hmac_over(&canonical_string(&encoded, &rules))).as_bytes(),
    );
    check(code, report, 1, &["SIGNED_ENCODED_VALUES"]);
    let right = hmac_over(&canonical_string(&params, &rules));
    let (code, report) = explain(&request_secret, with_sign(&REQUEST, &right).as_bytes());
    check(code, report, 0, &[]);
    // A CRLF after the signature: `verify` refuses it, so `explain` does not say it verifies.
    let crlf = format!("{}\r\n", with_sign(&REQUEST, &right));
    let (code, report) = explain(&request_secret, crlf.as_bytes());
    check(code, report, 1, &["WHITESPACE"]);
    let (code, report) = explain(
        &request_secret,
        with_sign(&REQUEST, &right.to_ascii_lowercase()).as_bytes(),
    );
    check(code, report, 1, &["HEX_CASE"]);

    let md5_request: Vec<(&str, &str)> = REQUEST
        .iter()
        .map(|&(k, v)| (k, if k == "sign_type" { "MD5" } else { v }))
        .collect();
    let md5_params = Params::from_pairs(md5_request.clone()).unwrap();
    let bare: String = Md5::digest(canonical_string(&md5_params, &rules).as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let md5_flags = [
        "--message",
        "request",
        "--sign-type",
        "MD5",
        "--secret-file",
        &secret_file,
    ];
    let (code, report) = explain(&md5_flags, with_sign(&md5_request, &bare).as_bytes());
    check(code, report, 1, &["KEY_SUFFIX_MISSING"]);
    let alipay_style = run(
        &[
            "sign",
            "--profile",
            "alipay",
            "--sign-type",
            "MD5",
            "--secret-file",
            &secret_file,
        ],
        form(&md5_request).as_bytes(),
    )
    .expect(0)
    .stdout;
    let (code, report) = explain(
        &md5_flags,
        with_sign(&md5_request, alipay_style.trim()).as_bytes(),
    );
    check(code, report, 1, &["KEY_SUFFIX_STYLE"]);

    let expected: BTreeSet<String> = [
        "BODY_UNREADABLE",
        "SIGNATURE_MISSING",
        "WHITESPACE",
        "UNSUPPORTED_SIGN_TYPE",
        "SIGN_TYPE_MISSING",
        "SIGN_TYPE_NOT_ALLOWED",
        "CREDENTIAL_MISMATCH",
        "KEY_BARE_BASE64",
        "PRIVATE_KEY_GIVEN",
        "KEY_UNREADABLE",
        "OTHER_KEY_MATCHES",
        "SIGN_TYPE_SIGNED",
        "EMPTY_VALUES_SIGNED",
        "DOUBLE_ENCODED",
        "SIGNED_ENCODED_VALUES",
        "CHARSET",
        "RSA_DIGEST",
        "HEX_CASE",
        "KEY_SUFFIX_MISSING",
        "KEY_SUFFIX_STYLE",
        "NO_KNOWN_CAUSE",
        "APP_ID_MISMATCH",
        "TIMESTAMP_OUT_OF_WINDOW",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let missing: Vec<_> = expected.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "finding codes never produced: {missing:?}"
    );
}

/// Every code the diagnosis module can report is covered above: each upper-case string
/// literal of sdk-core/src/diagnose.rs (its finding codes) appears in this file.
#[test]
fn the_list_above_covers_the_diagnose_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("../sdk-core/src/diagnose.rs")).unwrap();
    let this = std::fs::read_to_string(root.join("tests/cli/explain.rs")).unwrap();
    let mut codes = BTreeSet::new();
    for literal in source.split('"').skip(1).step_by(2) {
        let is_code = literal.len() > 3
            && literal.starts_with(|c: char| c.is_ascii_uppercase())
            && literal
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if is_code {
            codes.insert(literal.to_owned());
        }
    }
    assert!(codes.len() >= 15, "{codes:?}");
    for code in codes {
        assert!(
            this.contains(&format!("\"{code}\"")),
            "diagnose code {code} is not tested"
        );
    }
}

#[test]
fn explain_prints_a_report_in_words() {
    let run = run(
        &[
            "explain",
            "--profile",
            "alipay",
            "--sign-type",
            "RSA2",
            "--key",
            &format!("alipay={}", key("gateway_public_spki.pem")),
            "--now",
            NOW,
            "-",
        ],
        &vector_body("fail_notify_alipay_signed_sign_type"),
    )
    .expect(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "verdict: does not verify (RSA2, alipay notification, key `alipay`)"
    );
    assert_eq!(
        lines[1],
        "canonical string (what the signature must cover):"
    );
    assert!(lines[2].starts_with("  app_id=2014072300007148&"));
    assert!(!lines[2].contains("sign_type="));
    assert_eq!(lines[3], "findings:");
    assert!(
        lines[4].starts_with("  - [SIGN_TYPE_SIGNED] "),
        "{}",
        lines[4]
    );

    let ok = crate::common::run(
        &[
            "explain",
            "--sign-type",
            "RSA2",
            "--key",
            &key("gateway_public_spki.pem"),
            "--now",
            NOW,
            vectors()
                .join("notify_paysign_form/body.bin")
                .to_str()
                .unwrap(),
        ],
        b"",
    )
    .expect(0);
    assert!(
        ok.stdout
            .starts_with("verdict: verifies (RSA2, paysign notification"),
        "{}",
        ok.stdout
    );
    assert!(ok.stdout.contains("findings: none"));

    // Usage errors still exit 2.
    crate::common::run(
        &[
            "explain",
            "--sign-type",
            "RSA2",
            "--key",
            "/nonexistent.pem",
        ],
        b"",
    )
    .expect(2);
}
