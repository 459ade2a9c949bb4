//! Reconciliation (docs/protocol.md §10): generated statements and merchant records with
//! every class of §10.3, the cutoff with and without the next day's statement, malformed
//! rows, refused statements, column mappings (yuan/fen, CSV/JSON lines), machine reports,
//! and properties (self-reconciliation, swapping sides, row order).

#![allow(clippy::unwrap_used)]

// One module, so that `cargo test reconcile` selects every test of this file.
mod reconcile {
    use paysign_core::message::time::{CHINA_STANDARD_TIME, format_rfc3339, parse_timestamp};
    use paysign_core::reconcile::{
        AmountUnit, Class, ClassTally, ColumnMap, Difference, DifferenceWriter, FundBalance,
        Position, ProgressSnapshot, ReconcileOptions, ReconcileReport, RecordFormat, ReportFormat,
        Source, StatementType, reconcile,
    };
    use paysign_core::{Amount, Error};
    use proptest::prelude::*;

    const DAY: &str = "2026-11-20";
    const NEXT_DAY: &str = "2026-11-21";
    const TX_HEADER: &str = "bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time";
    const FUND_HEADER: &str =
        "bill_date,flow_no,trade_no,out_trade_no,direction,amount,balance_after,booked_time";
    const COLLECTION_HEADER: &str = "bill_date,trade_no,out_trade_no,agreement_no,trade_type,trade_status,amount,fee,trade_time";

    /// A statement with its header and a correct trailer computed from `rows`.
    fn statement(kind: StatementType, rows: &[String]) -> String {
        let (mut total_in, mut total_out) = (0i64, 0i64);
        for r in rows {
            let f: Vec<&str> = r.split(',').collect();
            match kind {
                StatementType::Transaction => match f[5] {
                    "PAY" => total_in += f[7].parse::<i64>().unwrap(),
                    "REFUND" => total_out += f[8].parse::<i64>().unwrap(),
                    _ => {}
                },
                StatementType::Fund => match f[4] {
                    "IN" => total_in += f[5].parse::<i64>().unwrap(),
                    _ => total_out += f[5].parse::<i64>().unwrap(),
                },
                StatementType::Collection => match f[4] {
                    "DEDUCTION" => total_in += f[6].parse::<i64>().unwrap(),
                    _ => total_out += f[6].parse::<i64>().unwrap(),
                },
            }
        }
        let header = match kind {
            StatementType::Transaction => TX_HEADER,
            StatementType::Fund => FUND_HEADER,
            StatementType::Collection => COLLECTION_HEADER,
        };
        let mut out = format!("{header}\n");
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

    /// A transaction row: `kind` PAY/REFUND/REVERSE at +08:00 local `time` (`YYYY-MM-DDTHH:MM:SS`).
    fn tx(
        day: &str,
        order: &str,
        kind: &str,
        status: &str,
        total: i64,
        refund: i64,
        time: &str,
    ) -> String {
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

    fn merchant_map(unit: AmountUnit) -> ColumnMap {
        let amount = match unit {
            AmountUnit::Yuan => "amount_yuan",
            AmountUnit::Fen => "amount_fen",
        };
        let mut m = ColumnMap::new("order_id", amount, unit, "paid_at");
        m.status = Some("state".into());
        m.status_map = [
            ("PAID", "SUCCESS"),
            ("PART_REFUND", "PARTIALLY_REFUNDED"),
            ("FULL_REFUND", "REFUNDED"),
            ("VOIDED", "REVERSED"),
            ("FAILED", "FAIL"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        m
    }

    /// The scenario of every class, business day 2026-11-20.
    fn scenario_statement() -> String {
        let d = DAY;
        statement(
            StatementType::Transaction,
            &[
                // Paid after yesterday's cutoff: on yesterday's local books → CUTOFF_MATCHED.
                tx(
                    d,
                    "MA00000001",
                    "PAY",
                    "SUCCESS",
                    1959,
                    0,
                    "2026-11-19T23:40:12",
                ),
                tx(
                    d,
                    "MR00000001",
                    "PAY",
                    "SUCCESS",
                    100,
                    0,
                    "2026-11-20T09:00:00",
                ),
                tx(
                    d,
                    "MR00000001",
                    "REVERSE",
                    "REVERSED",
                    100,
                    0,
                    "2026-11-20T09:01:00",
                ),
                tx(
                    d,
                    "MB00000001",
                    "PAY",
                    "SUCCESS",
                    6754,
                    0,
                    "2026-11-20T10:00:05",
                ),
                // Dropped locally → MISSING_LOCALLY.
                tx(
                    d,
                    "MC00000001",
                    "PAY",
                    "SUCCESS",
                    5000,
                    0,
                    "2026-11-20T11:00:00",
                ),
                // Local says 29.99 → AMOUNT_MISMATCH.
                tx(
                    d,
                    "ME00000001",
                    "PAY",
                    "SUCCESS",
                    3000,
                    0,
                    "2026-11-20T12:00:00",
                ),
                // Local says FAILED → STATUS_MISMATCH.
                tx(
                    d,
                    "MF00000001",
                    "PAY",
                    "SUCCESS",
                    2000,
                    0,
                    "2026-11-20T13:00:00",
                ),
                tx(
                    d,
                    "MG00000001",
                    "PAY",
                    "SUCCESS",
                    4000,
                    0,
                    "2026-11-20T14:00:00",
                ),
                tx(
                    d,
                    "MB00000001",
                    "REFUND",
                    "PARTIALLY_REFUNDED",
                    6754,
                    1000,
                    "2026-11-20T15:30:00",
                ),
                // Local refund of 12.00 → AMOUNT_MISMATCH (paired at the end).
                tx(
                    d,
                    "MG00000001",
                    "REFUND",
                    "PARTIALLY_REFUNDED",
                    4000,
                    1500,
                    "2026-11-20T16:30:00",
                ),
            ],
        )
    }

    /// The merchant's records of the scenario, amounts in yuan.
    const SCENARIO_RECORDS_YUAN: &str = "\
order_id,amount_yuan,state,paid_at,note
MR00000001,1.00,PAID,2026-11-20 09:00:01,
MR00000001,1.00,VOIDED,2026-11-20 09:01:00,
MB00000001,67.54,PAID,2026-11-20 10:00:04,\"water, November\"
ME00000001,29.99,PAID,2026-11-20 12:00:00,
MF00000001,20.00,FAILED,2026-11-20 13:00:00,
MG00000001,40.00,PAID,2026-11-20 14:00:00,
MB00000001,10.00,PART_REFUND,2026-11-20 15:30:00,
MD00000001,88.00,PAID,2026-11-20 16:00:00,
MG00000001,12.00,PART_REFUND,2026-11-20 16:30:00,
MJ00000001,5.00,FAILED,2026-11-20 17:00:00,
MI00000001,7.00,PAID,2026-11-20 23:29:00,
MH00000001,12.00,PAID,2026-11-20 23:45:00,
";

    fn yuan_to_fen_records(text: &str) -> String {
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            if i == 0 {
                out.push_str(&line.replace("amount_yuan", "amount_fen"));
            } else {
                let mut f: Vec<String> = split_csv(line);
                f[1] = Amount::parse_yuan(&f[1]).unwrap().fen().to_string();
                out.push_str(
                    &f.iter()
                        .map(|c| {
                            if c.contains(',') {
                                format!("\"{c}\"")
                            } else {
                                c.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            out.push('\n');
        }
        out
    }

    fn split_csv(line: &str) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        r.records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect()
    }

    #[derive(Debug)]
    struct Run {
        report: ReconcileReport,
        differences: Vec<Difference>,
    }

    impl Run {
        fn count(&self, class: Class) -> u64 {
            self.report.tally(class).count
        }

        fn orders(&self, class: Class) -> Vec<&str> {
            let mut v: Vec<&str> = self
                .differences
                .iter()
                .filter(|d| d.class == class)
                .map(|d| d.order_no.as_str())
                .collect();
            v.sort_unstable();
            v
        }
    }

    /// Reconciles once on the calling thread and once reading ahead on threads: every test
    /// that runs through here also checks that both give the same report, differences and
    /// error.
    fn run(
        statement: &str,
        records: &str,
        next: Option<&str>,
        options: &ReconcileOptions,
    ) -> Result<Run, Error> {
        let here = run_with(statement, records, next, options);
        let mut threaded = options.clone();
        threaded.read_ahead = !options.read_ahead;
        let ahead = run_with(statement, records, next, &threaded);
        assert_eq!(
            format!("{ahead:?}"),
            format!("{here:?}"),
            "reading ahead on threads changed the result"
        );
        here
    }

    fn run_with(
        statement: &str,
        records: &str,
        next: Option<&str>,
        options: &ReconcileOptions,
    ) -> Result<Run, Error> {
        let mut differences = Vec::new();
        let report = reconcile(
            statement.as_bytes(),
            records.as_bytes(),
            next.map(str::as_bytes),
            options,
            &mut |d| differences.push(d.clone()),
            &mut |_| {},
        )?;
        Ok(Run {
            report,
            differences,
        })
    }

    fn tx_options(records: RecordFormat) -> ReconcileOptions {
        ReconcileOptions::new(StatementType::Transaction, records, DAY)
    }

    #[test]
    fn every_class_of_the_vocabulary() {
        let options = tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan)));
        let r = run(&scenario_statement(), SCENARIO_RECORDS_YUAN, None, &options).unwrap();

        assert_eq!(
            r.count(Class::Matched),
            5,
            "MB pay+refund, MG pay, MR pay+reverse"
        );
        assert_eq!(r.orders(Class::CutoffMatched), ["MA00000001"]);
        assert_eq!(r.orders(Class::MissingLocally), ["MC00000001"]);
        assert_eq!(
            r.orders(Class::AmountMismatch),
            ["ME00000001", "MG00000001"]
        );
        assert_eq!(r.orders(Class::StatusMismatch), ["MF00000001"]);
        assert_eq!(r.orders(Class::MissingInStatement), ["MD00000001"]);
        // 23:45 is after the cutoff; 23:29 is within the 300 s tolerance before it.
        assert_eq!(r.orders(Class::CutoffPending), ["MH00000001", "MI00000001"]);
        assert_eq!(r.report.unlisted_local_rows, 1, "MJ failed on both sides");
        assert!(r.differences.iter().all(|d| d.class != Class::Matched));
        assert_eq!(r.report.discrepancies(), 5);
        assert!(!r.report.is_clean());
        assert_eq!(r.report.statement.rows, 10);
        assert_eq!(r.report.record_rows, 12);

        // The differences carry both sides, with line numbers.
        let e = r
            .differences
            .iter()
            .find(|d| d.order_no == "ME00000001")
            .unwrap();
        let (s, l) = (e.statement.as_ref().unwrap(), e.local.as_ref().unwrap());
        assert_eq!((s.amount.fen(), l.amount.fen()), (3000, 2999));
        assert_eq!(
            (s.line, l.line, s.source, l.source),
            (7, 5, Source::Statement, Source::Records)
        );
        assert_eq!(e.trade_no, "TE00000001");
        let f = r
            .differences
            .iter()
            .find(|d| d.order_no == "MF00000001")
            .unwrap();
        assert_eq!(
            f.local.as_ref().unwrap().status.as_deref(),
            Some("FAIL"),
            "mapped status"
        );
        let g = r
            .differences
            .iter()
            .find(|d| d.order_no == "MG00000001")
            .unwrap();
        assert_eq!(g.kind.as_str(), "REFUND");
        assert_eq!(
            (
                g.statement.as_ref().unwrap().amount.fen(),
                g.local.as_ref().unwrap().amount.fen()
            ),
            (1500, 1200)
        );

        // Totals: statement PAY − REFUND 22813 − 2500; local 24553 − 2200 → short by 20.40.
        let b = r.report.balance;
        assert_eq!((b.statement_in.fen(), b.statement_out.fen()), (22813, 2500));
        assert_eq!((b.local_in.fen(), b.local_out.fen()), (24553, 2200));
        assert_eq!(
            b.position(),
            Position::Short(Amount::from_fen(2040).unwrap())
        );
        // The classes explain the whole difference.
        let explained: i64 = Class::ALL
            .iter()
            .map(|c| r.report.tally(*c).statement_net - r.report.tally(*c).local_net)
            .sum();
        assert_eq!(explained, -2040);
        assert_eq!(r.report.tally(Class::MissingLocally).statement_net, 5000);
        assert_eq!(r.report.tally(Class::CutoffPending).local_net, 1900);
    }

    #[test]
    fn cutoff_events_match_against_the_next_statement() {
        let next = statement(
            StatementType::Transaction,
            &[
                tx(
                    NEXT_DAY,
                    "MH00000001",
                    "PAY",
                    "SUCCESS",
                    1200,
                    0,
                    "2026-11-20T23:45:02",
                ),
                tx(
                    NEXT_DAY,
                    "MK00000001",
                    "PAY",
                    "SUCCESS",
                    999,
                    0,
                    "2026-11-21T08:00:00",
                ),
            ],
        );
        let options = tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan)));
        let r = run(
            &scenario_statement(),
            SCENARIO_RECORDS_YUAN,
            Some(&next),
            &options,
        )
        .unwrap();
        assert_eq!(r.count(Class::CutoffPending), 0);
        assert_eq!(r.orders(Class::CutoffMatched), ["MA00000001", "MH00000001"]);
        let h = r
            .differences
            .iter()
            .find(|d| d.order_no == "MH00000001")
            .unwrap();
        assert_eq!(h.statement.as_ref().unwrap().source, Source::NextStatement);
        // 23:29 was not in tomorrow's statement either: a real difference.
        assert_eq!(
            r.orders(Class::MissingInStatement),
            ["MD00000001", "MI00000001"]
        );
        assert_eq!(r.report.next_statement.unwrap().rows, 2);
        assert_eq!(
            r.count(Class::MissingLocally),
            1,
            "MK belongs to tomorrow's reconciliation"
        );

        // Without tolerance, 23:29 is an ordinary missing event.
        let mut strict = options.clone();
        strict.cutoff_tolerance_secs = 0;
        let r = run(&scenario_statement(), SCENARIO_RECORDS_YUAN, None, &strict).unwrap();
        assert_eq!(r.orders(Class::CutoffPending), ["MH00000001"]);
        assert_eq!(
            r.orders(Class::MissingInStatement),
            ["MD00000001", "MI00000001"]
        );

        // The next statement is checked like the first.
        let wrong_day = next.replace(NEXT_DAY, DAY);
        let err = run(
            &scenario_statement(),
            SCENARIO_RECORDS_YUAN,
            Some(&wrong_day),
            &options,
        )
        .err()
        .unwrap();
        assert!(
            matches!(
                err,
                Error::BodyMalformed {
                    format: "next_statement",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn yuan_and_fen_mappings_agree_and_json_lines_too() {
        let yuan = run(
            &scenario_statement(),
            SCENARIO_RECORDS_YUAN,
            None,
            &tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan))),
        )
        .unwrap();
        let fen_records = yuan_to_fen_records(SCENARIO_RECORDS_YUAN);
        assert!(fen_records.contains("MB00000001,6754,PAID"));
        let fen = run(
            &scenario_statement(),
            &fen_records,
            None,
            &tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Fen))),
        )
        .unwrap();
        assert_eq!(fen.report, yuan.report);
        assert_eq!(fen.differences, yuan.differences);

        // JSON lines: amounts as JSON numbers or strings, blank lines skipped (line numbers kept).
        let mut jsonl = String::new();
        for (i, line) in SCENARIO_RECORDS_YUAN.lines().enumerate().skip(1) {
            let f = split_csv(line);
            let amount = if i % 2 == 0 {
                f[1].clone()
            } else {
                format!("\"{}\"", f[1])
            };
            jsonl.push_str(&format!(
                "{{\"order_id\":\"{}\",\"amount_yuan\":{amount},\"state\":\"{}\",\"paid_at\":\"{}\"}}\n",
                f[0], f[2], f[3]
            ));
            if i == 1 {
                jsonl.push('\n');
            }
        }
        let json = run(
            &scenario_statement(),
            &jsonl,
            None,
            &tx_options(RecordFormat::JsonLines(merchant_map(AmountUnit::Yuan))),
        )
        .unwrap();
        assert_eq!(json.report, yuan.report);
        let line_of = |r: &Run, order: &str| {
            r.differences
                .iter()
                .find(|d| d.order_no == order)
                .unwrap()
                .local
                .as_ref()
                .unwrap()
                .line
        };
        // CSV counts the header as line 1; the JSON file has a blank line after its first line.
        assert_eq!(line_of(&yuan, "MD00000001"), 9);
        assert_eq!(line_of(&json, "MD00000001"), 9);
    }

    #[test]
    fn fund_flow_long_and_short() {
        let d = DAY;
        let fund = statement(
            StatementType::Fund,
            &[
                format!(
                    "{d},F20261120000001,TA00000001,MA00000001,IN,1957,1957,2026-11-20T09:00:00+08:00"
                ),
                format!(
                    "{d},F20261120000002,TB00000001,MB00000001,IN,6747,8704,2026-11-20T10:00:05+08:00"
                ),
                format!(
                    "{d},F20261120000003,TB00000001,MB00000001,OUT,1000,7704,2026-11-20T15:30:00+08:00"
                ),
            ],
        );
        let mut map = ColumnMap::new("order_no", "net_fen", AmountUnit::Fen, "booked_at");
        map.trade_type = Some("direction".into());
        let options =
            ReconcileOptions::new(StatementType::Fund, RecordFormat::Csv(map.clone()), DAY);

        // MA is missing locally: the statement has more money than expected → long.
        let records = "order_no,net_fen,booked_at,direction\n\
                       MB00000001,6747,2026-11-20 10:00:05,IN\n\
                       MB00000001,1000,2026-11-20 15:30:00,OUT\n";
        let r = run(&fund, records, None, &options).unwrap();
        assert_eq!(r.count(Class::Matched), 2);
        assert_eq!(r.orders(Class::MissingLocally), ["MA00000001"]);
        assert_eq!(
            r.report.balance.position(),
            Position::Long(Amount::from_fen(1957).unwrap())
        );
        assert!(
            r.report.to_string().contains("长款 (long) 19.57 yuan"),
            "{}",
            r.report
        );

        // We expected more than the gateway settled (a refund it never booked... or a bigger IN).
        let records = "order_no,net_fen,booked_at,direction\n\
                       MA00000001,1957,2026-11-20 09:00:00,PAY\n\
                       MB00000001,6800,2026-11-20 10:00:05,IN\n\
                       MB00000001,1000,2026-11-20 15:30:00,REFUND\n\
                       MB00000001,100,2026-11-20 12:00:00,REVERSE\n";
        let r = run(&fund, records, None, &options).unwrap();
        assert_eq!(r.orders(Class::AmountMismatch), ["MB00000001"]);
        assert_eq!(r.report.unlisted_local_rows, 1, "a reversal books no money");
        assert_eq!(
            r.report.balance.position(),
            Position::Short(Amount::from_fen(53).unwrap())
        );
        let summary = r.report.to_string();
        assert!(summary.contains("短款 (short) 0.53 yuan"), "{summary}");
        assert!(summary.contains("AMOUNT_MISMATCH (金额不符)"), "{summary}");

        // The same records against a transaction statement are refused by kind.
        let err = run(&fund, records, None, &tx_options(RecordFormat::Csv(map)))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("this is a FUND statement"),
            "{err}"
        );
    }

    #[test]
    fn malformed_rows_are_reported_or_stop_the_run() {
        let stmt = scenario_statement().replace("2026-11-20T13:00:00+08:00", "13:00");
        let records = SCENARIO_RECORDS_YUAN
            .replace("ME00000001,29.99", "ME00000001,29.999")
            .replace("2026-11-20 16:00:00", "tomorrow");
        let options = tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan)));
        let r = run(&stmt, &records, None, &options).unwrap();
        let errors: Vec<(Source, u64)> = r
            .report
            .row_errors
            .iter()
            .map(|e| (e.source, e.line))
            .collect();
        assert_eq!(r.report.row_error_count, 3);
        assert!(errors.contains(&(Source::Statement, 8)), "{errors:?}");
        assert!(errors.contains(&(Source::Records, 5)), "{errors:?}");
        assert!(errors.contains(&(Source::Records, 9)), "{errors:?}");
        let amount_error = r.report.row_errors.iter().find(|e| e.line == 5).unwrap();
        assert!(
            amount_error.message.contains("more than two decimals"),
            "{}",
            amount_error.message
        );
        // Skipped rows: the other side's partner is now unmatched.
        assert_eq!(
            r.orders(Class::MissingLocally),
            ["MC00000001", "ME00000001"]
        );
        assert!(!r.report.is_clean());
        assert!(
            r.report
                .to_string()
                .contains("Malformed rows (格式错误): 3")
        );

        let mut stop = options.clone();
        stop.stop_on_error = true;
        let err = run(&stmt, &records, None, &stop).err().unwrap();
        match err {
            Error::BodyMalformed { format, reason } => {
                assert!(["statement", "records"].contains(&format));
                assert!(reason.starts_with("line "), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A clean run is not stopped.
        assert!(run(&scenario_statement(), SCENARIO_RECORDS_YUAN, None, &stop).is_ok());
    }

    fn refused(statement: &str, options: &ReconcileOptions) -> String {
        match run(statement, SCENARIO_RECORDS_YUAN, None, options) {
            Err(Error::BodyMalformed {
                format: "statement",
                reason,
            }) => reason,
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => panic!("statement accepted"),
        }
    }

    #[test]
    fn untrustworthy_statements_are_refused() {
        let options = tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan)));
        let good = scenario_statement();
        let trailer = "#summary,rows=10,total_in=22813,total_out=2500\n";
        assert!(good.ends_with(trailer));

        let truncated = good.replace(trailer, "");
        assert!(refused(&truncated, &options).contains("no `#summary"));
        let cut = &good[..good.len() - trailer.len() - 40];
        assert!(!refused(cut, &options).is_empty());
        assert!(refused(&good.replace("rows=10", "rows=11"), &options).contains("rows=11"));
        assert!(
            refused(&good.replace("total_in=22813", "total_in=22814"), &options)
                .contains("total_in")
        );
        assert!(
            refused(&good.replace("total_out=2500", "total_out=2400"), &options)
                .contains("total_out")
        );
        assert!(
            refused(
                &good.replace("#summary,rows=10,", "#summary,rows=ten,"),
                &options
            )
            .contains("malformed trailer")
        );
        assert!(
            refused(&format!("{good}{good}"), &options).contains("after the `#summary` trailer")
        );
        // A row changed without fixing the trailer: caught by the totals.
        let tampered = good.replace(",SUCCESS,5000,0,5,", ",SUCCESS,500,0,5,");
        assert!(refused(&tampered, &options).contains("total_in"));
        // Yesterday's file.
        let mut other_day = options.clone();
        other_day.bill_date = "2026-11-19".into();
        assert!(refused(&good, &other_day).contains("bill_date"));

        // The SHA-256 of the signed statement.download response.
        let sha = sha256_hex(good.as_bytes());
        let mut signed = options.clone();
        signed.expected_sha256 = Some(sha.to_uppercase());
        assert!(run(&good, SCENARIO_RECORDS_YUAN, None, &signed).is_ok());
        let mut wrong = options.clone();
        wrong.expected_sha256 = Some(sha256_hex(b"another statement"));
        assert!(refused(&good, &wrong).contains("SHA-256"));
        // Even a consistent edit (trailer fixed up) is caught by the hash.
        let edited = statement(
            StatementType::Transaction,
            &[tx(
                DAY,
                "MB00000001",
                "PAY",
                "SUCCESS",
                6754,
                0,
                "2026-11-20T10:00:05",
            )],
        );
        signed.expected_sha256 = Some(sha);
        assert!(refused(&edited, &signed).contains("SHA-256"));

        // Misuse is FIELD_INVALID, before reading anything.
        let mut bad = options.clone();
        bad.expected_sha256 = Some("not-hex".into());
        assert_eq!(
            run(&good, "", None, &bad).err().unwrap().code(),
            "FIELD_INVALID"
        );
        let mut bad = options.clone();
        bad.bill_date = "2026-11-31".into();
        assert_eq!(
            run(&good, "", None, &bad).err().unwrap().code(),
            "FIELD_INVALID"
        );
        let mut bad = options;
        bad.cutoff_tolerance_secs = -1;
        assert_eq!(
            run(&good, "", None, &bad).err().unwrap().code(),
            "FIELD_INVALID"
        );
    }

    #[test]
    fn protocol_example_with_its_hash() {
        let example = "\
bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,total_amount,refund_amount,fee,trade_time
2026-11-20,T202611190000000007,M20261119000123,SHE2026110007,SH-ELEC-01,PAY,SUCCESS,1959,0,2,2026-11-19T23:40:12+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,PAY,SUCCESS,6754,0,7,2026-11-20T10:00:05+08:00
2026-11-20,T202611200000000008,M20261120000001,SHW2026110042,SH-WATER-01,REFUND,PARTIALLY_REFUNDED,6754,1000,0,2026-11-20T15:30:00+08:00
#summary,rows=3,total_in=8713,total_out=1000
";
        let records = "out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n\
                       M20261120000001,T202611200000000008,PAY,SUCCESS,6754,2026-11-20T10:00:05+08:00\n\
                       M20261120000001,T202611200000000008,REFUND,PARTIALLY_REFUNDED,1000,2026-11-20T15:30:00+08:00\n";
        let mut options = tx_options(RecordFormat::Csv(ColumnMap::default()));
        options.expected_sha256 =
            Some("2946224aa11d4d41f20b4faa5d500f3c9f9edc766865cb433453e0c057286368".into());
        let r = run(example, records, None, &options).unwrap();
        assert_eq!(r.count(Class::Matched), 2);
        // The electricity bill paid at 23:40 on the 19th closes yesterday's CUTOFF_PENDING.
        assert_eq!(r.orders(Class::CutoffMatched), ["M20261119000123"]);
        assert!(r.report.is_clean());
    }

    #[test]
    fn machine_reports_and_progress() {
        let options = {
            let mut o = tx_options(RecordFormat::Csv(merchant_map(AmountUnit::Yuan)));
            o.progress_every = 4;
            o
        };
        let stmt = scenario_statement();
        let mut csv_out = DifferenceWriter::new(Vec::new(), ReportFormat::Csv);
        let mut json_out = DifferenceWriter::new(Vec::new(), ReportFormat::JsonLines);
        let mut snapshots: Vec<ProgressSnapshot> = Vec::new();
        let report = reconcile(
            stmt.as_bytes(),
            SCENARIO_RECORDS_YUAN.as_bytes(),
            None::<&[u8]>,
            &options,
            &mut |d| {
                csv_out.write(d);
                json_out.write(d);
            },
            &mut |p| snapshots.push(*p),
        )
        .unwrap();
        let csv_text = String::from_utf8(csv_out.finish().unwrap()).unwrap();
        let lines: Vec<&str> = csv_text.lines().collect();
        assert_eq!(
            lines[0],
            "class,order_no,trade_no,trade_type,statement_amount,local_amount,statement_status,local_status,statement_time,local_time,statement_file,statement_line,local_line"
        );
        assert_eq!(
            lines.len() as u64,
            1 + report.tally(Class::CutoffMatched).count
                + report.tally(Class::CutoffPending).count
                + report.discrepancies()
        );
        assert!(lines.contains(&"MISSING_LOCALLY,MC00000001,TC00000001,PAY,5000,,SUCCESS,,2026-11-20T11:00:00+08:00,,statement,6,"), "{csv_text}");
        assert!(
            lines.contains(
                &"CUTOFF_PENDING,MH00000001,,PAY,,1200,,SUCCESS,,2026-11-20T23:45:00+08:00,,,13"
            ),
            "{csv_text}"
        );

        let json_text = String::from_utf8(json_out.finish().unwrap()).unwrap();
        let first: serde_json::Value =
            serde_json::from_str(json_text.lines().next().unwrap()).unwrap();
        assert!(first["class"].is_string());
        assert_eq!(json_text.lines().count(), lines.len() - 1);

        let last = snapshots.last().unwrap();
        assert_eq!((last.statement_rows, last.record_rows), (10, 12));
        assert_eq!(
            last.bytes_read as usize,
            stmt.len() + SCENARIO_RECORDS_YUAN.len()
        );
        assert!(
            snapshots.len() >= 5,
            "every 4 rows and at the end: {}",
            snapshots.len()
        );

        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["classes"]["MISSING_LOCALLY"]["count"], 1);
        assert_eq!(json["balance"]["position"], "SHORT");
        assert_eq!(json["balance"]["difference"], -2040);
        assert_eq!(json["clean"], false);

        let summary = report.to_string();
        for needle in [
            "MISSING_LOCALLY (掉单)",
            "CUTOFF_PENDING (日切待对)",
            "短款 (short) 20.40 yuan",
            "50.00",
            "5 discrepancies",
        ] {
            assert!(summary.contains(needle), "{needle:?} in\n{summary}");
        }
    }

    #[test]
    fn memory_holds_only_unmatched_rows() {
        // 2,000 events in the same order on both sides, plus failed payments only we record,
        // and one stray record far out of order (first in the file, last in the statement).
        let mut rows = Vec::new();
        let mut records = String::from(
            "out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n\
             MZ00000001,TZ00000001,PAY,SUCCESS,77,2026-11-20T22:00:00+08:00\n",
        );
        for i in 0..2000 {
            let time = format!("2026-11-20T10:{:02}:{:02}", i / 60 % 60, i % 60);
            let order = format!("M{i:09}");
            rows.push(tx(DAY, &order, "PAY", "SUCCESS", 100 + i, 0, &time));
            records.push_str(&format!(
                "{order},T{},PAY,SUCCESS,{},{time}+08:00\n",
                &order[1..],
                100 + i
            ));
            if i % 10 == 0 {
                records.push_str(&format!("F{i:09},,PAY,FAIL,1,{time}+08:00\n"));
            }
        }
        rows.push(tx(
            DAY,
            "MZ00000001",
            "PAY",
            "SUCCESS",
            77,
            0,
            "2026-11-20T22:00:00",
        ));
        let stmt = statement(StatementType::Transaction, &rows);
        let r = run(
            &stmt,
            &records,
            None,
            &tx_options(RecordFormat::Csv(ColumnMap::default())),
        )
        .unwrap();
        assert_eq!(r.count(Class::Matched), 2001);
        assert_eq!(r.report.unlisted_local_rows, 200);
        // The failed payments wait until the end; everything else pairs off at once.
        assert!(
            r.report.peak_pending_rows <= 200 + 5,
            "peak {}",
            r.report.peak_pending_rows
        );
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    // ---------------------------------------------------------------------------------------
    // Properties

    /// One order's events: a payment, then maybe a refund or a reversal.
    #[derive(Debug, Clone)]
    struct Order {
        total: i64,
        refund: Option<i64>,
        reversed: bool,
        /// Seconds after 01:00 +08:00 on the day (never near the cutoff).
        at: i64,
    }

    fn orders() -> impl Strategy<Value = Vec<Order>> {
        prop::collection::vec(
            (
                1i64..=5_000_000,
                prop::option::of(1i64..=100),
                any::<bool>(),
                0i64..75_000,
            )
                .prop_map(|(total, refund_pct, reversed, at)| Order {
                    total,
                    refund: if reversed {
                        None
                    } else {
                        refund_pct.map(|p| (total * p / 100).max(1))
                    },
                    reversed,
                    at,
                }),
            0..40,
        )
    }

    fn at(seconds: i64) -> i64 {
        parse_timestamp("2026-11-20T01:00:00+08:00", None).unwrap() + seconds
    }

    fn time_text(t: i64) -> String {
        format_rfc3339(t, CHINA_STANDARD_TIME).unwrap()
    }

    /// Statement rows of `orders` (one line each), in `kind`'s format.
    fn statement_rows(orders: &[(usize, Order)], kind: StatementType) -> Vec<String> {
        let mut events = Vec::new();
        for (i, o) in orders {
            let order = format!("M{i:09}");
            let trade = format!("T{i:09}");
            let fee = (o.total * 10 + 5000) / 10_000;
            let t = at(o.at);
            match kind {
                StatementType::Transaction => {
                    events.push((
                        t,
                        format!(
                            "{DAY},{trade},{order},B1,I1,PAY,SUCCESS,{},0,{fee},{}",
                            o.total,
                            time_text(t)
                        ),
                    ));
                    if let Some(r) = o.refund {
                        let status = if r == o.total {
                            "REFUNDED"
                        } else {
                            "PARTIALLY_REFUNDED"
                        };
                        let t = t + 60;
                        events.push((
                            t,
                            format!(
                                "{DAY},{trade},{order},B1,I1,REFUND,{status},{},{r},0,{}",
                                o.total,
                                time_text(t)
                            ),
                        ));
                    }
                    if o.reversed {
                        let t = t + 30;
                        events.push((
                            t,
                            format!(
                                "{DAY},{trade},{order},B1,I1,REVERSE,REVERSED,{},0,0,{}",
                                o.total,
                                time_text(t)
                            ),
                        ));
                    }
                }
                StatementType::Collection => {
                    // The order is a deduction; its refund, if any, a payout of its own.
                    events.push((
                        t,
                        format!(
                            "{DAY},D{i:09},{order},A{i:09},DEDUCTION,SUCCESS,{},{fee},{}",
                            o.total,
                            time_text(t)
                        ),
                    ));
                    if let Some(r) = o.refund {
                        let t = t + 60;
                        events.push((
                            t,
                            format!(
                                "{DAY},P{i:09},Q{i:09},,PAYOUT,SUCCESS,{r},0,{}",
                                time_text(t)
                            ),
                        ));
                    }
                }
                StatementType::Fund => {
                    events.push((
                        t,
                        format!(
                            "{DAY},F{i:09},{trade},{order},IN,{},0,{}",
                            o.total - fee,
                            time_text(t)
                        ),
                    ));
                    if let Some(r) = o.refund {
                        let t = t + 60;
                        events.push((
                            t,
                            format!("{DAY},G{i:09},{trade},{order},OUT,{r},0,{}", time_text(t)),
                        ));
                    }
                }
            }
        }
        events.sort_by_key(|e| e.0);
        events.into_iter().map(|e| e.1).collect()
    }

    /// The statement's rows rendered as records with the identity mapping.
    fn identity_records(statement_rows: &[String], kind: StatementType) -> String {
        let mut out =
            String::from("out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n");
        for r in statement_rows {
            let f: Vec<&str> = r.split(',').collect();
            let line = match kind {
                StatementType::Transaction => {
                    let amount = if f[5] == "REFUND" { f[8] } else { f[7] };
                    format!("{},{},{},{},{amount},{}", f[2], f[1], f[5], f[6], f[10])
                }
                StatementType::Fund => {
                    let status = if f[4] == "IN" { "SUCCESS" } else { "REFUNDED" };
                    format!("{},{},{},{status},{},{}", f[3], f[2], f[4], f[5], f[7])
                }
                StatementType::Collection => {
                    format!("{},{},{},{},{},{}", f[2], f[1], f[4], f[5], f[6], f[8])
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// What must not depend on row order: counts and money.
    fn essence(r: &ReconcileReport) -> (Vec<ClassTally>, FundBalance, u64, u64) {
        (
            Class::ALL.iter().map(|c| r.tally(*c)).collect(),
            r.balance,
            r.unlisted_local_rows,
            r.row_error_count,
        )
    }

    fn kinds() -> impl Strategy<Value = StatementType> {
        prop_oneof![
            Just(StatementType::Transaction),
            Just(StatementType::Fund),
            Just(StatementType::Collection),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn a_statement_reconciles_with_itself(orders in orders(), kind in kinds()) {
            let orders: Vec<(usize, Order)> = orders.into_iter().enumerate().collect();
            let rows = statement_rows(&orders, kind);
            let stmt = statement(kind, &rows);
            let records = identity_records(&rows, kind);
            let options = ReconcileOptions::new(kind, RecordFormat::Csv(ColumnMap::default()), DAY);
            let r = run(&stmt, &records, None, &options).unwrap();
            prop_assert!(r.differences.is_empty(), "{:?}", r.differences);
            prop_assert_eq!(r.count(Class::Matched), rows.len() as u64);
            prop_assert_eq!(r.report.balance.position(), Position::Even);
            prop_assert!(r.report.is_clean());
        }

        #[test]
        fn swapping_sides_swaps_the_missing_classes(
            a in orders(),
            changes in prop::collection::vec((0usize..3, 1i64..1000), 40),
            kind in kinds(),
        ) {
            // B is A with some orders dropped, some amounts changed, and some new ones.
            let a: Vec<(usize, Order)> = a.into_iter().enumerate().collect();
            let mut b = Vec::new();
            for ((i, o), (change, delta)) in a.iter().zip(&changes) {
                match change {
                    0 => {}
                    1 => b.push((*i, Order { total: o.total + delta, refund: o.refund, reversed: o.reversed, at: o.at })),
                    _ => b.push((*i, o.clone())),
                }
                if *change == 0 && delta % 2 == 0 {
                    b.push((i + 1000, Order { total: *delta, refund: None, reversed: false, at: o.at }));
                }
            }
            let (rows_a, rows_b) = (statement_rows(&a, kind), statement_rows(&b, kind));
            let options = ReconcileOptions::new(kind, RecordFormat::Csv(ColumnMap::default()), DAY);
            let ab = run(&statement(kind, &rows_a), &identity_records(&rows_b, kind), None, &options).unwrap();
            let ba = run(&statement(kind, &rows_b), &identity_records(&rows_a, kind), None, &options).unwrap();
            prop_assert_eq!(ab.count(Class::MissingLocally), ba.count(Class::MissingInStatement));
            prop_assert_eq!(ab.count(Class::MissingInStatement), ba.count(Class::MissingLocally));
            prop_assert_eq!(ab.orders(Class::MissingLocally), ba.orders(Class::MissingInStatement));
            for c in [Class::Matched, Class::AmountMismatch, Class::StatusMismatch] {
                prop_assert_eq!(ab.count(c), ba.count(c), "{:?}", c);
            }
            let (pa, pb) = (ab.report.balance.position(), ba.report.balance.position());
            let flipped = match pa {
                Position::Long(x) => Position::Short(x),
                Position::Short(x) => Position::Long(x),
                Position::Even => Position::Even,
            };
            prop_assert_eq!(pb, flipped);
        }

        #[test]
        fn row_order_does_not_change_the_report(
            orders in orders(),
            changes in prop::collection::vec(0usize..4, 40),
            kind in kinds(),
            seed in any::<u64>(),
        ) {
            let a: Vec<(usize, Order)> = orders.into_iter().enumerate().collect();
            let b: Vec<(usize, Order)> = a
                .iter()
                .zip(&changes)
                .filter(|(_, c)| **c != 0)
                .map(|((i, o), c)| (*i, Order { total: o.total + i64::from(*c == 1), ..o.clone() }))
                .collect();
            let (rows_a, rows_b) = (statement_rows(&a, kind), statement_rows(&b, kind));
            let options = ReconcileOptions::new(kind, RecordFormat::Csv(ColumnMap::default()), DAY);
            let ordered = run(&statement(kind, &rows_a), &identity_records(&rows_b, kind), None, &options).unwrap();
            let (shuffled_a, shuffled_b) = (shuffle(rows_a, seed), shuffle(rows_b, seed.rotate_left(17)));
            let shuffled = run(&statement(kind, &shuffled_a), &identity_records(&shuffled_b, kind), None, &options).unwrap();
            prop_assert_eq!(essence(&ordered.report), essence(&shuffled.report));
        }
    }

    /// A collection row: a successful deduction or payout at +08:00 local `time`.
    fn collected(no: &str, out: &str, kind: &str, amount: i64, time: &str) -> String {
        let agreement = if kind == "DEDUCTION" { "A0001" } else { "" };
        let fee = (amount * 10 + 5000) / 10_000;
        format!("{DAY},{no},{out},{agreement},{kind},SUCCESS,{amount},{fee},{DAY}T{time}+08:00")
    }

    #[test]
    fn a_collection_statement_sorts_deductions_and_payouts_into_the_same_classes() {
        let stmt = statement(
            StatementType::Collection,
            &[
                collected("D1", "MD000001", "DEDUCTION", 10_000, "10:00:00"),
                // The merchant recorded a failure, but the card was charged.
                collected("D2", "MD000002", "DEDUCTION", 5_000, "11:00:00"),
                // The merchant never heard of it (掉单).
                collected("D3", "MD000003", "DEDUCTION", 7_000, "11:30:00"),
                collected("P1", "MP000001", "PAYOUT", 20_000, "12:00:00"),
                collected("P2", "MP000002", "PAYOUT", 3_000, "13:00:00"),
            ],
        );
        let records = format!(
            "out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n\
             MD000001,D1,DEDUCTION,SUCCESS,10000,{DAY}T10:00:01+08:00\n\
             MD000002,D2,DEDUCTION,FAIL,5000,{DAY}T11:00:01+08:00\n\
             MP000001,P1,PAYOUT,SUCCESS,20000,{DAY}T12:00:01+08:00\n\
             MP000002,P2,PAYOUT,SUCCESS,3100,{DAY}T13:00:01+08:00\n\
             MD000004,,DEDUCTION,SUCCESS,4000,{DAY}T14:00:00+08:00\n\
             MD000005,,DEDUCTION,SUCCESS,6000,{DAY}T23:29:00+08:00\n\
             MD000006,,DEDUCTION,FAIL,8000,{DAY}T15:00:00+08:00\n\
             MX000001,T1,PAY,SUCCESS,100,{DAY}T16:00:00+08:00\n"
        );
        let options = ReconcileOptions::new(
            StatementType::Collection,
            RecordFormat::Csv(ColumnMap::default()),
            DAY,
        );
        let r = run(&stmt, &records, None, &options).unwrap();
        assert_eq!(r.count(Class::Matched), 2);
        assert_eq!(r.orders(Class::StatusMismatch), ["MD000002"]);
        assert_eq!(r.orders(Class::MissingLocally), ["MD000003"]);
        assert_eq!(r.orders(Class::AmountMismatch), ["MP000002"]);
        assert_eq!(r.orders(Class::MissingInStatement), ["MD000004"]);
        assert_eq!(r.orders(Class::CutoffPending), ["MD000005"]);
        // A payment has no place in a collection reconciliation: a row error, not a class.
        assert_eq!(r.report.row_error_count, 1);
        assert!(
            r.report.row_errors[0]
                .message
                .contains("PAY is not on a COLLECTION statement"),
            "{:?}",
            r.report.row_errors
        );
        let kinds: Vec<&str> = r.differences.iter().map(|d| d.kind.as_str()).collect();
        assert!(
            kinds.contains(&"PAYOUT") && kinds.contains(&"DEDUCTION"),
            "{kinds:?}"
        );
        // Deductions are money in, payouts money out.
        let s = &r.report.statement;
        assert_eq!((s.total_in.fen(), s.total_out.fen()), (22_000, 23_000));
        assert_eq!(
            r.report.unlisted_local_rows, 1,
            "MD000006 failed on both sides"
        );
        let summary = r.report.to_string();
        assert!(
            summary.contains("Statement DEDUCTION − PAYOUT"),
            "{summary}"
        );
    }

    #[test]
    fn a_collection_reconciliation_needs_the_trade_type_column() {
        let stmt = statement(
            StatementType::Collection,
            &[collected("D1", "MD000001", "DEDUCTION", 10_000, "10:00:00")],
        );
        let columns = ColumnMap {
            trade_type: None,
            ..ColumnMap::default()
        };
        let options =
            ReconcileOptions::new(StatementType::Collection, RecordFormat::Csv(columns), DAY);
        let records = "out_trade_no,trade_no,trade_status,amount,trade_time\n";
        let err = run(&stmt, records, None, &options).unwrap_err();
        assert_eq!(err.code(), "FIELD_INVALID", "{err}");
        assert!(err.to_string().contains("ColumnMap::trade_type"), "{err}");
    }

    #[test]
    fn a_transaction_statement_given_as_collection_is_named() {
        let stmt = statement(
            StatementType::Transaction,
            &[tx(
                DAY,
                "M00000001",
                "PAY",
                "SUCCESS",
                100,
                0,
                &format!("{DAY}T10:00:00"),
            )],
        );
        let options = ReconcileOptions::new(
            StatementType::Collection,
            RecordFormat::Csv(ColumnMap::default()),
            DAY,
        );
        let header = "out_trade_no,trade_no,trade_type,trade_status,amount,trade_time\n";
        let err = run(&stmt, header, None, &options).unwrap_err();
        assert!(
            err.to_string().contains(
                "this is a TRANSACTION statement, but a COLLECTION statement was expected"
            ),
            "{err}"
        );
    }

    /// A deterministic Fisher–Yates shuffle (xorshift).
    fn shuffle<T>(mut v: Vec<T>, mut seed: u64) -> Vec<T> {
        seed |= 1;
        for i in (1..v.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let j = (seed % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
        v
    }
}
