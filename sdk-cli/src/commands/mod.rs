//! One module per subcommand, each with one `run()` that calls `paysign-core`, plus the
//! arguments several subcommands share.

pub(crate) mod canonical;
pub(crate) mod explain;
pub(crate) mod inspect_key;
pub(crate) mod keygen;
pub(crate) mod notify;
pub(crate) mod payload;
pub(crate) mod sign;
pub(crate) mod verify;

use std::path::PathBuf;

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use paysign_core::message::{BodyFormat, ParseOptions, ParsedBody, parse_body};
use paysign_core::{MessageKind, Profile, SignType, SigningCredential, VerificationCredential};

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

    /// Reads the body (file or stdin), unmodified.
    pub(crate) fn read(&self) -> Result<Vec<u8>, CliError> {
        input::read_input(&self.input)
    }

    /// Reads and parses the body.
    pub(crate) fn parse(&self) -> Result<ParsedBody, CliError> {
        let body = self.read()?;
        Ok(parse_body(
            &body,
            self.content_type(),
            &self.parse_options(),
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
            (Some(path), _) => Ok(SigningCredential::Rsa(input::read_private_key(path, out)?)),
            (None, Some(source)) => Ok(SigningCredential::Secret(input::read_secret(source, out)?)),
            (None, None) => Err(missing_credential()),
        }
    }

    /// The public key (or a private key's public half) or secret to verify with.
    pub(crate) fn verification(&self, out: &Output) -> Result<VerificationCredential, CliError> {
        match (&self.key, self.secret_source()) {
            (Some(path), _) => Ok(VerificationCredential::Rsa(input::read_public_key(
                path, out,
            )?)),
            (None, Some(source)) => Ok(VerificationCredential::Secret(input::read_secret(
                source, out,
            )?)),
            (None, None) => Err(missing_credential()),
        }
    }

    /// Whether the credential is a shared secret (otherwise an RSA key).
    pub(crate) fn is_secret(&self) -> bool {
        self.key.is_none()
    }
}

fn missing_credential() -> CliError {
    CliError::usage("no credential: did you forget --key, --secret-file or --secret-env?")
}

/// `--profile`, shared by every message command.
#[derive(Debug, Args)]
pub(crate) struct ProfileArg {
    /// Signing convention: paysign, alipay or wechat-v2 (see docs/profiles.md)
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
