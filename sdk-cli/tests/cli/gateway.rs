//! `paysign gateway` and `paysign gateway admin`: the real binary serving the mock gateway
//! in a child process on 127.0.0.1:0, driven by admin commands and signed requests, then
//! stopped with SIGTERM. Every child is killed when its guard drops, even on a failed
//! assertion.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{BIN, ChildGuard, Gateway, Run, key, run, run_env, wait_for};

/// The mock gateway's clock in these tests: 2026-11-20T10:00:00+08:00.
const T0: i64 = 1_795_140_000;

/// Runs `paysign args...` that must exit by itself within 30 s (killed otherwise).
fn run_bounded(args: &[&str]) -> Run {
    let child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(child);
    let status = wait_for(&mut guard.0, Duration::from_secs(30))
        .unwrap_or_else(|| panic!("paysign {args:?} still running after 30 s"));
    let mut stdout = String::new();
    let mut stderr = String::new();
    guard
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    guard
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Run {
        code: status.code().expect("exited normally"),
        stdout,
        stderr,
    }
}

/// A loopback port with nothing listening (bound once, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Builds a signed request with `paysign payload` and POSTs it to the gateway.
fn post_signed(gateway: &Gateway, payload_args: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json", "payload"];
    args.extend_from_slice(payload_args);
    let payload = run(&args, b"").expect(0).json();
    let url = format!("{}{}", gateway.url, payload["path"].as_str().unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header("Content-Type", payload["content_type"].as_str().unwrap())
        .send(payload["body"].as_str().unwrap().as_bytes())
        .unwrap();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap();
    assert_eq!(status, 200, "{url}: {body}\n{}", gateway.stderr());
    serde_json::from_str(&body).unwrap()
}

#[test]
fn serves_the_admin_api_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = Gateway::start(
        dir.path(),
        &[
            "--clock",
            "manual",
            "--clock-start",
            "2026-11-20T10:00:00+08:00",
            "--gateway-key",
            &key("gateway_private_pkcs8.pem"),
        ],
    );
    assert!(
        gateway.url.starts_with("http://127.0.0.1:"),
        "{}",
        gateway.line
    );
    assert_eq!(
        gateway.line,
        format!(
            "paysign gateway listening on {0} (admin API: {0}/admin/, admin token: {1}, db: in-memory)",
            gateway.url,
            gateway.token_file.as_ref().unwrap().display()
        )
    );

    // Merchant: register (the app_id alone on stdout), approve (the gateway key), show.
    let registered = gateway
        .admin(&[
            "register",
            "--name",
            "Test merchant",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--public-key",
            &key("merchant_public_spki.pem"),
        ])
        .expect(0);
    let app_id = registered.stdout.trim().to_owned();
    assert!(
        app_id.len() == 16 && app_id.starts_with("2026"),
        "{app_id:?}"
    );
    let approved = gateway.admin(&["approve", &app_id]).expect(0);
    let expected_key =
        std::fs::read_to_string(crate::common::vectors().join("keys/gateway_public_spki.pem"))
            .unwrap();
    assert_eq!(approved.stdout.trim(), expected_key.trim());
    let merchant = gateway.admin(&["merchant", &app_id]).expect(0);
    assert!(merchant.stdout.contains("APPROVED"), "{}", merchant.stdout);
    assert!(
        merchant.stdout.contains("Test merchant"),
        "{}",
        merchant.stdout
    );
    let merchant = gateway
        .admin(&["--json", "merchant", &app_id])
        .expect(0)
        .json();
    assert_eq!(merchant["ok"], true);
    assert_eq!(merchant["sign_types"], serde_json::json!(["RSA2"]));

    // A bill, then an order for it paid with signed requests.
    let bill = gateway
        .admin(&[
            "add-bill",
            "--item",
            "SH-WATER-01",
            "--bill-no",
            "SHW2026119901",
            "--amount-yuan",
            "12.34",
        ])
        .expect(0);
    assert_eq!(
        bill.stdout.trim(),
        "created bill SHW2026119901 of SH-WATER-01: 1234 fen (12.34 yuan), UNPAID"
    );
    let notify_url = format!("http://127.0.0.1:{}/notify", closed_port());
    let order_args = |now: &str| {
        vec![
            "--key".to_owned(),
            key("merchant_private_pkcs8.pem"),
            "--app-id".to_owned(),
            app_id.clone(),
            "--now".to_owned(),
            now.to_owned(),
            "--out-trade-no".to_owned(),
            "M20261120000001".to_owned(),
            "--bill-no".to_owned(),
            "SHW2026119901".to_owned(),
            "--amount".to_owned(),
            "12.34".to_owned(),
            "--notify-url".to_owned(),
            notify_url.clone(),
        ]
    };
    let mut create = vec!["order".to_owned()];
    create.extend(order_args(&T0.to_string()));
    let created = post_signed(
        &gateway,
        &create.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(created["code"], "SUCCESS", "{created}");
    let trade_no = created["trade_no"].as_str().unwrap().to_owned();
    let mut pay = vec!["payment".to_owned()];
    pay.extend(order_args(&(T0 + 1).to_string()));
    let paid = post_signed(
        &gateway,
        &pay.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(paid["status"], "SUCCESS", "{paid}");

    // The merchant endpoint is down: moving the clock 15 s runs the second attempt.
    let clock = gateway.admin(&["clock", "--advance", "15s"]).expect(0);
    assert!(
        clock
            .stdout
            .starts_with("now 1795140015 (2026-11-20T10:00:15+08:00), manual clock;"),
        "{}",
        clock.stdout
    );
    let listed = gateway
        .admin(&["--json", "notifications", "--trade-no", &trade_no])
        .expect(0)
        .json();
    let events = listed["notifications"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{listed}");
    assert_eq!(events[0]["state"], "PENDING");
    assert_eq!(events[0]["notify_url"], notify_url.as_str());
    let attempts = events[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{listed}");
    assert!(
        attempts.iter().all(|a| a["result"] == "CONNECT_ERROR"),
        "{listed}"
    );
    let human = gateway.admin(&["notifications"]).expect(0);
    assert!(
        human
            .stdout
            .starts_with(&format!("{trade_no}_1  SUCCESS  PENDING  trade {trade_no}")),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("attempt 2"), "{}", human.stdout);

    // Order, outcome override and discrepancies.
    let order = gateway.admin(&["order", &trade_no]).expect(0);
    assert!(
        order.stdout.contains("1234 fen (12.34 yuan)"),
        "{}",
        order.stdout
    );
    let refused = gateway.admin(&["set-outcome", &trade_no, "fail"]).expect(2);
    assert!(
        refused.stderr.starts_with("error[ORDER_STATE_INVALID]"),
        "{}",
        refused.stderr
    );
    let added = gateway
        .admin(&[
            "discrepancy",
            "add",
            "--kind",
            "DROP",
            "--trade-no",
            &trade_no,
        ])
        .expect(0);
    assert_eq!(
        added.stdout.trim(),
        format!("discrepancy 1: DROP of {trade_no} (scope BOTH)")
    );
    let list = gateway.admin(&["discrepancy", "list"]).expect(0);
    assert_eq!(
        list.stdout.trim(),
        format!("1: DROP of {trade_no} (scope BOTH)")
    );

    // API errors: exit 2 with the API's code.
    let missing = gateway
        .admin(&["--json", "set-outcome", "T209901010000000001", "SUCCESS"])
        .expect(2)
        .json();
    assert_eq!(missing["code"], "ORDER_NOT_FOUND");
    assert_eq!(missing["http_status"], 404);
    let unknown = gateway.admin(&["merchant", "2026999999999999"]).expect(2);
    assert!(
        unknown.stderr.starts_with("error[APP_ID_UNKNOWN]"),
        "{}",
        unknown.stderr
    );

    let (status, took) = gateway.stop();
    assert_eq!(status.code(), Some(0), "{}", gateway.stderr());
    assert!(took < Duration::from_secs(5), "stopping took {took:?}");
    assert!(
        gateway.stderr().contains("SIGTERM received"),
        "{}",
        gateway.stderr()
    );
}

#[test]
fn a_db_file_keeps_merchants_keys_and_the_clock_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.sqlite");
    let db = db.to_str().unwrap();
    let mut first = Gateway::start(
        dir.path(),
        &[
            "--db",
            db,
            "--clock",
            "manual",
            "--clock-start",
            &T0.to_string(),
        ],
    );
    assert!(
        first.line.ends_with(&format!("db: {db})")),
        "{}",
        first.line
    );
    // The gateway takes 32-64 alphanumeric secrets; private files are kept mode 0600.
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "k3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3y\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let secret_path = secret.to_str().unwrap();
    let app_id = first
        .admin(&[
            "register",
            "--name",
            "Persistent merchant",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--secret-file",
            secret_path,
        ])
        .expect(0)
        .stdout
        .trim()
        .to_owned();
    let key_file = dir.path().join("gateway_public.pem");
    let key_path = key_file.to_str().unwrap();
    let approved = first
        .admin(&["approve", &app_id, "--out", key_path])
        .expect(0);
    assert!(approved.stdout.contains(key_path), "{}", approved.stdout);
    let gateway_key = std::fs::read_to_string(&key_file).unwrap();
    assert!(gateway_key.starts_with("-----BEGIN PUBLIC KEY-----"));
    // --out never overwrites without --force.
    let exists = first
        .admin(&["--json", "approve", &app_id, "--out", key_path])
        .expect(2)
        .json();
    assert_eq!(exists["code"], "FILE_EXISTS");
    first.admin(&["clock", "--advance", "60"]).expect(0);
    let (status, _) = first.stop();
    assert_eq!(status.code(), Some(0), "{}", first.stderr());
    drop(first);

    // Same file, no --clock-start: the merchant, the gateway key and the clock are back.
    let mut second = Gateway::start(dir.path(), &["--json", "--db", db, "--clock", "manual"]);
    let line: serde_json::Value = serde_json::from_str(&second.line).unwrap();
    assert_eq!(line["ok"], true);
    assert_eq!(line["db"], db);
    assert_eq!(line["admin_url"], format!("{}/admin/", second.url));
    let merchant = second
        .admin(&["--json", "merchant", &app_id])
        .expect(0)
        .json();
    assert_eq!(merchant["name"], "Persistent merchant");
    assert_eq!(merchant["status"], "APPROVED");
    assert_eq!(merchant["has_secret"], true);
    assert_eq!(merchant["sign_types"], serde_json::json!(["HMAC-SHA256"]));
    let again = second
        .admin(&["approve", &app_id, "--out", key_path, "--force"])
        .expect(0);
    assert!(again.stdout.contains("approved"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), gateway_key);
    let clock = second.admin(&["--json", "clock"]).expect(0).json();
    assert_eq!(clock["now"], T0 + 60);
    assert_eq!(clock["mode"], "manual");
    let (status, _) = second.stop();
    assert_eq!(status.code(), Some(0), "{}", second.stderr());
}

#[test]
fn an_sm2_merchant_gets_the_gateway_sm2_key_and_sm2_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = Gateway::start(
        dir.path(),
        &["--clock", "manual", "--clock-start", &T0.to_string()],
    );
    let sm2 = |name: &str| {
        crate::common::vectors()
            .join("platforms/keys")
            .join(name)
            .display()
            .to_string()
    };
    fn register<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "register",
            "--name",
            "国密商户",
            "--notify-url",
            "http://127.0.0.1:9/notify",
        ];
        args.extend_from_slice(extra);
        args
    }

    // An SM2 key for RSA2 is the gateway's FIELD_INVALID (exit 2).
    let public = sm2("sm2_merchant_public.pem");
    let mut args = vec!["--json"];
    args.extend(register(&["--sign-types", "RSA2", "--public-key", &public]));
    let refused = gateway.admin(&args).expect(2).json();
    assert_eq!(refused["code"], "FIELD_INVALID");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("sign type RSA2 needs an RSA key, not an SM2 key"),
        "{refused}"
    );

    // Without --sign-types an SM2 key registers for SM2 (the profile's default).
    let app_id = gateway
        .admin(&register(&["--public-key", &public]))
        .expect(0)
        .stdout
        .trim()
        .to_owned();
    let merchant = gateway
        .admin(&["--json", "merchant", &app_id])
        .expect(0)
        .json();
    assert_eq!(merchant["sign_types"], serde_json::json!(["SM2"]));

    // Approval hands out the gateway's SM2 key, the one `gateway-key` shows under SM2.
    let sm2_file = dir.path().join("gateway_sm2.pem");
    let sm2_path = sm2_file.to_str().unwrap();
    let approved = gateway
        .admin(&["approve", &app_id, "--out", sm2_path])
        .expect(0);
    assert_eq!(
        approved.stdout.trim(),
        format!("approved {app_id}; gateway SM2 public key written to {sm2_path}")
    );
    let sm2_pem = std::fs::read_to_string(&sm2_file).unwrap();
    let keys = gateway.admin(&["--json", "gateway-key"]).expect(0).json();
    assert_eq!(keys["ok"], true);
    assert_eq!(keys["sm2"]["public_key"], sm2_pem.as_str());
    assert_ne!(keys["public_key"], sm2_pem.as_str());
    let shown = gateway.admin(&["gateway-key"]).expect(0).stdout;
    assert!(shown.starts_with("RSA2 key  fingerprint "), "{shown}");
    let sm2_line = format!(
        "SM2 key   fingerprint {}\n{sm2_pem}",
        keys["sm2"]["fingerprint"].as_str().unwrap()
    );
    assert!(shown.contains(&sm2_line), "{shown}");
    let only = gateway
        .admin(&["gateway-key", "--sign-type", "sm2"])
        .expect(0);
    assert_eq!(only.stdout, sm2_pem);
    let rsa_file = dir.path().join("gateway_rsa2.pem");
    let rsa_path = rsa_file.to_str().unwrap();
    gateway
        .admin(&["gateway-key", "--sign-type", "RSA2", "--out", rsa_path])
        .expect(0);
    assert_eq!(
        std::fs::read_to_string(&rsa_file).unwrap(),
        keys["public_key"]
    );

    // `paysign payload` signs with SM2 for an SM2 key; the gateway answers with SM2, and
    // `paysign verify` checks the answer with the gateway's SM2 key, not its RSA2 key.
    let created = post_signed(
        &gateway,
        &[
            "order",
            "--key",
            &sm2("sm2_merchant_private.pem"),
            "--app-id",
            &app_id,
            "--now",
            &T0.to_string(),
            "--out-trade-no",
            "M20261120000002",
        ],
    );
    assert_eq!(created["code"], "SUCCESS", "{created}");
    assert_eq!(created["sign_type"], "SM2");
    let answer = dir.path().join("answer.json");
    std::fs::write(&answer, created.to_string()).unwrap();
    let verify = |key: &str| {
        run(
            &[
                "--json",
                "verify",
                "--message",
                "request",
                "--key",
                key,
                "--header",
                "Content-Type: application/json",
                answer.to_str().unwrap(),
            ],
            b"",
        )
    };
    let valid = verify(sm2_path).expect(0).json();
    assert_eq!(valid["sign_type"], "SM2");
    assert_eq!(valid["params"]["app_id"], app_id.as_str());
    verify(rsa_path).expect(1);

    let (status, _) = gateway.stop();
    assert_eq!(status.code(), Some(0), "{}", gateway.stderr());
}

/// An HTTP GET of `url` with an optional `Authorization` value: the status and the body.
fn http_get(url: &str, authorization: Option<&str>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let mut response = request.call().unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
#[cfg(unix)]
fn the_admin_token_is_asked_for_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("run");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let runtime = runtime.to_str().unwrap();
    let elsewhere = elsewhere.to_str().unwrap();

    // Neither a flag nor the variable: a new token in the port's default file, 0600.
    let mut gateway = Gateway::start_env(
        dir.path(),
        &["--log-level", "trace"],
        &[
            ("XDG_RUNTIME_DIR", runtime),
            ("PAYSIGN_GATEWAY_ADMIN_TOKEN", ""),
        ],
        Duration::from_secs(60),
    );
    let port = gateway.url.rsplit(':').next().unwrap().to_owned();
    let file = std::path::Path::new(runtime).join(format!("paysign/gateway-{port}.admin-token"));
    assert!(
        gateway
            .line
            .contains(&format!("admin token: {}, ", file.display())),
        "{}",
        gateway.line
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let token = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert_eq!(token.len(), 43, "{token:?}");

    // The admin API: refused without the token or with another one, served with it.
    let clock = format!("{}/admin/clock", gateway.url);
    for refused in [None, Some("Bearer not-the-admin-token-0123")] {
        let (status, body) = http_get(&clock, refused);
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("ADMIN_TOKEN_INVALID"), "{body}");
    }
    assert_eq!(http_get(&clock, Some(&format!("Bearer {token}"))).0, 200);
    assert_eq!(http_get(&format!("{}/healthz", gateway.url), None).0, 200);

    // `paysign gateway admin` finds the default file by the port of --url...
    let admin = |env: &[(&str, &str)]| {
        run_env(
            &["gateway", "admin", "--url", &gateway.url, "clock"],
            b"",
            env,
        )
    };
    admin(&[
        ("XDG_RUNTIME_DIR", runtime),
        ("PAYSIGN_GATEWAY_ADMIN_TOKEN", ""),
    ])
    .expect(0);
    // ...and without it is refused, with where it looked.
    let lost = admin(&[
        ("XDG_RUNTIME_DIR", elsewhere),
        ("PAYSIGN_GATEWAY_ADMIN_TOKEN", ""),
    ])
    .expect(2);
    assert!(
        lost.stderr.starts_with("error[ADMIN_TOKEN_INVALID]")
            && lost.stderr.contains("--admin-token-file"),
        "{}",
        lost.stderr
    );
    let wrong = admin(&[
        ("XDG_RUNTIME_DIR", elsewhere),
        ("PAYSIGN_GATEWAY_ADMIN_TOKEN", "not-the-admin-token-0123"),
    ])
    .expect(2);
    assert!(
        wrong.stderr.starts_with("error[ADMIN_TOKEN_INVALID]"),
        "{}",
        wrong.stderr
    );
    admin(&[
        ("XDG_RUNTIME_DIR", elsewhere),
        ("PAYSIGN_GATEWAY_ADMIN_TOKEN", &token),
    ])
    .expect(0);
    // A token file given to the client: the same answer.
    gateway.token_file = Some(file.clone());
    gateway.admin(&["clock"]).expect(0);

    // A graceful stop removes the file it wrote; nothing it printed holds the token.
    let (status, _) = gateway.stop();
    assert_eq!(status.code(), Some(0), "{}", gateway.stderr());
    assert!(!file.exists());
    let printed = format!("{}\n{}", gateway.line, gateway.stderr());
    assert!(
        printed.contains("admin handler") || printed.contains("listening"),
        "{printed}"
    );
    assert!(!printed.contains(&token), "{printed}");

    // The token from the environment: no file, the line says so, the log never shows it.
    let chosen = "chosen-admin-token-0123456789";
    let mut gateway = Gateway::start_env(
        dir.path(),
        &["--log-level", "trace"],
        &[
            ("XDG_RUNTIME_DIR", elsewhere),
            ("PAYSIGN_GATEWAY_ADMIN_TOKEN", chosen),
        ],
        Duration::from_secs(60),
    );
    assert!(
        gateway
            .line
            .contains("admin token: from $PAYSIGN_GATEWAY_ADMIN_TOKEN, "),
        "{}",
        gateway.line
    );
    assert_eq!(
        http_get(
            &format!("{}/admin/clock", gateway.url),
            Some(&format!("Bearer {chosen}"))
        )
        .0,
        200
    );
    assert_eq!(std::fs::read_dir(elsewhere).unwrap().count(), 0);
    gateway.stop();
    assert!(!format!("{}\n{}", gateway.line, gateway.stderr()).contains(chosen));

    // --admin-token-file that exists is read; a malformed one stops the start.
    let given = dir.path().join("given.token");
    std::fs::write(&given, "given-admin-token-0123456789\n").unwrap();
    let given_arg = given.to_str().unwrap();
    let mut gateway = Gateway::start(dir.path(), &["--admin-token-file", given_arg]);
    let (status, _) = http_get(
        &format!("{}/admin/clock", gateway.url),
        Some("Bearer given-admin-token-0123456789"),
    );
    assert_eq!(status, 200);
    gateway.stop();
    assert!(given.exists(), "a given file is the operator's: kept");
    std::fs::write(&given, "short\n").unwrap();
    let bad = run_bounded(&["gateway", "--port", "0", "--admin-token-file", given_arg]).expect(2);
    assert!(
        bad.stderr.contains("16 to 256 characters"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_non_loopback_bind_needs_allow_remote() {
    let refused = run_bounded(&["gateway", "--bind", "0.0.0.0", "--port", "0"]).expect(2);
    assert!(
        refused
            .stderr
            .starts_with("error[USAGE]: refusing to listen on 0.0.0.0"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--allow-remote"),
        "{}",
        refused.stderr
    );
    let doc = run_bounded(&["--json", "gateway", "--bind", "0.0.0.0", "--port", "0"])
        .expect(2)
        .json();
    assert_eq!(doc["code"], "USAGE");
    assert!(doc["message"].as_str().unwrap().contains("--allow-remote"));
}

#[test]
fn admin_usage_and_unreachable_gateways_exit_2() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let down = run(&["--json", "gateway", "admin", "--url", &url, "clock"], b"")
        .expect(2)
        .json();
    assert_eq!(down["code"], "GATEWAY_UNREACHABLE");
    // One of --public-key / --secret-file is required.
    run(
        &[
            "gateway",
            "admin",
            "--url",
            &url,
            "register",
            "--name",
            "N",
            "--notify-url",
            "http://x",
        ],
        b"",
    )
    .expect(2);
    // --amount and --amount-yuan exclude each other; a bad yuan amount is the core's error.
    let both = [
        "gateway",
        "admin",
        "--url",
        &url,
        "add-bill",
        "--item",
        "I",
        "--bill-no",
        "B",
        "--amount",
        "1",
        "--amount-yuan",
        "1",
    ];
    run(&both, b"").expect(2);
    let bad = run(
        &[
            "--json",
            "gateway",
            "admin",
            "--url",
            &url,
            "add-bill",
            "--item",
            "I",
            "--bill-no",
            "B",
            "--amount-yuan",
            "1.234",
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(bad["code"], "AMOUNT_INVALID");
    // Serving and admin flags do not mix; schedules are checked before starting.
    run_bounded(&["gateway", "--port", "0", "admin", "clock"]).expect(2);
    let schedule = run_bounded(&["gateway", "--port", "0", "--retry-schedule", "15s,0s"]).expect(2);
    assert!(
        schedule.stderr.contains("positive intervals"),
        "{}",
        schedule.stderr
    );
}

#[test]
fn every_gateway_command_has_help_with_an_example() {
    let commands: [&[&str]; 30] = [
        &["gateway"],
        &["gateway", "admin"],
        &["gateway", "admin", "register"],
        &["gateway", "admin", "approve"],
        &["gateway", "admin", "reject"],
        &["gateway", "admin", "merchant"],
        &["gateway", "admin", "add-bill"],
        &["gateway", "admin", "order"],
        &["gateway", "admin", "set-outcome"],
        &["gateway", "admin", "notifications"],
        &["gateway", "admin", "clock"],
        &["gateway", "admin", "gateway-key"],
        &["gateway", "admin", "discrepancy"],
        &["gateway", "admin", "discrepancy", "add"],
        &["gateway", "admin", "discrepancy", "list"],
        &["gateway", "admin", "discrepancy", "remove"],
        &["gateway", "admin", "agreement"],
        &["gateway", "admin", "deduction"],
        &["gateway", "admin", "debits"],
        &["gateway", "admin", "channels"],
        &["gateway", "admin", "channel"],
        &["gateway", "admin", "pin"],
        &["gateway", "admin", "plan"],
        &["gateway", "admin", "payout"],
        &["gateway", "admin", "exceptions"],
        &["gateway", "admin", "resolve"],
        &["gateway", "admin", "alipay-trade"],
        &["gateway", "admin", "wechatpay-merchant"],
        &["gateway", "admin", "alipay-certificates"],
        &["gateway", "admin", "wechatpay-order"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let help = run(&args, b"").expect(0);
        let name = command.join(" ");
        let example = help
            .stdout
            .split_once("Example:")
            .unwrap_or_else(|| panic!("{name}: no example"))
            .1;
        let word = command.last().unwrap();
        assert!(
            example.contains("$ paysign gateway") && example.contains(word),
            "{name}: the example does not show the command\n{example}"
        );
    }
}

#[test]
fn channel_commands_rehearse_an_outage_a_window_and_a_pin() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = Gateway::start(dir.path(), &["--clock", "manual"]);
    let listed = gateway.admin(&["channels"]).expect(0);
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "CH-BANK  up    healthy    99.50% accepted  fee 20 bps  limit 50000000 fen/day  position 5000000 fen  calls 0/0",
            "CH-EPAY  up    healthy    99.00% accepted  fee 35 bps  limit 200000000 fen/day  position 2000000 fen  calls 0/0",
        ],
        "{}",
        listed.stdout
    );
    let down = gateway
        .admin(&[
            "channel",
            "CH-BANK",
            "--outage",
            "on",
            "--maintenance",
            "23:30-00:30",
        ])
        .expect(0);
    assert_eq!(
        down.stdout.trim_end(),
        "CH-BANK  DOWN  healthy    99.50% accepted  fee 20 bps  limit 50000000 fen/day  position 5000000 fen  calls 0/0  maintenance 23:30-00:30"
    );
    let json = gateway
        .admin(&[
            "--json",
            "channel",
            "CH-BANK",
            "--maintenance",
            "off",
            "--success-rate",
            "0.25",
        ])
        .expect(0)
        .json();
    assert_eq!(
        (json["ok"].as_bool(), json["success_rate_bps"].as_i64()),
        (Some(true), Some(2_500))
    );
    assert_eq!(json["maintenance_start"], serde_json::Value::Null);
    let topped = gateway
        .admin(&["--json", "channel", "CH-EPAY", "--top-up", "1000000"])
        .expect(0)
        .json();
    assert_eq!(topped["position"], 3_000_000);
    let bad = gateway.admin(&["channel", "CH-BANK", "--success-rate", "2"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let unknown = gateway.admin(&["channel", "CH-NONE", "--outage", "on"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("CHANNEL_NOT_FOUND"),
        "{}",
        unknown.stderr
    );
    // Pinning needs a merchant the gateway has.
    let nobody = gateway.admin(&["pin", "2026000000000001", "CH-EPAY"]);
    assert!(
        nobody.stderr.contains("APP_ID_UNKNOWN"),
        "{}",
        nobody.stderr
    );
    let app_id = gateway
        .admin(&[
            "register",
            "--name",
            "Pinned merchant",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--public-key",
            &key("merchant_public_spki.pem"),
        ])
        .expect(0)
        .stdout
        .trim()
        .to_owned();
    let pinned = gateway.admin(&["pin", &app_id, "CH-EPAY"]).expect(0);
    assert_eq!(
        pinned.stdout.trim_end(),
        format!("{app_id} pinned to CH-EPAY")
    );
    let unpinned = gateway.admin(&["pin", &app_id, "--none"]).expect(0);
    assert_eq!(unpinned.stdout.trim_end(), format!("{app_id} unpinned"));
}

#[test]
fn a_payout_nobody_can_settle_is_resolved_from_the_exception_queue() {
    let dir = tempfile::tempdir().unwrap();
    let start = T0.to_string();
    let gateway = Gateway::start(dir.path(), &["--clock", "manual", "--clock-start", &start]);
    let app_id = gateway
        .admin(&[
            "register",
            "--name",
            "Payout merchant",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--public-key",
            &key("merchant_public_spki.pem"),
        ])
        .expect(0)
        .stdout
        .trim()
        .to_owned();
    gateway.admin(&["approve", &app_id]).expect(0);
    assert_eq!(
        gateway.admin(&["exceptions"]).expect(0).stdout.trim(),
        "the exception queue is empty"
    );
    // An account ending 92: the bank's answer stays unknown on every poll.
    let created = post_signed(
        &gateway,
        &[
            "payout",
            "--key",
            &key("merchant_private_pkcs8.pem"),
            "--app-id",
            &app_id,
            "--now",
            &start,
            "--out-payout-no",
            "PO-CLI-EXC-1",
            "--account-no",
            "6217000012344592",
            "--amount",
            "20.00",
            "--notify-url",
            "http://127.0.0.1:9/notify",
        ],
    );
    assert_eq!(created["status"], "PROCESSING", "{created}");
    let payout_no = created["payout_no"].as_str().unwrap().to_owned();
    gateway.admin(&["clock", "--advance", "10m"]).expect(0);
    let open = gateway.admin(&["exceptions"]).expect(0).stdout;
    assert!(
        open.starts_with(&format!("open      PAYOUT     {payout_no}  PO-CLI-EXC-1  2000 fen (20.00 yuan)  since 1795140000 (2026-11-20T10:00:00+08:00)")),
        "{open}"
    );
    let missing_note = gateway.admin(&["resolve", "PAYOUT", &payout_no, "--outcome", "FAIL"]);
    assert_eq!(
        missing_note.code, 2,
        "clap refuses it: {}",
        missing_note.stderr
    );
    let resolved = gateway
        .admin(&[
            "resolve",
            "PAYOUT",
            &payout_no,
            "--outcome",
            "FAIL",
            "--note",
            "the channel confirmed nothing was paid",
        ])
        .expect(0);
    assert_eq!(
        resolved.stdout.trim(),
        format!("resolved PAYOUT {payout_no}: FAIL (CHANNEL_DECLINED)")
    );
    let again = gateway.admin(&[
        "resolve",
        "PAYOUT",
        &payout_no,
        "--outcome",
        "SUCCESS",
        "--note",
        "twice",
    ]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("ORDER_STATE_INVALID"),
        "{}",
        again.stderr
    );
    let listed = gateway.admin(&["--json", "exceptions"]).expect(0).json();
    assert_eq!(listed["open"].as_array().unwrap().len(), 0);
    assert_eq!(
        listed["resolved"][0]["note"],
        "the channel confirmed nothing was paid"
    );
    // The Alipay sandbox's payer: an unknown trade is the API's 404.
    let unknown = gateway.admin(&["alipay-trade", "2026112022001400000000000001", "--pay"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("ORDER_NOT_FOUND"),
        "{}",
        unknown.stderr
    );
    // Holding or resending a notification that does not exist is the API's 404.
    for action in ["--hold", "--resend"] {
        let unknown = gateway.admin(&["notifications", action, "T202611200000000099_1"]);
        assert_eq!(unknown.code, 2);
        assert!(
            unknown.stderr.contains("NOTIFICATION_NOT_FOUND"),
            "{}",
            unknown.stderr
        );
    }
    // The WeChat Pay sandbox's payer: likewise; its keys are the merchant's.
    let unknown = gateway.admin(&[
        "wechatpay-order",
        "2026000000000001",
        "W20261120001",
        "--pay",
    ]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("ORDER_NOT_FOUND"),
        "{}",
        unknown.stderr
    );
}

/// The sandboxes' keys and certificates, exported for the platforms' SDKs: the files
/// `--out` writes are the ones the admin API describes (the Alipay SNs recomputed from the
/// files by paysign-core), the APIv3 key is 0600, and nothing is overwritten.
#[test]
fn the_sandboxes_keys_and_certificates_are_exported_for_the_sdks() {
    use paysign_core::platform::alipay_cert;
    let dir = tempfile::tempdir().unwrap();
    let gateway = Gateway::start(
        dir.path(),
        &["--clock", "manual", "--clock-start", &T0.to_string()],
    );
    let public = key("merchant_public_spki.pem");
    let app_id = gateway
        .admin(&[
            "register",
            "--name",
            "sandbox merchant",
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--public-key",
            &public,
        ])
        .expect(0)
        .stdout
        .trim()
        .to_owned();

    let certs = dir.path().join("alipay");
    let out = certs.display().to_string();
    let shown = gateway
        .admin(&["--json", "alipay-certificates", &app_id])
        .expect(0)
        .json();
    let written = gateway
        .admin(&["alipay-certificates", &app_id, "--out", &out])
        .expect(0);
    assert!(
        written.stdout.contains("alipayRootCert.crt"),
        "{}",
        written.stdout
    );
    let read = |name: &str| std::fs::read(certs.join(name)).unwrap();
    let app_cert = read(&format!("appCertPublicKey_{app_id}.crt"));
    assert_eq!(
        alipay_cert::app_cert_sn(&app_cert).unwrap(),
        shown["app_cert_sn"]
    );
    assert_eq!(
        alipay_cert::root_cert_sn(&read("alipayRootCert.crt")).unwrap(),
        shown["alipay_root_cert_sn"]
    );
    let alipay =
        paysign_core::keys::Certificate::parse(&read("alipayCertPublicKey_RSA2.crt")).unwrap();
    assert_eq!(alipay_cert::cert_sn(&alipay), shown["alipay_cert_sn"]);
    // The application's certificate carries the key the merchant registered.
    let registered = paysign_core::PublicKey::parse(&std::fs::read(&public).unwrap()).unwrap();
    let app = paysign_core::keys::Certificate::parse(&app_cert).unwrap();
    assert_eq!(
        app.public_key().unwrap().to_spki_der(),
        registered.to_spki_der()
    );

    let keys = dir.path().join("wechatpay");
    let out = keys.display().to_string();
    let merchant = gateway
        .admin(&["--json", "wechatpay-merchant", &app_id])
        .expect(0)
        .json();
    gateway
        .admin(&["wechatpay-merchant", &app_id, "--out", &out])
        .expect(0);
    let api_v3_key = std::fs::read_to_string(keys.join("apiv3_key.txt")).unwrap();
    assert_eq!(api_v3_key, merchant["api_v3_key"].as_str().unwrap());
    assert_eq!(api_v3_key.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.join("apiv3_key.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the APIv3 key is the merchant's secret"
        );
    }
    let platform =
        paysign_core::PublicKey::parse(&std::fs::read(keys.join("pub_key.pem")).unwrap()).unwrap();
    let serial = merchant["platform_certificate_serial"].as_str().unwrap();
    let certificate = paysign_core::keys::Certificate::parse(
        &std::fs::read(keys.join(format!("wechatpay_{serial}.pem"))).unwrap(),
    )
    .unwrap();
    assert_eq!(certificate.serial_hex(), serial);
    assert_eq!(
        certificate.public_key().unwrap().to_spki_der(),
        platform.to_spki_der()
    );

    // A second export replaces nothing.
    let again = gateway.admin(&["wechatpay-merchant", &app_id, "--out", &out]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("FILE_EXISTS"), "{}", again.stderr);
}
