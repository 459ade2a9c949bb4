//! How a command ends when it does not succeed: an exit status, a stable code and a message.
//!
//! Core errors keep their [`paysign_core::Error::code`], and their message names flags
//! ([`crate::words`]); the few failures that only exist in
//! the shell (a file that cannot be read, a refused overwrite, an endpoint that never
//! acknowledged) have codes of their own, listed in `paysign --help`.

use std::fmt;
use std::path::Path;

/// The process exit status of a finished command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// 0: done, or the message verified.
    Success,
    /// 1: the message did not verify, or the check was negative.
    Negative,
    /// 2: the command could not run: bad arguments, unreadable input, unusable key.
    Usage,
}

impl Status {
    pub(crate) fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Negative => 1,
            Status::Usage => 2,
        }
    }
}

/// A command that did not succeed.
#[derive(Debug)]
pub(crate) struct CliError {
    /// Exit status: [`Status::Negative`] or [`Status::Usage`].
    pub(crate) status: Status,
    /// Stable machine-readable code (`SIGNATURE_MISMATCH`, `IO_ERROR`, ...).
    pub(crate) code: &'static str,
    /// What went wrong, in words.
    pub(crate) message: String,
    /// Extra fields for `--json` (e.g. the attempts of `paysign notify`).
    pub(crate) details: Option<serde_json::Value>,
}

impl CliError {
    /// The message failed a check: exit 1.
    pub(crate) fn negative(err: paysign_core::Error) -> Self {
        Self {
            status: Status::Negative,
            code: err.code(),
            message: crate::words::message(&err),
            details: None,
        }
    }

    /// Bad arguments or flags that do not fit together: exit 2.
    pub(crate) fn usage(message: impl fmt::Display) -> Self {
        Self {
            status: Status::Usage,
            code: "USAGE",
            message: message.to_string(),
            details: None,
        }
    }

    /// A file or stream could not be read or written: exit 2.
    pub(crate) fn io(what: &Path, err: &std::io::Error) -> Self {
        Self {
            status: Status::Usage,
            code: "IO_ERROR",
            message: format!("{}: {err}", display_path(what)),
            details: None,
        }
    }

    /// Any other failure with its own code and status.
    pub(crate) fn other(status: Status, code: &'static str, message: impl fmt::Display) -> Self {
        Self {
            status,
            code,
            message: message.to_string(),
            details: None,
        }
    }

    /// Adds fields to the `--json` error document.
    pub(crate) fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// A core error while setting up (reading a key, configuring a verifier): exit 2.
impl From<paysign_core::Error> for CliError {
    fn from(err: paysign_core::Error) -> Self {
        Self {
            status: Status::Usage,
            code: err.code(),
            message: crate::words::message(&err),
            details: None,
        }
    }
}

/// `-` is shown as "standard input".
pub(crate) fn display_path(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}
