//! Interoperability with the `openssl` command line and `node:crypto`, run for real:
//! signatures made here verify there, and theirs verify here, with keys made by both.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use paysign_core::{
    MessageKind, PrivateKey, Profile, PublicKey, RsaBackend, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};

const MESSAGE: &str =
    "app_id=2026000000000001&bill_no=SHW2026110007&subject=上海自来水&total_amount=1959";

fn run(cmd: &mut Command, stdin: &[u8]) -> Vec<u8> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (openssl and node are required)"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn signer(key: PrivateKey, sign_type: SignType, backend: RsaBackend) -> Signer {
    Signer::new(Profile::Paysign, sign_type, SigningCredential::Key(key))
        .unwrap()
        .backend(backend)
}

fn verifier(key: PublicKey, sign_type: SignType) -> Verifier {
    Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(key),
        &[sign_type],
    )
    .unwrap()
    .message_kind(MessageKind::Request)
}

fn openssl_digest(sign_type: SignType) -> &'static str {
    if sign_type == SignType::Rsa {
        "-sha1"
    } else {
        "-sha256"
    }
}

fn node_digest(sign_type: SignType) -> &'static str {
    if sign_type == SignType::Rsa {
        "sha1"
    } else {
        "sha256"
    }
}

#[test]
fn openssl_verifies_our_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public.pem");
    std::fs::write(&public, common::merchant_public().to_spki_pem()).unwrap();
    let message = dir.path().join("message.txt");
    std::fs::write(&message, MESSAGE).unwrap();
    for &backend in RsaBackend::available() {
        for sign_type in [SignType::Rsa, SignType::Rsa2] {
            let signature = signer(common::merchant_private(), sign_type, backend)
                .sign_canonical(MESSAGE)
                .unwrap();
            let sig_file = dir.path().join("sig.bin");
            std::fs::write(&sig_file, STANDARD.decode(signature).unwrap()).unwrap();
            let out = run(
                Command::new("openssl")
                    .args(["dgst", openssl_digest(sign_type), "-verify"])
                    .arg(&public)
                    .arg("-signature")
                    .arg(&sig_file)
                    .arg(&message),
                b"",
            );
            assert_eq!(
                String::from_utf8_lossy(&out).trim(),
                "Verified OK",
                "{sign_type} {}",
                backend.name()
            );
        }
    }
}

#[test]
fn we_verify_openssl_signatures_with_openssl_made_keys() {
    let dir = tempfile::tempdir().unwrap();
    let pkcs8 = dir.path().join("pkcs8.pem");
    run(
        Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&pkcs8),
        b"",
    );
    let pkcs1 = dir.path().join("pkcs1.pem");
    run(
        Command::new("openssl")
            .args(["genrsa", "-traditional", "-out"])
            .arg(&pkcs1)
            .arg("2048"),
        b"",
    );
    for key_file in [&pkcs8, &pkcs1] {
        let private = PrivateKey::parse(&std::fs::read(key_file).unwrap()).unwrap();
        let public_pem = run(
            Command::new("openssl")
                .args(["pkey", "-pubout", "-in"])
                .arg(key_file),
            b"",
        );
        let public = PublicKey::parse(&public_pem).unwrap();
        assert_eq!(&public, private.public_key());
        for sign_type in [SignType::Rsa, SignType::Rsa2] {
            let raw = run(
                Command::new("openssl")
                    .args(["dgst", openssl_digest(sign_type), "-sign"])
                    .arg(key_file),
                MESSAGE.as_bytes(),
            );
            let theirs = STANDARD.encode(&raw);
            verifier(public.clone(), sign_type)
                .verify_canonical(MESSAGE, sign_type, &theirs)
                .unwrap();
            // PKCS#1 v1.5 is deterministic: our signature with their key is the same bytes.
            let ours = signer(
                PrivateKey::parse(&std::fs::read(key_file).unwrap()).unwrap(),
                sign_type,
                RsaBackend::preferred(),
            )
            .sign_canonical(MESSAGE)
            .unwrap();
            assert_eq!(ours, theirs);
        }
    }
}

#[test]
fn openssl_accepts_our_generated_keys() {
    let dir = tempfile::tempdir().unwrap();
    let key = PrivateKey::generate(2048).unwrap();
    let file = dir.path().join("ours.pem");
    std::fs::write(&file, key.to_pkcs8_pem().as_bytes()).unwrap();
    let out = run(
        Command::new("openssl")
            .args(["pkey", "-check", "-noout", "-in"])
            .arg(&file),
        b"",
    );
    assert!(
        String::from_utf8_lossy(&out).contains("valid"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

const NODE_SIGN: &str = r#"
const crypto = require('node:crypto');
const [alg, keyPem, msg] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
process.stdout.write(crypto.sign(alg, Buffer.from(msg, 'utf8'), keyPem).toString('base64'));
"#;

const NODE_VERIFY: &str = r#"
const crypto = require('node:crypto');
const [alg, keyPem, msg, sig] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
process.stdout.write(String(crypto.verify(alg, Buffer.from(msg, 'utf8'), keyPem, Buffer.from(sig, 'base64'))));
"#;

fn node(script: &str, args: serde_json::Value) -> String {
    String::from_utf8(run(
        Command::new("node").args(["-e", script]),
        args.to_string().as_bytes(),
    ))
    .unwrap()
}

#[test]
fn node_crypto_verifies_ours_and_we_verify_node_crypto() {
    let private_pem = common::read_text("keys/merchant_private_pkcs8.pem");
    let public_pem = common::read_text("keys/merchant_public_spki.pem");
    for sign_type in [SignType::Rsa, SignType::Rsa2] {
        let ours = signer(
            common::merchant_private(),
            sign_type,
            RsaBackend::preferred(),
        )
        .sign_canonical(MESSAGE)
        .unwrap();
        let verdict = node(
            NODE_VERIFY,
            serde_json::json!([node_digest(sign_type), public_pem, MESSAGE, ours]),
        );
        assert_eq!(verdict, "true", "node:crypto rejected our {sign_type}");
        let tampered = node(
            NODE_VERIFY,
            serde_json::json!([
                node_digest(sign_type),
                public_pem,
                format!("{MESSAGE}0"),
                ours
            ]),
        );
        assert_eq!(tampered, "false");

        let theirs = node(
            NODE_SIGN,
            serde_json::json!([node_digest(sign_type), private_pem, MESSAGE]),
        );
        verifier(common::merchant_public(), sign_type)
            .verify_canonical(MESSAGE, sign_type, &theirs)
            .unwrap();
        assert_eq!(theirs, ours);
    }
}

#[test]
fn node_crypto_digests_match_ours() {
    // The digest sign types against node's md5/hmac over the same string.
    let script = r#"
const crypto = require('node:crypto');
const [msg, secret] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const s = msg + '&key=' + secret;
process.stdout.write(JSON.stringify([
  crypto.createHash('md5').update(s, 'utf8').digest('hex').toUpperCase(),
  crypto.createHmac('sha256', secret).update(s, 'utf8').digest('hex').toUpperCase()]));
"#;
    let secret = common::read_text("keys/secret.txt");
    let out: Vec<String> =
        serde_json::from_str(&node(script, serde_json::json!([MESSAGE, secret]))).unwrap();
    for (sign_type, expected) in [(SignType::Md5, &out[0]), (SignType::HmacSha256, &out[1])] {
        let signer = Signer::new(
            Profile::Paysign,
            sign_type,
            SigningCredential::Secret(common::secret("secret")),
        )
        .unwrap();
        assert_eq!(
            &signer.sign_canonical(MESSAGE).unwrap(),
            expected,
            "{sign_type}"
        );
    }
    assert!(Path::new(&common::vectors()).exists());
}
