//! The one pool that runs slow hashes: argon2id for user passwords, PBKDF2 for
//! client secrets. Jobs run on tokio's blocking threads behind a process-wide
//! semaphore, so that hashing never stalls the async workers (which keep serving
//! the JWK Set, discovery and every request that needs no hash), and so that a
//! flood of wrong passwords or secrets queues for a few cores instead of taking
//! all of them. Beyond [`MAX_WAITING`] queued jobs, callers get
//! [`IssuerError::Busy`] at once.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use crate::IssuerError;

/// Hash jobs allowed to wait for a slot; beyond, callers are told "busy".
pub(crate) const MAX_WAITING: usize = 256;

struct Pool {
    slots: Semaphore,
    waiting: AtomicUsize,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| Pool {
    slots: Semaphore::new(slots()),
    waiting: AtomicUsize::new(0),
});

/// Hashes running at once: half the cores (at least 1, at most 8), so the other
/// half stays free for everything else.
pub(crate) fn slots() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (cores / 2).clamp(1, 8)
}

/// Runs `job` on the blocking pool once a slot is free.
pub(crate) async fn run<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, IssuerError> {
    struct Waiting;
    impl Drop for Waiting {
        fn drop(&mut self) {
            POOL.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let before = POOL.waiting.fetch_add(1, Ordering::Relaxed);
    let waiting = Waiting;
    if before >= MAX_WAITING {
        return Err(IssuerError::Busy);
    }
    // The semaphore is never closed, so acquiring only waits.
    let _slot = POOL.slots.acquire().await.map_err(|_| IssuerError::Busy)?;
    drop(waiting);
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|_| IssuerError::Busy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_off_the_runtime() {
        let here = std::thread::current().id();
        let there = run(|| std::thread::current().id()).await.unwrap();
        assert_ne!(here, there);
        assert!((1..=8).contains(&slots()));
    }
}
