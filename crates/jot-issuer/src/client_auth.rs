//! Client authentication (`client_secret_basic`, `client_secret_post`) at the
//! token, introspection and revocation endpoints.
//!
//! In order: an id longer than [`MAX_CLIENT_ID_LEN`] is no client (no lookup, no
//! hash); a secret that verified in the last ten minutes passes at the cost of a
//! SHA-256; a client id or address that failed too often is answered `429` with
//! `Retry-After`, before any hash; otherwise the secret is checked (argon2id, or
//! PBKDF2 for a hash of an earlier format) on the [hashing pool](crate::hash_pool),
//! an unknown client against a dummy hash of the same cost, so that its answer
//! takes as long as a wrong secret's. A secret that verified against a PBKDF2 hash
//! is hashed again with argon2id, on the same pool, and the store's hash replaced.

use std::net::IpAddr;

use crate::clients::MAX_CLIENT_ID_LEN;
use crate::error::OAuthError;
use crate::request::Presented;
use crate::store::ClientRecord;
use crate::throttle::Key;
use crate::untrusted::untrusted;
use crate::{Issuer, IssuerError, hash_pool, secret};

impl Issuer {
    /// Authenticates the client of a request coming from `ip`.
    pub(crate) async fn authenticate(
        &self,
        presented: Presented,
        ip: Option<IpAddr>,
    ) -> Result<ClientRecord, OAuthError> {
        let Presented::Secret { id, secret } = presented else {
            return Err(OAuthError::invalid_client());
        };
        let now = self.now();
        let throttle = &self.inner.client_throttle;
        if id.len() > MAX_CLIENT_ID_LEN {
            // No client can have this id: no lookup, no hash; counted against the
            // address only.
            let address: Vec<Key> = ip.map(Key::Ip).into_iter().collect();
            if let Err(wait) = throttle.check(&address, now) {
                crate::meter::client_auth_failed("throttled");
                return Err(OAuthError::throttled(wait));
            }
            throttle.failed(&address, now);
            crate::meter::client_auth_failed("invalid");
            tracing::info!(target: "jot_issuer", client_id = %untrusted(&id), ip = ?ip, "unknown client (id too long)");
            return Err(OAuthError::invalid_client());
        }
        let client = self.inner.store.get_client(&id).await?;
        if let Some(client) = &client {
            // A client whose secret verified lately passes even while its id is
            // throttled: whoever floods its id with wrong secrets cannot lock it out.
            if !client.public
                && self
                    .inner
                    .secrets
                    .remembered(&id, &secret, &client.secret_hash, now)
            {
                return Ok(client.clone());
            }
        }
        let account = Key::client(&id);
        let keys: Vec<Key> = std::iter::once(account).chain(ip.map(Key::Ip)).collect();
        if let Err(wait) = throttle.check(&keys, now) {
            tracing::warn!(target: "jot_issuer", client_id = %untrusted(&id), ip = ?ip, wait, "client authentication throttled");
            crate::meter::client_auth_failed("throttled");
            return Err(OAuthError::throttled(wait));
        }
        let stored = match &client {
            Some(client) if !client.public => client.secret_hash.clone(),
            _ => self.dummy_hash().await?,
        };
        let presented = secret.clone();
        let matched = hash_pool::run(move || secret::verify_secret(&presented, &stored)).await?;
        match client {
            Some(client) if matched && !client.public => {
                let client = self.rehash_secret(client, &secret).await;
                self.inner
                    .secrets
                    .remember(&id, &secret, &client.secret_hash, now);
                throttle.succeeded(&account);
                Ok(client)
            }
            Some(_) => {
                throttle.failed(&keys, now);
                crate::meter::client_auth_failed("invalid");
                tracing::info!(target: "jot_issuer", client_id = %untrusted(&id), ip = ?ip, "client authentication failed");
                Err(OAuthError::invalid_client())
            }
            None => {
                throttle.failed(&keys, now);
                crate::meter::client_auth_failed("invalid");
                tracing::info!(target: "jot_issuer", client_id = %untrusted(&id), ip = ?ip, "unknown client");
                Err(OAuthError::invalid_client())
            }
        }
    }

    /// After `secret` verified against a hash of an earlier format: hashes it
    /// with argon2id (on the hashing pool) and replaces the stored hash if no one
    /// changed it meanwhile. The client authenticated either way: a failure here is
    /// logged, and the old hash stays until the next success.
    async fn rehash_secret(&self, mut client: ClientRecord, secret: &str) -> ClientRecord {
        if !secret::needs_rehash(&client.secret_hash) {
            return client;
        }
        let (presented, cost) = (secret.to_owned(), self.inner.secret_iterations);
        let new = match hash_pool::run(move || secret::hash_secret_with(&presented, cost)).await {
            Ok(Ok(new)) => new,
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(target: "jot_issuer", client_id = %untrusted(&client.client_id), "could not hash the client secret again");
                return client;
            }
        };
        let store = &self.inner.store;
        match store
            .replace_client_secret_hash(&client.client_id, &client.secret_hash, new.clone())
            .await
        {
            Ok(true) => {
                tracing::info!(target: "jot_issuer", client_id = %untrusted(&client.client_id), "client secret hash upgraded to argon2id");
                client.secret_hash = new;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(target: "jot_issuer", client_id = %untrusted(&client.client_id), error = %e, "could not store the client's new secret hash");
            }
        }
        client
    }

    /// A hash of a random secret at this issuer's cost (made once, on the
    /// hashing pool), so that an unknown client fails as slowly as a wrong secret.
    async fn dummy_hash(&self) -> Result<String, IssuerError> {
        let iterations = self.inner.secret_iterations;
        let hash = self
            .inner
            .dummy_hash
            .get_or_try_init(|| async move {
                hash_pool::run(move || {
                    secret::random_token(32).and_then(|s| secret::hash_secret_with(&s, iterations))
                })
                .await?
                .map_err(IssuerError::from)
            })
            .await?;
        Ok(hash.clone())
    }
}
