#!/usr/bin/env python3
"""The DuckDB reference of the reconciliation benchmark (issue 22): what a finance engineer
would write to reconcile the benchmark's two files, with the checks paysign makes and the
classes it reports (docs/protocol.md §10).

Run with: python3 scripts/reconcile_duckdb.py DIR --sha256 HEX --threads 2
(DIR holds statement.csv and records.csv, e.g. from
`RECONCILE_DIR=DIR cargo bench -p paysign-core --features aws-lc --bench reconcile`; the
bench itself runs this script as one child process per sample, with RECONCILE_DUCKDB set.)

Work done, in the order a user would do it:
1. the SHA-256 of the statement against the signed statement.download response (hashlib);
2. the header line and the `#summary,rows=N,total_in=X,total_out=Y` trailer: DuckDB's
   read_csv skips the trailer as a comment (`comment='#'`), Python reads it from the file's
   end, and SQL checks it against the rows (count, sums) and every row's bill_date;
3. both files loaded into DuckDB tables with typed columns (a malformed number or time is
   an error), the merchant's statuses, yuan and +08:00 wall-clock times mapped as the
   benchmark's ColumnMap maps them;
4. one FULL OUTER JOIN on the order number and event kind, classified into paysign's
   classes; the differences written as CSV (paysign's report columns but the line
   numbers, which read_csv does not give), the count of every class printed.

Matching on (out_trade_no, kind) assumes at most one event of a kind per order, which holds
for the generated files (an order has at most one refund); paysign also keys refunds by
amount so that repeated refunds match, and the bench checks that both find the same counts.

Prints `key=value` lines: times (seconds of the work above, after the import),
vm_hwm_kib (the process's peak RSS, /proc/self/status VmHWM, as paysign's child reports),
baseline_kib (VmHWM after importing duckdb and connecting, before any work), duckdb_version,
one count per
class code, and unlisted (local rows the statement never lists: FAIL payments).
"""
import argparse, datetime, hashlib, os, re, sys, time

STATEMENT_HEADER = ("bill_date,trade_no,out_trade_no,bill_no,item_id,trade_type,trade_status,"
                    "total_amount,refund_amount,fee,trade_time")
# The benchmark's ColumnMap: the merchant's state → the gateway's status.
STATUS_MAP = {"PAID": "SUCCESS", "PART_REFUND": "PARTIALLY_REFUNDED",
              "FULL_REFUND": "REFUNDED", "VOIDED": "REVERSED", "FAILED": "FAIL"}
CLASSES = ("MATCHED", "CUTOFF_PENDING", "CUTOFF_MATCHED", "MISSING_LOCALLY",
           "MISSING_IN_STATEMENT", "STATUS_MISMATCH", "AMOUNT_MISMATCH")


def vm_hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def refuse(reason):
    sys.exit(f"statement refused: {reason}")


def check_sha256(path, expected):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    if h.hexdigest() != expected.lower():
        refuse(f"SHA-256 is {h.hexdigest()}, the signed response says {expected}")


def read_header_and_trailer(path):
    with open(path, "rb") as f:
        header = f.readline().decode().rstrip("\r\n")
        f.seek(max(0, os.path.getsize(path) - 4096))
        last = f.read().decode().rstrip("\r\n").rsplit("\n", 1)[-1]
    if header != STATEMENT_HEADER:
        refuse(f"line 1 is not the transaction statement header: {header!r}")
    m = re.fullmatch(r"#summary,rows=(\d+),total_in=(\d+),total_out=(\d+)", last)
    if not m:
        refuse(f"no `#summary` trailer at the end: {last!r}")
    return tuple(int(g) for g in m.groups())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--sha256", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bill-date", default="2026-11-20")
    p.add_argument("--tolerance-secs", type=int, default=300)
    a = p.parse_args()

    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    baseline_kib = vm_hwm_kib()

    started = time.perf_counter()
    statement = os.path.join(a.dir, "statement.csv")
    records = os.path.join(a.dir, "records.csv")
    check_sha256(statement, a.sha256)
    trailer = read_header_and_trailer(statement)

    # The business day's instants (§10.1) at +08:00, widened by the cutoff tolerance.
    day = datetime.date.fromisoformat(a.bill_date)
    tz = datetime.timezone(datetime.timedelta(hours=8))
    midnight = datetime.datetime.combine(day, datetime.time(), tz)
    tolerance = datetime.timedelta(seconds=a.tolerance_secs)
    day_start = midnight + tolerance                                         # statement side
    cutoff_start = (midnight + datetime.timedelta(hours=23, minutes=30) - tolerance).replace(tzinfo=None)  # local wall clock

    # Only the columns the match needs, plus one flag per row for the checks: a table of
    # every column as text took twice as long to load (DuckDB 2.0, 1 M rows).
    con.execute("""
        CREATE TEMP TABLE statement AS
        SELECT trade_no, out_trade_no AS order_no, trade_type AS kind, trade_status AS status,
               CASE trade_type WHEN 'REFUND' THEN refund_amount ELSE total_amount END AS amount,
               trade_time AS time,
               bill_date = $bill_date AND fee >= 0
                 AND trade_type IN ('PAY', 'REFUND', 'REVERSE') AS row_ok
        FROM read_csv($path, header = true, comment = '#', auto_detect = false, columns = {
            'bill_date': 'VARCHAR', 'trade_no': 'VARCHAR', 'out_trade_no': 'VARCHAR',
            'bill_no': 'VARCHAR', 'item_id': 'VARCHAR', 'trade_type': 'VARCHAR',
            'trade_status': 'VARCHAR', 'total_amount': 'BIGINT', 'refund_amount': 'BIGINT',
            'fee': 'BIGINT', 'trade_time': 'TIMESTAMPTZ'})
    """, {"path": statement, "bill_date": a.bill_date})
    rows, total_in, total_out, bad_rows = con.execute("""
        SELECT count(*),
               coalesce(sum(amount) FILTER (WHERE kind = 'PAY'), 0),
               coalesce(sum(amount) FILTER (WHERE kind = 'REFUND'), 0),
               count(*) FILTER (WHERE NOT row_ok)
        FROM statement
    """).fetchone()
    if (rows, total_in, total_out) != trailer:
        refuse(f"the trailer says rows, total_in, total_out = {trailer}, the rows {(rows, total_in, total_out)}")
    if bad_rows:
        refuse(f"{bad_rows} rows of another bill_date, a negative fee or an unknown trade_type")

    status_cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_MAP.items())
    con.execute(f"""
        CREATE TEMP TABLE records AS
        WITH mapped AS (
            SELECT order_id AS order_no, CAST(amount_yuan * 100 AS BIGINT) AS amount,
                   CASE state {status_cases} ELSE state END AS status, paid_at AS time
            FROM read_csv(?, header = true, auto_detect = false, columns = {{
                'order_id': 'VARCHAR', 'amount_yuan': 'DECIMAL(18,2)', 'state': 'VARCHAR',
                'paid_at': 'TIMESTAMP', 'channel': 'VARCHAR'}})
        )
        SELECT *,
               CASE WHEN status IN ('PARTIALLY_REFUNDED', 'REFUNDED') THEN 'REFUND'
                    WHEN status = 'REVERSED' THEN 'REVERSE' ELSE 'PAY' END AS kind,
               -- Whether the statement lists such an event (§10.2): not a FAIL payment.
               status IN ('SUCCESS', 'PARTIALLY_REFUNDED', 'REFUNDED', 'REVERSED') AS listed
        FROM mapped
    """, [records])

    con.execute("""
        CREATE TEMP TABLE classified AS
        SELECT CASE
                 WHEN s.order_no IS NOT NULL AND l.order_no IS NOT NULL THEN
                   CASE WHEN s.status <> l.status OR NOT l.listed THEN 'STATUS_MISMATCH'
                        WHEN s.amount <> l.amount THEN 'AMOUNT_MISMATCH'
                        ELSE 'MATCHED' END
                 WHEN l.order_no IS NULL THEN
                   CASE WHEN s.time < $day_start THEN 'CUTOFF_MATCHED' ELSE 'MISSING_LOCALLY' END
                 WHEN NOT l.listed THEN 'UNLISTED'
                 WHEN l.time >= $cutoff_start THEN 'CUTOFF_PENDING'
                 ELSE 'MISSING_IN_STATEMENT'
               END AS class,
               coalesce(s.order_no, l.order_no) AS order_no, s.trade_no,
               coalesce(s.kind, l.kind) AS trade_type,
               s.amount AS statement_amount, l.amount AS local_amount,
               s.status AS statement_status, l.status AS local_status,
               s.time AS statement_time, l.time AS local_time
        FROM statement s FULL OUTER JOIN records l
          ON s.order_no = l.order_no AND s.kind = l.kind
    """, {"day_start": day_start, "cutoff_start": cutoff_start})
    con.execute("""
        COPY (
            SELECT class, order_no, trade_no, trade_type, statement_amount, local_amount,
                   statement_status, local_status,
                   strftime(timezone('Asia/Shanghai', statement_time), '%Y-%m-%dT%H:%M:%S+08:00') AS statement_time,
                   strftime(local_time, '%Y-%m-%dT%H:%M:%S+08:00') AS local_time,
                   CASE WHEN statement_time IS NOT NULL THEN 'statement' END AS statement_file
            FROM classified WHERE class NOT IN ('MATCHED', 'UNLISTED')
        ) TO ? (HEADER)
    """, [os.path.join(a.dir, "differences-duckdb.csv")])
    counts = dict(con.execute("SELECT class, count(*) FROM classified GROUP BY class").fetchall())
    seconds = time.perf_counter() - started

    print(f"times={seconds:.4f}")
    print(f"vm_hwm_kib={vm_hwm_kib()}")
    print(f"baseline_kib={baseline_kib}")
    print(f"duckdb_version={duckdb.__version__}")
    for c in CLASSES:
        print(f"{c}={counts.get(c, 0)}")
    print(f"unlisted={counts.get('UNLISTED', 0)}")


if __name__ == "__main__":
    main()
