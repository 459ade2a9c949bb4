//! `sign`, `verify`, `canonical` and `payload` beyond the vectors; usage errors; help texts.

use crate::common::{form, key, run, run_env, vectors};

const NOW: &str = "1795190400";

#[test]
fn sign_outputs_every_format_and_each_verifies() {
    let body = form(&[
        ("app_id", "2026000000000001"),
        ("method", "bill.query"),
        ("item_id", "SH-WATER-01"),
        ("bill_no", "SHW2026110042"),
        ("subject", "水费 <11月> ]]> & more"),
    ]);
    for output in ["form", "json", "xml"] {
        let signed = run(
            &[
                "sign",
                "--sign-type",
                "HMAC-SHA256",
                "--secret-file",
                &key("secret.txt"),
                "--output",
                output,
            ],
            body.as_bytes(),
        )
        .expect(0);
        assert!(!signed.stdout.ends_with('\n'), "exact body, no newline");
        let verified = run(
            &[
                "verify",
                "--json",
                "--message",
                "request",
                "--sign-type",
                "HMAC-SHA256",
                "--secret-file",
                &key("secret.txt"),
                "--format",
                output,
            ],
            signed.stdout.as_bytes(),
        )
        .expect(0)
        .json();
        assert_eq!(verified["sign_type"], "HMAC-SHA256");
        assert_eq!(
            verified["params"]["subject"], "水费 <11月> ]]> & more",
            "{output}"
        );
        assert_eq!(verified["params"]["sign_type"], "HMAC-SHA256");
    }
}

#[test]
fn sign_json_and_secret_from_environment() {
    let body = form(&[
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]);
    let secret = std::fs::read_to_string(key("guide_secret.txt")).unwrap();
    let signed = run_env(
        &[
            "sign",
            "--json",
            "--profile",
            "wechat-v2",
            "--sign-type",
            "md5",
            "--secret-env",
            "WX_KEY",
        ],
        body.as_bytes(),
        &[("WX_KEY", secret.trim_end())],
    )
    .expect(0)
    .json();
    // WeChat Pay v2's own signing guide.
    assert_eq!(signed["signature"], "9A0A8659F005D6984697E2CA0A9CF3B7");
    assert_eq!(
        signed["canonical"],
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
    );

    let unset = run(
        &[
            "sign",
            "--json",
            "--sign-type",
            "MD5",
            "--secret-env",
            "PAYSIGN_TEST_UNSET_VARIABLE",
        ],
        body.as_bytes(),
    )
    .expect(2)
    .json();
    assert_eq!(unset["code"], "USAGE");
}

#[test]
fn input_and_usage_errors_exit_2() {
    let body = form(&[("a", "1")]);
    let private = key("merchant_private_pkcs8.pem");
    let public = key("merchant_public_spki.pem");
    let gateway = key("gateway_public_spki.pem");
    let cases: [(&str, &[&str], &[u8], &str); 6] = [
        (
            "a credential that does not fit the sign type",
            &["sign", "--json", "--sign-type", "MD5", "--key", &private],
            body.as_bytes(),
            "CREDENTIAL_MISMATCH",
        ),
        (
            "a public key cannot sign",
            &["sign", "--json", "--sign-type", "RSA2", "--key", &public],
            body.as_bytes(),
            "KEY_KIND_MISMATCH",
        ),
        (
            "a sign type the profile does not define",
            &[
                "sign",
                "--json",
                "--profile",
                "wechat-v2",
                "--sign-type",
                "RSA2",
                "--key",
                &private,
            ],
            body.as_bytes(),
            "UNSUPPORTED_SIGN_TYPE",
        ),
        (
            "unreadable input",
            &["canonical", "--json", "/nonexistent/body"],
            b"",
            "IO_ERROR",
        ),
        (
            "notification-only checks on a request",
            &[
                "verify",
                "--json",
                "--message",
                "request",
                "--sign-type",
                "RSA2",
                "--key",
                &public,
                "--app-id",
                "1",
            ],
            body.as_bytes(),
            "USAGE",
        ),
        (
            "a malformed --expect-amount",
            &[
                "verify",
                "--json",
                "--sign-type",
                "RSA2",
                "--key",
                &gateway,
                "--expect-amount",
                "67.54",
            ],
            body.as_bytes(),
            "AMOUNT_INVALID",
        ),
    ];
    for (what, args, stdin, code) in cases {
        let out = run(args, stdin).expect(2).json();
        assert_eq!(out["code"], code, "{what}");
    }
    // clap's own errors: exit 2, JSON with --json.
    let no_credential = run(&["verify", "--sign-type", "RSA2"], b"").expect(2);
    assert!(
        no_credential.stderr.contains("--key"),
        "{}",
        no_credential.stderr
    );
    let both = run(
        &[
            "sign",
            "--json",
            "--sign-type",
            "RSA2",
            "--key",
            "a",
            "--secret-file",
            "b",
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(both["code"], "USAGE");
    run(
        &["verify", "--sign-type", "SHA512", "--secret-file", "x"],
        b"",
    )
    .expect(2);
    run(&["canonical", "--profile", "stripe"], b"").expect(2);
    run(&["frobnicate"], b"").expect(2);
}

#[test]
fn canonical_detects_or_forces_the_format() {
    let json = br#"{"b":"2","a":"1","sign":"x","empty":""}"#;
    let detected = run(&["canonical", "--json"], json).expect(0).json();
    assert_eq!(detected["canonical"], "a=1&b=2");
    assert_eq!(detected["format"], "json");
    let xml = b"<xml><b><![CDATA[2]]></b><a>1</a></xml>";
    assert_eq!(run(&["canonical"], xml).expect(0).stdout, "a=1&b=2\n");
    // Forced: the JSON text read as a form body is one field name without a value, which
    // the paysign protocol refuses (docs/protocol.md §1), naming it, and Alipay's HTML
    // forms read as an empty value.
    let forced = run(&["canonical", "--json", "--format", "form"], json)
        .expect(2)
        .json();
    assert_eq!(forced["code"], "BODY_MALFORMED");
    let message = forced["message"].as_str().unwrap();
    assert!(
        message.contains(r#"field `{"b":"2""#) && message.contains("has no `="),
        "{message}"
    );
    let forced = run(
        &[
            "canonical",
            "--json",
            "--format",
            "form",
            "--profile",
            "alipay",
        ],
        json,
    )
    .expect(0)
    .json();
    assert_eq!(forced["canonical"], "");
    assert_eq!(forced["format"], "form");
    // A JSON value that is not a string names its field, in every command that parses
    // `k=v` bodies (exit 2 for bad input; `verify` answers 1, the message is refused).
    let secret = crate::common::key("secret.txt");
    for (args, status) in [
        (vec!["canonical", "--json"], 2),
        (vec!["sign", "--json", "--secret-file", &secret], 2),
        (
            vec![
                "verify",
                "--json",
                "--message",
                "request",
                "--secret-file",
                &secret,
            ],
            1,
        ),
    ] {
        let got = run(&args, br#"{"a":"1","total_amount":6754,"sign":"AB"}"#)
            .expect(status)
            .json();
        assert_eq!(got["code"], "BODY_MALFORMED", "{args:?}: {got}");
        let message = got["message"].as_str().unwrap();
        assert!(
            message.contains("field `total_amount` is the number 6754"),
            "{args:?}: {message}"
        );
    }
    let not_xml = run(&["canonical", "--json", "--format", "xml"], json)
        .expect(2)
        .json();
    assert_eq!(not_xml["code"], "BODY_MALFORMED");
    let header = run(
        &["canonical", "--header", "Content-Type: application/json"],
        b"a=1",
    )
    .expect(2);
    assert!(
        header.stderr.contains("BODY_MALFORMED"),
        "{}",
        header.stderr
    );
    // The alipay notification rule.
    let body = form(&[("a", "1"), ("sign_type", "RSA2"), ("sign", "x")]);
    let request = run(&["canonical", "--profile", "alipay"], body.as_bytes()).expect(0);
    assert_eq!(request.stdout, "a=1&sign_type=RSA2\n");
    let notification = run(
        &[
            "canonical",
            "--profile",
            "alipay",
            "--message",
            "notification",
        ],
        body.as_bytes(),
    )
    .expect(0);
    assert_eq!(notification.stdout, "a=1\n");
}

#[test]
fn payload_notification_verifies_with_the_gateway_key() {
    for (status, extra) in [
        ("SUCCESS", None),
        ("FAIL", Some("fail_code")),
        ("REVERSED", None),
        ("REFUNDED", Some("refund_amount")),
    ] {
        for format in ["form", "json", "xml"] {
            let payload = run(
                &[
                    "payload",
                    "notification",
                    "--key",
                    &key("gateway_private_pkcs8.pem"),
                    "--status",
                    status,
                    "--amount",
                    "12.34",
                    "--now",
                    NOW,
                    "--format",
                    format,
                    "--out-trade-no",
                    "M20261125000001",
                    "--bill-no",
                    "SHW2026110007",
                ],
                b"",
            )
            .expect(0);
            let verified = run(
                &[
                    "verify",
                    "--json",
                    "--sign-type",
                    "RSA2",
                    "--key",
                    &key("gateway_public_spki.pem"),
                    "--app-id",
                    "2026000000000001",
                    "--now",
                    "1795190460",
                    "--expect-amount",
                    "1234",
                ],
                payload.stdout.as_bytes(),
            )
            .expect(0)
            .json();
            let n = &verified["notification"];
            assert_eq!(n["status"], status);
            assert_eq!(n["total_amount"], 1234);
            assert_eq!(n["out_trade_no"], "M20261125000001");
            assert_eq!(n["bill_no"], "SHW2026110007");
            assert_eq!(n["notify_time"], 1795190400);
            let trade_no = n["trade_no"].as_str().unwrap();
            assert!(trade_no.starts_with("T20261121"), "{trade_no}");
            assert_eq!(n["notify_id"], format!("{trade_no}_1"));
            if status == "REFUNDED" {
                assert_eq!(n["refund_amount"], 1234);
            }
            if let Some(field) = extra {
                let json = run(
                    &[
                        "payload",
                        "--json",
                        "notification",
                        "--key",
                        &key("gateway_private_pkcs8.pem"),
                        "--status",
                        status,
                        "--now",
                        NOW,
                    ],
                    b"",
                )
                .expect(0)
                .json();
                assert!(json["params"][field].is_string(), "{status}: {field}");
            }
        }
    }
}

#[test]
fn payload_requests_verify_with_the_merchant_key() {
    for (what, method) in [("order", "order.create"), ("payment", "order.pay")] {
        let json = run(
            &[
                "payload",
                "--json",
                what,
                "--key",
                &key("merchant_private_pkcs8.pem"),
                "--now",
                NOW,
                "--amount",
                "67.54",
                "--notify-url",
                "http://127.0.0.1:9/notify",
            ],
            b"",
        )
        .expect(0)
        .json();
        assert_eq!(json["path"], format!("/gateway/v1/{method}"));
        let params = &json["params"];
        assert_eq!(params["method"], method);
        assert_eq!(params["timestamp"], NOW);
        assert_eq!(params["sign_type"], "RSA2");
        if what == "order" {
            assert_eq!(params["total_amount"], "6754");
            assert_eq!(params["notify_url"], "http://127.0.0.1:9/notify");
        }
        let body = json["body"].as_str().unwrap();
        run(
            &[
                "verify",
                "--message",
                "request",
                "--sign-type",
                "RSA2",
                "--key",
                &key("merchant_public_pkcs1.pem"),
            ],
            body.as_bytes(),
        )
        .expect(0);
    }
    // A secret: HMAC-SHA256 by default.
    let hmac = run(
        &[
            "payload",
            "--json",
            "payment",
            "--secret-file",
            &key("secret.txt"),
            "--now",
            NOW,
        ],
        b"",
    )
    .expect(0)
    .json();
    assert_eq!(hmac["params"]["sign_type"], "HMAC-SHA256");
    // Amounts are parsed exactly, never through floating point.
    let bad = run(
        &[
            "payload",
            "--json",
            "order",
            "--key",
            &key("merchant_private_pkcs8.pem"),
            "--amount",
            "1.234",
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(bad["code"], "AMOUNT_INVALID");
    let big = run(
        &[
            "payload",
            "--json",
            "order",
            "--key",
            &key("merchant_private_pkcs8.pem"),
            "--amount",
            "50000.01",
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(big["code"], "AMOUNT_INVALID");
}

#[test]
fn verify_reports_expired_and_wrong_app_id_notifications() {
    let payload = run(
        &[
            "payload",
            "notification",
            "--key",
            &key("gateway_private_pkcs8.pem"),
            "--now",
            NOW,
        ],
        b"",
    )
    .expect(0)
    .stdout;
    let args = |now: &str, tolerance: &str| {
        vec![
            "verify".to_owned(),
            "--json".into(),
            "--sign-type".into(),
            "RSA2".into(),
            "--key".into(),
            key("gateway_public_spki.pem"),
            "--now".into(),
            now.into(),
            "--tolerance".into(),
            tolerance.into(),
        ]
    };
    // Dated 301 s ahead of the receiver's clock: outside a 300 s tolerance, inside 600 s.
    let early = run(&args("1795190099", "300"), payload.as_bytes())
        .expect(1)
        .json();
    assert_eq!(early["code"], "TIMESTAMP_OUT_OF_WINDOW");
    run(&args("1795190099", "600"), payload.as_bytes()).expect(0);
    // A retried body may be old, up to --max-age (default 26 h), but not older.
    run(&args("1795280000", "300"), payload.as_bytes()).expect(0);
    let mut stale = args("1795190701", "300");
    stale.extend(["--max-age".into(), "300".into()]);
    let stale = run(&stale, payload.as_bytes()).expect(1).json();
    assert_eq!(stale["code"], "TIMESTAMP_OUT_OF_WINDOW");
    let mut wrong = args(NOW, "300");
    wrong.extend(["--app-id".into(), "2026000000000009".into()]);
    assert_eq!(
        run(&wrong, payload.as_bytes()).expect(1).json()["code"],
        "APP_ID_MISMATCH"
    );
    // The system clock is used without --now: a message from 2026-11-21 is stale by then
    // or from the future before; either way outside the window.
    let mut system = args(NOW, "300");
    system.drain(6..8);
    let clock = run(&system, payload.as_bytes());
    if clock.code == 1 {
        assert_eq!(clock.json()["code"], "TIMESTAMP_OUT_OF_WINDOW");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let top = run(&["--help"], b"").expect(0);
    for line in [
        "Exit status:",
        "0  success",
        "1  verification failed",
        "2  usage or input error",
    ] {
        assert!(top.stdout.contains(line), "{line}");
    }
    for command in [
        "keygen",
        "canonical",
        "sign",
        "verify",
        "explain",
        "payload",
        "notify",
        "inspect-key",
    ] {
        let help = run(&[command, "--help"], b"").expect(0);
        assert!(help.stdout.contains("Example"), "{command}");
        assert!(help.stdout.contains("--json"), "{command}");
        assert!(
            help.stdout.contains(&format!("paysign {command}")),
            "{command}"
        );
    }
    // `paysign gateway` and its admin subcommands: tests/cli/gateway.rs.
    assert!(top.stdout.contains("\n  gateway "), "paysign gateway");
}

#[test]
fn commands_that_verify_refuse_a_private_key() {
    let private = key("gateway_private_pkcs8.pem");
    let body = std::fs::read(vectors().join("notify_paysign_form/body.bin")).unwrap();
    let commands: [&[&str]; 3] = [
        &["verify", "--json", "--key", &private, "--now", NOW],
        &[
            "verify",
            "--json",
            "--message",
            "request",
            "--key",
            &private,
        ],
        // The key is read before any connection is made.
        &[
            "gateway",
            "admin",
            "--json",
            "--url",
            "http://127.0.0.1:9",
            "register",
            "--name",
            "m",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--public-key",
            &private,
        ],
    ];
    for args in commands {
        let out = run(args, &body).expect(2).json();
        assert_eq!(out["code"], "KEY_KIND_MISMATCH", "{args:?}: {out}");
        let message = out["message"].as_str().unwrap();
        // The core's phrasing, as the npm package shows it, with the file named.
        assert!(
            message.contains("gateway_private_pkcs8.pem: expected a public key but got a private key: verifying needs the sender's public key"),
            "{args:?}: {message}"
        );
    }
    // The public key of the same pair verifies.
    let public = key("gateway_public_spki.pem");
    run(&["verify", "--key", &public, "--now", NOW], &body).expect(0);
}

#[test]
fn sign_defaults_to_the_profiles_sign_type_for_the_credential() {
    let body = form(&[("app_id", "2026000000000001"), ("method", "bill.query")]);
    let secret_file = std::env::temp_dir().join(format!("paysign-default-{}", std::process::id()));
    std::fs::write(&secret_file, "paysign-test-secret-0123456789abcdef").unwrap();
    let secret = secret_file.display().to_string();
    let private = key("merchant_private_pkcs8.pem");
    let cases: [(&[&str], &str, &str); 4] = [
        (&["--key", &private], "RSA2", "sign_type=RSA2"),
        (
            &["--secret-file", &secret],
            "HMAC-SHA256",
            "sign_type=HMAC-SHA256",
        ),
        (
            &["--profile", "unionpay", "--secret-file", &secret],
            "SHA256",
            "signMethod=11",
        ),
        // MD5 is what WeChat Pay v2 means without sign_type: none is added.
        (
            &["--profile", "wechat-v2", "--secret-file", &secret],
            "MD5",
            "sign=",
        ),
    ];
    for (flags, sign_type, field) in cases {
        let signed = run(&[&["sign", "--json"], flags].concat(), body.as_bytes())
            .expect(0)
            .json();
        assert_eq!(signed["sign_type"], sign_type, "{flags:?}");
        let form = run(
            &[&["sign", "--output", "form"], flags].concat(),
            body.as_bytes(),
        )
        .expect(0)
        .stdout;
        assert!(form.contains(field), "{flags:?}: {form}");
        assert_eq!(
            form.contains("sign_type="),
            field.starts_with("sign_type="),
            "{flags:?}: {form}"
        );
    }
    let v3 = run(
        &[
            "sign",
            "--json",
            "--profile",
            "wechat-v3",
            "--secret-file",
            &secret,
        ],
        body.as_bytes(),
    )
    .expect(2)
    .json();
    assert_eq!(v3["code"], "CREDENTIAL_MISMATCH", "{v3}");
    std::fs::remove_file(&secret_file).unwrap();
}

/// `paysign … | head -c 10`: the reader goes away before the output is written. The command
/// ends quietly with status 0 (no panic, nothing on stderr), human and `--json` alike. The
/// output is larger than a pipe's buffer, so the write meets the closed pipe however the
/// two processes are scheduled.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let big = "x".repeat(256 * 1024);
    let body = crate::common::form(&[("a", "1"), ("big", &big)]);
    for json in [false, true] {
        let mut args = vec!["canonical", "-"];
        if json {
            args.push("--json");
        }
        let mut child = std::process::Command::new(crate::common::BIN)
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(body.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "json {json}: {stderr}");
        assert!(!stderr.contains("panicked"), "json {json}: {stderr}");
        assert_eq!(stderr, "", "json {json}");
    }
}

/// `--secret-file private_key.pem`: a key where the secret goes is refused, with the code
/// every surface uses, before anything is signed with the PEM text as the secret.
#[test]
fn a_key_file_given_as_the_secret_is_refused() {
    let body = form(&[("a", "1")]);
    for key_file in ["merchant_private_pkcs8.pem", "gateway_public_spki.pem"] {
        let run = run(
            &[
                "sign",
                "--json",
                "--sign-type",
                "HMAC-SHA256",
                "--secret-file",
                &key(key_file),
            ],
            body.as_bytes(),
        );
        let doc = run.json();
        assert_eq!(doc["ok"], false, "{key_file}");
        assert_eq!(doc["code"], "SECRET_IS_A_KEY", "{key_file}: {doc}");
        assert_ne!(run.code, 0);
        assert!(!run.stdout.contains("MII"), "no key bytes in the output");
    }
}

#[test]
fn collection_payloads_sign_what_the_gateway_expects_and_refuse_foreign_flags() {
    let merchant_key = key("merchant_private_pkcs8.pem");
    let payload = |args: &[&str]| {
        let mut all = vec!["payload", "--json"];
        all.extend_from_slice(args);
        all.extend(["--key", merchant_key.as_str(), "--now", NOW]);
        run(&all, b"")
    };
    /// The payload's arguments, the method it signs, fields it must carry.
    type Case<'a> = (&'a [&'a str], &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case<'_>; 5] = [
        (
            &[
                "agreement",
                "--out-agreement-no",
                "AG-CLI-0001",
                "--card-no",
                "6222021234567890128",
            ],
            "agreement.sign",
            &[
                ("card_no", "6222021234567890128"),
                ("per_debit_limit", "50000"),
                ("daily_limit", "100000"),
                ("bank_code", "ICBC"),
            ],
        ),
        (
            &[
                "agreement-confirm",
                "--agreement-no",
                "A202611200000000001",
                "--sms-code",
                "042917",
            ],
            "agreement.confirm",
            &[
                ("agreement_no", "A202611200000000001"),
                ("sms_code", "042917"),
            ],
        ),
        (
            &[
                "deduction",
                "--out-agreement-no",
                "AG-CLI-0001",
                "--out-deduction-no",
                "DD-CLI-0001",
                "--amount",
                "120.00",
            ],
            "deduction.create",
            &[("out_agreement_no", "AG-CLI-0001"), ("amount", "12000")],
        ),
        (
            &[
                "plan",
                "--out-agreement-no",
                "AG-CLI-0001",
                "--out-plan-no",
                "PL-CLI-0001",
                "--instalments",
                "2026-11-20:120.00,2026-12-20:80.5",
                "--daily-attempts",
                "1",
            ],
            "plan.create",
            &[
                (
                    "instalments",
                    r#"[{"due_date":"2026-11-20","amount":"12000"},{"due_date":"2026-12-20","amount":"8050"}]"#,
                ),
                ("daily_attempts", "1"),
            ],
        ),
        (
            &[
                "payout",
                "--out-payout-no",
                "PO-CLI-0001",
                "--account-no",
                "6217000012344567",
                "--amount",
                "5000.00",
            ],
            "payout.create",
            &[
                ("account_no", "6217000012344567"),
                ("amount", "500000"),
                ("payee_name", "张伟"),
            ],
        ),
    ];
    for (args, method, expected) in cases {
        let json = payload(args).expect(0).json();
        assert_eq!(json["path"], format!("/gateway/v1/{method}"));
        for (field, value) in expected {
            assert_eq!(json["params"][field], *value, "{method} {field}: {json}");
        }
        run(
            &[
                "verify",
                "--message",
                "request",
                "--sign-type",
                "RSA2",
                "--key",
                &key("merchant_public_pkcs1.pem"),
            ],
            json["body"].as_str().unwrap().as_bytes(),
        )
        .expect(0);
    }
    // A mistyped card digit never leaves the machine; a flag of another kind is a usage error.
    let mistyped = payload(&["agreement", "--card-no", "6222021234567890127"])
        .expect(2)
        .json();
    assert_eq!(mistyped["code"], "FIELD_INVALID", "{mistyped}");
    let usage = |args: &[&str]| payload(args).expect(2).json()["message"].to_string();
    let foreign = usage(&["deduction", "--card-no", "6222021234567890128"]);
    assert!(
        foreign.contains("--card-no is not used by deduction"),
        "{foreign}"
    );
    let on_order = usage(&["order", "--out-plan-no", "PL-CLI-0001"]);
    assert!(on_order.contains("--out-plan-no"), "{on_order}");
    let bad_list = usage(&["plan", "--instalments", "2026-11-20=120"]);
    assert!(bad_list.contains("DUE_DATE:YUAN"), "{bad_list}");
}
