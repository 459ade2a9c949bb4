//! Criterion benchmarks of the signing core (issue 8): canonical strings, digests, RSA
//! with both backends, key parsing and generation, end-to-end notification verification,
//! thread scaling and body-size scaling. Run with `make bench` (which also measures the
//! references — `openssl speed`, node — in the same run and writes BENCHMARKS.md) or
//! `cargo bench -p paysign-core --features aws-lc --bench signing`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, PublicKey, RsaBackend, SharedSecret, SignType,
    Signer, SigningCredential, VerificationCredential, Verifier, canonical_string,
};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(vectors().join(rel)).unwrap()
}

/// A realistic 20-field bill-payment message.
fn twenty_fields() -> Params {
    let mut p = Params::new();
    let fields = [
        ("app_id", "2026000000000001"),
        ("method", "order.create"),
        ("version", "1.0"),
        ("timestamp", "1795190400"),
        ("nonce", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        ("out_trade_no", "M20261125000001"),
        ("item_id", "SH-WATER-01"),
        ("bill_no", "SHW2026110042"),
        ("total_amount", "6754"),
        ("notify_url", "https://merchant.example/notify?src=paysign"),
        ("subject", "上海水费 2026年11月"),
        ("passback_params", "order=7&src=app"),
        ("region_code", "310000"),
        ("customer_name", "李*"),
        ("pay_method", "BALANCE"),
        ("channel", "WEB"),
        ("device_info", "1000"),
        ("operator_id", "op-0001"),
        ("store_id", "store-42"),
        ("sign_type", "MD5"),
    ];
    for (k, v) in fields {
        p.insert(k, v).unwrap();
    }
    p
}

fn canonical_and_digests(c: &mut Criterion) {
    let params = twenty_fields();
    let rules = Profile::Paysign.rules(MessageKind::Request);
    c.bench_function("canonicalize/20-field", |b| {
        b.iter(|| canonical_string(black_box(&params), &rules))
    });
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let signer = Signer::new(
            Profile::Paysign,
            sign_type,
            SigningCredential::Secret(SharedSecret::new("paysign-test-secret").unwrap()),
        )
        .unwrap();
        c.bench_function(&format!("sign/{}/20-field", sign_type.name()), |b| {
            b.iter(|| signer.sign(black_box(&params)).unwrap())
        });
    }
}

fn rsa(c: &mut Criterion) {
    let message = canonical_string(
        &twenty_fields(),
        &Profile::Paysign.rules(MessageKind::Request),
    );
    for (bits, file) in [
        (2048, "keys/merchant_private_pkcs8.pem"),
        (4096, "keys/merchant4096_private_pkcs8.pem"),
    ] {
        let pem = read(file);
        let mut group = c.benchmark_group(format!("rsa2-{bits}"));
        group.sample_size(if bits == 4096 { 20 } else { 50 });
        for &backend in RsaBackend::available() {
            let key = PrivateKey::parse(&pem).unwrap();
            let public = key.public_key().clone();
            let signer = Signer::new(
                Profile::Paysign,
                SignType::Rsa2,
                SigningCredential::Key(key),
            )
            .unwrap()
            .backend(backend);
            let signature = signer.sign_canonical(&message).unwrap();
            let verifier = Verifier::new(
                Profile::Paysign,
                VerificationCredential::Key(public),
                &[SignType::Rsa2],
            )
            .unwrap()
            .backend(backend);
            group.bench_function(BenchmarkId::new("sign", backend.name()), |b| {
                b.iter(|| signer.sign_canonical(black_box(&message)).unwrap())
            });
            group.bench_function(BenchmarkId::new("verify", backend.name()), |b| {
                b.iter(|| {
                    verifier
                        .verify_canonical(black_box(&message), SignType::Rsa2, &signature)
                        .unwrap()
                })
            });
        }
        group.finish();
    }
}

/// 国密: SM2 with SM3 (sign, verify) over the same 20-field string as RSA, against
/// `openssl speed sm2` (scripts/bench.sh), and SM3 with a secret (UnionPay 12).
fn sm2(c: &mut Criterion) {
    let message = canonical_string(
        &twenty_fields(),
        &Profile::Alipay.rules(MessageKind::Request),
    );
    let key = PrivateKey::parse(&read("platforms/keys/sm2_merchant_private.pem")).unwrap();
    let public = key.public_key().clone();
    let signer = Signer::new(Profile::Alipay, SignType::Sm2, SigningCredential::Key(key)).unwrap();
    let signature = signer.sign_canonical(&message).unwrap();
    let verifier = Verifier::new(
        Profile::Alipay,
        VerificationCredential::Key(public),
        &[SignType::Sm2],
    )
    .unwrap()
    .message_kind(MessageKind::Request);
    let mut group = c.benchmark_group("sm2");
    group.sample_size(50);
    group.bench_function("sign", |b| {
        b.iter(|| signer.sign_canonical(black_box(&message)).unwrap())
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify_canonical(black_box(&message), SignType::Sm2, &signature)
                .unwrap()
        })
    });
    group.finish();
    let secret = SharedSecret::new("88888888").unwrap();
    let sm3 = Signer::new(
        Profile::UnionPay,
        SignType::Sm3,
        SigningCredential::Secret(secret),
    )
    .unwrap();
    c.bench_function("sm3/sign-20-fields", |b| {
        b.iter(|| sm3.sign_canonical(black_box(&message)).unwrap())
    });
}

fn keys(c: &mut Criterion) {
    let pem = read("keys/merchant_private_pkcs8.pem");
    c.bench_function("key/parse-pkcs8-pem-2048", |b| {
        b.iter(|| PrivateKey::parse(black_box(&pem)).unwrap())
    });
    let mut group = c.benchmark_group("key");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("generate-2048", |b| {
        b.iter(|| PrivateKey::generate(2048).unwrap())
    });
    group.finish();
}

fn gateway_verifier() -> NotificationVerifier {
    let public = PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap();
    NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(public))
        .app_id("2026000000000001")
        // The vector's notify_time is fixed in the past: allow any age. Iterations run
        // the exactly-once flow (`handle`): the first books, every later one is then a
        // verified duplicate — the full pipeline and the replay store still run.
        .max_age_secs(u64::MAX / 4)
        .build()
        .unwrap()
}

/// The merchant's booking, for `handle`: nothing to write in a benchmark.
fn book(_: &paysign_core::Notification) -> Result<(), std::convert::Infallible> {
    Ok(())
}

fn notification(c: &mut Criterion) {
    let body = read("notify_paysign_form/body.bin");
    let verifier = gateway_verifier();
    let options = VerifyOptions::content_type("application/x-www-form-urlencoded");
    let mut group = c.benchmark_group("notification");
    group.bench_function("parse+verify-form-rsa2", |b| {
        b.iter(|| {
            verifier
                .handle(black_box(&body), &options, 1_795_190_410, book)
                .unwrap()
        })
    });
    group.finish();
}

/// Verification throughput with 1 and 2 threads sharing one verifier (no locks on the hot path).
fn scaling(c: &mut Criterion) {
    let body = Arc::new(read("notify_paysign_form/body.bin"));
    let public = PublicKey::parse(&read("keys/gateway_public_spki.pem")).unwrap();
    let verifier = Arc::new(
        Verifier::new(
            Profile::Paysign,
            VerificationCredential::Key(public),
            &[SignType::Rsa2],
        )
        .unwrap(),
    );
    let params = Arc::new(
        paysign_core::message::parse_body(&body, None, &Default::default())
            .unwrap()
            .params,
    );
    let mut group = c.benchmark_group("verify-threads");
    for threads in [1usize, 2] {
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_function(BenchmarkId::from_parameter(threads), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        let (v, p) = (Arc::clone(&verifier), Arc::clone(&params));
                        s.spawn(move || {
                            for _ in 0..iters {
                                v.verify(&*p).unwrap();
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
}

/// Verification cost against body size: a notification carrying a large signed field.
fn body_size(c: &mut Criterion) {
    let gateway_key = PrivateKey::parse(&read("keys/gateway_private_pkcs8.pem")).unwrap();
    let signer = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(gateway_key),
    )
    .unwrap()
    .message_kind(MessageKind::Notification);
    let verifier = gateway_verifier();
    let options = VerifyOptions::content_type("application/x-www-form-urlencoded");
    let mut group = c.benchmark_group("notification-body-size");
    group.sample_size(20);
    for kib in [1usize, 16, 256, 1000] {
        let mut p = Params::from_pairs([
            ("notify_id", "N1"),
            ("notify_type", "trade_status_sync"),
            ("notify_time", "1795190400"),
            ("app_id", "2026000000000001"),
            ("version", "1.0"),
            ("out_trade_no", "M20261120000001"),
            ("trade_no", "T1"),
            ("bill_no", "SHW2026110042"),
            ("trade_status", "SUCCESS"),
            ("total_amount", "6754"),
            ("nonce", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        ])
        .unwrap();
        p.insert("passback_params", "x".repeat(kib * 1024 - 600))
            .unwrap();
        signer.sign_params(&mut p).unwrap();
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(p.iter())
            .finish();
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(format!("{kib}KiB")), |b| {
            b.iter(|| {
                verifier
                    .handle(black_box(body.as_bytes()), &options, 1_795_190_410, book)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    canonical_and_digests,
    rsa,
    sm2,
    keys,
    notification,
    scaling,
    body_size
);
criterion_main!(benches);
