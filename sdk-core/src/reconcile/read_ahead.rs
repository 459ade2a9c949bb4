//! Reading ahead on threads (with [`ReconcileOptions::read_ahead`](super::ReconcileOptions::read_ahead)):
//! the statement and the records are each parsed, checked (and the statement hashed) on a
//! thread of their own while the matcher works, and handed over in batches through a
//! bounded channel.
//!
//! The matcher sees the same rows in the same order as without threads, so every class,
//! check and error is the same; only where the parsing runs changes. Memory grows by at most
//! [`BATCHES_AHEAD`] + 2 batches of [`BATCH_ROWS`] rows per input (about 5 MiB). A profile of
//! the 1 M-row benchmark on one core puts about 70 % of the time in reading, parsing, hashing
//! and checking the two files and 30 % in the match, which is why two reading threads (not a
//! parallel match) are what a second core buys.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::Scope;

use super::Source;
use super::row::{Next, refuse};
use crate::error::{Error, Result};

/// Rows per batch: large enough that the channel costs nothing per row.
const BATCH_ROWS: usize = 1024;
/// Full batches waiting in the channel before the reading thread blocks. With three threads
/// on two cores a reader that is scheduled should run well ahead, rather than block and wait
/// to be woken each batch: 32 took 16 % off two-core runs against 2 (1 M rows 0.56 → 0.47 s,
/// 10 M rows 6.3 → 5.4 s, same files, same hour) for about 5 MiB of rows per input; 128 was
/// no faster.
const BATCHES_AHEAD: usize = 32;

/// A stream of rows: a statement or records reader, read here or on a thread.
pub(crate) trait RowSource {
    /// The next row (`Next::End` at the end, after the input's checks).
    fn next(&mut self) -> Result<Next>;
    /// Data rows read so far (well-formed or not).
    fn rows(&self) -> u64;
    /// Bytes read so far.
    fn bytes(&self) -> u64;
}

enum Message<T> {
    Rows {
        rows: Vec<Next>,
        read: u64,
        bytes: u64,
    },
    Failed(Error),
    /// The reader, read to its end (a statement's totals are asked of it).
    Done(T),
}

/// A reader running on a scoped thread; `next` hands over its rows in order.
pub(crate) struct ReadAhead<T> {
    receiver: Receiver<Message<T>>,
    batch: std::vec::IntoIter<Next>,
    rows: u64,
    bytes: u64,
    source: Source,
    done: Option<T>,
}

impl<'scope, T: RowSource + Send + 'scope> ReadAhead<T> {
    /// Moves `reader` to a new thread of `scope`. The thread stops at the end of the input,
    /// at its first error, or when this side is dropped.
    pub(crate) fn spawn<'env>(
        scope: &'scope Scope<'scope, 'env>,
        reader: T,
        source: Source,
    ) -> Self {
        let (sender, receiver) = sync_channel(BATCHES_AHEAD);
        scope.spawn(move || read(reader, &sender));
        Self {
            receiver,
            batch: Vec::new().into_iter(),
            rows: 0,
            bytes: 0,
            source,
            done: None,
        }
    }
}

impl<T> ReadAhead<T> {
    /// The reader, once it has been read to its end.
    pub(crate) fn finished(&self) -> Option<&T> {
        self.done.as_ref()
    }
}

fn read<T: RowSource>(mut reader: T, sender: &SyncSender<Message<T>>) {
    loop {
        let mut rows = Vec::with_capacity(BATCH_ROWS);
        let end = loop {
            match reader.next() {
                Ok(Next::End) => break Some(Ok(())),
                Ok(next) => {
                    rows.push(next);
                    if rows.len() == BATCH_ROWS {
                        break None;
                    }
                }
                Err(e) => break Some(Err(e)),
            }
        };
        let batch = Message::Rows {
            rows,
            read: reader.rows(),
            bytes: reader.bytes(),
        };
        // A failed send means the matcher stopped (an error on the other input): so do we.
        if sender.send(batch).is_err() {
            return;
        }
        match end {
            None => {}
            Some(Ok(())) => {
                let _ = sender.send(Message::Done(reader));
                return;
            }
            Some(Err(e)) => {
                let _ = sender.send(Message::Failed(e));
                return;
            }
        }
    }
}

impl<T> RowSource for ReadAhead<T> {
    fn next(&mut self) -> Result<Next> {
        loop {
            if let Some(next) = self.batch.next() {
                return Ok(next);
            }
            if self.done.is_some() {
                return Ok(Next::End);
            }
            match self.receiver.recv() {
                Ok(Message::Rows { rows, read, bytes }) => {
                    self.batch = rows.into_iter();
                    self.rows = read;
                    self.bytes = bytes;
                }
                Ok(Message::Done(reader)) => self.done = Some(reader),
                Ok(Message::Failed(e)) => return Err(e),
                // Only after `Failed`, or if the thread panicked (the scope re-raises that).
                Err(_) => return Err(refuse(self.source, "the reading thread stopped")),
            }
        }
    }

    fn rows(&self) -> u64 {
        self.rows
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }
}
