//! Client ID Metadata Documents (the IETF draft "OAuth Client ID Metadata
//! Document", which the MCP authorization specification adopts): a `client_id`
//! that is an `https` URL names the client's metadata, a JSON document the issuer
//! fetches from that URL, instead of a client registered beforehand.
//!
//! Off by default; [`IssuerBuilder::client_id_metadata_documents`](crate::IssuerBuilder::client_id_metadata_documents)
//! turns it on. Such a client is always public (PKCE, no secret) and uses the
//! redirect URIs its document lists, nothing else. The fetch is guarded against
//! server-side request forgery: `https` only, the host's addresses vetted (no
//! private, loopback, link-local, multicast, documentation or other special
//! addresses; the connection goes to a vetted address only), no redirects, a
//! 5-second limit and a 5 KiB body. Documents are cached as their
//! `Cache-Control` says (between one minute and one day); failures for 10
//! seconds.

use std::sync::Arc;
use std::time::Duration;

use crate::store::{ClientRecord, StoreError};
use crate::{Issuer, IssuerError, OAuthError};

mod address;
mod cache;
mod document;
mod fetch;
mod url;

pub(crate) use url::is_url_client_id;

/// The largest client metadata document read, in bytes (the draft's 5 KiB).
pub const MAX_CLIENT_METADATA_BYTES: usize = 5 * 1024;

/// How Client ID Metadata Documents are resolved: the setting of
/// [`IssuerBuilder::client_id_metadata_documents`](crate::IssuerBuilder::client_id_metadata_documents).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use jot_issuer::{ClientMetadataDocuments, Issuer, Login};
///
/// let issuer = Issuer::builder("https://auth.example.com")
///     .login(Login::new())
///     .client_id_metadata_documents(ClientMetadataDocuments::new().scopes(["mcp:tools"]))
///     .build()
///     .await?;
/// # let _ = issuer;
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientMetadataDocuments {
    allow_loopback: bool,
    scopes: Vec<String>,
    timeout: Duration,
    max_entries: usize,
}

impl Default for ClientMetadataDocuments {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientMetadataDocuments {
    /// The defaults: `https` to public addresses only, a 5-second limit, at most
    /// 1 000 documents cached, and the OpenID Connect scopes (`openid`,
    /// `profile`, `email`, `offline_access`) for such clients.
    pub fn new() -> Self {
        ClientMetadataDocuments {
            allow_loopback: false,
            scopes: Vec::new(),
            timeout: Duration::from_secs(5),
            max_entries: 1_000,
        }
    }

    /// For development and tests: documents may also be served from this machine
    /// (a loopback address, `localhost`), and there over plain `http` (a
    /// `client_id` such as `http://127.0.0.1:8000/client.json`). Never in
    /// production: anyone could make the issuer fetch from its own host.
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// Scopes such clients may ask for besides the OpenID Connect ones (an API's
    /// `mcp:tools`, say). A document's own `scope` narrows the list further.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The limit of one fetch, connection included (default 5 s; at least 100 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(100));
        self
    }

    /// The most documents (and failures) kept in memory (default 1 000; at least 1).
    pub fn max_cached(mut self, entries: usize) -> Self {
        self.max_entries = entries.max(1);
        self
    }
}

/// Why a client metadata document was not used.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientMetadataError {
    /// The `client_id` is not a URL a document may be fetched from.
    #[error("the client_id is not a usable metadata URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The host has no address the issuer may connect to (private, loopback,
    /// link-local, … only).
    #[error("the client metadata host resolves to no public address")]
    RefusedAddress,
    /// The document could not be fetched (DNS, connection, TLS).
    #[error("the client metadata document could not be fetched")]
    Fetch(#[source] Arc<reqwest::Error>),
    /// The fetch took longer than the limit.
    #[error("fetching the client metadata document timed out")]
    Timeout,
    /// The server did not answer `200 OK` (redirects are not followed).
    #[error("the client metadata URL answered HTTP {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The answer's `Content-Type` is not JSON.
    #[error("the client metadata document is not served as JSON")]
    NotJson,
    /// The document is larger than [`MAX_CLIENT_METADATA_BYTES`].
    #[error("the client metadata document is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The document breaks a rule of the draft.
    #[error("the client metadata document is invalid: {reason}")]
    Invalid {
        /// Which rule.
        reason: &'static str,
    },
    /// The document's `client_id` is not the URL it was fetched from.
    #[error("the client metadata document's client_id differs from its URL")]
    ClientIdMismatch,
    /// The document describes a confidential client (`client_secret`, or a
    /// `token_endpoint_auth_method` other than `none`).
    #[error(
        "a client metadata document describes public clients only (token_endpoint_auth_method none, no client_secret)"
    )]
    Confidential,
    /// Too many fetches at once.
    #[error("too many client metadata fetches at once")]
    Busy,
}

/// Why [`Issuer::client`] found no usable client.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientLookupError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The client's metadata document could not be used.
    #[error(transparent)]
    Document(#[from] ClientMetadataError),
}

impl Issuer {
    /// The client with this id, wherever it is defined: the store, or, with
    /// Client ID Metadata Documents on and an `https` id, its document. `None`
    /// when there is no such client.
    pub(crate) async fn client(&self, id: &str) -> Result<Option<ClientRecord>, ClientLookupError> {
        match &self.inner.client_metadata {
            Some(resolver) if is_url_client_id(id) => resolver
                .resolve(id, self.now())
                .await
                .map(Some)
                .map_err(Into::into),
            _ => Ok(self.inner.store.get_client(id).await?),
        }
    }

    /// Whether Client ID Metadata Documents are resolved.
    pub(crate) fn client_metadata_enabled(&self) -> bool {
        self.inner.client_metadata.is_some()
    }
}

/// Resolves Client ID Metadata Documents: the settings, the HTTP client, the cache.
pub(crate) struct Resolver {
    settings: ClientMetadataDocuments,
    http: reqwest::Client,
    cache: cache::Cache,
    /// Bounds the fetches running at once.
    fetches: tokio::sync::Semaphore,
    /// The fetch under way for each URL.
    in_flight: std::sync::Mutex<InFlight>,
}

/// The fetches under way, by URL.
type InFlight = std::collections::HashMap<
    String,
    Arc<tokio::sync::OnceCell<Result<ClientRecord, ClientMetadataError>>>,
>;

/// The most fetches running at once.
const MAX_CONCURRENT_FETCHES: usize = 16;

impl Resolver {
    pub(crate) fn new(settings: ClientMetadataDocuments) -> Result<Resolver, IssuerError> {
        let http = fetch::client(settings.timeout, settings.allow_loopback)?;
        Ok(Resolver {
            cache: cache::Cache::new(settings.max_entries),
            settings,
            http,
            fetches: tokio::sync::Semaphore::new(MAX_CONCURRENT_FETCHES),
            in_flight: std::sync::Mutex::new(InFlight::new()),
        })
    }

    /// The client a document URL names, from the cache or fetched now; callers
    /// asking for the same URL meanwhile wait for the same fetch (single flight).
    async fn resolve(&self, id: &str, now: u64) -> Result<ClientRecord, ClientMetadataError> {
        if let Some(cached) = self.cache.get(id, now) {
            return cached;
        }
        let flight = Arc::clone(
            self.lock_in_flight()
                .entry(id.to_owned())
                .or_insert_with(|| Arc::new(tokio::sync::OnceCell::new())),
        );
        let result = flight
            .get_or_init(|| self.fetch_and_remember(id, now))
            .await
            .clone();
        let mut in_flight = self.lock_in_flight();
        if in_flight.get(id).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            in_flight.remove(id);
        }
        result
    }

    /// Fetches and checks a document, logs the outcome and caches it.
    async fn fetch_and_remember(
        &self,
        id: &str,
        now: u64,
    ) -> Result<ClientRecord, ClientMetadataError> {
        let result = self.fetch_and_check(id, now).await;
        let ttl = match &result {
            Ok((_, ttl)) => *ttl,
            Err(ClientMetadataError::Busy) => None,
            Err(_) => Some(cache::FAILURE_TTL),
        };
        let result = result.map(|(record, _)| record);
        match &result {
            Ok(_) => {
                tracing::info!(target: "jot_issuer", client_id = %id, "client metadata document fetched")
            }
            Err(error) => {
                tracing::info!(target: "jot_issuer", client_id = %crate::untrusted::untrusted(id), %error, "client metadata document refused")
            }
        }
        if let Some(ttl) = ttl {
            self.cache
                .put(id, result.clone(), now.saturating_add(ttl), now);
        }
        result
    }

    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, InFlight> {
        // A map of cells: a panic cannot leave it half-written.
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch_and_check(
        &self,
        id: &str,
        now: u64,
    ) -> Result<(ClientRecord, Option<u64>), ClientMetadataError> {
        let url = url::check(id, self.settings.allow_loopback)?;
        let _permit = self
            .fetches
            .try_acquire()
            .map_err(|_| ClientMetadataError::Busy)?;
        let fetched = fetch::get(&self.http, url, self.settings.timeout).await?;
        let record = document::client_record(id, &fetched.body, &self.settings.scopes, now)?;
        Ok((record, fetched.ttl))
    }
}

impl From<ClientLookupError> for OAuthError {
    /// A document that cannot be used is `invalid_client`.
    fn from(e: ClientLookupError) -> Self {
        match e {
            ClientLookupError::Store(e) => e.into(),
            ClientLookupError::Document(_) => OAuthError::invalid_client(),
        }
    }
}
