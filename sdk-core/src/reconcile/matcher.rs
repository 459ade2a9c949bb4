//! The streaming match (§10.3): both inputs are read together, each row looks for its
//! partner among the other side's pending rows, and pairs are classified and dropped at
//! once, so memory holds only rows still waiting for a partner.
//!
//! Which side to read next: the one that is behind, i.e. whose partner rows are pending in
//! larger number; on a tie, the one whose next row is earlier. Only pending rows that
//! expect a partner today are counted: not statement rows from before the calendar day,
//! nor local rows at the cutoff or of events the statement does not list (a `FAIL`
//! payment). This keeps the pending maps small for two files in roughly the same time
//! order, whatever their densities, and a stray early or late row costs only itself.
//!
//! At the end, what is left is classified by the business day's instants (§10.1): local
//! events at the cutoff are `CUTOFF_PENDING` (or matched against the next day's statement),
//! statement rows from before the calendar day are `CUTOFF_MATCHED`, the rest are missing on
//! one side; leftover refunds of the same order with different amounts are paired first.

use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::io::BufRead;

use hashbrown::HashTable;

use super::read_ahead::{ReadAhead, RowSource};
use super::records::RecordReader;
use super::report::{ReconcileReport, StatementTotals};
use super::row::{BusinessDay, Event, Id, Key, Next, Row, parse_sha256, refuse};
use super::statement::{StatementReader, StatementSource};
use super::{
    Class, Difference, EventKind, MAX_KEPT_ROW_ERRORS, ProgressSnapshot, ReconcileOptions,
    RowError, Source,
};
use crate::api_term::ApiTerm;
use crate::error::{Error, Result};

/// Rows of one side waiting for a partner, by key.
///
/// The rows lie in a slab and the hash table holds only their 4-byte slot numbers, found
/// by each key's hash computed when the row was read ([`Key`]). In a profile of the
/// 10 M-row benchmark on two cores the matcher's thread was the one the others waited for,
/// and a third of its time went to a table of whole rows (about 150 bytes a bucket): an
/// insert or a removal was a cache miss into a table of up to a million buckets. Slots
/// freed are reused first, while they are still in the cache.
#[derive(Default)]
struct Pending {
    /// The slot of the first (oldest) pending row of each key.
    table: HashTable<u32>,
    slab: Vec<Option<Pended>>,
    free: Vec<u32>,
    rows: u64,
}

/// A pending row, and the next pending row of the same key (repeated refunds of the same
/// amount), in the order they came.
struct Pended {
    row: Row,
    next: Option<u32>,
}

impl Pending {
    /// Puts `row` in a free slot. Slot numbers are `u32` (4 bytes a bucket in the table):
    /// more rows than that waiting at once (hundreds of GiB) is refused, not wrapped.
    fn store(&mut self, row: Row) -> Result<u32> {
        let source = row.event.source;
        let pended = Some(Pended { row, next: None });
        if let Some(slot) = self.free.pop() {
            if let Some(free) = self.slab.get_mut(slot as usize) {
                *free = pended;
            }
            return Ok(slot);
        }
        let slot = u32::try_from(self.slab.len())
            .map_err(|_| refuse(source, "more than 2^32 rows wait for a partner at once"))?;
        self.slab.push(pended);
        Ok(slot)
    }

    fn insert(&mut self, row: Row) -> Result<()> {
        let hash = row.key.hash();
        let first = {
            let slab = &self.slab;
            self.table
                .find(hash, |&slot| is_key(slab, slot, &row.key))
                .copied()
        };
        let slot = self.store(row)?;
        self.rows += 1;
        match first {
            None => {
                let slab = &self.slab;
                self.table.insert_unique(hash, slot, |&s| key_hash(slab, s));
            }
            Some(mut last) => {
                while let Some(next) = pended(&self.slab, last).and_then(|p| p.next) {
                    last = next;
                }
                if let Some(p) = pended_mut(&mut self.slab, last) {
                    p.next = Some(slot);
                }
            }
        }
        Ok(())
    }

    /// Takes the pending row of `key` that `best` prefers (else the oldest). One probe of
    /// the table for the usual single row.
    fn take(&mut self, key: &Key, best: impl Fn(&Event) -> bool) -> Option<Row> {
        let Self {
            table,
            slab,
            free,
            rows,
        } = self;
        let Ok(entry) = table.find_entry(key.hash(), |&slot| is_key(slab, slot, key)) else {
            return None;
        };
        let first = *entry.get();
        // The chosen row, and the row before it in the chain.
        let (mut chosen, mut before, mut at, mut previous) = (first, None, Some(first), None);
        while let Some(slot) = at {
            let Some(p) = pended(slab, slot) else {
                break;
            };
            if best(&p.row.event) {
                (chosen, before) = (slot, previous);
                break;
            }
            (previous, at) = (Some(slot), p.next);
        }
        let taken = slab.get_mut(chosen as usize)?.take()?;
        free.push(chosen);
        match before {
            None => match taken.next {
                Some(next) => *entry.into_mut() = next,
                None => {
                    entry.remove();
                }
            },
            Some(before) => {
                if let Some(p) = pended_mut(slab, before) {
                    p.next = taken.next;
                }
            }
        }
        *rows -= 1;
        Some(taken.row)
    }

    /// Every pending row, in input order.
    fn drain(self) -> Vec<Row> {
        let mut rows: Vec<Row> = self.slab.into_iter().flatten().map(|p| p.row).collect();
        rows.sort_by(|a, b| (a.event.line, &a.key).cmp(&(b.event.line, &b.key)));
        rows
    }
}

/// The row in `slot`, if the slot holds one.
fn pended(slab: &[Option<Pended>], slot: u32) -> Option<&Pended> {
    slab.get(slot as usize).and_then(Option::as_ref)
}

fn pended_mut(slab: &mut [Option<Pended>], slot: u32) -> Option<&mut Pended> {
    slab.get_mut(slot as usize).and_then(Option::as_mut)
}

fn is_key(slab: &[Option<Pended>], slot: u32, key: &Key) -> bool {
    pended(slab, slot).is_some_and(|p| p.row.key == *key)
}

fn key_hash(slab: &[Option<Pended>], slot: u32) -> u64 {
    pended(slab, slot).map_or(0, |p| p.row.key.hash())
}

/// The class of two rows of the same event.
fn classify(s: &Row, l: &Row) -> Class {
    let status_differs = match (&s.event.status, &l.event.status) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    };
    if status_differs || !l.event.listed {
        Class::StatusMismatch
    } else if s.event.amount != l.event.amount {
        Class::AmountMismatch
    } else {
        Class::Matched
    }
}

struct Matcher<'a> {
    statement: Pending,
    local: Pending,
    /// Pending statement rows that expect a local partner (see the module docs).
    statement_expecting: u64,
    /// Pending local rows that expect a statement partner.
    local_expecting: u64,
    /// Statement rows before this instant belong to the previous calendar day's records.
    day_start: i64,
    /// Local rows from this instant on may be in the next business day's statement.
    cutoff_start: i64,
    report: ReconcileReport,
    sink: &'a mut dyn FnMut(&Difference),
    stop_on_error: bool,
}

impl Matcher<'_> {
    /// Skips (and reports) malformed rows; `None` at the end.
    fn pull(&mut self, mut next: impl FnMut() -> Result<Next>) -> Result<Option<Row>> {
        loop {
            match next()? {
                Next::Row(row) => return Ok(Some(row)),
                Next::End => return Ok(None),
                Next::Bad(e) => self.row_error(e)?,
            }
        }
    }

    fn row_error(&mut self, e: RowError) -> Result<()> {
        if self.stop_on_error {
            return Err(refuse(e.source, format!("line {}: {}", e.line, e.message)));
        }
        self.report.row_error_count += 1;
        if self.report.row_errors.len() < MAX_KEPT_ROW_ERRORS {
            self.report.row_errors.push(e);
        }
        Ok(())
    }

    fn statement_expects(&self, s: &Row) -> bool {
        s.event.time >= self.day_start
    }

    fn local_expects(&self, l: &Row) -> bool {
        l.event.listed && l.event.time < self.cutoff_start
    }

    fn statement_row(&mut self, s: Row) -> Result<()> {
        match self.local.take(&s.key, |l| is_match(&s.event, l)) {
            Some(l) => {
                if self.local_expects(&l) {
                    self.local_expecting -= 1;
                }
                self.pair(s, l, false)
            }
            None => {
                if self.statement_expects(&s) {
                    self.statement_expecting += 1;
                }
                self.statement.insert(s)?;
                self.track_peak();
                Ok(())
            }
        }
    }

    fn local_row(&mut self, l: Row) -> Result<()> {
        if l.event.listed {
            let b = &mut self.report.balance;
            let total = match l.key.kind {
                EventKind::Pay | EventKind::In | EventKind::Deduction => &mut b.local_in,
                EventKind::Refund | EventKind::Out | EventKind::Payout => &mut b.local_out,
                EventKind::Reverse => return self.match_local(l),
            };
            *total = total
                .checked_add(l.event.amount)
                .ok_or_else(|| Error::AmountInvalid {
                    value: l.event.amount.to_string(),
                    reason: "the local totals overflow 64-bit fen",
                })?;
        }
        self.match_local(l)
    }

    fn match_local(&mut self, l: Row) -> Result<()> {
        match self.statement.take(&l.key, |s| is_match(s, &l.event)) {
            Some(s) => {
                if self.statement_expects(&s) {
                    self.statement_expecting -= 1;
                }
                self.pair(s, l, false)
            }
            None => {
                if self.local_expects(&l) {
                    self.local_expecting += 1;
                }
                self.local.insert(l)?;
                self.track_peak();
                Ok(())
            }
        }
    }

    fn track_peak(&mut self) {
        let pending = self.statement.rows + self.local.rows;
        self.report.peak_pending_rows = self.report.peak_pending_rows.max(pending);
    }

    /// Classifies a pair; a match across days is `CUTOFF_MATCHED`.
    fn pair(&mut self, s: Row, l: Row, across_days: bool) -> Result<()> {
        let class = match classify(&s, &l) {
            Class::Matched if across_days => Class::CutoffMatched,
            c => c,
        };
        self.record(class, Some(&s), Some(&l))
    }

    fn record(&mut self, class: Class, s: Option<&Row>, l: Option<&Row>) -> Result<()> {
        self.report.add(class, s, l)?;
        if class == Class::Matched {
            return Ok(());
        }
        let Some(any) = s.or(l) else {
            return Ok(());
        };
        let trade_no = match s {
            Some(s) => &s.event.trade_no,
            None => &any.event.trade_no,
        };
        (self.sink)(&Difference {
            class,
            order_no: any.key.order_no.as_str().to_owned(),
            trade_no: trade_no.as_str().to_owned(),
            kind: any.key.kind,
            statement: s.map(Row::entry),
            local: l.map(Row::entry),
        });
        Ok(())
    }
}

/// What reading both inputs to their end leaves for the report and the progress callback.
struct ReadBoth {
    totals: StatementTotals,
    statement_rows: u64,
    record_rows: u64,
    bytes: u64,
}

impl Matcher<'_> {
    /// Phase 1: reads both inputs to their end, pairing rows as they come (module docs).
    fn match_both(
        &mut self,
        mut stmt: impl StatementSource,
        mut recs: impl RowSource,
        ticker: &mut Ticker,
        progress: &mut dyn FnMut(&ProgressSnapshot),
    ) -> Result<ReadBoth> {
        let snapshot = |stmt: &dyn RowSource, recs: &dyn RowSource| ProgressSnapshot {
            statement_rows: stmt.rows(),
            record_rows: recs.rows(),
            next_statement_rows: 0,
            bytes_read: stmt.bytes() + recs.bytes(),
        };
        let mut s_next = self.pull(|| stmt.next())?;
        let mut r_next = self.pull(|| recs.next())?;
        loop {
            let take_statement = match (&s_next, &r_next) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(s), Some(r)) => match self.statement_expecting.cmp(&self.local_expecting) {
                    Ordering::Less => true,
                    Ordering::Greater => false,
                    Ordering::Equal => s.event.time <= r.event.time,
                },
            };
            if take_statement {
                if let Some(row) = s_next.take() {
                    self.statement_row(row)?;
                }
                s_next = self.pull(|| stmt.next())?;
            } else {
                if let Some(row) = r_next.take() {
                    self.local_row(row)?;
                }
                r_next = self.pull(|| recs.next())?;
            }
            ticker.tick(|| snapshot(&stmt, &recs), progress);
        }
        let totals = stmt
            .totals()
            .ok_or_else(|| refuse(Source::Statement, "the statement was not read to its end"))?;
        Ok(ReadBoth {
            totals,
            statement_rows: stmt.rows(),
            record_rows: recs.rows(),
            bytes: stmt.bytes() + recs.bytes(),
        })
    }
}

fn is_match(s: &Event, l: &Event) -> bool {
    s.amount == l.amount
        && l.listed
        && (s.status.is_none() || l.status.is_none() || s.status == l.status)
}

/// Calls `progress` when the row count crosses a multiple of `every`.
struct Ticker {
    every: u64,
    bucket: u64,
}

impl Ticker {
    fn tick(
        &mut self,
        snapshot: impl FnOnce() -> ProgressSnapshot,
        progress: &mut dyn FnMut(&ProgressSnapshot),
    ) {
        if self.every == 0 {
            return;
        }
        let s = snapshot();
        let bucket = (s.statement_rows + s.record_rows + s.next_statement_rows) / self.every;
        if bucket != self.bucket {
            self.bucket = bucket;
            progress(&s);
        }
    }
}

pub(crate) fn run<S: BufRead + Send, R: BufRead + Send, N: BufRead>(
    statement: S,
    records: R,
    next_statement: Option<N>,
    options: &ReconcileOptions,
    differences: &mut dyn FnMut(&Difference),
    progress: &mut dyn FnMut(&ProgressSnapshot),
) -> Result<ReconcileReport> {
    let tolerance = options.cutoff_tolerance_secs;
    if tolerance < 0 {
        return Err(Error::option_invalid(
            ApiTerm::CutoffTolerance,
            "must be zero or more seconds",
        ));
    }
    let day = BusinessDay::parse(&options.bill_date)?;
    let expected = options
        .expected_sha256
        .as_deref()
        .map(parse_sha256)
        .transpose()?;
    let stmt = StatementReader::new(
        statement,
        options.kind,
        Source::Statement,
        &day.date,
        expected,
    )?;
    let recs = RecordReader::new(records, &options.records, options.kind)?;
    let mut m = Matcher {
        statement: Pending::default(),
        local: Pending::default(),
        statement_expecting: 0,
        local_expecting: 0,
        day_start: day.calendar_start.saturating_add(tolerance),
        cutoff_start: day.cutoff.saturating_sub(tolerance),
        report: ReconcileReport::new(options.kind, &day.date),
        sink: differences,
        stop_on_error: options.stop_on_error,
    };
    let mut ticker = Ticker {
        every: options.progress_every,
        bucket: 0,
    };

    // 1. Both streams together, parsed here or on two threads of their own.
    let read = if options.read_ahead && cfg!(not(target_family = "wasm")) {
        std::thread::scope(|scope| {
            let stmt = ReadAhead::spawn(scope, stmt, Source::Statement);
            let recs = ReadAhead::spawn(scope, recs, Source::Records);
            m.match_both(stmt, recs, &mut ticker, progress)
        })?
    } else {
        m.match_both(stmt, recs, &mut ticker, progress)?
    };
    m.report.statement = read.totals;
    m.report.balance.statement_in = read.totals.total_in;
    m.report.balance.statement_out = read.totals.total_out;
    m.report.record_rows = read.record_rows;
    let snapshot = |next_rows, next_bytes| ProgressSnapshot {
        statement_rows: read.statement_rows,
        record_rows: read.record_rows,
        next_statement_rows: next_rows,
        bytes_read: read.bytes + next_bytes,
    };

    // 2. What is left: refunds with other amounts, then cutoff and missing rows.
    let (day_start, cutoff_start) = (m.day_start, m.cutoff_start);
    let before_day = |r: &Row| r.event.time < day_start;
    let at_cutoff = |r: &Row| r.event.time >= cutoff_start;
    let statement_left = std::mem::take(&mut m.statement).drain();
    let local_left = std::mem::take(&mut m.local).drain();
    let mut local_left: Vec<Option<Row>> = local_left.into_iter().map(Some).collect();
    let mut refunds: HashMap<(Id, EventKind), VecDeque<usize>> = HashMap::new();
    for (i, l) in local_left.iter().enumerate() {
        if let Some(l) = l
            .as_ref()
            .filter(|l| l.key.kind.is_refund() && !at_cutoff(l))
        {
            let key = (l.key.order_no.clone(), l.key.kind);
            refunds.entry(key).or_default().push_back(i);
        }
    }
    let mut statement_rest = Vec::new();
    for s in statement_left {
        let partner = if s.key.kind.is_refund() && !before_day(&s) {
            refunds
                .get_mut(&(s.key.order_no.clone(), s.key.kind))
                .and_then(VecDeque::pop_front)
                .and_then(|i| local_left.get_mut(i).and_then(Option::take))
        } else {
            None
        };
        match partner {
            Some(l) => m.pair(s, l, false)?,
            None => statement_rest.push(s),
        }
    }
    for s in statement_rest {
        let class = if before_day(&s) {
            Class::CutoffMatched
        } else {
            Class::MissingLocally
        };
        m.record(class, Some(&s), None)?;
    }
    let mut tomorrow = Pending::default();
    for l in local_left.into_iter().flatten() {
        if at_cutoff(&l) {
            if next_statement.is_some() {
                tomorrow.insert(l)?;
            } else if l.event.listed {
                m.record(Class::CutoffPending, None, Some(&l))?;
            } else {
                m.report.unlisted_local_rows += 1;
            }
        } else if l.event.listed {
            m.record(Class::MissingInStatement, None, Some(&l))?;
        } else {
            m.report.unlisted_local_rows += 1;
        }
    }

    // 3. Cutoff events against the next day's statement.
    if let Some(next) = next_statement {
        let mut n = StatementReader::new(
            next,
            options.kind,
            Source::NextStatement,
            &day.next_date,
            None,
        )?;
        while let Some(row) = m.pull(|| n.next())? {
            if let Some(l) = tomorrow.take(&row.key, |l| is_match(&row.event, l)) {
                m.pair(row, l, true)?;
            }
            ticker.tick(|| snapshot(n.rows(), n.bytes()), progress);
        }
        m.report.next_statement = n.totals();
        for l in tomorrow.drain() {
            if l.event.listed {
                m.record(Class::MissingInStatement, None, Some(&l))?;
            } else {
                m.report.unlisted_local_rows += 1;
            }
        }
        progress(&snapshot(n.rows(), n.bytes()));
    } else {
        progress(&snapshot(0, 0));
    }
    Ok(m.report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Amount;
    use crate::reconcile::row::Status;

    fn row(order: &str, kind: EventKind, fen: i64, status: Option<Status>, line: u64) -> Row {
        let amount = Amount::from_fen(fen).unwrap();
        Row {
            key: Key::new(order, kind, amount),
            event: Event {
                trade_no: Id::new(""),
                amount,
                status,
                time: 0,
                line,
                source: Source::Records,
                listed: true,
            },
        }
    }

    #[test]
    fn pending_prefers_the_exact_partner() {
        let mut p = Pending::default();
        let partial = Some(Status::PartiallyRefunded);
        let full = Some(Status::Refunded);
        p.insert(row(
            "M20261120000001",
            EventKind::Refund,
            100,
            partial.clone(),
            1,
        ))
        .unwrap();
        p.insert(row(
            "M20261120000001",
            EventKind::Refund,
            100,
            full.clone(),
            2,
        ))
        .unwrap();
        p.insert(row(
            "M20261120000001",
            EventKind::Refund,
            100,
            partial.clone(),
            3,
        ))
        .unwrap();
        assert_eq!(p.rows, 3);
        let key = Key::new(
            "M20261120000001",
            EventKind::Refund,
            Amount::from_fen(100).unwrap(),
        );
        let taken = p.take(&key, |e| e.status == full).unwrap();
        assert_eq!(taken.event.line, 2);
        let taken = p.take(&key, |_| false).unwrap();
        assert_eq!(taken.event.line, 1, "oldest when none is preferred");
        assert_eq!(p.rows, 1);
        assert_eq!(p.drain().len(), 1);
    }

    /// An operation on the pending rows: insert a row of key `key` (one of a few, so that
    /// keys repeat), or take a row of key `key`, preferring lines divisible by `prefer`.
    #[derive(Debug, Clone)]
    enum Op {
        Insert { key: u8 },
        Take { key: u8, prefer: u64 },
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..4).prop_map(|key| Op::Insert { key }),
            (0u8..4, 1u64..4).prop_map(|(key, prefer)| Op::Take { key, prefer }),
        ]
    }

    proptest::proptest! {
        /// The slab and its chains behave as a list of rows in the order they came: a take
        /// finds the first preferred row of its key, else the first of its key.
        #[test]
        fn pending_is_a_list_in_input_order(ops in proptest::collection::vec(op(), 0..120)) {
            let refund = |key: u8| row("M20261120000001", EventKind::Refund, 100 + i64::from(key % 2), None, 0).key;
            let key_of = |key: u8| if key < 2 { refund(key) } else {
                row(&format!("M2026112000000{key}"), EventKind::Pay, 100, None, 0).key
            };
            let mut pending = Pending::default();
            let mut model: Vec<Row> = Vec::new();
            for (line, op) in (1u64..).zip(ops) {
                match op {
                    Op::Insert { key } => {
                        let mut r = row("M20261120000001", EventKind::Pay, 100, None, line);
                        r.key = key_of(key);
                        model.push(r.clone());
                        pending.insert(r).unwrap();
                    }
                    Op::Take { key, prefer } => {
                        let key = key_of(key);
                        let best = |e: &Event| e.line.is_multiple_of(prefer);
                        let positions: Vec<usize> = model
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.key == key)
                            .map(|(i, _)| i)
                            .collect();
                        let chosen = positions
                            .iter()
                            .copied()
                            .find(|&i| best(&model[i].event))
                            .or(positions.first().copied());
                        let expected = chosen.map(|i| model.remove(i));
                        let taken = pending.take(&key, best);
                        proptest::prop_assert_eq!(taken.map(|r| r.event.line), expected.map(|r| r.event.line));
                    }
                }
                proptest::prop_assert_eq!(pending.rows, model.len() as u64);
            }
            let left: Vec<u64> = pending.drain().iter().map(|r| r.event.line).collect();
            proptest::prop_assert_eq!(left, model.iter().map(|r| r.event.line).collect::<Vec<_>>());
        }
    }

    #[test]
    fn classification() {
        let s = row(
            "M20261120000001",
            EventKind::Pay,
            100,
            Some(Status::Success),
            1,
        );
        let mut l = s.clone();
        assert_eq!(classify(&s, &l), Class::Matched);
        l.event.amount = Amount::from_fen(99).unwrap();
        assert_eq!(classify(&s, &l), Class::AmountMismatch);
        l.event.status = Some(Status::Other("FAIL".into()));
        l.event.listed = false;
        assert_eq!(classify(&s, &l), Class::StatusMismatch);
        // Fund rows carry no status: an unlisted local row is still a status mismatch.
        let mut s = s;
        s.event.status = None;
        assert_eq!(classify(&s, &l), Class::StatusMismatch);
    }
}
