//! `paysign reconcile`: the gateway's daily statement against the merchant's own records
//! (docs/protocol.md §10), through `paysign_core::reconcile`.
//!
//! The shell opens the files (buffered: the core streams them, nothing is read whole),
//! turns the flags into [`ReconcileOptions`], draws a progress bar when stderr is a terminal,
//! writes the machine report of every difference and prints the core's summary. Every rule
//! (the trailer check, the cutoff, the classes) is the core's.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{HumanCount, ProgressBar, ProgressStyle};
use paysign_core::reconcile::{
    AmountUnit, ColumnMap, DEFAULT_CUTOFF_TOLERANCE_SECS, DifferenceWriter, ProgressSnapshot,
    ReconcileOptions, ReconcileReport, RecordFormat, ReportFormat, Source, StatementType,
    reconcile,
};

use crate::error::{CliError, Status, display_path};
use crate::output::Output;

const AFTER_HELP: &str = "\
Checks the statement first as docs/protocol.md §10.2 requires (header, bill_date of every
row, the #summary trailer's row count and totals, and --statement-sha256 if given), then
matches it with the records by order number and event kind. Each event gets a class of
§10.3: MATCHED, CUTOFF_PENDING and CUTOFF_MATCHED (the 23:30 cutoff, 日切; not
discrepancies), MISSING_LOCALLY (掉单), MISSING_IN_STATEMENT, STATUS_MISMATCH and
AMOUNT_MISMATCH.

stdout: the summary (count and yuan totals per class, long/short), or with --json one
document with the same figures in fen. --report: one row per event that is not MATCHED
(columns class, order_no, trade_no, trade_type, statement_amount, local_amount, ... in fen);
the file is replaced only when the run completes. stderr: malformed rows (file:line), and
a progress bar when stderr is a terminal.

Records: one event per row (a payment, a refund, a reversal; for --kind collection, a
deduction or a payout, and a trade_type column saying which), CSV with a header line or
JSON lines. Without --map they use the statement's names: out_trade_no, amount (fen),
trade_time, trade_status, trade_no, trade_type. With --map they are what it names:
order_no, amount, unit and time are required; status, trade_no and trade_type are read
only if named. Times: RFC 3339, 'YYYY-MM-DD HH:MM:SS' or YYYYMMDDHHMMSS at +08:00, or Unix
seconds.

Exit status: 0 clean (no discrepancy, no malformed row), 1 discrepancies or malformed rows
to investigate, 2 usage or input error; a refused statement is 2 with its code
(BODY_MALFORMED) and no report.

Example:
  $ paysign reconcile --statement statement-2026-11-20.csv --records orders.csv \\
      --next-statement statement-2026-11-21.csv \\
      --map order_no=order_id,amount=amount_yuan,unit=yuan,time=paid_at,status=state \\
      --status-map PAID=SUCCESS,REFUNDED=PARTIALLY_REFUNDED
  Reconciliation (对账) of the TRANSACTION statement of 2026-11-20
  Statement: 3 rows, in 87.13 out 10.00 yuan; records: 4 rows; next day's statement: 1 rows
  ...
  Result: 1 discrepancies to investigate (差异待查)
  Report: 3 differences written to reconcile-report.csv (csv)

  The day's collection and payout statement (代收付, docs/collection.md §5.2):
  $ paysign reconcile --kind collection --statement collection-2026-11-20.csv \\
      --records debits.csv --map order_no=no,amount=fen,unit=fen,time=at,status=state,trade_type=kind";

/// Which statement is given (docs/protocol.md §10.2).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Kind {
    /// Transaction flow (业务对账): one row per payment, refund or reversal
    Transaction,
    /// Fund flow (资金对账): one row per money movement, net of fees
    Fund,
    /// Collection and payout (代收付对账): one row per successful deduction or payout; the
    /// records need a trade type column (DEDUCTION or PAYOUT)
    Collection,
}

impl Kind {
    fn core(self) -> StatementType {
        match self {
            Kind::Transaction => StatementType::Transaction,
            Kind::Fund => StatementType::Fund,
            Kind::Collection => StatementType::Collection,
        }
    }
}

/// A table file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TableFormat {
    /// CSV with a header line
    Csv,
    /// One JSON object per line
    Jsonl,
}

impl TableFormat {
    /// JSON lines for `.jsonl` and `.ndjson`, else CSV.
    fn from_extension(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
                TableFormat::Jsonl
            }
            _ => TableFormat::Csv,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Jsonl => "jsonl",
        }
    }
}

/// Reconcile a gateway statement against the merchant's own records
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The gateway's statement of the business day (CSV of docs/protocol.md §10.2)
    #[arg(long, value_name = "FILE")]
    statement: PathBuf,

    /// The merchant's records of the same calendar day (+08:00); `-` for standard input
    #[arg(long, value_name = "FILE")]
    records: PathBuf,

    /// The next business day's statement: events after the 23:30 cutoff are matched there
    #[arg(long, value_name = "FILE")]
    next_statement: Option<PathBuf>,

    /// Statement kind
    #[arg(long, value_name = "KIND", value_enum, default_value_t = Kind::Transaction)]
    kind: Kind,

    /// Business day of the statement [default: the bill_date of its first row]
    #[arg(long, value_name = "YYYY-MM-DD")]
    bill_date: Option<String>,

    /// Format of the records [default: jsonl for .jsonl/.ndjson files, else csv]
    #[arg(long, value_name = "FORMAT", value_enum)]
    records_format: Option<TableFormat>,

    /// Columns of the records, as KEY=COLUMN: order_no, amount, unit=yuan|fen, time (required),
    /// status, trade_no, trade_type
    #[arg(long, value_name = "KEY=COLUMN,...", value_delimiter = ',', value_parser = parse_pair)]
    map: Vec<(String, String)>,

    /// Local status → gateway status (SUCCESS, REFUNDED, REVERSED...), e.g. PAID=SUCCESS;
    /// unmapped statuses are used as they are
    #[arg(long, value_name = "LOCAL=GATEWAY,...", value_delimiter = ',', value_parser = parse_pair)]
    status_map: Vec<(String, String)>,

    /// Clock tolerance around the cutoff, in seconds
    #[arg(long, value_name = "SECS", default_value_t = default_tolerance())]
    cutoff_tolerance: u32,

    /// The sha256 field of the signed statement.download response: refuse any other bytes
    #[arg(long, value_name = "HEX")]
    statement_sha256: Option<String>,

    /// Stop at the first malformed row (exit 2) instead of reporting it and going on
    #[arg(long)]
    stop_on_error: bool,

    /// Where to write the report of every difference
    #[arg(long, value_name = "FILE", default_value = "reconcile-report.csv")]
    report: PathBuf,

    /// Format of the report [default: jsonl for .jsonl/.ndjson files, else csv]
    #[arg(long, value_name = "FORMAT", value_enum)]
    report_format: Option<TableFormat>,
}

fn default_tolerance() -> u32 {
    u32::try_from(DEFAULT_CUTOFF_TOLERANCE_SECS).unwrap_or(300)
}

/// `KEY=VALUE` → (`KEY`, `VALUE`); the value may be empty, the key may not.
fn parse_pair(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got {text:?}"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("expected KEY=VALUE, got {text:?}"));
    }
    Ok((key.to_owned(), value.trim().to_owned()))
}

pub(crate) fn run(args: &Args, out: &Output) -> Result<Status, CliError> {
    let columns = column_map(&args.map, &args.status_map)?;
    let records_format = args.records_format.unwrap_or_else(|| {
        if is_stdin(&args.records) {
            TableFormat::Csv
        } else {
            TableFormat::from_extension(&args.records)
        }
    });
    let report_format = args
        .report_format
        .unwrap_or_else(|| TableFormat::from_extension(&args.report));
    let inputs = Inputs::of(args);
    inputs.check_report_path(&args.report)?;

    let bill_date = match &args.bill_date {
        Some(date) => date.clone(),
        None => first_bill_date(&args.statement)?,
    };
    let records = match records_format {
        TableFormat::Csv => RecordFormat::Csv(columns),
        TableFormat::Jsonl => RecordFormat::JsonLines(columns),
    };
    let mut options = ReconcileOptions::new(args.kind.core(), records, bill_date);
    options.cutoff_tolerance_secs = i64::from(args.cutoff_tolerance);
    options.stop_on_error = args.stop_on_error;
    options.expected_sha256 = args.statement_sha256.clone();
    // Parse both files on threads of their own when there is a core for it; not from a
    // terminal, where a refused statement would wait for the typing to end.
    options.read_ahead =
        std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) && !is_stdin(&args.records);

    let statement = open(&args.statement)?;
    let records = open_records(&args.records)?;
    let next_statement = args.next_statement.as_deref().map(open).transpose()?;

    let mut writer = DifferenceWriter::new(
        BufWriter::new(ReportFile::create(&args.report)?),
        match report_format {
            TableFormat::Csv => ReportFormat::Csv,
            TableFormat::Jsonl => ReportFormat::JsonLines,
        },
    );
    let progress = Progress::new(inputs.total_bytes());
    if progress.is_drawn() {
        options.progress_every = 1024;
    }
    let result = reconcile(
        statement,
        records,
        next_statement,
        &options,
        &mut |d| writer.write(d),
        &mut |p| progress.update(p),
    );
    progress.finish();
    let report = result.map_err(|e| inputs.name_file(e))?;

    let written = writer.written();
    writer
        .finish()
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .map_err(|e| CliError::io(&args.report, &e))?
        .commit(&args.report)?;

    list_row_errors(&report, &inputs, out);
    if out.is_json() {
        let mut doc: serde_json::Value = serde_json::from_str(&report.to_json())
            .map_err(|e| CliError::other(Status::Usage, "IO_ERROR", e))?;
        doc["report"] = serde_json::json!({
            "file": args.report.display().to_string(),
            "format": report_format.name(),
            "differences": written,
        });
        out.json_ok(doc);
    } else {
        out.line(report.to_string().trim_end());
        out.line(&format!(
            "Report: {written} difference{} written to {} ({})",
            if written == 1 { "" } else { "s" },
            args.report.display(),
            report_format.name()
        ));
    }
    Ok(if report.is_clean() {
        Status::Success
    } else {
        Status::Negative
    })
}

/// `--map` and `--status-map` as a [`ColumnMap`]: the statement's own names without
/// `--map`, exactly the named columns with it.
fn column_map(
    map: &[(String, String)],
    status_map: &[(String, String)],
) -> Result<ColumnMap, CliError> {
    let mut columns = if map.is_empty() {
        ColumnMap::default()
    } else {
        mapped_columns(map)?
    };
    if !status_map.is_empty() && columns.status.is_none() {
        return Err(CliError::usage(
            "--status-map needs a status column: name it in --map (status=COLUMN)",
        ));
    }
    for (local, gateway) in status_map {
        if gateway.is_empty() {
            return Err(CliError::usage(format!(
                "--status-map {local}= maps to nothing: give the gateway status (e.g. {local}=SUCCESS)"
            )));
        }
    }
    columns.status_map = status_map.to_vec();
    Ok(columns)
}

fn mapped_columns(map: &[(String, String)]) -> Result<ColumnMap, CliError> {
    let (mut order_no, mut amount, mut unit, mut time) = (None, None, None, None);
    let (mut status, mut trade_no, mut trade_type) = (None, None, None);
    for (key, value) in map {
        if value.is_empty() {
            return Err(CliError::usage(format!(
                "--map {key}= names no column (leave the key out when the records have none)"
            )));
        }
        let slot = match key.as_str() {
            "order_no" => &mut order_no,
            "amount" => &mut amount,
            "time" => &mut time,
            "status" => &mut status,
            "trade_no" => &mut trade_no,
            "trade_type" => &mut trade_type,
            "unit" => {
                unit = Some(match value.to_ascii_lowercase().as_str() {
                    "yuan" => AmountUnit::Yuan,
                    "fen" => AmountUnit::Fen,
                    _ => {
                        return Err(CliError::usage(format!(
                            "--map unit={value}: the amount unit is yuan (12.34) or fen (1234)"
                        )));
                    }
                });
                continue;
            }
            _ => {
                return Err(CliError::usage(format!(
                    "--map {key}=...: unknown key (keys: order_no, amount, unit, time, status, \
                     trade_no, trade_type)"
                )));
            }
        };
        *slot = Some(value.clone());
    }
    let (Some(order_no), Some(amount), Some(unit), Some(time)) = (order_no, amount, unit, time)
    else {
        return Err(CliError::usage(
            "--map must name order_no, amount, unit (yuan or fen) and time, e.g. \
             --map order_no=order_id,amount=amount_yuan,unit=yuan,time=paid_at",
        ));
    };
    let mut columns = ColumnMap::new(order_no, amount, unit, time);
    columns.status = status;
    columns.trade_no = trade_no;
    columns.trade_type = trade_type;
    Ok(columns)
}

/// The input files, to name them in errors and size the progress bar.
struct Inputs<'a> {
    statement: &'a Path,
    records: &'a Path,
    next_statement: Option<&'a Path>,
}

impl<'a> Inputs<'a> {
    fn of(args: &'a Args) -> Self {
        Self {
            statement: &args.statement,
            records: &args.records,
            next_statement: args.next_statement.as_deref(),
        }
    }

    fn path(&self, source: Source) -> &Path {
        match source {
            Source::Statement => self.statement,
            Source::Records => self.records,
            Source::NextStatement => self.next_statement.unwrap_or(self.statement),
        }
    }

    fn all(&self) -> impl Iterator<Item = &Path> {
        [self.statement, self.records]
            .into_iter()
            .chain(self.next_statement)
    }

    /// The size of all inputs, if every one is a file.
    fn total_bytes(&self) -> Option<u64> {
        self.all()
            .map(|p| {
                std::fs::metadata(p)
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
            })
            .sum()
    }

    /// Refuses a report path that is one of the inputs (it would replace it).
    fn check_report_path(&self, report: &Path) -> Result<(), CliError> {
        let Ok(target) = report.canonicalize() else {
            return Ok(());
        };
        match self
            .all()
            .find(|p| p.canonicalize().is_ok_and(|p| p == target))
        {
            Some(input) => Err(CliError::usage(format!(
                "--report {} is an input file; write the report elsewhere",
                input.display()
            ))),
            None => Ok(()),
        }
    }

    /// A core error, with the file it is about when it names one (a refused statement, a
    /// records file without a mapped column).
    fn name_file(&self, err: paysign_core::Error) -> CliError {
        let source = match &err {
            paysign_core::Error::BodyMalformed { format, .. } => match *format {
                "statement" => Some(Source::Statement),
                "records" => Some(Source::Records),
                "next_statement" => Some(Source::NextStatement),
                _ => None,
            },
            _ => None,
        };
        let mut cli = CliError::from(err);
        if let Some(source) = source {
            cli.message = format!("{}: {}", display_path(self.path(source)), cli.message);
        }
        cli
    }
}

fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// A buffered reader of a file.
fn open(path: &Path) -> Result<BufReader<File>, CliError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| CliError::io(path, &e))
}

/// The records: a file, or standard input for `-`.
fn open_records(path: &Path) -> Result<Box<dyn BufRead + Send>, CliError> {
    if is_stdin(path) {
        if std::io::stdin().is_terminal() {
            eprintln!("reading the records from standard input (end with Ctrl-D; or pass a file)");
        }
        // Not `stdin().lock()`: the lock cannot move to the core's reading thread.
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            std::io::stdin(),
        )))
    } else {
        Ok(Box::new(open(path)?))
    }
}

/// The longest line read while looking for the `bill_date`.
const MAX_PEEK_LINE: u64 = 64 * 1024;

/// The `bill_date` of the statement's first data row (the core then checks every row
/// against it).
fn first_bill_date(path: &Path) -> Result<String, CliError> {
    let mut reader = open(path)?;
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        reader
            .by_ref()
            .take(MAX_PEEK_LINE)
            .read_line(&mut line)
            .map_err(|e| CliError::io(path, &e))?;
    }
    let first = line.split(',').next().unwrap_or_default().trim();
    let looks_like_a_date = first.len() == 10
        && first.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if looks_like_a_date {
        Ok(first.to_owned())
    } else {
        Err(CliError::usage(format!(
            "{}: no bill_date in the first data row (found {:?}); pass --bill-date YYYY-MM-DD",
            display_path(path),
            first
        )))
    }
}

/// Where the report is written.
///
/// A regular file is written beside its destination and renamed into place once the run is
/// complete: a refused statement (only known at its end) leaves no half report behind, and
/// an earlier report stays whole. A special file (`/dev/null`, a pipe) is written directly:
/// renaming over it would replace it.
enum ReportFile {
    Partial(tempfile::NamedTempFile),
    Special(File),
}

impl ReportFile {
    fn create(path: &Path) -> Result<Self, CliError> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(CliError::usage(format!(
                "--report {} is a directory; name a file",
                path.display()
            ))),
            Ok(m) if !m.is_file() => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(ReportFile::Special)
                .map_err(|e| CliError::io(path, &e)),
            _ => {
                let dir = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                let mut builder = tempfile::Builder::new();
                builder.prefix(".paysign-report-");
                // The mode `File::create` gives (0666 less the umask), not a temporary file's 0600.
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
                builder
                    .tempfile_in(dir)
                    .map(ReportFile::Partial)
                    .map_err(|e| CliError::io(path, &e))
            }
        }
    }

    /// Puts a complete report in place.
    fn commit(self, path: &Path) -> Result<(), CliError> {
        match self {
            ReportFile::Partial(file) => file
                .persist(path)
                .map(drop)
                .map_err(|e| CliError::io(path, &e.error)),
            ReportFile::Special(_) => Ok(()),
        }
    }
}

impl Write for ReportFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            ReportFile::Partial(f) => f.write(buf),
            ReportFile::Special(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            ReportFile::Partial(f) => f.flush(),
            ReportFile::Special(f) => f.flush(),
        }
    }
}

/// Malformed rows on stderr, as `file:line: message`.
fn list_row_errors(report: &ReconcileReport, inputs: &Inputs<'_>, out: &Output) {
    for e in &report.row_errors {
        out.warn(&format!(
            "{}:{}: malformed row skipped: {}",
            display_path(inputs.path(e.source)),
            e.line,
            e.message
        ));
    }
    let kept = u64::try_from(report.row_errors.len()).unwrap_or(u64::MAX);
    if report.row_error_count > kept {
        out.warn(&format!(
            "{} more malformed rows not listed ({} in all)",
            report.row_error_count - kept,
            report.row_error_count
        ));
    }
}

/// The progress bar: rows read, rate, and bytes read against the input sizes (hence the
/// ETA). Drawn only when stderr is a terminal; otherwise nothing is written.
struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total_bytes {
                Some(total) => (
                    ProgressBar::new(total),
                    "{spinner} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} {msg}, ETA {eta}",
                ),
                None => (
                    ProgressBar::new_spinner(),
                    "{spinner} [{elapsed_precise}] {bytes} {msg}",
                ),
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            start: Instant::now(),
        }
    }

    fn is_drawn(&self) -> bool {
        self.bar.is_some()
    }

    fn update(&self, p: &ProgressSnapshot) {
        let Some(bar) = &self.bar else { return };
        let rows = p.statement_rows + p.record_rows + p.next_statement_rows;
        let secs = self.start.elapsed().as_secs_f64();
        // Whole rows per second: the precision a progress line needs.
        let rate = if secs > 0.0 {
            (rows as f64 / secs) as u64
        } else {
            0
        };
        bar.set_position(p.bytes_read);
        bar.set_message(format!(
            "{} rows ({} rows/s)",
            HumanCount(rows),
            HumanCount(rate)
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
