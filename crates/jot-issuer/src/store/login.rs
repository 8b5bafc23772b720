//! The records of logins: users, sessions, authorization codes, consents and
//! pending authorization requests.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user of jot's own login, as stored: never the password, only its argon2id hash.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserRecord {
    /// The stable, random subject identifier (the tokens' `sub`).
    pub sub: String,
    /// The name the user signs in with; unique by [`username_key`].
    pub username: String,
    /// The argon2id hash of the password (PHC string); empty: password login refused.
    pub password_hash: String,
    /// The full name (`name` claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The email address (`email` claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address was verified (`email_verified` claim).
    #[serde(default)]
    pub email_verified: bool,
    /// A disabled user cannot sign in, and its tokens cannot be refreshed.
    #[serde(default)]
    pub disabled: bool,
    /// When it was added.
    pub created_at: u64,
    /// When it last changed.
    pub updated_at: u64,
}

/// A login session: what the session cookie stands for. The cookie's value is not
/// stored, only its SHA-256.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value, base64url.
    pub id_hash: String,
    /// The public session id: the ID tokens' `sid`, never the cookie value.
    pub sid: String,
    /// The user.
    pub sub: String,
    /// When the user authenticated.
    pub auth_time: u64,
    /// The CSRF token of the forms that act on this session (logout).
    pub csrf: String,
    /// When it started.
    pub created_at: u64,
    /// When it ends.
    pub expires_at: u64,
}

/// An authorization code, as stored: its hash, never the code.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CodeRecord {
    /// SHA-256 of the code, base64url.
    pub code_hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The `redirect_uri` of the authorization request, which the token request must repeat.
    pub redirect_uri: String,
    /// The PKCE `code_challenge` (S256).
    pub code_challenge: String,
    /// The user.
    pub sub: String,
    /// The scopes granted.
    pub scope: Vec<String>,
    /// The `nonce` of the authorization request, for the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// When the user authenticated.
    pub auth_time: u64,
    /// The session's public id.
    pub sid: String,
    /// The user claims asked for in the ID token (`claims` parameter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_claims: Vec<String>,
    /// When it was issued.
    pub issued_at: u64,
    /// When it expires.
    pub expires_at: u64,
    /// What its exchange issued, once used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<CodeIssued>,
    /// The resource (RFC 8707) of the authorization request: the `aud` of the
    /// access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The `dpop_jkt` of the authorization request (RFC 9449 §10): the token
    /// request must carry a DPoP proof made with that key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
}

/// What the exchange of an authorization code issued, so that a second use can
/// revoke it (RFC 6749 §4.1.2).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CodeIssued {
    /// The `jti` of the access token.
    pub jti: String,
    /// When that access token expires.
    pub access_expires_at: u64,
    /// The refresh-token family started, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

/// What [`IssuerStore::consume_code`](super::IssuerStore::consume_code) found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodeConsumed {
    /// It was unused and is now used: the caller may issue the tokens it recorded.
    Fresh(CodeRecord),
    /// It had been used before (or a concurrent caller won): the record, with
    /// what the first use issued.
    Reused(CodeRecord),
    /// No such code.
    Unknown,
}

/// A user's consent to a client's scopes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The user.
    pub sub: String,
    /// The client.
    pub client_id: String,
    /// The scopes consented to.
    pub scopes: Vec<String>,
    /// When.
    pub granted_at: u64,
}

/// An authorization request waiting for the user to sign in or consent.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingRecord {
    /// Its id (carried by the login and consent forms).
    pub id: String,
    /// SHA-256 of the browser cookie of the browser that made the request: the
    /// forms are accepted from that browser only.
    pub browser_hash: String,
    /// The CSRF token of its forms.
    pub csrf: String,
    /// The validated request, as the issuer serialized it (opaque to the store).
    pub request: serde_json::Value,
    /// When it was made.
    pub created_at: u64,
    /// When it is dropped.
    pub expires_at: u64,
}

/// Whose refresh-token families [`IssuerStore::revoke_families_of`](super::IssuerStore::revoke_families_of) revokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FamilyOwner<'a> {
    /// Those of the login session with this public id (`sid`).
    Session(&'a str),
    /// Those of this user (`sub`).
    Subject(&'a str),
}

impl FamilyOwner<'_> {
    /// Whether `record` belongs to this owner.
    pub fn owns(&self, record: &super::RefreshRecord) -> bool {
        match self {
            FamilyOwner::Session(sid) => record.sid.as_deref() == Some(*sid),
            FamilyOwner::Subject(sub) => record.subject == *sub,
        }
    }
}

/// The form of a username that uniqueness and lookups compare: Unicode lowercase,
/// so `Alice` and `alice` are one user.
///
/// ```
/// assert_eq!(jot_issuer::store::username_key("Ålice"), "ålice");
/// ```
pub fn username_key(username: &str) -> String {
    username.to_lowercase()
}

impl fmt::Debug for UserRecord {
    /// Never shows the password hash.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("sub", &self.sub)
            .field("username", &self.username)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionRecord {
    /// Never shows the CSRF token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("sid", &self.sid)
            .field("sub", &self.sub)
            .field("auth_time", &self.auth_time)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for PendingRecord {
    /// Never shows the CSRF token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRecord")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
