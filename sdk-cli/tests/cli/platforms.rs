//! The platform vectors of tests/vectors/platforms/ (WeChat Pay v3, UnionPay, Standard
//! Webhooks, WeChat Pay v2 refunds, Alipay certificate mode) through `verify`, `explain`
//! and `canonical`, with the flags a merchant would type.

use std::path::{Path, PathBuf};

use crate::common::{read_json, run, vectors};

fn platforms() -> PathBuf {
    vectors().join("platforms")
}

/// Platform case folders whose name starts with `prefix`, sorted.
pub(crate) fn cases(prefix: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(platforms())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no platforms/{prefix}* vectors");
    dirs
}

pub(crate) fn file(rel: &str) -> String {
    vectors().join(rel).display().to_string()
}

/// The flags of a case's request.json, without the command name and the body.
fn flags(case: &Path) -> Vec<String> {
    let request = read_json(&case.join("request.json"));
    let mut args = vec![
        "--profile".to_owned(),
        request["profile"].as_str().unwrap().to_owned(),
        "--now".to_owned(),
        request["now"].to_string(),
    ];
    for sign_type in request["accept"].as_array().unwrap() {
        args.extend(["--sign-type".into(), sign_type.as_str().unwrap().into()]);
    }
    for key in request["keys"].as_array().unwrap() {
        let path = file(key["file"].as_str().unwrap());
        let spec = match key["id"].as_str() {
            Some(id) => format!("{id}={path}"),
            None => path,
        };
        args.extend(["--key".into(), spec]);
    }
    for secret in request["secrets"].as_array().unwrap() {
        args.extend(["--secret-file".into(), file(secret.as_str().unwrap())]);
    }
    for header in request["headers"].as_array().unwrap() {
        let (name, value) = (header[0].as_str().unwrap(), header[1].as_str().unwrap());
        args.extend(["--header".into(), format!("{name}: {value}")]);
    }
    if let Some(ct) = request["content_type"].as_str() {
        args.extend(["--header".into(), format!("Content-Type: {ct}")]);
    }
    if let Some(app_id) = request["app_id"].as_str() {
        args.extend(["--app-id".into(), app_id.into()]);
    }
    if let Some(mch_id) = request["merchant_id"].as_str() {
        args.extend(["--mch-id".into(), mch_id.into()]);
    }
    args
}

fn command(sub: &str, case: &Path, json: bool) -> Vec<String> {
    let mut args = vec![sub.to_owned()];
    if json {
        args.push("--json".into());
    }
    args.extend(flags(case));
    args.push(case.join("body.bin").display().to_string());
    args
}

#[test]
fn every_platform_notification_verifies_with_its_fields() {
    for case in cases("notify_") {
        let expect = read_json(&case.join("expect.json"));
        let got = run(&command("verify", &case, true), b"").expect(0).json();
        for (field, value) in expect["notification"].as_object().unwrap() {
            assert_eq!(
                &got["notification"][field],
                value,
                "{}: {field}",
                case.display()
            );
        }
        let human = run(&command("verify", &case, false), b"").expect(0);
        assert!(human.stdout.starts_with("valid: "), "{}", human.stdout);
    }
}

#[test]
fn every_failing_platform_notification_exits_1_with_its_code() {
    for case in cases("fail_notify_") {
        let expect = read_json(&case.join("expect.json"));
        let code = expect["code"].as_str().unwrap().to_owned();
        let got = run(&command("verify", &case, true), b"").expect(1).json();
        assert_eq!(got["code"], code.as_str(), "{}", case.display());
        if let Some(needle) = expect["message_contains"].as_str() {
            assert!(
                got["message"].as_str().unwrap().contains(needle),
                "{}: {got}",
                case.display()
            );
        }
        let human = run(&command("verify", &case, false), b"").expect(1);
        assert!(
            human.stderr.contains(&format!("[{code}]")),
            "{}",
            human.stderr
        );
    }
}

/// A core error printed by the CLI names the flag to pass, not a Rust builder method or a
/// JavaScript option.
#[test]
fn core_errors_name_flags() {
    let case = platforms().join("fail_notify_wechat_v3_refund_app_id_only");
    let got = run(&command("verify", &case, true), b"").expect(1).json();
    assert_eq!(got["code"], "APP_ID_ABSENT", "{got}");
    let message = got["message"].as_str().unwrap();
    assert!(
        message.contains("configure the merchant id (--mch-id) as well"),
        "{message}"
    );
    assert!(
        !message.contains("merchantId") && !message.contains("::"),
        "{message}"
    );
}

#[test]
fn explain_agrees_with_verify_on_every_platform_vector() {
    for case in cases("notify_") {
        let report = run(&command("explain", &case, true), b"").expect(0).json();
        assert_eq!(report["verified"], true, "{}: {report}", case.display());
    }
    for case in cases("fail_notify_") {
        let report = run(&command("explain", &case, true), b"").expect(1).json();
        assert_eq!(report["verified"], false, "{}: {report}", case.display());
    }
}

#[test]
fn canonical_prints_the_string_to_sign_byte_for_byte() {
    for case in cases("notify_") {
        // canonical takes the profile, the headers and the body.
        let request = read_json(&case.join("request.json"));
        let mut kept = vec!["canonical".to_owned(), "--profile".into()];
        kept.push(request["profile"].as_str().unwrap().into());
        for header in request["headers"].as_array().unwrap() {
            let (name, value) = (header[0].as_str().unwrap(), header[1].as_str().unwrap());
            kept.extend(["--header".into(), format!("{name}: {value}")]);
        }
        if let Some(ct) = request["content_type"].as_str() {
            kept.extend(["--header".into(), format!("Content-Type: {ct}")]);
        }
        kept.extend(["--message".into(), "notification".into()]);
        kept.push(case.join("body.bin").display().to_string());
        let expected = ["string_to_sign.txt", "canonical.txt"]
            .iter()
            .find_map(|f| std::fs::read_to_string(case.join(f)).ok());
        let Some(expected) = expected else { continue };
        let printed = run(&kept, b"").expect(0);
        let text = if request["profile"] == "wechat-v3" || request["profile"] == "standard-webhooks"
        {
            // Exact bytes (stdout is not a terminal): no newline added.
            printed.stdout
        } else {
            printed.stdout.strip_suffix('\n').unwrap().to_owned()
        };
        assert_eq!(text, expected, "{}", case.display());
    }
}

#[test]
fn credentials_the_platforms_need_are_asked_for() {
    let case = platforms().join("notify_wechat_v3_transaction");
    // No APIv3 key: the notification cannot be decrypted (usage error, exit 2) ...
    let mut args = command("verify", &case, true);
    let at = args.iter().position(|a| a == "--secret-file").unwrap();
    args.drain(at..at + 2);
    let got = run(&args, b"").expect(2).json();
    assert_eq!(got["code"], "CREDENTIAL_MISMATCH", "{got}");
    let message = got["message"].as_str().unwrap();
    assert!(
        message.contains("APIv3")
            && message.contains("--secret-file")
            && message.contains("--message request"),
        "{got}"
    );
    // ... but the signature of the same body checks as a response.
    let at = args.iter().position(|a| a == "--app-id").unwrap();
    args.drain(at..at + 2);
    let mut response = args.clone();
    response.insert(2, "request".into());
    response.insert(2, "--message".into());
    let got = run(&response, b"").expect(0).json();
    assert_eq!(got["sign_type"], "RSA2");
    // explain says the signature verifies, and that a verifier without the APIv3 key
    // refuses the notification all the same (never verified when verify refuses).
    let mut explain = args.clone();
    explain[0] = "explain".into();
    let report = run(&explain, b"").expect(1).json();
    assert_eq!(report["verified"], false, "{report}");
    assert_eq!(report["findings"][0]["code"], "NOT_DECRYPTED", "{report}");
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("pass --secret-file (the APIv3 key)"),
        "{report}"
    );

    // A bare public key without its id: wechat-v3 cannot know which serial it is.
    let bare = run(
        &[
            "verify",
            "--profile",
            "wechat-v3",
            "--key",
            &file("platforms/keys/wechatpay_pubkey_public.pem"),
            "--secret-file",
            &file("platforms/keys/apiv3_key.txt"),
            &case.join("body.bin").display().to_string(),
        ],
        b"",
    )
    .expect(2);
    assert!(bare.stderr.contains("PUB_KEY_ID_"), "{}", bare.stderr);

    // A certificate needs no id: its serial is the id Wechatpay-Serial names.
    let mut by_cert = command("verify", &case, true);
    for arg in &mut by_cert {
        if arg.starts_with("5157F09EFDC096DE15EBE81A47057A7232F1B8E1=") {
            *arg = file("platforms/keys/wechatpay_platform_cert.pem");
        }
    }
    run(&by_cert, b"").expect(0);

    // --sign-type may be left out: the profile's default for the credential (the core's
    // policy), here RSA2 for wechat-v3 and for paysign with a key.
    let mut inferred = command("verify", &case, true);
    let at = inferred.iter().position(|a| a == "--sign-type").unwrap();
    inferred.drain(at..at + 2);
    run(&inferred, b"").expect(0);
    let paysign = run(
        &[
            "verify",
            "--json",
            "--key",
            &file("keys/gateway_public_spki.pem"),
            "--now",
            "1795190400",
            &file("notify_paysign_form/body.bin"),
        ],
        b"",
    )
    .expect(0)
    .json();
    assert_eq!(paysign["notification"]["sign_type"], "RSA2", "{paysign}");
    // A credential no sign type of the profile fits names the one to pass.
    let v2 = run(
        &[
            "verify",
            "--json",
            "--profile",
            "wechat-v2",
            "--key",
            &file("keys/gateway_public_spki.pem"),
            &file("notify_wechat_xml_md5/body.bin"),
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(v2["code"], "CREDENTIAL_MISMATCH");
    assert!(
        v2["message"]
            .as_str()
            .unwrap()
            .contains("the wechat-v2 profile has no sign type for an RSA key: pass a shared secret (MD5, HMAC-SHA256)"),
        "{v2}"
    );

    // Standard Webhooks takes secrets, not keys.
    let sw = platforms().join("notify_standard_webhooks_published");
    let mut with_key = command("verify", &sw, true);
    with_key.insert(1, file("keys/gateway_public_spki.pem"));
    with_key.insert(1, "--key".into());
    let refused = run(&with_key, b"").expect(2).json();
    assert_eq!(refused["code"], "CREDENTIAL_MISMATCH", "{refused}");
}

#[test]
fn a_header_given_twice_with_two_values_is_refused() {
    let case = platforms().join("notify_standard_webhooks_published");
    let mut args = command("verify", &case, true);
    let at = args.len() - 1;
    args.insert(at, "webhook-id: msg_other".into());
    args.insert(at, "--header".into());
    let got = run(&args, b"").expect(1).json();
    assert_eq!(got["code"], "PARAM_DUPLICATE");
}
