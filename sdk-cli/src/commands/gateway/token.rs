//! Where `paysign gateway` and `paysign gateway admin` find the admin token
//! (docs/protocol.md §12.13): one rule for both sides, so that a client started with the
//! same flags and environment as its server finds the server's token.
//!
//! In order: `--admin-token-file PATH`; the environment variable
//! `PAYSIGN_GATEWAY_ADMIN_TOKEN`; the default file of the gateway's port,
//! `$XDG_RUNTIME_DIR/paysign/gateway-PORT.admin-token` (else under `$HOME/.paysign/`).
//! The server reads a token file that exists and otherwise writes a new random token
//! there (mode 0600, in a directory it makes 0700). The token itself is never printed or
//! logged; the start-up line names its file.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use paysign_gateway::AdminToken;
use zeroize::Zeroizing;

use crate::error::{CliError, Status};
use crate::output::Output;

/// The environment variable that holds the admin token itself.
pub(super) const TOKEN_ENV: &str = "PAYSIGN_GATEWAY_ADMIN_TOKEN";

/// Where the server's token came from, for the start-up line.
#[derive(Debug, Clone)]
pub(super) enum Origin {
    /// Read from this file, or generated and written there.
    File(PathBuf),
    /// Taken from [`TOKEN_ENV`].
    Env,
}

impl Origin {
    /// The token file, if the token has one.
    pub(super) fn file(&self) -> Option<&Path> {
        match self {
            Origin::File(path) => Some(path),
            Origin::Env => None,
        }
    }

    /// `PATH`, or `from $PAYSIGN_GATEWAY_ADMIN_TOKEN`.
    pub(super) fn describe(&self) -> String {
        match self {
            Origin::File(path) => path.display().to_string(),
            Origin::Env => format!("from ${TOKEN_ENV}"),
        }
    }
}

/// The server's token before it listens: from `--admin-token-file` (read if it exists,
/// else generated and written there) or from the environment. `None`: neither was given,
/// and [`write_default`] writes a generated token once the port is known.
pub(super) fn for_server(
    flag: Option<&Path>,
    out: &Output,
) -> Result<Option<(AdminToken, Origin)>, CliError> {
    if let Some(path) = flag {
        let token = if path.exists() {
            read_file(path, out)?
        } else {
            let token = generate()?;
            write_file(path, &token)?;
            token
        };
        return Ok(Some((token, Origin::File(path.to_owned()))));
    }
    match env_token()? {
        Some(token) => Ok(Some((token, Origin::Env))),
        None => Ok(None),
    }
}

/// A new random token (256 bits).
pub(super) fn generate() -> Result<AdminToken, CliError> {
    AdminToken::generate().map_err(|e| CliError::other(Status::Usage, e.code(), e.to_string()))
}

/// Writes `token` to the default file of `port` (replacing a stale one); returns the path.
pub(super) fn write_default(port: u16, token: &AdminToken) -> Result<PathBuf, CliError> {
    let path = default_file(port).ok_or_else(no_default_dir)?;
    if let Some(dir) = path.parent() {
        make_private_dir(dir)?;
    }
    write_file(&path, token)?;
    Ok(path)
}

/// The token a client sends to the gateway at `url`, or `None` when none is found (the
/// gateway then answers `401 ADMIN_TOKEN_INVALID`, and the client says where it looked).
pub(super) fn for_client(
    flag: Option<&Path>,
    url: &str,
    out: &Output,
) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(path) = flag {
        return Ok(Some(Zeroizing::new(
            read_file(path, out)?.expose().to_owned(),
        )));
    }
    if let Some(token) = env_token()? {
        return Ok(Some(Zeroizing::new(token.expose().to_owned())));
    }
    match port_of(url).and_then(default_file) {
        Some(path) if path.exists() => Ok(Some(Zeroizing::new(
            read_file(&path, out)?.expose().to_owned(),
        ))),
        _ => Ok(None),
    }
}

/// Where a client looked for the token of the gateway at `url`, for its error messages.
pub(super) fn where_to_look(url: &str) -> String {
    let default = port_of(url)
        .and_then(default_file)
        .map(|p| format!(" and {}", p.display()))
        .unwrap_or_default();
    format!("--admin-token-file, ${TOKEN_ENV}{default}")
}

/// `$XDG_RUNTIME_DIR/paysign/gateway-PORT.admin-token`, else
/// `$HOME/.paysign/gateway-PORT.admin-token`: per user, never a shared directory such as
/// /tmp, where another user could plant a token of their choosing.
pub(super) fn default_file(port: u16) -> Option<PathBuf> {
    let name = format!("gateway-{port}.admin-token");
    let non_empty = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(runtime) = non_empty(std::env::var_os("XDG_RUNTIME_DIR")) {
        return Some(runtime.join("paysign").join(name));
    }
    non_empty(std::env::var_os("HOME")).map(|home| home.join(".paysign").join(name))
}

/// The port of `http://host[:port][/...]` (80 without one).
fn port_of(url: &str) -> Option<u16> {
    let rest = url.trim().strip_prefix("http://")?;
    let authority = rest.split('/').next()?;
    match authority.rsplit_once(':') {
        // An IPv6 literal without a port ends with `]`.
        Some((_, port)) if !port.ends_with(']') => port.parse().ok(),
        _ => Some(80),
    }
}

fn env_token() -> Result<Option<AdminToken>, CliError> {
    match std::env::var_os(TOKEN_ENV) {
        None => Ok(None),
        Some(value) if value.is_empty() => Ok(None),
        Some(value) => {
            let value = Zeroizing::new(
                value
                    .into_string()
                    .map_err(|_| CliError::usage(format!("${TOKEN_ENV} is not UTF-8")))?,
            );
            AdminToken::new(value.trim().to_owned())
                .map(Some)
                .map_err(|e| CliError::usage(format!("${TOKEN_ENV}: {e}")))
        }
    }
}

/// A token file: the token on its first line (surrounding whitespace ignored). Warns when
/// other users may read it.
fn read_file(path: &Path, out: &Output) -> Result<AdminToken, CliError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| CliError::io(path, &e))?);
    warn_if_shared(path, out);
    AdminToken::new(text.trim().to_owned())
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

#[cfg(unix)]
fn warn_if_shared(path: &Path, out: &Output) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            out.warn(&format!(
                "{}: the admin token file can be read by other users (chmod 600 it)",
                path.display()
            ));
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path, _out: &Output) {}

/// Writes the token and a newline to `path`, readable by its owner only (0600 from the
/// moment the file exists, also when it replaces an older file).
fn write_file(path: &Path, token: &AdminToken) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let io = |e: std::io::Error| CliError::io(path, &e);
    let mut file = options.open(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    writeln!(file, "{}", token.expose()).map_err(io)?;
    file.sync_all().map_err(io)
}

fn make_private_dir(dir: &Path) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::io(dir, &e);
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

fn no_default_dir() -> CliError {
    CliError::usage(format!(
        "nowhere to write the admin token: neither XDG_RUNTIME_DIR nor HOME is set; pass \
         --admin-token-file PATH or set ${TOKEN_ENV}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_of_urls() {
        assert_eq!(port_of("http://127.0.0.1:8080"), Some(8080));
        assert_eq!(port_of("http://127.0.0.1:41234/admin/"), Some(41234));
        assert_eq!(port_of("http://localhost"), Some(80));
        assert_eq!(port_of("http://[::1]:9000/"), Some(9000));
        assert_eq!(port_of("http://[::1]"), Some(80));
        assert_eq!(port_of("https://example.com"), None);
        assert_eq!(port_of("http://127.0.0.1:x"), None);
    }
}
