//! The shared vectors through `verify`, `sign` and `canonical`.

use std::path::Path;

use crate::common::{cases, key, read_json, run};

/// `verify` flags from a notify case's request.json.
fn verify_args(case: &Path) -> Vec<String> {
    let request = read_json(&case.join("request.json"));
    let mut args = vec![
        "verify".to_owned(),
        "--json".to_owned(),
        "--profile".to_owned(),
        request["profile"].as_str().unwrap().to_owned(),
        "--now".to_owned(),
        request["now"].to_string(),
    ];
    for sign_type in request["accept"].as_array().unwrap() {
        args.push("--sign-type".into());
        args.push(sign_type.as_str().unwrap().into());
    }
    match request["key"].as_str().unwrap() {
        "gateway" => args.extend(["--key".into(), key("gateway_public_spki.pem")]),
        secret => args.extend(["--secret-file".into(), key(&format!("{secret}.txt"))]),
    }
    if let Some(app_id) = request["app_id"].as_str() {
        args.extend(["--app-id".into(), app_id.into()]);
    }
    if let Some(content_type) = request["content_type"].as_str() {
        args.extend(["--header".into(), format!("Content-Type: {content_type}")]);
    }
    if let Some(amount) = request["expected_amount"].as_i64() {
        args.extend(["--expect-amount".into(), amount.to_string()]);
    }
    args.push(case.join("body.bin").display().to_string());
    args
}

#[test]
fn every_notify_vector_verifies() {
    for case in cases("notify_") {
        let expect = read_json(&case.join("expect.json"));
        let run = run(&verify_args(&case), b"").expect(0);
        let got = run.json();
        assert_eq!(got["ok"], true, "{}", case.display());
        for (field, value) in expect["notification"].as_object().unwrap() {
            assert_eq!(
                &got["notification"][field],
                value,
                "{}: field {field}",
                case.display()
            );
        }
    }
}

#[test]
fn every_notify_vector_verifies_from_stdin_in_human_form() {
    for case in cases("notify_") {
        let mut args = verify_args(&case);
        args.retain(|a| a != "--json");
        *args.last_mut().unwrap() = "-".into();
        let body = std::fs::read(case.join("body.bin")).unwrap();
        let run = run(&args, &body).expect(0);
        assert!(run.stdout.starts_with("valid: "), "{}", run.stdout);
    }
}

#[test]
fn every_fail_notify_vector_exits_1_with_its_code() {
    for case in cases("fail_notify_") {
        let expect = read_json(&case.join("expect.json"));
        let expected = expect["code"].as_str().unwrap().to_owned();
        let run = run(&verify_args(&case), b"").expect(1);
        let got = run.json();
        assert_eq!(got["ok"], false, "{}", case.display());
        assert_eq!(got["code"], expected.as_str(), "{}", case.display());
        assert!(got["message"].as_str().is_some_and(|m| !m.is_empty()));
        if let Some(needle) = expect["message_contains"].as_str() {
            assert!(
                got["message"].as_str().unwrap().contains(needle),
                "{}: {got}",
                case.display()
            );
        }

        // Without --json the failing check goes to stderr, stdout stays empty.
        let mut args = verify_args(&case);
        args.retain(|a| a != "--json");
        let human = crate::common::run(&args, b"").expect(1);
        assert!(human.stdout.is_empty(), "{}", human.stdout);
        assert!(
            human.stderr.contains(&format!("[{expected}]")),
            "{}: {}",
            case.display(),
            human.stderr
        );
    }
}

/// A sign case's params.json as a JSON body (fields in order) and as a form body.
fn sign_bodies(case: &Path) -> [String; 2] {
    let pairs = read_json(&case.join("params.json"));
    let pairs: Vec<(String, String)> = pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let json = format!(
        "{{{}}}",
        pairs
            .iter()
            .map(|(k, v)| format!(
                "{}:{}",
                serde_json::Value::from(k.as_str()),
                serde_json::Value::from(v.as_str())
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    // A form is sent in its declared charset (the GBK cases' bytes are GBK, percent-encoded).
    let charset = pairs
        .iter()
        .find(|(k, _)| k == "charset")
        .map_or("UTF-8", |(_, v)| v.as_str());
    let params = paysign_core::Params::from_pairs(pairs.clone()).unwrap();
    let form = paysign_core::message::encode_form_in(&params, charset).unwrap();
    [json, form]
}

fn sign_credential(name: &str) -> [String; 2] {
    match name {
        "merchant" => ["--key".into(), key("merchant_private_pkcs8.pem")],
        secret => ["--secret-file".into(), key(&format!("{secret}.txt"))],
    }
}

#[test]
fn sign_and_canonical_match_every_sign_vector() {
    for case in cases("sign_") {
        let expect = read_json(&case.join("expect.json"));
        let profile = expect["profile"].as_str().unwrap();
        let message = expect["message"].as_str().unwrap();
        let sign_type = expect["sign_type"].as_str().unwrap();
        let signature = std::fs::read_to_string(case.join("signature.txt")).unwrap();
        let canonical = std::fs::read_to_string(case.join("canonical.txt")).unwrap();
        for body in sign_bodies(&case) {
            let mut args = vec![
                "sign".to_owned(),
                "--profile".into(),
                profile.into(),
                "--message".into(),
                message.into(),
                "--sign-type".into(),
                sign_type.into(),
            ];
            args.extend(sign_credential(expect["key"].as_str().unwrap()));
            let signed = run(&args, body.as_bytes()).expect(0);
            assert_eq!(
                signed.stdout.trim_end(),
                signature.trim_end(),
                "{}",
                case.display()
            );

            let printed = run(
                &["canonical", "--profile", profile, "--message", message, "-"],
                body.as_bytes(),
            )
            .expect(0);
            assert_eq!(
                printed.stdout.strip_suffix('\n').unwrap(),
                canonical.trim_end_matches('\n'),
                "{}",
                case.display()
            );
            let json = run(
                &[
                    "canonical",
                    "--json",
                    "--profile",
                    profile,
                    "--message",
                    message,
                ],
                body.as_bytes(),
            )
            .expect(0)
            .json();
            assert_eq!(json["canonical"], canonical.trim_end_matches('\n'));
        }
    }
}

#[test]
fn signed_request_vectors_verify_as_requests() {
    for case in cases("sign_") {
        let expect = read_json(&case.join("expect.json"));
        if expect["message"] != "request" {
            continue;
        }
        let profile = expect["profile"].as_str().unwrap();
        let sign_type = expect["sign_type"].as_str().unwrap();
        let [_, form] = sign_bodies(&case);
        let mut args = vec![
            "sign".to_owned(),
            "--profile".into(),
            profile.into(),
            "--sign-type".into(),
            sign_type.into(),
            "--output".into(),
            "form".into(),
        ];
        args.extend(sign_credential(expect["key"].as_str().unwrap()));
        let signed = run(&args, form.as_bytes()).expect(0);
        let credential = match expect["key"].as_str().unwrap() {
            "merchant" => ["--key".to_owned(), key("merchant_public_spki.pem")],
            secret => ["--secret-file".to_owned(), key(&format!("{secret}.txt"))],
        };
        let mut verify = vec![
            "verify".to_owned(),
            "--message".into(),
            "request".into(),
            "--profile".into(),
            profile.into(),
            "--sign-type".into(),
            sign_type.into(),
        ];
        verify.extend(credential);
        let ok = run(&verify, signed.stdout.as_bytes()).expect(0);
        assert!(ok.stdout.starts_with("valid: "), "{}", ok.stdout);
        // One changed byte: exit 1 with the code on stderr.
        let tampered = signed.stdout.replacen("1.0", "1.1", 1);
        let bad = run(&verify, tampered.as_bytes()).expect(1);
        assert!(bad.stderr.contains("SIGNATURE_MISMATCH"), "{}", bad.stderr);
    }
}
