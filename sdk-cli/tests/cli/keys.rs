//! `keygen`, `inspect-key`, and interoperability with the openssl command line.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::common::{form, key, run, vectors};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_writes_private_files_0600_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    let out_arg = out.display().to_string();
    let made = run(&["keygen", "--out", &out_arg, "--json"], b"")
        .expect(0)
        .json();
    let fingerprint = made["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(made["bits"], 2048);
    assert_eq!(mode(&out.join("private_key.pem")), 0o600);
    assert_eq!(mode(&out.join("private_key.b64")), 0o600);
    assert!(
        std::fs::read_to_string(out.join("private_key.pem"))
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(
        std::fs::read_to_string(out.join("public_key.pem"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );

    // Never key material on stdout.
    let human_dir = dir.path().join("human");
    let human = run(&["keygen", "--out", &human_dir.display().to_string()], b"").expect(0);
    assert!(human.stdout.contains("fingerprint: "));
    assert!(!human.stdout.contains("BEGIN"));
    let b64 = std::fs::read_to_string(human_dir.join("private_key.b64")).unwrap();
    assert!(!human.stdout.contains(b64.trim()));

    // Refuses to overwrite, leaves the files alone.
    let before = std::fs::read(out.join("private_key.pem")).unwrap();
    let refused = run(&["keygen", "--out", &out_arg, "--json"], b"")
        .expect(2)
        .json();
    assert_eq!(refused["code"], "FILE_EXISTS");
    assert_eq!(std::fs::read(out.join("private_key.pem")).unwrap(), before);

    // --force replaces them, still 0600 even if the old file had been loosened.
    std::fs::set_permissions(
        out.join("private_key.pem"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let forced = run(&["keygen", "--out", &out_arg, "--force", "--json"], b"")
        .expect(0)
        .json();
    assert_ne!(forced["fingerprint"], fingerprint.as_str());
    assert_eq!(mode(&out.join("private_key.pem")), 0o600);
    assert_ne!(std::fs::read(out.join("private_key.pem")).unwrap(), before);

    // Every file reads back as the same key.
    let fingerprint = forced["fingerprint"].as_str().unwrap();
    for name in [
        "private_key.pem",
        "private_key.b64",
        "public_key.pem",
        "public_key.b64",
    ] {
        let path = out.join(name).display().to_string();
        let info = run(&["inspect-key", "--json", &path], b"").expect(0);
        assert_eq!(info.json()["fingerprint"], fingerprint, "{name}");
        assert!(!info.stderr.contains("too open"), "{name}: {}", info.stderr);
    }
}

#[test]
fn keygen_refuses_unsupported_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let err = run(&["keygen", "--bits", "1024", "--out", &out, "--json"], b"")
        .expect(2)
        .json();
    assert_eq!(err["code"], "KEY_GENERATION_FAILED");
}

#[test]
fn inspect_key_reads_every_format() {
    let merchant = "33595fe852ef5a04ed325981e72afa325d731d16a7eeebc9a81d7f100f26b680";
    let cases = [
        ("merchant_private_pkcs8.pem", "private", "PKCS#8 PEM", 2048),
        ("merchant_private_pkcs8.der", "private", "PKCS#8 DER", 2048),
        (
            "merchant_private_pkcs8.b64",
            "private",
            "PKCS#8 bare base64",
            2048,
        ),
        ("merchant_private_pkcs1.pem", "private", "PKCS#1 PEM", 2048),
        ("merchant_public_spki.pem", "public", "SPKI PEM", 2048),
        (
            "merchant_public_spki.b64",
            "public",
            "SPKI bare base64",
            2048,
        ),
        ("merchant_public_pkcs1.pem", "public", "PKCS#1 PEM", 2048),
        (
            "merchant_cert.pem",
            "certificate",
            "X.509 certificate PEM",
            2048,
        ),
        (
            "merchant_cert.der",
            "certificate",
            "X.509 certificate DER",
            2048,
        ),
    ];
    for (file, kind, format, bits) in cases {
        let info = run(&["inspect-key", "--json", &key(file)], b"")
            .expect(0)
            .json();
        assert_eq!(info["type"], kind, "{file}");
        assert_eq!(info["format"], format, "{file}");
        assert_eq!(info["bits"], bits, "{file}");
        assert_eq!(info["fingerprint"], merchant, "{file}");
    }
    let big = run(&["inspect-key", &key("merchant4096_public_spki.pem")], b"").expect(0);
    assert!(
        big.stdout.contains("size:        4096 bits"),
        "{}",
        big.stdout
    );
    assert!(big.stdout.contains("format:      SPKI PEM"));

    // From stdin.
    let pem = std::fs::read(key("gateway_public_spki.pem")).unwrap();
    let stdin = run(&["inspect-key", "-"], &pem).expect(0);
    assert!(stdin.stdout.contains("type:        public"));

    let weak = run(
        &["inspect-key", "--json", &key("weak_1024_private.pem")],
        b"",
    )
    .expect(2);
    assert_eq!(weak.json()["code"], "KEY_TOO_SMALL");
    let junk = run(&["inspect-key", "--json", &key("secret.txt")], b"").expect(2);
    assert_eq!(junk.json()["code"], "KEY_INVALID");
    let missing = run(&["inspect-key", "--json", "/nonexistent/key.pem"], b"").expect(2);
    assert_eq!(missing.json()["code"], "IO_ERROR");
}

#[test]
fn private_key_readable_by_others_is_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    std::fs::copy(key("merchant_private_pkcs8.pem"), &path).unwrap();
    let path_arg = path.display().to_string();
    let body = form(&[("a", "1")]);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = run(&["inspect-key", &path_arg], b"").expect(0);
    assert!(
        loose.stderr.contains("permissions 0644"),
        "{}",
        loose.stderr
    );
    assert!(loose.stderr.contains("too open"));
    let signed = run(
        &["sign", "--sign-type", "RSA2", "--key", &path_arg],
        body.as_bytes(),
    )
    .expect(0);
    assert!(
        signed.stderr.contains("permissions 0644"),
        "{}",
        signed.stderr
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let tight = run(&["inspect-key", &path_arg], b"").expect(0);
    assert!(tight.stderr.is_empty(), "{}", tight.stderr);

    // A loose public key is fine.
    let public = run(&["inspect-key", &key("merchant_public_spki.pem")], b"").expect(0);
    assert!(public.stderr.is_empty(), "{}", public.stderr);
}

#[test]
fn a_loose_secret_file_is_warned_about_once() {
    // `explain` reads the credentials twice (for its diagnosis, then to confirm the verdict
    // as `verify` would): the warning about the file is still printed once.
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secure_key.txt");
    std::fs::copy(
        vectors().join("platforms/keys/unionpay_secure_key.txt"),
        &secret,
    )
    .unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret_arg = secret.display().to_string();
    let body = std::fs::read(vectors().join("platforms/notify_unionpay_11/body.bin")).unwrap();
    for command in ["verify", "explain"] {
        let args = [
            command,
            "--profile",
            "unionpay",
            "--now",
            "1795190410",
            "--sign-type",
            "SHA256",
            "--secret-file",
            secret_arg.as_str(),
            "-",
        ];
        let checked = run(&args, &body).expect(0);
        assert_eq!(
            checked.stderr.matches("too open").count(),
            1,
            "{command}: {}",
            checked.stderr
        );
    }
}

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn openssl_verifies_what_paysign_signs() {
    if !openssl_available() {
        eprintln!("skipped: no openssl on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let body = form(&[
        ("app_id", "2026000000000001"),
        ("method", "bill.query"),
        ("item_id", "SH-WATER-01"),
        ("bill_no", "SHW2026110042"),
        ("subject", "上海水费 11月 a+b&c=d"),
        ("sign_type", "RSA2"),
    ]);
    let canonical = run(&["canonical", "-"], body.as_bytes()).expect(0).stdout;
    let canonical = canonical.strip_suffix('\n').unwrap();
    let signature = run(
        &[
            "sign",
            "--sign-type",
            "RSA2",
            "--key",
            &key("merchant_private_pkcs1.pem"),
        ],
        body.as_bytes(),
    )
    .expect(0)
    .stdout;
    let text = dir.path().join("canonical.txt");
    let sig = dir.path().join("sig.bin");
    std::fs::write(&text, canonical).unwrap();
    std::fs::write(&sig, STANDARD.decode(signature.trim()).unwrap()).unwrap();
    let verified = Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            &key("merchant_public_spki.pem"),
            "-signature",
        ])
        .arg(&sig)
        .arg(&text)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Verified OK"));
}

#[test]
fn paysign_verifies_what_openssl_signs() {
    if !openssl_available() {
        eprintln!("skipped: no openssl on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        ("app_id", "2026000000000001"),
        ("method", "order.pay"),
        ("version", "1.0"),
        ("timestamp", "1795190400"),
        ("nonce", "n0nce-5f2c9a1e7b00"),
        ("out_trade_no", "M20261125000001"),
        ("memo", ""),
        ("sign_type", "RSA"),
    ];
    let text = dir.path().join("canonical.txt");
    for (sign_type, digest) in [("RSA", "-sha1"), ("RSA2", "-sha256")] {
        let body = form(&pairs).replace("sign_type=RSA", &format!("sign_type={sign_type}"));
        let canonical = run(&["canonical"], body.as_bytes()).expect(0).stdout;
        std::fs::write(&text, canonical.strip_suffix('\n').unwrap()).unwrap();
        let signed = Command::new("openssl")
            .args(["dgst", digest, "-sign", &key("merchant_private_pkcs8.pem")])
            .arg(&text)
            .output()
            .unwrap();
        assert!(signed.status.success());
        let signature = STANDARD.encode(&signed.stdout);
        let message = format!("{body}&{}", form(&[("sign", &signature)]));
        let verified = run(
            &[
                "verify",
                "--message",
                "request",
                "--sign-type",
                sign_type,
                "--key",
                &key("merchant_cert.pem"),
            ],
            message.as_bytes(),
        )
        .expect(0);
        assert!(
            verified.stdout.contains(&format!("valid: {sign_type} ")),
            "{}",
            verified.stdout
        );
        // The same signature under the other digest does not verify.
        let other = if sign_type == "RSA" { "RSA2" } else { "RSA" };
        let relabelled = message.replace(
            &format!("sign_type={sign_type}"),
            &format!("sign_type={other}"),
        );
        run(
            &[
                "verify",
                "--message",
                "request",
                "--sign-type",
                other,
                "--key",
                &key("merchant_public_spki.pem"),
            ],
            relabelled.as_bytes(),
        )
        .expect(1);
    }
}

/// 国密: an SM2 key pair from keygen, in every form it writes, read back by inspect-key and
/// by OpenSSL, and a signature made with it that OpenSSL verifies.
#[test]
fn keygen_sm2_writes_keys_openssl_reads_and_signatures_openssl_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sm2");
    let out_arg = out.display().to_string();
    let made = run(
        &["keygen", "--algorithm", "sm2", "--out", &out_arg, "--json"],
        b"",
    )
    .expect(0)
    .json();
    assert_eq!(made["algorithm"], "SM2");
    assert_eq!(made["bits"], 256);
    let fingerprint = made["fingerprint"].as_str().unwrap().to_owned();
    for (file, private) in [
        ("private_key.pem", true),
        ("private_key.b64", true),
        ("private_key.hex", true),
        ("public_key.pem", false),
        ("public_key.b64", false),
        ("public_key.hex", false),
    ] {
        let path = out.join(file);
        assert_eq!(mode(&path), if private { 0o600 } else { 0o644 }, "{file}");
        let inspected = run(&["inspect-key", &path.display().to_string(), "--json"], b"")
            .expect(0)
            .json();
        assert_eq!(inspected["algorithm"], "SM2", "{file}");
        assert_eq!(inspected["bits"], 256, "{file}");
        assert_eq!(inspected["fingerprint"], fingerprint.as_str(), "{file}");
        assert_eq!(
            inspected["type"],
            if private { "private" } else { "public" }
        );
    }
    let hex = std::fs::read_to_string(out.join("public_key.hex")).unwrap();
    assert!(hex.starts_with("04") && hex.trim().len() == 130, "{hex}");
    let refused = run(
        &[
            "keygen",
            "--algorithm",
            "sm2",
            "--bits",
            "2048",
            "--out",
            &out_arg,
            "--force",
        ],
        b"",
    )
    .expect(2);
    assert!(
        refused.stderr.contains("SM2 keys are 256 bits"),
        "{}",
        refused.stderr
    );
    if !openssl_available() {
        eprintln!("skipped the OpenSSL half: no openssl on PATH");
        return;
    }
    let text = Command::new("openssl")
        .args(["pkey", "-noout", "-text", "-in"])
        .arg(out.join("private_key.pem"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("ASN1 OID: SM2"));
    let body = form(&[
        ("app_id", "2021000122600001"),
        ("method", "alipay.trade.query"),
        ("charset", "utf-8"),
        ("biz_content", "{\"out_trade_no\":\"M20261120000002\"}"),
        ("sign_type", "SM2"),
    ]);
    let canonical = run(&["canonical", "--profile", "alipay", "-"], body.as_bytes())
        .expect(0)
        .stdout;
    let signature = run(
        &[
            "sign",
            "--profile",
            "alipay",
            "--sign-type",
            "SM2",
            "--key",
            &out.join("private_key.pem").display().to_string(),
        ],
        body.as_bytes(),
    )
    .expect(0)
    .stdout;
    let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
    std::fs::write(&msg, canonical.strip_suffix('\n').unwrap()).unwrap();
    std::fs::write(&sig, STANDARD.decode(signature.trim()).unwrap()).unwrap();
    let verified = Command::new("openssl")
        .args([
            "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
        ])
        .arg(out.join("public_key.pem"))
        .args(["-pkeyopt", "distid:1234567812345678", "-in"])
        .arg(&msg)
        .arg("-sigfile")
        .arg(&sig)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("Signature Verified Successfully"),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
}
