//! [`MultiIssuer`]: several issuers, each with its own keys, chosen by `iss`.

use std::collections::HashMap;
use std::sync::Arc;

use jot_codec::{UntrustedToken, dangerous};

use super::{KeySource, KeySourceError, Keys, KeysFuture};

/// Several issuers at once. The token's `iss` is read **before** verification (it
/// is only a lookup hint: the token must then verify with that issuer's keys, so a
/// forged `iss` gains nothing) and picks the issuer's key source; a token whose
/// `iss` is absent or not configured is refused as `invalid_token` without any key
/// lookup or fetch.
///
/// ```no_run
/// use jot_axum::{MultiIssuer, RemoteJwks};
/// # fn main() -> Result<(), jot_axum::ConfigError> {
/// let keys = MultiIssuer::new()
///     .issuer("https://login.example.com", RemoteJwks::discover("https://login.example.com").build()?)
///     .issuer("https://partner.example.org", RemoteJwks::discover("https://partner.example.org").build()?);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct MultiIssuer {
    issuers: HashMap<String, Arc<dyn KeySource>>,
}

impl MultiIssuer {
    /// No issuers yet.
    pub fn new() -> MultiIssuer {
        MultiIssuer::default()
    }

    /// Accepts tokens whose `iss` is exactly `issuer`, verified with `keys`.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>, keys: impl KeySource) -> MultiIssuer {
        self.issuers.insert(issuer.into(), Arc::new(keys));
        self
    }

    /// The configured issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.issuers.keys().map(String::as_str)
    }
}

impl std::fmt::Debug for MultiIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.issuers.keys()).finish()
    }
}

impl KeySource for MultiIssuer {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        match self.source_for(token) {
            Ok(source) => source.keys_for(token),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }

    fn keys_now(&self, token: &UntrustedToken<'_>) -> Option<Keys> {
        self.source_for(token).ok()?.keys_now(token)
    }
}

impl MultiIssuer {
    /// The source of the token's unverified `iss`.
    fn source_for(
        &self,
        token: &UntrustedToken<'_>,
    ) -> Result<&Arc<dyn KeySource>, KeySourceError> {
        // `()` as the custom type: only the registered claims are kept.
        let claims = dangerous::claims_unverified::<()>(token).map_err(KeySourceError::Token)?;
        claims
            .iss
            .as_deref()
            .and_then(|iss| self.issuers.get(iss))
            .ok_or(KeySourceError::UnknownIssuer)
    }
}
