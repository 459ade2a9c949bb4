//! How the admin commands print: the `--json` document or lines, values spelled out
//! (times, fen), PEM keys handed out to a file or stdout.

use std::path::Path;

use paysign_core::Amount;
use serde_json::{Value, json};

use crate::error::{CliError, Status};
use crate::output::Output;

/// Refuses to replace an existing `--out` file without `--force`.
pub(super) fn check_out(path: Option<&Path>, force: bool) -> Result<(), CliError> {
    match path {
        Some(path) if !force && path.symlink_metadata().is_ok() => Err(CliError::other(
            Status::Usage,
            "FILE_EXISTS",
            format!(
                "refusing to overwrite {} (pass --force to replace it)",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Prints a PEM on stdout, ending with a newline.
pub(super) fn print_pem(out: &Output, pem: &str) {
    out.text(pem);
    if !pem.ends_with('\n') {
        out.text("\n");
    }
}

/// Writes `pem` to `path` and says so (`written` then the path), or prints it after
/// `note` (on stderr); with --json the API's `answer` plus `out` instead of words.
pub(super) fn hand_out_pem(
    out: &Output,
    answer: &Value,
    pem: &str,
    path: Option<&Path>,
    written: &str,
    note: Option<&str>,
) -> Result<(), CliError> {
    if let Some(path) = path {
        std::fs::write(path, pem).map_err(|e| CliError::io(path, &e))?;
    }
    if out.is_json() {
        let mut doc = answer.clone();
        if let Some(path) = path {
            doc["out"] = json!(path.display().to_string());
        }
        out.json_ok(doc);
    } else if let Some(path) = path {
        out.line(&format!("{written} {}", path.display()));
    } else {
        if let Some(note) = note {
            out.note(note);
        }
        print_pem(out, pem);
    }
    Ok(())
}

/// An object as aligned `key  value` lines (keys sorted), times and amounts spelled out.
pub(super) fn print_fields(out: &Output, value: &Value, skip: &[&str]) {
    let Some(object) = value.as_object() else {
        out.line(&value.to_string());
        return;
    };
    let shown: Vec<(&String, &Value)> = object
        .iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
        .collect();
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in shown {
        let mut line = match value {
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
            other => text(other),
        };
        let digits = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
        if digits && ["_at", "_until", "_time"].iter().any(|s| key.ends_with(s)) {
            if let Ok(unix) = line.parse::<i64>() {
                line = crate::commands::gateway::times::when(unix);
            }
        } else if digits && key.contains("amount") {
            line = fen(&line);
        }
        out.line(&format!("{key:<width$}  {line}"));
    }
}

/// Prints the `--json` document (the API's answer plus `"ok": true`), or the human form.
pub(super) fn report(out: &Output, body: &Value, human: impl FnOnce(&Value)) {
    if out.is_json() {
        out.json_ok(body.clone());
    } else {
        human(body);
    }
}

/// A JSON value as text: strings without quotes, `null` as `-`.
pub(super) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// `1234` → `1234 fen (12.34 yuan)`.
pub(super) fn fen(text: &str) -> String {
    match Amount::parse_fen(text) {
        Ok(a) => format!("{} fen ({} yuan)", a.fen(), a.to_yuan_string()),
        Err(_) => text.to_owned(),
    }
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
