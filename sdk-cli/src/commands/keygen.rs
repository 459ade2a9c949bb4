//! `paysign keygen`: a new RSA or SM2 key pair, written as PKCS#8/SPKI PEM and bare
//! base64 (and, for SM2, the hex Chinese SDKs exchange).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use paysign_core::PrivateKey;
use zeroize::Zeroizing;

use crate::error::{CliError, Status};
use crate::output::Output;

const AFTER_HELP: &str = "\
Writes four files into DIR:
  private_key.pem  PKCS#8 PEM            (mode 0600 from creation)
  private_key.b64  PKCS#8 DER, base64    (mode 0600; the form payment consoles take)
  public_key.pem   SPKI PEM              (give this to the other side)
  public_key.b64   SPKI DER, base64
With --algorithm sm2 (国密: Alipay sign_type=SM2, WeChat Pay v3 WECHATPAY2-SM2-WITH-SM3)
two more:
  private_key.hex  the 32-byte scalar, hex (mode 0600)
  public_key.hex   04||X||Y, hex
Existing files are never overwritten unless --force is given. The key material itself is
never printed; the SHA-256 fingerprint of the public key identifies it.

Examples:
  $ paysign keygen --out keys/
  wrote keys/private_key.pem (PKCS#8 PEM, mode 0600)
  wrote keys/private_key.b64 (PKCS#8 DER as base64, mode 0600)
  wrote keys/public_key.pem (SPKI PEM)
  wrote keys/public_key.b64 (SPKI DER as base64)
  RSA 2048 bits
  fingerprint: 8f6f1c04...  (SHA-256 of the SPKI)
  $ paysign keygen --algorithm sm2 --out sm2-keys/
  ...
  SM2 256 bits";

/// Generate a key pair: RSA for RSA2/RSA signing, SM2 for 国密
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The algorithm: rsa or sm2
    #[arg(long, value_enum, default_value_t = Algorithm::Rsa)]
    algorithm: Algorithm,

    /// RSA modulus size: 2048 (default), 3072 or 4096; SM2 keys are always 256 bits
    #[arg(long)]
    bits: Option<usize>,

    /// Directory to write the keys into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Overwrite existing key files
    #[arg(long)]
    force: bool,
}

/// The key algorithms keygen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Algorithm {
    /// RSA (RSA2, RSA)
    Rsa,
    /// SM2 on the curve 1.2.156.10197.1.301 (SM2)
    Sm2,
}

/// The files keygen writes: name, private, description.
const FILES: [(&str, bool, &str); 4] = [
    ("private_key.pem", true, "PKCS#8 PEM"),
    ("private_key.b64", true, "PKCS#8 DER as base64"),
    ("public_key.pem", false, "SPKI PEM"),
    ("public_key.b64", false, "SPKI DER as base64"),
];

/// The hex files of an SM2 key pair.
const SM2_FILES: [(&str, bool, &str); 2] = [
    ("private_key.hex", true, "the private scalar as hex"),
    ("public_key.hex", false, "04||X||Y as hex"),
];

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let extra: &[(&str, bool, &str)] = match args.algorithm {
        Algorithm::Rsa => &[],
        Algorithm::Sm2 => &SM2_FILES,
    };
    let files: Vec<(&str, bool, &str)> = FILES.iter().chain(extra).copied().collect();
    let existing: Vec<String> = files
        .iter()
        .map(|(name, _, _)| args.out.join(name))
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(CliError::other(
            Status::Usage,
            "FILE_EXISTS",
            format!(
                "refusing to overwrite {} (pass --force to replace them)",
                existing.join(", ")
            ),
        ));
    }
    let key = match (args.algorithm, args.bits) {
        (Algorithm::Rsa, bits) => PrivateKey::generate(bits.unwrap_or(2048))?,
        (Algorithm::Sm2, None | Some(256)) => PrivateKey::generate_sm2()?,
        (Algorithm::Sm2, Some(bits)) => {
            return Err(CliError::other(
                Status::Usage,
                "KEY_GENERATION_FAILED",
                format!("SM2 keys are 256 bits, not {bits}: leave out --bits"),
            ));
        }
    };
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::io(&args.out, &e))?;

    let public = key.public_key();
    let mut contents: Vec<Zeroizing<String>> = vec![
        key.to_pkcs8_pem(),
        Zeroizing::new(format!("{}\n", *key.to_pkcs8_base64())),
        Zeroizing::new(public.to_spki_pem()),
        Zeroizing::new(format!("{}\n", public.to_spki_base64())),
    ];
    if let (Some(private_hex), Some(public_hex)) = (key.to_sm2_hex(), public.to_sm2_hex()) {
        contents.push(Zeroizing::new(format!("{}\n", *private_hex)));
        contents.push(Zeroizing::new(format!("{public_hex}\n")));
    }
    let mut written = Vec::new();
    for ((name, private, what), contents) in files.iter().zip(&contents) {
        let path = args.out.join(name);
        write_new(&path, contents.as_bytes(), *private, args.force)?;
        written.push((path, *name, *private, *what));
    }

    let fingerprint = public.fingerprint();
    if out.is_json() {
        let files: serde_json::Map<String, serde_json::Value> = written
            .iter()
            .map(|(path, name, _, _)| ((*name).to_owned(), path.display().to_string().into()))
            .collect();
        out.json_ok(serde_json::json!({
            "algorithm": key.algorithm().name(),
            "bits": key.bits(),
            "fingerprint": fingerprint,
            "files": files,
        }));
    } else {
        for (path, _, private, what) in &written {
            let mode = if *private { ", mode 0600" } else { "" };
            out.line(&format!("wrote {} ({what}{mode})", path.display()));
        }
        out.line(&format!("{} {} bits", key.algorithm().name(), key.bits()));
        out.line(&format!(
            "fingerprint: {fingerprint}  (SHA-256 of the SPKI)"
        ));
    }
    Ok(Status::Success)
}

/// Creates `path` afresh: private files get mode 0600 at creation (`O_CREAT|O_EXCL` with
/// the mode), so they are never readable by others, not even for an instant. A file being
/// replaced (`--force`) is removed first rather than truncated, so its old mode is not kept.
pub(crate) fn write_new(
    path: &Path,
    contents: &[u8],
    private: bool,
    replace: bool,
) -> Result<(), CliError> {
    if replace {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CliError::io(path, &e)),
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::other(
                Status::Usage,
                "FILE_EXISTS",
                format!("{} appeared meanwhile; not overwritten", path.display()),
            )
        } else {
            CliError::io(path, &e)
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::io(path, &e))
}
