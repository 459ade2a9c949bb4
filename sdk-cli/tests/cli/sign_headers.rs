//! `paysign sign` and `paysign canonical` for the header-signed profiles (WeChat Pay v3
//! `Authorization`, Standard Webhooks `webhook-*`) and Alipay certificate mode, on the
//! `sign_*` / `fail_sign_*` vectors of tests/vectors/platforms/ (made by openssl, hashlib
//! and Python's `cryptography`; the Rust and Node suites read the same files).

use std::path::Path;

use crate::common::{read_json, run, vectors};
use crate::platforms::{cases, file};

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The `sign --profile wechat-v3` flags of an input.json (the body goes on stdin).
fn v3_flags(input: &serde_json::Value) -> Vec<String> {
    let s = |k: &str| input[k].as_str().unwrap().to_owned();
    vec![
        "sign".into(),
        "--profile".into(),
        "wechat-v3".into(),
        "--method".into(),
        s("method"),
        "--url".into(),
        s("url"),
        "--mch-id".into(),
        s("mchid"),
        "--serial-no".into(),
        s("serial_no"),
        "--key".into(),
        file(&s("key")),
        "--timestamp".into(),
        input["timestamp"].to_string(),
        "--nonce".into(),
        s("nonce"),
    ]
}

#[test]
fn wechat_v3_requests_print_the_vectors_authorization() {
    for case in cases("sign_wechat_v3_") {
        let input = read_json(&case.join("input.json"));
        let body = input["body"].as_str().unwrap().as_bytes();
        let expected = text(&case.join("authorization.txt"));
        let human = run(&v3_flags(&input), body).expect(0);
        assert_eq!(
            human.stdout,
            format!("Authorization: {expected}"),
            "{}",
            case.display()
        );
        let mut args = v3_flags(&input);
        args.push("--json".into());
        let json = run(&args, body).expect(0).json();
        assert_eq!(json["ok"], true);
        assert_eq!(json["headers"]["Authorization"], expected.trim_end());
        assert_eq!(
            json["string_to_sign"],
            text(&case.join("string_to_sign.txt"))
        );
        // canonical: the same string from --method/--url/--timestamp/--nonce.
        let drop = ["--mch-id", "--serial-no", "--key"];
        let mut kept = vec!["canonical".to_owned()];
        kept.extend(
            v3_flags(&input)[1..]
                .chunks(2)
                .filter(|pair| !drop.contains(&pair[0].as_str()))
                .flatten()
                .cloned(),
        );
        let printed = run(&kept, body).expect(0);
        assert_eq!(printed.stdout, text(&case.join("string_to_sign.txt")));
    }
}

#[test]
fn wechat_v3_defaults_are_the_clock_and_a_random_nonce() {
    let input = read_json(&vectors().join("platforms/sign_wechat_v3_request_guide/input.json"));
    let mut args = v3_flags(&input);
    args.truncate(args.len() - 4);
    args.push("--json".into());
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let first = run(&args, b"").expect(0).json();
    let second = run(&args, b"").expect(0).json();
    let header = first["headers"]["Authorization"].as_str().unwrap();
    let field = |h: &str, name: &str| {
        let start = h.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        h[start..start + h[start..].find('"').unwrap()].to_owned()
    };
    let nonce = field(header, "nonce_str");
    assert_eq!(nonce.len(), 32);
    assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()), "{nonce}");
    assert_ne!(
        nonce,
        field(
            second["headers"]["Authorization"].as_str().unwrap(),
            "nonce_str"
        )
    );
    let timestamp: u64 = field(header, "timestamp").parse().unwrap();
    assert!(timestamp.abs_diff(before) < 60, "{timestamp} vs {before}");
}

#[test]
fn fail_sign_vectors_exit_2_with_their_code() {
    for case in cases("fail_sign_wechat_v3_") {
        let input = read_json(&case.join("input.json"));
        let mut args = v3_flags(&input);
        args.push("--json".into());
        let json = run(&args, b"").expect(2).json();
        assert_eq!(json["code"], read_json(&case.join("expect.json"))["code"]);
    }
    for case in cases("fail_sign_standard_webhooks_") {
        let input = read_json(&case.join("input.json"));
        let json = run(&webhook_flags(&input, true), b"").expect(2).json();
        assert_eq!(json["code"], read_json(&case.join("expect.json"))["code"]);
    }
    for case in cases("fail_sign_alipay_cert_mode_") {
        let input = read_json(&case.join("input.json"));
        let mut args = alipay_flags(&input);
        args.push("--json".into());
        let json = run(&args, &form_of(&input)).expect(2).json();
        assert_eq!(json["code"], read_json(&case.join("expect.json"))["code"]);
    }
}

fn webhook_flags(input: &serde_json::Value, json: bool) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "sign".into(),
        "--profile".into(),
        "standard-webhooks".into(),
        "--secret-file".into(),
        file(input["secret"].as_str().unwrap()),
        "--id".into(),
        input["id"].as_str().unwrap().into(),
        "--timestamp".into(),
        input["timestamp"].to_string(),
    ];
    if json {
        args.push("--json".into());
    }
    args
}

#[test]
fn standard_webhooks_messages_print_the_vectors_headers() {
    for case in cases("sign_standard_webhooks_") {
        let input = read_json(&case.join("input.json"));
        let body = input["body"].as_str().unwrap().as_bytes();
        let human = run(&webhook_flags(&input, false), body).expect(0);
        assert_eq!(
            human.stdout,
            text(&case.join("headers.txt")),
            "{}",
            case.display()
        );
        let json = run(&webhook_flags(&input, true), body).expect(0).json();
        for line in text(&case.join("headers.txt")).lines() {
            let (name, value) = line.split_once(": ").unwrap();
            assert_eq!(json["headers"][name], value);
        }
        // canonical from --id/--timestamp, and from the headers (no signature needed).
        let canonical = run(
            &[
                "canonical",
                "--profile",
                "standard-webhooks",
                "--id",
                input["id"].as_str().unwrap(),
                "--timestamp",
                &input["timestamp"].to_string(),
            ],
            body,
        )
        .expect(0);
        assert_eq!(canonical.stdout, text(&case.join("string_to_sign.txt")));
        let from_headers = run(
            &[
                "canonical",
                "--profile",
                "standard-webhooks",
                "--header",
                &format!("webhook-id: {}", input["id"].as_str().unwrap()),
                "--header",
                &format!("webhook-timestamp: {}", input["timestamp"]),
            ],
            body,
        )
        .expect(0);
        assert_eq!(from_headers.stdout, canonical.stdout);
    }
}

fn alipay_flags(input: &serde_json::Value) -> Vec<String> {
    let s = |k: &str| input[k].as_str().unwrap().to_owned();
    vec![
        "sign".into(),
        "--profile".into(),
        "alipay".into(),
        "--sign-type".into(),
        s("sign_type"),
        "--key".into(),
        file(&s("key")),
        "--app-cert".into(),
        file(&s("app_cert")),
        "--alipay-root-cert".into(),
        file(&s("alipay_root_cert")),
    ]
}

fn form_of(input: &serde_json::Value) -> Vec<u8> {
    let pairs: Vec<(String, String)> = serde_json::from_value(input["params"].clone()).unwrap();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

#[test]
fn alipay_cert_mode_adds_the_vectors_sns_before_signing() {
    for case in cases("sign_alipay_cert_mode_") {
        let input = read_json(&case.join("input.json"));
        let expect = read_json(&case.join("expect.json"));
        let body = form_of(&input);
        let signature = run(&alipay_flags(&input), &body).expect(0);
        assert_eq!(signature.stdout, text(&case.join("signature.txt")));
        let mut args = alipay_flags(&input);
        args.extend(["--output".into(), "json".into(), "--json".into()]);
        let json = run(&args, &body).expect(0).json();
        for pair in expect["signed"].as_array().unwrap() {
            assert_eq!(json["params"][pair[0].as_str().unwrap()], pair[1], "{pair}");
        }
        assert_eq!(
            json["params"].as_object().unwrap().len(),
            expect["signed"].as_array().unwrap().len()
        );
    }
}

#[test]
fn flags_of_another_profile_are_usage_errors_naming_the_right_flag() {
    let key = file("keys/merchant_private_pkcs8.pem");
    let cert = file("platforms/keys/alipay_app_cert.pem");
    let root = file("platforms/keys/alipay_test_root_bundle.crt");
    let whsec = file("platforms/keys/whsec_published.txt");
    let v3 = "sign --profile wechat-v3 --method GET --url /v3/x";
    // (command line, split at spaces; what the message must say)
    let cases = [
        (
            format!(
                "sign --profile wechat-v2 --secret-file {whsec} --sign-type MD5 --app-cert {cert} --alipay-root-cert {root}"
            ),
            "--app-cert is only used with --profile alipay",
        ),
        (
            format!("sign --profile alipay --key {key} --app-cert {cert}"),
            "--alipay-root-cert",
        ),
        (
            format!("sign --profile alipay --sign-type RSA2 --key {key} --id m"),
            "--id is only used with --profile standard-webhooks",
        ),
        (
            format!("sign --profile paysign --key {key} --mch-id 1"),
            "--mch-id is only used with --profile wechat-v3",
        ),
        (
            format!("sign --profile wechat-v3 --key {key} --url /v3/x --mch-id 1 --serial-no S"),
            "--method is required",
        ),
        (
            format!("{v3} --key {key} --serial-no S"),
            "--mch-id is required",
        ),
        (
            format!("{v3} --secret-file {whsec} --mch-id 1 --serial-no S"),
            "has no sign type for a shared secret: pass an RSA key",
        ),
        (
            format!("{v3} --key {key} --mch-id 1 --serial-no S --output form"),
            "drop --output",
        ),
        (
            format!("sign --profile standard-webhooks --secret-file {whsec}"),
            "--id is required",
        ),
        (
            format!("sign --profile standard-webhooks --key {key} --id m"),
            "has no sign type for an RSA key: pass a shared secret",
        ),
        (
            "canonical --profile wechat-v3 --method GET --url /v3/x --timestamp 1".to_owned(),
            "--nonce is missing",
        ),
        (
            "canonical --profile paysign --timestamp 1".to_owned(),
            "--timestamp is only used with --profile wechat-v3 or --profile standard-webhooks",
        ),
    ];
    for (line, message) in cases {
        let args: Vec<&str> = line.split(' ').collect();
        let failed = run(&args, b"a=1").expect(2);
        assert!(failed.stderr.contains(message), "{line}: {}", failed.stderr);
    }
}

#[test]
fn sign_type_defaults_to_the_profiles_for_the_credential() {
    let whsec = file("platforms/keys/whsec_published.txt");
    // One policy (Profile::default_sign_type): unionpay with a key signs RSA2 (signMethod
    // 01), wechat-v2 with a secret MD5.
    let unionpay = run(
        &[
            "sign",
            "--profile",
            "unionpay",
            "--key",
            &file("platforms/keys/unionpay_merchant_private.pem"),
            "--json",
        ],
        b"certId=68759663125&txnAmt=1",
    )
    .expect(0)
    .json();
    assert_eq!(unionpay["sign_type"], "RSA2");
    let wechat = run(
        &[
            "sign",
            "--profile",
            "wechat-v2",
            "--secret-file",
            &whsec,
            "--json",
        ],
        b"a=1",
    )
    .expect(0)
    .json();
    assert_eq!(wechat["sign_type"], "MD5");
}

#[test]
fn canonical_wechat_v3_notifications_need_no_signature_header() {
    let case = vectors().join("platforms/notify_wechat_v3_transaction");
    let request = read_json(&case.join("request.json"));
    let header = |name: &str| {
        request["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|h| h[1].as_str().unwrap().to_owned())
            .unwrap()
    };
    let body = case.join("body.bin").display().to_string();
    let expected = text(&case.join("string_to_sign.txt"));
    let (timestamp, nonce) = (header("Wechatpay-Timestamp"), header("Wechatpay-Nonce"));
    let from_headers = [
        "--message".to_owned(),
        "notification".into(),
        "--header".into(),
        format!("Wechatpay-Timestamp: {timestamp}"),
        "--header".into(),
        format!("Wechatpay-Nonce: {nonce}"),
    ];
    let from_flags = ["--timestamp".to_owned(), timestamp, "--nonce".into(), nonce];
    for given in [&from_headers[..], &from_flags[..]] {
        let mut args = vec![
            "canonical".to_owned(),
            "--profile".into(),
            "wechat-v3".into(),
        ];
        args.extend_from_slice(given);
        args.push(body.clone());
        assert_eq!(run(&args, b"").expect(0).stdout, expected, "{given:?}");
    }
}
