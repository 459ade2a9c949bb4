//! `paysign keygen`: a new RSA key pair, written as PKCS#8/SPKI PEM and bare base64.

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
Existing files are never overwritten unless --force is given. The key material itself is
never printed; the SHA-256 fingerprint of the public key identifies it.

Example:
  $ paysign keygen --out keys/
  wrote keys/private_key.pem (PKCS#8 PEM, mode 0600)
  wrote keys/private_key.b64 (PKCS#8 DER as base64, mode 0600)
  wrote keys/public_key.pem (SPKI PEM)
  wrote keys/public_key.b64 (SPKI DER as base64)
  RSA 2048 bits
  fingerprint: 8f6f1c04...  (SHA-256 of the SPKI)";

/// Generate an RSA key pair for RSA2/RSA signing
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Modulus size: 2048, 3072 or 4096
    #[arg(long, default_value_t = 2048)]
    bits: usize,

    /// Directory to write the keys into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Overwrite existing key files
    #[arg(long)]
    force: bool,
}

/// The files keygen writes: name, private, description.
const FILES: [(&str, bool, &str); 4] = [
    ("private_key.pem", true, "PKCS#8 PEM"),
    ("private_key.b64", true, "PKCS#8 DER as base64"),
    ("public_key.pem", false, "SPKI PEM"),
    ("public_key.b64", false, "SPKI DER as base64"),
];

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let existing: Vec<String> = FILES
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
    let key = PrivateKey::generate(args.bits)?;
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::io(&args.out, &e))?;

    let public = key.public_key();
    let contents: [Zeroizing<String>; 4] = [
        key.to_pkcs8_pem(),
        Zeroizing::new(format!("{}\n", *key.to_pkcs8_base64())),
        Zeroizing::new(public.to_spki_pem()),
        Zeroizing::new(format!("{}\n", public.to_spki_base64())),
    ];
    let mut written = Vec::new();
    for ((name, private, what), contents) in FILES.iter().zip(&contents) {
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
            "bits": key.bits(),
            "fingerprint": fingerprint,
            "files": files,
        }));
    } else {
        for (path, _, private, what) in &written {
            let mode = if *private { ", mode 0600" } else { "" };
            out.line(&format!("wrote {} ({what}{mode})", path.display()));
        }
        out.line(&format!("RSA {} bits", key.bits()));
        out.line(&format!(
            "fingerprint: {fingerprint}  (SHA-256 of the SPKI)"
        ));
    }
    Ok(Status::Success)
}

/// Creates `path` afresh: private files get mode 0600 at creation (`O_CREAT|O_EXCL` with
/// the mode), so they are never readable by others, not even for an instant. A file being
/// replaced (`--force`) is removed first rather than truncated, so its old mode is not kept.
fn write_new(path: &Path, contents: &[u8], private: bool, replace: bool) -> Result<(), CliError> {
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
