//! [`ClientSpec`]: a client of `jot serve`, from `--client` or a config file's
//! `[[client]]`.

use std::str::FromStr;

use jot_issuer::NewClient;

use crate::serve::ServeError;

/// A client given as `ID:SECRET[:SCOPES]` (scopes separated by `,` or spaces), as
/// `jot serve --client` takes it (the secret cannot contain `:`), or by a config
/// file's `[[client]]`, which may also make it public and give its redirect URIs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ClientSpec {
    pub(crate) id: String,
    /// `None`: a public client (PKCE only).
    pub(super) secret: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) audience: Vec<String>,
    pub(super) redirect_uris: Vec<String>,
    pub(super) post_logout_redirect_uris: Vec<String>,
    pub(super) first_party: bool,
    /// May introspect every client's tokens (a resource server).
    pub(super) introspect: bool,
    /// May exchange the tokens it receives (RFC 8693).
    pub(super) token_exchange: bool,
}

impl ClientSpec {
    /// A client with this id and secret and no scopes.
    pub(crate) fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        ClientSpec {
            id: id.into(),
            secret: Some(secret.into()),
            scopes: Vec::new(),
            audience: Vec::new(),
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            first_party: false,
            introspect: false,
            token_exchange: false,
        }
    }

    /// The scopes it may be granted.
    pub(crate) fn with_scopes<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The client id.
    #[cfg(test)]
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The scopes.
    #[cfg(test)]
    pub(crate) fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub(crate) fn to_new_client(&self) -> NewClient {
        let client = NewClient::new(self.id.clone())
            .scopes(self.scopes.clone())
            .audience(self.audience.clone())
            .redirect_uris(self.redirect_uris.clone())
            .post_logout_redirect_uris(self.post_logout_redirect_uris.clone())
            .first_party(self.first_party)
            .introspect(self.introspect)
            .token_exchange(self.token_exchange);
        match &self.secret {
            Some(secret) => client.secret(secret.clone()),
            None => client.public(),
        }
    }
}

impl FromStr for ClientSpec {
    type Err = ServeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| ServeError::Setting {
            setting: "client",
            reason: format!("{reason} (expected ID:SECRET[:SCOPES])"),
        };
        let mut parts = s.splitn(3, ':');
        let id = parts.next().unwrap_or_default();
        let secret = parts.next().ok_or_else(|| bad("no secret"))?;
        if id.is_empty() || secret.is_empty() {
            return Err(bad("empty id or secret"));
        }
        let scopes: Vec<String> = parts
            .next()
            .map(|list| {
                list.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Ok(ClientSpec::new(id, secret).with_scopes(scopes))
    }
}

impl std::fmt::Debug for ClientSpec {
    /// Never shows the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSpec")
            .field("id", &self.id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
