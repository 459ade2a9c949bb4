// paysign's typings, types/reconcile.d.ts (layout: index.d.ts): reconciliation
// (api/reconcile.mjs).
import type { RawBody } from './http.js';

/** Which statement: transaction flow, fund flow, or collection and payout (代收付). */
export type StatementKind = 'TRANSACTION' | 'FUND' | 'COLLECTION';

/** Which merchant column holds which value (one record = one event). */
export interface ColumnMap {
  /** The merchant order number (`out_trade_no`), the matching key. */
  orderNo: string;
  /** The event amount (order amount; refund amount for refunds; net movement for a fund statement). */
  amount: string;
  amountUnit: 'yuan' | 'fen';
  /** The event time: RFC 3339, `YYYY-MM-DD HH:MM:SS` / `YYYYMMDDHHMMSS` (+08:00), or Unix seconds. */
  time: string;
  /** The local status column (without one, every record is a completed event). */
  status?: string;
  /** Local status → gateway status (`SUCCESS`, `PARTIALLY_REFUNDED`, `REFUNDED`, `REVERSED`, …). */
  statusMap?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | ReadonlyArray<readonly [string, string]>;
  /** The gateway's `trade_no`, if recorded. */
  tradeNo?: string;
  /** The event kind (`PAY`, `REFUND`, `REVERSE`, `IN`, `OUT`, `DEDUCTION`, `PAYOUT`), if recorded; required for a `COLLECTION` statement. */
  tradeType?: string;
}

/** Options of `reconcile` (docs/protocol.md §10). */
export interface ReconcileOptions {
  /** The statement's business day, `YYYY-MM-DD`. */
  billDate: string;
  /** Default `TRANSACTION`; `COLLECTION` is the collection and payout statement (docs/collection.md). */
  kind?: StatementKind;
  /** The records' format; default `csv`. */
  format?: 'csv' | 'jsonl';
  /** Default: the statement's own column names, amounts in fen. */
  columns?: ColumnMap;
  /** Tolerance around the 23:30 cutoff, whole seconds (default 300). */
  cutoffToleranceSecs?: number;
  /** Stop at the first malformed row instead of reporting it. */
  stopOnError?: boolean;
  /** The `sha256` of the signed `statement.download` response: a mismatch refuses the statement. */
  expectedSha256?: string;
  /** The differences' format; default `csv`. */
  report?: 'csv' | 'jsonl';
  /** The next business day's statement, to match cutoff events. */
  nextStatement?: RawBody;
}

/** The classes of docs/protocol.md §10.3. */
export type ReconcileClass =
  | 'MATCHED'
  | 'CUTOFF_PENDING'
  | 'CUTOFF_MATCHED'
  | 'MISSING_LOCALLY'
  | 'MISSING_IN_STATEMENT'
  | 'STATUS_MISMATCH'
  | 'AMOUNT_MISMATCH';

/** A statement's checked trailer. */
export interface StatementTotals {
  readonly rows: number;
  readonly total_in: number;
  readonly total_out: number;
}

/** Count and net totals (fen) of one class. */
export interface ClassTally {
  readonly count: number;
  readonly statement_net: number;
  readonly local_net: number;
}

/** The core's report (`ReconcileReport::to_json`), amounts in fen. */
export interface ReconcileReport {
  readonly kind: StatementKind;
  readonly bill_date: string;
  readonly statement: StatementTotals;
  readonly next_statement: StatementTotals | null;
  readonly record_rows: number;
  readonly unlisted_local_rows: number;
  readonly classes: Readonly<Record<ReconcileClass, ClassTally>>;
  readonly balance: {
    readonly statement_in: number;
    readonly statement_out: number;
    readonly local_in: number;
    readonly local_out: number;
    /** Statement minus local: positive is long (长款), negative short (短款). */
    readonly difference: number;
    readonly position: 'EVEN' | 'LONG' | 'SHORT';
  };
  readonly discrepancies: number;
  readonly row_error_count: number;
  readonly row_errors: ReadonlyArray<{ readonly source: 'statement' | 'records' | 'next_statement'; readonly line: number; readonly message: string }>;
  readonly peak_pending_rows: number;
  readonly clean: boolean;
}

/** What `reconcile` returns. */
export interface ReconcileResult {
  /** The human summary (what `paysign reconcile` prints). */
  readonly summary: string;
  readonly report: ReconcileReport;
  /** Every difference, as CSV (with a header line) or JSON lines. */
  readonly differences: string;
}

/** Reconciles the gateway's statement against the merchant's records, in memory. */
export declare function reconcile(statement: RawBody, records: RawBody, options: ReconcileOptions): ReconcileResult;
