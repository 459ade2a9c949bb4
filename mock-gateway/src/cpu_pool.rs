//! [`CpuPool`]: where the gateway's CPU-bound work runs — the signed API's pipeline
//! (RSA/SM2 verification, the database transactions, signing the response) and the
//! signing of notifications — off the async workers, at most one job per core at a time.
//!
//! An RSA2 signature takes about 0.35 ms. Run on an async worker it holds up every
//! connection queued behind it (reading request heads, writing responses, delivering
//! notifications); on a pool the size of the machine, the workers stay free for I/O and
//! the jobs wait their turn in order, without more threads than cores competing for them.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Runs closures on tokio's blocking threads, no more of them at once than cores.
#[derive(Debug, Clone)]
pub(crate) struct CpuPool {
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// A pool as wide as the machine (`available_parallelism`, 1 if unknown).
    pub(crate) fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Runs `job` once a core is free and returns its result. A panic in `job` is
    /// resumed in the caller, so the API's panic guard still answers it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        // The semaphore is never closed, so acquiring fails only if it were.
        let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
            unreachable!("the CPU pool's semaphore is never closed")
        };
        let joined = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await;
        match joined {
            Ok(value) => value,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels a blocking task; so does this caller.
            Err(e) => panic!("CPU pool job cancelled: {e}"),
        }
    }
}
