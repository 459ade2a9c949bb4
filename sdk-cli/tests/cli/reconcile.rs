//! `paysign reconcile` (docs/protocol.md §10) on small statements and records written into a
//! temporary directory: every class of §10.3, the cutoff with the next day's statement,
//! column mappings (yuan/fen, CSV/JSON lines), malformed rows, refused statements, the
//! report file and the exit statuses.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{BIN, Run};

const DAY: &str = "2026-11-20";
const NEXT_DAY: &str = "2026-11-21";
const TX_HEADER: &str = "bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time";

/// The transaction statement of docs/protocol.md §10.2's example, with its published hash.
const PROTOCOL_STATEMENT: &str = "\
bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time
2026-11-20,T202611190000000007,M20261119000123,SHE2026110007,SH-ELEC-01,PAY,SUCCESS,1959,0,2,2026-11-19T23:40:12+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T10:00:05+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,REFUND,PARTIALLY_REFUNDED,6754,1000,0,2026-11-20T15:30:00+08:00
#summary,rows=3,total_in=8713,total_out=1000
";
const PROTOCOL_SHA256: &str = "2946224aa11d4d41f20b4faa5d500f3c9f9edc766865cb433453e0c057286368";

/// The merchant's records of the protocol example, in the statement's own column names.
const PROTOCOL_RECORDS: &str = "\
out_trade_no,trade_no,trade_type,trade_status,amount,trade_time
M20261120000001,T202611200000000008,PAY,SUCCESS,6754,2026-11-20T10:00:05+08:00
M20261120000001,T202611200000000008,REFUND,PARTIALLY_REFUNDED,1000,2026-11-20T15:30:00+08:00
";

/// A statement with its header and a trailer computed from `rows`.
fn statement(rows: &[String]) -> String {
    let (mut total_in, mut total_out) = (0i64, 0i64);
    for r in rows {
        let f: Vec<&str> = r.split(',').collect();
        match f[5] {
            "PAY" => total_in += f[7].parse::<i64>().unwrap(),
            "REFUND" => total_out += f[8].parse::<i64>().unwrap(),
            _ => {}
        }
    }
    let mut out = format!("{TX_HEADER}\n");
    for r in rows {
        out.push_str(r);
        out.push('\n');
    }
    out.push_str(&format!(
        "#summary,rows={},total_in={total_in},total_out={total_out}\n",
        rows.len()
    ));
    out
}

/// A transaction row at +08:00 local `time` (`YYYY-MM-DDTHH:MM:SS`).
fn tx(day: &str, order: &str, kind: &str, status: &str, amounts: (i64, i64), time: &str) -> String {
    let (total, refund) = amounts;
    let fee = if kind == "PAY" {
        (total * 10 + 5000) / 10_000
    } else {
        0
    };
    format!(
        "{day},T{},{order},B1,SH-WATER-01,{kind},{status},{total},{refund},{fee},{time}+08:00",
        &order[1..]
    )
}

/// Business day 2026-11-20 with an event of every class against [`RECORDS_YUAN`].
fn scenario_statement() -> String {
    let d = DAY;
    statement(&[
        // Paid after yesterday's cutoff, on yesterday's books → CUTOFF_MATCHED.
        tx(
            d,
            "MA00000001",
            "PAY",
            "SUCCESS",
            (1959, 0),
            "2026-11-19T23:40:12",
        ),
        tx(
            d,
            "MB00000001",
            "PAY",
            "SUCCESS",
            (6754, 0),
            "2026-11-20T10:00:05",
        ),
        // Not in the records → MISSING_LOCALLY.
        tx(
            d,
            "MC00000001",
            "PAY",
            "SUCCESS",
            (5000, 0),
            "2026-11-20T11:00:00",
        ),
        // The records say 29.99 → AMOUNT_MISMATCH.
        tx(
            d,
            "ME00000001",
            "PAY",
            "SUCCESS",
            (3000, 0),
            "2026-11-20T12:00:00",
        ),
        // The records say FAILED → STATUS_MISMATCH.
        tx(
            d,
            "MF00000001",
            "PAY",
            "SUCCESS",
            (2000, 0),
            "2026-11-20T13:00:00",
        ),
        tx(
            d,
            "MB00000001",
            "REFUND",
            "PARTIALLY_REFUNDED",
            (6754, 1000),
            "2026-11-20T15:30:00",
        ),
    ])
}

/// The merchant's records, amounts in yuan (line numbers: the header is line 1).
const RECORDS_YUAN: &str = "\
order_id,amount_yuan,state,paid_at
MB00000001,67.54,PAID,2026-11-20 10:00:04
ME00000001,29.99,PAID,2026-11-20 12:00:00
MF00000001,20.00,FAILED,2026-11-20 13:00:00
MB00000001,10.00,PART_REFUND,2026-11-20 15:30:00
MD00000001,88.00,PAID,2026-11-20 16:00:00
MH00000001,12.00,PAID,2026-11-20 23:45:00
";

const MAP_YUAN: &str = "order_no=order_id,amount=amount_yuan,unit=yuan,time=paid_at,status=state";
const STATUS_MAP: &str = "PAID=SUCCESS,PART_REFUND=PARTIALLY_REFUNDED,FAILED=FAIL";

/// A temporary directory holding the inputs; commands run in it.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = Dir(tempfile::tempdir().unwrap());
        for (name, text) in files {
            dir.write(name, text);
        }
        dir
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
    }

    fn exists(&self, name: &str) -> bool {
        self.path().join(name).exists()
    }

    /// `paysign reconcile args...` in this directory, stdin and stderr not terminals.
    fn reconcile(&self, args: &[&str]) -> Run {
        let output = Command::new(BIN)
            .arg("reconcile")
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

/// The data rows of a CSV report as (class, order_no, statement_file), in file order.
fn report_rows(csv: &str) -> Vec<(String, String, String)> {
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("class,order_no,trade_no,trade_type,statement_amount,local_amount,")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 13, "{l}");
            (f[0].to_owned(), f[1].to_owned(), f[10].to_owned())
        })
        .collect()
}

fn orders_of(rows: &[(String, String, String)], class: &str) -> Vec<String> {
    let mut v: Vec<String> = rows
        .iter()
        .filter(|r| r.0 == class)
        .map(|r| r.1.clone())
        .collect();
    v.sort();
    v
}

fn count(json: &serde_json::Value, class: &str) -> u64 {
    json["classes"][class]["count"].as_u64().unwrap()
}

fn scenario() -> Dir {
    Dir::new(&[("S.csv", &scenario_statement()), ("R.csv", RECORDS_YUAN)])
}

#[test]
fn a_clean_reconciliation_exits_0_and_writes_the_default_report() {
    let dir = Dir::new(&[("S.csv", PROTOCOL_STATEMENT), ("R.csv", PROTOCOL_RECORDS)]);
    let run = dir
        .reconcile(&["--statement", "S.csv", "--records", "R.csv"])
        .expect(0);
    assert!(
        run.stdout
            .contains("of the TRANSACTION statement of 2026-11-20")
    );
    assert!(run.stdout.contains("MATCHED (对平)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("clean: no discrepancy"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("in 87.13 out 10.00 yuan"),
        "yuan with two decimals: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Report: 1 difference written to reconcile-report.csv (csv)")
    );
    // The electricity bill paid at 23:40 on the 19th closes yesterday's CUTOFF_PENDING:
    // reported, but not a discrepancy.
    let rows = report_rows(&dir.read("reconcile-report.csv"));
    assert_eq!(orders_of(&rows, "CUTOFF_MATCHED"), ["M20261119000123"]);
    assert_eq!(rows.len(), 1);
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = Dir::new(&[("S.csv", PROTOCOL_STATEMENT), ("R.csv", PROTOCOL_RECORDS)]);
    let run = dir
        .reconcile(&[
            "--statement",
            "S.csv",
            "--records",
            "R.csv",
            "--report",
            "r.csv",
        ])
        .expect(0);
    assert_eq!(run.stderr, "", "nothing on a stderr that is not a terminal");
}

#[test]
fn every_class_exits_1_with_one_report_row_per_difference() {
    let dir = scenario();
    let args = [
        "--statement",
        "S.csv",
        "--records",
        "R.csv",
        "--map",
        MAP_YUAN,
        "--status-map",
        STATUS_MAP,
        "--report",
        "out/report.csv",
    ];
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = dir.reconcile(&args).expect(1);
    assert!(
        run.stdout
            .contains("4 discrepancies to investigate (差异待查)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("MISSING_LOCALLY (掉单)"));
    assert_eq!(run.stderr, "");

    let rows = report_rows(&dir.read("out/report.csv"));
    assert_eq!(orders_of(&rows, "CUTOFF_MATCHED"), ["MA00000001"]);
    assert_eq!(orders_of(&rows, "MISSING_LOCALLY"), ["MC00000001"]);
    assert_eq!(orders_of(&rows, "AMOUNT_MISMATCH"), ["ME00000001"]);
    assert_eq!(orders_of(&rows, "STATUS_MISMATCH"), ["MF00000001"]);
    assert_eq!(orders_of(&rows, "MISSING_IN_STATEMENT"), ["MD00000001"]);
    assert_eq!(orders_of(&rows, "CUTOFF_PENDING"), ["MH00000001"]);
    assert_eq!(rows.len(), 6, "no row for the MATCHED events");
    let amount = dir
        .read("out/report.csv")
        .lines()
        .find(|l| l.starts_with("AMOUNT_MISMATCH,"))
        .unwrap()
        .to_owned();
    assert!(
        amount.contains(",PAY,3000,2999,SUCCESS,SUCCESS,"),
        "fen on both sides: {amount}"
    );

    // --json: the report's figures (fen) and where the report went; still exit 1.
    let json = dir
        .reconcile(&[&args[..], &["--json"]].concat())
        .expect(1)
        .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["clean"], false);
    assert_eq!(json["discrepancies"], 4);
    assert_eq!(count(&json, "MATCHED"), 2, "MB pay and refund");
    for class in [
        "CUTOFF_PENDING",
        "CUTOFF_MATCHED",
        "MISSING_LOCALLY",
        "MISSING_IN_STATEMENT",
        "STATUS_MISMATCH",
        "AMOUNT_MISMATCH",
    ] {
        assert_eq!(count(&json, class), 1, "{class}");
    }
    assert_eq!(json["classes"]["MISSING_LOCALLY"]["statement_net"], 5000);
    assert_eq!(json["statement"]["rows"], 6);
    assert_eq!(json["record_rows"], 6);
    assert_eq!(json["report"]["file"], "out/report.csv");
    assert_eq!(json["report"]["differences"], 6);

    // The same differences as JSON lines.
    dir.reconcile(&[&args[..8], &["--report", "report.jsonl"]].concat())
        .expect(1);
    let lines: Vec<serde_json::Value> = dir
        .read("report.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let e = lines
        .iter()
        .find(|v| v["order_no"] == "ME00000001")
        .unwrap();
    assert_eq!(
        (&e["statement_amount"], &e["local_amount"]),
        (&3000.into(), &2999.into())
    );
}

#[test]
fn cutoff_events_are_matched_in_the_next_statement() {
    let dir = scenario();
    let next = statement(&[
        tx(
            NEXT_DAY,
            "MH00000001",
            "PAY",
            "SUCCESS",
            (1200, 0),
            "2026-11-20T23:45:02",
        ),
        tx(
            NEXT_DAY,
            "MK00000001",
            "PAY",
            "SUCCESS",
            (999, 0),
            "2026-11-21T08:00:00",
        ),
    ]);
    dir.write("S2.csv", &next);
    let run = dir
        .reconcile(&[
            "--statement",
            "S.csv",
            "--next-statement",
            "S2.csv",
            "--records",
            "R.csv",
            "--map",
            MAP_YUAN,
            "--status-map",
            STATUS_MAP,
            "--report",
            "report.csv",
        ])
        .expect(1);
    assert!(
        run.stdout.contains("next day's statement: 2 rows"),
        "{}",
        run.stdout
    );
    let rows = report_rows(&dir.read("report.csv"));
    assert_eq!(orders_of(&rows, "CUTOFF_PENDING"), Vec::<String>::new());
    assert_eq!(
        orders_of(&rows, "CUTOFF_MATCHED"),
        ["MA00000001", "MH00000001"]
    );
    let h = rows.iter().find(|r| r.1 == "MH00000001").unwrap();
    assert_eq!(h.2, "next_statement", "found in tomorrow's statement");

    // The next statement is checked like the first: named in the error.
    dir.write("S2.csv", &next.replace(NEXT_DAY, DAY));
    let refused = dir
        .reconcile(&[
            "--statement",
            "S.csv",
            "--next-statement",
            "S2.csv",
            "--records",
            "R.csv",
            "--map",
            MAP_YUAN,
            "--report",
            "report.csv",
        ])
        .expect(2);
    assert!(
        refused
            .stderr
            .starts_with("error[BODY_MALFORMED]: S2.csv: "),
        "{}",
        refused.stderr
    );
}

#[test]
fn yuan_and_fen_mappings_and_json_lines_agree() {
    let fen_records = "order_id,amount_fen,state,paid_at\n\
                       MB00000001,6754,PAID,2026-11-20 10:00:04\n\
                       ME00000001,2999,PAID,2026-11-20 12:00:00\n\
                       MF00000001,2000,FAILED,2026-11-20 13:00:00\n\
                       MB00000001,1000,PART_REFUND,2026-11-20 15:30:00\n\
                       MD00000001,8800,PAID,2026-11-20 16:00:00\n\
                       MH00000001,1200,PAID,2026-11-20 23:45:00\n";
    // A blank first line (skipped) keeps the line numbers of the CSV, whose header is line 1.
    let jsonl: String = std::iter::once("\n".to_owned())
        .chain(RECORDS_YUAN.lines().skip(1).map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!(
                "{{\"order_id\":\"{}\",\"amount_yuan\":{},\"state\":\"{}\",\"paid_at\":\"{}\"}}\n",
                f[0], f[1], f[2], f[3]
            )
        }))
        .collect();
    let dir = scenario();
    dir.write("fen.csv", fen_records);
    dir.write("records.jsonl", &jsonl);
    dir.write("records.txt", &jsonl);
    let reconcile = |records: &str, map: &str, extra: &[&str]| {
        let args = [
            &[
                "--json",
                "--statement",
                "S.csv",
                "--records",
                records,
                "--map",
                map,
                "--status-map",
                STATUS_MAP,
                "--report",
                "r.csv",
            ][..],
            extra,
        ]
        .concat();
        let mut json = dir.reconcile(&args).expect(1).json();
        json["report"] = serde_json::Value::Null;
        (json, dir.read("r.csv"))
    };
    let yuan = reconcile("R.csv", MAP_YUAN, &[]);
    assert_eq!(count(&yuan.0, "AMOUNT_MISMATCH"), 1);
    let fen = reconcile(
        "fen.csv",
        "order_no=order_id,amount=amount_fen,unit=fen,time=paid_at,status=state",
        &[],
    );
    assert_eq!(fen, yuan, "same report from fen");
    // The yuan file read as fen: every amount is off (12.34 is not a fen integer).
    let wrong = reconcile(
        "R.csv",
        "order_no=order_id,amount=amount_yuan,unit=fen,time=paid_at,status=state",
        &[],
    );
    assert!(wrong.0["row_error_count"].as_u64().unwrap() > 0);

    // JSON lines: by extension, or with --records-format.
    let json = reconcile("records.jsonl", MAP_YUAN, &[]);
    assert_eq!(json, yuan, "same report from JSON lines");
    let forced = reconcile("records.txt", MAP_YUAN, &["--records-format", "jsonl"]);
    assert_eq!(forced, yuan);
}

#[test]
fn malformed_rows_are_listed_with_file_and_line_or_stop_the_run() {
    let dir = scenario();
    dir.write(
        "R.csv",
        &RECORDS_YUAN.replace("ME00000001,29.99", "ME00000001,29.999"),
    );
    let args = [
        "--statement",
        "S.csv",
        "--records",
        "R.csv",
        "--map",
        MAP_YUAN,
        "--status-map",
        STATUS_MAP,
    ];
    let run = dir.reconcile(&args).expect(1);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: R.csv:3: malformed row skipped: "))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(warning.contains("more than two decimals"), "{warning}");
    assert!(
        run.stdout.contains("Malformed rows (格式错误): 1"),
        "the run went on: {}",
        run.stdout
    );
    assert!(run.stdout.contains("MISSING_LOCALLY"));
    assert!(dir.exists("reconcile-report.csv"));

    std::fs::remove_file(dir.path().join("reconcile-report.csv")).unwrap();
    let stopped = dir
        .reconcile(&[&args[..], &["--stop-on-error", "--json"]].concat())
        .expect(2)
        .json();
    assert_eq!(stopped["ok"], false);
    assert_eq!(stopped["code"], "BODY_MALFORMED");
    let message = stopped["message"].as_str().unwrap();
    assert!(
        message.starts_with("R.csv: ") && message.contains("line 3"),
        "{message}"
    );
    assert!(
        !dir.exists("reconcile-report.csv"),
        "no report of a stopped run"
    );
}

#[test]
fn refused_statements_exit_2_with_their_code_and_leave_no_report() {
    let dir = Dir::new(&[("S.csv", PROTOCOL_STATEMENT), ("R.csv", PROTOCOL_RECORDS)]);

    // The published hash of the protocol example is accepted, in either case.
    dir.reconcile(&[
        "--statement",
        "S.csv",
        "--records",
        "R.csv",
        "--statement-sha256",
        &PROTOCOL_SHA256.to_uppercase(),
        "--report",
        "ok.csv",
    ])
    .expect(0);

    // Another hash: the statement is refused.
    let other = format!("0{}", &PROTOCOL_SHA256[1..]);
    let run = dir
        .reconcile(&[
            "--statement",
            "S.csv",
            "--records",
            "R.csv",
            "--statement-sha256",
            &other,
        ])
        .expect(2);
    assert!(
        run.stderr.starts_with("error[BODY_MALFORMED]: S.csv: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("SHA-256"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(!dir.exists("reconcile-report.csv"));

    // Totals that disagree with the rows.
    dir.write(
        "bad.csv",
        &PROTOCOL_STATEMENT.replace("total_in=8713", "total_in=8714"),
    );
    let json = dir
        .reconcile(&["--json", "--statement", "bad.csv", "--records", "R.csv"])
        .expect(2)
        .json();
    assert_eq!(json["code"], "BODY_MALFORMED");
    assert!(
        json["message"].as_str().unwrap().contains("total_in"),
        "{json}"
    );
    assert!(!dir.exists("reconcile-report.csv"));

    // A hash that is not one is a usage error of the core (FIELD_INVALID).
    let json = dir
        .reconcile(&[
            "--json",
            "--statement",
            "S.csv",
            "--records",
            "R.csv",
            "--statement-sha256",
            "abc",
        ])
        .expect(2)
        .json();
    assert_eq!(json["code"], "FIELD_INVALID");

    // Another business day than the statement's.
    let json = dir
        .reconcile(&[
            "--json",
            "--statement",
            "S.csv",
            "--records",
            "R.csv",
            "--bill-date",
            "2026-11-19",
        ])
        .expect(2)
        .json();
    assert_eq!(json["code"], "BODY_MALFORMED");
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new(&[("S.csv", PROTOCOL_STATEMENT), ("R.csv", PROTOCOL_RECORDS)]);
    let usage = |args: &[&str], needle: &str| {
        let json = dir
            .reconcile(
                &[
                    &["--json", "--statement", "S.csv", "--records", "R.csv"],
                    args,
                ]
                .concat(),
            )
            .expect(2)
            .json();
        assert_eq!(json["code"], "USAGE", "{json}");
        let message = json["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
    };
    usage(
        &["--map", "order_no=out_trade_no"],
        "must name order_no, amount, unit",
    );
    usage(
        &["--map", "order_no=a,amount=b,unit=cents,time=c"],
        "yuan (12.34) or fen",
    );
    usage(&["--map", "order=a"], "unknown key");
    usage(
        &[
            "--map",
            "order_no=a,amount=b,unit=fen,time=c",
            "--status-map",
            "PAID=SUCCESS",
        ],
        "needs a status column",
    );
    usage(&["--report", "S.csv"], "is an input file");
    usage(&["--kind", "daily"], "invalid value 'daily'");

    // A statement without data rows has no bill_date to read.
    dir.write(
        "empty.csv",
        &format!("{TX_HEADER}\n#summary,rows=0,total_in=0,total_out=0\n"),
    );
    let json = dir
        .reconcile(&["--json", "--statement", "empty.csv", "--records", "R.csv"])
        .expect(2)
        .json();
    assert!(json["message"].as_str().unwrap().contains("--bill-date"));
    // ...which --bill-date gives: every record is then missing from the statement.
    dir.reconcile(&[
        "--statement",
        "empty.csv",
        "--records",
        "R.csv",
        "--bill-date",
        DAY,
    ])
    .expect(1);

    let missing = dir
        .reconcile(&["--json", "--statement", "nope.csv", "--records", "R.csv"])
        .expect(2)
        .json();
    assert_eq!(missing["code"], "IO_ERROR");
}

#[test]
fn fund_statements() {
    let fund = "\
bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time
2026-11-20,F20261120000001,T202611190000000007,M20261119000123,IN,1957,1957,2026-11-19T23:40:12+08:00
2026-11-20,F20261120000002,T202611200000000008,M20261120000001,IN,6747,8704,2026-11-20T10:00:05+08:00
2026-11-20,F20261120000003,T202611200000000008,M20261120000001,OUT,1000,7704,2026-11-20T15:30:00+08:00
#summary,rows=3,total_in=8704,total_out=1000
";
    let records = "order_no,net_fen,booked_at,direction\n\
                   M20261120000001,6747,2026-11-20 10:00:05,IN\n\
                   M20261120000001,1000,2026-11-20 15:30:00,OUT\n";
    let dir = Dir::new(&[("F.csv", fund), ("R.csv", records)]);
    let args = [
        "--statement",
        "F.csv",
        "--records",
        "R.csv",
        "--map",
        "order_no=order_no,amount=net_fen,unit=fen,time=booked_at,trade_type=direction",
    ];
    let run = dir
        .reconcile(&[&args[..], &["--kind", "fund"]].concat())
        .expect(0);
    assert!(
        run.stdout.contains("of the FUND statement"),
        "{}",
        run.stdout
    );
    // Read as a transaction statement, the header does not fit.
    let wrong = dir.reconcile(&args).expect(2);
    assert!(
        wrong.stderr.starts_with("error[BODY_MALFORMED]: F.csv: "),
        "{}",
        wrong.stderr
    );
}

#[test]
fn a_collection_statement_reconciles_deductions_and_payouts() {
    let statement = "\
bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time
2026-11-20,D202611200000000001,DD-2026-0001,A202611200000000001,DEDUCTION,SUCCESS,50000,50,2026-11-20T12:00:00+08:00
2026-11-20,P202611200000000001,PO-2026-0001,,PAYOUT,SUCCESS,100000,100,2026-11-20T12:05:00+08:00
#summary,rows=2,total_in=50000,total_out=100000
";
    let records = "\
no,kind,state,fen,at
DD-2026-0001,DEDUCTION,OK,50000,2026-11-20 12:00:01
PO-2026-0001,PAYOUT,OK,90000,2026-11-20 12:05:01
";
    let dir = Dir::new(&[("S.csv", statement), ("R.csv", records)]);
    let collection = |map: &str, report: &str| {
        let common = [
            "--kind",
            "collection",
            "--statement",
            "S.csv",
            "--records",
            "R.csv",
        ];
        let mut args = common.to_vec();
        args.extend([
            "--map",
            map,
            "--status-map",
            "OK=SUCCESS",
            "--report",
            report,
        ]);
        dir.reconcile(&args)
    };
    let run = collection(
        "order_no=no,amount=fen,unit=fen,time=at,status=state,trade_type=kind",
        "r.csv",
    )
    .expect(1);
    assert!(
        run.stdout
            .contains("of the COLLECTION statement of 2026-11-20"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Statement DEDUCTION − PAYOUT"),
        "{}",
        run.stdout
    );
    let report = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    let rows: Vec<&str> = report.lines().collect();
    assert_eq!(rows.len(), 2, "{report}");
    assert!(
        rows[1]
            .starts_with("AMOUNT_MISMATCH,PO-2026-0001,P202611200000000001,PAYOUT,100000,90000,"),
        "{report}"
    );

    // Without a trade_type column: a usage error naming the flag, no report.
    let run = collection(
        "order_no=no,amount=fen,unit=fen,time=at,status=state",
        "r2.csv",
    )
    .expect(2);
    assert!(run.stderr.contains("FIELD_INVALID"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--map trade_type=COLUMN"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("r2.csv").exists());
}
