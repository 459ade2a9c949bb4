//! `paysign inspect-key`: what a key file holds, without printing the key.

use std::path::PathBuf;

use paysign_core::{KeyStructure, PrivateKey, PublicKey};

use crate::error::{CliError, Status, display_path};
use crate::input::{read_input, warn_if_exposed};
use crate::output::Output;

const AFTER_HELP: &str = "\
Reads RSA and SM2 (国密) keys: private keys (PKCS#8, PKCS#1, SEC1), public keys (SPKI,
PKCS#1) and X.509 certificates, as PEM, DER or bare base64, and SM2 keys as the hex
Chinese SDKs exchange (64 digits private, 04||X||Y public). Prints the kind, the
algorithm, the size, the format and the SHA-256 fingerprint of the public key (equal for
every wrapping of the same key). Warns on stderr when a private key file is readable by
group or others.

Examples:
  $ paysign inspect-key keys/private_key.pem
  type:        private
  algorithm:   RSA
  size:        2048 bits
  format:      PKCS#8 PEM
  fingerprint: 3f5a...
  $ paysign inspect-key wechatpay_sm2_cert.pem
  type:        certificate
  algorithm:   SM2
  size:        256 bits
  format:      X.509 certificate PEM
  fingerprint: 9c1e...";

/// Show the type, size, format and fingerprint of a key file
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Key or certificate file, or `-` for standard input
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let bytes = zeroize::Zeroizing::new(read_input(&args.file)?);
    let (kind, algorithm, bits, format, fingerprint) = match PrivateKey::parse(&bytes) {
        Ok(key) => {
            warn_if_exposed(&args.file, out);
            (
                "private",
                key.algorithm(),
                key.bits(),
                key.format(),
                key.public_key().fingerprint(),
            )
        }
        Err(private_err) => match PublicKey::parse(&bytes) {
            Ok(key) => {
                let kind = if key.format().structure == KeyStructure::Certificate {
                    "certificate"
                } else {
                    "public"
                };
                (
                    kind,
                    key.algorithm(),
                    key.bits(),
                    key.format(),
                    key.fingerprint(),
                )
            }
            Err(public_err) => {
                // Report the error of the kind the file looks like.
                let err = match private_err {
                    paysign_core::Error::KeyKindMismatch { .. } => public_err,
                    other => other,
                };
                let mut err = CliError::from(err);
                err.message = format!("{}: {}", display_path(&args.file), err.message);
                return Err(err);
            }
        },
    };
    if out.is_json() {
        out.json_ok(serde_json::json!({
            "type": kind,
            "algorithm": algorithm.name(),
            "bits": bits,
            "format": format.to_string(),
            "fingerprint": fingerprint,
        }));
    } else {
        out.line(&format!("type:        {kind}"));
        out.line(&format!("algorithm:   {}", algorithm.name()));
        out.line(&format!("size:        {bits} bits"));
        out.line(&format!("format:      {format}"));
        out.line(&format!(
            "fingerprint: {fingerprint}  (SHA-256 of the SPKI)"
        ));
    }
    Ok(Status::Success)
}
