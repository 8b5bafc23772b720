//! Grants: minting RFC 9068 access tokens, the client-credentials and refresh-token
//! grants, tokens for users an application authenticated itself, introspection
//! (RFC 7662) and revocation (RFC 7009).

use jot_codec::{Audience, Claims, Header, NumericDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::OAuthError;
use crate::request::{Presented, parse_scope};
use crate::secret;
use crate::store::{ClientRecord, Consumed, RefreshRecord};
use crate::{Issuer, IssuerError};

mod exchange;
mod introspection;

pub(crate) use exchange::TOKEN_EXCHANGE;
pub use introspection::Introspection;

/// The claims the issuer sets; an application's own claims may not use these names.
const RESERVED: [&str; 11] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "client_id",
    "scope",
    "cnf",
    "act",
];

/// A successful token response (RFC 6749 §5.1).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token (an RFC 9068 JWT).
    pub access_token: String,
    /// `Bearer`, or `DPoP` for a token bound to the key of the request's DPoP
    /// proof (RFC 9449 §5).
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The refresh token, for user grants and refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The scopes granted, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The OpenID Connect ID token, when `openid` was granted to a user who signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// What `access_token` is, in a token exchange (RFC 8693 §2.2.1):
    /// `urn:ietf:params:oauth:token-type:access_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

/// What to put in the tokens of a user the application authenticated itself, for
/// [`Issuer::issue_for_user`].
///
/// ```
/// use jot_issuer::UserGrant;
///
/// let grant = UserGrant::new("alice", "web-app")
///     .scopes(["profile", "orders:read"])
///     .claim("name", "Alice Liddell");
/// # let _ = grant;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct UserGrant {
    subject: String,
    client_id: String,
    scopes: Vec<String>,
    audience: Vec<String>,
    claims: Map<String, Value>,
    refresh: bool,
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    /// The key the token is bound to (RFC 9449 §6.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    cnf: Option<Confirmation<'a>>,
    /// Who acts for the subject, after a token exchange (RFC 8693 §4.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    act: Option<&'a Value>,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

#[derive(Serialize)]
struct Confirmation<'a> {
    jkt: &'a str,
}

impl UserGrant {
    /// Tokens for user `subject` (the `sub`), used by client `client_id` (the
    /// `client_id` claim; it need not be registered: an unregistered id is a public
    /// client, whose refresh tokens need no client authentication).
    pub fn new(subject: impl Into<String>, client_id: impl Into<String>) -> Self {
        UserGrant {
            subject: subject.into(),
            client_id: client_id.into(),
            scopes: Vec::new(),
            audience: Vec::new(),
            claims: Map::new(),
            refresh: true,
        }
    }

    /// The scopes granted.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `aud` (default: the issuer's default audience).
    pub fn audience<S: Into<String>>(mut self, audience: impl IntoIterator<Item = S>) -> Self {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// A claim of the application's own (`name`, `roles`…), copied into every access
    /// token of this grant, refreshed ones included. Registered names, `client_id`
    /// and `scope` are refused when the tokens are issued.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Issues no refresh token.
    pub fn without_refresh_token(mut self) -> Self {
        self.refresh = false;
        self
    }
}

/// What an access token is about.
pub(crate) struct Subject<'a> {
    pub(crate) sub: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) scope: &'a [String],
    pub(crate) audience: &'a [String],
    pub(crate) claims: &'a Map<String, Value>,
    /// The thumbprint of the DPoP key the access token is bound to.
    pub(crate) jkt: Option<&'a str>,
    /// The `act` claim (token exchange).
    pub(crate) act: Option<&'a Value>,
    /// The latest the access token may expire (token exchange: the subject token's `exp`).
    pub(crate) not_after: Option<u64>,
}

impl<'a> Subject<'a> {
    /// A subject with no DPoP binding, no actor and the issuer's lifetime.
    pub(crate) fn new(
        sub: &'a str,
        client_id: &'a str,
        scope: &'a [String],
        audience: &'a [String],
        claims: &'a Map<String, Value>,
    ) -> Self {
        Subject {
            sub,
            client_id,
            scope,
            audience,
            claims,
            jkt: None,
            act: None,
            not_after: None,
        }
    }
}

/// What ties a refresh token to a sign-in: its session and authentication time.
pub(crate) struct SignIn<'a> {
    pub(crate) sid: &'a str,
    pub(crate) auth_time: u64,
    pub(crate) id_token_claims: &'a [String],
}

impl Issuer {
    /// Mints an access token (and, unless disabled, a refresh token starting a new
    /// rotation family) for a user the application authenticated itself.
    pub async fn issue_for_user(&self, grant: UserGrant) -> Result<TokenResponse, IssuerError> {
        if let Some(name) = grant.claims.keys().find(|k| RESERVED.contains(&k.as_str())) {
            return Err(IssuerError::ReservedClaim { name: name.clone() });
        }
        if grant.client_id.len() > crate::MAX_CLIENT_ID_LEN {
            return Err(IssuerError::InvalidClient {
                client_id: jot_codec::clip_untrusted(&grant.client_id),
                reason: "the id is longer than 256 bytes (MAX_CLIENT_ID_LEN)",
            });
        }
        for scope in &grant.scopes {
            if parse_scope(scope).map_or(true, |s| s.len() != 1) {
                return Err(IssuerError::InvalidClient {
                    client_id: grant.client_id.clone(),
                    reason: "a scope is not a single RFC 6749 scope token",
                });
            }
        }
        let audience = if grant.audience.is_empty() {
            self.inner.audience.clone()
        } else {
            grant.audience
        };
        let subject = Subject::new(
            &grant.subject,
            &grant.client_id,
            &grant.scopes,
            &audience,
            &grant.claims,
        );
        let mut response = self.mint(&subject)?;
        if grant.refresh {
            let family = secret::random_token(16)?;
            let refresh = self.new_refresh(&subject, family, None, None).await?;
            response.refresh_token = Some(refresh);
        }
        tracing::info!(
            target: "jot_issuer",
            grant = "user",
            client_id = %grant.client_id,
            sub = %grant.subject,
            "tokens issued"
        );
        Ok(response)
    }

    /// Exchanges a refresh token for a new access token and a new refresh token,
    /// for an application that keeps the refresh token itself (in a cookie, say):
    /// no client authentication. A token used twice revokes its whole family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, IssuerError> {
        let hash = secret::sha256_b64(refresh_token.as_bytes());
        // A token bound to a DPoP key is refreshed at `/token` with a proof only.
        if let Some((record, _)) = self.inner.store.get_refresh(&hash).await? {
            check_binding(record.dpop_jkt.as_deref(), None)?;
        }
        let narrowed = Narrowed {
            scope: None,
            resource: None,
            jkt: None,
        };
        Ok(self.exchange_refresh(&hash, narrowed).await?)
    }

    /// The `client_credentials` grant for an authenticated client: for `resource`
    /// (RFC 8707), bound to the DPoP key `jkt`, when given.
    pub(crate) fn client_credentials(
        &self,
        client: &ClientRecord,
        scope: Option<&str>,
        resource: Option<&str>,
        jkt: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        // The OpenID Connect scopes are about a user who signs in: never granted
        // to a client acting for itself.
        let for_users = |s: &String| crate::oidc::STANDARD_SCOPES.iter().any(|(u, _)| u == s);
        let granted = match scope {
            None => client
                .scopes
                .iter()
                .filter(|s| !for_users(s))
                .cloned()
                .collect(),
            Some(requested) => {
                let requested = parse_scope(requested)?;
                if let Some(bad) = requested.iter().find(|s| !client.scopes.contains(s)) {
                    return Err(OAuthError::invalid_scope(format!(
                        "scope {bad} is not allowed for this client"
                    )));
                }
                if let Some(bad) = requested.iter().find(|s| for_users(s)) {
                    return Err(OAuthError::invalid_scope(format!(
                        "scope {bad} is for users who sign in, not for client_credentials"
                    )));
                }
                requested
            }
        };
        let resource = self
            .requested_resource(resource)?
            .map(|r| vec![r.to_owned()]);
        let audience = match &resource {
            Some(resource) => resource,
            None if client.audience.is_empty() => &self.inner.audience,
            None => &client.audience,
        };
        let claims = Map::new();
        let response = self.mint(&Subject {
            jkt,
            ..Subject::new(
                &client.client_id,
                &client.client_id,
                &granted,
                audience,
                &claims,
            )
        })?;
        tracing::info!(
            target: "jot_issuer",
            grant = "client_credentials",
            client_id = %client.client_id,
            "access token issued"
        );
        Ok(response)
    }

    /// The `refresh_token` grant of the token endpoint, with the client checks of
    /// RFC 6749 §6: a token issued to a registered confidential client needs that
    /// client's authentication, one issued to a registered public client its
    /// `client_id`; one issued to an unregistered id needs none, but a client that
    /// names itself must be the right one.
    ///
    /// A refresh token bound to a DPoP key (a public client's) needs a proof made
    /// with that key, `jkt`. `resource` narrows the audience to one of the grant's.
    pub(crate) async fn refresh_grant(
        &self,
        token: &str,
        scope: Option<&str>,
        resource: Option<&str>,
        presented: Presented,
        ip: Option<std::net::IpAddr>,
        jkt: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let authenticated = match presented {
            Presented::Secret { .. } => Some(self.authenticate(presented, ip).await?.client_id),
            Presented::PublicId(id) if id.len() > crate::MAX_CLIENT_ID_LEN => {
                return Err(OAuthError::invalid_client());
            }
            Presented::PublicId(id) => {
                // A registered client names itself without a secret only if it is
                // a public one.
                if self.client(&id).await?.is_some_and(|c| !c.public) {
                    return Err(OAuthError::invalid_client());
                }
                Some(id)
            }
            Presented::Nothing => None,
        };
        let requested = scope.map(parse_scope).transpose()?;
        let hash = secret::sha256_b64(token.as_bytes());
        let Some((record, _)) = self.inner.store.get_refresh(&hash).await? else {
            return Err(OAuthError::invalid_grant("unknown refresh token"));
        };
        match &authenticated {
            Some(id) if *id != record.client_id => {
                return Err(OAuthError::invalid_grant(
                    "the refresh token was issued to another client",
                ));
            }
            None if self.client(&record.client_id).await?.is_some() => {
                return Err(OAuthError::invalid_client());
            }
            _ => {}
        }
        if let Some(requested) = &requested {
            if let Some(bad) = requested.iter().find(|s| !record.scope.contains(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "scope {bad} was not granted originally"
                )));
            }
        }
        if let Some(resource) = self.requested_resource(resource)? {
            if !record.audience.iter().any(|aud| aud == resource) {
                return Err(OAuthError::invalid_target(
                    "the resource was not granted originally",
                ));
            }
        }
        check_binding(record.dpop_jkt.as_deref(), jkt)?;
        let narrowed = Narrowed {
            scope: requested,
            resource: resource.map(|r| vec![r.to_owned()]),
            jkt,
        };
        self.exchange_refresh(&hash, narrowed).await
    }

    /// Consumes a refresh token and issues its successor; detects reuse.
    async fn exchange_refresh(
        &self,
        hash: &str,
        narrowed: Narrowed<'_>,
    ) -> Result<TokenResponse, OAuthError> {
        let now = self.now();
        let record = match self.inner.store.consume_refresh(hash, now).await? {
            Consumed::Fresh(record) => record,
            Consumed::Reused(record) => {
                self.inner
                    .store
                    .revoke_family(&record.family, now + self.inner.refresh_ttl)
                    .await?;
                tracing::warn!(
                    target: "jot_issuer",
                    client_id = %record.client_id,
                    sub = %record.subject,
                    family = %record.family,
                    "refresh token reused: family revoked"
                );
                return Err(OAuthError::invalid_grant(
                    "refresh token already used; every token of its grant is revoked",
                ));
            }
            Consumed::Revoked => return Err(OAuthError::invalid_grant("refresh token revoked")),
            Consumed::Expired => return Err(OAuthError::invalid_grant("refresh token expired")),
            _ => return Err(OAuthError::invalid_grant("unknown refresh token")),
        };
        let scope = narrowed.scope.as_deref().unwrap_or(&record.scope);
        let subject = Subject {
            jkt: narrowed.jkt,
            ..Subject::new(
                &record.subject,
                &record.client_id,
                scope,
                narrowed.resource.as_deref().unwrap_or(&record.audience),
                &record.claims,
            )
        };
        let user = match record.auth_time {
            Some(_) => Some(self.refresh_user(&record, now).await?),
            None => None,
        };
        let mut response = self.mint(&subject)?;
        // The successor keeps the original grant's scope and audience (RFC 6749 §6).
        let successor = Subject {
            scope: &record.scope,
            audience: &record.audience,
            ..subject
        };
        let sign_in = match (&record.sid, record.auth_time) {
            (Some(sid), Some(auth_time)) => Some(SignIn {
                sid,
                auth_time,
                id_token_claims: &record.id_token_claims,
            }),
            _ => None,
        };
        response.refresh_token = Some(
            self.new_refresh(
                &successor,
                record.family.clone(),
                sign_in.as_ref(),
                record.dpop_jkt.as_deref(),
            )
            .await?,
        );
        if let (Some(user), Some(auth_time)) = (&user, record.auth_time) {
            if scope.iter().any(|s| s == "openid") {
                response.id_token = Some(self.mint_id_token(&crate::oidc::IdTokenInput {
                    user,
                    client_id: &record.client_id,
                    scopes: scope,
                    nonce: None,
                    auth_time,
                    sid: record.sid.as_deref(),
                    access_token: &response.access_token,
                    user_claims: &record.id_token_claims,
                })?);
            }
        }
        tracing::info!(
            target: "jot_issuer",
            grant = "refresh_token",
            client_id = %record.client_id,
            sub = %record.subject,
            "tokens refreshed"
        );
        Ok(response)
    }

    /// The user of a refresh token from a sign-in, who must still exist and be
    /// enabled; otherwise the token's family is revoked.
    async fn refresh_user(
        &self,
        record: &RefreshRecord,
        now: u64,
    ) -> Result<crate::users::User, OAuthError> {
        if self.inner.login.is_some() {
            if let Some(user) = self.session_user(&record.subject).await? {
                return Ok(user);
            }
        }
        self.inner
            .store
            .revoke_family(&record.family, now + self.inner.refresh_ttl)
            .await?;
        tracing::info!(target: "jot_issuer", sub = %record.subject, "refresh refused: the user is gone or disabled");
        Err(OAuthError::invalid_grant(
            "the user no longer exists or is disabled",
        ))
    }

    /// Signs an access token for `subject`.
    pub(crate) fn mint(&self, subject: &Subject<'_>) -> Result<TokenResponse, IssuerError> {
        self.mint_with_jti(subject, secret::random_token(16)?)
    }

    /// Signs an access token for `subject` with this `jti`.
    pub(crate) fn mint_with_jti(
        &self,
        subject: &Subject<'_>,
        jti: String,
    ) -> Result<TokenResponse, IssuerError> {
        let now_secs = self.now();
        let lifetime = match subject.not_after {
            Some(limit) => self.inner.access_ttl.min(limit.saturating_sub(now_secs)),
            None => self.inner.access_ttl,
        };
        let now = NumericDate::EPOCH.saturating_add(now_secs);
        let exp = now.saturating_add(lifetime);
        let scope = scope_string(subject.scope);
        let mut claims = Claims::new(AccessClaims {
            client_id: subject.client_id,
            scope: scope.clone(),
            cnf: subject.jkt.map(|jkt| Confirmation { jkt }),
            act: subject.act,
            extra: subject.claims,
        })
        .issuer(self.inner.url.clone())
        .subject(subject.sub)
        .issued_at(now)
        .expires_at(exp)
        .jwt_id(jti);
        claims.aud = audience(subject.audience);
        let ring = self.ring();
        let token = jot_codec::encode(&ring.current, &Header::new().typ("at+jwt"), &claims)
            .map_err(IssuerError::Sign)?;
        let token_type = match subject.jkt {
            Some(_) => crate::dpop::DPOP_TOKEN_TYPE,
            None => "Bearer",
        };
        Ok(TokenResponse {
            access_token: token,
            token_type: token_type.into(),
            expires_in: lifetime,
            refresh_token: None,
            scope,
            id_token: None,
            issued_token_type: None,
        })
    }

    /// Stores a new refresh token of `family` and returns it; `bound` is the DPoP
    /// key it is bound to (a public client's).
    pub(crate) async fn new_refresh(
        &self,
        subject: &Subject<'_>,
        family: String,
        sign_in: Option<&SignIn<'_>>,
        bound: Option<&str>,
    ) -> Result<String, IssuerError> {
        let token = secret::random_token(32)?;
        let now = self.now();
        let record = RefreshRecord {
            token_hash: secret::sha256_b64(token.as_bytes()),
            family,
            client_id: subject.client_id.to_owned(),
            subject: subject.sub.to_owned(),
            scope: subject.scope.to_vec(),
            audience: subject.audience.to_vec(),
            claims: subject.claims.clone(),
            issued_at: now,
            expires_at: now + self.inner.refresh_ttl,
            sid: sign_in.map(|s| s.sid.to_owned()),
            auth_time: sign_in.map(|s| s.auth_time),
            id_token_claims: sign_in.map_or_else(Vec::new, |s| s.id_token_claims.to_vec()),
            dpop_jkt: bound.map(str::to_owned),
        };
        self.inner.store.insert_refresh(record).await?;
        Ok(token)
    }
}

/// What a refresh request narrows: the scope, the audience (one `resource`), and
/// the DPoP key of its proof, if any.
struct Narrowed<'a> {
    scope: Option<Vec<String>>,
    resource: Option<Vec<String>>,
    jkt: Option<&'a str>,
}

/// A grant bound to a DPoP key (`bound`) needs a proof made with that key (RFC
/// 9449 §5 and §10).
pub(crate) fn check_binding(bound: Option<&str>, proof: Option<&str>) -> Result<(), OAuthError> {
    use crate::error::OAuthErrorCode::InvalidDpopProof;
    match (bound, proof) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(OAuthError::new(
            InvalidDpopProof,
            "the grant is bound to a DPoP key: send a DPoP proof made with it",
        )),
        (Some(bound), Some(proof)) if secret::constant_time_eq(bound, proof) => Ok(()),
        (Some(_), Some(_)) => Err(OAuthError::new(
            InvalidDpopProof,
            "the DPoP proof is not made with the key the grant is bound to",
        )),
    }
}

fn scope_string(scopes: &[String]) -> Option<String> {
    (!scopes.is_empty()).then(|| scopes.join(" "))
}

fn audience(list: &[String]) -> Option<Audience> {
    match list {
        [] => None,
        [one] => Some(Audience::One(one.clone())),
        many => Some(Audience::Many(many.to_vec())),
    }
}

impl std::fmt::Debug for TokenResponse {
    /// Never shows the tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| ".."))
            .field("scope", &self.scope)
            .field("id_token", &self.id_token.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}
