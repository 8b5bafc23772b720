//! The documents (and failures) fetched lately, in memory, with a cap on
//! entries: when full, the expired entries go, then those expiring soonest.

use std::collections::HashMap;
use std::sync::Mutex;

use super::ClientMetadataError;
use crate::store::ClientRecord;

/// How long a failed fetch is remembered, in seconds: a broken document is not
/// fetched again for every request, and a fixed one is seen soon.
pub(crate) const FAILURE_TTL: u64 = 10;

type Outcome = Result<ClientRecord, ClientMetadataError>;

pub(crate) struct Cache {
    entries: Mutex<HashMap<String, (Outcome, u64)>>,
    max_entries: usize,
}

impl Cache {
    pub(crate) fn new(max_entries: usize) -> Cache {
        Cache {
            entries: Mutex::new(HashMap::new()),
            max_entries,
        }
    }

    /// The outcome cached for `url`, unless it expired by `now`.
    pub(crate) fn get(&self, url: &str, now: u64) -> Option<Outcome> {
        let entries = self.lock();
        entries
            .get(url)
            .filter(|(_, expires)| *expires > now)
            .map(|(outcome, _)| outcome.clone())
    }

    /// Keeps `outcome` for `url` until `expires`.
    pub(crate) fn put(&self, url: &str, outcome: Outcome, expires: u64, now: u64) {
        let mut entries = self.lock();
        if entries.len() >= self.max_entries && !entries.contains_key(url) {
            entries.retain(|_, (_, e)| *e > now);
            while entries.len() >= self.max_entries {
                let soonest = entries
                    .iter()
                    .min_by_key(|(_, (_, e))| *e)
                    .map(|(k, _)| k.clone());
                match soonest {
                    Some(key) => entries.remove(&key),
                    None => break,
                };
            }
        }
        entries.insert(url.to_owned(), (outcome, expires));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Outcome, u64)>> {
        // A map of finished outcomes: a panic cannot leave it half-written.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> Outcome {
        Err(ClientMetadataError::NotJson)
    }

    #[test]
    fn entries_expire_and_are_capped() {
        let cache = Cache::new(2);
        cache.put("a", failure(), 100, 0);
        assert!(cache.get("a", 99).is_some());
        assert!(cache.get("a", 100).is_none());
        cache.put("b", failure(), 50, 0);
        cache.put("c", failure(), 70, 0);
        // Full: "b", expiring soonest, made room.
        assert!(cache.get("b", 0).is_none());
        assert!(cache.get("a", 0).is_some() && cache.get("c", 0).is_some());
        assert_eq!(cache.lock().len(), 2);
    }
}
