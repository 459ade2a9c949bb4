//! `paysign payload notification` and `paysign notify` for every profile: each test
//! notification verifies with `paysign verify --profile P`, and `notify` delivers it with its
//! headers and reads the platform's acknowledgement.

use crate::common::{key, run, vectors};
use crate::notify::recording_server;

const NOW: &str = "1795190400";
const PUB_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000000";
const CERT_ID: &str = "69042905377";
const SM2_SERIAL: &str = "PUB_KEY_ID_0114232134912410000000000000SM2";

fn platform_key(name: &str) -> String {
    vectors()
        .join("platforms/keys")
        .join(name)
        .display()
        .to_string()
}

/// One way to build a profile's notification, and to verify it.
struct Case {
    profile: &'static str,
    /// The sign type the notification must carry (its `sign_type`, `signMethod` or
    /// `Wechatpay-Signature-Type`), where the profile has several.
    sign_type: Option<&'static str>,
    /// A public key of the same algorithm that did not sign it (`k=v` key-signed profiles).
    other_key: Option<String>,
    /// Credential flags of `payload` / `notify` (besides --profile).
    sign: Vec<String>,
    /// Credential flags of `verify` (besides --profile).
    verify: Vec<String>,
    /// What the platform's acknowledgement looks like, and a refusal.
    ack: (u16, &'static str),
    refusal: (u16, &'static str),
}

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

fn cases() -> Vec<Case> {
    let gateway_private = key("gateway_private_pkcs8.pem");
    let gateway_public = key("gateway_public_spki.pem");
    let wechat_xml_ok = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";
    let wechat_xml_fail = "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[busy]]></return_msg></xml>";
    vec![
        Case {
            profile: "paysign",
            sign_type: Some("RSA2"),
            other_key: Some(key("merchant_public_spki.pem")),
            sign: s(&["--key", &gateway_private]),
            verify: s(&["--key", &gateway_public]),
            ack: (200, "success"),
            refusal: (200, "fail"),
        },
        Case {
            profile: "alipay",
            sign_type: Some("RSA2"),
            other_key: Some(key("merchant_public_spki.pem")),
            sign: s(&["--key", &gateway_private]),
            verify: s(&["--key", &gateway_public]),
            ack: (200, "success"),
            refusal: (200, "failure"),
        },
        // 国密: the same builders with an SM2 key (SM2 with SM3, user id 1234567812345678).
        Case {
            profile: "paysign",
            sign_type: Some("SM2"),
            other_key: Some(platform_key("sm2_merchant_public.pem")),
            sign: s(&["--key", &platform_key("sm2_platform_private.pem")]),
            verify: s(&["--key", &platform_key("sm2_platform_public.pem")]),
            ack: (200, "success"),
            refusal: (200, "fail"),
        },
        Case {
            profile: "alipay",
            sign_type: Some("SM2"),
            other_key: Some(platform_key("sm2_merchant_public.pem")),
            sign: s(&["--key", &platform_key("sm2_platform_private.pem")]),
            verify: s(&["--key", &platform_key("sm2_platform_public.pem")]),
            ack: (200, "success"),
            refusal: (200, "failure"),
        },
        Case {
            profile: "wechat-v2",
            sign_type: None,
            other_key: None,
            sign: s(&["--secret-file", &key("secret.txt")]),
            verify: s(&[
                "--secret-file",
                &key("secret.txt"),
                "--mch-id",
                "1900000109",
            ]),
            ack: (200, wechat_xml_ok),
            refusal: (200, wechat_xml_fail),
        },
        Case {
            profile: "wechat-v3",
            sign_type: Some("WECHATPAY2-SHA256-RSA2048"),
            other_key: None,
            sign: s(&[
                "--key",
                &platform_key("wechatpay_pubkey_private.pem"),
                "--serial-no",
                PUB_KEY_ID,
                "--apiv3-key-file",
                &platform_key("apiv3_key.txt"),
            ]),
            verify: s(&[
                "--key",
                &format!(
                    "{PUB_KEY_ID}={}",
                    platform_key("wechatpay_pubkey_public.pem")
                ),
                "--secret-file",
                &platform_key("apiv3_key.txt"),
                "--mch-id",
                "1900000109",
            ]),
            ack: (204, ""),
            refusal: (500, r#"{"code":"SUCCESS","message":"成功"}"#),
        },
        // WeChat Pay v3's SM scheme: SM2 headers over an AEAD_SM4_GCM resource.
        Case {
            profile: "wechat-v3",
            sign_type: Some("WECHATPAY2-SM2-WITH-SM3"),
            other_key: None,
            sign: s(&[
                "--key",
                &platform_key("sm2_platform_private.pem"),
                "--serial-no",
                SM2_SERIAL,
                "--apiv3-key-file",
                &platform_key("apiv3_key.txt"),
            ]),
            verify: s(&[
                "--key",
                &format!("{SM2_SERIAL}={}", platform_key("sm2_platform_public.pem")),
                "--secret-file",
                &platform_key("apiv3_key.txt"),
                "--mch-id",
                "1900000109",
            ]),
            ack: (204, ""),
            refusal: (500, r#"{"code":"SUCCESS","message":"成功"}"#),
        },
        Case {
            profile: "unionpay",
            sign_type: Some("01"),
            other_key: None,
            sign: s(&[
                "--key",
                &platform_key("unionpay_platform_private.pem"),
                "--cert-id",
                CERT_ID,
            ]),
            verify: s(&[
                "--key",
                &format!("{CERT_ID}={}", platform_key("unionpay_platform_cert.pem")),
            ]),
            ack: (200, "ok"),
            refusal: (503, ""),
        },
        // signMethod 12: SM3 with the secure key.
        Case {
            profile: "unionpay",
            sign_type: Some("12"),
            other_key: None,
            sign: s(&[
                "--secret-file",
                &platform_key("unionpay_secure_key.txt"),
                "--sign-type",
                "SM3",
            ]),
            verify: s(&[
                "--secret-file",
                &platform_key("unionpay_secure_key.txt"),
                "--sign-type",
                "SM3",
            ]),
            ack: (200, "ok"),
            refusal: (503, ""),
        },
        Case {
            profile: "standard-webhooks",
            sign_type: None,
            other_key: None,
            sign: s(&["--secret-file", &platform_key("whsec_published.txt")]),
            verify: s(&["--secret-file", &platform_key("whsec_published.txt")]),
            ack: (200, ""),
            refusal: (400, "no"),
        },
    ]
}

impl Case {
    fn args<'a>(&'a self, head: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = head.to_vec();
        args.extend(["--profile", self.profile]);
        args.extend(self.sign.iter().map(String::as_str));
        args.extend(extra);
        args
    }

    /// `paysign verify --profile P` of a body and its headers: the typed notification.
    fn verify(&self, body: &str, headers: &[(String, String)]) -> serde_json::Value {
        let mut args: Vec<String> = s(&["verify", "--json", "--profile", self.profile]);
        args.extend(self.verify.iter().cloned());
        if self.profile != "standard-webhooks" {
            args.extend(s(&["--app-id", "2026000000000001"]));
        }
        args.extend(s(&["--now", "1795190460"]));
        for (name, value) in headers {
            args.extend(["--header".to_owned(), format!("{name}: {value}")]);
        }
        run(&args, body.as_bytes()).expect(0).json()["notification"].clone()
    }
}

fn headers_of(json: &serde_json::Value) -> Vec<(String, String)> {
    json["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn payload_of_every_profile_verifies_with_that_profile() {
    for case in cases() {
        let what = case.profile;
        let fixed = [
            "--now",
            NOW,
            "--amount",
            "12.34",
            "--out-trade-no",
            "M20261125000001",
            "--trade-no",
            "T202611210000000042",
        ];
        let plain = run(&case.args(&["payload", "notification"], &fixed), b"").expect(0);
        assert!(!plain.stdout.ends_with('\n'), "{what}: exact body");
        let json = run(
            &case.args(&["payload", "--json", "notification"], &fixed),
            b"",
        )
        .expect(0)
        .json();
        assert_eq!(json["ok"], true, "{what}");
        let body = json["body"].as_str().unwrap();
        let headers = headers_of(&json);
        assert_eq!(headers[0].0, "Content-Type", "{what}");
        // The plain output is the same message, headers on stderr.
        if case.profile == "paysign" || case.profile == "alipay" || case.profile == "unionpay" {
            assert!(
                plain
                    .stderr
                    .contains("Content-Type: application/x-www-form-urlencoded")
            );
        }
        for (name, _) in &headers[1..] {
            assert!(
                plain.stderr.contains(&format!("{name}: ")),
                "{what}: {name}"
            );
        }
        let n = case.verify(body, &headers);
        assert_eq!(n["profile"], what);
        assert_eq!(n["notify_id"], json["notify_id"], "{what}");
        if case.profile == "standard-webhooks" {
            let payload: serde_json::Value =
                serde_json::from_str(n["payload"].as_str().unwrap()).unwrap();
            assert_eq!(payload["data"]["amount"], 1234);
            assert_eq!(payload["type"], "payment.succeeded");
            continue;
        }
        assert_eq!(n["status"], "SUCCESS", "{what}");
        assert_eq!(n["total_amount"], 1234, "{what}");
        assert_eq!(n["out_trade_no"], "M20261125000001", "{what}");
        assert_eq!(n["trade_no"], "T202611210000000042", "{what}");
        // It carries the sign type it was built with.
        if let Some(sign_type) = case.sign_type {
            let carried = match case.profile {
                "wechat-v3" => headers
                    .iter()
                    .find(|(name, _)| name == "Wechatpay-Signature-Type")
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default(),
                _ => json["params"][if case.profile == "unionpay" {
                    "signMethod"
                } else {
                    "sign_type"
                }]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            };
            assert_eq!(carried, sign_type, "{what}");
        }
        // Another key of the same algorithm does not verify it: the check can fail.
        if let Some(other) = &case.other_key {
            let mut args = s(&["verify", "--profile", case.profile, "--now", "1795190460"]);
            args.extend(s(&["--key", other]));
            let refused = run(&args, body.as_bytes()).expect(1);
            assert!(
                refused.stderr.contains("SIGNATURE_MISMATCH"),
                "{what}: {}",
                refused.stderr
            );
        }
    }
}

#[test]
fn notify_delivers_each_profile_and_reads_its_acknowledgement() {
    for case in cases() {
        let what = case.profile;
        let (url, server) = recording_server(vec![case.refusal, case.ack]);
        let result = run(
            &case.args(
                &["notify", "--json"],
                &["--url", &url, "--retries", "1", "--now", NOW],
            ),
            b"",
        )
        .expect(0)
        .json();
        let received = server.join().unwrap();
        assert_eq!(result["acknowledged"], true, "{what}");
        let attempts = result["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 2, "{what}: the refusal is retried");
        assert_eq!(attempts[0]["acknowledged"], false, "{what}");
        assert_eq!(received.len(), 2);
        // Sent with its headers, byte-identical on the retry, and valid.
        assert_eq!(received[0].body, received[1].body, "{what}");
        let sent = headers_of(&result);
        for (name, value) in &sent {
            assert_eq!(received[1].header(name), value, "{what}: {name}");
        }
        let n = case.verify(&received[1].body, &sent);
        assert_eq!(n["notify_id"], result["notify_id"], "{what}");
    }
}

/// An event no verifier would accept is refused before anything is built, naming the flag.
#[test]
fn an_event_no_verifier_accepts_is_a_usage_error_naming_the_flag() {
    let gateway = key("gateway_private_pkcs8.pem");
    for (flag, value) in [
        ("--trade-no", " T1"),
        ("--out-trade-no", ""),
        ("--notify-id", "N\u{1}"),
        ("--now", "-1"),
    ] {
        let refused = run(
            &[
                "payload",
                "--json",
                "notification",
                "--key",
                &gateway,
                &format!("{flag}={value}"),
            ],
            b"",
        )
        .expect(2)
        .json();
        assert_eq!(refused["code"], "FIELD_INVALID", "{flag}: {refused}");
        let message = refused["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{flag} is invalid")),
            "{message}"
        );
    }
}

#[test]
fn a_refused_notification_exits_1_for_every_profile() {
    for case in cases() {
        let (url, server) = recording_server(vec![case.refusal]);
        let failed = run(
            &case.args(&["notify", "--json"], &["--url", &url, "--retries", "0"]),
            b"",
        )
        .expect(1)
        .json();
        server.join().unwrap();
        assert_eq!(failed["code"], "NOT_ACKNOWLEDGED", "{}", case.profile);
        assert!(
            failed["message"]
                .as_str()
                .unwrap()
                .contains("expected a 2xx status"),
            "{failed}"
        );
    }
}

#[test]
fn a_flag_the_profile_cannot_use_is_a_usage_error_naming_the_right_one() {
    let gateway = key("gateway_private_pkcs8.pem");
    let apiv3 = platform_key("apiv3_key.txt");
    for (args, says) in [
        (
            vec![
                "--profile",
                "wechat-v3",
                "--key",
                &gateway,
                "--apiv3-key-file",
                &apiv3,
            ],
            "--serial-no",
        ),
        (
            vec![
                "--profile",
                "wechat-v3",
                "--key",
                &gateway,
                "--serial-no",
                "S",
            ],
            "--apiv3-key-file",
        ),
        (
            vec!["--profile", "unionpay", "--key", &gateway],
            "--cert-id",
        ),
        (
            vec!["--profile", "alipay", "--key", &gateway, "--serial-no", "S"],
            "--serial-no (--cert-id) applies to wechat-v3 or unionpay notifications, not alipay",
        ),
        (
            vec!["--profile", "alipay", "--key", &gateway, "--bill-no", "B"],
            "--bill-no applies to paysign",
        ),
        (
            vec![
                "--profile",
                "wechat-v2",
                "--secret-file",
                &apiv3,
                "--notify-id",
                "N",
            ],
            "--trade-no",
        ),
        (
            vec!["--profile", "alipay", "--key", &gateway, "--status", "FAIL"],
            "alipay sends no FAIL",
        ),
        (
            vec![
                "--profile",
                "wechat-v2",
                "--secret-file",
                &apiv3,
                "--format",
                "json",
            ],
            "wechat-v2 sends xml notifications",
        ),
    ] {
        let mut full = vec!["payload", "notification"];
        full.extend(&args);
        let result = run(&full, b"").expect(2);
        assert!(result.stderr.contains(says), "{args:?}: {}", result.stderr);
        assert!(result.stdout.is_empty(), "{args:?}: no plausible output");
    }
    let order = run(
        &["payload", "order", "--profile", "alipay", "--key", &gateway],
        b"",
    )
    .expect(2);
    assert!(
        order.stderr.contains("paysign requests"),
        "{}",
        order.stderr
    );
}

#[test]
fn help_has_an_example_per_profile_family() {
    for command in ["payload", "notify"] {
        let help = run(&[command, "--help"], b"").expect(0).stdout;
        for profile in [
            "alipay",
            "wechat-v2",
            "wechat-v3",
            "unionpay",
            "standard-webhooks",
        ] {
            assert!(
                help.contains(&format!("paysign {command} "))
                    && help.contains(&format!("--profile {profile} ")),
                "{command}: {profile}"
            );
        }
        assert!(!help.contains("fresh nonce"), "{command}");
    }
    let notify = run(&["notify", "--help"], b"").expect(0).stdout;
    assert!(notify.contains("byte for byte identical"));
}
