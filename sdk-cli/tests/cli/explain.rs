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
    // A GBK message signed over the UTF-8 bytes of its string (Alipay signs the GBK bytes).
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
        &vector_body("fail_notify_alipay_gbk_signed_as_utf8"),
    );
    check(code, report, 1, &["SIGNED_CHARSET"]);
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
    // Refused as `paysign verify` refuses it (exit 1: not verified), its public half tried.
    check(code, report, 1, &["KEY_KIND_MISMATCH"]);
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
    // docs/protocol.md §3.2: paysign verifiers accept hex in either case, so this verifies.
    assert_eq!(report["verified"], true, "{report}");
    check(code, report, 0, &[]);
    // WeChat Pay v2 compares the case its SDKs write (uppercase): a lowercase digest fails.
    let guide = "sign_wechat_md5_guide";
    let pairs: Vec<(String, String)> = serde_json::from_str(
        &std::fs::read_to_string(vectors().join(guide).join("params.json")).unwrap(),
    )
    .unwrap();
    let lower_sign = std::fs::read_to_string(vectors().join(guide).join("signature.txt"))
        .unwrap()
        .trim()
        .to_ascii_lowercase();
    let mut wechat: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    wechat.push(("sign", &lower_sign));
    let guide_secret = key("guide_secret.txt");
    let (code, report) = explain(
        &[
            "--profile",
            "wechat-v2",
            "--message",
            "notification",
            "--sign-type",
            "MD5",
            "--secret-file",
            &guide_secret,
        ],
        form(&wechat).as_bytes(),
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
        "KEY_KIND_MISMATCH",
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

/// A platform vector's flags for `explain --json` (keys, secrets, headers, now), with
/// `skip` flags (and their values) left out.
fn platform_flags(case: &str, skip: &[&str]) -> Vec<String> {
    let dir = vectors().join("platforms").join(case);
    let request: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("request.json")).unwrap()).unwrap();
    let file = |rel: &str| vectors().join(rel).display().to_string();
    let mut args = vec![
        "--profile".to_owned(),
        request["profile"].as_str().unwrap().to_owned(),
        "--now".into(),
        request["now"].to_string(),
    ];
    for sign_type in request["accept"].as_array().unwrap() {
        args.extend(["--sign-type".into(), sign_type.as_str().unwrap().into()]);
    }
    for k in request["keys"].as_array().unwrap() {
        let path = file(k["file"].as_str().unwrap());
        args.push("--key".into());
        args.push(match k["id"].as_str() {
            Some(id) => format!("{id}={path}"),
            None => path,
        });
    }
    for secret in request["secrets"].as_array().unwrap() {
        args.extend(["--secret-file".into(), file(secret.as_str().unwrap())]);
    }
    for h in request["headers"].as_array().unwrap() {
        let (name, value) = (h[0].as_str().unwrap(), h[1].as_str().unwrap());
        if !skip.contains(&name) {
            args.extend(["--header".into(), format!("{name}: {value}")]);
        }
    }
    let mut kept = Vec::new();
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        if skip.contains(&arg.as_str()) {
            iter.next();
        } else {
            kept.push(arg);
        }
    }
    kept
}

fn platform_body(case: &str) -> Vec<u8> {
    std::fs::read(vectors().join("platforms").join(case).join("body.bin")).unwrap()
}

fn header_value(case: &str, name: &str) -> String {
    let dir = vectors().join("platforms").join(case);
    let request: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("request.json")).unwrap()).unwrap();
    request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == name)
        .map(|h| h[1].as_str().unwrap().to_owned())
        .unwrap()
}

#[test]
fn platform_mistakes_are_named() {
    let expect = |flags: Vec<String>, body: &[u8], exit: i32, wanted: &str| {
        let refs: Vec<&str> = flags.iter().map(String::as_str).collect();
        let (code, report) = explain(&refs, body);
        assert_eq!(code, exit, "{report}");
        assert!(
            codes(&report).iter().any(|c| c == wanted),
            "expected {wanted} in {report}"
        );
        report
    };
    let v3 = "notify_wechat_v3_transaction";

    // WeChat Pay v3: a probe, a serial naming the other key, a serial nobody configured,
    // a header missing, a newline added to the body, the final newline left out.
    expect(
        platform_flags("fail_notify_wechat_v3_signature_probe", &[]),
        &platform_body(v3),
        1,
        "SIGNATURE_PROBE",
    );
    let report = expect(
        platform_flags("fail_notify_wechat_v3_serial_of_the_other_key", &[]),
        &platform_body(v3),
        1,
        "SERIAL_MISMATCH",
    );
    assert_eq!(
        report["matching_key"],
        "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    );
    let mut only_new_key = platform_flags(v3, &[]);
    let at = only_new_key
        .iter()
        .position(|a| a.starts_with("5157F09EFDC096DE15EBE81A47057A7232F1B8E1="))
        .unwrap();
    only_new_key.drain(at - 1..=at);
    expect(only_new_key, &platform_body(v3), 1, "KEY_UNKNOWN_SERIAL");
    expect(
        platform_flags(v3, &["Wechatpay-Nonce"]),
        &platform_body(v3),
        1,
        "FIELD_MISSING",
    );
    let mut with_newline = platform_body(v3);
    with_newline.push(b'\n');
    expect(platform_flags(v3, &[]), &with_newline, 1, "BODY_ALTERED");
    let timestamp = header_value(v3, "Wechatpay-Timestamp");
    let nonce = header_value(v3, "Wechatpay-Nonce");
    let body = String::from_utf8(platform_body(v3)).unwrap();
    let platform_key = paysign_core::PrivateKey::parse(
        &std::fs::read(vectors().join("platforms/keys/wechatpay_platform_private.pem")).unwrap(),
    )
    .unwrap();
    let v3_signer = Signer::new(
        Profile::WechatV3,
        SignType::Rsa2,
        SigningCredential::Key(platform_key),
    )
    .unwrap();
    let no_final_newline = v3_signer
        .sign_canonical(&format!("{timestamp}\n{nonce}\n{body}"))
        .unwrap();
    let mut flags = platform_flags(v3, &["Wechatpay-Signature"]);
    flags.extend([
        "--header".into(),
        format!("Wechatpay-Signature: {no_final_newline}"),
    ]);
    expect(flags, body.as_bytes(), 1, "MESSAGE_FORMAT");

    // A body parsed and re-serialised before it reached the verifier (Standard Webhooks).
    let published =
        std::fs::read_to_string(vectors().join("platforms/keys/whsec_published.txt")).unwrap();
    let sw_signer = |secret: &str| {
        Signer::new(
            Profile::StandardWebhooks,
            SignType::HmacSha256,
            SigningCredential::Secret(SharedSecret::new(secret.trim()).unwrap()),
        )
        .unwrap()
    };
    let compact = r#"{"a":1,"b":{"c":2}}"#;
    let signature = sw_signer(&published)
        .sign_canonical(&format!("msg_1.1614265330.{compact}"))
        .unwrap();
    let sw_flags = |signature: &str| {
        let mut flags = platform_flags(
            "notify_standard_webhooks_published",
            &["webhook-id", "webhook-signature"],
        );
        flags.extend([
            "--header".into(),
            "webhook-id: msg_1".into(),
            "--header".into(),
            format!("webhook-signature: {signature}"),
        ]);
        flags
    };
    let pretty = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": 2\n  }\n}";
    expect(
        sw_flags(&signature),
        pretty.as_bytes(),
        1,
        "BODY_RESERIALISED",
    );
    // The sender keyed the HMAC with the whole whsec_ text instead of the decoded bytes.
    let whole = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, published.trim(),)
    );
    let undecoded = sw_signer(&whole)
        .sign_canonical(&format!("msg_1.1614265330.{compact}"))
        .unwrap();
    expect(
        sw_flags(&undecoded),
        compact.as_bytes(),
        1,
        "SECRET_NOT_DECODED",
    );
    expect(
        platform_flags("fail_notify_standard_webhooks_no_v1_signature", &[]),
        &platform_body("fail_notify_standard_webhooks_no_v1_signature"),
        1,
        "SIGNATURE_MALFORMED",
    );

    // UnionPay: empty values dropped, the string signed instead of its digest, the secure
    // key appended without hashing it.
    expect(
        platform_flags("fail_notify_unionpay_empty_value_dropped_by_signer", &[]),
        &platform_body("fail_notify_unionpay_empty_value_dropped_by_signer"),
        1,
        "EMPTY_VALUES_DROPPED",
    );
    expect(
        platform_flags("fail_notify_unionpay_string_signed_not_digest", &[]),
        &platform_body("fail_notify_unionpay_string_signed_not_digest"),
        1,
        "STRING_SIGNED_NOT_DIGEST",
    );
    let canonical =
        std::fs::read_to_string(vectors().join("platforms/notify_unionpay_11/canonical.txt"))
            .unwrap();
    let secure =
        std::fs::read_to_string(vectors().join("platforms/keys/unionpay_secure_key.txt")).unwrap();
    let raw_key = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{canonical}&{}", secure.trim()).as_bytes());
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let body11 = String::from_utf8(platform_body("notify_unionpay_11")).unwrap();
    let (unsigned, _) = body11.rsplit_once("&signature=").unwrap();
    let wrong = format!("{unsigned}&signature={raw_key}");
    expect(
        platform_flags("notify_unionpay_11", &[]),
        wrong.as_bytes(),
        1,
        "SECURE_KEY_NOT_HASHED",
    );

    // WeChat Pay v2 refunds: req_info that the API key does not decrypt.
    expect(
        platform_flags("fail_notify_wechat_v2_refund_wrong_api_key", &[]),
        &platform_body("fail_notify_wechat_v2_refund_wrong_api_key"),
        1,
        "DECRYPTION_FAILED",
    );
}

/// Every code the diagnosis module can report is covered above: each upper-case string
/// literal of sdk-core/src/diagnose/ (its finding codes) appears in this file.
#[test]
fn the_list_above_covers_the_diagnose_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut source = String::new();
    for entry in std::fs::read_dir(root.join("../sdk-core/src/diagnose")).unwrap() {
        source.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
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
    // The explain vectors run below are tests too.
    let mut vectors = String::new();
    for case in explain_vectors() {
        vectors.push_str(&std::fs::read_to_string(case.join("expect.json")).unwrap());
    }
    for code in codes {
        let quoted = format!("\"{code}\"");
        assert!(
            this.contains(&quoted) || vectors.contains(&quoted),
            "diagnose code {code} is not tested"
        );
    }
}

/// The folders of tests/vectors/explain/, sorted.
fn explain_vectors() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(vectors().join("explain"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "{dirs:?}");
    dirs
}

/// A vector's request.json as `paysign` flags: every key (`--key ID=FILE`) and secret, or
/// with `first_only` the first key or secret alone (what a verifier is configured with).
fn vector_flags(case: &std::path::Path, first_only: bool) -> Vec<String> {
    let request = crate::common::read_json(&case.join("request.json"));
    let file =
        |rel: &serde_json::Value| vectors().join(rel.as_str().unwrap()).display().to_string();
    let mut flags = vec![
        "--profile".to_owned(),
        request["profile"].as_str().unwrap().to_owned(),
        "--message".into(),
        request["message"].as_str().unwrap().to_owned(),
    ];
    for sign_type in request["accept"].as_array().unwrap() {
        flags.extend(["--sign-type".into(), sign_type.as_str().unwrap().into()]);
    }
    let keys = request["keys"].as_array().unwrap();
    for k in keys.iter().take(if first_only { 1 } else { keys.len() }) {
        let id = k["id"].as_str().unwrap();
        flags.extend(["--key".into(), format!("{id}={}", file(&k["file"]))]);
    }
    let secrets = request["secrets"].as_array().unwrap();
    let take = if first_only && !keys.is_empty() {
        0
    } else {
        secrets.len()
    };
    for secret in secrets.iter().take(take) {
        flags.extend(["--secret-file".into(), file(secret)]);
    }
    if !request["decryption_key"].is_null() {
        flags.extend(["--secret-file".into(), file(&request["decryption_key"])]);
    }
    if let Some(content_type) = request["content_type"].as_str() {
        flags.extend(["--header".into(), format!("Content-Type: {content_type}")]);
    }
    for h in request["headers"].as_array().unwrap() {
        let (name, value) = (h[0].as_str().unwrap(), h[1].as_str().unwrap());
        flags.extend(["--header".into(), format!("{name}: {value}")]);
    }
    if let Some(app_id) = request["app_id"].as_str() {
        flags.extend(["--app-id".into(), app_id.into()]);
    }
    if request["message"] == "notification" || request["profile"] == "wechat-v3" {
        flags.extend(["--now".into(), request["now"].to_string()]);
    }
    flags.push(case.join("body.bin").display().to_string());
    flags
}

/// Every cause of tests/vectors/explain/ (the vectors Rust and the npm package run too):
/// the findings expected, in order and in the CLI's words, and `explain`'s verdict the one
/// `paysign verify` gives — never "verifies" for a message verify refuses.
#[test]
fn every_explain_vector_is_explained_as_verify_would_judge_it() {
    for case in explain_vectors() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect = crate::common::read_json(&case.join("expect.json"));
        let mut args = vec!["explain".to_owned(), "--json".to_owned()];
        args.extend(vector_flags(&case, false));
        let explained = run(&args, b"");
        let report = explained.json();
        let found = codes(&report);
        let wanted: Vec<&str> = expect["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(found, wanted, "{name}: {report}");
        assert_eq!(report["verified"], expect["verified"], "{name}: {report}");
        let status = if report["verified"] == true { 0 } else { 1 };
        assert_eq!(explained.code, status, "{name}");
        for finding in report["findings"].as_array().unwrap() {
            let message = finding["message"].as_str().unwrap();
            // The CLI's words: never a builder method or a JavaScript option.
            assert!(!message.contains("::"), "{name}: {message}");
            assert!(!message.contains("publicKey"), "{name}: {message}");
        }

        let mut args = vec!["verify".to_owned(), "--json".to_owned()];
        args.extend(vector_flags(&case, true));
        let verify = run(&args, b"");
        match expect["verify"].as_str() {
            None => assert_eq!(verify.code, 0, "{name}: {}", verify.stdout),
            Some(code) => {
                assert_ne!(verify.code, 0, "{name}");
                assert_eq!(verify.json()["code"], code, "{name}: {}", verify.stdout);
                // What verify refuses, explain never says verifies, unless another
                // candidate key than the one verify was given signed it.
                if report["verified"] == true {
                    assert_eq!(found, ["OTHER_KEY_MATCHES"], "{name}");
                }
            }
        }
    }
}

/// Findings name what to pass as flags.
#[test]
fn findings_name_flags() {
    let case = vectors().join("explain/secret_for_rsa");
    let mut args = vec!["explain".to_owned(), "--json".to_owned()];
    args.extend(vector_flags(&case, false));
    let report = run(&args, b"").expect(1).json();
    assert_eq!(
        report["findings"][0]["message"],
        "RSA2 is verified with the sender's RSA public key, not a shared secret: pass --key FILE (the platform's public key or certificate)"
    );
    let no_sign_type = form(&[("a", "1"), ("sign", "xx")]);
    let (_, report) = explain(
        &[
            "--message",
            "request",
            "--sign-type",
            "RSA",
            "--sign-type",
            "RSA2",
            "--key",
            &key("gateway_public_spki.pem"),
        ],
        no_sign_type.as_bytes(),
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("accept exactly one (--sign-type)"),
        "{report}"
    );
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

/// 国密: an SM2 signature made with an empty user id (OpenSSL 3 without `-pkeyopt distid:`,
/// as Node's crypto signs) is named `SM2_USER_ID`, and `paysign verify` refuses it.
#[test]
fn an_sm2_signature_without_the_user_id_is_named() {
    let pairs = [
        ("app_id", "2021000122600001"),
        ("notify_id", "2026112100222000002177846880sm9"),
        ("notify_time", "2026-11-21 00:00:05"),
        ("out_trade_no", "M20261120000009"),
        ("total_amount", "128.00"),
        ("trade_status", "TRADE_SUCCESS"),
    ];
    let canonical = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let dir = tempfile::tempdir().unwrap();
    let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
    std::fs::write(&msg, &canonical).unwrap();
    let private = vectors().join("platforms/keys/sm2_platform_private.pem");
    let signed = std::process::Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey"])
        .arg(&private)
        .arg("-in")
        .arg(&msg)
        .arg("-out")
        .arg(&sig)
        .output()
        .expect("openssl is required");
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    use base64::Engine;
    let signature = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&sig).unwrap());
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    all.push(("sign_type", "SM2"));
    all.push(("sign", &signature));
    let body = form(&all);
    let public = vectors()
        .join("platforms/keys/sm2_platform_public.pem")
        .display()
        .to_string();
    let args = [
        "--profile",
        "alipay",
        "--sign-type",
        "SM2",
        "--key",
        &public,
        "--now",
        NOW,
    ];
    let (code, report) = explain(&args, body.as_bytes());
    assert_eq!(code, 1, "{report}");
    assert_eq!(codes(&report), ["SM2_USER_ID"], "{report}");
    let mut verify = vec!["verify", "--json"];
    verify.extend_from_slice(&args);
    assert_eq!(
        run(&verify, body.as_bytes()).expect(1).json()["code"],
        "SIGNATURE_MISMATCH"
    );
}
