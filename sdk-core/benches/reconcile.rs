//! Reconciliation throughput and peak memory on two generated 1,000,000-row files.
//!
//! Run with: cargo bench -p paysign-core --features aws-lc --bench reconcile
//! (`RECONCILE_ROWS=100000` for a quicker run).
//!
//! The parent process generates a transaction statement (§10.2, with its trailer and
//! SHA-256) and the merchant's records (yuan, mapped statuses, `YYYY-MM-DD HH:MM:SS` times,
//! rows shuffled within windows of 1,000 as concurrent writers leave them) with about
//! 0.1 % of differences of every class, the cutoff at both ends of the day, and 0.5 %
//! failed payments that only the merchant records. It then re-executes itself as a child
//! that only reconciles (5 runs, statement hash checked, every difference written as CSV),
//! so that the child's VmHWM is the peak memory of reconciliation alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use paysign_core::Amount;
use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339, parse_timestamp};
use paysign_core::reconcile::{
    AmountUnit, Class, ColumnMap, DifferenceWriter, Position, ReconcileOptions, RecordFormat,
    ReportFormat, StatementType, reconcile,
};
use sha2::{Digest, Sha256};

const DAY: &str = "2026-11-20";
const RUNS: usize = 5;
const CHILD: &str = "--reconcile-child";

fn main() {
    let args: Vec<String> = env::args().collect();
    if let Some(i) = args.iter().position(|a| a == CHILD) {
        let runs = args[i + 3].parse().expect("runs");
        child(Path::new(&args[i + 1]), &args[i + 2], runs);
        return;
    }
    if let Some(python) = env::var_os("RECONCILE_DUCKDB") {
        against_duckdb(Path::new(&python));
        return;
    }
    let rows: usize = env::var("RECONCILE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = FilesDir::new();
    let started = Instant::now();
    let generated = generate(dir.path(), rows);
    let generate_secs = started.elapsed().as_secs_f64();
    let parent_hwm = vm_hwm_kib();

    let output = run_child(
        Tool::Paysign,
        Cores::All,
        dir.path(),
        &generated.sha256,
        RUNS,
    );
    let values = key_values(&output);
    let get = |k: &str| values.get(k).map_or("?", String::as_str);
    let mut times: Vec<f64> = get("times")
        .split(',')
        .filter_map(|t| t.parse().ok())
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let mib = |kib: &str| {
        kib.parse::<f64>()
            .map_or("n/a".to_owned(), |k| format!("{:.1} MiB", k / 1024.0))
    };
    let total_rows = generated.statement_rows + generated.record_rows;
    let total_mb = (generated.statement_bytes + generated.record_bytes) as f64 / 1e6;

    println!("\n## Reconciliation benchmark ({} cores)\n", cores());
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| statement | {} rows, {:.1} MB |",
        generated.statement_rows,
        generated.statement_bytes as f64 / 1e6
    );
    println!(
        "| records | {} rows, {:.1} MB |",
        generated.record_rows,
        generated.record_bytes as f64 / 1e6
    );
    println!("| generation (parent, not timed below) | {generate_secs:.2} s |");
    println!(
        "| reconcile, median of {} (SHA-256 checked, CSV report written) | **{median:.3} s** |",
        times.len()
    );
    println!(
        "| runs | {} s |",
        times
            .iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "| throughput | {:.2} M rows/s, {:.0} MB/s |",
        total_rows as f64 / median / 1e6,
        total_mb / median
    );
    println!(
        "| peak memory of reconciliation (child VmHWM) | **{}** |",
        mib(get("vm_hwm_kib"))
    );
    println!(
        "| peak pending rows (in the matcher's maps) | {} |",
        get("peak_pending_rows")
    );
    println!(
        "| peak memory of the generator (parent VmHWM) | {} |",
        parent_hwm.map_or("n/a".to_owned(), |k| mib(&k.to_string()))
    );
    println!("\n| class | expected | found |");
    println!("|---|---|---|");
    let mut all_ok = true;
    for class in Class::ALL {
        let expected = generated
            .expected
            .get(class.code())
            .map_or("-".to_owned(), u64::to_string);
        let found = get(class.code());
        if expected != "-" && expected != found {
            all_ok = false;
        }
        println!("| {} | {expected} | {found} |", class.code());
    }
    println!(
        "| (not listed: local FAIL only) | {} | {} |",
        generated.unlisted,
        get("unlisted")
    );
    println!("| statement − local (long/short) | | {} |", get("position"));
    println!(
        "\nGoal: < 3 s and < 200 MiB. Classes as generated: {}",
        if all_ok { "yes" } else { "NO" }
    );
}

/// The child: reconcile the files `runs` times, print `key=value` lines.
fn child(dir: &Path, sha256: &str, runs: usize) {
    let mut columns = ColumnMap::new("order_id", "amount_yuan", AmountUnit::Yuan, "paid_at");
    columns.status = Some("state".into());
    columns.status_map = [
        ("PAID", "SUCCESS"),
        ("PART_REFUND", "PARTIALLY_REFUNDED"),
        ("FULL_REFUND", "REFUNDED"),
        ("VOIDED", "REVERSED"),
        ("FAILED", "FAIL"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    let mut options =
        ReconcileOptions::new(StatementType::Transaction, RecordFormat::Csv(columns), DAY);
    options.expected_sha256 = Some(sha256.to_owned());
    // As the CLI does: under `taskset -c 0` this is one core, and no threads.
    options.read_ahead = cores() > 1;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let statement =
            BufReader::with_capacity(1 << 16, File::open(dir.join("statement.csv")).unwrap());
        let records =
            BufReader::with_capacity(1 << 16, File::open(dir.join("records.csv")).unwrap());
        let report_file = BufWriter::new(File::create(dir.join("differences.csv")).unwrap());
        let mut writer = DifferenceWriter::new(report_file, ReportFormat::Csv);
        let mut ticks = 0u64;
        let report = reconcile(
            statement,
            records,
            None::<BufReader<File>>,
            &options,
            &mut |d| writer.write(d),
            &mut |_| ticks += 1,
        )
        .expect("reconcile");
        writer.finish().expect("write the report");
        times.push(started.elapsed().as_secs_f64());
        assert!(ticks > 0);
        last = Some(report);
    }
    let report = last.expect("at least one run");
    let hwm = vm_hwm_kib().map_or("n/a".to_owned(), |k| k.to_string());
    println!(
        "times={}",
        times
            .iter()
            .map(|t| format!("{t:.4}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    println!("vm_hwm_kib={hwm}");
    println!("peak_pending_rows={}", report.peak_pending_rows);
    println!("unlisted={}", report.unlisted_local_rows);
    let position = match report.balance.position() {
        Position::Even => "even".to_owned(),
        Position::Long(a) => format!("LONG 长款 {} yuan", a.to_yuan_string()),
        Position::Short(a) => format!("SHORT 短款 {} yuan", a.to_yuan_string()),
    };
    println!("position={position}");
    for class in Class::ALL {
        println!("{}={}", class.code(), report.tally(class).count);
    }
}

/// The reconciler a child process runs.
#[derive(Clone, Copy)]
enum Tool<'a> {
    /// This binary as `--reconcile-child`.
    Paysign,
    /// scripts/reconcile_duckdb.py under this Python (one that has the `duckdb` package).
    DuckDb(&'a Path),
}

impl Tool<'_> {
    fn name(self) -> &'static str {
        match self {
            Tool::Paysign => "paysign",
            Tool::DuckDb(_) => "duckdb",
        }
    }
}

/// The CPUs a child may run on.
#[derive(Clone, Copy)]
enum Cores {
    /// Every core of the machine.
    All,
    /// CPU 0 only (`taskset -c 0`): the child's `available_parallelism` is 1 too.
    One,
}

impl Cores {
    fn count(self) -> usize {
        match self {
            Cores::All => cores(),
            Cores::One => 1,
        }
    }
}

/// Runs one child and returns its stdout; panics with its stderr if it fails.
fn run_child(tool: Tool<'_>, on: Cores, dir: &Path, sha256: &str, runs: usize) -> String {
    let mut argv: Vec<std::ffi::OsString> = match on {
        Cores::All => Vec::new(),
        Cores::One => vec!["taskset".into(), "-c".into(), "0".into()],
    };
    match tool {
        Tool::Paysign => {
            argv.push(env::current_exe().expect("own path").into());
            argv.extend([
                CHILD.into(),
                dir.into(),
                sha256.into(),
                runs.to_string().into(),
            ]);
        }
        Tool::DuckDb(python) => {
            argv.push(python.into());
            argv.push(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../scripts/reconcile_duckdb.py")
                    .into(),
            );
            argv.extend([dir.into(), "--sha256".into(), sha256.into()]);
            argv.extend(["--threads".into(), on.count().to_string().into()]);
        }
    }
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {argv:?}: {e}"));
    assert!(
        output.status.success(),
        "{} child failed ({argv:?}): {}",
        tool.name(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `key=value` lines a child prints.
fn key_values(output: &str) -> BTreeMap<String, String> {
    output
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Panics unless a child found every class count the generator expects: a reference
/// that classifies differently does different work, and its time would mean nothing.
fn check_classes(tool: Tool<'_>, generated: &Generated, found: &BTreeMap<String, String>) {
    let expected = Class::ALL
        .iter()
        .map(|c| {
            (
                c.code(),
                generated.expected.get(c.code()).copied().unwrap_or(0),
            )
        })
        .chain([("unlisted", generated.unlisted)]);
    let wrong: Vec<String> = expected
        .filter(|(code, n)| found.get(*code) != Some(&n.to_string()))
        .map(|(code, n)| format!("{code}: expected {n}, found {:?}", found.get(code)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} classified the generated files differently: {}",
        tool.name(),
        wrong.join("; ")
    );
}

/// Median of samples (the upper one of an even count).
fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// paysign against DuckDB (issue 22; `RECONCILE_DUCKDB`: an absolute path to a Python that
/// has the `duckdb` package, since cargo runs benches in the package's directory) at each of `RECONCILE_SIZES` statement rows, on every
/// core and on one: samples interleaved (paysign, DuckDB, DuckDB, paysign, …), one child
/// process per sample so that each VmHWM is one run's peak. Prints one JSON document
/// (scripts/bench_report.py renders it); progress goes to stderr.
fn against_duckdb(python: &Path) {
    let sizes: Vec<usize> = env::var("RECONCILE_SIZES").map_or_else(
        |_| vec![100_000, 1_000_000, 10_000_000],
        |v| {
            v.split(',')
                .map(|n| {
                    n.trim()
                        .parse()
                        .expect("RECONCILE_SIZES: row counts, comma-separated")
                })
                .collect()
        },
    );
    let on: &[Cores] = if cores() >= 2 {
        &[Cores::All, Cores::One]
    } else {
        &[Cores::One]
    };
    let mut results = Vec::new();
    let mut duckdb_version = String::new();
    for rows in sizes {
        let dir = FilesDir::new();
        eprintln!("reconcile vs duckdb: generating {rows} rows");
        let generated = generate(dir.path(), rows);
        // Fewer samples of the largest files keep `make bench` within minutes.
        let samples = if rows >= 5_000_000 { 3 } else { 5 };
        for &cores_used in on {
            let mut seconds: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            let mut hwm: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            let (mut peak_pending, mut duckdb_baseline) = (0u64, Vec::new());
            for sample in 0..samples {
                let mut tools = [Tool::Paysign, Tool::DuckDb(python)];
                if sample % 2 == 1 {
                    tools.reverse();
                }
                for tool in tools {
                    let out = run_child(tool, cores_used, dir.path(), &generated.sha256, 1);
                    let values = key_values(&out);
                    check_classes(tool, &generated, &values);
                    let number = |k: &str| -> f64 {
                        values
                            .get(k)
                            .and_then(|v| v.parse().ok())
                            .unwrap_or_else(|| panic!("{}: no number {k} in {out}", tool.name()))
                    };
                    seconds
                        .entry(tool.name())
                        .or_default()
                        .push(number("times"));
                    hwm.entry(tool.name())
                        .or_default()
                        .push(number("vm_hwm_kib"));
                    match tool {
                        Tool::Paysign => peak_pending = number("peak_pending_rows") as u64,
                        Tool::DuckDb(_) => {
                            duckdb_baseline.push(number("baseline_kib"));
                            duckdb_version =
                                values.get("duckdb_version").cloned().unwrap_or_default();
                        }
                    }
                    eprintln!(
                        "  {rows} rows, {} core(s), {}: {:.3} s, {:.1} MiB",
                        cores_used.count(),
                        tool.name(),
                        number("times"),
                        number("vm_hwm_kib") / 1024.0
                    );
                }
            }
            let tool_json = |name: &str| {
                serde_json::json!({
                    "seconds": seconds[name],
                    "median_seconds": median(seconds[name].clone()),
                    "vm_hwm_kib": hwm[name],
                    "median_vm_hwm_kib": median(hwm[name].clone()),
                })
            };
            results.push(serde_json::json!({
                "statement_rows": generated.statement_rows,
                "record_rows": generated.record_rows,
                "statement_bytes": generated.statement_bytes,
                "record_bytes": generated.record_bytes,
                "matched_rows": generated.expected.get(Class::Matched.code()),
                "cores": cores_used.count(),
                "samples": samples,
                "paysign": tool_json("paysign"),
                "paysign_peak_pending_rows": peak_pending,
                "duckdb": tool_json("duckdb"),
                "duckdb_baseline_kib": median(duckdb_baseline),
            }));
        }
    }
    let report = serde_json::json!({
        "machine_cores": cores(),
        "duckdb_version": duckdb_version,
        "runs": results,
    });
    println!("{report:#}");
}

/// Where the generated files go: `RECONCILE_DIR` if set (kept, e.g. to run
/// scripts/reconcile_duckdb.py by hand), else a temporary directory deleted when dropped.
enum FilesDir {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl FilesDir {
    fn new() -> Self {
        match env::var_os("RECONCILE_DIR") {
            Some(dir) => {
                std::fs::create_dir_all(&dir).expect("create RECONCILE_DIR");
                FilesDir::Kept(dir.into())
            }
            None => FilesDir::Temporary(tempfile::tempdir().expect("temp dir")),
        }
    }

    fn path(&self) -> &Path {
        match self {
            FilesDir::Kept(dir) => dir,
            FilesDir::Temporary(dir) => dir.path(),
        }
    }
}

/// Peak resident set size of this process, KiB (Linux).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `per_million` / 1,000,000.
    fn chance(&mut self, per_million: u64) -> bool {
        self.below(1_000_000) < per_million
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pay,
    Refund,
    Reverse,
}

/// One gateway event and what the merchant recorded of it.
struct Event {
    time: i64,
    order: u32,
    kind: Kind,
    total: i64,
    refund: i64,
    status: &'static str,
    in_statement: bool,
    /// `None`: the merchant has no record.
    local: Option<Local>,
}

#[derive(Clone, Copy)]
struct Local {
    time: i64,
    amount: i64,
    state: &'static str,
}

struct Generated {
    sha256: String,
    statement_rows: usize,
    statement_bytes: u64,
    record_rows: usize,
    record_bytes: u64,
    expected: BTreeMap<&'static str, u64>,
    unlisted: u64,
}

fn generate(dir: &Path, statement_target: usize) -> Generated {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = parse_timestamp("2026-11-19T23:30:00+08:00", None).unwrap();
    let calendar_start = parse_timestamp("2026-11-20T00:00:00+08:00", None).unwrap();
    let cutoff = parse_timestamp("2026-11-20T23:30:00+08:00", None).unwrap();
    let calendar_end = parse_timestamp("2026-11-21T00:00:00+08:00", None).unwrap();
    let tolerance = 300;
    // Payments over [D−1 23:30, D+1 00:00); about 3.5 % more events than payments.
    let span = calendar_end - start;
    let orders = (statement_target as f64 * span as f64 / (cutoff - start) as f64 / 1.035) as u32;

    let mut events: Vec<Event> = Vec::with_capacity(orders as usize * 104 / 100);
    let mut expected: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut unlisted = 0u64;
    for order in 0..orders {
        let time = start + i64::from(order) * span / i64::from(orders);
        let total = 100 + rng.below(500_000) as i64;
        let skew = rng.below(3) as i64;
        let mut local = Some(Local {
            time: time - skew,
            amount: total,
            state: "PAID",
        });
        let mut in_statement = true;
        match rng.below(10_000) {
            0..=2 => local = None, // 掉单
            3..=4 => in_statement = false,
            5..=6 => {
                if let Some(l) = local.as_mut() {
                    l.amount += 1;
                }
            }
            7..=8 => {
                if let Some(l) = local.as_mut() {
                    l.state = "FAILED";
                }
            }
            _ => {}
        }
        events.push(Event {
            time,
            order,
            kind: Kind::Pay,
            total,
            refund: 0,
            status: "SUCCESS",
            in_statement,
            local,
        });
        let r = rng.below(1000);
        if r < 30 {
            let refund = if rng.below(2) == 0 {
                total
            } else {
                1 + rng.below(total as u64) as i64
            };
            let t = time + 60 + rng.below(3600) as i64;
            let status = if refund == total {
                "REFUNDED"
            } else {
                "PARTIALLY_REFUNDED"
            };
            let mut amount = refund;
            // A refund booked with another amount, away from the cutoff windows: there
            // paysign does not pair leftover refunds by order (a local one may be in the next
            // day's statement, a statement one in yesterday's records) and reports both
            // sides as cutoff or missing rows, where this generator and a plain join on the
            // order say AMOUNT_MISMATCH (5 refunds of 10 M rows).
            let near_cutoff = t < calendar_start + tolerance + 3 || t >= cutoff - tolerance;
            if rng.chance(3_000) && refund > 1 && !near_cutoff {
                amount -= 1;
            }
            events.push(Event {
                time: t,
                order,
                kind: Kind::Refund,
                total,
                refund,
                status,
                in_statement: true,
                local: Some(Local {
                    time: t - rng.below(3) as i64,
                    amount,
                    state: if refund == total {
                        "FULL_REFUND"
                    } else {
                        "PART_REFUND"
                    },
                }),
            });
        } else if r < 35 {
            let t = time + 30;
            events.push(Event {
                time: t,
                order,
                kind: Kind::Reverse,
                total,
                refund: 0,
                status: "REVERSED",
                in_statement: true,
                local: Some(Local {
                    time: t,
                    amount: total,
                    state: "VOIDED",
                }),
            });
        }
        if rng.chance(5_000) {
            // A failed payment only the merchant records (the statement never lists it).
            events.push(Event {
                time,
                order: orders + order,
                kind: Kind::Pay,
                total,
                refund: 0,
                status: "FAIL",
                in_statement: false,
                local: Some(Local {
                    time,
                    amount: total,
                    state: "FAILED",
                }),
            });
        }
    }

    // What the reconciliation must find.
    let mut bump = |class: Class| *expected.entry(class.code()).or_default() += 1;
    for e in &events {
        let in_day = e.in_statement && e.time < cutoff;
        let local = e
            .local
            .filter(|l| l.time >= calendar_start && l.time < calendar_end);
        match (in_day, local) {
            (true, Some(l)) => {
                let failed = l.state == "FAILED";
                let amount = if e.kind == Kind::Refund {
                    e.refund
                } else {
                    e.total
                };
                if failed {
                    bump(Class::StatusMismatch);
                } else if l.amount != amount {
                    bump(Class::AmountMismatch);
                } else {
                    bump(Class::Matched);
                }
            }
            (true, None) if e.time < calendar_start + tolerance => bump(Class::CutoffMatched),
            (true, None) => bump(Class::MissingLocally),
            (false, Some(l)) if l.state == "FAILED" => unlisted += 1,
            (false, Some(l)) if l.time >= cutoff - tolerance => bump(Class::CutoffPending),
            (false, Some(_)) => bump(Class::MissingInStatement),
            (false, None) => {}
        }
    }

    // The statement: business day D, in time order.
    events.sort_by_key(|e| (e.time, e.order));
    let statement_path = dir.join("statement.csv");
    let mut out = HashingWriter::new(File::create(&statement_path).unwrap());
    writeln!(out, "bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time").unwrap();
    let (mut rows, mut total_in, mut total_out) = (0usize, 0i64, 0i64);
    for e in events.iter().filter(|e| e.in_statement && e.time < cutoff) {
        let (kind, fee) = match e.kind {
            Kind::Pay => {
                total_in += e.total;
                ("PAY", (e.total * 10 + 5000) / 10_000)
            }
            Kind::Refund => {
                total_out += e.refund;
                ("REFUND", 0)
            }
            Kind::Reverse => ("REVERSE", 0),
        };
        writeln!(
            out,
            "{DAY},T20261120{:010},M{:012},B{:08},SH-WATER-01,{kind},{},{},{},{fee},{}",
            e.order,
            e.order,
            e.order,
            e.status,
            e.total,
            e.refund,
            format_rfc3339(e.time, CHINA_STANDARD_TIME).unwrap()
        )
        .unwrap();
        rows += 1;
    }
    writeln!(
        out,
        "#summary,rows={rows},total_in={total_in},total_out={total_out}"
    )
    .unwrap();
    let (statement_bytes, sha256) = out.finish();

    // The records: calendar day D at +08:00, local time order shuffled within windows.
    let mut locals: Vec<(i64, u32, &Event)> = events
        .iter()
        .filter_map(|e| e.local.map(|l| (l.time, e.order, e)))
        .filter(|(t, _, _)| *t >= calendar_start && *t < calendar_end)
        .collect();
    locals.sort_by_key(|(t, o, _)| (*t, *o));
    for window in locals.chunks_mut(1000) {
        for i in (1..window.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            window.swap(i, j);
        }
    }
    let records_path = dir.join("records.csv");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&records_path).unwrap());
    writeln!(out, "order_id,amount_yuan,state,paid_at,channel").unwrap();
    for (_, _, e) in &locals {
        let Some(l) = e.local else { continue };
        let rfc = format_rfc3339(l.time, CHINA_STANDARD_TIME).unwrap();
        writeln!(
            out,
            "M{:012},{},{},{} {},paysign",
            e.order,
            Amount::from_fen(l.amount).unwrap().to_yuan_string(),
            l.state,
            &rfc[..10],
            &rfc[11..19]
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    Generated {
        sha256,
        statement_rows: rows,
        statement_bytes,
        record_rows: locals.len(),
        record_bytes: file_len(&records_path),
        expected,
        unlisted,
    }
}

fn file_len(path: &PathBuf) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// A buffered writer that hashes what it writes (the statement's `sha256`).
struct HashingWriter {
    inner: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl HashingWriter {
    fn new(file: File) -> Self {
        Self {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(mut self) -> (u64, String) {
        self.inner.flush().unwrap();
        let digest = self.hasher.finalize();
        (
            self.bytes,
            digest.iter().map(|b| format!("{b:02x}")).collect(),
        )
    }
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
