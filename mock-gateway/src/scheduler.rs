//! The gateway's scheduled work: channel polls (of orders, deductions and payouts), queued
//! payouts' next routing, repayment plans' debit runs and notification attempts run in time order when they fall due on the
//! gateway clock (the background loop, `POST /admin/clock`
//! and deterministic tests all come here). It sits above the state, the orders and the
//! notifications, which do not import it.

use crate::deductions;
use crate::deductions::store as deduction_q;
use crate::error::ApiError;
use crate::notifications;
use crate::orders;
use crate::orders::store as order_q;
use crate::payouts;
use crate::payouts::store as payout_q;
use crate::plans;
use crate::plans::store as plan_q;
use crate::state::{AppState, REPLAY_RETENTION_SECS};
use crate::store::meta;

impl AppState {
    /// Moves the clock forward, then runs everything that became due; returns the
    /// number of jobs run.
    pub async fn advance_clock(&self, secs: u64) -> Result<usize, ApiError> {
        self.clock()
            .advance(secs)
            .map_err(|e| ApiError::field_invalid("advance_secs", e))?;
        self.persist_clock()?;
        self.run_due().await
    }

    /// Sets the clock (not backwards), then runs everything that became due.
    pub async fn set_clock(&self, unix: i64) -> Result<usize, ApiError> {
        self.clock()
            .set(unix)
            .map_err(|e| ApiError::field_invalid("set", e))?;
        self.persist_clock()?;
        self.run_due().await
    }

    /// Runs, in time order, every channel poll and notification attempt due at the
    /// gateway clock, until nothing is due; returns the number of jobs run.
    ///
    /// Deterministic tests call this (or `POST /admin/clock`) instead of waiting for the
    /// background scheduler. Only one run happens at a time.
    pub async fn run_due(&self) -> Result<usize, ApiError> {
        let _only_one = self.run_lock().lock().await;
        let mut jobs = 0;
        loop {
            let now = self.now();
            let timing = self.timing();
            let mut progressed = false;
            while let Some((trade_no, due_at)) =
                self.store().read(|c| Ok(order_q::next_due_poll(c, now)?))?
            {
                orders::poll(self.store(), &timing, &trade_no, due_at)?;
                jobs += 1;
                progressed = true;
            }
            while let Some((deduction_no, due_at)) = self
                .store()
                .read(|c| Ok(deduction_q::next_due_poll(c, now)?))?
            {
                deductions::poll(self.store(), &timing, &deduction_no, due_at)?;
                jobs += 1;
                progressed = true;
            }
            while let Some((plan_no, run_at)) =
                self.store().read(|c| Ok(plan_q::next_due_run(c, now)?))?
            {
                plans::run(self.store(), &timing, &plan_no, run_at)?;
                jobs += 1;
                progressed = true;
            }
            while let Some((payout_no, due_at, kind)) =
                self.store().read(|c| Ok(payout_q::next_due(c, now)?))?
            {
                payouts::run_due(self.store(), &timing, &payout_no, due_at, kind)?;
                jobs += 1;
                progressed = true;
            }
            let sent = notifications::deliver_due(self, now).await?;
            if sent > 0 {
                jobs += sent;
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
        let since = self.now() - REPLAY_RETENTION_SECS;
        self.store()
            .write(|tx| Ok(meta::purge_nonces(tx, since)?))?;
        Ok(jobs)
    }
}
