//! One module per subcommand, each with one `run()` that calls `paysign-core`, plus the
//! arguments several subcommands share.

pub(crate) mod canonical;
pub(crate) mod explain;
pub(crate) mod gateway;
pub(crate) mod inspect_key;
pub(crate) mod keygen;
pub(crate) mod notify;
pub(crate) mod payload;
pub(crate) mod reconcile;
pub(crate) mod sign;
pub(crate) mod verify;

use std::path::{Path, PathBuf};

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use paysign_core::message::{BodyFormat, ParseOptions, ParsedBody, parse_body};
use paysign_core::platform::spec::{Decryption, Need, RequestValue, RequestValues};
use paysign_core::{ApiTerm, CredentialKind};
use paysign_core::{
    Certificate, KeySet, MessageKind, Profile, SharedSecret, SignType, SigningCredential,
    VerificationCredential,
};

use crate::error::CliError;
use crate::input::{self, SecretSource};
use crate::output::Output;

/// The message to work on and how to parse it.
#[derive(Debug, Args)]
pub(crate) struct BodyArgs {
    /// The message body, exactly as received: a file, or `-` for standard input
    #[arg(value_name = "INPUT", default_value = "-")]
    pub(crate) input: PathBuf,

    /// Parse the body as this format instead of detecting it (Content-Type, then first byte)
    #[arg(long, value_name = "FORMAT", value_parser = body_format_parser())]
    pub(crate) format: Option<BodyFormat>,

    /// An HTTP header of the request, as `'Name: value'` (repeatable); the Content-Type
    /// decides the format and charset
    #[arg(long = "header", value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
}

impl BodyArgs {
    /// The Content-Type given with `--header`, if any.
    pub(crate) fn content_type(&self) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str())
    }

    /// Parse limits with the forced format, if any.
    pub(crate) fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            format: self.format,
            ..ParseOptions::default()
        }
    }

    /// The headers as borrowed pairs, for `VerifyOptions::headers`.
    pub(crate) fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    /// Reads the body (file or stdin), unmodified.
    pub(crate) fn read(&self) -> Result<Vec<u8>, CliError> {
        input::read_input(&self.input)
    }

    /// Parse limits with the forced format and the profile's rules for what values may be
    /// (a `"sign": null` is a malformed body).
    pub(crate) fn parse_options_for(&self, profile: Profile) -> ParseOptions {
        profile.parse_options(&self.parse_options())
    }

    /// Reads and parses the body as `profile` reads it.
    pub(crate) fn parse(&self, profile: Profile) -> Result<ParsedBody, CliError> {
        let body = self.read()?;
        Ok(parse_body(
            &body,
            self.content_type(),
            &self.parse_options_for(profile),
        )?)
    }
}

/// The key or secret to sign or verify with: exactly one of the three.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct CredentialArgs {
    /// RSA key file for RSA/RSA2: PKCS#8, PKCS#1, SPKI or X.509; PEM, DER or bare base64
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,

    /// File holding the shared secret for MD5/HMAC-SHA256 (one trailing newline is ignored)
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: Option<PathBuf>,

    /// Environment variable holding the shared secret for MD5/HMAC-SHA256
    #[arg(long, value_name = "VAR")]
    pub(crate) secret_env: Option<String>,
}

impl CredentialArgs {
    fn secret_source(&self) -> Option<SecretSource<'_>> {
        match (&self.secret_file, &self.secret_env) {
            (Some(path), _) => Some(SecretSource::File(path)),
            (None, Some(name)) => Some(SecretSource::Env(name)),
            (None, None) => None,
        }
    }

    /// The private key or secret to sign with.
    pub(crate) fn signing(&self, out: &Output) -> Result<SigningCredential, CliError> {
        match (&self.key, self.secret_source()) {
            (Some(path), _) => Ok(SigningCredential::Key(input::read_private_key(path, out)?)),
            (None, Some(source)) => Ok(SigningCredential::Secret(input::read_secret(source, out)?)),
            (None, None) => Err(missing_credential()),
        }
    }
}

fn missing_credential() -> CliError {
    CliError::usage("no credential: did you forget --key, --secret-file or --secret-env?")
}

/// What `verify` and `explain` verify with: keys (several, each optionally under an id)
/// and/or secrets, combined per profile by [`VerifyCredentialArgs::resolve`].
#[derive(Debug, Args)]
pub(crate) struct VerifyCredentialArgs {
    /// The sender's public key or certificate, `FILE` or `ID=FILE` (repeatable). wechat-v3:
    /// each platform key under the id Wechatpay-Serial names it by (a certificate serial or
    /// PUB_KEY_ID_...; a certificate may go without, its serial is its id); unionpay: under
    /// its certId; explain: labels to tell candidates apart
    #[arg(long, value_name = "[ID=]FILE")]
    pub(crate) key: Vec<String>,

    /// File holding the shared secret (one trailing newline is ignored): MD5/HMAC-SHA256/
    /// SHA256 secrets, the UnionPay secure key, Standard Webhooks whsec_ secrets
    /// (repeatable during a rotation), or for wechat-v3 the APIv3 key that decrypts
    /// notifications
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: Vec<PathBuf>,

    /// Environment variable holding the shared secret (as --secret-file)
    #[arg(long, value_name = "VAR", conflicts_with = "secret_file")]
    pub(crate) secret_env: Option<String>,
}

/// One `--key` argument: an optional id and the file.
pub(crate) struct KeySpec {
    /// The id (or label) before `=`, if one was given.
    pub(crate) id: Option<String>,
    /// The file.
    pub(crate) path: PathBuf,
}

/// `ID=FILE` or `FILE` (a path that exists is never split).
pub(crate) fn key_spec(spec: &str) -> KeySpec {
    if !Path::new(spec).exists() {
        if let Some((id, path)) = spec.split_once('=') {
            if !id.is_empty() && !path.is_empty() {
                return KeySpec {
                    id: Some(id.to_owned()),
                    path: PathBuf::from(path),
                };
            }
        }
    }
    KeySpec {
        id: None,
        path: PathBuf::from(spec),
    }
}

/// A verifier's credentials, resolved for a profile.
pub(crate) struct Verification {
    /// What signatures are checked against.
    pub(crate) credential: VerificationCredential,
    /// The key that decrypts payloads (wechat-v3: the APIv3 key).
    pub(crate) decryption_key: Option<SharedSecret>,
}

impl VerifyCredentialArgs {
    /// Every secret given, in order.
    pub(crate) fn secrets(&self, out: &Output) -> Result<Vec<SharedSecret>, CliError> {
        match &self.secret_env {
            Some(name) => Ok(vec![input::read_secret(SecretSource::Env(name), out)?]),
            None => self
                .secret_file
                .iter()
                .map(|path| input::read_secret(SecretSource::File(path), out))
                .collect(),
        }
    }

    /// The id a key goes under for `profile`: the one given, else the id the platform
    /// names a certificate by (its serial: wechat-v3 hex, unionpay decimal).
    pub(crate) fn key_id(
        profile: Profile,
        spec: &KeySpec,
        bytes: &[u8],
    ) -> Result<Option<String>, CliError> {
        let platform = profile.platform();
        if spec.id.is_some() || platform.conventions().certificate_serial.is_none() {
            return Ok(spec.id.clone());
        }
        match Certificate::parse(bytes) {
            Ok(cert) => Ok(platform.certificate_key_id(&cert)),
            // A bare key has no serial: a platform that always names its key needs the id.
            Err(_) => match platform.needs_key_set() {
                Some(why) => Err(CliError::usage(format!(
                    "{}: {profile} needs each key under its id, {} — {why} (a certificate needs no id: its serial is its id)",
                    spec.path.display(),
                    crate::words::flag(ApiTerm::PublicKeysById),
                ))),
                None => Ok(None),
            },
        }
    }

    /// The credentials for `profile`, combined as its platform's data says:
    ///
    /// - where notifications carry a payload encrypted with a key of its own (wechat-v3:
    ///   the APIv3 key), a secret is that key (at most one) and the keys verify;
    /// - a platform that signs with no key (standard-webhooks) refuses `--key` and takes
    ///   several secrets at once (a rotation);
    /// - a platform that names its keys takes them as a key set by id: always where it
    ///   must (wechat-v3), else when several keys or an id are given (unionpay certId);
    /// - otherwise exactly one key or one secret.
    pub(crate) fn resolve(&self, profile: Profile, out: &Output) -> Result<Verification, CliError> {
        let platform = profile.platform();
        let secrets = self.secrets(out)?;
        let mut keys = Vec::new();
        for spec in self.key.iter().map(|s| key_spec(s)) {
            let key = input::read_public_key(&spec.path, out)?;
            let id = match spec.id {
                Some(_) => spec.id.clone(),
                None => Self::key_id(profile, &spec, &input::read_input(&spec.path)?)?,
            };
            keys.push((id, key));
        }
        let key_set = |keys: Vec<(Option<String>, paysign_core::PublicKey)>| {
            let mut set = KeySet::new();
            for (id, key) in keys {
                let id = id.ok_or_else(|| {
                    CliError::usage(format!(
                        "{profile}: with several --key, give each its id (--key ID=FILE)"
                    ))
                })?;
                set.insert(id, key)?;
            }
            Ok::<_, CliError>(VerificationCredential::KeySet(set))
        };
        let takes_keys = platform.default_sign_type(CredentialKind::RsaKey).is_some();
        if !keys.is_empty() {
            // The one sign-type policy's answer (CREDENTIAL_MISMATCH), as in Rust and JS.
            profile.default_sign_type(CredentialKind::RsaKey)?;
        }
        let by_id = platform.needs_key_set().is_some()
            || (platform.key_id_field().is_some()
                && (keys.len() > 1 || keys.iter().any(|(id, _)| id.is_some())));
        let keys_credential = |keys: Vec<_>| match keys.len() {
            0 => Err(missing_credential()),
            _ if by_id => key_set(keys),
            1 => Ok(VerificationCredential::Key(
                keys.into_iter().next().ok_or_else(missing_credential)?.1,
            )),
            _ => Err(CliError::usage(format!(
                "{profile}: give one --key (paysign explain tries several)"
            ))),
        };
        if platform.decryption() == Decryption::SeparateKey {
            if keys.is_empty() {
                return Err(CliError::usage(format!(
                    "{profile}: give the platform key(s) with --key ID=FILE (and the notifications' decryption key with --secret-file)"
                )));
            }
            if secrets.len() > 1 {
                return Err(CliError::usage(format!(
                    "{profile}: give one decryption key, not several"
                )));
            }
            return Ok(Verification {
                credential: keys_credential(keys)?,
                decryption_key: secrets.into_iter().next(),
            });
        }
        let credential = match secrets.len() {
            _ if !keys.is_empty() && !secrets.is_empty() => {
                return Err(CliError::usage(format!(
                    "{profile}: give --key or --secret-file/--secret-env, not both"
                )));
            }
            0 => keys_credential(keys)?,
            1 => VerificationCredential::Secret(
                secrets.into_iter().next().ok_or_else(missing_credential)?,
            ),
            _ if !takes_keys => VerificationCredential::Secrets(secrets),
            _ => {
                return Err(CliError::usage(format!(
                    "{profile}: give one secret, not several"
                )));
            }
        };
        Ok(Verification {
            credential,
            decryption_key: None,
        })
    }
}

/// The values of a header-signed profile's string to sign that travel in HTTP headers,
/// given as flags: shared by `sign` and `canonical`.
#[derive(Debug, Args)]
pub(crate) struct HeaderValueArgs {
    /// wechat-v3 requests: the HTTP method (GET, POST, ...)
    #[arg(long, value_name = "METHOD")]
    pub(crate) method: Option<String>,

    /// wechat-v3 requests: the path and query exactly as sent, without scheme and host
    /// (/v3/pay/transactions/jsapi, /v3/refund/domestic/refunds/R1?sub_mchid=...)
    #[arg(long, value_name = "PATH?QUERY")]
    pub(crate) url: Option<String>,

    /// wechat-v3, standard-webhooks: Unix seconds (sign: default the system clock)
    #[arg(long, value_name = "SECONDS")]
    pub(crate) timestamp: Option<i64>,

    /// wechat-v3: the nonce (sign: default 32 random alphanumerics from the OS RNG)
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: Option<String>,

    /// standard-webhooks: the message id, sent as webhook-id (retries keep it)
    #[arg(long, value_name = "ID")]
    pub(crate) id: Option<String>,
}

impl HeaderValueArgs {
    /// Refuses the flags `profile` does not use, naming the profiles that do.
    pub(crate) fn check_profile(&self, profile: Profile) -> Result<(), CliError> {
        let given = [
            RequestValue::Method,
            RequestValue::Url,
            RequestValue::Nonce,
            RequestValue::MessageId,
            RequestValue::Timestamp,
        ]
        .map(|value| (value_flag(value).0, self.gives(value), value));
        only_for(profile, &given)
    }

    /// Whether the flag of `value` was given.
    pub(crate) fn gives(&self, value: RequestValue) -> bool {
        match value {
            RequestValue::Method => self.method.is_some(),
            RequestValue::Url => self.url.is_some(),
            RequestValue::Timestamp => self.timestamp.is_some(),
            RequestValue::Nonce => self.nonce.is_some(),
            RequestValue::MessageId => self.id.is_some(),
            _ => false,
        }
    }

    /// The values as the core takes them, at `timestamp`.
    pub(crate) fn request_values(&self, timestamp: i64) -> RequestValues<'_> {
        RequestValues {
            method: self.method.as_deref(),
            url: self.url.as_deref(),
            timestamp,
            nonce: self.nonce.as_deref(),
            message_id: self.id.as_deref(),
        }
    }

    /// The body as text: header-signed profiles sign the UTF-8 body byte for byte.
    pub(crate) fn utf8_body(body: &[u8]) -> Result<&str, CliError> {
        Ok(std::str::from_utf8(body)
            .map_err(|_| paysign_core::Error::CharsetInvalid { charset: "UTF-8" })?)
    }
}

/// Refuses a flag the profile does not take, naming the profiles that do: each flag
/// gives one of the values a request signature takes ([`RequestValue`]), and which
/// profiles take it is the platforms' data.
pub(crate) fn only_for(
    profile: Profile,
    flags: &[(&str, bool, RequestValue)],
) -> Result<(), CliError> {
    let takes = |p: Profile, value| p.platform().request_value(value).is_some();
    for (flag, given, value) in flags {
        if *given && !takes(profile, *value) {
            let names: Vec<String> = Profile::ALL
                .iter()
                .filter(|p| takes(**p, *value))
                .map(|p| format!("--profile {p}"))
                .collect();
            return Err(CliError::usage(format!(
                "{flag} is only used with {}, not with --profile {profile}",
                names.join(" or ")
            )));
        }
    }
    Ok(())
}

/// The flag that gives a request value, and what to pass.
pub(crate) fn value_flag(value: RequestValue) -> (&'static str, &'static str) {
    match value {
        RequestValue::Method => ("--method", "the HTTP method: GET, POST, ..."),
        RequestValue::Url => ("--url", "the path and query, /v3/..."),
        RequestValue::Timestamp => ("--timestamp", "Unix seconds"),
        RequestValue::Nonce => ("--nonce", "the nonce"),
        RequestValue::MessageId => ("--id", "the message id, sent as webhook-id"),
        RequestValue::MerchantId => ("--mch-id", "your merchant id"),
        RequestValue::KeyId => ("--serial-no", "the serial number of your API certificate"),
        RequestValue::AppCertificates => (
            "--app-cert and --alipay-root-cert",
            "certificate mode's certificates",
        ),
    }
}

/// What the core would refuse, said with the flag to pass: the first value the profile's
/// requests require that `given` says is absent.
pub(crate) fn require_values(
    profile: Profile,
    given: impl Fn(RequestValue) -> bool,
) -> Result<(), CliError> {
    let missing = profile
        .platform()
        .request_values()
        .iter()
        .find(|(value, need)| *need == Need::Required && !given(*value));
    match missing {
        Some((value, _)) => {
            let (flag, what) = value_flag(*value);
            Err(CliError::usage(format!(
                "{profile}: {flag} is required ({what})"
            )))
        }
        None => Ok(()),
    }
}

/// `--profile`, shared by every message command.
#[derive(Debug, Args)]
pub(crate) struct ProfileArg {
    /// Signing convention: paysign, alipay, wechat-v2, wechat-v3, unionpay or
    /// standard-webhooks (see docs/profiles.md)
    #[arg(long, value_name = "PROFILE", default_value = "paysign", value_parser = profile_parser())]
    pub(crate) profile: Profile,
}

/// Possible values taken from the core, parsed by the core's `FromStr`.
fn core_values<T>(names: Vec<&'static str>) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr<Err = paysign_core::Error> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names.into_iter().map(PossibleValue::new))
        .try_map(|name| name.parse::<T>())
}

pub(crate) fn profile_parser() -> impl TypedValueParser<Value = Profile> {
    core_values(Profile::ALL.iter().map(|p| p.name()).collect())
}

pub(crate) fn sign_type_parser() -> impl TypedValueParser<Value = SignType> {
    core_values(SignType::ALL.iter().map(|s| s.name()).collect())
}

pub(crate) fn message_kind_parser() -> impl TypedValueParser<Value = MessageKind> {
    core_values(
        [MessageKind::Request, MessageKind::Notification]
            .iter()
            .map(|k| k.name())
            .collect(),
    )
}

pub(crate) fn body_format_parser() -> impl TypedValueParser<Value = BodyFormat> {
    core_values(
        [BodyFormat::Form, BodyFormat::Json, BodyFormat::Xml]
            .iter()
            .map(|f| f.name())
            .collect(),
    )
}

/// `'Name: value'` → (`Name`, `value`).
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("expected 'Name: value', got {text:?}"))?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(format!("{name:?} is not a header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// The clock: `--now` if given, else the system clock (the core never reads one).
pub(crate) fn now_or_system(now: Option<i64>) -> Result<i64, CliError> {
    if let Some(now) = now {
        return Ok(now);
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| CliError::usage("the system clock is before 1970; pass --now"))
        .and_then(|d| {
            i64::try_from(d.as_secs())
                .map_err(|_| CliError::usage("the system clock is out of range"))
        })
}
