//! Human or machine output.
//!
//! Results go to stdout, diagnostics (warnings, progress) to stderr. With `--json`, stdout
//! carries exactly one JSON document, `{"ok":true,...}` or
//! `{"ok":false,"code":"<code>","message":"..."}`, so it can be piped into `jq`.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use paysign_core::Params;
use paysign_core::message::{BodyFormat, encode_form_in, write_body};

use crate::error::CliError;

/// The warnings this process has printed (`Output::warn` prints each once).
static PRINTED_WARNINGS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// How results are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    json: bool,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether `--json` was given.
    pub(crate) fn is_json(&self) -> bool {
        self.json
    }

    /// A line on stdout.
    pub(crate) fn line(&self, text: &str) {
        write_stdout(&format!("{text}\n"));
    }

    /// Text on stdout as it is (a PEM block that ends its own lines).
    pub(crate) fn text(&self, text: &str) {
        write_stdout(text);
    }

    /// Exact bytes on stdout, without a trailing newline unless stdout is a terminal: a
    /// message body piped into another command must arrive unchanged (a trailing newline
    /// would become part of the last field and break its signature).
    pub(crate) fn exact(&self, text: &str) -> Result<(), CliError> {
        let mut stdout = std::io::stdout().lock();
        let newline = if stdout.is_terminal() { "\n" } else { "" };
        match write!(stdout, "{text}{newline}").and_then(|()| stdout.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => closed_stdout(),
            other => other.map_err(|e| CliError::io(std::path::Path::new("standard output"), &e)),
        }
    }

    /// The `--json` success document: `{"ok": true, ...fields}`.
    pub(crate) fn json_ok(&self, fields: serde_json::Value) {
        let mut doc = serde_json::Map::new();
        doc.insert("ok".into(), true.into());
        if let serde_json::Value::Object(fields) = fields {
            doc.extend(fields);
        }
        print_json(&serde_json::Value::Object(doc));
    }

    /// A warning on stderr (never fatal), once per process: a command that reads a file
    /// twice (`explain` reads the credentials for its diagnosis, then again to confirm the
    /// verdict as `verify` would) says what is wrong with it once.
    pub(crate) fn warn(&self, text: &str) {
        let first = match PRINTED_WARNINGS.lock() {
            Ok(mut printed) => printed.insert(text.to_owned()),
            // Another thread panicked while holding the set: print rather than lose a warning.
            Err(_) => true,
        };
        if first {
            eprintln!("warning: {text}");
        }
    }

    /// Progress on stderr.
    pub(crate) fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Reports a failed command: a JSON document on stdout with `--json`, else a line on
    /// stderr.
    pub(crate) fn error(&self, err: &CliError) {
        if self.json {
            let mut doc = serde_json::Map::new();
            doc.insert("ok".into(), false.into());
            doc.insert("code".into(), err.code.into());
            doc.insert("message".into(), err.message.clone().into());
            if let Some(serde_json::Value::Object(details)) = &err.details {
                doc.extend(details.clone());
            }
            print_json(&serde_json::Value::Object(doc));
        } else {
            eprintln!("error[{}]: {}", err.code, err.message);
        }
    }
}

fn print_json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => write_stdout(&format!("{text}\n")),
        // Serialising a `Value` cannot fail; keep the contract even if it did.
        Err(_) => write_stdout(
            "{\"ok\":false,\"code\":\"IO_ERROR\",\"message\":\"cannot serialise output\"}\n",
        ),
    }
}

/// Every write to stdout: `println!` would panic when the reader has gone (`paysign verify
/// --json … | head -c 10`); a closed pipe ends the command quietly instead, as Unix tools
/// do, and any other write failure is reported on stderr.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => closed_stdout(),
        Err(e) => {
            eprintln!("error[IO_ERROR]: cannot write standard output: {e}");
            std::process::exit(i32::from(crate::error::Status::Usage.code()));
        }
    }
}

/// The reader of stdout has gone: nothing more can be said, and nobody is listening for a
/// status either; exit 0 quietly (what `ripgrep` does).
fn closed_stdout() -> ! {
    std::process::exit(0)
}

/// Renders a message in a wire format, fields in their order; a form body's text is
/// written in `charset` (the one the message declares: `ParsedBody::charset`). Written by
/// the core: the form encoding ([`encode_form_in`], docs/protocol.md §1), and
/// `message::write` for JSON and WeChat Pay v2 XML (always UTF-8).
pub(crate) fn render_in(
    params: &Params,
    format: BodyFormat,
    charset: &str,
) -> Result<String, CliError> {
    Ok(match format {
        BodyFormat::Form => encode_form_in(params, charset)?,
        other => write_body(params, other)?,
    })
}

/// Parameters as a JSON object (sorted by name).
pub(crate) fn params_json(params: &Params) -> serde_json::Value {
    params
        .iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}
