//! [`Slots`]: the connection cap — one permit per open connection, the open
//! connections' [`Tracker`]s, and the choice of which one to close when a new
//! connection needs room.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::tracker::Tracker;

/// At most one warning about the cap per this long.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// The open connections, at most `capacity` of them.
#[derive(Debug)]
pub(crate) struct Slots {
    semaphore: Arc<Semaphore>,
    capacity: u32,
    epoch: Instant,
    open: Mutex<HashMap<u64, Arc<Tracker>>>,
    next_id: AtomicU64,
    warnings: Warnings,
}

/// One open connection's place: its permit and its entry among the open ones,
/// both given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<Slots>,
    id: u64,
    tracker: Arc<Tracker>,
    _permit: OwnedSemaphorePermit,
}

/// Counts of what the cap did since the last warning.
#[derive(Debug, Default)]
struct Warnings {
    last: Mutex<Option<Instant>>,
    evicted: AtomicU64,
    refused: AtomicU64,
}

impl Slots {
    /// Room for `capacity` connections (at least one).
    pub(crate) fn new(capacity: usize) -> Arc<Slots> {
        let capacity = u32::try_from(capacity.max(1)).unwrap_or(u32::MAX);
        Arc::new(Slots {
            semaphore: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            epoch: Instant::now(),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            warnings: Warnings::default(),
        })
    }

    /// A place for a new connection, if one is free now.
    pub(crate) fn try_take(self: &Arc<Self>) -> Option<Slot> {
        let permit = Arc::clone(&self.semaphore).try_acquire_owned().ok()?;
        Some(self.register(permit))
    }

    /// A place for a new connection, waiting at most `wait` for one.
    pub(crate) async fn take_within(self: &Arc<Self>, wait: Duration) -> Option<Slot> {
        let permit = tokio::time::timeout(wait, Arc::clone(&self.semaphore).acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some(self.register(permit))
    }

    /// Asks the open connection that has waited longest for a request (none in
    /// progress) to close, to make room; `false` when every connection is in a
    /// request.
    pub(crate) fn evict_longest_waiting(&self) -> bool {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mut candidates: Vec<&Arc<Tracker>> = open
            .values()
            .filter(|t| !t.is_active() && !t.is_evicted())
            .collect();
        // Longest waiting first; on a tie, a kept-alive connection before a new
        // one (which may be sending its first request right now).
        candidates.sort_by_key(|t| (t.waiting_since(), !t.has_served()));
        // The first that takes the request: another caller may have asked it first.
        let evicted = candidates.into_iter().any(|t| t.evict());
        drop(open);
        if evicted {
            self.warnings.evicted.fetch_add(1, Ordering::Relaxed);
            self.warn(false);
        }
        evicted
    }

    /// Notes a connection refused for want of room.
    pub(crate) fn refused(&self) {
        self.warnings.refused.fetch_add(1, Ordering::Relaxed);
        self.warn(false);
    }

    /// Notes that the process ran out of file descriptors.
    pub(crate) fn out_of_descriptors(&self) {
        self.warn(true);
    }

    /// Waits until every connection closed, at most `wait`; `false` when some
    /// were still open.
    pub(crate) async fn drained(&self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.semaphore.acquire_many(self.capacity))
            .await
            .is_ok()
    }

    fn register(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracker = Arc::new(Tracker::new(self.epoch));
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::clone(&tracker));
        Slot {
            slots: Arc::clone(self),
            id,
            tracker,
            _permit: permit,
        }
    }

    /// Logs what the cap did, at most once per [`WARN_EVERY`].
    fn warn(&self, descriptors: bool) {
        let now = Instant::now();
        let mut last = self.warnings.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|at| now.duration_since(at) < WARN_EVERY) {
            return;
        }
        *last = Some(now);
        let evicted = self.warnings.evicted.swap(0, Ordering::Relaxed);
        let refused = self.warnings.refused.swap(0, Ordering::Relaxed);
        if descriptors {
            tracing::warn!(
                target: "jot::serve",
                max_connections = self.capacity,
                "out of file descriptors: closing the connection that waited longest \
                 (lower --max-connections or raise the limit, ulimit -n)"
            );
        } else {
            tracing::warn!(
                target: "jot::serve",
                max_connections = self.capacity,
                evicted,
                refused,
                "connection limit reached: waiting connections closed to make room, \
                 new ones refused with 503 when every connection is in a request"
            );
        }
    }
}

impl Slot {
    /// The connection's tracker.
    pub(crate) fn tracker(&self) -> &Arc<Tracker> {
        &self.tracker
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_connection_waiting_longest_and_in_no_request_makes_room() {
        let slots = Slots::new(3);
        let busy = slots.try_take().unwrap();
        let _request = busy.tracker().begin_request();
        let oldest = slots.try_take().unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let newer = slots.try_take().unwrap();
        assert!(slots.try_take().is_none(), "full");

        assert!(slots.evict_longest_waiting());
        assert!(oldest.tracker().is_evicted());
        assert!(!busy.tracker().is_evicted() && !newer.tracker().is_evicted());
        assert!(slots.evict_longest_waiting());
        assert!(newer.tracker().is_evicted());
        assert!(
            !slots.evict_longest_waiting(),
            "the busy one stays, and nobody is asked twice"
        );

        // A closed connection gives its place back.
        drop(oldest);
        assert!(slots.take_within(Duration::from_secs(1)).await.is_some());
        assert!(!slots.drained(Duration::from_millis(10)).await);
        drop((busy, newer));
        assert!(slots.drained(Duration::from_secs(1)).await);
    }
}
