//! One form encoding on every surface (docs/protocol.md §1, "Form encoding"). A body written
//! by any writer — the core's request builder (also the npm package's `toForm`), the core's
//! `encode_form` (also the gateway's notifications), `paysign sign --output form`, and a
//! client that writes `+` for a space — parses to the same fields in every reader: the
//! core's `parse_body` (SDK, npm package), the gateway's strict `parse_request`, and the CLI.

use paysign_core::message::{
    Amount, Envelope, OrderCreate, ParseOptions, build_request, encode_form, parse_body,
    parse_request,
};
use paysign_core::{Params, Profile, SharedSecret, SignType, Signer, SigningCredential};

use crate::common::{key, run};

/// Values that a careless encoder or decoder changes.
const AWKWARD: [(&str, &str); 8] = [
    ("space", "a b  c "),
    ("star", "a*b"),
    ("plus", "a+b"),
    ("amp_eq", "a&b=c"),
    ("percent", "100% %2B %zz"),
    ("chinese", "上海水费 2026年11月"),
    ("base64", "q+/w=="),
    ("tilde", "~-._"),
];

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// `paysign sign --sign-type HMAC-SHA256 --secret-file secret.txt` plus `args` (a leading
/// `--json` goes before the subcommand).
fn sign_hmac(args: &[&str], stdin: &[u8]) -> crate::common::Run {
    let (global, args) = match args.split_first() {
        Some((&"--json", rest)) => (vec!["--json"], rest),
        _ => (vec![], args),
    };
    let secret = key("secret.txt");
    let mut all: Vec<&str> = global;
    all.extend([
        "sign",
        "--sign-type",
        "HMAC-SHA256",
        "--secret-file",
        &secret,
    ]);
    all.extend(args);
    run(&all, stdin)
}

fn secret() -> SharedSecret {
    let text = std::fs::read_to_string(key("secret.txt")).unwrap();
    SharedSecret::from_file_contents(text.as_bytes()).unwrap()
}

/// The fields by name: writers may keep their own order.
fn by_name(params: &Params) -> Vec<(String, String)> {
    params
        .iter_by_name()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn awkward() -> Params {
    Params::from_pairs(AWKWARD).unwrap()
}

/// The bodies of every writer, each with the fields it meant to send.
fn written() -> Vec<(&'static str, String, Params)> {
    let mut out = Vec::new();

    out.push(("core encode_form", encode_form(&awkward()), awkward()));

    let signer = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(secret()),
    )
    .unwrap();
    let request = build_request(
        &OrderCreate {
            out_trade_no: "M20261125000001".into(),
            item_id: "SH-WATER-01".into(),
            bill_no: "SHW2026110007".into(),
            total_amount: Amount::from_fen(1959).unwrap(),
            notify_url: "https://merchant.example/notify?a=1&b=x*y+z%20".into(),
            subject: Some("上海水费 a*b+c".into()),
            passback_params: Some("a&b=c%20 d+e*".into()),
        },
        &Envelope {
            app_id: "2026000000000001".into(),
            timestamp: 1_795_140_000,
            nonce: Some("Qx7f2LmN9pRt4VwZ".into()),
        },
        &signer,
    )
    .unwrap();
    out.push(("core build_request", request.to_form(), request.params));

    let json = serde_json::to_string(
        &AWKWARD
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect::<serde_json::Map<_, _>>(),
    )
    .unwrap();
    let cli = sign_hmac(&["--output", "form"], json.as_bytes()).expect(0);
    let mut cli_fields = awkward();
    let mut signed = awkward();
    signer.sign_params(&mut signed).unwrap();
    for (k, v) in signed.iter() {
        cli_fields.set(k, v).unwrap();
    }
    out.push(("paysign sign --output form", cli.stdout, cli_fields));

    let plus_for_space = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(AWKWARD)
        .finish();
    assert!(plus_for_space.contains('+'), "{plus_for_space}");
    out.push(("a `+`-for-space client", plus_for_space, awkward()));
    out
}

#[test]
fn every_writer_is_read_alike_by_every_reader() {
    for (writer, body, fields) in written() {
        let core = parse_body(body.as_bytes(), Some(FORM), &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{writer}: {e}"))
            .params;
        assert_eq!(
            by_name(&core),
            by_name(&fields),
            "core parse_body reading {writer}: {body}"
        );

        let gateway = parse_request(body.as_bytes(), Some(FORM), 65_536)
            .unwrap_or_else(|e| panic!("{writer}: {e}"));
        assert_eq!(
            by_name(&gateway),
            by_name(&fields),
            "gateway parse_request reading {writer}"
        );

        // The CLI reads the body and prints what it parsed (re-signed with the same secret,
        // so `sign` also matches when the canonical string is the same).
        let cli = sign_hmac(
            &[
                "--json",
                "--output",
                "json",
                "--header",
                &format!("Content-Type: {FORM}"),
            ],
            body.as_bytes(),
        )
        .expect(0)
        .json();
        let read = cli["params"].as_object().unwrap();
        for (k, v) in fields.iter() {
            assert_eq!(read[k], v, "CLI reading {writer}: field {k}");
        }
        for k in read.keys() {
            assert!(
                fields.get(k).is_some() || k == "sign" || k == "sign_type",
                "CLI reading {writer} found an extra field {k}"
            );
        }
    }
}

#[test]
fn paysign_writers_percent_encode_space_star_and_plus() {
    for (writer, body, _) in written() {
        if writer.starts_with("a `+`") {
            continue;
        }
        assert!(
            body.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=".contains(&b)),
            "{writer} wrote a byte outside the unreserved set: {body}"
        );
    }
}

#[test]
fn sign_output_form_writes_the_declared_charset() {
    // "中文 a+b" in GBK: D6 D0 CE C4, then the ASCII. GBK is Alipay's (the paysign
    // protocol is UTF-8 only, below).
    let body = b"charset=GBK&subject=%D6%D0%CE%C4%20a%2Bb&out_trade_no=T100001";
    let gateway = key("gateway_private_pkcs8.pem");
    let alipay = [
        "sign",
        "--profile",
        "alipay",
        "--key",
        &gateway,
        "--output",
        "form",
    ];
    let signed = run(&alipay, body).expect(0);
    assert!(
        signed
            .stdout
            .starts_with("charset=GBK&subject=%D6%D0%CE%C4%20a%2Bb&out_trade_no=T100001&"),
        "{}",
        signed.stdout
    );
    let options = Profile::Alipay.parse_options(&ParseOptions::default());
    let parsed = parse_body(signed.stdout.as_bytes(), None, &options).unwrap();
    assert_eq!(parsed.charset, "GBK");
    assert_eq!(parsed.params.get("subject"), Some("中文 a+b"));

    // The same message declared UTF-8 is written as UTF-8 bytes.
    let utf8 = sign_hmac(
        &["--output", "form"],
        "charset=UTF-8&subject=%E4%B8%AD%E6%96%87".as_bytes(),
    )
    .expect(0);
    assert!(
        utf8.stdout
            .starts_with("charset=UTF-8&subject=%E4%B8%AD%E6%96%87&"),
        "{}",
        utf8.stdout
    );

    // docs/protocol.md §1: a paysign message in GBK is CHARSET_UNSUPPORTED, not written.
    let refused = sign_hmac(&["--json", "--output", "form"], body);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    let doc = refused.json();
    assert_eq!(doc["code"], "CHARSET_UNSUPPORTED", "{doc}");
    assert!(
        doc["message"].as_str().unwrap().contains("UTF-8 only"),
        "{doc}"
    );
}

#[test]
fn a_header_and_body_charset_clash_is_charset_conflict() {
    let out = sign_hmac(
        &[
            "--json",
            "--header",
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
        ],
        b"charset=GBK&subject=%D6%D0",
    );
    assert_ne!(out.code, 0);
    let doc = out.json();
    assert_eq!(doc["code"], "CHARSET_CONFLICT", "{doc}");
    let message = doc["message"].as_str().unwrap();
    assert!(
        message.contains("UTF-8") && message.contains("GBK") && message.contains("charset"),
        "{message}"
    );
}
