//! The protocol document and the gateway agree: the examples of docs/ are read from the
//! markdown and checked against the gateway and the core, so the documents cannot rot.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::Gateway;
use paysign_core::message::{encode_form, fields, parse_request};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, SharedSecret, SignType, Signer, SigningCredential,
    canonical_string,
};
use serde_json::json;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text between `start` and the next `end` (exclusive), which must both exist.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("missing {start:?}"));
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The contents of the fenced code blocks of `section` whose info string is `lang`.
fn blocks(section: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    section
        .split(&fence)
        .skip(1)
        .map(|b| b[..b.find("\n```").unwrap()].to_owned())
        .collect()
}

/// The vector's fields, in order.
fn vector_params(case: &str) -> Params {
    let pairs: Vec<(String, String)> =
        serde_json::from_str(&read(&format!("tests/vectors/{case}/params.json"))).unwrap();
    Params::from_pairs(pairs).unwrap()
}

#[test]
fn the_rsa2_worked_example_is_the_vector_and_recomputes() {
    let doc = read("docs/protocol.md");
    let section = between(&doc, "### 3.4 Worked example (RSA2", "### 3.5");
    let text = blocks(section, "text");
    let [canonical, sign, body] = <[String; 3]>::try_from(text).unwrap();
    let case = "tests/vectors/sign_paysign_rsa2_request";
    assert_eq!(canonical, read(&format!("{case}/canonical.txt")));
    assert_eq!(sign, read(&format!("{case}/signature.txt")).trim_end());

    // The signature, recomputed with the committed key the section names.
    assert!(section.contains("tests/vectors/keys/merchant_private_pkcs8.pem"));
    let key = PrivateKey::parse(read("tests/vectors/keys/merchant_private_pkcs8.pem").as_bytes())
        .unwrap();
    let signer = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(key),
    )
    .unwrap()
    .message_kind(MessageKind::Request);
    let params = vector_params("sign_paysign_rsa2_request");
    assert_eq!(signer.canonical(&params).unwrap(), canonical);
    assert_eq!(signer.sign(&params).unwrap(), sign);

    // The wire body is what the core's encoder writes, and parses back to the fields.
    let mut sent = params.clone();
    sent.set("sign", sign.as_str()).unwrap();
    assert_eq!(encode_form(&sent), body);
    let parsed = parse_request(
        body.as_bytes(),
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        65_536,
    )
    .unwrap();
    assert_eq!(parsed, sent);
    assert_eq!(
        canonical_string(&parsed, &Profile::Paysign.rules(MessageKind::Request)),
        canonical
    );
    // Every field of the table is in the body with the value shown.
    for (k, v) in params.iter() {
        let row = if v.is_empty() {
            format!("| `{k}` | (empty")
        } else {
            format!("| `{k}` | `{v}` |")
        };
        assert!(section.contains(&row), "the table lacks {row}");
    }
}

/// Example secrets in docs/ and README.md: a backticked value after the word "secret", and
/// every `&key=VALUE` (placeholders such as `SECRET` or `API_KEY` are skipped).
fn example_secrets() -> Vec<(String, String)> {
    let mut files = vec!["README.md".to_owned()];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            files.push(format!("docs/{name}"));
        }
    }
    let is_placeholder = |v: &str| v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let mut found = Vec::new();
    for file in files {
        let text = read(&file);
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("secret `") {
            let rest = &text[at + "secret `".len()..];
            let value = &rest[..rest.find('`').unwrap()];
            found.push((file.clone(), value.to_owned()));
        }
        for (at, _) in text.match_indices("&key=") {
            let rest = &text[at + "&key=".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            let value = &rest[..end];
            if !value.is_empty() && !is_placeholder(value) {
                found.push((file.clone(), value.to_owned()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn every_example_secret_in_the_docs_is_one_the_gateway_registers() {
    let secrets = example_secrets();
    let files: Vec<&str> = secrets.iter().map(|(f, _)| f.as_str()).collect();
    assert!(
        files.contains(&"docs/protocol.md") && files.contains(&"docs/profiles.md"),
        "the scan found no example secret: {secrets:?}"
    );
    let gw = Gateway::start().await;
    for (file, secret) in &secrets {
        fields::secret(secret).unwrap_or_else(|e| panic!("{file}: {secret:?}: {e}"));
        let (status, v) = gw
            .admin(
                reqwest::Method::POST,
                "/admin/merchants",
                Some(
                    json!({"name": "docs", "notify_url": "https://merchant.example/n",
                            "sign_types": ["HMAC-SHA256"], "secret": secret}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{file}: {secret:?}: {v}");
    }
    // The rule bites: the vectors' cross-platform test secret is not a paysign SECRET.
    let (status, v) = gw
        .admin(
            reqwest::Method::POST,
            "/admin/merchants",
            Some(json!({"name": "docs", "notify_url": "https://merchant.example/n",
                        "sign_types": ["MD5"], "secret": read("tests/vectors/keys/secret.txt").trim_end()})),
        )
        .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("FIELD_INVALID")));
    gw.handle.shutdown().await.unwrap();
}

#[test]
fn the_profiles_hmac_example_recomputes() {
    let doc = read("docs/profiles.md");
    let section = between(&doc, "### `paysign`", "### `alipay`");
    let canonical = between(section, "```\n", "\n```")["```\n".len()..].to_owned();
    let secret = between(section, "&key=", "`")["&key=".len()..].to_owned();
    let sign = between(section, "secret: `", "`.")["secret: `".len()..].to_owned();
    let signer = Signer::new(
        Profile::Paysign,
        SignType::HmacSha256,
        SigningCredential::Secret(SharedSecret::new(secret).unwrap()),
    )
    .unwrap();
    assert_eq!(signer.sign_canonical(&canonical).unwrap(), sign);
    assert_eq!(
        canonical,
        read("tests/vectors/sign_paysign_hmac_request/canonical.txt")
    );
}

/// §3.3's MD5 request, with `sign` in lowercase: §3.2 says verifiers accept either case.
#[tokio::test]
async fn lowercase_digest_signatures_are_accepted() {
    let gw = Gateway::start().await;
    let gateway_key = gw.documented_merchant(&["MD5"]).await;
    let doc = read("docs/protocol.md");
    let section = between(&doc, "### 3.3 Worked example (MD5)", "### 3.4");
    let upper = blocks(section, "text").remove(1);
    assert!(upper.ends_with("&sign=BC46B808AA46C21CBF235711EFB4386E"));
    let post = |body: String| {
        gw.http
            .post(gw.url("/gateway/v1/order.create"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    // A wrong signature in lowercase is still a mismatch, not accepted by folding.
    let wrong = upper.replace("BC46B808AA46C21CBF235711EFB4386E", &"0".repeat(32));
    let resp = post(wrong).await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let v = common::verify_signature_only(&gateway_key, &resp.text().await.unwrap());
    assert_eq!(v["code"], "SIGNATURE_MISMATCH", "{v}");

    let lower = upper.replace(
        "BC46B808AA46C21CBF235711EFB4386E",
        "bc46b808aa46c21cbf235711efb4386e",
    );
    let resp = post(lower).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v = common::verify_signature_only(&gateway_key, &resp.text().await.unwrap());
    assert_eq!(v["code"], "SUCCESS", "{v}");
    gw.handle.shutdown().await.unwrap();
}

/// §1 "Which charset": a form whose header and body name different charsets is refused with
/// `CHARSET_CONFLICT` in the gateway's signed error shape.
#[tokio::test]
async fn a_charset_clash_is_charset_conflict() {
    let gw = Gateway::start().await;
    let m = gw.merchant().await;
    let (status, text) = m
        .post_raw(
            "bill.items.list",
            "application/x-www-form-urlencoded; charset=utf-8",
            "charset=GBK&region_code=310000".into(),
        )
        .await;
    assert_eq!(status, 400, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["code"], "CHARSET_CONFLICT", "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("UTF-8") && message.contains("GBK"),
        "{message}"
    );
    assert_eq!(v["sign_type"], "RSA2");
    gw.handle.shutdown().await.unwrap();
}
