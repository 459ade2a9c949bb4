//! [`StateSnapshot`]: everything a request can change, in one comparable value — what the
//! admin property test (`tests/admin_property.rs`) compares before and after each refused
//! request (issue 23: "any request answered 4xx leaves the gateway's state unchanged").
//!
//! The database part is read generically, every table `sqlite_master` lists (including
//! `sqlite_sequence`, the AUTOINCREMENT counters), so a table added later is covered
//! without anyone remembering to add it here. The memory and `--db` stores are both
//! SQLite, so one reader serves both. The parts that live outside the database are added
//! by name: the clock, the timing settings (not persisted, §12.13) and the gateway key
//! rings as held in memory. The merchant credential cache is left out on purpose: it is a
//! copy of `merchants` rows filled on demand, and a refused request that fills it changes
//! no answer.

use std::collections::BTreeMap;
use std::fmt;

use paysign_core::SignType;
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::gateway_key::GatewayKeys;
use crate::state::AppState;
use crate::store::Store;

/// A canonical, comparable form of the gateway's state: named sections (`clock`,
/// `timing`, `gateway_keys`, `table <name>`), each a sorted list of lines.
///
/// Secrets (merchant SECRETs, gateway private keys) are kept as SHA-256 digests, so two
/// snapshots still differ when a secret does, and `Debug` prints no secret.
#[doc(hidden)]
#[derive(Clone, PartialEq, Eq)]
pub struct StateSnapshot {
    sections: BTreeMap<String, Vec<String>>,
}

impl StateSnapshot {
    /// The names of the sections that differ between `self` and `other`, with the lines
    /// only one of them has (for a failing assertion's message).
    pub fn diff(&self, other: &Self) -> String {
        let mut out = String::new();
        let empty = Vec::new();
        let names: std::collections::BTreeSet<&String> =
            self.sections.keys().chain(other.sections.keys()).collect();
        for name in names {
            let a = self.sections.get(name).unwrap_or(&empty);
            let b = other.sections.get(name).unwrap_or(&empty);
            if a == b {
                continue;
            }
            out.push_str(&format!("[{name}]\n"));
            for line in a.iter().filter(|l| !b.contains(l)) {
                out.push_str(&format!("- {line}\n"));
            }
            for line in b.iter().filter(|l| !a.contains(l)) {
                out.push_str(&format!("+ {line}\n"));
            }
        }
        out
    }

    /// The lines of one section (`"clock"`, `"table orders"`, …), if present.
    pub fn section(&self, name: &str) -> Option<&[String]> {
        self.sections.get(name).map(Vec::as_slice)
    }
}

impl fmt::Debug for StateSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, lines) in &self.sections {
            writeln!(f, "[{name}]")?;
            for line in lines {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

/// `sha256:` and the first 16 hex digits of the digest of `text`.
fn digest(text: &[u8]) -> String {
    let d = Sha256::digest(text);
    let hex: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether the cell `column` of a row of `table` whose first cell is `first` holds a
/// secret: a merchant SECRET column, or a gateway private key in `meta`.
fn is_secret(table: &str, column: &str, first: Option<&str>) -> bool {
    column.contains("secret")
        || (table == "meta"
            && column == "value"
            && first.is_some_and(GatewayKeys::is_private_key_row))
}

fn render(value: ValueRef<'_>, secret: bool) -> String {
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => format!("{r:?}"),
        ValueRef::Text(t) if secret => digest(t),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => digest(b),
    }
}

impl Store {
    /// Every row of every table, rendered `column=value` and sorted, by table name.
    pub(crate) fn dump(&self) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
        self.read(|conn| {
            let mut tables = BTreeMap::new();
            let names: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for name in names {
                // The name comes from sqlite_master, quoted as an identifier.
                let mut stmt =
                    conn.prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))?;
                let columns: Vec<String> =
                    stmt.column_names().into_iter().map(str::to_owned).collect();
                let mut rows = stmt.query([])?;
                let mut lines = Vec::new();
                while let Some(row) = rows.next()? {
                    let first = match row.get_ref(0)? {
                        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                        _ => None,
                    };
                    let mut cells = Vec::with_capacity(columns.len());
                    for (i, column) in columns.iter().enumerate() {
                        let secret = is_secret(&name, column, first.as_deref());
                        cells.push(format!("{column}={}", render(row.get_ref(i)?, secret)));
                    }
                    lines.push(cells.join(" "));
                }
                lines.sort();
                tables.insert(format!("table {name}"), lines);
            }
            Ok(tables)
        })
    }
}

impl AppState {
    /// The gateway's whole state in a comparable form (see [`StateSnapshot`]). For tests:
    /// it reads every table.
    #[doc(hidden)]
    pub fn snapshot(&self) -> Result<StateSnapshot, ApiError> {
        let mut sections = self.store().dump()?;
        let (mode, value) = self.clock().snapshot();
        sections.insert(
            "clock".to_owned(),
            vec![format!("mode={} value={value}", mode.name())],
        );
        sections.insert("timing".to_owned(), vec![format!("{:?}", self.timing())]);
        let keys = self.keys();
        let rings = GatewayKeys::SIGN_TYPES
            .into_iter()
            .map(|sign_type: SignType| {
                let ring = keys.ring(sign_type);
                format!("{} {}", sign_type.name(), ring.describe())
            })
            .collect();
        sections.insert("gateway_keys".to_owned(), rings);
        Ok(StateSnapshot { sections })
    }
}
