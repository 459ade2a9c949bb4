//! Human or machine output.
//!
//! Results go to stdout, diagnostics (warnings, progress) to stderr. With `--json`, stdout
//! carries exactly one JSON document, `{"ok":true,...}` or
//! `{"ok":false,"code":"<code>","message":"..."}`, so it can be piped into `jq`.

use std::io::{IsTerminal, Write};

use paysign_core::Params;
use paysign_core::message::{BodyFormat, encode_form_in};

use crate::error::CliError;

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
        println!("{text}");
    }

    /// Exact bytes on stdout, without a trailing newline unless stdout is a terminal: a
    /// message body piped into another command must arrive unchanged (a trailing newline
    /// would become part of the last field and break its signature).
    pub(crate) fn exact(&self, text: &str) -> Result<(), CliError> {
        let mut stdout = std::io::stdout().lock();
        let newline = if stdout.is_terminal() { "\n" } else { "" };
        write!(stdout, "{text}{newline}")
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::io(std::path::Path::new("standard output"), &e))
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

    /// A warning on stderr (never fatal).
    pub(crate) fn warn(&self, text: &str) {
        eprintln!("warning: {text}");
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
        Ok(text) => println!("{text}"),
        // Serialising a `Value` cannot fail; keep the contract even if it did.
        Err(_) => {
            println!(r#"{{"ok":false,"code":"IO_ERROR","message":"cannot serialise output"}}"#)
        }
    }
}

/// Renders a message in a wire format, fields in their order (UTF-8).
pub(crate) fn render(params: &Params, format: BodyFormat) -> Result<String, CliError> {
    render_in(params, format, "UTF-8")
}

/// Renders a message in a wire format, fields in their order; a form body's text is
/// written in `charset` (the one the message declares: `ParsedBody::charset`).
///
/// - form: the core's form encoding ([`encode_form_in`], docs/protocol.md §1);
/// - json: one flat object of string values (always UTF-8);
/// - xml: WeChat Pay v2 style `<xml><name><![CDATA[value]]></name>...</xml>` (UTF-8).
pub(crate) fn render_in(
    params: &Params,
    format: BodyFormat,
    charset: &str,
) -> Result<String, CliError> {
    Ok(match format {
        BodyFormat::Form => encode_form_in(params, charset)?,
        BodyFormat::Json => {
            let fields: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        BodyFormat::Xml => {
            let mut out = String::from("<xml>");
            for (k, v) in params.iter() {
                if !is_xml_name(k) {
                    return Err(CliError::usage(format!(
                        "field name {k:?} cannot be an XML element name; use --output form or json"
                    )));
                }
                // A CDATA section cannot contain `]]>`: split it across two sections.
                let v = v.replace("]]>", "]]]]><![CDATA[>");
                out.push_str(&format!("<{k}><![CDATA[{v}]]></{k}>"));
            }
            out.push_str("</xml>");
            out
        }
    })
}

/// A conservative XML element name: ASCII letters, digits, `_`, `-`, `.`, not starting
/// with a digit, `-`, `.` or `xml`.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.to_ascii_lowercase().starts_with("xml")
}

/// The Content-Type header of a body in `format`.
pub(crate) fn content_type(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Form => "application/x-www-form-urlencoded; charset=utf-8",
        BodyFormat::Json => "application/json; charset=utf-8",
        BodyFormat::Xml => "text/xml; charset=utf-8",
    }
}

/// Parameters as a JSON object (sorted by name).
pub(crate) fn params_json(params: &Params) -> serde_json::Value {
    params
        .iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}
