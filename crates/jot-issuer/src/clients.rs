//! Registered clients: [`NewClient`], [`ClientCredentials`], registration.

use std::fmt;

use crate::store::ClientRecord;
use crate::{Issuer, IssuerError, hash_pool, redirect, request, secret};

/// The longest client id, in bytes: registering a longer one is an
/// [`IssuerError::InvalidClient`], and a request naming a longer one is answered
/// `401 invalid_client` without a store lookup.
pub const MAX_CLIENT_ID_LEN: usize = 256;

/// A client to register with [`Issuer::register_client`].
#[derive(Clone)]
#[must_use]
pub struct NewClient {
    id: String,
    secret: Option<String>,
    scopes: Vec<String>,
    audience: Vec<String>,
    name: Option<String>,
    public: bool,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    first_party: bool,
    introspect: bool,
    token_exchange: bool,
}

/// A client's id and secret, as registered.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientCredentials {
    /// The `client_id`.
    pub client_id: String,
    /// The `client_secret`. Only its hash is stored: keep it or lose it. Empty for
    /// a public client, which has none.
    pub client_secret: String,
    /// The scopes the client may ask for.
    pub scopes: Vec<String>,
}

impl Issuer {
    /// Registers (or replaces) a client. Without [`NewClient::secret`], a random
    /// 256-bit secret is generated (none for a [public](NewClient::public) client).
    /// Only the secret's hash is stored.
    pub async fn register_client(
        &self,
        client: NewClient,
    ) -> Result<ClientCredentials, IssuerError> {
        self.check_client(&client)?;
        let NewClient {
            id,
            secret: given,
            scopes,
            audience,
            name,
            public,
            redirect_uris,
            post_logout_redirect_uris,
            first_party,
            introspect,
            token_exchange,
        } = client;
        let client_secret = match (given, public) {
            (_, true) => String::new(),
            (Some(s), false) => s,
            (None, false) => secret::random_token(32)?,
        };
        let secret_hash = if public {
            String::new()
        } else {
            let (secret, iterations) = (client_secret.clone(), self.inner.secret_iterations);
            hash_pool::run(move || secret::hash_secret_with(&secret, iterations)).await??
        };
        let record = ClientRecord {
            client_id: id.clone(),
            secret_hash,
            scopes: scopes.clone(),
            audience,
            created_at: self.now(),
            name,
            public,
            redirect_uris,
            post_logout_redirect_uris,
            first_party,
            introspect,
            token_exchange,
        };
        self.inner.store.put_client(record).await?;
        tracing::info!(target: "jot_issuer", client_id = %id, "client registered");
        Ok(ClientCredentials {
            client_id: id,
            client_secret,
            scopes,
        })
    }

    /// Registers a client with this exact secret (or as a public client) unless it
    /// is already stored with the same secret and settings (so a configured client
    /// is not re-hashed at every start). Returns whether the store changed. A
    /// secret stored as a hash of an earlier format (PBKDF2, `pbkdf2-sha256$…`) is
    /// hashed again in the current one (argon2id).
    pub async fn ensure_client(&self, client: NewClient) -> Result<bool, IssuerError> {
        if let Some(stored) = self.inner.store.get_client(&client.id).await? {
            let same_settings = stored.scopes == client.scopes
                && stored.audience == client.audience
                && stored.name == client.name
                && stored.public == client.public
                && stored.redirect_uris == client.redirect_uris
                && stored.post_logout_redirect_uris == client.post_logout_redirect_uris
                && stored.first_party == client.first_party
                && stored.introspect == client.introspect
                && stored.token_exchange == client.token_exchange;
            let same_secret = match client.secret.clone() {
                _ if client.public => stored.secret_hash.is_empty(),
                Some(_) if secret::needs_rehash(&stored.secret_hash) => false,
                Some(secret) => {
                    let hash = stored.secret_hash.clone();
                    hash_pool::run(move || secret::verify_secret(&secret, &hash)).await?
                }
                None => false,
            };
            if same_settings && same_secret {
                return Ok(false);
            }
        }
        self.register_client(client).await.map(|_| true)
    }

    /// Checks a client before registration.
    fn check_client(&self, client: &NewClient) -> Result<(), IssuerError> {
        check_client_id(&client.id)?;
        let invalid = |reason| IssuerError::InvalidClient {
            client_id: client.id.clone(),
            reason,
        };
        for scope in &client.scopes {
            if request::parse_scope(scope).map_or(true, |s| s.len() != 1) {
                return Err(invalid("a scope is not a single RFC 6749 scope token"));
            }
        }
        match (&client.secret, client.public) {
            (Some(_), true) => return Err(invalid("a public client has no secret")),
            (Some(s), false) if s.is_empty() => return Err(invalid("the secret is empty")),
            _ => {}
        }
        if client.public && client.token_exchange {
            return Err(invalid(
                "a public client cannot exchange tokens: token exchange needs client authentication",
            ));
        }
        if client.public && client.redirect_uris.is_empty() {
            return Err(invalid("a public client needs a redirect URI"));
        }
        if let Some(name) = &client.name {
            if name.is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
                return Err(invalid(
                    "the name is empty, longer than 128 bytes or has a control character",
                ));
            }
        }
        let host = reqwest::Url::parse(self.url())
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        for uri in client
            .redirect_uris
            .iter()
            .chain(&client.post_logout_redirect_uris)
        {
            redirect::check_registered(uri, host.as_deref()).map_err(invalid)?;
        }
        Ok(())
    }

    /// Every registered client (secrets are not stored, so none is shown).
    pub async fn client_ids(&self) -> Result<Vec<String>, IssuerError> {
        let clients = self.inner.store.list_clients().await?;
        Ok(clients.into_iter().map(|c| c.client_id).collect())
    }
}

impl NewClient {
    /// A client with this id, no scopes, the issuer's default audience, and a
    /// generated secret.
    pub fn new(id: impl Into<String>) -> Self {
        NewClient {
            id: id.into(),
            secret: None,
            scopes: Vec::new(),
            audience: Vec::new(),
            name: None,
            public: false,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            first_party: false,
            introspect: false,
            token_exchange: false,
        }
    }

    /// Uses this secret instead of a generated one.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The scopes the client may be granted (a request without `scope` gets all).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `aud` of the client's tokens (default: the issuer's default audience).
    pub fn audience<S: Into<String>>(mut self, audience: impl IntoIterator<Item = S>) -> Self {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// A public client (`token_endpoint_auth_method=none`: a single-page or native
    /// app that cannot keep a secret): no secret, PKCE only. Needs a redirect URI.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// The name shown on the login and consent pages (default: the id).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The redirect URIs of the authorization code flow. A request must name one
    /// exactly; on `http://127.0.0.1` and `http://[::1]` any port matches (RFC 8252
    /// §7.3). `https`, `http` on a loopback host or the issuer's host, or a
    /// private-use scheme (`com.example.app:/cb`); no fragment, no user information.
    pub fn redirect_uris<S: Into<String>>(mut self, uris: impl IntoIterator<Item = S>) -> Self {
        self.redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// Where RP-initiated logout may send the browser back to (compared exactly).
    pub fn post_logout_redirect_uris<S: Into<String>>(
        mut self,
        uris: impl IntoIterator<Item = S>,
    ) -> Self {
        self.post_logout_redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// A client of the issuer's own operator: users are not asked to consent.
    pub fn first_party(mut self, first_party: bool) -> Self {
        self.first_party = first_party;
        self
    }

    /// Lets the client introspect every token of the issuer (a resource server).
    /// Without it (the default), `/introspect` tells a client only about tokens
    /// issued to itself, and answers `{"active": false}` for any other.
    ///
    /// ```
    /// let api = jot_issuer::NewClient::new("orders-api").introspect(true);
    /// # let _ = api;
    /// ```
    pub fn introspect(mut self, introspect: bool) -> Self {
        self.introspect = introspect;
        self
    }

    /// Lets the client exchange the access tokens it receives for tokens aimed at
    /// another resource (RFC 8693 token exchange): an API, or an MCP server,
    /// calling a downstream API on its caller's behalf instead of passing the
    /// caller's token on. A confidential client only.
    ///
    /// ```
    /// let mcp = jot_issuer::NewClient::new("mcp-server").token_exchange(true);
    /// # let _ = mcp;
    /// ```
    pub fn token_exchange(mut self, allowed: bool) -> Self {
        self.token_exchange = allowed;
        self
    }
}

impl fmt::Debug for NewClient {
    /// Never shows the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewClient")
            .field("id", &self.id)
            .field("public", &self.public)
            .field("scopes", &self.scopes)
            .field("redirect_uris", &self.redirect_uris)
            .field("introspect", &self.introspect)
            .field("token_exchange", &self.token_exchange)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ClientCredentials {
    /// Never shows the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

fn check_client_id(id: &str) -> Result<(), IssuerError> {
    let reason = if id.is_empty() {
        "the id is empty"
    } else if id.len() > MAX_CLIENT_ID_LEN {
        "the id is longer than 256 bytes (MAX_CLIENT_ID_LEN)"
    } else if id.chars().any(char::is_control) || id.contains(':') {
        "the id contains a control character or ':'"
    } else {
        return Ok(());
    };
    Err(IssuerError::InvalidClient {
        client_id: id.to_owned(),
        reason,
    })
}
