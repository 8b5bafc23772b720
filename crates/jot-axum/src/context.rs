//! [`AuthContext`]: the untyped view of a verified request that the guards read.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;

use crate::dpop::DpopBinding;
use crate::error::{AuthError, AuthErrorKind, Challenge};

/// What the authorization guards see of a verified request, whatever the claims
/// type: the verified claims as JSON. [`JwtLayer`](crate::JwtLayer) puts it in the request
/// extensions next to [`Verified<T>`](crate::Verified).
#[derive(Clone)]
pub struct AuthContext {
    inner: Arc<ContextInner>,
}

#[derive(Clone)]
struct ContextInner {
    raw: Box<str>,
    challenge: Arc<Challenge>,
    claims: OnceLock<serde_json::Map<String, serde_json::Value>>,
    /// The token's `cnf.jkt`, read on first use (see `credentials::bound_key`).
    bound_key: OnceLock<Result<Option<Box<str>>, DpopBinding>>,
    /// The thumbprint of the key of the request's DPoP proof.
    dpop_jkt: Option<Box<str>>,
}

impl AuthContext {
    pub(crate) fn new(raw: &str, challenge: &Arc<Challenge>) -> AuthContext {
        AuthContext {
            inner: Arc::new(ContextInner {
                raw: raw.into(),
                challenge: Arc::clone(challenge),
                claims: OnceLock::new(),
                bound_key: OnceLock::new(),
                dpop_jkt: None,
            }),
        }
    }

    /// The RFC 7638 thumbprint of the key the token is bound to (its `cnf.jkt`)
    /// when the request proved possession of that key with a DPoP proof; `None`
    /// for a bearer token.
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.inner.dpop_jkt.as_deref()
    }

    pub(crate) fn set_dpop_thumbprint(&mut self, jkt: String) {
        Arc::make_mut(&mut self.inner).dpop_jkt = Some(jkt.into());
    }

    /// Where the token's `cnf.jkt` is kept once read: a cached token's context is
    /// shared by every request that presents it, so it is read once.
    pub(crate) fn bound_key_cell(&self) -> &OnceLock<Result<Option<Box<str>>, DpopBinding>> {
        &self.inner.bound_key
    }

    /// Every claim of the verified token, as JSON (decoded on first use).
    pub fn claims(&self) -> &serde_json::Map<String, serde_json::Value> {
        self.inner.claims.get_or_init(|| {
            // Only built for a token that verified and decoded, so its payload is
            // a JSON object; an empty map is a safe fallback all the same.
            self.inner
                .raw
                .split('.')
                .nth(1)
                .and_then(|payload| jot_codec::base64url::decode(payload).ok())
                .and_then(|json| serde_json::from_slice(&json).ok())
                .unwrap_or_default()
        })
    }

    /// The scopes granted: the space-separated `scope` claim (RFC 8693 §4.2) and the
    /// `scp` claim (an array, or a space-separated string).
    pub fn scopes(&self) -> Vec<&str> {
        let claims = self.claims();
        let mut out: Vec<&str> = Vec::new();
        for name in ["scope", "scp"] {
            out.extend(strings(claims.get(name)));
        }
        out
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().contains(&scope)
    }

    /// The strings at a claim path such as `roles` or `realm_access.roles` (an
    /// array of strings, or a space-separated string).
    pub fn strings_at(&self, path: &str) -> Vec<&str> {
        let mut value = None;
        let mut map = Some(self.claims());
        for part in path.split('.') {
            value = map.and_then(|m| m.get(part));
            map = value.and_then(serde_json::Value::as_object);
        }
        strings(value).collect()
    }

    /// The raw token (handy to forward it). Never log it.
    pub fn token(&self) -> &str {
        &self.inner.raw
    }

    /// An error for this request, with the realm and hook of its [`JwtAuth`](crate::JwtAuth) (and
    /// in the `DPoP` challenge for a DPoP request).
    pub fn error(&self, kind: AuthErrorKind) -> AuthError {
        let error = AuthError::new(kind, &self.inner.challenge);
        if self.dpop_thumbprint().is_some() {
            error.on_dpop_request()
        } else {
            error
        }
    }

    /// Checks that every scope in `required` is granted; otherwise a 403
    /// `insufficient_scope` naming them.
    pub fn require_scopes<S: AsRef<str>>(&self, required: &[S]) -> Result<(), AuthError> {
        let granted = self.scopes();
        if required.iter().all(|s| granted.contains(&s.as_ref())) {
            Ok(())
        } else {
            Err(self.error(AuthErrorKind::InsufficientScope {
                required: required.iter().map(|s| s.as_ref().to_owned()).collect(),
            }))
        }
    }

    /// Checks that the `roles` claim holds `role`; otherwise a 403.
    pub fn require_role(&self, role: &str) -> Result<(), AuthError> {
        if self.strings_at("roles").contains(&role) {
            Ok(())
        } else {
            Err(self.error(AuthErrorKind::Forbidden {
                reason: Cow::Owned(format!("role {role} required")),
            }))
        }
    }
}

impl fmt::Debug for AuthContext {
    /// Never shows the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext").finish_non_exhaustive()
    }
}

fn strings(value: Option<&serde_json::Value>) -> Box<dyn Iterator<Item = &str> + '_> {
    match value {
        Some(serde_json::Value::String(s)) => Box::new(s.split_ascii_whitespace()),
        Some(serde_json::Value::Array(items)) => {
            Box::new(items.iter().filter_map(serde_json::Value::as_str))
        }
        _ => Box::new(std::iter::empty()),
    }
}
