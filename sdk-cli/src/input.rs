//! Reading what commands work on: message bodies (a file or `-` for stdin), RSA keys and
//! shared secrets (from a file or an environment variable, never from the command line).
//!
//! Files holding private material that other users can read get the warning ssh gives
//! ("permissions 0644 ... are too open"); it is a warning, not an error.

use std::io::{IsTerminal, Read};
use std::path::Path;

use paysign_core::{PrivateKey, PublicKey, SharedSecret};
use zeroize::Zeroizing;

use crate::error::{CliError, display_path};
use crate::output::Output;

/// The whole body of `path`, or of standard input when `path` is `-`. Never trimmed: the
/// bytes are parsed exactly as they are.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    if path == Path::new("-") {
        let mut body = Vec::new();
        if std::io::stdin().is_terminal() {
            eprintln!("reading from standard input (end with Ctrl-D; or pass a file)");
        }
        std::io::stdin()
            .lock()
            .read_to_end(&mut body)
            .map_err(|e| CliError::io(path, &e))?;
        Ok(body)
    } else {
        std::fs::read(path).map_err(|e| CliError::io(path, &e))
    }
}

/// A private key for signing (PKCS#8 or PKCS#1; PEM, DER or bare base64).
pub(crate) fn read_private_key(path: &Path, out: &Output) -> Result<PrivateKey, CliError> {
    let bytes = zeroize_on_drop(read_input(path)?);
    let key = PrivateKey::parse(&bytes).map_err(|e| in_file(path, e))?;
    warn_if_exposed(path, out);
    Ok(key)
}

/// A public key for verifying: SPKI, PKCS#1 or an X.509 certificate. A private key file is
/// refused with `KEY_KIND_MISMATCH`, as the core and the npm package refuse it
/// (docs/security.md, "Keys"): a private key belongs with its owner, never in a
/// verifier's configuration.
pub(crate) fn read_public_key(path: &Path, out: &Output) -> Result<PublicKey, CliError> {
    let bytes = zeroize_on_drop(read_input(path)?);
    PublicKey::parse(&bytes).map_err(|e| {
        if matches!(e, paysign_core::Error::KeyKindMismatch { .. }) {
            warn_if_exposed(path, out);
        }
        in_file(path, e)
    })
}

/// Raw key file contents (for `explain`, which parses each candidate itself).
pub(crate) fn read_key_bytes(path: &Path, out: &Output) -> Result<Vec<u8>, CliError> {
    let bytes = read_input(path)?;
    if PrivateKey::parse(&bytes).is_ok() {
        warn_if_exposed(path, out);
    }
    Ok(bytes)
}

/// Where a shared secret comes from.
pub(crate) enum SecretSource<'a> {
    /// A file; one trailing newline is dropped (`echo secret > file`).
    File(&'a Path),
    /// An environment variable, taken as is.
    Env(&'a str),
}

/// Reads a shared secret from a file or an environment variable.
pub(crate) fn read_secret(
    source: SecretSource<'_>,
    out: &Output,
) -> Result<SharedSecret, CliError> {
    match source {
        SecretSource::File(path) => {
            let bytes = zeroize_on_drop(read_input(path)?);
            let secret = SharedSecret::from_file_contents(&bytes).map_err(|e| in_file(path, e))?;
            warn_if_exposed(path, out);
            Ok(secret)
        }
        SecretSource::Env(name) => match std::env::var_os(name) {
            Some(value) => {
                let bytes = zeroize_on_drop(value.into_encoded_bytes());
                Ok(SharedSecret::new(bytes.as_slice())?)
            }
            None => Err(CliError::usage(format!(
                "environment variable {name} is not set (did you `export {name}`?)"
            ))),
        },
    }
}

/// Warns, as ssh does, when a file holding private material is readable by group or others.
pub(crate) fn warn_if_exposed(path: &Path, out: &Output) {
    if let Some(mode) = exposed_mode(path) {
        out.warn(&format!(
            "permissions {mode:04o} for '{}' are too open: private keys and secrets should be \
             readable only by you (chmod 600 '{}')",
            path.display(),
            path.display()
        ));
    }
}

/// The permission bits of `path` if group or others may read or write it.
#[cfg(unix)]
pub(crate) fn exposed_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    if path == Path::new("-") {
        return None;
    }
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub(crate) fn exposed_mode(_path: &Path) -> Option<u32> {
    None
}

/// Names the file in a key or secret error, keeping the core's code.
fn in_file(path: &Path, err: paysign_core::Error) -> CliError {
    let mut cli = CliError::from(err);
    cli.message = format!("{}: {}", display_path(path), cli.message);
    cli
}

fn zeroize_on_drop(bytes: Vec<u8>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(bytes)
}
