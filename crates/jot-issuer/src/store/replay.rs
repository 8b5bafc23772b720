//! [`StoreReplayCache`]: the DPoP replay cache of an issuer, in its store, so that
//! every instance sharing the store refuses a proof another one accepted.

use std::sync::Arc;

use jot_axum::{ReplayCache, ReplayCacheError, ReplayFuture};
use jot_codec::NumericDate;

use super::IssuerStore;

/// A [`ReplayCache`] over an [`IssuerStore`] ([`IssuerStore::use_once`]): what
/// the issuer uses for the DPoP proofs of its token and userinfo endpoints unless
/// [`IssuerBuilder::dpop`](crate::IssuerBuilder::dpop) is given a [`Dpop`](jot_axum::Dpop)
/// with a cache of its own.
///
/// ```
/// use std::sync::Arc;
/// use jot_axum::{Dpop, HmacNonces};
/// use jot_issuer::store::{IssuerStore, MemoryStore, StoreReplayCache};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store: Arc<dyn IssuerStore> = Arc::new(MemoryStore::new());
/// let dpop = Dpop::new()
///     .nonces(HmacNonces::random()?)
///     .replay_cache(StoreReplayCache::new(store.clone()));
/// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
///     .shared_store(store)
///     .dpop(dpop)
///     .build()
///     .await?;
/// # let _ = issuer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct StoreReplayCache {
    store: Arc<dyn IssuerStore>,
}

impl StoreReplayCache {
    /// Records proofs in `store`.
    pub fn new(store: Arc<dyn IssuerStore>) -> StoreReplayCache {
        StoreReplayCache { store }
    }
}

impl ReplayCache for StoreReplayCache {
    fn first_use(&self, jti: &[u8; 32], until: NumericDate, now: NumericDate) -> ReplayFuture<'_> {
        let id = format!("dpop:{}", jot_codec::base64url::encode(jti));
        Box::pin(async move {
            self.store
                .use_once(&id, until.seconds(), now.seconds())
                .await
                .map_err(|e| ReplayCacheError::Store(Box::new(e)))
        })
    }
}

impl std::fmt::Debug for StoreReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreReplayCache").finish_non_exhaustive()
    }
}
