//! Fuzz harnesses of paysign-core, shared by the cargo-fuzz targets in `fuzz/` (nightly) and
//! the corpus replay test `tests/corpus.rs` (stable), so CI replays every saved input and
//! every crash ever found without needing nightly. A crate of its own, not published: the
//! harnesses read the repository's test keys, and drive the core only through its public API.
//!
//! Each harness must never panic, whatever the bytes; the assertions inside check
//! invariants that must hold for every input that is accepted.
//!
//! The platform harnesses ([`wechat_v3`], [`standard_webhooks`], [`platform_bodies`]) run
//! the whole notification pipeline with the real test keys and secrets of
//! `tests/vectors/platforms/keys/`. Their input is a selector byte, then fields separated by
//! 0xFF bytes (a byte UTF-8 never uses, so every header value and UTF-8 body can be
//! written; a missing field is empty). The selector chooses the configuration and whether
//! the harness itself signs or encrypts part of the input, so that a share of the inputs
//! passes the signature and decryption and reaches the stages behind them.

use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use paysign_core::callback::{NotificationVerifier, VerifyOptions};
use paysign_core::diagnose::{Credentials, ExplainRequest, VerifierSettings, explain};
use paysign_core::message::parse::{BodyFormat, ParseOptions, parse_body as parse};
use paysign_core::message::time::{CHINA_STANDARD_TIME, parse_timestamp};
use paysign_core::message::{Amount, TradeStatus};
use paysign_core::{
    Error, KeySet, MemoryReplayStore, MessageKind, Params, PrivateKey, Profile, PublicKey, Result,
    SharedSecret, SignType, SignatureCheck, Signer, SigningCredential, VerificationCredential,
};

/// The first byte picks the format and content type; the rest is the body.
pub fn parse_body(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_types = [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=GBK"),
        Some("application/json"),
        Some("text/xml; charset=gbk"),
        Some("text/xml"),
        Some("application/x-www-form-urlencoded; charset=unknown"),
        Some(";;;charset=="),
    ];
    let formats = [
        None,
        Some(BodyFormat::Form),
        Some(BodyFormat::Json),
        Some(BodyFormat::Xml),
    ];
    let content_type = content_types[usize::from(selector) % content_types.len()];
    let options = ParseOptions {
        max_body_bytes: 64 * 1024,
        max_depth: 1 + usize::from(selector >> 5),
        format: formats[usize::from(selector >> 3) % formats.len()],
        rules: Profile::ALL[usize::from(selector >> 1) % Profile::ALL.len()].body_rules(),
    };
    if let Ok(parsed) = parse(body, content_type, &options) {
        // Accepted bodies have unique names (Params guarantees it) and never grow beyond the input.
        let total: usize = parsed.params.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(
            total <= body.len() * 3 + 16,
            "decoded size out of proportion"
        );
    }
}

/// Key parsing in every wrapping; a parsed key must round-trip through its export.
pub fn keys(data: &[u8]) {
    if let Ok(key) = PrivateKey::parse(data) {
        let again = PrivateKey::parse(key.to_pkcs8_pem().as_bytes());
        assert!(again.is_ok_and(|k| k.public_key() == key.public_key()));
    }
    if let Ok(key) = PublicKey::parse(data) {
        assert!(PublicKey::parse(key.to_spki_der()).is_ok_and(|k| k == key));
    }
}

fn verifiers() -> &'static [NotificationVerifier] {
    static VERIFIERS: OnceLock<Vec<NotificationVerifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let secret = SharedSecret::new("fuzz-secret").unwrap_or_else(|_| unreachable!());
        let mut out = Vec::new();
        for profile in Profile::ALL {
            let types: Vec<SignType> = profile
                .sign_types()
                .iter()
                .copied()
                .filter(|t| !t.is_rsa())
                .collect();
            if let Ok(v) = NotificationVerifier::builder(
                profile,
                VerificationCredential::Secret(secret.clone()),
            )
            .accept(&types)
            .build()
            {
                out.push(v);
            }
        }
        if let Ok(key) = PublicKey::parse(GATEWAY_PUBLIC.as_bytes()) {
            if let Ok(v) =
                NotificationVerifier::builder(Profile::Paysign, VerificationCredential::Key(key))
                    .build()
            {
                out.push(v);
            }
        }
        out
    })
}

/// Every profile's verifier and `explain` on the same arbitrary body.
pub fn notification(data: &[u8]) {
    for verifier in verifiers() {
        let _ = verifier.verify(data, &VerifyOptions::default(), 1_795_190_400);
    }
    let secret = SharedSecret::new("fuzz-secret").unwrap_or_else(|_| unreachable!());
    let _ = explain(&ExplainRequest {
        body: data,
        content_type: None,
        profile: Profile::Alipay,
        kind: MessageKind::Notification,
        sign_types: vec![SignType::Md5],
        credentials: Credentials::Secret(secret),
        headers: &[],
        settings: VerifierSettings::default(),
        now: 1_795_190_400,
    });
}

/// Amounts and timestamps: accepted values must round-trip exactly.
pub fn amount_time(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Amount::parse_yuan(text) {
        assert_eq!(Amount::parse_yuan(&a.to_yuan_string()).ok(), Some(a));
    }
    if let Ok(a) = Amount::parse_fen(text) {
        assert_eq!(a.to_string(), text);
    }
    let _ = parse_timestamp(text, Some(CHINA_STANDARD_TIME));
    let _ = parse_timestamp(text, None);
}

/// The test gateway public key (tests/vectors/keys/gateway_public_spki.pem).
const GATEWAY_PUBLIC: &str = include_str!("../../tests/vectors/keys/gateway_public_spki.pem");

/// Statement rows and merchant records: the first byte picks the statement kind and the
/// records format; the rest is split at the first NUL into statement and records.
/// Reconciling a statement with itself must never report a discrepancy.
pub fn statement(data: &[u8]) {
    use paysign_core::message::StatementType;
    use paysign_core::reconcile::{
        ColumnMap, ReconcileOptions, RecordFormat, check_statement, reconcile,
    };

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = StatementType::ALL[usize::from(selector & 1) + usize::from(selector >> 7)];
    let records_format = if selector & 2 == 0 {
        RecordFormat::Csv(ColumnMap::default())
    } else {
        RecordFormat::JsonLines(ColumnMap::default())
    };
    let (statement, records) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let bill_date = "2026-11-20";
    let _ = check_statement(statement, kind, bill_date, None);
    let options = ReconcileOptions::new(kind, records_format, bill_date);
    let _ = reconcile(
        statement,
        records,
        None::<&[u8]>,
        &options,
        &mut |_| {},
        &mut |_| {},
    );
}

// Header-signed and encrypted platform pipelines -----------------------------------------

/// The clock of the platform harnesses: the `now` of the platform vectors.
const NOW: i64 = 1_795_190_410;
/// The clock of the Standard Webhooks specification's test vector.
const STANDARD_WEBHOOKS_SPEC_NOW: i64 = 1_614_265_340;
/// The clock tolerance the verifiers use by default.
const TOLERANCE_SECS: i64 = paysign_core::callback::DEFAULT_TOLERANCE_SECS as i64;

/// WeChat Pay v3: the platform certificate's serial and the platform public key's id.
const WECHATPAY_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const WECHATPAY_PUB_KEY_ID: &str = "PUB_KEY_ID_0112345678902026112100218700000001";
const WECHATPAY_APP_ID: &str = "wxd678efh567hg6787";
/// UnionPay: the platform certificate's `certId` and the merchant id.
const UNIONPAY_CERT_ID: &str = "69042905377";
const UNIONPAY_MER_ID: &str = "777290058110048";
const WECHAT_V2_APP_ID: &str = "wx2421b1c4370ec43b";

/// A test key file of `tests/vectors`.
macro_rules! vector_key {
    ($path:literal) => {
        include_bytes!(concat!("../../tests/vectors/", $path))
    };
}

// The harnesses of the newer targets, one module each (they use the helpers above).
mod signed_bodies;
mod sm;
mod test_notifications;

pub use signed_bodies::signed_bodies;
pub use sm::sm;
pub use test_notifications::test_notifications;

/// The test keys and secrets are valid: failing to load them is a broken checkout.
fn loaded<T>(result: Result<T>) -> T {
    result.unwrap_or_else(|e| unreachable!("test key of tests/vectors: {e}"))
}

/// A secret file's contents without the trailing newline.
fn secret_bytes(contents: &[u8]) -> &[u8] {
    contents.strip_suffix(b"\n").unwrap_or(contents)
}

fn secret_of(contents: &[u8]) -> SharedSecret {
    loaded(SharedSecret::new(secret_bytes(contents)))
}

/// The bytes after the selector, split at every 0xFF byte.
struct Fields<'a>(Vec<&'a [u8]>);

impl<'a> Fields<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Self(rest.split(|&b| b == 0xFF).collect())
    }

    /// Field `i`, empty if absent.
    fn bytes(&self, i: usize) -> &'a [u8] {
        self.0.get(i).copied().unwrap_or_default()
    }

    /// Field `i` as text: header values reach the core as `&str`, so invalid UTF-8 is
    /// replaced (U+FFFD) as an HTTP framework would.
    fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.bytes(i)).into_owned()
    }

    /// Fields `from..` as extra headers `name:value` (split at the first colon): duplicates
    /// of the signature headers, `Wechatpay-Signature-Type`, `Content-Type` …
    fn extra_headers(&self, from: usize) -> Vec<(String, String)> {
        self.0
            .iter()
            .skip(from)
            .map(|field| {
                let text = String::from_utf8_lossy(field);
                match text.split_once(':') {
                    Some((name, value)) => (name.to_owned(), value.to_owned()),
                    None => (text.into_owned(), String::new()),
                }
            })
            .collect()
    }
}

/// `headers` as the `(name, value)` pairs [`VerifyOptions::headers`] takes.
fn header_pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A verifier's replay store of its own, so an input's outcome never depends on the ones
/// before it.
/// The exactly-once oracle every notification harness ends with, for a notification its
/// first delivery claimed: a copy delivered meanwhile (`deliver`) is in progress, and a copy
/// after the booking completed is a duplicate of the same notification.
pub(crate) fn assert_claimed_once(
    verifier: &NotificationVerifier,
    notify_id: &str,
    now: i64,
    deliver: impl Fn() -> Result<paysign_core::Notification>,
) {
    assert!(matches!(
        deliver(),
        Err(Error::NotificationInProgress { .. })
    ));
    assert!(verifier.complete(notify_id, now).is_ok());
    assert!(deliver().is_ok_and(|again| again.duplicate && again.notify_id == notify_id));
}

fn fresh_replay_store() -> Arc<MemoryReplayStore> {
    Arc::new(MemoryReplayStore::new(16))
}

/// Whether a Unix-seconds header value is within the tolerance of `now`.
fn within_window(timestamp: &str, now: i64) -> bool {
    !timestamp.is_empty()
        && timestamp.bytes().all(|b| b.is_ascii_digit())
        && timestamp
            .parse::<i64>()
            .is_ok_and(|at| (at.saturating_sub(now)).abs() <= TOLERANCE_SECS)
}

/// `haystack` with every `needle` replaced by `with`.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// The platform key files, as `explain` takes them, and the verifier's key set.
const WECHATPAY_CERTIFICATE: &[u8] = vector_key!("platforms/keys/wechatpay_platform_cert.pem");
const WECHATPAY_PUBLIC_KEY: &[u8] = vector_key!("platforms/keys/wechatpay_pubkey_public.pem");
const API_V3_KEY: &[u8] = vector_key!("platforms/keys/apiv3_key.txt");
const API_V3_KEY_WRONG: &[u8] = vector_key!("platforms/keys/apiv3_key_wrong.txt");

struct WechatV3Keys {
    /// The certificate under its serial and the public key under its id.
    keys: KeySet,
    api_v3_key: SharedSecret,
}

fn wechat_v3_keys() -> &'static WechatV3Keys {
    static KEYS: OnceLock<WechatV3Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let public = |pem: &[u8]| loaded(PublicKey::parse(pem));
        let keys = loaded(
            KeySet::new()
                .with(WECHATPAY_SERIAL, public(WECHATPAY_CERTIFICATE))
                .and_then(|set| set.with(WECHATPAY_PUB_KEY_ID, public(WECHATPAY_PUBLIC_KEY))),
        );
        WechatV3Keys {
            keys,
            api_v3_key: secret_of(API_V3_KEY),
        }
    })
}

/// The resource template with every `$CIPHERTEXT` replaced by `plaintext` sealed with
/// AEAD_AES_256_GCM under `key`, with the template's `resource.nonce` (if 12 bytes) and
/// `resource.associated_data`.
fn seal_resource(template: &[u8], plaintext: &[u8], key: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    seal_resource_with(template, |nonce, aad| {
        let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
        let nonce =
            <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(nonce.as_bytes()).ok()?;
        let payload = Payload {
            msg: plaintext,
            aad: aad.as_bytes(),
        };
        cipher
            .encrypt(nonce, payload)
            .ok()
            .map(|s| STANDARD.encode(s))
    })
}

/// The template with every `$CIPHERTEXT` replaced by what `seal(nonce, associated_data)`
/// returns (base64), given the template's `resource.nonce` (if 12 bytes, else a fixed one)
/// and `resource.associated_data`; the template as is when there is none or sealing fails.
fn seal_resource_with(template: &[u8], seal: impl FnOnce(&str, &str) -> Option<String>) -> Vec<u8> {
    const PLACEHOLDER: &[u8] = b"$CIPHERTEXT";
    if !template
        .windows(PLACEHOLDER.len())
        .any(|w| w == PLACEHOLDER)
    {
        return template.to_vec();
    }
    let envelope = serde_json::from_slice::<serde_json::Value>(template).ok();
    let resource = |name: &str| {
        envelope
            .as_ref()
            .and_then(|e| e["resource"][name].as_str())
            .map(str::to_owned)
    };
    let nonce = resource("nonce")
        .filter(|n| n.len() == 12)
        .unwrap_or_else(|| "0123456fabcd".to_owned());
    let aad = resource("associated_data").unwrap_or_default();
    match seal(&nonce, &aad) {
        Some(sealed) => replace_all(template, PLACEHOLDER, sealed.as_bytes()),
        None => template.to_vec(),
    }
}

/// The resource of verified parameters, opened with `key` independently of the pipeline.
fn open_resource(params: &Params, key: &[u8]) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = <&aes_gcm::Nonce<aes_gcm::aead::consts::U12>>::try_from(
        params.get("resource.nonce")?.as_bytes(),
    )
    .ok()?;
    let sealed = STANDARD.decode(params.get("resource.ciphertext")?).ok()?;
    let payload = Payload {
        msg: &sealed,
        aad: params
            .get("resource.associated_data")
            .unwrap_or_default()
            .as_bytes(),
    };
    cipher.decrypt(nonce, payload).ok()
}

/// WeChat Pay v3 notifications: signature headers, raw body, AEAD resource.
///
/// Fields: `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`,
/// `Wechatpay-Serial`, the body, a resource plaintext, then extra headers `name:value`.
/// The selector's bits:
///
/// - 0–1, the mode: 0 everything as given, checked by the real verifier (the key the serial
///   names, probes, base64, RSA); 1 the body as given, the signature accepted by a stand-in
///   checker, which asserts it is asked about exactly `TIMESTAMP\nNONCE\nBODY\n`, the
///   serial and the signature as sent; 2 sealed — every `$CIPHERTEXT` of the body replaced
///   by the plaintext field encrypted under the APIv3 key — with the stand-in checker;
///   3 sealed, the stand-in checker refusing (the message must be refused, with the
///   checker's error once it was asked);
/// - 2, `explain` the message with the same keys: a notification the real verifier accepts
///   is explained as verified by the key its serial names, and a message `explain` calls
///   verified passes the real verifier's signature check;
/// - 3, header names in lowercase; 4, the verifier expects the app id `wxd678efh567hg6787`;
/// - 5 and 6 both set, no APIv3 key configured; 7, sealed under the wrong APIv3 key.
///
/// The harness makes no RSA signatures: under the fuzzing sanitizers one costs about
/// 65 ms, a hundred runs without one (a first version signed in a quarter of the modes and
/// ran 70 inputs a second instead of 1,600). The real signature check runs on the vectors
/// in the corpus (mode 0) and on every mutation of them.
///
/// Accepted notifications are checked: the signature was checked, ids non-empty, the
/// timestamp within the tolerance, the payload is the resource opened independently with
/// the APIv3 key, a retry is a duplicate, the signature-only API and `string_to_sign` agree.
pub fn wechat_v3(data: &[u8]) {
    use std::cell::Cell;

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let fields = Fields::new(rest);
    let keys = wechat_v3_keys();
    let mode = selector & 3;
    let body = if mode >= 2 {
        let key = if selector & 0x80 == 0 {
            API_V3_KEY
        } else {
            API_V3_KEY_WRONG
        };
        seal_resource(fields.bytes(4), fields.bytes(5), secret_bytes(key))
    } else {
        fields.bytes(4).to_vec()
    };
    let (timestamp, nonce, signature, serial) = (
        fields.text(0),
        fields.text(1),
        fields.text(2),
        fields.text(3),
    );
    let message = std::str::from_utf8(&body)
        .ok()
        .map(|text| format!("{}\n{}\n{text}\n", timestamp.trim(), nonce.trim()));
    let names = if selector & 8 == 0 {
        [
            "Wechatpay-Timestamp",
            "Wechatpay-Nonce",
            "Wechatpay-Signature",
            "Wechatpay-Serial",
        ]
    } else {
        [
            "wechatpay-timestamp",
            "wechatpay-nonce",
            "wechatpay-signature",
            "wechatpay-serial",
        ]
    };
    let mut headers: Vec<(String, String)> = names
        .iter()
        .zip([&timestamp, &nonce, &signature, &serial])
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    headers.extend(fields.extra_headers(6));
    let pairs = header_pairs(&headers);

    let with_app_id = selector & 0x10 != 0;
    let with_api_v3_key = selector & 0x60 != 0x60;
    let mut builder = NotificationVerifier::builder(
        Profile::WechatV3,
        VerificationCredential::KeySet(keys.keys.clone()),
    )
    .replay_store(fresh_replay_store());
    if with_api_v3_key {
        builder = builder.decryption_key(keys.api_v3_key.clone());
    } else {
        // Without the key the verifier must refuse every notification it cannot open.
        builder = builder.signatures_only();
    }
    if with_app_id {
        builder = builder.app_id(WECHATPAY_APP_ID);
    }
    let verifier = loaded(builder.build());
    let options = VerifyOptions::default().headers(&pairs);
    let asked = Cell::new(false);
    let checker = |check: &SignatureCheck<'_>| -> Result<()> {
        asked.set(true);
        assert_eq!(Some(check.canonical), message.as_deref(), "signed string");
        assert_eq!(check.sign_type, SignType::Rsa2);
        assert_eq!(check.key_id, Some(serial.trim()));
        assert_eq!(check.signature, signature.trim());
        if mode == 3 {
            Err(Error::SignatureMismatch)
        } else {
            Ok(())
        }
    };
    let run = || {
        if mode == 0 {
            verifier.verify(&body, &options, NOW)
        } else {
            verifier.verify(&body, &options.clone().check_signature_with(&checker), NOW)
        }
    };

    let result = run();
    if selector & 4 != 0 {
        let settings = VerifierSettings {
            decryption_key: with_api_v3_key.then(|| keys.api_v3_key.clone()),
            app_id: with_app_id.then(|| WECHATPAY_APP_ID.to_owned()),
            ..VerifierSettings::default()
        };
        explain_wechat_v3(&verifier, &body, &options, settings);
    }
    if mode == 3 {
        assert!(
            result.is_err(),
            "accepted though the signature check refused"
        );
        if asked.get() {
            assert_eq!(result.err(), Some(Error::SignatureMismatch));
        }
        return;
    }
    let Ok(n) = result else {
        return;
    };
    assert!(
        mode == 0 || asked.get(),
        "accepted without a signature check"
    );
    assert_eq!(
        (n.profile, n.sign_type),
        (Profile::WechatV3, SignType::Rsa2)
    );
    assert!(!n.duplicate && !n.notify_id.is_empty() && !n.out_trade_no.is_empty());
    assert_eq!(n.params.get("id"), Some(n.notify_id.as_str()));
    assert!(within_window(timestamp.trim(), NOW), "signature time");
    assert!(with_api_v3_key, "decrypted without the APIv3 key");
    if with_app_id {
        assert_eq!(n.app_id.as_deref(), Some(WECHATPAY_APP_ID));
    }
    let opened = open_resource(&n.params, secret_bytes(API_V3_KEY));
    assert_eq!(
        opened.as_deref(),
        n.payload.as_deref().map(str::as_bytes),
        "payload"
    );
    assert_claimed_once(&verifier, &n.notify_id, NOW, run);
    if mode == 0 {
        assert_eq!(
            verifier.verify_signature(&body, &options, NOW).ok(),
            Some(SignType::Rsa2)
        );
    }
    let signed = paysign_core::platform::string_to_sign(Profile::WechatV3, &pairs, &body);
    assert_eq!(signed.ok(), message);
}

/// `explain` against the real verifier, configured alike: explained as verified exactly
/// when the verifier accepts the notification (left unrecorded: the first delivery
/// already claimed it).
fn explain_wechat_v3(
    verifier: &NotificationVerifier,
    body: &[u8],
    options: &VerifyOptions<'_>,
    settings: VerifierSettings,
) {
    use paysign_core::diagnose::KeyCandidate;
    let keys = [
        (WECHATPAY_SERIAL, WECHATPAY_CERTIFICATE),
        (WECHATPAY_PUB_KEY_ID, WECHATPAY_PUBLIC_KEY),
    ];
    let diagnosis = explain(&ExplainRequest {
        body,
        content_type: None,
        profile: Profile::WechatV3,
        kind: MessageKind::Notification,
        sign_types: vec![SignType::Rsa2],
        credentials: Credentials::Keys(
            keys.iter()
                .map(|(label, bytes)| KeyCandidate::new(*label, *bytes))
                .collect(),
        ),
        headers: options.headers,
        settings,
        now: NOW,
    });
    let verdict = verifier.verify(body, &options.clone().unrecorded(), NOW);
    assert_eq!(
        diagnosis.verified,
        verdict.is_ok(),
        "explain and the verifier disagree: {verdict:?} {:?}",
        diagnosis.findings
    );
}

struct StandardWebhooksKeys {
    /// The secrets as platforms show them (`whsec_…`).
    current: SharedSecret,
    previous: SharedSecret,
    /// The HMAC keys, decoded here rather than by the core.
    current_key: Vec<u8>,
    previous_key: Vec<u8>,
    /// Signers with the current, the previous and a never-configured secret.
    signers: [Signer; 3],
}

const WHSEC_CURRENT: &[u8] = vector_key!("platforms/keys/whsec_published.txt");
const WHSEC_PREVIOUS: &[u8] = vector_key!("platforms/keys/whsec_previous.txt");
const WHSEC_NEVER: &str = "whsec_bmV2ZXIgY29uZmlndXJlZCBpbiB0aGUgdmVyaWZpZXI=";

fn standard_webhooks_keys() -> &'static StandardWebhooksKeys {
    static KEYS: OnceLock<StandardWebhooksKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let hmac_key = |text: &[u8]| {
            let encoded = secret_bytes(text).strip_prefix(b"whsec_").unwrap_or(text);
            loaded(STANDARD.decode(encoded).map_err(|_| Error::SecretEmpty))
        };
        let signer = |text: &[u8]| {
            loaded(Signer::new(
                Profile::StandardWebhooks,
                SignType::HmacSha256,
                SigningCredential::Secret(secret_of(text)),
            ))
        };
        StandardWebhooksKeys {
            current: secret_of(WHSEC_CURRENT),
            previous: secret_of(WHSEC_PREVIOUS),
            current_key: hmac_key(WHSEC_CURRENT),
            previous_key: hmac_key(WHSEC_PREVIOUS),
            signers: [
                signer(WHSEC_CURRENT),
                signer(WHSEC_PREVIOUS),
                signer(WHSEC_NEVER.as_bytes()),
            ],
        }
    })
}

/// Whether any `v1,` signature of `header` is the HMAC-SHA256 of `content` under one of
/// `keys`: the acceptance rule of the specification, computed without the core.
fn any_v1_signature_matches(keys: &[&[u8]], content: &str, header: &str) -> bool {
    use hmac::{Hmac, KeyInit, Mac};
    header
        .split(' ')
        .filter_map(|token| token.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .any(|signature| {
            keys.iter().any(|key| {
                Hmac::<sha2::Sha256>::new_from_slice(key).is_ok_and(|mut mac| {
                    mac.update(content.as_bytes());
                    mac.verify_slice(&signature).is_ok()
                })
            })
        })
}

/// Standard Webhooks: `webhook-*` headers, HMAC-SHA256 under `whsec_` secrets.
///
/// Fields: `webhook-id`, `webhook-timestamp`, `webhook-signature`, the body, then extra
/// headers `name:value`. The selector's bits:
///
/// - 0–1, who signs: 0 nobody (the signature as given); 1 the configured secret, 2 the
///   previous secret (configured only with bit 3), 3 a secret never configured — the
///   signature of `id.timestamp.body` joins the given ones (bit 2: before them, else after);
/// - 3, the verifier holds both secrets (a rotation), else the current one;
/// - 4, header names capitalised (`Webhook-Id`); 5 and 6 both set, an expected amount is
///   passed (always refused: the payload has no amount); 7, the clock is the
///   specification's vector's, else the platform vectors'.
///
/// A signature is accepted if and only if it would be under the specification's rule,
/// computed here with the `hmac` crate: accepted messages carry one, one that does is
/// never refused as a bad signature, and `explain` calls exactly those verified (when the
/// headers are readable). Accepted notifications are checked field by field, a retry is a
/// duplicate, and the signature-only API and `string_to_sign` agree.
pub fn standard_webhooks(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let fields = Fields::new(rest);
    let keys = standard_webhooks_keys();
    let (id, timestamp, given, body) = (
        fields.text(0),
        fields.text(1),
        fields.text(2),
        fields.bytes(3),
    );
    let text = std::str::from_utf8(body).ok();
    let content = text.map(|text| format!("{}.{}.{text}", id.trim(), timestamp.trim()));
    let signer = match selector & 3 {
        0 => None,
        who => keys.signers.get(usize::from(who - 1)),
    };
    let signature = match (signer, &content) {
        (Some(signer), Some(content)) => {
            let computed = loaded(signer.sign_canonical(content));
            if selector & 4 == 0 {
                format!("{given} {computed}")
            } else {
                format!("{computed} {given}")
            }
        }
        _ => given,
    };
    let names = if selector & 0x10 == 0 {
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    } else {
        ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"]
    };
    let mut headers: Vec<(String, String)> = names
        .iter()
        .zip([&id, &timestamp, &signature])
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    headers.extend(fields.extra_headers(4));
    let pairs = header_pairs(&headers);

    let rotation = selector & 8 != 0;
    let (credential, configured) = if rotation {
        (
            VerificationCredential::Secrets(vec![keys.current.clone(), keys.previous.clone()]),
            vec![keys.current_key.as_slice(), keys.previous_key.as_slice()],
        )
    } else {
        (
            VerificationCredential::Secret(keys.current.clone()),
            vec![keys.current_key.as_slice()],
        )
    };
    let verifier = loaded(
        NotificationVerifier::builder(Profile::StandardWebhooks, credential)
            .replay_store(fresh_replay_store())
            .build(),
    );
    let now = if selector & 0x80 == 0 {
        NOW
    } else {
        STANDARD_WEBHOOKS_SPEC_NOW
    };
    let mut options = VerifyOptions::default().headers(&pairs);
    let with_amount = selector & 0x60 == 0x60;
    if with_amount {
        options = options.expect_amount(Amount::ZERO);
    }
    let valid = content
        .as_deref()
        .is_some_and(|c| any_v1_signature_matches(&configured, c, signature.trim()));

    let result = verifier.verify(body, &options, now);
    let secrets = if rotation {
        Credentials::Secrets(vec![keys.current.clone(), keys.previous.clone()])
    } else {
        Credentials::Secret(keys.current.clone())
    };
    let diagnosis = explain(&ExplainRequest {
        body,
        content_type: None,
        profile: Profile::StandardWebhooks,
        kind: MessageKind::Notification,
        sign_types: vec![SignType::HmacSha256],
        credentials: secrets,
        headers: &pairs,
        settings: VerifierSettings {
            expected_amount: with_amount.then_some(Amount::ZERO),
            ..VerifierSettings::default()
        },
        now,
    });
    // The verifier's verdict, never more: a valid signature out of its time window, or
    // with an amount to check that the payload cannot carry, is refused by both.
    assert_eq!(diagnosis.verified, result.is_ok(), "explain");
    let readable = paysign_core::platform::standard_webhooks::signature_headers(&pairs).is_ok();
    if diagnosis.verified {
        assert!(
            valid && readable,
            "explained as verified without a valid signature"
        );
    }
    if with_amount {
        assert!(result.is_err_and(|e| e.code() == "FIELD_INVALID"));
        return;
    }
    let n = match result {
        Ok(n) => n,
        Err(Error::SignatureMismatch | Error::SignatureMalformed { .. }) => {
            assert!(!valid, "a valid signature was refused");
            return;
        }
        Err(_) => return,
    };
    assert!(valid, "accepted without a valid signature");
    assert!(within_window(timestamp.trim(), now), "signature time");
    assert_eq!(
        (n.profile, n.sign_type),
        (Profile::StandardWebhooks, SignType::HmacSha256)
    );
    assert!(!n.duplicate && !n.notify_id.is_empty());
    assert_eq!(n.notify_id, id.trim());
    assert_eq!(n.notify_time, timestamp.trim().parse().ok());
    assert_eq!(n.payload.as_deref(), text);
    assert_eq!(n.params.get("webhook-id"), Some(id.trim()));
    assert_eq!(n.event_type.as_deref(), n.params.non_empty("type"));
    assert_eq!(
        n.status,
        TradeStatus::Other(n.event_type.clone().unwrap_or_default())
    );
    assert!(n.out_trade_no.is_empty() && n.total_amount == Amount::ZERO);
    assert_claimed_once(&verifier, &n.notify_id, now, || {
        verifier.verify(body, &options, now)
    });
    assert_eq!(
        verifier.verify_signature(body, &options, now).ok(),
        Some(SignType::HmacSha256)
    );
    let signed = paysign_core::platform::string_to_sign(Profile::StandardWebhooks, &pairs, body);
    assert_eq!(signed.ok(), content);
}

struct BodyPlatformKeys {
    unionpay_keys: KeySet,
    unionpay_secure_key: SharedSecret,
    /// WeChat Pay v2 API keys: the test secret and the published refund example's.
    wechat_v2: [SharedSecret; 2],
}

const WECHAT_V2_API_KEYS: [&[u8]; 2] = [
    vector_key!("keys/secret.txt"),
    vector_key!("platforms/keys/wechat_v2_refund_published_api_key.txt"),
];

fn body_platform_keys() -> &'static BodyPlatformKeys {
    static KEYS: OnceLock<BodyPlatformKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let certificate = loaded(PublicKey::parse(vector_key!(
            "platforms/keys/unionpay_platform_cert.pem"
        )));
        BodyPlatformKeys {
            unionpay_keys: loaded(KeySet::new().with(UNIONPAY_CERT_ID, certificate)),
            unionpay_secure_key: secret_of(vector_key!("platforms/keys/unionpay_secure_key.txt")),
            wechat_v2: WECHAT_V2_API_KEYS.map(secret_of),
        }
    })
}

/// The WeChat Pay v2 refund AES key: the lowercase hex MD5 of the API key.
fn refund_aes_key(api_key: &[u8]) -> [u8; 32] {
    use md5::Digest;
    let digest = md5::Md5::digest(api_key);
    let mut key = [0u8; 32];
    for (pair, byte) in key.chunks_exact_mut(2).zip(digest.iter()) {
        let hex = format!("{byte:02x}");
        pair.copy_from_slice(hex.as_bytes());
    }
    key
}

/// The body with every `$REQ_INFO` replaced by `plaintext` under AES-256-ECB/PKCS#7 with
/// the refund key of `api_key`, in base64.
fn seal_req_info(template: &[u8], plaintext: &[u8], api_key: &[u8]) -> Vec<u8> {
    use aes::cipher::KeyInit;
    use aes::cipher::block_padding::Pkcs7;
    use ecb::cipher::BlockModeEncrypt;
    let Ok(encryptor) = ecb::Encryptor::<aes::Aes256>::new_from_slice(&refund_aes_key(api_key))
    else {
        return template.to_vec();
    };
    let mut buffer = plaintext.to_vec();
    buffer.resize(plaintext.len() + 16, 0);
    match encryptor.encrypt_padded::<Pkcs7>(&mut buffer, plaintext.len()) {
        Ok(sealed) => replace_all(template, b"$REQ_INFO", STANDARD.encode(sealed).as_bytes()),
        Err(_) => template.to_vec(),
    }
}

/// `req_info` of verified parameters, opened with `api_key` independently of the pipeline.
fn open_req_info(params: &Params, api_key: &[u8]) -> Option<Vec<u8>> {
    use aes::cipher::KeyInit;
    use aes::cipher::block_padding::Pkcs7;
    use ecb::cipher::BlockModeDecrypt;
    let mut sealed = STANDARD.decode(params.get("req_info")?.trim()).ok()?;
    let decryptor = ecb::Decryptor::<aes::Aes256>::new_from_slice(&refund_aes_key(api_key)).ok()?;
    decryptor
        .decrypt_padded::<Pkcs7>(&mut sealed)
        .ok()
        .map(<[u8]>::to_vec)
}

/// UnionPay and WeChat Pay v2 notifications (refunds included) past their signature: the
/// existing `notification` target cannot forge their signatures, nor a `req_info` that
/// decrypts, so it never reaches their typed fields.
///
/// Fields: the body, then a refund plaintext (XML) sealed into every `$REQ_INFO` of the
/// body. The selector's bits:
///
/// - 0, the profile: UnionPay, else WeChat Pay v2;
/// - 1, the signature is accepted by a stand-in checker (which asserts it is asked about a
///   sign type the verifier accepts), else checked by the real verifier; 2, `$REQ_INFO`
///   sealed under the configured API key (with bit 7: under the other one);
/// - 3–4, the content type: none (sniffed), form, XML, JSON;
/// - 5, the verifier expects the app id (`merId` 777290058110048, `appid` wx2421b1c4370ec43b);
/// - 6, UnionPay: `signMethod` 01 with the platform certificate under its `certId`, else 11
///   with the secure key; WeChat Pay v2: the published refund example's API key, else the
///   test secret (MD5 and HMAC-SHA256 accepted).
///
/// Accepted notifications are checked: ids non-empty, app id, UnionPay's trade number
/// and refund amount, refunds' payload is `req_info` opened independently, a retry is a
/// duplicate.
pub fn platform_bodies(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (template, plaintext) = match rest.iter().position(|&b| b == 0xFF) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let keys = body_platform_keys();
    let unionpay = selector & 1 == 0;
    let stand_in = selector & 2 != 0;
    let sealed = selector & 4 != 0;
    let content_type = [
        None,
        Some("application/x-www-form-urlencoded;charset=UTF-8"),
        Some("text/xml"),
        Some("application/json"),
    ][usize::from((selector >> 3) & 3)];
    let with_app_id = selector & 0x20 != 0;
    let variant = usize::from(selector & 0x40 != 0);
    let (profile, app_id) = if unionpay {
        (Profile::UnionPay, UNIONPAY_MER_ID)
    } else {
        (Profile::WechatV2, WECHAT_V2_APP_ID)
    };
    let builder = match (unionpay, variant) {
        (true, 1) => NotificationVerifier::builder(
            profile,
            VerificationCredential::KeySet(keys.unionpay_keys.clone()),
        )
        .accept(&[SignType::Rsa2]),
        (true, _) => NotificationVerifier::builder(
            profile,
            VerificationCredential::Secret(keys.unionpay_secure_key.clone()),
        )
        .accept(&[SignType::Sha256]),
        (false, _) => NotificationVerifier::builder(
            profile,
            VerificationCredential::Secret(keys.wechat_v2[variant].clone()),
        )
        .accept(&[SignType::Md5, SignType::HmacSha256]),
    };
    let builder = builder.replay_store(fresh_replay_store());
    let builder = if with_app_id {
        builder.app_id(app_id)
    } else {
        builder
    };
    let verifier = loaded(builder.build());
    let api_key = secret_bytes(WECHAT_V2_API_KEYS[variant]);
    let body = if sealed {
        let sealing_key = if selector & 0x80 == 0 {
            api_key
        } else {
            secret_bytes(WECHAT_V2_API_KEYS[1 - variant])
        };
        seal_req_info(template, plaintext, sealing_key)
    } else {
        template.to_vec()
    };
    let mut options = VerifyOptions::default();
    options.content_type = content_type;
    let accepted = verifier.accepted().to_vec();
    let checker = |check: &SignatureCheck<'_>| -> Result<()> {
        assert!(
            accepted.contains(&check.sign_type),
            "sign type not accepted"
        );
        assert!(!check.signature.is_empty());
        Ok(())
    };
    let run = || {
        if stand_in {
            verifier.verify(&body, &options.clone().check_signature_with(&checker), NOW)
        } else {
            verifier.verify(&body, &options, NOW)
        }
    };

    let Ok(n) = run() else {
        return;
    };
    assert_eq!(n.profile, profile);
    assert!(!n.duplicate && !n.notify_id.is_empty() && !n.out_trade_no.is_empty());
    if with_app_id {
        assert_eq!(n.app_id.as_deref(), Some(app_id));
    }
    if unionpay {
        assert!(accepted.contains(&n.sign_type));
        assert_eq!(n.trade_no.as_deref(), Some(n.notify_id.as_str()));
        assert_eq!(n.params.get("queryId"), Some(n.notify_id.as_str()));
        assert_eq!(
            n.refund_amount,
            (n.status == TradeStatus::Refunded).then_some(n.total_amount)
        );
    } else if n.params.contains("req_info") {
        assert_eq!(n.event_type.as_deref(), Some("REFUND"));
        assert!(n.refund_amount.is_some());
        if let Some(payload) = &n.payload {
            // Decrypted, not signed: only a holder of the API key could have sealed it.
            assert!(!n.params.contains("sign"));
            assert_eq!(
                open_req_info(&n.params, api_key).as_deref(),
                Some(payload.as_bytes())
            );
        }
    } else {
        assert!(accepted.contains(&n.sign_type));
        assert!(matches!(n.status, TradeStatus::Success | TradeStatus::Fail));
    }
    assert_claimed_once(&verifier, &n.notify_id, NOW, run);
}
