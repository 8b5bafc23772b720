//! Registered clients: [`NewClient`], [`ClientCredentials`], registration.

use std::fmt;

use crate::store::ClientRecord;
use crate::{Issuer, IssuerError, request, secret};

/// A client to register with [`Issuer::register_client`].
#[derive(Clone)]
#[must_use]
pub struct NewClient {
    id: String,
    secret: Option<String>,
    scopes: Vec<String>,
    audience: Vec<String>,
}

/// A client's id and secret, as registered.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientCredentials {
    /// The `client_id`.
    pub client_id: String,
    /// The `client_secret`. Only its hash is stored: keep it or lose it.
    pub client_secret: String,
    /// The scopes the client may ask for.
    pub scopes: Vec<String>,
}

impl Issuer {
    /// Registers (or replaces) a client. Without [`NewClient::secret`], a random
    /// 256-bit secret is generated. Only the secret's hash is stored.
    pub async fn register_client(
        &self,
        client: NewClient,
    ) -> Result<ClientCredentials, IssuerError> {
        let NewClient {
            id,
            secret: given,
            scopes,
            audience,
        } = client;
        check_client_id(&id)?;
        let invalid = |reason| IssuerError::InvalidClient {
            client_id: id.clone(),
            reason,
        };
        for scope in &scopes {
            if request::parse_scope(scope).map_or(true, |s| s.len() != 1) {
                return Err(invalid("a scope is not a single RFC 6749 scope token"));
            }
        }
        let client_secret = match given {
            Some(s) if s.is_empty() => return Err(invalid("the secret is empty")),
            Some(s) => s,
            None => secret::random_token(32)?,
        };
        let record = ClientRecord {
            client_id: id.clone(),
            secret_hash: secret::hash_secret_with(&client_secret, self.inner.secret_iterations)?,
            scopes: scopes.clone(),
            audience,
            created_at: self.now(),
        };
        self.inner.store.put_client(record).await?;
        tracing::info!(target: "jot_issuer", client_id = %id, "client registered");
        Ok(ClientCredentials {
            client_id: id,
            client_secret,
            scopes,
        })
    }

    /// Registers a client with this exact secret unless it is already stored with
    /// the same secret, scopes and audience (so a configured client is not re-hashed
    /// at every start). Returns whether the store changed.
    pub async fn ensure_client(&self, client: NewClient) -> Result<bool, IssuerError> {
        if let (Some(secret), Some(stored)) = (
            client.secret.as_deref(),
            self.inner.store.get_client(&client.id).await?,
        ) {
            if stored.scopes == client.scopes
                && stored.audience == client.audience
                && secret::verify_secret(secret, &stored.secret_hash)
            {
                return Ok(false);
            }
        }
        self.register_client(client).await.map(|_| true)
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
}

impl fmt::Debug for NewClient {
    /// Never shows the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewClient")
            .field("id", &self.id)
            .field("scopes", &self.scopes)
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
    } else if id.len() > 256 {
        "the id is longer than 256 bytes"
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
